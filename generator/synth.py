"""A deterministic synthetic knowledge base, for load tests, benchmarks and demonstrations.

Never for ``content/``: the guide forbids synthetic data there. The records
look like real ones (hundreds of companies with subsidiaries, tickers and
countries; about 40 topics; events over eleven years in every date precision,
status, type and language, with amounts, places, sources, related events and
translations) and pass ``kb validate`` with no error and no warning when the
build's today is :data:`SYNTH_TODAY` (``SOURCE_DATE_EPOCH=`` :data:`SYNTH_EPOCH`).

Everything comes from one ``random.Random(seed)``: the same arguments give the
same files, byte for byte.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import random
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from .dates import FuzzyDate, Precision, slug_fits_date
from .schema import EVENT_TYPES

#: The date a synthetic knowledge base is consistent with: scheduled events lie after it,
#: occurred ones before. Validate and build with SOURCE_DATE_EPOCH=SYNTH_EPOCH.
SYNTH_TODAY = dt.date(2026, 6, 30)
#: SYNTH_TODAY at 00:00 UTC, in seconds since the epoch, as SOURCE_DATE_EPOCH wants it.
SYNTH_EPOCH = str(calendar.timegm(SYNTH_TODAY.timetuple()))
#: Events fall between these days: ten years before SYNTH_TODAY to one year after.
FIRST_DAY = dt.date(2016, 7, 1)
LAST_DAY = dt.date(2027, 6, 30)

#: Titles of one company's events near in time are kept below this word overlap, well
#: under the near-duplicate rule's 80 %.
TITLE_MARGIN = 0.7
#: Titles drawn for one event before falling back to a numbered one
_ATTEMPTS = 40
#: Events this close (in days, between the end of one and the start of the other) count as near.
NEAR_WINDOW = 8


@dataclass(frozen=True)
class SynthCounts:
    companies: int
    topics: int
    events: int

    @property
    def files(self) -> int:
        return self.companies + self.topics + self.events


# --- word lists ---------------------------------------------------------------------------------

#: (id, name, description, parent)
TOPICS: tuple[tuple[str, str, str, str | None], ...] = (
    (
        "artificial-intelligence",
        "Artificial intelligence",
        "Machine learning models, AI products and the computing behind them.",
        None,
    ),
    (
        "generative-ai",
        "Generative AI",
        "Models that write text, code and images, and the services built on them.",
        "artificial-intelligence",
    ),
    (
        "machine-learning",
        "Machine learning",
        "Training and running statistical models on company data.",
        "artificial-intelligence",
    ),
    (
        "ai-safety",
        "AI safety",
        "Keeping AI systems within intended limits, through safeguards and lessons from incidents.",
        "artificial-intelligence",
    ),
    (
        "cloud-computing",
        "Cloud computing",
        "Rented computing, storage and software delivered over the network.",
        None,
    ),
    (
        "data-centres",
        "Data centres",
        "Buildings full of servers, and the power and cooling they need.",
        "cloud-computing",
    ),
    ("semiconductors", "Semiconductors", "Chips: their design, manufacture and supply.", None),
    (
        "chip-design",
        "Chip design",
        "Processor and accelerator designs and the licences behind them.",
        "semiconductors",
    ),
    (
        "chip-manufacturing",
        "Chip manufacturing",
        "Foundries, fabrication plants and packaging.",
        "semiconductors",
    ),
    ("cybersecurity", "Cybersecurity", "Protecting systems and data from attack.", None),
    (
        "data-breaches",
        "Data breaches",
        "Customer or company data exposed or stolen.",
        "cybersecurity",
    ),
    (
        "ransomware",
        "Ransomware",
        "Attacks that encrypt systems and demand payment.",
        "cybersecurity",
    ),
    ("earnings", "Earnings", "Quarterly and annual results, and their dates.", None),
    ("dividends", "Dividends", "Payouts and buy-backs for shareholders.", "earnings"),
    ("guidance", "Guidance", "What companies expect of the coming quarters.", "earnings"),
    (
        "mergers-and-acquisitions",
        "Mergers and acquisitions",
        "Companies buying, merging with or selling each other.",
        None,
    ),
    (
        "private-equity",
        "Private equity",
        "Buy-out funds and the companies they own.",
        "mergers-and-acquisitions",
    ),
    ("financing", "Financing", "How companies raise money: loans, bonds and shares.", None),
    ("bonds", "Bonds", "Debt sold to investors, and its terms.", "financing"),
    ("venture-capital", "Venture capital", "Funding rounds for young companies.", "financing"),
    (
        "ipo",
        "Initial public offerings",
        "Companies listing their shares for the first time.",
        "financing",
    ),
    ("renewable-energy", "Renewable energy", "Wind, solar and other low-carbon power.", None),
    ("solar-power", "Solar power", "Solar parks and panels.", "renewable-energy"),
    ("wind-power", "Wind power", "Onshore and offshore wind farms.", "renewable-energy"),
    ("hydrogen", "Hydrogen", "Electrolysers, fuel cells and hydrogen supply.", "renewable-energy"),
    ("electric-vehicles", "Electric vehicles", "Battery cars, lorries and their charging.", None),
    ("batteries", "Batteries", "Battery cells, materials and factories.", "electric-vehicles"),
    (
        "autonomous-driving",
        "Autonomous driving",
        "Cars and lorries that drive themselves.",
        "electric-vehicles",
    ),
    ("blockchain", "Blockchain", "Shared ledgers and the services built on them.", None),
    (
        "cryptocurrency",
        "Cryptocurrency",
        "Digital currencies, their mining and trading.",
        "blockchain",
    ),
    (
        "tokenisation",
        "Tokenisation",
        "Real-world assets represented as tokens on a ledger.",
        "blockchain",
    ),
    ("telecommunications", "Telecommunications", "Mobile, fixed and satellite networks.", None),
    ("satellites", "Satellites", "Satellite networks and launches.", "telecommunications"),
    ("pharmaceuticals", "Pharmaceuticals", "Medicines, their trials and approvals.", None),
    (
        "biotechnology",
        "Biotechnology",
        "Drugs and therapies from living systems.",
        "pharmaceuticals",
    ),
    ("medical-devices", "Medical devices", "Equipment for diagnosis and treatment.", None),
    ("regulation", "Regulation", "Rules, supervisors and their decisions.", None),
    ("antitrust", "Antitrust", "Competition law: reviews, fines and conditions.", "regulation"),
    (
        "data-protection",
        "Data protection",
        "Privacy law and how companies handle personal data.",
        "regulation",
    ),
    ("supply-chain", "Supply chain", "Suppliers, logistics and the risks between them.", None),
    ("logistics", "Logistics", "Freight, parcels and warehouses.", "supply-chain"),
    ("e-commerce", "E-commerce", "Online shops and marketplaces.", None),
    ("robotics", "Robotics", "Robots in factories, warehouses and homes.", None),
    ("leadership", "Leadership", "Changes at the top of companies.", None),
)


@dataclass(frozen=True)
class _Sector:
    word: str
    about: str
    topics: tuple[str, ...]
    #: what deals and segments are about: (English, German)
    domains: tuple[tuple[str, str], ...]
    #: (English, German with indefinite article in the accusative)
    facilities: tuple[tuple[str, str], ...]
    #: what products are: (English, German with indefinite article in the nominative)
    things: tuple[tuple[str, str], ...]


_SECTORS = (
    _Sector(
        "Robotics",
        "industrial robots and warehouse automation",
        ("robotics", "supply-chain", "artificial-intelligence"),
        (("warehouse automation", "Lagerautomatisierung"), ("robot software", "Robotersoftware")),
        (
            ("robot assembly plant", "ein neues Montagewerk für Roboter"),
            ("research campus", "einen neuen Forschungscampus"),
        ),
        (
            ("collaborative robot", "ein kollaborativer Roboter"),
            ("picking robot", "ein Kommissionierroboter"),
        ),
    ),
    _Sector(
        "Semiconductor",
        "chips for data centres, phones and cars",
        ("semiconductors", "chip-design", "chip-manufacturing"),
        (
            ("chip packaging", "Chip-Packaging"),
            ("AI accelerators", "KI-Beschleuniger"),
            ("wafer supply", "Wafer-Lieferungen"),
        ),
        (
            ("chip factory", "eine neue Chipfabrik"),
            ("design centre", "ein neues Entwicklungszentrum"),
        ),
        (("AI accelerator", "ein KI-Beschleuniger"), ("automotive chip", "ein Chip für Autos")),
    ),
    _Sector(
        "Cloud",
        "cloud computing and hosting services",
        ("cloud-computing", "data-centres", "artificial-intelligence"),
        (
            ("cloud infrastructure", "Cloud-Infrastruktur"),
            ("sovereign cloud", "Cloud-Souveränität"),
        ),
        (("data centre", "ein neues Rechenzentrum"), ("cloud region", "eine neue Cloud-Region")),
        (("database service", "ein Datenbankdienst"), ("GPU cloud service", "ein GPU-Clouddienst")),
    ),
    _Sector(
        "Energy",
        "wind and solar power plants",
        ("renewable-energy", "solar-power", "wind-power"),
        (
            ("offshore wind", "Offshore-Windkraft"),
            ("power purchase", "Stromabnahme"),
            ("grid storage", "Netzspeicher"),
        ),
        (("solar park", "einen neuen Solarpark"), ("wind farm", "einen neuen Windpark")),
        (("home storage system", "ein Heimspeichersystem"), ("green tariff", "ein Ökostromtarif")),
    ),
    _Sector(
        "Motors",
        "electric cars and charging networks",
        ("electric-vehicles", "batteries", "autonomous-driving"),
        (("charging networks", "Ladenetze"), ("driver assistance", "Fahrassistenz")),
        (("vehicle plant", "ein neues Fahrzeugwerk"), ("test track", "eine neue Teststrecke")),
        (("electric saloon", "eine Elektrolimousine"), ("electric van", "ein Elektrotransporter")),
    ),
    _Sector(
        "Bank",
        "retail and corporate banking",
        ("financing", "bonds", "tokenisation"),
        (
            ("payments", "Zahlungsverkehr"),
            ("trade finance", "Handelsfinanzierung"),
            ("digital custody", "Kryptoverwahrung"),
        ),
        (
            ("operations centre", "ein neues Betriebszentrum"),
            ("technology hub", "einen neuen Technologie-Standort"),
        ),
        (
            ("mobile banking app", "eine Mobile-Banking-App"),
            ("tokenised deposit", "eine tokenisierte Einlage"),
        ),
    ),
    _Sector(
        "Pharma",
        "prescription medicines",
        ("pharmaceuticals", "biotechnology"),
        (
            ("oncology", "Onkologie"),
            ("vaccines", "Impfstoffe"),
            ("rare diseases", "Arzneien für seltene Krankheiten"),
        ),
        (
            ("production site", "einen neuen Produktionsstandort"),
            ("research laboratory", "ein neues Forschungslabor"),
        ),
        (("cancer drug", "ein Krebsmedikament"), ("vaccine", "ein Impfstoff")),
    ),
    _Sector(
        "Therapeutics",
        "gene and cell therapies",
        ("biotechnology", "pharmaceuticals"),
        (("gene therapy", "Gentherapie"), ("cell therapy", "Zelltherapie")),
        (("clinical manufacturing site", "einen neuen Standort für klinische Produktion"),),
        (("gene therapy", "eine Gentherapie"), ("antibody treatment", "eine Antikörpertherapie")),
    ),
    _Sector(
        "Telecom",
        "mobile and fibre networks",
        ("telecommunications", "satellites"),
        (
            ("fibre networks", "Glasfasernetze"),
            ("network sharing", "Netzkooperation"),
            ("satellite broadband", "Satelliteninternet"),
        ),
        (("network operations centre", "ein neues Netzbetriebszentrum"),),
        (
            ("mobile tariff", "ein Mobilfunktarif"),
            ("home broadband service", "ein Breitbanddienst"),
        ),
    ),
    _Sector(
        "Logistics",
        "freight and parcel services",
        ("logistics", "supply-chain", "e-commerce"),
        (
            ("parcel delivery", "Paketzustellung"),
            ("air freight", "Luftfracht"),
            ("cold-chain logistics", "Kühllogistik"),
        ),
        (
            ("logistics hub", "ein neues Logistikzentrum"),
            ("parcel centre", "ein neues Paketzentrum"),
        ),
        (
            ("same-day delivery service", "ein Lieferdienst am selben Tag"),
            ("tracking platform", "eine Sendungsverfolgungsplattform"),
        ),
    ),
    _Sector(
        "Security",
        "cybersecurity software and services",
        ("cybersecurity", "data-breaches", "ransomware"),
        (("threat detection", "Bedrohungserkennung"), ("identity protection", "Identitätsschutz")),
        (("security operations centre", "ein neues Sicherheitszentrum"),),
        (
            ("firewall", "eine Firewall"),
            ("threat detection service", "ein Dienst zur Bedrohungserkennung"),
        ),
    ),
    _Sector(
        "Analytics",
        "AI models and data analytics",
        ("artificial-intelligence", "generative-ai", "machine-learning"),
        (
            ("language models", "Sprachmodelle"),
            ("data analytics", "Datenanalyse"),
            ("AI agents", "KI-Agenten"),
        ),
        (
            ("AI research lab", "ein neues KI-Forschungslabor"),
            ("training cluster", "einen neuen Trainingscluster"),
        ),
        (("language model", "ein Sprachmodell"), ("coding assistant", "ein Programmierassistent")),
    ),
    _Sector(
        "Commerce",
        "online marketplaces",
        ("e-commerce", "logistics"),
        (("online retail", "Onlinehandel"), ("marketplace payments", "Marktplatz-Zahlungen")),
        (("fulfilment centre", "ein neues Versandzentrum"),),
        (("loyalty programme", "ein Treueprogramm"), ("marketplace app", "eine Marktplatz-App")),
    ),
    _Sector(
        "Batteries",
        "battery cells and materials",
        ("batteries", "electric-vehicles", "supply-chain"),
        (
            ("battery cells", "Batteriezellen"),
            ("lithium supply", "Lithiumlieferungen"),
            ("battery recycling", "Batterierecycling"),
        ),
        (
            ("battery plant", "eine neue Batteriefabrik"),
            ("recycling plant", "eine neue Recyclinganlage"),
        ),
        (
            ("solid-state cell", "eine Festkörperzelle"),
            ("fast-charging cell", "eine Schnellladezelle"),
        ),
    ),
    _Sector(
        "Medical",
        "diagnostic and surgical devices",
        ("medical-devices", "artificial-intelligence"),
        (("diagnostic imaging", "Bilddiagnostik"), ("surgical robotics", "Chirurgierobotik")),
        (("device factory", "ein neues Gerätewerk"),),
        (
            ("imaging scanner", "ein Bildgebungsscanner"),
            ("surgical robot", "ein Operationsroboter"),
        ),
    ),
    _Sector(
        "Ledger",
        "blockchain and digital-asset services",
        ("blockchain", "cryptocurrency", "tokenisation"),
        (
            ("asset tokenisation", "Tokenisierung von Vermögenswerten"),
            ("stablecoins", "Stablecoins"),
        ),
        (("mining facility", "eine neue Mining-Anlage"),),
        (("custody wallet", "eine Verwahr-Wallet"), ("settlement network", "ein Abwicklungsnetz")),
    ),
    _Sector(
        "Hydrogen",
        "electrolysers and hydrogen supply",
        ("hydrogen", "renewable-energy"),
        (("green hydrogen", "Wasserstoff"), ("fuel cells", "Brennstoffzellen")),
        (("electrolyser plant", "eine neue Elektrolyseanlage"),),
        (("electrolyser", "ein Elektrolyseur"), ("fuel cell stack", "ein Brennstoffzellenstapel")),
    ),
    _Sector(
        "Aerospace",
        "satellites and launch services",
        ("satellites", "telecommunications"),
        (("satellite launches", "Satellitenstarts"), ("earth observation", "Erdbeobachtung")),
        (
            ("satellite factory", "eine neue Satellitenfabrik"),
            ("launch site", "einen neuen Startplatz"),
        ),
        (
            ("earth observation satellite", "ein Erdbeobachtungssatellit"),
            ("launch vehicle", "eine Trägerrakete"),
        ),
    ),
)

_SYLLABLES = (
    (
        "Ar",
        "Bel",
        "Cor",
        "Dal",
        "Ev",
        "Fen",
        "Gal",
        "Hal",
        "Ir",
        "Jor",
        "Kal",
        "Lum",
        "Mar",
        "Nor",
        "Or",
        "Pel",
        "Quin",
        "Ros",
        "Sol",
        "Tal",
        "Ul",
        "Val",
        "Wes",
        "Xan",
        "Yor",
        "Zen",
    ),
    ("a", "en", "io", "on", "ar", "is", "ex", "um", "ia", "or", "an", "el"),
    (
        "tek",
        "via",
        "gen",
        "nova",
        "lux",
        "dyn",
        "tron",
        "wave",
        "core",
        "link",
        "path",
        "sys",
        "mont",
        "field",
        "stone",
        "bridge",
        "ridge",
        "ford",
        "haven",
        "port",
        "gate",
        "crest",
    ),
)
_SUFFIXES = ("Group", "Holdings", "AG", "SE", "Inc.", "Ltd", "plc", "Corporation", "GmbH", "N.V.")

#: (city in English, city in German, ISO country, country in English, country in German)
_CITIES = (
    ("Hamburg", "Hamburg", "DE", "Germany", "Deutschland"),
    ("Munich", "München", "DE", "Germany", "Deutschland"),
    ("Berlin", "Berlin", "DE", "Germany", "Deutschland"),
    ("Vienna", "Wien", "AT", "Austria", "Österreich"),
    ("Zurich", "Zürich", "CH", "Switzerland", "Schweiz"),
    ("Paris", "Paris", "FR", "France", "Frankreich"),
    ("Lyon", "Lyon", "FR", "France", "Frankreich"),
    ("Milan", "Mailand", "IT", "Italy", "Italien"),
    ("Madrid", "Madrid", "ES", "Spain", "Spanien"),
    ("Lisbon", "Lissabon", "PT", "Portugal", "Portugal"),
    ("Amsterdam", "Amsterdam", "NL", "the Netherlands", "Niederlande"),
    ("Oslo", "Oslo", "NO", "Norway", "Norwegen"),
    ("Stockholm", "Stockholm", "SE", "Sweden", "Schweden"),
    ("Warsaw", "Warschau", "PL", "Poland", "Polen"),
    ("London", "London", "GB", "the United Kingdom", "Großbritannien"),
    ("Dublin", "Dublin", "IE", "Ireland", "Irland"),
    ("New York", "New York", "US", "the United States", "USA"),
    ("Austin", "Austin", "US", "the United States", "USA"),
    ("Seattle", "Seattle", "US", "the United States", "USA"),
    ("Toronto", "Toronto", "CA", "Canada", "Kanada"),
    ("São Paulo", "São Paulo", "BR", "Brazil", "Brasilien"),
    ("Shanghai", "Shanghai", "CN", "China", "China"),
    ("Shenzhen", "Shenzhen", "CN", "China", "China"),
    ("Hangzhou", "Hangzhou", "CN", "China", "China"),
    ("Hong Kong", "Hongkong", "HK", "Hong Kong", "Hongkong"),
    ("Tokyo", "Tokio", "JP", "Japan", "Japan"),
    ("Osaka", "Osaka", "JP", "Japan", "Japan"),
    ("Seoul", "Seoul", "KR", "South Korea", "Südkorea"),
    ("Singapore", "Singapur", "SG", "Singapore", "Singapur"),
    ("Bangalore", "Bangalore", "IN", "India", "Indien"),
    ("Sydney", "Sydney", "AU", "Australia", "Australien"),
    ("Dubai", "Dubai", "AE", "the United Arab Emirates", "Vereinigte Arabische Emirate"),
    ("Nairobi", "Nairobi", "KE", "Kenya", "Kenia"),
)
_CURRENCY = {
    "DE": "EUR",
    "AT": "EUR",
    "FR": "EUR",
    "IT": "EUR",
    "ES": "EUR",
    "PT": "EUR",
    "NL": "EUR",
    "IE": "EUR",
    "CH": "CHF",
    "NO": "NOK",
    "SE": "SEK",
    "PL": "PLN",
    "GB": "GBP",
    "US": "USD",
    "CA": "CAD",
    "BR": "BRL",
    "CN": "CNY",
    "HK": "HKD",
    "JP": "JPY",
    "KR": "KRW",
    "SG": "SGD",
    "IN": "INR",
    "AU": "AUD",
    "AE": "AED",
    "KE": "KES",
}
#: exchanges by country, and whether their symbols are numbers
_EXCHANGES = {
    "US": (("NYSE", False), ("NASDAQ", False)),
    "DE": (("XETRA", False),),
    "GB": (("LSE", False),),
    "FR": (("Euronext Paris", False),),
    "NL": (("Euronext Amsterdam", False),),
    "CH": (("SIX", False),),
    "NO": (("Oslo Børs", False),),
    "SE": (("Nasdaq Stockholm", False),),
    "CN": (("SSE", True), ("SZSE", True)),
    "HK": (("HKEX", True),),
    "JP": (("TSE", True),),
    "KR": (("KRX", True),),
    "IN": (("NSE", False),),
    "AU": (("ASX", False),),
    "CA": (("TSX", False),),
}

_FIRST_NAMES = (
    "Maria",
    "Jonas",
    "Aiko",
    "Chen",
    "Fatima",
    "Lukas",
    "Priya",
    "Olu",
    "Sofia",
    "Mateo",
    "Ingrid",
    "Kwame",
    "Elena",
    "Hiro",
    "Amara",
    "Tomasz",
    "Lea",
    "Ravi",
    "Nadia",
    "Pieter",
    "Yuki",
    "Carmen",
    "Emeka",
    "Anneli",
    "Wei",
    "Julien",
)
_LAST_NAMES = (
    "Okafor",
    "Lindqvist",
    "Tanaka",
    "Moreau",
    "Schneider",
    "Haddad",
    "Kowalski",
    "Nakamura",
    "Rossi",
    "Mensah",
    "Fernández",
    "Brandt",
    "Iyer",
    "Novak",
    "Zhang",
    "Van Dijk",
    "Ahmadi",
    "O'Neill",
    "Petrov",
    "Sato",
    "Keller",
    "Duarte",
    "Berg",
    "Castillo",
    "Adeyemi",
    "Hoffmann",
)
#: (English "chief … officer" word, German role in the dative after "zum")
_ROLES = (
    ("executive", "Vorstandsvorsitzenden"),
    ("financial", "Finanzvorstand"),
    ("technology", "Technikvorstand"),
    ("operating", "Produktionsvorstand"),
    ("information security", "Sicherheitschef"),
)
_PRODUCT_WORDS = (
    "Kestrel",
    "Aurora",
    "Helix",
    "Nimbus",
    "Orion",
    "Vega",
    "Atlas",
    "Lumen",
    "Pulse",
    "Quartz",
    "Falcon",
    "Tundra",
    "Meridian",
    "Cobalt",
    "Zephyr",
    "Echo",
    "Sierra",
    "Polaris",
    "Granite",
    "Lyra",
)
_PRODUCT_MARKS = ("X", "S", "Pro", "Max", "One", "Edge", "Air", "Ultra")
#: (English, German as the subject of a sentence)
_REGULATORS = (
    ("The European Commission", "Die EU-Kommission"),
    ("The US Federal Trade Commission", "Die US-Handelsbehörde FTC"),
    ("Germany's Federal Cartel Office", "Das Bundeskartellamt"),
    ("The UK Competition and Markets Authority", "Die britische Wettbewerbsbehörde CMA"),
    ("The US Securities and Exchange Commission", "Die US-Börsenaufsicht SEC"),
    ("China's market regulator", "Die chinesische Marktaufsicht"),
    ("Japan's Fair Trade Commission", "Die japanische Wettbewerbsbehörde"),
    ("BaFin", "Die BaFin"),
)
_ISSUES = (
    ("patent", "Patente"),
    ("data protection", "Datenschutz"),
    ("pricing", "Preise"),
    ("licensing", "Lizenzen"),
    ("employment", "Arbeitsrecht"),
    ("advertising", "Werbung"),
    ("export control", "Exportkontrollen"),
)
_INCIDENTS = (
    ("a ransomware attack", "einen Ransomware-Angriff"),
    ("a data breach", "ein Datenleck"),
    ("a software fault", "einen Softwarefehler"),
    ("a fire", "einen Brand"),
    ("a phishing campaign", "eine Phishing-Kampagne"),
    ("unauthorised access", "einen unbefugten Zugriff"),
)
#: (English, German in the dative after "bei")
_SYSTEMS = (
    ("its customer portal", "seinem Kundenportal"),
    ("its billing systems", "seinen Abrechnungssystemen"),
    ("a supplier", "einem Zulieferer"),
    ("its payment app", "seiner Bezahl-App"),
    ("its production network", "seinem Produktionsnetz"),
)
#: (English, German in the accusative after "über")
_ROUNDS = (
    ("a Series B round", "eine Finanzierungsrunde der Serie B"),
    ("a Series C round", "eine Finanzierungsrunde der Serie C"),
    ("a syndicated loan", "einen Konsortialkredit"),
    ("a rights issue", "eine Kapitalerhöhung"),
    ("a convertible bond", "eine Wandelanleihe"),
    ("a green bond", "eine grüne Anleihe"),
)
_REGIONS = (
    ("Europe", "Europa"),
    ("Asia", "Asien"),
    ("North America", "Nordamerika"),
    ("Latin America", "Lateinamerika"),
    ("Scandinavia", "Skandinavien"),
    ("Africa", "Afrika"),
    ("its home market", "seinem Heimatmarkt"),
)
_ORDINALS_DE = ("ersten", "zweiten", "dritten", "vierten")
#: (name, host, language)
_PUBLISHERS = (
    ("Harbour Wire", "news.harbourwire.example", "en"),
    ("Market Ledger", "www.marketledger.example", "en"),
    ("Tech Dispatch", "techdispatch.example", "en"),
    ("Global Business Review", "www.gbreview.example", "en"),
    ("Asia Markets Daily", "asiamarkets.example", "en"),
    ("Energy Monitor", "www.energymonitor.example", "en"),
    ("Chip Journal", "chipjournal.example", "en"),
    ("Finanzblatt", "www.finanzblatt.example", "de"),
    ("Wirtschaftsbote", "wirtschaftsbote.example", "de"),
    ("Der Handelsspiegel", "www.handelsspiegel.example", "de"),
)
_MONTHS_EN = [calendar.month_name[m] for m in range(1, 13)]

_TYPE_TOPICS = {
    "earnings": ("earnings", "guidance", "dividends"),
    "acquisition": ("mergers-and-acquisitions", "private-equity"),
    "financing": ("financing", "bonds", "venture-capital", "ipo"),
    "regulatory": ("regulation", "antitrust", "data-protection"),
    "legal": ("regulation", "antitrust", "data-protection"),
    "leadership": ("leadership",),
    "incident": ("cybersecurity", "data-breaches", "ransomware", "ai-safety", "supply-chain"),
}
_TYPE_WEIGHTS = {
    "earnings": 14,
    "agreement": 14,
    "investment": 10,
    "acquisition": 7,
    "product": 14,
    "incident": 6,
    "regulatory": 7,
    "legal": 5,
    "financing": 9,
    "leadership": 7,
    "other": 7,
}
#: amount sizes by type: (smallest, largest) power of ten
_AMOUNT_SCALE = {
    "investment": (7, 10),
    "acquisition": (8, 10),
    "financing": (7, 9),
    "regulatory": (6, 9),
    "earnings": (8, 10),
    "legal": (6, 8),
}

# --- title and summary templates: (English, German) with {slots} -------------------------------

_TITLES: dict[str, tuple[tuple[str, str], ...]] = {
    "earnings": (
        (
            "{co} reports {period} results with revenue {dir} {pct} per cent",
            "{co} legt Zahlen für {period_de} vor, Umsatz {dir_de} um {pct} Prozent",
        ),
        (
            "{co} {guide} full-year guidance on {adj} demand for {domain}",
            "{co} {guide_de} Jahresprognose wegen {adj_de} Nachfrage nach {domain_de}",
        ),
        (
            "{co} posts {period} revenue of {amount} as {domain} business grows",
            "{co} meldet Umsatz von {amount_de} im {period_de_dat}, Geschäft mit {domain_de} "
            "wächst",
        ),
    ),
    "agreement": (
        (
            "{co} signs {domain} agreement with {partner}",
            "{co} unterzeichnet Vereinbarung über {domain_de} mit {partner}",
        ),
        (
            "{co} and {partner} form {domain} partnership in {city}",
            "{co} und {partner} gründen Partnerschaft für {domain_de} in {city_de}",
        ),
        (
            "{co} agrees {years}-year {domain} supply deal with {partner}",
            "{co} vereinbart {years}-jährigen Liefervertrag für {domain_de} mit {partner}",
        ),
    ),
    "investment": (
        (
            "{co} to invest {amount} in new {facility} in {city}",
            "{co} investiert {amount_de} in {facility_de} in {city_de}",
        ),
        (
            "{co} takes {pct} per cent stake in {partner} to expand {domain}",
            "{co} übernimmt {pct} Prozent an {partner} und baut {domain_de} aus",
        ),
        (
            "{co} commits {amount} to {domain} in {region}",
            "{co} steckt {amount_de} in {domain_de} in {region_de}",
        ),
    ),
    "acquisition": (
        (
            "{co} agrees to acquire {partner} for {amount}",
            "{co} übernimmt {partner} für {amount_de}",
        ),
        (
            "{co} completes purchase of {partner}'s {domain} business",
            "{co} schließt Kauf des Geschäfts mit {domain_de} von {partner} ab",
        ),
        (
            "{co} sells its {domain} unit to {partner} for {amount}",
            "{co} verkauft Sparte für {domain_de} für {amount_de} an {partner}",
        ),
    ),
    "product": (
        (
            "{co} launches {product}, a {thing} for {audience}",
            "{co} bringt {product} auf den Markt: {thing_de} für {audience_de}",
        ),
        (
            "{co} unveils {product} {thing} at {show} in {city}",
            "{co} stellt {product} auf der {show} in {city_de} vor",
        ),
        (
            "{co} begins shipping {product} {thing} in {region}",
            "{co} liefert {product} in {region_de} aus",
        ),
    ),
    "incident": (
        (
            "{co} discloses {incident} affecting {system}",
            "{co} meldet {incident_de} bei {system_de}",
        ),
        (
            "{co} restores {system} after {hours}-hour outage in {city}",
            "{co} behebt {hours}-stündigen Ausfall bei {system_de} in {city_de}",
        ),
    ),
    "regulatory": (
        (
            "{regulator} opens review of {co}'s {domain} business",
            "{regulator_de} prüft das Geschäft von {co} mit {domain_de}",
        ),
        (
            "{regulator} fines {co} {amount} over {issue} rules",
            "{regulator_de} verhängt Bußgeld von {amount_de} gegen {co} wegen {issue_de}",
        ),
        (
            "{co} wins approval for {product} {thing} in {region}",
            "{co} erhält Zulassung für {product} in {region_de}",
        ),
    ),
    "legal": (
        (
            "Court in {city} rules against {co} in {issue} dispute with {partner}",
            "Gericht in {city_de} entscheidet gegen {co} im Streit um {issue_de} mit {partner}",
        ),
        (
            "{co} settles {issue} lawsuit with {partner} for {amount}",
            "{co} legt Rechtsstreit um {issue_de} mit {partner} für {amount_de} bei",
        ),
        (
            "{partner} sues {co} over {issue} in {city}",
            "{partner} verklagt {co} wegen {issue_de} in {city_de}",
        ),
    ),
    "financing": (
        ("{co} raises {amount} in {round}", "{co} nimmt {amount_de} über {round_de} auf"),
        (
            "{co} prices {amount} bond due {due}",
            "{co} platziert Anleihe über {amount_de} mit Fälligkeit {due}",
        ),
    ),
    "leadership": (
        ("{co} names {person} chief {role} officer", "{co} ernennt {person} zum {role_de}"),
        (
            "{person} to step down as chief {role} officer of {co}",
            "{person} verlässt {co}, Nachfolge im Amt des {role_de_gen} offen",
        ),
    ),
    "other": (
        ("{co} opens {facility} in {city}", "{co} eröffnet {facility_de} in {city_de}"),
        ("{co} moves headquarters to {city}", "{co} verlegt Hauptsitz nach {city_de}"),
        (
            "{co} celebrates {years} years of {domain} with event in {city}",
            "{co} feiert {years} Jahre {domain_de} mit Veranstaltung in {city_de}",
        ),
    ),
}
if set(_TYPE_WEIGHTS) != set(EVENT_TYPES) or set(_TITLES) != set(EVENT_TYPES):  # pragma: no cover
    raise RuntimeError("every event type in schema.EVENT_TYPES needs a weight and titles here")
_SCHEDULED_EARNINGS = (
    "{co} to publish {period} results {when}",
    "{co} veröffentlicht Zahlen für {period_de} {when_de}",
)

_LEADS: dict[str, tuple[str, str]] = {
    "earnings": (
        "{co_name} said revenue for {period} {dir_verb} {pct} per cent, driven by {domain}.",
        "{co_name} meldete für {period_de} einen um {pct} Prozent {dir_adj_de} Umsatz, getragen "
        "vom Geschäft mit {domain_de}.",
    ),
    "agreement": (
        "{co_name} and {partner} agreed to work together on {domain}, starting in {city}.",
        "{co_name} und {partner} vereinbarten eine Zusammenarbeit bei {domain_de}, beginnend in "
        "{city_de}.",
    ),
    "investment": (
        "{co_name} plans to put {amount} into {domain}, with a new {facility} in {city} at the "
        "centre.",
        "{co_name} will {amount_de} in {domain_de} investieren; im Mittelpunkt steht "
        "{facility_de_nom} in {city_de}.",
    ),
    "acquisition": (
        "{co_name} and {partner} agreed terms for the deal, which values the business at {amount}.",
        "{co_name} und {partner} einigten sich auf die Bedingungen; der Wert liegt bei "
        "{amount_de}.",
    ),
    "product": (
        "{co_name} presented {product}, a {thing} aimed at {audience}.",
        "{co_name} stellte {product} vor, {thing_de} für {audience_de}.",
    ),
    "incident": (
        "{co_name} reported {incident} affecting {system} and said it had informed the "
        "authorities.",
        "{co_name} meldete {incident_de} bei {system_de} und informierte nach eigenen Angaben "
        "die Behörden.",
    ),
    "regulatory": (
        "{regulator} is looking at how {co_name} runs its {domain} business in {region}.",
        "{regulator_de} untersucht, wie {co_name} das Geschäft mit {domain_de} in {region_de} "
        "führt.",
    ),
    "legal": (
        "The dispute between {co_name} and {partner} concerns {issue} questions going back "
        "several years.",
        "Der Streit zwischen {co_name} und {partner} dreht sich um {issue_de} und reicht mehrere "
        "Jahre zurück.",
    ),
    "financing": (
        "{co_name} raised {amount} to fund its {domain} plans in {region}.",
        "{co_name} nahm {amount_de} auf, um seine Pläne für {domain_de} in {region_de} zu "
        "finanzieren.",
    ),
    "leadership": (
        "{person} takes responsibility for the {role} side of {co_name}, which has grown quickly "
        "in {domain}.",
        "{person} übernimmt bei {co_name} die Verantwortung als {role_de_nom}; das Geschäft mit "
        "{domain_de} wächst schnell.",
    ),
    "other": (
        "{co_name} said the step would bring its {domain} teams in {city} closer together.",
        "{co_name} will damit seine Teams für {domain_de} in {city_de} enger zusammenbringen.",
    ),
}
_EXTRAS: tuple[tuple[str, str], ...] = (
    (
        "The move is part of {co}'s plan to expand its {domain} business in {region}.",
        "Der Schritt ist Teil des Plans von {co}, das Geschäft mit {domain_de} in {region_de} "
        "auszubauen.",
    ),
    (
        "{co} did not give further financial details.",
        "Weitere finanzielle Details nannte {co} nicht.",
    ),
    (
        "According to the company, about {jobs} jobs are linked to the project.",
        "Nach Angaben des Unternehmens hängen rund {jobs} Arbeitsplätze an dem Vorhaben.",
    ),
    (
        "Shares of {co} moved {pct2} per cent in the first hour of trading after the news.",
        "Die Aktie von {co} bewegte sich in der ersten Handelsstunde nach der Nachricht um "
        "{pct2_de} Prozent.",
    ),
    (
        "A spokesperson said further details would follow with the next quarterly report.",
        "Ein Sprecher kündigte weitere Details mit dem nächsten Quartalsbericht an.",
    ),
    (
        "Analysts had expected a step of this kind since the company's capital markets day.",
        "Analysten hatten einen solchen Schritt seit dem Kapitalmarkttag des Unternehmens "
        "erwartet.",
    ),
    (
        "The company expects the effects to show from {next_year} onwards.",
        "Das Unternehmen erwartet Auswirkungen ab {next_year}.",
    ),
    (
        "Competitors in {region} have announced similar plans over the past year.",
        "Wettbewerber in {region_de} haben im vergangenen Jahr ähnliche Pläne angekündigt.",
    ),
    (
        "{co} said it would keep investing in {domain} despite higher costs.",
        "{co} will trotz höherer Kosten weiter in {domain_de} investieren.",
    ),
    (
        "The announcement came {days} days after a similar report by {publisher}.",
        "Die Ankündigung kam {days} Tage nach einem ähnlichen Bericht von {publisher}.",
    ),
)
_STATUS_NOTES = {
    "cancelled": (
        "The plan was later cancelled, according to {publisher}.",
        "Das Vorhaben wurde später abgesagt, wie {publisher} berichtete.",
    ),
    "postponed": (
        "The date was later postponed; a new one has not been given.",
        "Der Termin wurde später verschoben; ein neuer steht noch nicht fest.",
    ),
}
_AUDIENCES = (
    ("small businesses", "kleine Unternehmen"),
    ("hospitals", "Kliniken"),
    ("carmakers", "Autohersteller"),
    ("banks", "Banken"),
    ("consumers", "Verbraucher"),
    ("city utilities", "Stadtwerke"),
    ("retailers", "Händler"),
)
_SHOWS = ("CES", "Hannover Messe", "MWC", "IFA", "Web Summit", "Computex")
_ADJECTIVES = (
    ("strong", "starker"),
    ("weak", "schwacher"),
    ("steady", "stabiler"),
    ("record", "rekordhoher"),
)
_DATE_NOTES_DAY = (
    "before US market open",
    "after the close of trading",
    "local time",
    "at the annual general meeting",
    "as given in the company's financial calendar",
)
_DATE_NOTES_MONTH = ("early {month}", "mid-{month}", "late {month}")


# --- records in the making ----------------------------------------------------------------------


@dataclass
class _Company:
    id: str
    short: str
    root: str
    sector: _Sector
    name: str
    country: str | None
    parent: str | None = None
    website: str = ""


@dataclass
class _Event:
    index: int
    company: _Company
    date: FuzzyDate
    status: str
    type: str
    id: str = ""
    text: dict[str, str] = field(default_factory=dict)
    slots: dict[str, str] = field(default_factory=dict)
    words: frozenset[str] = frozenset()


_WORDS = re.compile(r"\w+")
_PLAIN = re.compile(r"[^\W\d_][^\n:#\"]*(?<=\S)")
_YAML_WORDS = frozenset(["yes", "no", "y", "n", "true", "false", "on", "off", "null"])
_TRANSLIT = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "é": "e",
        "á": "a",
        "ã": "a",
        "ø": "o",
        "å": "a",
        "ñ": "n",
        "í": "i",
    }
)


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when every YAML reader reads it as that text."""
    if _PLAIN.fullmatch(text) and text.casefold() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _slug(text: str, words: int = 7) -> str:
    parts = re.findall(r"[a-z0-9]+", text.casefold().translate(_TRANSLIT))
    return "-".join(parts[:words]) or "event"


