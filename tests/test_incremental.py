"""Rebuilding only the changed pages gives exactly the site a clean build gives."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from helpers import (
    MKDOCS_YML,
    TODAY_EPOCH,
    second_look,
    snapshot,
    synthetic_content,
    write_kb,
)

from generator import incremental, pipeline
from generator.config import Settings, load_settings
from generator.render import LISTING_LIMIT
from generator.site import SiteBuildError, build_site


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return synthetic_content(tmp_path, monkeypatch, 40, seed=3)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[bool | str]:
    """Records, for each build, whether it rebuilt only the changed pages."""
    taken: list[bool | str] = []
    real = incremental.build_changed

    def build_changed(*args, **kwargs):
        try:
            result = real(*args, **kwargs)
        except Exception:
            taken.append("failed")
            raise
        taken.append(result is not None)
        return result

    monkeypatch.setattr("generator.site.build_changed", build_changed)
    return taken


def build(content: Path, root: Path, name: str) -> Path:
    settings = load_settings(
        MKDOCS_YML, content=content, docs_dir=root / f"{name}-docs", site_dir=root / name
    )
    assert pipeline.generate(settings).kb is not None
    assert build_site(settings, strict=True, jobs=1) == []
    return root / name


def assert_same_as_clean_build(content: Path, site: Path, root: Path) -> None:
    clean = build(content, root, f"clean-{len(list(root.iterdir()))}")
    expected, actual = snapshot(clean), snapshot(site)
    assert sorted(actual) == sorted(expected)
    assert [name for name in expected if expected[name] != actual[name]] == []


def an_event(content: Path) -> Path:
    return sorted((content / "events").rglob("*.yaml"))[0]


def unrelated_event(content: Path) -> Path:
    texts = "".join(p.read_text("utf-8") for p in (content / "events").rglob("*.yaml"))
    for path in sorted((content / "events").rglob("*.yaml"), reverse=True):
        if f"{path.parent.name}/{path.stem}" not in texts:
            return path
    raise AssertionError("every event is related to by another")


def test_edit_add_delete_each_rebuild_only_what_changed(tmp_path, content, spy):
    site = build(content, tmp_path, "site")
    assert spy == [False]  # the first build is a full one

    event = an_event(content)
    event.write_text(event.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
    build(content, tmp_path, "site")
    assert spy[-1] is True
    assert_same_as_clean_build(content, site, tmp_path)

    second_look(event)
    build(content, tmp_path, "site")
    assert spy[-1] is True
    assert_same_as_clean_build(content, site, tmp_path)

    unrelated_event(content).unlink()
    build(content, tmp_path, "site")
    assert spy[-1] is True
    assert_same_as_clean_build(content, site, tmp_path)


@pytest.fixture
def spares(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, for each build from an earlier site, whether it started from the spare."""
    taken: list[bool] = []
    real = incremental._take_spare

    def take_spare(*args, **kwargs):
        found = real(*args, **kwargs)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(incremental, "_take_spare", take_spare)
    return taken


def _edit(content: Path, word: str) -> None:
    event = an_event(content)
    event.write_text(event.read_text("utf-8").replace("title: ", f"title: {word} ", 1), "utf-8")


def test_the_replaced_site_starts_the_next_build(tmp_path, content, spares):
    """The site a build replaces is kept, not deleted, and the next build starts from it:
    without copying the current site, and without writing into a file the current site
    shares with it."""
    site = build(content, tmp_path, "site")
    assert not incremental.spare_path(site).exists()  # a first build replaced nothing
    _edit(content, "Edited")
    build(content, tmp_path, "site")
    assert spares == [False]  # there was no spare yet: a copy of the site
    assert incremental.read_manifest(site, spare=True) is not None
    for word in ("Again", "Once more"):
        _edit(content, word)
        served = snapshot(site)
        build(content, tmp_path, "site")
        assert spares[-1] is True
        assert_same_as_clean_build(content, site, tmp_path)
        # The site served until now is the next spare, exactly as it was served.
        assert snapshot(incremental.spare_path(site)) == served


def _break_a_page(content: Path, root: Path, site: Path) -> tuple[Settings, Path]:
    """Give an event page a link to nowhere, which fails a strict build; its settings."""
    settings = load_settings(
        MKDOCS_YML, content=content, docs_dir=root / "site-docs", site_dir=site
    )
    page = next((root / "site-docs" / "events").rglob("*.md"))
    page.write_text(page.read_text("utf-8") + "\n[gone](../../nowhere.md)\n", "utf-8")
    return settings, page


