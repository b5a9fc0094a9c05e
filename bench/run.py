"""Benchmark of ``kb build`` at scale: cold builds, incremental rebuilds, and plain MkDocs.

    python bench/run.py [--sizes 1000,10000,50000] [--out bench/results.json] [--keep DIR]
                        [--seed S] [--jobs N]

For each size N, in a folder of its own (deleted at the end unless ``--keep``):

1. ``kb synth`` writes N synthetic events (timed, but not part of the build);
2. ``kb validate`` is timed on its own, with an empty record cache and again with the
   cache it kept, and must report nothing;
3. a cold ``kb build --timings`` (record and render caches emptied first) is timed as a
   subprocess: wall time, the process's peak RSS (``os.wait4``), the sampled peak of it and its
   children together (PSS, for the parallel MkDocs build), each stage's seconds and
   peak memory, the size of the site, of a typical (median) and the largest event
   page, and of the search index (``search/kb/``), raw and gzipped;
4. right after it, Hugo builds the same events with a minimal theme (bench/hugo/, the
   content written by bench/hugo_site.py, untimed): the target is a cold build within
   1.5 times Hugo's time; without Hugo the step says why;
5. a plain ``mkdocs build`` of the same generated Markdown in one process, the baseline
   the build is compared with;
6. three incremental rebuilds into the same folders (one title edited, one event added,
   one unrelated event deleted), each compared byte for byte with a clean build of the
   same content into fresh folders.

A table per size goes to stdout (progress to stderr) and everything, with the machine it
ran on, to the JSON file, rewritten after every size so that a long run keeps what it has.
Every kb call runs with SOURCE_DATE_EPOCH set to the synthetic knowledge base's today.
Any failed command, or any problem kb reports, stops the run with exit status 1. A digest
of generator/ and mkdocs.yml, taken around each step, flags code edited during the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hugo_site import write_hugo_site

PROJECT = Path(__file__).resolve().parent.parent
MKDOCS_YML = PROJECT / "mkdocs.yml"
#: 2026-06-30 00:00 UTC: the today the synthetic records are consistent with
#: (generator.synth.SYNTH_EPOCH; repeated here so the harness imports nothing of the generator).
SYNTH_EPOCH = "1782777600"
DEFAULT_SIZES = (1000, 10000, 50000)
DEFAULT_OUT = PROJECT / "bench" / "results.json"
#: how many differing files a comparison lists
MAX_LISTED = 10
#: the incremental changes, in the order they are made
CHANGES = ("edit_title", "add_event", "delete_event")
CHANGE_LABELS = {
    "edit_title": "edit one title",
    "add_event": "add one event",
    "delete_event": "delete one event",
}
#: why the Hugo baseline was not measured, when no Hugo is found
HUGO_MISSING = "hugo not found: install Debian's hugo package (apt-get install hugo) or set KB_HUGO"
#: a kb diagnostic or MkDocs message on stderr: "path:1:2: warning: ...", "warning: ..."
_PROBLEM = re.compile(r"(^|: )(warning|error)(: |\b)", re.IGNORECASE | re.MULTILINE)


class BenchError(Exception):
    """The benchmark cannot go on; the message says why."""


# --- running commands --------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One finished subprocess."""

    argv: list[str]
    returncode: int
    seconds: float
    #: the peak resident memory of the process, in MiB (os.wait4's ru_maxrss: the largest
    #: of the process and each child it waited for, not their sum)
    peak_rss_mib: float
    #: the peak of the memory the process and all its descendants held together, in MiB:
    #: the sum of their proportional set sizes (PSS), sampled every SAMPLE_SECONDS;
    #: None where /proc cannot tell
    peak_total_mib: float | None
    stdout: str
    stderr: str

    def describe(self) -> str:
        tail = "\n".join((self.stdout + self.stderr).strip().splitlines()[-40:])
        return f"`{' '.join(self.argv)}` exited with status {self.returncode}:\n{tail}"


def _maxrss_mib(value: int) -> float:
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    return value / (1024 * 1024) if sys.platform == "darwin" else value / 1024


#: how often the memory of a running command and its descendants is sampled
SAMPLE_SECONDS = 0.1


class _TreeMemory(threading.Thread):
    """Samples the summed PSS of a process and its descendants (Linux /proc) until stopped.

    ``os.wait4`` gives the largest single process; a build that runs MkDocs in several
    processes at once holds their sum, which only sampling sees.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib: int | None = None
        self.done = threading.Event()

    def run(self) -> None:
        while True:
            total = _tree_pss_kib(self.pid)
            if total is not None:
                self.peak_kib = max(self.peak_kib or 0, total)
            if self.done.wait(SAMPLE_SECONDS):
                return

    def stop(self) -> float | None:
        self.done.set()
        self.join()
        return self.peak_kib / 1024 if self.peak_kib is not None else None


def _tree_pss_kib(root: int) -> int | None:
    """Summed PSS in KiB of ``root`` and its descendants; None without /proc."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces and parentheses
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    total, found, todo = 0, False, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        found = True
                        break
        except (OSError, ValueError):
            continue
    return total if found else None