def _title_words(title: str) -> frozenset[str]:
    return frozenset(_WORDS.findall(title.casefold()))


def _alike(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


_LINE = re.compile(r"[^ ](?:.{0,86}[^ ])?(?= |$)")


def _wrap(text: str) -> list[str]:
    """``text`` in lines of at most 88 characters, broken at spaces."""
    lines = _LINE.findall(text)
    if " ".join(lines) == text:
        return lines
    return [text]  # a word longer than a line: leave the paragraph on one line


def _block(paragraphs: list[str], indent: str) -> str:
    """A literal block scalar: paragraphs wrapped, list items kept one per line."""
    out: list[str] = []
    for paragraph in paragraphs:
        if out:
            out.append("")
        if paragraph.startswith("- "):
            out.extend(indent + item for item in paragraph.split("\n"))
        else:
            out.extend(indent + line for line in _wrap(paragraph))
    return "|\n" + "\n".join(out) + "\n"


def _amount_text(value: int, currency: str) -> tuple[str, str]:
    if value >= 1_000_000_000:
        number, en, de = value / 1e9, "billion", "Mrd."
    else:
        number, en, de = value / 1e6, "million", "Mio."
    shown = f"{number:.1f}".removesuffix(".0")
    return f"{currency} {shown} {en}", f"{shown.replace('.', ',')} {de} {currency}"


def _fuzzy(day: dt.date, precision: Precision) -> FuzzyDate:
    if precision is Precision.DAY:
        return FuzzyDate(day, day, precision)
    if precision is Precision.MONTH:
        return FuzzyDate.parse(f"{day.year:04d}-{day.month:02d}")
    if precision is Precision.QUARTER:
        return FuzzyDate.parse(f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}")
    return FuzzyDate.parse(f"{day.year:04d}")


# --- the generator ------------------------------------------------------------------------------


class _Slots(dict[str, str]):
    """The words a title or summary template fills in, drawn when first used.

    Only what a template asks for costs random numbers; the order of use is fixed by the
    code, so the draws (and the texts) are the same for the same seed.
    """

    def __init__(self, rng: random.Random, event: _Event, companies: list[_Company]) -> None:
        super().__init__(co=event.company.short, co_name=event.company.short)
        self.rng = rng
        self.event = event
        self.companies = companies

    def __missing__(self, key: str) -> str:
        group = _SLOT_GROUPS.get(key)
        if group is None:
            raise KeyError(key)
        self.update(group(self))
        return self[key]

    def pair(self, key: str, options: tuple[tuple[str, str], ...]) -> dict[str, str]:
        en, de = self.rng.choice(options)
        return {key: en, f"{key}_de": de}

    # groups of slots drawn together

    def partner(self) -> dict[str, str]:
        partner = self.rng.choice(self.companies)
        while partner is self.event.company:
            partner = self.rng.choice(self.companies)
        return {"partner": partner.short, "partner_id": partner.id}

    def facility(self) -> dict[str, str]:
        en, de = self.rng.choice(self.event.company.sector.facilities)
        nominative = de
        if de.startswith("einen "):
            nominative = "ein " + de.removeprefix("einen ").replace("neuen ", "neuer ", 1)
        return {"facility": en, "facility_de": de, "facility_de_nom": nominative}

    def city(self) -> dict[str, str]:
        city = self.rng.choice(_CITIES)
        return {
            "city": city[0],
            "city_de": city[1],
            "place": f"{city[0]}, {city[3].removeprefix('the ')}",
        }

    def amount(self) -> dict[str, str]:
        rng = self.rng
        country = self.event.company.country or ""
        currency = (
            _CURRENCY.get(country, "USD") if rng.random() < 0.7 else rng.choice(("USD", "EUR"))
        )
        low, high = _AMOUNT_SCALE.get(self.event.type, (7, 9))
        value = rng.randint(10, 99) * 10 ** (rng.randint(low, high) - 1)
        en, de = _amount_text(value, currency)
        digits = len(str(value)) - 1
        written = str(value) if rng.random() < 0.85 else f"{value / 10**digits:g}e{digits}"
        return {"amount": en, "amount_de": de, "amount_value": written, "currency": currency}

    def period(self) -> dict[str, str]:
        start = self.event.date.start
        period_end = dt.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1) - dt.timedelta(1)
        quarter, year = (period_end.month - 1) // 3 + 1, period_end.year
        ordinal = _ORDINALS_DE[quarter - 1]
        return {
            "period": f"Q{quarter} {year}",
            "period_de": f"das {ordinal} Quartal {year}",
            "period_de_dat": f"{ordinal} Quartal {year}",
        }

    def direction(self) -> dict[str, str]:
        up = self.rng.random() < 0.65
        words = (
            ("up", "rose", "steigt", "gestiegenen", "raises", "hebt")
            if up
            else ("down", "fell", "sinkt", "gesunkenen", "cuts", "senkt")
        )
        keys = ("dir", "dir_verb", "dir_de", "dir_adj_de", "guide", "guide_de")
        return dict(zip(keys, words, strict=True))

    def role(self) -> dict[str, str]:
        en, de = self.rng.choice(_ROLES)
        weak = de.endswith("den")  # Vorstandsvorsitzenden, an adjective used as a noun
        return {
            "role": en,
            "role_de": de,
            "role_de_nom": de.removesuffix("n") + "r" if weak else de,
            "role_de_gen": de if weak else de + "s",
        }

    def when(self) -> dict[str, str]:
        date = self.event.date
        en, de = {
            Precision.DAY: ("on {}", "am {}"),
            Precision.MONTH: ("in {}", "im {}"),
            Precision.QUARTER: ("in {}", "im {}"),
            Precision.YEAR: ("in {}", "im Jahr {}"),
        }[date.precision]
        return {"when": en.format(date.human("en")), "when_de": de.format(date.human("de"))}

    def percent(self) -> dict[str, str]:
        value = f"{self.rng.randint(1, 12)}.{self.rng.randint(0, 9)}"
        return {"pct2": value, "pct2_de": value.replace(".", ",")}