def test_a_failed_build_from_the_spare_leaves_the_site_untouched(tmp_path, content, spy, spares):
    site = build(content, tmp_path, "site")
    _edit(content, "Edited")
    build(content, tmp_path, "site")
    before = snapshot(site)
    settings, page = _break_a_page(content, tmp_path, site)
    with pytest.raises(SiteBuildError):
        build_site(settings, strict=True, jobs=1)
    assert spares == [False, True] and spy[-1] == "failed"
    assert snapshot(site) == before
    # The spare was used up; the next build copies the site again, and is right.
    assert not incremental.spare_path(site).exists()
    page.write_text(page.read_text("utf-8").replace("\n[gone](../../nowhere.md)\n", ""), "utf-8")
    assert build_site(settings, strict=True, jobs=1) == []
    assert spares[-1] is False
    assert snapshot(site) == before


def test_a_changed_configuration_means_a_full_build(tmp_path, content, spy, monkeypatch):
    build(content, tmp_path, "site")
    monkeypatch.setattr(incremental, "__version__", "another")
    build(content, tmp_path, "site")
    assert spy == [False, False]


def test_a_failed_rebuild_leaves_the_previous_site_untouched(tmp_path, content, spy):
    site = build(content, tmp_path, "site")
    before = snapshot(site)
    # The new site starts as hard links to the previous one: nothing may write through them.
    settings, _ = _break_a_page(content, tmp_path, site)
    with pytest.raises(SiteBuildError):
        build_site(settings, strict=True, jobs=1)
    assert spy == [False, "failed"]  # it failed while rebuilding only the changed pages
    assert snapshot(site) == before


def test_no_manifest_means_a_full_build(tmp_path, content, spy):
    site = build(content, tmp_path, "site")
    incremental.manifest_path(site).unlink()
    build(content, tmp_path, "site")
    assert spy == [False, False]
    shutil.rmtree(site)


@pytest.mark.parametrize("seen", ["3", "[1, 2]", '{"index.md": 5}', '{"index.md": [1, 2]}'])
def test_a_damaged_manifest_means_a_full_build(tmp_path, content, spy, seen):
    site = build(content, tmp_path, "site")
    path = incremental.manifest_path(site)
    text = path.read_text("utf-8")
    start = text.index('"seen": ') + len('"seen": ')
    # The whole value of "seen" (the last key, sorted) is replaced.
    path.write_text(text[:start] + seen + "}", "utf-8")
    build(content, tmp_path, "site")
    assert spy[-1] is (seen == '{"index.md": [1, 2]}')  # a wrong signature: hashed again
    assert_same_as_clean_build(content, site, tmp_path)


def test_clean_rebuilds_every_page(tmp_path, content, spy):
    from click.testing import CliRunner

    from generator.cli import main

    build(content, tmp_path, "site")
    args = ["build", "--content", str(content), "--docs-dir", str(tmp_path / "site-docs")]
    args += ["--site-dir", str(tmp_path / "site"), "-f", str(MKDOCS_YML)]
    assert CliRunner().invoke(main, [*args, "--clean"]).exit_code == 0
    assert spy == [False]  # --clean never tried the changed pages alone
    assert CliRunner().invoke(main, args).exit_code == 0
    assert spy == [False, True]


