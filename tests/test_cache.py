"""The record cache: a run that reuses it reports exactly what a run without it reports.

Every test runs the real ``kb`` command with its own ``XDG_CACHE_HOME``
(``tmp_path/xdg``), so the cache of ``tmp_path/content`` and its signing key are
in ``tmp_path/xdg/company-events-kb/``, never in the user's cache folder.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import MKDOCS_YML, kb_build, kb_env, run_kb, snapshot, write_kb

from generator import cache

# --- a knowledge base with every kind of problem -------------------------------------------------

RESULTS = "acme/2026-03-02-results"
DEAL = "acme/2026-03-05-deal"
OUTLOOK = "acme/2026-03-06-outlook"
BROKEN = "acme/2026-03-07-broken"
SHAPE = "acme/2026-03-08-shape"
EMPTY = "acme/2026-03-09-empty"
REPEAT = "acme/2026-03-10-repeat"
#: misnamed for its date, with a company twice, its own language as a translation and
#: the placeholder summary: what the rules that look at one event alone find
MISFIT = "acme/2026-03-11-misfit"


def event(
    title: str,
    date: str,
    *,
    status: str = "occurred",
    summary: str = "Acme did well.",
    url: str = "https://example.com/results",
    extra: str = "",
) -> str:
    return (
        textwrap.dedent(f"""\
        title: {title}
        date: {date}
        status: {status}
        type: earnings
        companies: [acme]
        topics: [cloud]
        lang: en
        summary: {summary}
        sources:
          - title: Acme news
            published: {date}
            lang: en
            url: {url}
        """)
        + extra
    )


VALID = {
    "companies": {"acme": "name: Acme Corp\n"},
    "topics": {"cloud": "name: Cloud\n"},
    "events": {
        RESULTS: event("Acme reports results", "2026-03-02", extra=f"related: [{DEAL}]\n"),
        DEAL: event("Acme signs a cloud deal", "2026-03-05", url="https://example.com/deal"),
    },
}

BROKEN_FILES = {
    "companies": {"beta": "name: Beta\nparent: gamma\n"},  # unknown parent
    "events": {
        OUTLOOK: event(
            "Acme gives an outlook",
            "2026-03-06",
            status="scheduled",  # already past on 2026-03-12
            summary="Acme <b>expects</b> growth.",
            url="https://example.com/outlook",
        ),
        BROKEN: "title: [unclosed\n",
        SHAPE: event("Acme hires", "2026-03-08", url="https://example.com/hire").replace(
            "lang: en\nsummary", "lang: en\ncolour: red\nsummary"
        )
        + "date_note: 12:30\n",
        EMPTY: "",
        # the same source as RESULTS
        REPEAT: event("Acme repeats itself", "2026-03-10"),
        MISFIT: event(
            "Acme misfits",
            "2026-03-04",
            summary="'TODO: what happened'",
            url="https://example.com/misfit",
            extra="translations:\n  en:\n    title: Acme misfits\n",
        ).replace("companies: [acme]", "companies: [acme, acme]"),
    },
}


def write(root: Path, *groups: dict[str, dict[str, str]], stray: bool = False) -> Path:
    merged: dict[str, dict[str, str]] = {"companies": {}, "topics": {}, "events": {}}
    for group in groups:
        for folder, records in group.items():
            merged[folder].update(records)
    content = write_kb(root, **merged)
    if stray:
        (content / "notes.txt").write_text("not a record\n", encoding="utf-8")
    return content


def validate(root: Path, *args: str | Path, cwd: Path | None = None, content: str | Path = ""):
    """``kb validate`` of ``root/content`` (or ``content`` as given), run from ``cwd``."""
    return run_kb(
        "validate",
        "-f",
        MKDOCS_YML,
        "--content",
        content or root / "content",
        *args,
        cwd=cwd or root,
        XDG_CACHE_HOME=str(root / "xdg"),
    )


def outcome(result: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    return result.returncode, result.stdout, result.stderr


def cache_files(root: Path) -> list[Path]:
    return sorted((root / "xdg" / "company-events-kb").glob("*.pickle"))


def cache_file(root: Path) -> Path:
    """The cache of root/content, the only content folder a test's cache folder knows."""
    [path] = cache_files(root)
    return path