def _number(key: str, low: int, high: int, scale: int = 1) -> Callable[[_Slots], dict[str, str]]:
    return lambda slots: {key: str(slots.rng.randint(low, high) * scale)}


def _choice(key: str, options: tuple[str, ...]) -> Callable[[_Slots], dict[str, str]]:
    return lambda slots: {key: slots.rng.choice(options)}


def _pair(key: str, options: tuple[tuple[str, str], ...]) -> Callable[[_Slots], dict[str, str]]:
    return lambda slots: slots.pair(key, options)


def _groups() -> dict[str, Callable[[_Slots], dict[str, str]]]:
    makers: list[tuple[tuple[str, ...], Callable[[_Slots], dict[str, str]]]] = [
        (("partner", "partner_id"), _Slots.partner),
        (("facility", "facility_de", "facility_de_nom"), _Slots.facility),
        (("city", "city_de", "place"), _Slots.city),
        (("amount", "amount_de", "amount_value", "currency"), _Slots.amount),
        (("period", "period_de", "period_de_dat"), _Slots.period),
        (("dir", "dir_verb", "dir_de", "dir_adj_de", "guide", "guide_de"), _Slots.direction),
        (("role", "role_de", "role_de_nom", "role_de_gen"), _Slots.role),
        (("when", "when_de"), _Slots.when),
        (("pct2", "pct2_de"), _Slots.percent),
        (("domain", "domain_de"), lambda s: s.pair("domain", s.event.company.sector.domains)),
        (("thing", "thing_de"), lambda s: s.pair("thing", s.event.company.sector.things)),
        (("region", "region_de"), _pair("region", _REGIONS)),
        (("regulator", "regulator_de"), _pair("regulator", _REGULATORS)),
        (("issue", "issue_de"), _pair("issue", _ISSUES)),
        (("incident", "incident_de"), _pair("incident", _INCIDENTS)),
        (("system", "system_de"), _pair("system", _SYSTEMS)),
        (("round", "round_de"), _pair("round", _ROUNDS)),
        (("audience", "audience_de"), _pair("audience", _AUDIENCES)),
        (("adj", "adj_de"), _pair("adj", _ADJECTIVES)),
        (("pct",), _number("pct", 2, 38)),
        (("years",), _number("years", 2, 15)),
        (("hours",), _number("hours", 2, 30)),
        (("jobs",), _number("jobs", 4, 90, 50)),
        (("days",), _number("days", 2, 20)),
        (("show",), _choice("show", _SHOWS)),
        (("publisher",), _choice("publisher", tuple(p[0] for p in _PUBLISHERS))),
        (("due",), lambda s: {"due": str(s.event.date.start.year + s.rng.randint(3, 12))}),
        (("next_year",), lambda s: {"next_year": str(s.event.date.end.year + 1)}),
        (
            ("person",),
            lambda s: {"person": f"{s.rng.choice(_FIRST_NAMES)} {s.rng.choice(_LAST_NAMES)}"},
        ),
        (
            ("product",),
            lambda s: {
                "product": f"{s.rng.choice(_PRODUCT_WORDS)} "
                f"{s.rng.choice(_PRODUCT_MARKS)}{s.rng.randint(2, 9)}"
            },
        ),
    ]
    return {key: maker for keys, maker in makers for key in keys}