def test_without_hard_links_the_build_is_a_full_one(tmp_path, content, spy, monkeypatch):
    site = build(content, tmp_path, "site")
    event = an_event(content)
    event.write_text(event.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")

    def no_links(source, target):
        raise PermissionError("hard links are not supported here")

    monkeypatch.setattr("generator.incremental.os.link", no_links)
    build(content, tmp_path, "site")
    assert spy == [False, False]
    assert_same_as_clean_build(content, site, tmp_path)


def _listed_event(day: str, title: str) -> str:
    return (
        f'title: "{title}"\ndate: "{day}"\nstatus: occurred\ntype: other\ncompanies: [big]\n'
        f"topics: [markets]\nlang: en\nsummary: Something about {title.lower()}.\n"
        f'sources:\n  - title: "Report on {title}"\n    published: 2026-03-01\n    lang: en\n'
    )


def test_an_event_moved_to_another_year_moves_between_year_pages(tmp_path, spy, monkeypatch):
    """A company and a topic with more events than their pages list have a page per year:
    moving an event to another year changes, adds and removes year pages as a clean build
    does."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", TODAY_EPOCH)
    events = {}
    for i in range(LISTING_LIMIT + 5):
        day = dt.date(2021, 1, 10) + dt.timedelta(days=31 * i)
        events[f"big/{day}-item-{i}"] = _listed_event(str(day), f"Item {i}")
    events["big/2019-05-02-lone"] = _listed_event("2019-05-02", "Lone")
    content = write_kb(
        tmp_path,
        companies={"big": "name: Big Corp\n"},
        topics={"markets": "name: Markets\n"},
        events=events,
    )
    site = build(content, tmp_path, "site")
    assert spy == [False]
    year_pages = ("companies/big/{}/index.html", "topics/markets/{}/index.html")
    for page in (*year_pages, "timeline/{}/index.html"):
        assert (site / page.format(2019)).is_file()
        assert not (site / page.format(2017)).exists()

    def move(old: str, new: str) -> None:
        source = content / "events" / f"{old}.yaml"
        text = source.read_text("utf-8").replace(old.split("/")[1][:10], new.split("/")[1][:10])
        source.unlink()
        (content / "events" / f"{new}.yaml").write_text(text, "utf-8")
        build(content, tmp_path, "site")
        assert spy[-1] is True
        assert_same_as_clean_build(content, site, tmp_path)

    # The only event of 2019 moves to 2017: that year's pages go, the other's come.
    move("big/2019-05-02-lone", "big/2017-05-02-lone")
    for page in (*year_pages, "timeline/{}/index.html"):
        assert not (site / page.format(2019)).exists()
        assert (site / page.format(2017)).is_file()
    # The newest event moves back to the start of the first year of the others: out of the
    # company page's list, into another year page that stays.
    newest = max(events)
    moved = f"big/2021-01-05-{newest.split('-', 3)[3]}"
    move(newest, moved)
    page = (site / "companies/big/index.html").read_text("utf-8")
    assert f"events/{newest}/" not in page and f"events/{moved}/" not in page
    assert f"events/{moved}/" in (site / "companies/big/2021/index.html").read_text("utf-8")


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the generated files each build reads to hash, in the order of the builds."""
    counts: list[int] = []
    real = incremental.file_hashes

    def counting(docs, order, before=None):
        reads = 0
        real_open = open

        def counted_open(path, *args, **kwargs):
            nonlocal reads
            reads += 1
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(incremental, "open", counted_open, raising=False)
        try:
            return real(docs, order, before)
        finally:
            monkeypatch.delattr(incremental, "open")
            counts.append(reads)

    monkeypatch.setattr("generator.site.file_hashes", counting)
    return counts


def test_a_build_hashes_only_the_generated_files_touched_since_the_last(
    tmp_path, content, spy, hashed
):
    site = build(content, tmp_path, "site")
    docs = tmp_path / "site-docs"
    every = sum(1 for path in docs.rglob("*") if path.is_file())
    assert hashed == [every]

    build(content, tmp_path, "site")  # nothing changed: nothing is read again
    assert hashed[-1] == 0

    event = an_event(content)
    event.write_text(event.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
    settings = load_settings(MKDOCS_YML, content=content, docs_dir=docs, site_dir=site)
    written = pipeline.generate(settings).written
    assert written is not None and 0 < written.written < every
    assert build_site(settings, strict=True, jobs=1) == []
    assert hashed[-1] == written.written  # the files just rewritten, and only they
    assert spy[-1] is True
    assert_same_as_clean_build(content, site, tmp_path)


def test_a_generated_page_changed_in_place_with_its_old_size_and_time_is_seen(
    tmp_path, content, spy, hashed
):
    """Its change time moved, which nobody can set back: the build hashes it again and
    rebuilds its page."""
    site = build(content, tmp_path, "site")
    docs = tmp_path / "site-docs"
    page = docs / "events" / an_event(content).parent.name / f"{an_event(content).stem}.md"
    before, status = page.read_bytes(), page.stat()
    changed = before.replace(b'<th scope="row">Date</th>', b'<th scope="row">DATE</th>', 1)
    assert changed != before and len(changed) == len(before)
    with open(page, "r+b") as handle:  # the same inode, as a hand edit in place
        handle.write(changed)
    os.utime(page, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert page.stat().st_size == status.st_size
    settings = load_settings(MKDOCS_YML, content=content, docs_dir=docs, site_dir=site)
    assert build_site(settings, strict=True, jobs=1) == []
    assert hashed[-1] == 1 and spy[-1] is True
    html = site / "events" / an_event(content).parent.name / an_event(content).stem / "index.html"
    assert '<th scope="row">DATE</th>' in html.read_text("utf-8")