def run(argv: list[str | Path], *, cwd: Path, env: dict[str, str], logs: Path, name: str) -> Run:
    """Run ``argv`` to completion; its output goes to ``logs/name.out|err`` and into the result.

    The wall time covers the whole command, interpreter start-up included; the peak
    memory comes from ``os.wait4`` on the child, and from sampling its process tree.
    What earlier steps wrote is flushed to disk first, so that each step starts with
    nothing of theirs left to write (a cold build writes about 450 MB at 10,000 events).
    """
    args = [str(a) for a in argv]
    logs.mkdir(parents=True, exist_ok=True)
    out_path, err_path = logs / f"{name}.out", logs / f"{name}.err"
    os.sync()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
        sampler = _TreeMemory(proc.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            peak_total = sampler.stop()
        seconds = time.perf_counter() - started
    # The child is reaped: tell the Popen object, so that it never waits for it again.
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        args,
        proc.returncode,
        seconds,
        _maxrss_mib(usage.ru_maxrss),
        peak_total,
        out_path.read_text(encoding="utf-8", errors="replace"),
        err_path.read_text(encoding="utf-8", errors="replace"),
    )


def _tool(name: str) -> Path:
    """A console script of the project's environment: beside this Python, else in .venv."""
    for folder in (Path(sys.executable).parent, PROJECT / ".venv" / "bin"):
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"cannot find the `{name}` command; run `make site` first")
    return Path(found)


def _hugo_command() -> tuple[str | None, str]:
    """The Hugo executable ($KB_HUGO, else ``hugo`` on PATH), or None and why not."""
    wanted = os.environ.get("KB_HUGO")
    if wanted:
        found = shutil.which(wanted)
        return found, f"hugo not found: KB_HUGO={wanted} is not an executable"
    return shutil.which("hugo"), HUGO_MISSING


def kb_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["SOURCE_DATE_EPOCH"] = SYNTH_EPOCH
    return env


# --- measuring folders -------------------------------------------------------------------------


def files_under(folder: Path) -> dict[str, Path]:
    """Every regular file under ``folder``, by its relative path with "/"."""
    found: dict[str, Path] = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(root, name)
            found[path.relative_to(folder).as_posix()] = path
    return found


def folder_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) of everything under ``folder``."""
    files = files_under(folder)
    return sum(p.stat().st_size for p in files.values()), len(files)


def compare_trees(a: Path, b: Path) -> list[str]:
    """Relative paths that differ between the two folders: in one only, or other bytes."""
    left, right = files_under(a), files_under(b)
    differing = []
    for name in sorted(left.keys() | right.keys()):
        one, other = left.get(name), right.get(name)
        if one is None or other is None or not _same_bytes(one, other):
            differing.append(name)
    return differing


def first_difference(a: Path, b: Path, differing: list[str]) -> dict[str, Any] | None:
    """Where the first file present in both trees differs, with a little text on each side."""
    for name in differing:
        one, other = a / name, b / name
        if not (one.is_file() and other.is_file()):
            continue
        left, right = one.read_bytes(), other.read_bytes()
        offset = next(
            (i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y),
            min(len(left), len(right)),
        )
        start = max(0, offset - 80)
        return {
            "file": name,
            "offset": offset,
            "incremental": left[start : offset + 120].decode("utf-8", "replace"),
            "clean": right[start : offset + 120].decode("utf-8", "replace"),
        }
    return None


def source_digest() -> str:
    """A digest of the code and configuration a build depends on, to notice edits mid-run.

    Other people may be changing the generator while a benchmark runs; an incremental
    build and its clean build then run different code, and their sites differ.
    """
    digest = hashlib.sha256()
    paths = [p for p in (PROJECT / "generator").rglob("*") if p.is_file()]
    paths += [MKDOCS_YML, PROJECT / "pyproject.toml"]
    for path in sorted(paths):
        if "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        digest.update(path.relative_to(PROJECT).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return digest.hexdigest()


def _same_bytes(one: Path, other: Path) -> bool:
    return one.stat().st_size == other.stat().st_size and one.read_bytes() == other.read_bytes()


def event_files(content: Path) -> list[Path]:
    return sorted((content / "events").glob("*/*.yaml"))


def event_id(content: Path, path: Path) -> str:
    return path.relative_to(content / "events").with_suffix("").as_posix()


def event_pages(content: Path, site: Path) -> dict[str, int]:
    """Size in bytes of each event's page, by event id (events/<company>/<slug>/index.html)."""
    sizes = {}
    for path in event_files(content):
        page = site / "events" / event_id(content, path) / "index.html"
        if not page.is_file():
            raise BenchError(f"no page for event {event_id(content, path)}: {page} is missing")
        sizes[event_id(content, path)] = page.stat().st_size
    return sizes