_SLOT_GROUPS = _groups()


class _Synth:
    def __init__(self, events: int, seed: int, companies: int | None) -> None:
        if events < 0:
            raise ValueError("the number of events must not be negative")
        self.rng = random.Random(seed)
        self.n_events = events
        self.n_companies = companies if companies is not None else max(20, events // 40)
        if self.n_companies < 2:
            raise ValueError("a synthetic knowledge base needs at least two companies")
        self.source_serial = 0
        #: every event title so far, in the record's language: no two are the same
        self.titles: set[str] = set()
        #: titles that fell back to a number (only with very many events per company)
        self.fallbacks = 0
        self.files: dict[str, str] = {}

    # companies

    def make_companies(self) -> list[_Company]:
        rng = self.rng
        companies: list[_Company] = []
        ids: set[str] = set()
        clashes = 0
        while len(companies) < self.n_companies:
            sector = rng.choice(_SECTORS)
            parent = None
            if companies and rng.random() < 0.18:  # a subsidiary of an earlier company
                parent = rng.choice(companies)
                root = parent.root
                sector = rng.choice([s for s in _SECTORS if s is not parent.sector])
            else:
                root = "".join(rng.choice(part) for part in _SYLLABLES)
            short = f"{root} {sector.word}"
            company_id = _slug(short)
            if company_id in ids:
                clashes += 1
                if clashes < 20:
                    continue
                root += str(len(companies))  # names run out only for enormous sizes
                short = f"{root} {sector.word}"
                company_id = _slug(short)
            clashes = 0
            ids.add(company_id)
            country = rng.choice(_CITIES)[2] if rng.random() < 0.9 else None
            if parent is not None and parent.country and rng.random() < 0.6:
                country = parent.country
            suffix = rng.choice(_SUFFIXES)
            companies.append(
                _Company(
                    id=company_id,
                    short=short,
                    root=root,
                    sector=sector,
                    name=f"{short} {suffix}",
                    country=country,
                    parent=parent.id if parent else None,
                    website=f"https://www.{company_id}.example",
                )
            )
        for company in companies:
            self.files[f"companies/{company.id}.yaml"] = self.company_yaml(company)
        return companies

    def company_yaml(self, c: _Company) -> str:
        rng = self.rng
        lines = [f"name: {_scalar(c.name)}"]
        aliases = [c.short]
        if c.parent is None and rng.random() < 0.3:
            aliases.append(c.root)
        lines += ["aliases:", *(f"  - {_scalar(a)}" for a in aliases)]
        exchanges = _EXCHANGES.get(c.country or "", ())
        if c.parent is None and exchanges and rng.random() < 0.55:
            lines.append("tickers:")
            for exchange, numeric in rng.sample(exchanges, rng.randint(1, len(exchanges))):
                if numeric:
                    symbol = str(rng.randint(1000, 9999))
                else:
                    letters = re.sub(r"[^A-Z]", "", c.short.upper())
                    symbol = letters[: rng.randint(2, 4)]
                lines += [f"  - exchange: {_scalar(exchange)}", f"    symbol: {_scalar(symbol)}"]
        if c.parent:
            lines.append(f"parent: {c.parent}")
        if c.country:
            lines.append(f"country: {_scalar(c.country)}")
        if rng.random() < 0.8:
            lines.append(f"website: {c.website}")
        city = rng.choice([city for city in _CITIES if city[2] == c.country] or _CITIES)
        description = f"Company active in {c.sector.about}, headquartered in {city[0]}."
        lines.append(f"description: {_scalar(description)}")
        return "\n".join(lines) + "\n"

    # topics

    def make_topics(self) -> None:
        for topic_id, name, description, parent in TOPICS:
            lines = [f"name: {_scalar(name)}", f"description: {_scalar(description)}"]
            if parent:
                lines.append(f"parent: {parent}")
            self.files[f"topics/{topic_id}.yaml"] = "\n".join(lines) + "\n"

    # events

    def make_events(self, companies: list[_Company]) -> None:
        rng = self.rng
        order = list(range(len(companies)))
        rng.shuffle(order)
        # A few busy companies and a long tail, the same shape at every size: the busiest
        # has about five times the average share, whatever the number of companies.
        weights = [0.0] * len(companies)
        for rank, index in enumerate(order):
            weights[index] = 1 / (0.05 + rank / len(companies)) ** 0.8
        cum = list(accumulate(weights))
        span = (LAST_DAY - FIRST_DAY).days
        types = list(_TYPE_WEIGHTS)
        type_cum = list(accumulate(_TYPE_WEIGHTS.values()))
        precisions = (Precision.DAY, Precision.MONTH, Precision.QUARTER, Precision.YEAR)
        events: list[_Event] = []
        for index in range(self.n_events):
            company = rng.choices(companies, cum_weights=cum)[0]
            day = FIRST_DAY + dt.timedelta(days=rng.randrange(span + 1))
            date = _fuzzy(day, rng.choices(precisions, cum_weights=(75, 87, 94, 100))[0])
            events.append(
                _Event(
                    index,
                    company,
                    date,
                    self.status(date),
                    rng.choices(types, cum_weights=type_cum)[0],
                )
            )
        by_company: dict[str, list[_Event]] = {}
        for event in events:
            by_company.setdefault(event.company.id, []).append(event)
        taken: set[str] = set()
        for company in companies:
            own = sorted(by_company.get(company.id, ()), key=lambda e: (e.date.start, e.index))
            placed: list[_Event] = []
            for event in own:
                self.write_text(event, companies, placed)
                event.id = self.event_id(event, taken)
                placed.append(event)
        done: list[_Event] = []
        for event in events:  # in the order drawn, so related events are scattered
            related = []
            if done and rng.random() < 0.12:
                pool = by_company[event.company.id]
                for _ in range(rng.randint(1, 2)):
                    other = rng.choice(pool) if rng.random() < 0.7 else rng.choice(done)
                    if other is not event and other.id not in related:
                        related.append(other.id)
            self.files[f"events/{event.id}.yaml"] = self.event_yaml(event, companies, related)
            done.append(event)

    def status(self, date: FuzzyDate) -> str:
        roll = self.rng.random()
        if date.end < SYNTH_TODAY:
            return "occurred" if roll < 0.9 else "cancelled" if roll < 0.96 else "postponed"
        if date.start > SYNTH_TODAY:
            return "scheduled" if roll < 0.85 else "postponed" if roll < 0.95 else "cancelled"
        return "occurred" if roll < 0.5 else "scheduled"

    def event_id(self, event: _Event, taken: set[str]) -> str:
        title = event.text["title_de" if event.text["lang"] == "de" else "title"]
        slug = _slug(title)
        if not slug_fits_date(event.date, slug):  # pragma: no cover - titles start with a name
            slug = f"event-{slug}"
        base = f"{event.company.id}/{event.date.slug()}-{slug}"
        event_id, n = base, 2
        while event_id in taken:
            event_id, n = f"{base}-{n}", n + 1
        taken.add(event_id)
        return event_id

    def write_text(self, event: _Event, companies: list[_Company], placed: list[_Event]) -> None:
        """Title, summary and their translation, the title unlike the company's nearby events."""
        rng = self.rng
        near = self.near(event, placed)
        lang = "de" if rng.random() < 0.08 else "en"
        pick = 1 if lang == "de" else 0
        for attempt in range(_ATTEMPTS + 1):
            slots = _Slots(self.rng, event, companies)
            if (
                event.type == "earnings"
                and event.status in ("scheduled", "postponed")
                and rng.random() < 0.7
            ):
                template = _SCHEDULED_EARNINGS
            else:
                template = rng.choice(_TITLES[event.type])
            titles = [template[0].format_map(slots), template[1].format_map(slots)]
            if attempt == _ATTEMPTS:
                # A last resort, for very many events of very few companies: the company's
                # name and a number, at most 60 % alike any other title.
                titles = [f"{slots['co']} update {event.index + 1}"] * 2
                self.fallbacks += 1
            words = _title_words(titles[pick])
            if titles[pick] not in self.titles and all(
                _alike(words, other.words) < TITLE_MARGIN for other in near
            ):
                break
        self.titles.add(titles[pick])
        event.words = words
        event.text = {
            "title": titles[0][0].upper() + titles[0][1:],
            "title_de": titles[1][0].upper() + titles[1][1:],
            "lang": lang,
        }
        event.slots = slots

    def near(self, event: _Event, placed: list[_Event]) -> list[_Event]:
        """Placed events (sorted by start) whose dates come within NEAR_WINDOW days of ``event``."""
        earliest = event.date.start - dt.timedelta(days=NEAR_WINDOW + 366)
        first = bisect_left(placed, earliest, key=lambda e: e.date.start)
        limit = event.date.start - dt.timedelta(days=NEAR_WINDOW)
        return [other for other in placed[first:] if other.date.end >= limit]

    def summaries(self, event: _Event) -> tuple[list[str], list[str]]:
        """The summary's paragraphs in English and in German, saying the same."""
        rng = self.rng
        slots = event.slots
        chosen = [_LEADS[event.type], *rng.sample(_EXTRAS, rng.randint(1, 4))]
        if event.status in _STATUS_NOTES:
            chosen.append(_STATUS_NOTES[event.status])
        emphasis = rng.random() < 0.1
        split = len(chosen) > 3 and rng.random() < 0.3
        points = rng.random() < 0.06
        url = f"{event.company.website}/news/{event.date.slug()}-{event.index}"
        linked = rng.random() < 0.06
        result: list[list[str]] = []
        for pick in (0, 1):
            sentences = [template[pick].format_map(slots) for template in chosen]
            if emphasis:  # *emphasis* on the company's name
                sentences[0] = sentences[0].replace(slots["co"], f"*{slots['co']}*", 1)
            paragraphs = (
                [" ".join(sentences[:2]), " ".join(sentences[2:])]
                if split
                else [" ".join(sentences)]
            )
            if points:
                de = "_de" if pick else ""
                items = [f"Region: {slots['region' + de]}"]
                items.append(f"{'Bereich' if pick else 'Area'}: {slots['domain' + de]}")
                if "amount" in slots:
                    items.append(f"{'Betrag' if pick else 'Amount'}: {slots['amount' + de]}")
                paragraphs.append("Die wichtigsten Punkte:" if pick else "The main points:")
                paragraphs.append("\n".join(f"- {item}" for item in items))
            if linked:
                paragraphs.append(
                    f"Mehr in der [Mitteilung]({url}) des Unternehmens."
                    if pick
                    else f"More in the company's [announcement]({url})."
                )
            result.append(paragraphs)
        return result[0], result[1]

    def published(self, event: _Event) -> FuzzyDate:
        """When a source on ``event`` appeared: on or after a past event, before a future one."""
        rng = self.rng
        date = event.date
        if date.start > SYNTH_TODAY or date.end >= SYNTH_TODAY:
            day = SYNTH_TODAY - dt.timedelta(days=rng.randint(0, 150))
        else:
            last = min(date.end + dt.timedelta(days=20), SYNTH_TODAY)
            day = date.start + dt.timedelta(days=rng.randint(0, (last - date.start).days))
        return _fuzzy(day, Precision.DAY if rng.random() < 0.92 else Precision.MONTH)

    def sources(self, event: _Event, title_en: str, title_de: str) -> list[str]:
        rng = self.rng
        lines = ["sources:"]
        count = rng.choices((1, 2, 3), cum_weights=(55, 85, 100))[0]
        press = rng.random() < 0.25
        for n in range(count):
            self.source_serial += 1
            published = self.published(event)
            year, month = published.start.year, published.start.month
            if n == 0 and press:
                name, lang, title = event.company.name, "en", title_en
                url = f"{event.company.website}/press/{year}/{self.source_serial}"
            else:
                name, host, lang = rng.choice(_PUBLISHERS)
                if event.text["lang"] == "de" and rng.random() < 0.7:
                    name, host, lang = rng.choice(_PUBLISHERS[-3:])
                title = title_de if lang == "de" else title_en
                if n > 0:
                    title = (
                        f"[Bericht über {event.company.short}, {published.human('de')}]"
                        if lang == "de"
                        else f"[Report on {event.company.short}, {published.human('en')}]"
                    )
                url = f"https://{host}/{year}/{month:02d}/{_slug(title, 6)}-{self.source_serial}"
            lines.append(f"  - title: {_scalar(title)}")
            if rng.random() < 0.85:
                lines.append(f"    publisher: {_scalar(name)}")
            lines += [f"    published: {published.iso()}", f"    lang: {lang}", f"    url: {url}"]
        return lines

    def event_yaml(self, event: _Event, companies: list[_Company], related: list[str]) -> str:
        rng = self.rng
        text = event.text
        slots = event.slots
        lang = text["lang"]
        title_en = text["title"]
        title_de = text["title_de"]
        lines = [f"title: {_scalar(title_de if lang == 'de' else title_en)}"]
        lines.append(f"date: {event.date.iso()}")
        if rng.random() < 0.15:
            if event.date.precision is Precision.DAY:
                note = rng.choice(_DATE_NOTES_DAY)
            elif event.date.precision is Precision.MONTH:
                month = _MONTHS_EN[event.date.start.month - 1]
                note = rng.choice(_DATE_NOTES_MONTH).format(month=month)
            else:
                note = f"the source gives only the {event.date.precision.value}"
            lines.append(f"date_note: {_scalar(note)}")
        lines += [f"status: {event.status}", f"type: {event.type}", "companies:"]
        members = [event.company.id]
        if "partner_id" in slots and slots["partner_id"] not in members and rng.random() < 0.3:
            members.append(slots["partner_id"])
        if event.company.parent and event.company.parent not in members and rng.random() < 0.4:
            members.append(event.company.parent)
        if rng.random() < 0.08:
            extra = rng.choice(companies).id
            if extra not in members:
                members.append(extra)
        lines += [f"  - {m}" for m in members[:3]]
        topics: list[str] = []
        candidates = list(_TYPE_TOPICS.get(event.type, ())) + list(event.company.sector.topics)
        for _ in range(rng.randint(1, 4)):
            topic = rng.choice(candidates) if rng.random() < 0.85 else rng.choice(TOPICS)[0]
            if topic not in topics:
                topics.append(topic)
        lines += ["topics:", *(f"  - {t}" for t in topics), f"lang: {lang}"]
        summaries = self.summaries(event)
        own, other = summaries if lang == "en" else summaries[::-1]
        lines.append("summary: " + _block(own, "  ").rstrip("\n"))
        if event.type in _AMOUNT_SCALE and ("amount" in slots or rng.random() < 0.15):
            lines += [
                "amounts:",
                f"  - value: {slots['amount_value']}",
                f"    currency: {slots['currency']}",
            ]
            if rng.random() < 0.3:
                lines.append(
                    f"    note: {_scalar(rng.choice(('about', 'as reported', 'in total')))}"
                )
        if rng.random() < 0.35:
            places = [slots["place"]]
            if rng.random() < 0.2:
                city = rng.choice(_CITIES)
                place = f"{city[0]}, {city[3].removeprefix('the ')}"
                if place not in places:
                    places.append(place)
            lines += ["places:", *(f"  - {_scalar(p)}" for p in places)]
        lines += self.sources(event, title_en, title_de)
        if related:
            lines += ["related:", *(f"  - {r}" for r in related)]
        other_lang = "en" if lang == "de" else "de"
        if rng.random() < (0.7 if lang == "de" else 0.2):
            lines += ["translations:", f"  {other_lang}:"]
            lines.append(f"    title: {_scalar(title_en if other_lang == 'en' else title_de)}")
            if rng.random() < 0.8:
                lines.append("    summary: " + _block(other, "      ").rstrip("\n"))
        return "\n".join(lines) + "\n"


def synthesize(events: int, seed: int, *, companies: int | None = None) -> dict[str, str]:
    """A synthetic knowledge base: relative paths under the content folder → YAML text.

    ``companies`` defaults to max(20, events // 40). Valid, with no warning, when
    today is SYNTH_TODAY; the same arguments always give the same texts.
    """
    synth = _Synth(events, seed, companies)
    company_list = synth.make_companies()
    synth.make_topics()
    synth.make_events(company_list)
    return dict(sorted(synth.files.items()))


def count(files: dict[str, str]) -> SynthCounts:
    """How many records of each kind ``files`` (from :func:`synthesize`) holds."""
    kinds = {"companies": 0, "topics": 0, "events": 0}
    for path in files:
        kinds[path.split("/", 1)[0]] += 1
    return SynthCounts(kinds["companies"], kinds["topics"], kinds["events"])


def write_synthetic(
    out: Path, events: int, seed: int, *, companies: int | None = None
) -> SynthCounts:
    """Write a synthetic knowledge base into the content folder ``out``, new or empty."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} is not an empty folder; choose a new one")
    files = synthesize(events, seed, companies=companies)
    folders = {path.rsplit("/", 1)[0] for path in files} | {"companies", "topics", "events"}
    for folder in sorted(folders):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        with open(out / path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    return count(files)


__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "SYNTH_EPOCH",
    "SYNTH_TODAY",
    "TOPICS",
    "SynthCounts",
    "count",
    "synthesize",
    "write_synthetic",
]
