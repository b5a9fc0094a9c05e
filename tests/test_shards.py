"""The parallel (sharded) MkDocs build gives exactly the site a single build gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import MKDOCS_YML, snapshot, synthetic_content

from generator import pipeline, shards
from generator.config import load_settings
from generator.incremental import read_manifest
from generator.shards import walk_key, walk_order
from generator.site import build_site


@pytest.fixture
def synthetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return synthetic_content(tmp_path, monkeypatch, 60, seed=7)


def _build(tmp_path: Path, content: Path, name: str, jobs: int) -> Path:
    settings = load_settings(
        MKDOCS_YML,
        content=content,
        docs_dir=tmp_path / "docs",
        site_dir=tmp_path / name,
    )
    assert pipeline.generate(settings).kb is not None
    assert build_site(settings, strict=True, jobs=jobs) == []
    return tmp_path / name


@pytest.mark.parametrize("jobs", [2, 3])
def test_sharded_build_equals_single_build(tmp_path, synthetic, monkeypatch, jobs):
    single = _build(tmp_path, synthetic, "single", jobs=1)
    monkeypatch.setattr(shards, "MIN_PAGES_PER_SHARD", 1)
    calls = []
    real = shards._merge
    monkeypatch.setattr(shards, "_merge", lambda *a: calls.append(a) or real(*a))
    sharded = _build(tmp_path, synthetic, "sharded", jobs=jobs)
    assert len(calls) == 1 and len(calls[0][1]) == jobs - 1  # it really ran in shards
    expected, actual = snapshot(single), snapshot(sharded)
    assert sorted(actual) == sorted(expected)
    differing = [name for name in expected if expected[name] != actual[name]]
    assert differing == []
    # what the next build is compared with: every generated file, as it is
    assert read_manifest(sharded).files == read_manifest(single).files


def test_small_sites_build_in_one_process(tmp_path, synthetic, monkeypatch):
    calls = []
    monkeypatch.setattr(shards, "_merge", lambda *a: calls.append(a))
    _build(tmp_path, synthetic, "site", jobs=4)
    assert calls == []  # 60 events are far below MIN_PAGES_PER_SHARD per shard


def test_a_failing_shard_fails_the_build_and_keeps_the_old_site(tmp_path, synthetic, monkeypatch):
    site = _build(tmp_path, synthetic, "site", jobs=1)
    before = snapshot(site)
    monkeypatch.setattr(shards, "MIN_PAGES_PER_SHARD", 1)
    settings = load_settings(
        MKDOCS_YML, content=synthetic, docs_dir=tmp_path / "docs", site_dir=site
    )
    # A page linking to a missing page fails MkDocs's strict mode in whichever shard has it.
    broken = next((tmp_path / "docs" / "events").rglob("*.md"))
    broken.write_text(broken.read_text("utf-8") + "\n[gone](../../nowhere.md)\n", "utf-8")
    from generator.site import SiteBuildError

    with pytest.raises(SiteBuildError) as failure:
        build_site(settings, strict=True, jobs=2)
    assert any("nowhere.md" in m for m in failure.value.messages)
    assert snapshot(site) == before
    assert not list(tmp_path.glob(".site.building-*"))


def test_sorting_by_walk_key_gives_the_order_of_the_walk(tmp_path):
    """kb serve sorts the files by path after a page comes or goes instead of walking the
    folder again: the two orders must be the same, as MkDocs lists files."""
    names = [
        "index.md", "README.md", "a.md", "B.md", "_z.md", "a/index.md", "a/b.md", "a-b/x.md",
        "a.b/y.md", "a/README.md", "a/c/index.md", "a/c/d.md", "ab/index.md", "A/q.md",
        "events/acme/2026-01-05-x.md", "events/acme/index.md", "events/acme-b/2026-01-01-y.md",
        "events/acme/2026/index.md", "search/kb/t-1.json", "search/kb/index.json", "é/x.md",
    ]  # fmt: skip
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", "utf-8")
    walked = walk_order(tmp_path)
    assert sorted(walked) == sorted(names)
    assert sorted(names, key=walk_key) == walked
    assert sorted(names) != walked  # a plain sort of the paths would not do


def test_shards_share_what_their_pages_cost_mkdocs():
    """Listing pages cost MkDocs more than event pages, which are finished HTML: the split
    evens out the cost, in contiguous runs, every page in exactly one shard."""
    listings = [f"companies/c{i:03}/{year}.md" for i in range(300) for year in (2024, 2025)]
    events = [f"events/c{i:03}/2025-01-{d:02}-e.md" for i in range(300) for d in range(1, 21)]
    order = ["index.md", *listings, *events, "topics/t.md"]
    layout = shards.Layout(order, frozenset({"index.md"}), None)
    for count in (2, 3, 5):
        parts = shards.split(layout, count)
        own = [page for page in order if page != "index.md"]
        assert [page for part in parts for page in sorted(part, key=own.index)] == own
        costs = [sum(shards.page_cost(page) for page in part) for part in parts]
        assert max(costs) - min(costs) <= 2 * shards.OTHER_PAGE_COST, costs  # a page each side
    # Split by count, the first shard would have held every listing page.
    first, second = shards.split(layout, 2)
    assert set(listings) <= first and len(first) < len(second)
    assert shards.page_cost("events/c001/2025-01-01-e.md") == shards.EVENT_PAGE_COST
    assert shards.page_cost("events/index.md") == shards.OTHER_PAGE_COST
    assert shards.page_cost("companies/c001.md") == shards.OTHER_PAGE_COST
