"""The benchmark harness, bench/run.py, at a tiny size: it measures everything and reports it.

A test of the harness, not of speed: nothing here looks at how long anything took.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH = PROJECT_ROOT / "bench" / "run.py"
SIZE = 20
STAGES = ("load", "validate", "model", "render pages", "render outputs", "write", "mkdocs build")
CHANGES = ("edit_title", "add_event", "delete_event")

#: what bench/run.py printed, and the JSON it wrote
BenchRun = tuple[subprocess.CompletedProcess[str], dict]


def _positive(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


@pytest.fixture(scope="module")
def bench_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> BenchRun:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--sizes", str(SIZE), "--out", str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"bench/run.py failed:\n{done.stdout}\n{done.stderr}"
    return done, json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result(bench_run: BenchRun) -> dict:
    return bench_run[1]["sizes"][str(SIZE)]


def test_machine_info_is_recorded(bench_run: BenchRun) -> None:
    machine = bench_run[1]["machine"]
    for key in ("platform", "cpu_count", "python", "mkdocs", "mkdocs-material", "date"):
        assert machine[key], key
    assert machine["python"] == ".".join(map(str, sys.version_info[:3]))


def test_counts_synth_and_validate(result: dict) -> None:
    assert result["size"] == SIZE
    assert result["kb_jobs"] == "default"
    assert len(result["source_digest"]) == 64
    assert result["source_changed_during_run"] is False
    assert len(result["loadavg_before"]) == len(result["loadavg_after"]) == 3
    assert result["counts"]["events"] == SIZE
    assert result["counts"]["companies"] > 0
    assert result["counts"]["topics"] > 0
    for step in ("synth", "validate", "validate_again"):
        assert _positive(result[step]["seconds"]), step
        assert _positive(result[step]["peak_rss_mib"]), step
        assert result[step]["peak_total_mib"] is None or _positive(result[step]["peak_total_mib"])


def test_cold_build_has_every_stage(result: dict) -> None:
    cold = result["cold_build"]
    assert _positive(cold["seconds"])
    assert _positive(cold["peak_rss_mib"])
    if sys.platform == "linux":  # sampled from /proc
        assert _positive(cold["peak_total_mib"])
    names = [stage["name"] for stage in cold["stages"]]
    assert set(STAGES) <= set(names)
    for stage in cold["stages"]:
        assert set(stage) == {"name", "seconds", "peak_mib"}
        assert stage["seconds"] >= 0
        assert _positive(stage["peak_mib"])
    # The whole command includes every stage, and start-up on top.
    assert cold["seconds"] >= cold["stages_seconds"]
    # The whole process's peak is at least the peak the stages saw in it.
    assert cold["peak_rss_mib"] >= max(stage["peak_mib"] for stage in cold["stages"]) - 1


def test_output_sizes(result: dict) -> None:
    out = result["output"]
    for key in ("site_bytes", "site_files", "docs_bytes", "docs_files"):
        assert _positive(out[key]), key
    page = out["event_page"]
    assert page["count"] == SIZE
    assert 0 < page["median_bytes"] <= page["max_bytes"] < out["site_bytes"]
    for key in ("median_event", "max_event"):
        company, name = page[key].split("/")
        assert company and name
    index = out["search_index"]
    assert 0 < index["gzip_bytes"] < index["bytes"]
    assert 0 < index["manifest_bytes"] < index["bytes"]
    assert index["files"] >= 3


def test_search_is_timed_in_chromium(result: dict) -> None:
    search = result["search"]
    assert "error" not in search, search
    assert search["query"].isalpha() and len(search["query"]) >= 4
    assert _positive(search["page_load_seconds"])
    assert _positive(search["first_result_seconds"])
    # The worker fetched its index, at least one words file and one documents file:
    # never Material's whole-site index, whose entries would be here otherwise.
    files = search["payload_files"]
    assert "search/kb/index.json" in files
    assert any(f.startswith("search/kb/t-") for f in files), files
    assert any(f.startswith("search/kb/d-") for f in files), files
    assert 0 < search["payload_gzip_bytes"] < search["payload_bytes"]


def test_incremental_rebuilds_match_clean_builds(result: dict) -> None:
    incremental = result["incremental"]
    assert list(incremental) == list(CHANGES)
    for change in CHANGES:
        step = incremental[change]
        assert step["change"]["event"], change
        assert _positive(step["seconds"]), change
        assert _positive(step["clean_seconds"]), change
        assert _positive(step["peak_rss_mib"]), change
        assert {s["name"] for s in step["stages"]} >= set(STAGES), change
        assert step["equal"] is True, (
            f"{change}: {step['differing']}, first difference {step['first_difference']}"
            + (" (the code changed during the step)" if step["source_changed"] else "")
        )
        assert step["source_changed"] is False, change
        assert step["first_difference"] is None, change
        assert step["differing"] == [] and step["differing_count"] == 0, change
        assert step["docs_equal"] is True, f"{change}: {step['docs_differing']}"
    assert (
        incremental["add_event"]["change"]["event"]
        != incremental["delete_event"]["change"]["event"]
    )
    assert (
        incremental["edit_title"]["change"]["title"]
        != incremental["edit_title"]["change"]["old_title"]
    )


def test_a_site_kept_by_one_process_is_timed_and_matches_a_clean_build(result: dict) -> None:
    live = result["live"]
    assert _positive(live["first_build_seconds"])
    assert _positive(live["peak_rss_mib"])
    for change in CHANGES:
        step = live[change]
        assert step["change"]["event"], change
        assert _positive(step["seconds"]), change
        assert 0 < step["generate_seconds"] < step["seconds"], change
        # Only the changed pages were built: no fallback to a full build.
        assert isinstance(step["pages_built"], int) and step["pages_built"] > 0, change
        assert step["warnings"] == [], change
    assert live["equal"] is True, live["differing"]
    assert live["docs_equal"] is True
    assert (
        live["add_event"]["change"]["event"]
        != result["incremental"]["add_event"]["change"]["event"]
    )


def test_baseline_and_ratios(result: dict) -> None:
    baseline = result["baseline"]
    assert _positive(baseline["seconds"])
    assert _positive(baseline["peak_rss_mib"])
    assert baseline["equal_to_build"] is True, baseline["differing"]
    ratios = result["ratios"]
    assert set(ratios) == {"build_to_baseline", "mkdocs_stage_to_baseline", "build_to_hugo"}
    for name, value in ratios.items():
        assert _positive(value), name


def test_hugo_is_installed() -> None:
    # The Hugo baseline is part of the benchmark: a machine without Hugo fails here, by name.
    hugo = os.environ.get("KB_HUGO") or "hugo"
    assert shutil.which(hugo), (
        f"no {hugo} command: install Debian's hugo package (apt-get install hugo) or set KB_HUGO"
    )


def test_hugo_builds_the_same_events(result: dict) -> None:
    hugo = result["hugo"]
    assert "skipped" not in hugo, hugo.get("skipped")
    assert _positive(hugo["seconds"])
    assert _positive(hugo["peak_rss_mib"])
    assert hugo["event_pages"] == SIZE
    assert hugo["version"].startswith("hugo v"), hugo["version"]
    assert _positive(hugo["site_bytes"]) and hugo["site_files"] > SIZE
    assert hugo["command"].startswith("hugo --quiet --source ")
    assert _positive(result["ratios"]["build_to_hugo"])


def test_table_is_printed(bench_run: BenchRun) -> None:
    stdout = bench_run[0].stdout
    assert stdout.startswith("machine: ")
    assert f"== size {SIZE}: {SIZE} events" in stdout
    for text in (
        *STAGES,
        "whole command",
        "all procs MiB",
        "site folder",
        "event page, median",
        "event page, largest",
        "search index (search/kb/)",
        "edit one title",
        "add one event",
        "delete one event",
        "one running process (kb serve)",
        "final site same as a clean build: yes",
        "baseline: plain mkdocs build",
        "full kb build / baseline",
        "mkdocs stage / baseline",
        "baseline: Hugo, the same events with a minimal theme",
        "hugo build",
        "full kb build / Hugo",
    ):
        assert text in stdout, text
    assert "NO:" not in stdout


def test_work_folders_are_removed(result: dict) -> None:
    assert not Path(result["work_dir"]).exists()


def test_bad_sizes_are_refused() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--sizes", "0"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "sizes must be positive" in done.stderr
