"""Builds are all or nothing, repeatable, and leave no trace of a deleted record.

- a build killed while MkDocs writes leaves the previous site exactly as it was;
- a build with a validation error writes neither the generated docs nor the site;
- a deleted record disappears from every page, feed, calendar, data file and the search index;
- two builds with the same SOURCE_DATE_EPOCH are byte-identical;
- syncing the generated docs folder rewrites only what changed.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import MKDOCS_YML, kb_env, run_kb, snapshot, write_kb

from generator.write import WriteError, WriteReport, sync_folder

COMPANIES = {"acme": "name: Acme Corp\n", "globex": "name: Globex\n"}
TOPICS = {"cloud": "name: Cloud\n", "energy": "name: Energy\n"}


def _event(day: dt.date, title: str, number: int, company: str = "acme") -> str:
    return f"""\
title: {title}
date: {day.isoformat()}
status: occurred
type: other
companies: [{company}]
topics: [cloud, energy]
lang: en
summary: |
  Something happened, number {number}, with a [link](https://example.com/{number}).
sources:
  - title: Source {number}
    published: {day.isoformat()}
    lang: en
    url: https://news.example.com/{number}
"""


def many_events(count: int) -> dict[str, str]:
    """``count`` events of acme, three days apart, all before the pinned today."""
    start = dt.date(2023, 6, 1)
    events = {}
    for number in range(count):
        day = start + dt.timedelta(days=3 * number)
        events[f"acme/{day.isoformat()}-event-{number}"] = _event(
            day, f"Event {number} on subject {number * 7919 % 1000}", number
        )
    return events


def build(root: Path, content: Path, **env: str) -> subprocess.CompletedProcess[str]:
    result = run_kb(
        "build", "--content", content, "-f", MKDOCS_YML,
        "--docs-dir", root / "docs", "--site-dir", root / "site", cwd=root, **env,
    )  # fmt: skip
    return result


def staging_folders(site: Path) -> list[Path]:
    return sorted(site.parent.glob(f".{site.name}.building-*"))


# --- (a) a killed build -------------------------------------------------------------------------


def test_a_build_killed_mid_way_leaves_the_previous_site_untouched(tmp_path):
    root = tmp_path
    content = write_kb(root, companies=COMPANIES, topics=TOPICS, events=many_events(3))
    first = build(root, content)
    assert first.returncode == 0, first.stderr
    site = root / "site"
    before = snapshot(site)
    assert "index.html" in before and "search/search_index.json" in before
    assert "events/acme/2023-06-01-event-0/index.html" in before

    # A knowledge base large enough that MkDocs takes a moment over it.
    big = many_events(300)
    write_kb(root, events=big)
    process = subprocess.Popen(
        [sys.executable, "-m", "generator.cli", "build", "--content", str(content),
         "-f", str(MKDOCS_YML), "--docs-dir", str(root / "docs"), "--site-dir", str(site)],
        cwd=root, env=kb_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        staging: list[Path] = []
        # Wait until MkDocs is writing into its staging folder, then kill it outright.
        while time.monotonic() < deadline and process.poll() is None:
            staging = staging_folders(site)
            if staging and any(p.is_file() for p in staging[0].rglob("*")):
                break
            time.sleep(0.005)
        assert process.poll() is None, (
            "the build finished before it could be killed; make the knowledge base larger\n"
            + (process.stderr.read().decode() if process.stderr else "")
        )
        assert staging, "no staging folder appeared beside the site"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    # The previous site, byte for byte, and complete: every page it had is still there.
    assert snapshot(site) == before
    assert not any(p.name.startswith(".") for p in site.iterdir())

    # The next build still works, and replaces the site with the full one.
    again = build(root, content)
    assert again.returncode == 0, again.stderr
    pages = {p for p in snapshot(site) if p.startswith("events/acme/")}
    assert pages == {f"events/{event_id}/index.html" for event_id in big}


# --- (b) a build with a validation error ----------------------------------------------------------


def test_a_build_with_a_validation_error_writes_nothing(tmp_path):
    events = many_events(3)
    content = write_kb(tmp_path, companies=COMPANIES, topics=TOPICS, events=events)
    broken = content / "events/acme/2023-06-04-event-1.yaml"
    broken.write_text(broken.read_text().replace("type: other", "type: rumour"))

    result = build(tmp_path, content)
    assert result.returncode == 1
    assert (
        "content/events/acme/2023-06-04-event-1.yaml:4:7: error: type: expected one of "
        in result.stderr
    )
    assert "error: the site was not built; fix the errors above" in result.stderr
    assert not (tmp_path / "docs").exists()
    assert not (tmp_path / "site").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_a_build_with_a_validation_error_leaves_earlier_output_alone(tmp_path):
    content = write_kb(tmp_path, companies=COMPANIES, topics=TOPICS, events=many_events(3))
    assert build(tmp_path, content).returncode == 0
    docs_before, site_before = snapshot(tmp_path / "docs"), snapshot(tmp_path / "site")

    # A new, valid event and a broken one: neither may reach docs or site.
    write_kb(tmp_path, events=many_events(4))
    broken = content / "events/acme/2023-06-01-event-0.yaml"
    broken.write_text(broken.read_text().replace("lang: en\nsummary", "lang: EN\nsummary"))
    result = build(tmp_path, content)
    assert result.returncode == 1
    assert snapshot(tmp_path / "docs") == docs_before
    assert snapshot(tmp_path / "site") == site_before
    assert staging_folders(tmp_path / "site") == []


# --- (c) deleting a record ------------------------------------------------------------------------

GONE_ID = "globex/2023-07-01-zanzibar-merger"
GONE_TITLE = "Globex completes the Zanzibarquux merger"


def _files_mentioning(folder: Path, needles: tuple[str, ...]) -> set[str]:
    found = set()
    for path in folder.rglob("*"):
        if path.is_file() and not path.name.endswith(".gz"):
            data = path.read_bytes()
            if any(needle.encode() in data for needle in needles):
                found.add(path.relative_to(folder).as_posix())
        if any(needle in path.relative_to(folder).as_posix() for needle in needles):
            found.add(path.relative_to(folder).as_posix())
    return found


def test_a_deleted_record_disappears_from_every_output(tmp_path):
    events = many_events(5)
    events[GONE_ID] = _event(dt.date(2023, 7, 1), GONE_TITLE, 999, company="globex")
    content = write_kb(tmp_path, companies=COMPANIES, topics=TOPICS, events=events)
    assert build(tmp_path, content).returncode == 0
    needles = (GONE_ID, "Zanzibarquux", "zanzibar-merger")

    site_hits = _files_mentioning(tmp_path / "site", needles)
    # Before: it is everywhere a record goes (so that "absent" below means something).
    for expected in (
        f"events/{GONE_ID}/index.html",
        "index.html",
        "timeline/2023/index.html",
        "companies/globex/index.html",
        "topics/cloud/index.html",
        "topics/energy/index.html",
        "feeds/all.atom.xml",
        "feeds/companies/globex.atom.xml",
        "feeds/topics/cloud.atom.xml",
        "calendars/all.ics",
        "calendars/companies/globex.ics",
        "api/events.json",
        "api/companies/globex.json",
        "events.csv",
        "sitemap.xml",
    ):
        assert expected in site_hits, expected
    assert any(hit.startswith("search/kb/d-") for hit in site_hits), site_hits
    assert f"events/{GONE_ID}.md" in _files_mentioning(tmp_path / "docs", needles)

    (content / "events" / f"{GONE_ID}.yaml").unlink()
    result = build(tmp_path, content)
    assert result.returncode == 0, result.stderr

    assert _files_mentioning(tmp_path / "site", needles) == set()
    assert _files_mentioning(tmp_path / "docs", needles) == set()
    # The company stays, with no events left, and its feed and calendar are still there.
    assert (tmp_path / "site/companies/globex/index.html").is_file()
    assert (tmp_path / "site/feeds/companies/globex.atom.xml").is_file()
    assert not (tmp_path / "site/events/globex").exists()
    assert not (tmp_path / "docs/events/globex").exists()


# --- (d) reproducible builds -------------------------------------------------------------------


def test_two_builds_with_the_same_source_date_epoch_are_byte_identical(tmp_path):
    events = many_events(12)
    events["globex/2026-q3-outlook"] = (
        _event(dt.date(2026, 7, 1), "Globex outlook", 77, company="globex")
        .replace("date: 2026-07-01", "date: 2026-Q3")
        .replace("status: occurred", "status: scheduled")
    )
    outputs = []
    for name in ("first", "second"):
        root = tmp_path / name
        content = write_kb(root, companies=COMPANIES, topics=TOPICS, events=events)
        result = build(root, content)
        assert result.returncode == 0, result.stderr
        outputs.append((snapshot(root / "docs"), snapshot(root / "site")))
        time.sleep(1.1)  # a clock that leaked into the output would now read differently
    (docs1, site1), (docs2, site2) = outputs
    assert docs1.keys() == docs2.keys()
    assert [p for p in docs1 if docs1[p] != docs2[p]] == []
    assert site1.keys() == site2.keys()
    assert [p for p in site1 if site1[p] != site2[p]] == []
    assert "feeds/all.atom.xml" in site1 and "calendars/all.ics" in site1

    # Rebuilding in place gives the same bytes again.
    root = tmp_path / "first"
    assert build(root, root / "content").returncode == 0
    assert snapshot(root / "site") == site1
    assert snapshot(root / "docs") == docs1


# --- (e) syncing the generated docs folder ------------------------------------------------------

OLD = 1_600_000_000_000_000_000  # an mtime in 2020, in nanoseconds


def _mtimes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_sync_rewrites_only_what_changed(tmp_path):
    folder = tmp_path / "docs"
    pages: dict[str, str | bytes] = {
        "index.md": "# Home\n",
        "events/a/one.md": "# One\n",
        "events/a/two.md": "# Two\n",
        "events/b/three.md": "# Three\n",
        "data.bin": b"\x00\x01",
    }
    assert sync_folder(folder, pages) == WriteReport(5, 0, 0, tuple(pages), ())
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD, OLD))

    assert sync_folder(folder, pages) == WriteReport(0, 0, 5, (), ())
    assert set(_mtimes(folder).values()) == {OLD}

    changed = {**pages, "events/a/two.md": "# Two, revised\n", "new.md": "# New\n"}
    del changed["events/b/three.md"]
    assert sync_folder(folder, changed) == WriteReport(
        2, 1, 3, ("events/a/two.md", "new.md"), ("events/b/three.md",)
    )
    mtimes = _mtimes(folder)
    assert sorted(mtimes) == sorted(changed)
    assert {p: t for p, t in mtimes.items() if t == OLD}.keys() == {
        "index.md",
        "events/a/one.md",
        "data.bin",
    }
    assert (folder / "events/a/two.md").read_text() == "# Two, revised\n"
    assert not (folder / "events/b").exists()  # emptied folders go too
    assert not list(folder.rglob(".*.tmp"))  # no temporary files left


def test_rebuilding_leaves_unchanged_generated_pages_alone(tmp_path):
    content = write_kb(tmp_path, companies=COMPANIES, topics=TOPICS, events=many_events(4))
    assert build(tmp_path, content).returncode == 0
    docs = tmp_path / "docs"
    for path in docs.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD, OLD))
    before = snapshot(docs)

    # One event's summary changes: only its page, and the outputs quoting it, are rewritten.
    changed = content / "events/acme/2023-06-04-event-1.yaml"
    changed.write_text(changed.read_text().replace("Something happened", "Something else"))
    assert build(tmp_path, content).returncode == 0
    after = snapshot(docs)
    rewritten = {p for p, t in _mtimes(docs).items() if t != OLD}
    assert rewritten == {p for p in after if after[p] != before.get(p)}
    assert "events/acme/2023-06-04-event-1.md" in rewritten
    assert "events/acme/2023-06-01-event-0.md" not in rewritten


@pytest.mark.parametrize("count", [0, 1])
def test_sync_of_an_empty_or_tiny_folder(tmp_path, count):
    folder = tmp_path / "docs"
    pages: dict[str, str | bytes] = {f"p{i}.md": f"{i}\n" for i in range(count)}
    assert sync_folder(folder, pages) == WriteReport(count, 0, 0, tuple(pages), ())
    assert sync_folder(folder, {}) == WriteReport(0, count, 0, (), tuple(pages))
    assert folder.is_dir() and list(folder.iterdir()) == []


def _beside(folder: Path) -> list[str]:
    """What is left next to ``folder`` but the folder itself (a staging folder, say)."""
    return sorted(p.name for p in folder.parent.iterdir() if p != folder)


@pytest.mark.parametrize("exists", [False, True])
def test_a_first_write_fills_a_new_folder_and_moves_it_into_place(tmp_path, exists):
    """A missing or empty generated folder is filled beside it and renamed into place:
    nothing sees it half written, and no file needs its own temporary copy."""
    folder = tmp_path / "out" / "docs"
    if exists:
        folder.mkdir(parents=True)
    pages: dict[str, str | bytes] = {
        "index.md": "# Home\n",
        "events/a/one.md": "# Ü\n",
        "events/a/b/c/two.md": "# Two\n",
        "events/index.md": "# Events\n",
        "data.bin": b"\x00\x01",
    }
    old_umask = os.umask(0o027)  # files are 0644 whatever it is, folders as it says
    try:
        report = sync_folder(folder, pages)
    finally:
        os.umask(old_umask)
    assert report == WriteReport(5, 0, 0, tuple(pages), ())
    assert snapshot(folder) == {
        name: text if isinstance(text, bytes) else text.encode() for name, text in pages.items()
    }
    assert {p.stat().st_mode & 0o777 for p in folder.rglob("*") if p.is_file()} == {0o644}
    folders = [folder, *(p for p in folder.rglob("*") if p.is_dir())]
    assert {p.stat().st_mode & 0o777 for p in folders} == {0o750}
    assert _beside(folder) == []
    # The next write finds the folder full and goes file by file again.
    assert sync_folder(folder, pages) == WriteReport(0, 0, 5, (), ())


def test_a_first_write_that_fails_leaves_nothing_behind(tmp_path):
    folder = tmp_path / "docs"
    pages: dict[str, str | bytes] = {"index.md": "# Home\n", "x" * 300 + ".md": "too long"}
    with pytest.raises(WriteError, match="File name too long"):
        sync_folder(folder, pages)
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_first_write_that_cannot_be_moved_into_place_goes_file_by_file(tmp_path, monkeypatch):
    """The folder may be a mount point, which no rename can replace: then the files are
    written into it one by one, the usual way."""
    folder = tmp_path / "docs"
    folder.mkdir()

    def refused(source: object, target: object) -> None:
        raise OSError(16, "Device or resource busy")

    import generator.write as write

    real_replace = os.replace
    monkeypatch.setattr(
        write.os,
        "replace",
        lambda s, t: refused(s, t) if Path(t) == folder else real_replace(s, t),
    )
    pages: dict[str, str | bytes] = {"index.md": "# Home\n", "events/a/one.md": "# One\n"}
    assert sync_folder(folder, pages) == WriteReport(2, 0, 0, tuple(pages), ())
    assert snapshot(folder) == {name: text.encode() for name, text in pages.items()}  # type: ignore[union-attr]
    assert _beside(folder) == []


def test_a_first_write_through_a_link_writes_into_the_folder_it_names(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    folder = tmp_path / "docs"
    folder.symlink_to(target, target_is_directory=True)
    assert sync_folder(folder, {"index.md": "# Home\n"}) == WriteReport(1, 0, 0, ("index.md",), ())
    assert folder.is_symlink() and (target / "index.md").read_text() == "# Home\n"


def test_a_first_write_clears_what_a_killed_one_left_beside_the_folder(tmp_path):
    """A write killed midway leaves its new folder; the next first write removes it, but
    never one of a process still running."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    folder = tmp_path / "docs"
    abandoned = tmp_path / f".docs.writing-{gone}-0a1b2c3d"
    running = tmp_path / f".docs.writing-{os.getpid()}-4e5f6a7b"
    for staging in (abandoned, running):
        (staging / "events").mkdir(parents=True)
        (staging / "events" / "half.md").write_text("# Half", "utf-8")
    assert sync_folder(folder, {"index.md": "# Home\n"}) == WriteReport(1, 0, 0, ("index.md",), ())
    assert not abandoned.exists() and running.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["docs", running.name])