def output_sizes(content: Path, docs: Path, site: Path) -> dict[str, Any]:
    site_bytes, site_files = folder_size(site)
    docs_bytes, docs_files = folder_size(docs)
    pages = event_pages(content, site)
    if not pages:
        raise BenchError("the knowledge base has no events")
    ordered = sorted(pages.items(), key=lambda item: (item[1], item[0]))
    median_id, median_bytes = ordered[(len(ordered) - 1) // 2]
    max_id, max_bytes = ordered[-1]
    search = site / "search" / "kb"
    if not (search / "index.json").is_file():
        raise BenchError(f"the build wrote no search index: {search / 'index.json'} is missing")
    files = [p.read_bytes() for p in sorted(search.iterdir())]
    return {
        "site_bytes": site_bytes,
        "site_files": site_files,
        "docs_bytes": docs_bytes,
        "docs_files": docs_files,
        "event_page": {
            "count": len(pages),
            "median_bytes": median_bytes,
            "median_event": median_id,
            "mean_bytes": round(statistics.fmean(pages.values())),
            "max_bytes": max_bytes,
            "max_event": max_id,
        },
        "search_index": {
            "files": len(files),
            "bytes": sum(len(data) for data in files),
            "gzip_bytes": sum(_gzip_size(data) for data in files),
            "manifest_bytes": (search / "index.json").stat().st_size,
        },
    }


# --- the incremental changes -------------------------------------------------------------------


def _related_ids(text: str) -> list[str]:
    """The ids listed under ``related:`` in a synthetic event's YAML (block list, 2 spaces)."""
    ids: list[str] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("related:"):
            inside = True
            continue
        if inside:
            if line.startswith("  - "):
                ids.append(line[4:].strip().strip("'\""))
            elif line.startswith(" ") or line.startswith("-"):
                continue
            else:
                inside = False
    return ids


def edit_title(content: Path) -> dict[str, str]:
    """Change the last word of one event's title (an unquoted one, near the middle)."""
    files = event_files(content)
    start = len(files) // 2
    for path in files[start:] + files[:start]:
        lines = path.read_text(encoding="utf-8").split("\n")
        if not lines[0].startswith("title: "):
            continue
        value = lines[0][len("title: ") :]
        if not value or value[0] in "\"'|>&*!%@`[{":
            continue
        words = value.split(" ")
        for i in range(len(words) - 1, 0, -1):
            if words[i].isalpha() and len(words[i]) >= 3:
                new_word = "Revised" if words[i] != "Revised" else "Amended"
                words[i] = new_word
                lines[0] = "title: " + " ".join(words)
                path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
                return {"event": event_id(content, path), "old_title": value, "title": lines[0][7:]}
    raise BenchError("found no event with a plain title to edit")


def _companies_with_events(content: Path) -> list[str]:
    return sorted(p.name for p in (content / "events").iterdir() if any(p.glob("*.yaml")))


def add_event(
    content: Path,
    size: int,
    slug: str = "added",
    date: str = "2020-02-14",
    title: str = "Benchmark probe record added for an incremental rebuild",
) -> dict[str, str]:
    """Write a fresh, valid event record into an existing company's folder (a ``date``
    before the synthetic today, so that "occurred" is consistent)."""
    companies = _companies_with_events(content)
    topics = sorted(p.stem for p in (content / "topics").glob("*.yaml"))
    if not companies or not topics:
        raise BenchError("the knowledge base has no company with events, or no topic")
    company = companies[len(companies) // 2]
    path = content / "events" / company / f"{date}-benchmark-probe-{slug}.yaml"
    if path.exists():
        raise BenchError(f"{path} exists already")
    path.write_text(
        "\n".join(
            [
                f"title: {title}",
                f"date: {date}",
                "status: occurred",
                "type: product",
                "companies:",
                f"  - {company}",
                "topics:",
                f"  - {topics[0]}",
                "lang: en",
                "summary: |",
                "  A record written by the benchmark to time the rebuild after one new event.",
                "  It is not part of any real knowledge base.",
                "sources:",
                f"  - title: {title}",
                "    publisher: Benchmark",
                f"    published: {date}",
                "    lang: en",
                f"    url: https://bench.example/probe/{size}/{slug}",
                "",
            ]
        ),
        encoding="utf-8",
        newline="\n",
    )
    return {"event": event_id(content, path), "title": title}


def delete_event(content: Path, keep: set[str]) -> dict[str, str]:
    """Delete one event that no other event lists in ``related`` (not one in ``keep``)."""
    files = event_files(content)
    referenced: set[str] = set()
    per_company: dict[str, int] = {}
    for path in files:
        referenced.update(_related_ids(path.read_text(encoding="utf-8")))
        per_company[path.parent.name] = per_company.get(path.parent.name, 0) + 1
    start = len(files) // 3
    for path in files[start:] + files[:start]:
        eid = event_id(content, path)
        if eid in referenced or eid in keep or per_company[path.parent.name] < 2:
            continue
        path.unlink()
        return {"event": eid}
    raise BenchError("found no event that nothing relates to")


# --- one size ----------------------------------------------------------------------------------


class Bench:
    """The benchmark of one size, in its own work folder."""

    def __init__(
        self, size: int, seed: int, work: Path, *, keep: bool = False, jobs: int | None = None
    ) -> None:
        self.size = size
        self.seed = seed
        self.work = work
        self.content = work / "content"
        self.docs = work / "generated"
        self.site = work / "site"
        self.logs = work / "logs"
        self.kb = _tool("kb")
        self.mkdocs = _tool("mkdocs")
        #: the record and render caches of every kb command of this size, emptied where a
        #: step is cold (a clean build into new folders has a render cache of its own)
        self.cache = work / "record-cache"
        self.env = {**kb_env(), "XDG_CACHE_HOME": str(self.cache)}
        #: keep the clean builds and the baseline's site too, for a look at them afterwards
        self.keep_all = keep
        #: kb build --jobs; None leaves kb's default (one MkDocs build per CPU on large sites)
        self.jobs = jobs

    def say(self, message: str) -> None:
        print(f"[{self.size:,}] {message}", file=sys.stderr, flush=True)

    def kb_run(self, name: str, *args: str | Path) -> Run:
        return run([self.kb, *args], cwd=self.work, env=self.env, logs=self.logs, name=name)

    def run_or_stop(
        self, name: str, argv: list[str | Path], what: str, env: dict[str, str] | None = None
    ) -> Run:
        """``argv`` run and timed in the work folder; if it fails, the benchmark stops."""
        result = run(argv, cwd=self.work, env=env or self.env, logs=self.logs, name=name)
        if result.returncode != 0:
            raise BenchError(f"{what} failed: {result.describe()}")
        return result

    def build(self, name: str, docs: Path, site: Path) -> dict[str, Any]:
        """``kb build`` with --timings; fails on a non-zero exit or any reported problem."""
        timings = self.logs / f"{name}.timings.json"
        result = self.kb_run(
            name,
            "build",
            "-f",
            MKDOCS_YML,
            "--content",
            self.content,
            "--docs-dir",
            docs,
            "--site-dir",
            site,
            "--timings",
            timings,
            *(("--jobs", str(self.jobs)) if self.jobs else ()),
        )
        if result.returncode != 0:
            raise BenchError(f"{name}: kb build failed: {result.describe()}")
        if _PROBLEM.search(result.stderr):
            raise BenchError(f"{name}: kb build reported problems: {result.describe()}")
        try:
            stages = json.loads(timings.read_text(encoding="utf-8"))["stages"]
        except (OSError, ValueError, KeyError) as exc:
            raise BenchError(f"{name}: cannot read the timings file {timings}: {exc}") from None
        stage_seconds = sum(s["seconds"] for s in stages)
        return {
            "seconds": result.seconds,
            "peak_rss_mib": result.peak_rss_mib,
            "peak_total_mib": result.peak_total_mib,
            "stages": [
                {"name": s["name"], "seconds": s["seconds"], "peak_mib": s["peak_mib"]}
                for s in stages
            ],
            "stages_seconds": stage_seconds,
            # interpreter start-up, imports and settings: what the stages do not cover
            "other_seconds": result.seconds - stage_seconds,
        }

    def run_all(self) -> dict[str, Any]:
        self.work.mkdir(parents=True, exist_ok=True)
        result: dict[str, Any] = {
            "size": self.size,
            "seed": self.seed,
            "work_dir": str(self.work),
            "kb_jobs": self.jobs or "default",
            # other work on the machine makes timings noisy: the 1, 5 and 15 minute averages
            "loadavg_before": _loadavg(),
        }

        self.say("kb synth")
        synth = self.kb_run(
            "synth", "synth", self.content, "-n", str(self.size), "--seed", str(self.seed)
        )
        if synth.returncode != 0:
            raise BenchError(f"kb synth failed: {synth.describe()}")
        result["synth"] = {
            "seconds": synth.seconds,
            "peak_rss_mib": synth.peak_rss_mib,
            "peak_total_mib": synth.peak_total_mib,
        }
        result["counts"] = {
            "events": len(event_files(self.content)),
            "companies": len(list((self.content / "companies").glob("*.yaml"))),
            "topics": len(list((self.content / "topics").glob("*.yaml"))),
        }

        # First with an empty record cache, then again with the cache the first run kept.
        shutil.rmtree(self.cache, ignore_errors=True)
        for key, name in (("validate", "kb validate"), ("validate_again", "kb validate again")):
            self.say(name)
            validate = self.kb_run(
                key,
                "validate",
                "-f",
                MKDOCS_YML,
                "--content",
                self.content,
                "--format",
                "standard",
            )
            if validate.returncode != 0 or validate.stderr.strip() or validate.stdout.strip():
                raise BenchError(f"{name} reported problems: {validate.describe()}")
            result[key] = {
                "seconds": validate.seconds,
                "peak_rss_mib": validate.peak_rss_mib,
                "peak_total_mib": validate.peak_total_mib,
            }

        digest = source_digest()
        result["source_digest"] = digest
        self.say("cold kb build")
        shutil.rmtree(self.cache, ignore_errors=True)  # cold: nothing is known yet
        result["cold_build"] = self.build("cold-build", self.docs, self.site)
        result["output"] = output_sizes(self.content, self.docs, self.site)
        # Hugo right after the cold build: both write to a disk in the same state.
        self.say("baseline: Hugo")
        result["hugo"] = self.hugo(result["counts"]["events"])
        self.say("search in headless Chromium")
        query = _query_word(self.content, result["output"]["event_page"]["median_event"])
        result["search"] = search_timing(self.site, query)

        # The baseline reads the Markdown of the cold build, before any change.
        self.say("baseline: plain mkdocs build")
        result["baseline"] = self.baseline()
        mkdocs_stage = next(
            (s for s in result["cold_build"]["stages"] if s["name"] == "mkdocs build"), None
        )
        if mkdocs_stage is None:
            raise BenchError("the timings of the cold build have no 'mkdocs build' stage")
        base = result["baseline"]["seconds"]
        result["ratios"] = {
            "build_to_baseline": result["cold_build"]["seconds"] / base,
            "mkdocs_stage_to_baseline": mkdocs_stage["seconds"] / base,
        }
        if "skipped" not in result["hugo"]:
            result["ratios"]["build_to_hugo"] = (
                result["cold_build"]["seconds"] / result["hugo"]["seconds"]
            )

        incremental: dict[str, Any] = {}
        for change in CHANGES:
            self.say(f"incremental: {CHANGE_LABELS[change]}")
            before = source_digest()
            if change == "edit_title":
                what = edit_title(self.content)
            elif change == "add_event":
                what = add_event(self.content, self.size)
            else:
                keep = {incremental[c]["change"]["event"] for c in incremental}
                what = delete_event(self.content, keep)
            step = self.build(f"incremental-{change}", self.docs, self.site)
            self.say(f"clean build after: {CHANGE_LABELS[change]}")
            clean_docs = self.work / f"clean-{change}" / "generated"
            clean_site = self.work / f"clean-{change}" / "site"
            clean = self.build(f"clean-{change}", clean_docs, clean_site)
            differing = compare_trees(self.site, clean_site)
            docs_differing = compare_trees(self.docs, clean_docs)
            incremental[change] = {
                "change": what,
                **step,
                "clean_seconds": clean["seconds"],
                "clean_stages": clean["stages"],
                "equal": not differing,
                "differing_count": len(differing),
                "differing": differing[:MAX_LISTED],
                "first_difference": first_difference(self.site, clean_site, differing),
                "docs_equal": not docs_differing,
                "docs_differing": docs_differing[:MAX_LISTED],
                # True: the code changed between the two builds, so they may well differ
                "source_changed": source_digest() != before,
            }
            if not self.keep_all:
                shutil.rmtree(self.work / f"clean-{change}", ignore_errors=True)
        result["incremental"] = incremental
        self.say("live: the site kept up to date by one process, as kb serve keeps it")
        result["live"] = self.live()
        result["loadavg_after"] = _loadavg()
        result["source_changed_during_run"] = source_digest() != digest
        return result

    def live(self) -> dict[str, Any]:
        """The same three changes made to a site one process keeps (bench/live.py), and
        the final site compared with a clean build of the final records."""
        docs, site = self.work / "live" / "generated", self.work / "live" / "site"
        probe = self.run_or_stop(
            "live",
            [
                sys.executable,
                PROJECT / "bench" / "live.py",
                "--content",
                self.content,
                "--docs-dir",
                docs,
                "--site-dir",
                site,
                "--size",
                str(self.size),
            ],
            "the live updates",
        )
        report = json.loads(probe.stdout)
        self.say("clean build after the live updates")
        clean_docs = self.work / "clean-live" / "generated"
        clean_site = self.work / "clean-live" / "site"
        self.build("clean-live", clean_docs, clean_site)
        differing = compare_trees(site, clean_site)
        report.update(
            {
                "peak_rss_mib": probe.peak_rss_mib,
                "peak_total_mib": probe.peak_total_mib,
                "equal": not differing,
                "differing_count": len(differing),
                "differing": differing[:MAX_LISTED],
                "docs_equal": not compare_trees(docs, clean_docs),
            }
        )
        if not self.keep_all:
            shutil.rmtree(self.work / "clean-live", ignore_errors=True)
            shutil.rmtree(self.work / "live", ignore_errors=True)
        return report

    def hugo(self, events: int) -> dict[str, Any]:
        """The same events built by Hugo with the minimal theme of bench/hugo/.

        Writing Hugo's content is not timed, as ``kb synth`` is not; the build must write
        a page for every event, or the comparison would be with less work.
        """
        hugo, missing = _hugo_command()
        if hugo is None:
            return {"skipped": missing}
        version = subprocess.run(
            [hugo, "version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        source, out = self.work / "hugo-site", self.work / "hugo-public"
        written = write_hugo_site(self.content, source)
        # A cache of its own, empty: Hugo's default one outlives the run.
        env = {**self.env, "HUGO_CACHEDIR": str(self.work / "hugo-cache")}
        result = self.run_or_stop(
            "hugo",
            [hugo, "--quiet", "--source", source, "--destination", out],
            "the Hugo build",
            env,
        )
        pages = len(list(out.glob("events/*/*/index.html")))
        if pages != events or written != events:
            raise BenchError(
                f"Hugo wrote {pages:,} event pages ({written:,} pages of content) for "
                f"{events:,} events (--keep keeps its content and site to look at)"
            )
        site_bytes, site_files = folder_size(out)
        if not self.keep_all:
            for folder in (source, out, self.work / "hugo-cache"):
                shutil.rmtree(folder, ignore_errors=True)
        return {
            "seconds": result.seconds,
            "peak_rss_mib": result.peak_rss_mib,
            "peak_total_mib": result.peak_total_mib,
            "version": version.splitlines()[0] if version else None,
            "event_pages": pages,
            "site_bytes": site_bytes,
            "site_files": site_files,
            "command": f"hugo --quiet --source {source.name} --destination {out.name}",
        }

    def baseline(self) -> dict[str, Any]:
        """A plain ``mkdocs build --strict`` of the generated Markdown, in one process.

        ``mkdocs build`` has no --docs-dir option: a temporary configuration inherits the
        project's (INHERIT) and sets docs_dir, with the paths the project's configuration
        gives relative to itself made absolute (they would be read relative to the copy).
        """
        config = self.work / "mkdocs-baseline.yml"
        config.write_text(_baseline_config(self.docs), encoding="utf-8")
        site = self.work / "baseline-site"
        # Material prints an end-of-life notice under the mkdocs command; kb never shows it.
        env = {**self.env, "NO_MKDOCS_2_WARNING": "1"}
        result = self.run_or_stop(
            "baseline",
            [self.mkdocs, "build", "--strict", "--quiet", "-f", config, "-d", site],
            "the baseline mkdocs build",
            env,
        )
        differing = compare_trees(self.site, site)
        if not self.keep_all:
            shutil.rmtree(site, ignore_errors=True)
        return {
            "seconds": result.seconds,
            "peak_rss_mib": result.peak_rss_mib,
            "peak_total_mib": result.peak_total_mib,
            "command": f"mkdocs build --strict --quiet -f {config.name} -d {site.name}",
            # the same Markdown and configuration should give the same site
            "equal_to_build": not differing,
            "differing": differing[:MAX_LISTED],
        }


def _baseline_config(docs: Path) -> str:
    import yaml  # MkDocs's own dependency, in the project's environment

    class _Loader(yaml.SafeLoader):
        """Reads mkdocs.yml while ignoring the !ENV and !!python tags MkDocs allows."""

    _Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    project = yaml.load(MKDOCS_YML.read_text(encoding="utf-8"), Loader=_Loader) or {}
    override: dict[str, Any] = {"INHERIT": str(MKDOCS_YML), "docs_dir": str(docs.resolve())}
    theme = project.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir"):
        override["theme"] = {"custom_dir": str((PROJECT / theme["custom_dir"]).resolve())}
    for key in ("hooks", "watch"):
        if isinstance(project.get(key), list):
            override[key] = [str((PROJECT / p).resolve()) for p in project[key]]
    return json.dumps(override, indent=2) + "\n"  # JSON is YAML


# --- machine and report ------------------------------------------------------------------------


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=PROJECT, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine_info() -> dict[str, Any]:
    status = _git("status", "--porcelain", "--", "generator", "mkdocs.yml", "pyproject.toml")
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "mkdocs": _version("mkdocs"),
        "mkdocs-material": _version("mkdocs-material"),
        "company-events-kb": _version("company-events-kb"),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(status) if status is not None else None,
        "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }


def machine_line(m: dict[str, Any]) -> str:
    commit = (m["git_commit"] or "?")[:10] + (" (uncommitted changes)" if m["git_dirty"] else "")
    return (
        f"machine: {m['platform']}, {m['cpu_count']} CPUs, Python {m['python']}, "
        f"mkdocs {m['mkdocs']}, mkdocs-material {m['mkdocs-material']}, "
        f"commit {commit}, {m['date']}"
    )


def _load(values: list[float] | None) -> str:
    return " ".join(f"{v:.2f}" for v in values) if values else "unknown"


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:,.1f} MiB"
    return f"{n / 1024:,.1f} KiB"


def _opt(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "-"


def _query_word(content: Path, event: str) -> str:
    """The longest word of one event's title: a query with at least one result."""
    text = (content / "events" / f"{event}.yaml").read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    return max(re.findall(r"[A-Za-z]{4,}", title), key=len)


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def search_timing(site: Path, query: str) -> dict[str, Any]:
    """Seconds from the home page's load to the first search result, in headless Chromium,
    and the search files the browser asked for until then (raw and gzipped bytes).

    This is what a reader waits for. Without Chromium the step says why.
    """
    import functools
    import http.server

    chromium = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        return {"query": query, "error": f"playwright is missing: {exc}"}
    if not Path(chromium).is_file():
        return {"query": query, "error": f"no Chromium at {chromium}"}

    requested: list[str] = []

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?")[0].lstrip("/")
            if path.startswith("search/"):
                requested.append(path)
            super().do_GET()

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page()
            page.set_default_timeout(120_000)
            started = time.perf_counter()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            page.wait_for_load_state("load")
            loaded = time.perf_counter()
            box = page.locator("input.md-search__input")
            box.click()
            box.press_sequentially(query)
            page.locator("li.md-search-result__item").first.wait_for(state="visible")
            answered = time.perf_counter()
            fetched = sorted(set(requested))
            browser.close()
    finally:
        server.shutdown()
    payload = [(site / path).read_bytes() for path in fetched]
    return {
        "query": query,
        "page_load_seconds": loaded - started,
        "first_result_seconds": answered - loaded,
        "payload_files": fetched,
        "payload_bytes": sum(len(data) for data in payload),
        "payload_gzip_bytes": sum(_gzip_size(data) for data in payload),
    }


def table(r: dict[str, Any]) -> str:
    """The results of one size, for people.

    "peak MiB" of a stage is kb's own process (its high-water mark so far); of a whole
    command, the largest single process (os.wait4); "all procs MiB" is the sampled peak of
    the command and its children together (PSS), which a parallel build needs.
    """
    counts = r["counts"]
    w = 36  # label column
    head = f"{'seconds':>10}{'peak MiB':>10}{'all procs MiB':>15}"
    out = [
        f"== size {r['size']:,}: {counts['events']:,} events, {counts['companies']:,} "
        f"companies, {counts['topics']:,} topics (kb synth seed {r['seed']}, "
        f"kb build --jobs {r['kb_jobs']}) ==",
        f"load average before {_load(r['loadavg_before'])}, after {_load(r['loadavg_after'])}",
    ]
    if r["source_changed_during_run"]:
        out.append("WARNING: generator/ or mkdocs.yml changed while this size ran")

    def row(label: str, x: dict[str, Any], indent: str = "  ") -> str:
        return (
            f"{indent}{label:<{w - len(indent)}}{x['seconds']:>10.2f}{x['peak_rss_mib']:>10.1f}"
            f"{_opt(x.get('peak_total_mib')):>15}"
        )

    out += [
        "",
        f"{'':<{w}}{head}",
        row("kb synth (not part of the build)", r["synth"], ""),
        row("kb validate (empty record cache)", r["validate"], ""),
        row("kb validate again (cache kept)", r["validate_again"], ""),
        "",
        f"{'cold kb build, stage':<{w}}{head}",
    ]
    cold = r["cold_build"]
    for stage in cold["stages"]:
        out.append(f"  {stage['name']:<{w - 2}}{stage['seconds']:>10.2f}{stage['peak_mib']:>10.1f}")
    out.append(f"  {'(start-up and the rest)':<{w - 2}}{cold['other_seconds']:>10.2f}")
    out.append(row("whole command", cold))
    o = r["output"]
    page = o["event_page"]
    index = o["search_index"]
    lab = w - 2

    def sized(label: str, n: int, note: str) -> str:
        return f"  {label:<{lab}}{_size(n):>12}  {note}"

    out += [
        "",
        "output",
        sized("site folder", o["site_bytes"], f"in {o['site_files']:,} files"),
        sized("generated Markdown", o["docs_bytes"], f"in {o['docs_files']:,} files"),
        sized("event page, median", page["median_bytes"], page["median_event"]),
        sized("event page, largest", page["max_bytes"], page["max_event"]),
        sized(
            "search index (search/kb/)",
            index["bytes"],
            f"in {index['files']:,} files ({_size(index['gzip_bytes'])} gzip -9)",
        ),
        _search_line(r["search"]),
        "",
        f"{'incremental rebuild':<{w}}{head}{'clean build s':>15}  same as the clean build",
    ]
    for change in CHANGES:
        step = r["incremental"][change]
        same = "yes" if step["equal"] else f"NO: {step['differing_count']} files differ"
        out.append(f"{row(CHANGE_LABELS[change], step)}{step['clean_seconds']:>15.2f}  {same}")
        mk = next((s for s in step["stages"] if s["name"] == "mkdocs build"), None)
        if mk is not None:
            out.append(f"    {'of which mkdocs build':<{w - 4}}{mk['seconds']:>10.2f}")
        if step["source_changed"]:
            out.append("    WARNING: the code changed between this rebuild and its clean build")
        for name in step["differing"]:
            out.append(f"      differs: {name}")
    live = r.get("live")
    if live:
        same = "yes" if live["equal"] else f"NO: {live['differing_count']} files differ"
        out += [
            "",
            f"{'one running process (kb serve)':<{w}}{'seconds':>10}{'pages':>10}"
            f"{'generate s':>15}  final site same as a clean build: {same}",
            f"  {'first build':<{w - 2}}{live['first_build_seconds']:>10.2f}",
        ]
        for change in CHANGES:
            step = live[change]
            pages = "all" if step["pages_built"] is None else str(step["pages_built"])
            out.append(
                f"  {CHANGE_LABELS[change]:<{w - 2}}{step['seconds']:>10.2f}{pages:>10}"
                f"{step['generate_seconds']:>15.2f}"
            )
        out.append(f"  {'peak memory of the process':<{w - 2}}{live['peak_rss_mib']:>10.1f} MiB")
    b = r["baseline"]
    ratios = r["ratios"]
    out += [
        "",
        f"{'baseline: plain mkdocs build':<{w}}{head}",
        row("mkdocs build --strict", b)
        + ("  same site as kb build" if b["equal_to_build"] else "  site differs from kb build"),
        f"  {'full kb build / baseline':<{w - 2}}{ratios['build_to_baseline']:>9.2f}x",
        f"  {'mkdocs stage / baseline':<{w - 2}}{ratios['mkdocs_stage_to_baseline']:>9.2f}x",
    ]
    h = r["hugo"]
    out += ["", "baseline: Hugo, the same events with a minimal theme"]
    if "skipped" in h:
        out.append(f"  not measured ({h['skipped']})")
    else:
        # "hugo v0.111.3+extended linux/amd64 BuildDate=...": the name and the version
        out[-1] += f" ({' '.join((h['version'] or 'hugo, version unknown').split()[:2])})"
        out += [
            f"{'':<{w}}{head}",
            row("hugo build", h)
            + f"  {h['event_pages']:,} event pages; site {_size(h['site_bytes'])}"
            + f" in {h['site_files']:,} files",
            f"  {'full kb build / Hugo':<{w - 2}}{ratios['build_to_hugo']:>9.2f}x",
        ]
    return "\n".join(out)


def _search_line(search: dict[str, Any]) -> str:
    if "error" in search:
        return f"  search: not measured ({search['error']})"
    return (
        f"  search for {search['query']!r}: first result {search['first_result_seconds']:.2f} s"
        f" after the page loaded ({search['page_load_seconds']:.2f} s), having fetched"
        f" {_size(search['payload_bytes'])} ({_size(search['payload_gzip_bytes'])} gzip -9)"
        f" in {len(search['payload_files'])} search files"
    )


# --- main --------------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not sizes or any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive numbers, e.g. 1000,10000")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark kb build on synthetic knowledge bases of several sizes."
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="comma-separated numbers of events (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="the JSON file of results (default: bench/results.json)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep each size's work folder (content, Markdown, sites, logs) under DIR",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of kb synth (default: 0)")
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="pass --jobs N to kb build (default: kb's own, one MkDocs build per CPU)",
    )
    args = parser.parse_args(argv)

    machine = machine_info()
    report: dict[str, Any] = {"machine": machine, "sizes": {}}
    print(machine_line(machine), flush=True)
    for size in args.sizes:
        if args.keep:
            work = args.keep / f"events-{size}"
            if work.exists() and any(work.iterdir()):
                print(f"bench: error: {work} is not empty; choose another --keep", file=sys.stderr)
                return 1
        else:
            work = Path(tempfile.mkdtemp(prefix=f"kb-bench-{size}-"))
        bench = Bench(size, args.seed, work.resolve(), keep=args.keep is not None, jobs=args.jobs)
        try:
            result = bench.run_all()
        except BenchError as exc:
            print(f"bench: error: size {size}: {exc}", file=sys.stderr)
            if args.keep:
                print(f"bench: the work folder is kept in {work}", file=sys.stderr)
            return 1
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        report["sizes"][str(size)] = result
        print()
        print(table(result), flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults written to {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