def stamp(path: Path) -> tuple[int, int]:
    """Changes whenever the file is written again (a new file is renamed over it)."""
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


# --- warm runs report exactly what cold runs report ----------------------------------------------


@pytest.mark.parametrize("fmt", ["standard", "json", "github"])
def test_a_warm_run_reports_byte_for_byte_what_a_cold_run_reports(tmp_path, fmt):
    write(tmp_path, VALID, BROKEN_FILES, stray=True)
    fresh = validate(tmp_path, "--format", fmt, "--no-cache")
    assert cache_files(tmp_path) == []
    cold = validate(tmp_path, "--format", fmt)
    written = stamp(cache_file(tmp_path))
    warm = validate(tmp_path, "--format", fmt)
    assert stamp(cache_file(tmp_path)) == written  # every file was found in the cache
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "xdg"]
    assert outcome(cold) == outcome(warm) == outcome(fresh)
    assert fresh.returncode == 1
    if fmt == "json":
        rules = {d["rule"] for d in json.loads(fresh.stdout)}
        assert rules == {
            "yaml",
            "schema",
            "layout",
            "unknown-company",
            "summary",
            "stale-schedule",
            "duplicate-source",
            "file-name",
            "duplicate-id",
            "translation",
            "placeholder",
        }
    elif fmt == "standard":
        assert f"content/events/{BROKEN}.yaml:2:1: error: invalid YAML:" in fresh.stderr
        assert (
            f"content/events/{SHAPE}.yaml:8:1: error: unknown field 'colour'; "
            "expected one of: title," in fresh.stderr
        )
        assert (
            f"content/events/{SHAPE}.yaml:15:12: error: date_note: YAML reads a bare 12:30"
            in fresh.stderr
        )
        assert (
            f"content/events/{EMPTY}.yaml:1:1: error: empty file; expected an event record"
            in fresh.stderr
        )


def test_an_edited_file_is_checked_again_even_with_its_old_size_and_time(tmp_path):
    content = write(tmp_path, VALID)
    assert outcome(validate(tmp_path))[0] == 0
    path = content / "events" / f"{DEAL}.yaml"
    original, info = path.read_bytes(), path.stat()
    edited = original.replace(b"lang: en\nsummary", b"lang: EN\nsummary")
    assert len(edited) == len(original) and edited != original
    path.write_bytes(edited)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    result = validate(tmp_path)
    assert result.returncode == 1
    assert (
        f"content/events/{DEAL}.yaml:7:7: error: lang: expected a lowercase ISO 639 language code "
        "like en or de; got 'EN'" in result.stderr
    )
    assert outcome(result) == outcome(validate(tmp_path, "--no-cache"))
    path.write_bytes(original)
    assert outcome(validate(tmp_path)) == (0, "", "")


def test_a_session_reads_again_only_records_touched_since_and_sees_a_same_size_edit(
    tmp_path, monkeypatch
):
    """kb serve keeps the bytes of the records it read: an untouched record is not read
    again, and one edited in place with its old size and time is (its change time moved)."""
    import datetime as dt

    from generator import cache, pipeline

    content = write(tmp_path, VALID)
    read: list[str] = []
    real = cache.read_file

    def counting(path: str | Path) -> tuple[bytes, float]:
        if content in Path(path).parents:
            read.append(Path(path).relative_to(content).as_posix())
        return real(path)

    monkeypatch.setattr(cache, "read_file", counting)
    session = pipeline.Session()
    today = dt.date(2026, 4, 1)
    first = pipeline.check(content, today, cache=True, session=session)
    assert first.ok
    assert len(read) == 4
    read.clear()
    second = pipeline.check(content, today, cache=True, session=session)
    assert second.ok
    assert read == []
    # and the record files made of them last time serve again, as they are
    sources = {e.source.relative: e.source for e in second.checked["event"].values()}
    assert all(sources[e.source.relative] is e.source for e in first.checked["event"].values())

    path = content / "events" / f"{DEAL}.yaml"
    original, info = path.read_bytes(), path.stat()
    edited = original.replace(b"lang: en\nsummary", b"lang: EN\nsummary")
    assert len(edited) == len(original) and edited != original
    with open(path, "r+b") as handle:  # the same inode, as an editor writing in place
        handle.write(edited)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    read.clear()
    result = pipeline.check(content, today, cache=True, session=session)
    assert read == [f"events/{DEAL}.yaml"]
    assert [(d.line, d.column, d.message) for d in result.diagnostics] == [
        (7, 7, "lang: expected a lowercase ISO 639 language code like en or de; got 'EN'")
    ]