def test_a_kept_scan_sees_what_came_into_the_folder_since(tmp_path):
    """A running process keeps its scan of the generated folder and lists again only the
    folders whose entries changed: a file or folder put there since is still found and
    removed, and a folder a removed page leaves empty still goes."""
    from generator.write import Scan

    folder = tmp_path / "docs"
    pages = {"a.md": "A", "sub/b.md": "B", "sub/deep/c.md": "C"}
    scan = Scan()
    sync_folder(folder, pages, scan=scan)
    assert sync_folder(folder, pages, scan=scan) == WriteReport(0, 0, 3, (), ())
    (folder / "sub" / "stray.md").write_text("x", encoding="utf-8")
    (folder / "sub" / "new" / "deeper").mkdir(parents=True)
    (folder / "sub" / "new" / "deeper" / "d.md").write_text("d", encoding="utf-8")
    (folder / "sub" / "empty").mkdir()
    report = sync_folder(folder, pages, scan=scan)
    assert report.removed_files == ("sub/new/deeper/d.md", "sub/stray.md")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == [
        "a.md",
        "sub",
        "sub/b.md",
        "sub/deep",
        "sub/deep/c.md",
    ]
    report = sync_folder(folder, {"a.md": "A"}, scan=scan)
    assert report.removed_files == ("sub/b.md", "sub/deep/c.md")
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == ["a.md"]
