"""Settings, read once from mkdocs.yml, the command line and the environment."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .scope import Scope


class ConfigError(Exception):
    """mkdocs.yml cannot be used; the message says why."""


@dataclass(frozen=True)
class Settings:
    #: mkdocs.yml; the folder it lives in is the project's root
    mkdocs_file: Path
    #: the records
    content: Path
    #: generated Markdown, the folder MkDocs reads (docs_dir)
    docs_dir: Path
    #: the built site
    site_dir: Path
    site_name: str
    #: the public address of the site; feeds, calendars and the API make absolute links with it
    site_url: str
    #: base address for "edit this record" links, e.g. https://github.com/o/r/edit/main/
    edit_base: str | None
    #: the date builds treat as today: SOURCE_DATE_EPOCH when set, for reproducible builds
    today: dt.date
    #: build only what concerns one company or topic (``kb build --company/--topic``)
    scope: Scope | None = None
    #: MkDocs's use_directory_urls: pages written as HTML link to the addresses it gives
    directory_urls: bool = True

    def edit_url(self, repo_path: str) -> str | None:
        return f"{self.edit_base}{repo_path}" if self.edit_base else None


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml while ignoring the !!python/name and !ENV tags MkDocs allows."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def today() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def _check_site_url(url: str, what: str) -> None:
    """Feeds, calendars and links need the site's address as a web address, or none."""
    if url.strip() and urlsplit(url.strip()).scheme not in ("http", "https"):
        raise ConfigError(f"{what} must start with http:// or https://; got {url!r}")


def load_settings(
    mkdocs_file: Path = Path("mkdocs.yml"),
    content: Path | None = None,
    site_dir: Path | None = None,
    docs_dir: Path | None = None,
    site_url: str | None = None,
    scope: Scope | None = None,
) -> Settings:
    try:
        raw = yaml.load(mkdocs_file.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except OSError as exc:
        raise ConfigError(
            f"{mkdocs_file}: cannot read the site configuration: {exc.strerror}"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}:{mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{mkdocs_file}:{where}invalid YAML: {problem}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{mkdocs_file}: expected a mapping of settings at the top level")
    extra = raw.get("extra") or {}
    kb_extra = extra.get("kb") if isinstance(extra, dict) else None
    if not isinstance(extra, dict) or not isinstance(kb_extra or {}, dict):
        raise ConfigError(f"{mkdocs_file}: 'extra' and 'extra.kb' must be mappings")
    kb_extra = kb_extra or {}
    root = mkdocs_file.parent
    # A scoped site gets folders of its own, so it never replaces the full site.
    suffix = f"-{scope.label}" if scope else ""
    name = str(raw.get("site_name", "Company events"))
    repo_url = str(raw.get("repo_url") or "").rstrip("/")
    edit_uri = str(kb_extra.get("edit_uri", "edit/main/"))
    if site_url is not None:
        _check_site_url(site_url, "--site-url")
    _check_site_url(str(raw.get("site_url") or ""), f"{mkdocs_file}: site_url")
    return Settings(
        mkdocs_file=mkdocs_file,
        content=content or root / "content",
        docs_dir=docs_dir or root / (str(raw.get("docs_dir", "docs")) + suffix),
        site_dir=site_dir or root / (str(raw.get("site_dir", "site")) + suffix),
        site_name=f"{name}: {scope.id}" if scope else name,
        # A scoped site is published elsewhere than the full one: links stay relative
        # unless its own address is given.
        site_url=site_url or ("" if scope else str(raw.get("site_url") or "")),
        edit_base=f"{repo_url}/{edit_uri.strip('/')}/" if repo_url else None,
        today=today(),
        scope=scope,
        directory_urls=bool(raw.get("use_directory_urls", True)),
    )