def _listed(result) -> list[tuple[str, int, int, str]]:
    return [(d.path, d.line, d.column, d.message) for d in result.diagnostics]


#: changes to the content folder's entries that kb serve's listing of it must see
FOLDER_CHANGES = {
    "added": lambda c: (c / "events" / "acme" / "2026-03-20-more.yaml").write_text(
        event("Acme does more", "2026-03-20", url="https://example.com/more"), "utf-8"
    ),
    "removed": lambda c: (c / "events" / f"{DEAL}.yaml").unlink(),
    "renamed": lambda c: (c / "events" / f"{DEAL}.yaml").rename(
        c / "events" / "acme" / "2026-03-05-big-deal.yaml"
    ),
    "new folder": lambda c: (
        (c / "events" / "beta").mkdir()
        or (c / "events" / "beta" / "2026-03-21-start.yaml").write_text(
            event("Beta starts", "2026-03-21", url="https://example.com/start"), "utf-8"
        )
    ),
    "replaced by a link": lambda c: (
        (c / "events" / f"{DEAL}.yaml").unlink()
        or (c / "events" / f"{DEAL}.yaml").symlink_to(c / "events" / f"{RESULTS}.yaml")
    ),
    "stray file": lambda c: (c / "events" / "acme" / "notes.txt").write_text("x\n", "utf-8"),
}


@pytest.mark.parametrize("change", sorted(FOLDER_CHANGES))
def test_a_session_lists_the_content_folder_again_only_when_an_entry_came_or_went(
    tmp_path, monkeypatch, change
):
    """kb serve lists the content folder once and keeps the listing while none of its
    folders changed: files added, removed, renamed, put in a new folder or replaced by a
    link are seen, as a run without the session sees them; so is the working directory."""
    import datetime as dt

    from generator import pipeline

    content = write(tmp_path, VALID)
    today = dt.date(2026, 4, 1)
    session = pipeline.Session()
    assert pipeline.check(content, today, cache=True, session=session).ok
    listing = session.records.listing
    assert pipeline.check(content, today, cache=True, session=session).ok
    assert session.records.listing is listing  # nothing came or went: listed once
    FOLDER_CHANGES[change](content)
    again = pipeline.check(content, today, cache=True, session=session)
    assert session.records.listing is not listing
    alone = pipeline.check(content, today)
    assert _listed(again) == _listed(alone)
    assert {kind: sorted(ids) for kind, ids in again.checked.items()} == {
        kind: sorted(ids) for kind, ids in alone.checked.items()
    }
    for inside in ("events", "companies"):  # shown from the new working directory
        monkeypatch.chdir(content / inside)
        moved = pipeline.check(content, today, cache=True, session=session)
        assert _listed(moved) == _listed(pipeline.check(content, today))


def test_a_session_checks_an_untouched_event_again_against_records_gone_or_a_new_day(tmp_path):
    """kb serve keeps what the rules found in each company's events while those events
    are untouched; yet an untouched event that names a record since deleted, or whose
    status the day has overtaken, is reported as a run without the session reports it."""
    import datetime as dt

    from generator import pipeline

    launch = "beta/2026-03-20-launch"
    content = write(
        tmp_path,
        {
            "companies": {"acme": "name: Acme Corp\n", "beta": "name: Beta\n"},
            "topics": {"cloud": "name: Cloud\n"},
            "events": {
                DEAL: event("Acme signs a deal with Beta", "2026-03-05").replace(
                    "companies: [acme]", "companies: [acme, beta]"
                )
                + f"related: [{launch}]\n",
                launch: event(
                    "Beta launches", "2026-03-20", status="scheduled", url="https://b.example/l"
                ).replace("companies: [acme]", "companies: [beta]"),
            },
        },
    )
    session = pipeline.Session()
    today = dt.date(2026, 3, 12)
    assert _listed(pipeline.check(content, today, cache=True, session=session)) == []
    later = dt.date(2026, 4, 1)  # the launch's day has passed, and it is still scheduled
    assert (
        _listed(pipeline.check(content, later, cache=True, session=session))
        == _listed(pipeline.check(content, later))
        != []
    )
    (content / "events" / f"{launch}.yaml").unlink()
    gone = pipeline.check(content, today, cache=True, session=session)
    assert _listed(gone) == _listed(pipeline.check(content, today))
    assert [d.rule for d in gone.diagnostics] == ["unknown-event"]
    (content / "companies" / "beta.yaml").unlink()
    gone = pipeline.check(content, today, cache=True, session=session)
    assert _listed(gone) == _listed(pipeline.check(content, today))
    assert sorted(d.rule for d in gone.diagnostics) == ["unknown-company", "unknown-event"]


