"""A site kept up to date by one running process (``kb serve``) is, after every kind of
change, byte for byte the site a clean build of the same pages gives."""

from __future__ import annotations

import gc
import itertools
from pathlib import Path

import pytest
from helpers import MKDOCS_YML, second_look, snapshot, synthetic_content
from mkdocs.commands.build import build as mkdocs_build

from generator import pipeline
from generator.config import Settings, load_settings
from generator.live import LiveSite
from generator.prerendered import load_kb_config

_clean_builds = itertools.count()


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return synthetic_content(tmp_path, monkeypatch, 40, seed=5)


@pytest.fixture
def settings(tmp_path: Path, content: Path) -> Settings:
    return load_settings(MKDOCS_YML, content=content, docs_dir=tmp_path / "docs")


def _config(settings: Settings, site: Path):
    return load_kb_config(
        config_file=str(MKDOCS_YML),
        docs_dir=str(settings.docs_dir),
        site_dir=str(site),
        site_url=settings.site_url,
    )


@pytest.fixture
def session() -> pipeline.Session:
    """The caches held in memory from one build to the next, as kb serve holds them."""
    return pipeline.Session()


@pytest.fixture
def live(tmp_path: Path, settings: Settings, session: pipeline.Session) -> LiveSite:
    assert pipeline.generate(settings, cache=True, session=session).kb is not None
    site = LiveSite(lambda: _config(settings, tmp_path / "live"))
    site.build()
    return site


def regenerate(settings: Settings, live: LiveSite, session: pipeline.Session) -> int | None:
    """Write the pages again from the records, then update the live site."""
    written = pipeline.generate(settings, cache=True, session=session).written
    assert written is not None
    return live.update(written.written_files, written.removed_files)


def assert_same_as_clean_build(settings: Settings, live: LiveSite, root: Path) -> None:
    clean = root / f"clean-{next(_clean_builds)}"
    mkdocs_build(_config(settings, clean))
    expected, actual = snapshot(clean), snapshot(Path(live.config.site_dir))
    assert sorted(actual) == sorted(expected)
    assert [name for name in expected if expected[name] != actual[name]] == []


def events(content: Path) -> list[Path]:
    return sorted((content / "events").rglob("*.yaml"))


def test_an_edited_title_rebuilds_the_pages_that_show_it(
    tmp_path, settings, content, live, session
):
    event = events(content)[0]
    event.write_text(event.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
    built = regenerate(settings, live, session)
    # The event's page and the pages listing it, never the whole site.
    assert built is not None and 2 <= built < 20
    assert_same_as_clean_build(settings, live, tmp_path)
    page = Path(live.config.site_dir) / "events" / event.parent.name / event.stem / "index.html"
    assert "<h1>Edited " in page.read_text("utf-8")


def test_files_that_are_not_pages_coming_and_going_leave_the_sitemap_alone(
    tmp_path, settings, content, live, session
):
    sitemap = Path(live.config.site_dir) / "sitemap.xml"
    before = sitemap.stat().st_mtime_ns
    event = events(content)[1]
    event.write_text(event.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
    written = pipeline.generate(settings, cache=True, session=session).written
    # The search index's parts are named by their content: an edit replaces some.
    assert written is not None
    assert any(name.startswith("search/") for name in written.removed_files)
    assert all(not name.endswith(".md") for name in written.removed_files)
    assert live.update(written.written_files, written.removed_files) is not None
    assert sitemap.stat().st_mtime_ns == before
    assert_same_as_clean_build(settings, live, tmp_path)
    # A page that comes after them still finds every file in its place.
    second_look(events(content)[2])
    assert regenerate(settings, live, session) is not None
    assert sitemap.stat().st_mtime_ns != before
    assert_same_as_clean_build(settings, live, tmp_path)


def test_an_added_and_a_deleted_event_update_lists_and_sitemap(
    tmp_path, settings, content, live, session
):
    event = events(content)[3]
    copy = second_look(event)
    assert regenerate(settings, live, session) is not None
    assert_same_as_clean_build(settings, live, tmp_path)
    page = Path(live.config.site_dir) / "events" / copy.parent.name / copy.stem / "index.html"
    assert page.is_file()

    copy.unlink()
    assert regenerate(settings, live, session) is not None
    assert_same_as_clean_build(settings, live, tmp_path)
    assert not page.exists() and not page.parent.exists()


def test_a_renamed_company_and_a_moved_event(tmp_path, settings, content, live, session):
    company = sorted((content / "companies").glob("*.yaml"))[0]
    company.write_text(company.read_text("utf-8").replace("name: ", "name: Renamed ", 1), "utf-8")
    assert regenerate(settings, live, session) is not None
    assert_same_as_clean_build(settings, live, tmp_path)

    event = events(content)[-1]
    moved = event.with_name("1999-01-05" + event.stem[10:] + ".yaml")
    moved.write_text(
        event.read_text("utf-8").replace(f"date: {event.stem[:10]}", "date: 1999-01-05"), "utf-8"
    )
    event.unlink()
    assert regenerate(settings, live, session) is not None
    assert_same_as_clean_build(settings, live, tmp_path)


def test_nothing_changed_builds_nothing(tmp_path, settings, live, session):
    assert regenerate(settings, live, session) == 0
    assert_same_as_clean_build(settings, live, tmp_path)


def test_a_page_in_materials_own_index_means_a_full_build(tmp_path, settings, live):
    extra = settings.docs_dir / "notes.md"
    extra.write_text("# Notes\n\nIndexed by Material's search.\n", "utf-8")
    assert live.update(["notes.md"], []) is None
    assert_same_as_clean_build(settings, live, tmp_path)
    extra.write_text("# Notes\n\nChanged.\n", "utf-8")
    assert live.update(["notes.md"], []) is None
    assert_same_as_clean_build(settings, live, tmp_path)


def test_after_a_failed_update_the_next_is_a_full_build(tmp_path, settings, live, monkeypatch):
    event_page = next((settings.docs_dir / "events").rglob("*.md"))

    def broken(*args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr("generator.live._build_page", broken)
        with pytest.raises(OSError, match="disk full"):
            live.update([event_page.relative_to(settings.docs_dir).as_posix()], [])
    assert live.update([], []) is None
    assert_same_as_clean_build(settings, live, tmp_path)


def test_an_update_pauses_the_collector_while_it_builds(tmp_path, settings, content, live, session):
    """A running process keeps the whole site in memory: a collection of the oldest
    generation walks all of it, so the collector must not run while pages are built,
    only collect what the update made, at its end."""
    event = events(content)[2]
    event.write_text(event.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
    written = pipeline.generate(settings, cache=True, session=session).written
    assert written is not None
    collected: list[int] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            collected.append(info["generation"])

    thresholds = gc.get_threshold()
    gc.set_threshold(1, 1, 1)  # any allocation would start a collection of every generation
    gc.callbacks.append(seen)
    try:
        assert live.update(written.written_files, written.removed_files) is not None
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*thresholds)
    # Paused, a few collections at the edges; running, one per allocation (16,709 here).
    assert len(collected) < 10, collected[:20]
    assert_same_as_clean_build(settings, live, tmp_path)