@pytest.mark.parametrize(
    ("module", "old", "new", "records"),
    [
        pytest.param(
            "schema.py",
            '"must be a single line"',
            '"must be one line"',
            {"companies": {"acme": 'name: "Acme\\nCorp"\n'}},
            id="shape-check",
        ),
        pytest.param(
            "yamlnodes.py",
            '"keep only one"',
            '"keep just one"',
            {"companies": {"acme": "name: Acme\nname: Acme Corp\n"}},
            id="yaml-problem",
        ),
        pytest.param(
            "markup.py",
            "is not allowed in a summary; use Markdown",
            "is not allowed in a summary; write Markdown",
            {"events": {DEAL: event("Acme deal", "2026-03-05", summary="A <b>deal</b>.")}},
            id="summary-check",
        ),
    ],
)
def test_changed_code_invalidates_the_cache(tmp_path, module, old, new, records):
    code = tmp_path / "code"
    shutil.copytree(
        Path(cache.__file__).parent,
        code / "generator",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    write(tmp_path, VALID, records)

    def run() -> str:
        return run_kb(
            "validate",
            "-f",
            MKDOCS_YML,
            "--content",
            tmp_path / "content",
            cwd=tmp_path,
            XDG_CACHE_HOME=str(tmp_path / "xdg"),
            PYTHONPATH=str(code),
        ).stderr

    message = old.strip('"')
    assert message in run()
    written = stamp(cache_file(tmp_path))
    source = code / "generator" / module
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1
    source.write_text(text.replace(old, new), encoding="utf-8")
    after = run()
    assert new.strip('"') in after and message not in after
    assert stamp(cache_file(tmp_path)) != written


# --- a damaged, foreign or forged cache file is never trusted ----------------------------------


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _replace_with_folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _replace_with_pipe(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _sign_with_another_key(path: Path) -> None:
    """The same cache, as another user's kb wrote it."""
    root = path.parents[2]
    other = root / "other-user" / "company-events-kb"
    run_kb(
        "validate",
        "-f",
        MKDOCS_YML,
        "--content",
        root / "content",
        cwd=root,
        XDG_CACHE_HOME=str(other.parent),
    )
    [theirs] = other.glob("*.pickle")
    assert theirs.name == path.name
    assert (other / "cache-key").read_bytes() != (path.parent / "cache-key").read_bytes()
    shutil.copyfile(theirs, path)


DAMAGE = {
    "truncated": _truncate,
    "one-byte-changed": _flip_a_byte,
    "empty": lambda path: path.write_bytes(b""),
    "not-a-cache": lambda path: path.write_bytes(b"\x80\x05garbage" * 100),
    "a-folder": _replace_with_folder,
    "a-named-pipe": _replace_with_pipe,
    "signed-by-another-user": _sign_with_another_key,
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_or_foreign_cache_file_is_ignored_and_rebuilt(tmp_path, damage):
    write(tmp_path, VALID, BROKEN_FILES, stray=True)
    expected = outcome(validate(tmp_path, "--no-cache"))
    assert outcome(validate(tmp_path)) == expected
    path = cache_file(tmp_path)
    damage(path)
    assert outcome(validate(tmp_path)) == expected
    if path.is_file():  # rebuilt: the next run takes everything from it
        rebuilt = stamp(path)
        assert outcome(validate(tmp_path)) == expected
        assert stamp(path) == rebuilt
    assert sorted(p.name for p in path.parent.iterdir()) == ["cache-key", path.name]


def _signature_end() -> int:
    return len(cache.MAGIC) + 32


def _fingerprint_and_payload(path: Path) -> tuple[bytes, bytes]:
    """The code fingerprint and the pickled entries of a cache file kb wrote."""
    body = path.read_bytes()[_signature_end() :]
    return body[:32], body[32:]


def _signed(key: bytes, fingerprint: bytes, payload: bytes) -> bytes:
    """A cache file laid out as kb writes one, signed with ``key``."""
    body = fingerprint + payload
    return cache.MAGIC + hmac.digest(key, body, "sha256") + body


def _user_key(root: Path) -> bytes:
    return (root / "xdg" / "company-events-kb" / "cache-key").read_bytes()


def test_a_forged_cache_cannot_vouch_for_a_broken_record(tmp_path):
    """A cache file that comes with the content (say, in a pull request) claims that a broken
    record is valid. Signed with any key but this user's own, it is not believed."""
    content = write(tmp_path, VALID)
    assert validate(tmp_path).returncode == 0
    fingerprint, payload = _fingerprint_and_payload(cache_file(tmp_path))
    entries = pickle.loads(payload)
    path = content / "events" / f"{DEAL}.yaml"
    path.write_bytes(path.read_bytes().replace(b"lang: en\nsummary", b"lang: EN\nsummary"))
    # the broken bytes, with the shape check of the valid ones
    relative = f"events/{DEAL}.yaml"
    entries[relative] = (hashlib.sha256(path.read_bytes()).digest(), *entries[relative][1:])
    forged = pickle.dumps(entries)

    cache_file(tmp_path).write_bytes(_signed(os.urandom(32), fingerprint, forged))
    result = validate(tmp_path)
    assert result.returncode == 1
    assert outcome(result) == outcome(validate(tmp_path, "--no-cache"))
    # The forgery itself works: signed with the user's key, the record would pass.
    cache_file(tmp_path).write_bytes(_signed(_user_key(tmp_path), fingerprint, forged))
    assert outcome(validate(tmp_path)) == (0, "", "")


class _RunsCode:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


def test_a_foreign_cache_file_never_runs_code(tmp_path):
    write(tmp_path, VALID)
    assert validate(tmp_path).returncode == 0
    fingerprint, _ = _fingerprint_and_payload(cache_file(tmp_path))
    marker = tmp_path / "code-ran"
    payload = pickle.dumps(_RunsCode(marker))
    cache_file(tmp_path).write_bytes(_signed(os.urandom(32), fingerprint, payload))
    assert outcome(validate(tmp_path)) == (0, "", "")
    assert not marker.exists()
    # Only the signature stands in the way: signed with the user's key, it would run.
    cache_file(tmp_path).write_bytes(_signed(_user_key(tmp_path), fingerprint, payload))
    assert outcome(validate(tmp_path)) == (0, "", "")
    assert marker.is_dir()


def test_the_signing_key_is_private(tmp_path):
    write(tmp_path, VALID)
    validate(tmp_path)
    key = tmp_path / "xdg" / "company-events-kb" / "cache-key"
    assert key.stat().st_mode & 0o077 == 0
    assert len(_user_key(tmp_path)) == 32


# --- --no-cache ------------------------------------------------------------------------------

AUDIT = """\
import sys

log = open(sys.argv.pop(1), "w", encoding="utf-8")


def hook(event, args):
    if event in ("open", "os.mkdir", "os.rename", "os.remove", "os.scandir", "os.listdir"):
        log.write(f"{event} {args[0]}\\n")
        log.flush()
    elif event == "os.fork":
        log.write("os.fork\\n")
        log.flush()


sys.addaudithook(hook)
sys.argv[0] = "kb"
from generator.cli import main

main()
"""


def audited_validate(root: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """``kb validate`` of root/content, and every file and folder it opens, creates, renames
    or lists, and every process it forks."""
    script, log = root / "audit.py", root / "audit.log"
    script.write_text(AUDIT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, script, log, "validate", "-f", MKDOCS_YML, "--content", "content", *args],
        cwd=root,
        env=kb_env(XDG_CACHE_HOME=str(root / "xdg")),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result, log.read_text(encoding="utf-8").splitlines()


def test_no_cache_neither_reads_nor_writes_the_cache(tmp_path):
    write(tmp_path, VALID, BROKEN_FILES, stray=True)
    _, fresh = audited_validate(tmp_path, "--no-cache")
    assert not (tmp_path / "xdg").exists()
    assert not [line for line in fresh if "xdg" in line]
    _, cached = audited_validate(tmp_path)
    assert any(line.startswith(f"open {cache_file(tmp_path)}") for line in cached)
    assert any("company-events-kb/cache-key" in line for line in cached)
    written = stamp(cache_file(tmp_path))
    _, again = audited_validate(tmp_path, "--no-cache")
    assert not [line for line in again if "xdg" in line]
    assert stamp(cache_file(tmp_path)) == written


def test_only_the_most_recently_written_caches_are_kept(tmp_path):
    for index in range(cache.KEEP + 2):
        root = tmp_path / f"kb-{index}"
        write(root, VALID).rename(root / f"records-{index}")
        result = run_kb(
            "validate",
            "-f",
            MKDOCS_YML,
            "--content",
            root / f"records-{index}",
            cwd=tmp_path,
            XDG_CACHE_HOME=str(tmp_path / "xdg"),
        )
        assert outcome(result) == (0, "", "")
    kept = {path.name.rsplit("-", 1)[0] for path in cache_files(tmp_path)}
    assert kept == {f"records-{index}" for index in range(2, cache.KEEP + 2)}


# --- many new files: half are checked by a second process ---------------------------------------


def test_many_new_files_are_checked_in_two_processes_with_the_same_results(tmp_path):
    synth = run_kb("synth", tmp_path / "content", "-n", str(cache.SHARE_FROM), cwd=tmp_path)
    assert synth.returncode == 0, synth.stderr
    write(tmp_path, VALID, BROKEN_FILES, stray=True)
    fresh, fresh_log = audited_validate(tmp_path, "--no-cache")
    cold, cold_log = audited_validate(tmp_path)
    warm, warm_log = audited_validate(tmp_path)
    assert outcome(cold) == outcome(warm) == outcome(fresh)
    assert fresh.returncode == 1 and "error: invalid YAML" in fresh.stderr
    forks = ["os.fork" in log for log in (fresh_log, cold_log, warm_log)]
    two_cpus = len(os.sched_getaffinity(0)) > 1
    assert forks == [False, two_cpus, False]  # only new files are shared


# --- deleted records ---------------------------------------------------------------------------


def test_a_deleted_record_disappears(tmp_path):
    content = write(tmp_path, VALID)
    assert outcome(validate(tmp_path)) == (0, "", "")
    (content / "events" / f"{DEAL}.yaml").unlink()
    result = validate(tmp_path)
    assert outcome(result) == outcome(validate(tmp_path, "--no-cache"))
    assert result.stderr.splitlines() == [
        f"content/events/{RESULTS}.yaml:14:11: error: related: unknown event '{DEAL}'; "
        f"did you mean '{RESULTS}'?",
        "1 error, 0 warnings in 1 file",
    ]


def test_the_cache_keeps_only_the_files_of_the_last_run(tmp_path):
    summary = "Acme did well, and then some."
    deal = event("Acme signs a deal", "2026-03-05", summary=summary, url="https://a.test/d")
    content = write(
        tmp_path, VALID, {"companies": {"beta": "name: Beta\n"}, "events": {DEAL: deal}}
    )
    gone = [content / "events" / f"{DEAL}.yaml", content / "companies" / "beta.yaml"]
    traces = [f"events/{DEAL}.yaml".encode(), b"companies/beta.yaml"]  # the keys
    traces += [hashlib.sha256(path.read_bytes()).digest() for path in gone]  # their bytes
    assert validate(tmp_path).returncode == 0
    data = cache_file(tmp_path).read_bytes()
    assert [trace for trace in traces if trace in data] == traces
    for path in gone:
        path.unlink()
    assert validate(tmp_path).returncode == 1  # RESULTS relates to the deleted event
    data = cache_file(tmp_path).read_bytes()
    assert [trace for trace in traces if trace in data] == []
    assert f"events/{RESULTS}.yaml".encode() in data


def test_kb_build_with_the_cache_writes_what_a_build_without_it_writes(tmp_path):
    content = write(tmp_path, VALID)

    def build(docs: str, *extra: str) -> None:
        result = kb_build(
            content,
            tmp_path / docs,
            tmp_path / f"site-{docs}",
            *extra,
            cwd=tmp_path,
            XDG_CACHE_HOME=str(tmp_path / "xdg"),
        )
        assert result.returncode == 0, result.stderr

    build("docs")
    assert any(DEAL in name for name in snapshot(tmp_path / "docs"))
    related = content / "events" / f"{RESULTS}.yaml"
    related.write_text(related.read_text(encoding="utf-8").replace(f"related: [{DEAL}]\n", ""))
    (content / "events" / f"{DEAL}.yaml").unlink()
    build("docs")
    build("fresh", "--no-cache")
    pages = snapshot(tmp_path / "docs")
    assert pages == snapshot(tmp_path / "fresh")
    assert not any(DEAL in name for name in pages)


# --- paths as seen from the working directory --------------------------------------------------


@pytest.mark.parametrize(
    ("where", "content", "shown"),
    [
        pytest.param(".", "content", "content/events/", id="beside-the-content"),
        pytest.param("content/events", "..", "", id="inside-the-content"),
        pytest.param("elsewhere", "../content", "../content/events/", id="elsewhere"),
        pytest.param("elsewhere", "", "{root}/content/events/", id="absolute"),
        pytest.param("/", "", "{below_root}/content/events/", id="from-the-root"),
    ],
)
def test_paths_are_shown_from_the_working_directory(tmp_path, where, content, shown):
    write(tmp_path, VALID, BROKEN_FILES, stray=True)
    cwd = tmp_path / where
    cwd.mkdir(exist_ok=True)
    validate(tmp_path)  # from tmp_path: fills the cache
    written = stamp(cache_file(tmp_path))
    result = validate(tmp_path, cwd=cwd, content=content or tmp_path / "content")
    assert stamp(cache_file(tmp_path)) == written  # every file came from the cache
    assert outcome(result) == outcome(
        validate(tmp_path, "--no-cache", cwd=cwd, content=content or tmp_path / "content")
    )
    prefix = shown.format(root=tmp_path.as_posix(), below_root=tmp_path.as_posix()[1:])
    assert f"{prefix}{SHAPE}.yaml:8:1: error: unknown field 'colour'" in result.stderr
    assert f"{prefix}{REPEAT}.yaml:13:10: error: sources[0].url: the same source" in result.stderr
    assert f"{prefix}{BROKEN}.yaml:2:1: error: invalid YAML" in result.stderr


def test_a_session_compares_an_edited_event_by_its_new_source_and_title(tmp_path):
    """kb serve keeps what the duplicate rules compare of each event (its sources' addresses,
    its title's words) from one run to the next: an event edited to cite another's source,
    or to take a title like another's three days away, is compared by what it now says."""
    import datetime as dt

    from generator import pipeline

    content = write(tmp_path, VALID)
    session = pipeline.Session()
    today = dt.date(2026, 4, 1)
    assert pipeline.check(content, today, cache=True, session=session).diagnostics == []
    path = content / "events" / f"{DEAL}.yaml"
    original = path.read_text("utf-8")
    path.write_text(original.replace("https://example.com/deal", "https://EXAMPLE.com/results/"))
    found = pipeline.check(content, today, cache=True, session=session).diagnostics
    assert sorted((d.rule, Path(d.path).stem) for d in found) == [
        ("duplicate-source", "2026-03-02-results"),
        ("duplicate-source", "2026-03-05-deal"),
    ]
    path.write_text(original.replace("Acme signs a cloud deal", "Acme reports results"))
    found = pipeline.check(content, today, cache=True, session=session).diagnostics
    assert sorted((d.rule, Path(d.path).stem) for d in found) == [
        ("near-duplicate", "2026-03-02-results"),
        ("near-duplicate", "2026-03-05-deal"),
    ]
    path.write_text(original)
    assert pipeline.check(content, today, cache=True, session=session).diagnostics == []
