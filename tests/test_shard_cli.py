"""``kb build --shard I/N`` and ``kb merge``: a site built in parts, as on separate machines.

Every build is a real ``kb`` run with the real MkDocs; each part is built from a docs
folder of its own. The merged site must be the one a single clean build makes, byte for
byte; every refusal must say exactly why, and leave the site as it was.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from helpers import MKDOCS_YML, PROJECT_ROOT, kb_build, kb_env, run_kb, snapshot, write_kb

from generator.synth import SYNTH_EPOCH, write_synthetic

README = PROJECT_ROOT / "README.md"
WORKFLOWS = PROJECT_ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent
#: `uses: owner/repo@<40 hex> # vX.Y.Z`, as in the project's workflows.
PINNED_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)@([0-9a-f]{40})\s+#\s+v\d+\.\d+\.\d+\s*$")
#: The day after SYNTH_EPOCH: a build made on another day.
NEXT_DAY = str(int(SYNTH_EPOCH) + 86400)
#: Where the README's workflow is told the site is served.
SITE_URL = "https://kb.test/company-events/"


def build(content: Path, root: Path, name: str, *extra: str, **env: str) -> Path:
    """``kb build`` of ``content`` into ``root/name``, from a docs folder of its own."""
    env.setdefault("SOURCE_DATE_EPOCH", SYNTH_EPOCH)
    result = kb_build(content, root / f"{name}-docs", root / name, *extra, **env)
    assert result.returncode == 0, result.stderr
    return root / name


def merge(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_kb("merge", *args, cwd=cwd, SOURCE_DATE_EPOCH=SYNTH_EPOCH)


def page_files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("index.html")}


def assert_same_files(actual: Path, expected: Path) -> None:
    want, got = snapshot(expected), snapshot(actual)
    assert sorted(got) == sorted(want)
    assert [name for name in want if want[name] != got[name]] == []


@dataclass(frozen=True)
class Built:
    root: Path
    content: Path
    single: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """40 synthetic events: shards 1, 2 and 3 of 3 as parts, and one clean single build."""
    root = tmp_path_factory.mktemp("shard-cli")
    content = root / "content"
    write_synthetic(content, 40, seed=5)
    for number in (1, 2, 3):
        build(content, root, f"part-{number}", "--shard", f"{number}/3")
    single = build(content, root, "single", "--jobs", "1", "--clean")
    return Built(root, content, single)


@pytest.fixture(scope="module")
def odd_parts(built: Built) -> Path:
    """Parts that do not belong with the three: another N, other records, another day."""
    root = built.root
    build(built.content, root, "half-1", "--shard", "1/2")
    edited = root / "edited-content"
    shutil.copytree(built.content, edited)
    event = sorted((edited / "events").rglob("*.yaml"))[0]
    event.write_text(event.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
    build(edited, root, "edited-2", "--shard", "2/3")
    build(built.content, root, "later-3", "--shard", "3/3", SOURCE_DATE_EPOCH=NEXT_DAY)
    return root


# --- building parts and merging them --------------------------------------------------------


def test_three_shards_merged_equal_a_single_clean_build(built, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "stale.html").write_text("from an older build", "utf-8")
    result = merge("part-1", "part-2", "part-3", "--site-dir", site, cwd=built.root)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        rf"Merged 3 shards into {re.escape(str(site))} in \d+\.\d s\n", result.stderr
    )
    assert_same_files(site, built.single)
    assert stat.S_IMODE(site.stat().st_mode) == 0o755  # a web server may read it
    assert list(tmp_path.glob(".site.*")) == []


def test_the_parts_are_merged_in_any_order(built, tmp_path):
    site = tmp_path / "site"
    result = merge("part-3", "part-1", "part-2", "--site-dir", site, cwd=built.root)
    assert result.returncode == 0, result.stderr
    assert_same_files(site, built.single)


def test_each_part_holds_only_its_shard_and_a_record(built):
    parts = [built.root / f"part-{n}" for n in (1, 2, 3)]
    assert [sorted(p.name for p in part.iterdir()) for part in parts] == [
        ["shard.json", "site"]
    ] * 3
    records = [json.loads((part / "shard.json").read_text("utf-8")) for part in parts]
    assert [(r["shard"], r["shards"]) for r in records] == [(1, 3), (2, 3), (3, 3)]
    assert len({r["fingerprint"] for r in records}) == 1
    assert re.fullmatch(r"[0-9a-f]{64}", records[0]["fingerprint"])
    docs = built.root / "part-2-docs"
    assert sorted(records[1]["pages"]) == sorted(
        p.relative_to(docs).as_posix() for p in docs.rglob("*.md")
    )
    # The pages are split three ways, none left out, none built twice.
    pages = [page_files(part / "site") for part in parts]
    assert all(pages)
    assert pages[0].isdisjoint(pages[1] | pages[2]) and pages[1].isdisjoint(pages[2])
    assert pages[0] | pages[1] | pages[2] == page_files(built.single)
    # Only the first part has the theme, the static files and the navigation pages.
    assert (parts[0] / "site" / "index.html").is_file()
    second = {p.relative_to(parts[1] / "site").as_posix() for p in (parts[1] / "site").rglob("*")}
    files = {name for name in second if (parts[1] / "site" / name).is_file()}
    assert files - page_files(parts[1] / "site") == {"search/search_index.json", "sitemap.xml"}


def test_sites_and_parts_are_readable_by_a_web_server(built):
    """Built in private temporary folders, they are opened to others before the swap."""
    folders = [built.single] + [built.root / f"part-{n}" for n in (1, 2, 3)]
    assert [oct(stat.S_IMODE(folder.stat().st_mode)) for folder in folders] == ["0o755"] * 4


def test_merging_leaves_the_parts_as_they_were(built, tmp_path):
    parts = [built.root / f"part-{n}" for n in (1, 2, 3)]
    before = [snapshot(part) for part in parts]
    result = merge(*parts, "--site-dir", tmp_path / "site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [snapshot(part) for part in parts] == before


def test_a_tiny_site_splits_as_asked(tmp_path):
    """Explicit shards split even a site far below the parallel build's minimum."""
    content = write_kb(
        tmp_path,
        companies={"acme": "name: Acme Corp\n"},
        topics={"cloud": "name: Cloud\n"},
        events={"acme/2025-05-02-launch": TINY_EVENT},
    )
    single = build(content, tmp_path, "single", "--jobs", "1", "--clean")
    whole = build(content, tmp_path, "whole", "--shard", "1/1")
    result = merge("whole", "--site-dir", "from-one", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_same_files(tmp_path / "from-one", single)

    record = json.loads((whole / "shard.json").read_text("utf-8"))
    own = len(record["pages"]) - len(record["navigation"])
    assert own >= 3
    count = own + 1  # more shards than pages besides the navigation
    names = [f"part-{n}" for n in range(1, count + 1)]
    for number, name in enumerate(names, 1):
        build(content, tmp_path, name, "--shard", f"{number}/{count}")
    held = [len(page_files(tmp_path / name / "site")) for name in names]
    # The first shard, which builds the navigation pages, has none of the others.
    assert held == [len(record["navigation"])] + [1] * own
    result = merge(*names, "--site-dir", "site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_same_files(tmp_path / "site", single)


TINY_EVENT = """\
title: Acme launches a cloud
date: 2025-05-02
status: occurred
type: other
companies: [acme]
topics: [cloud]
lang: en
summary: |
  Acme launched a cloud.
sources:
  - title: Acme launches a cloud
    published: 2025-05-02
    lang: en
    url: https://news.example.com/acme-cloud
"""


# --- refusals -------------------------------------------------------------------------------

DIFFERENT_INPUTS = (
    "was built from other inputs than part-1 (shard 1/3): records, configuration, site "
    "address, versions or build date differ; build every shard from the same commit"
)

REFUSALS = {
    "one missing": (["part-1", "part-2"], "shard 3/3 is missing"),
    "two missing": (["part-2"], "shards 1/3 and 3/3 are missing"),
    "repeated": (
        ["part-1", "part-2", "part-3", "part-2"],
        "shard 2/3 is given twice: part-2 and part-2",
    ),
    "another N": (
        ["part-1", "part-2", "part-3", "half-1"],
        "half-1 is shard 1/2 but part-1 is shard 1/3; all parts must be shards of the same N",
    ),
    "other records": (["part-1", "edited-2", "part-3"], f"edited-2 (shard 2/3) {DIFFERENT_INPUTS}"),
    "another day": (["part-1", "part-2", "later-3"], f"later-3 (shard 3/3) {DIFFERENT_INPUTS}"),
    "not a part": (
        ["part-1", "part-2-docs", "part-3"],
        "part-2-docs: not a part of a site (no shard.json); build one with kb build --shard I/N",
    ),
    "no such folder": (["part-1", "part-9", "part-3"], "part-9: no such folder"),
    "no parts": ([], "no parts to merge"),
}


@pytest.fixture
def previous_site(built: Built, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(built.single, site)
    (site / "stale.html").write_text("still here", "utf-8")
    return site


def assert_refused(result: subprocess.CompletedProcess[str], message: str, site: Path) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"error: {message}; {site} is unchanged\n"
    assert result.stdout == ""


@pytest.mark.parametrize(("parts", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_merge_refuses_parts_that_do_not_make_one_site(odd_parts, previous_site, parts, message):
    before = snapshot(previous_site)
    result = merge(*parts, "--site-dir", previous_site, cwd=odd_parts)
    assert_refused(result, message, previous_site)
    assert snapshot(previous_site) == before
    assert list(previous_site.parent.glob(".site.*")) == []


def test_merge_refuses_a_part_with_a_page_missing(built, previous_site, tmp_path):
    for number in (1, 2, 3):
        shutil.copytree(built.root / f"part-{number}", tmp_path / f"part-{number}")
    page = sorted(page_files(tmp_path / "part-2" / "site"))[-1]
    (tmp_path / "part-2" / "site" / page).unlink()
    before = snapshot(previous_site)
    result = merge("part-1", "part-2", "part-3", "--site-dir", previous_site, cwd=tmp_path)
    assert_refused(result, f"part-2: site/{page} is missing; build the part again", previous_site)
    assert snapshot(previous_site) == before


@pytest.mark.parametrize(
    "record",
    [{"format": 2}, {"format": 1, "shard": 4, "shards": 3}, "[1, 2"],
    ids=["another format", "shard above N", "not JSON"],
)
def test_merge_refuses_a_record_it_cannot_read(built, previous_site, tmp_path, record):
    part = tmp_path / "part-2"
    shutil.copytree(built.root / "part-2", part)
    original = json.loads((part / "shard.json").read_text("utf-8"))
    text = record if isinstance(record, str) else json.dumps({**original, **record})
    (part / "shard.json").write_text(text, "utf-8")
    before = snapshot(previous_site)
    result = merge(built.root / "part-1", "part-2", "--site-dir", previous_site, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    if isinstance(record, str):
        assert result.stderr.startswith("error: part-2/shard.json: cannot be read: ")
    else:
        assert_refused(
            result,
            "part-2/shard.json: not a shard record this version of kb can read",
            previous_site,
        )
    assert len(result.stderr.splitlines()) == 1
    assert snapshot(previous_site) == before


def test_merge_refuses_to_write_over_a_part(built):
    before = snapshot(built.root / "part-1")
    result = merge("part-1", "part-2", "part-3", "--site-dir", "part-1/site", cwd=built.root)
    assert_refused(
        result,
        "part-1/site overlaps the part part-1; merge into a folder of its own",
        Path("part-1/site"),
    )
    assert snapshot(built.root / "part-1") == before


@pytest.mark.parametrize("value", ["0/3", "4/3", "3", "1/0", "two/3", "1/3/3", "-1/3"])
def test_build_refuses_a_shard_that_is_not_i_of_n(tmp_path, value):
    content = write_kb(tmp_path, companies={"acme": "name: Acme Corp\n"})
    result = kb_build(content, tmp_path / "docs", tmp_path / "part", "--shard", value)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: --shard {value}: expected I/N, shard I of N counted from 1 (such as 2/3)\n"
    )
    assert not (tmp_path / "part").exists()
    assert not (tmp_path / "docs").exists()  # refused before anything was written


def test_a_part_goes_beside_the_site_unless_told_where(built, tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text(_portable_config(), "utf-8")
    result = run_kb(
        "build", "-f", config, "--content", built.content, "--shard", "2/3",
        cwd=tmp_path, SOURCE_DATE_EPOCH=SYNTH_EPOCH,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    part = tmp_path / "site-shard-2-of-3"
    assert result.stderr.startswith(f"Built shard 2/3 of the site into {part} from 40 events")
    assert sorted(p.name for p in tmp_path.glob("site*")) == ["site-shard-2-of-3"]
    # The same shard as built beside the other parts (the record differs: so does mkdocs.yml).
    assert snapshot(part / "site") == snapshot(built.root / "part-2" / "site")


def test_help_explains_both_commands():
    merge_help = run_kb("merge", "--help")
    assert merge_help.returncode == 0
    assert re.match(r"Usage: .* merge \[OPTIONS\] PART\.\.\.\n", merge_help.stdout)
    assert "kb build --shard I/N" in merge_help.stdout
    assert "--site-dir DIRECTORY" in merge_help.stdout
    build_help = run_kb("build", "--help")
    assert build_help.returncode == 0
    assert re.search(r"--shard I/N\s+Build only shard I of N \(counted from 1\)", build_help.stdout)


# --- the README's workflow -----------------------------------------------------------------


def readme_workflow() -> str:
    """The YAML block of the README's section on builds across CI runners."""
    text = README.read_text("utf-8")
    section = re.split(r"\n##+ ", text.split("### Across CI runners\n", 1)[1])[0]
    blocks = re.findall(r"^```yaml\n(.*?)^```$", section, re.S | re.M)
    assert len(blocks) == 1, "expected one YAML block under 'Across CI runners'"
    return blocks[0]


def _portable_config() -> str:
    """The project's mkdocs.yml, with the theme override found from any folder."""
    text = MKDOCS_YML.read_text("utf-8")
    theme = PROJECT_ROOT / "generator" / "theme"
    text, count = re.subn(r"(?m)^(\s*custom_dir:).*$", rf"\1 {theme}", text)
    assert count == 1
    return text


def _runner(root: Path, name: str, content: Path) -> Path:
    """A fresh checkout on a runner of its own: mkdocs.yml and content/."""
    folder = root / name
    folder.mkdir()
    (folder / "mkdocs.yml").write_text(_portable_config(), "utf-8")
    shutil.copytree(content, folder / "content")
    return folder


def _expand(value: object, context: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        assert match[1] in context, f"${{{{ {match[1]} }}}} is new to this test"
        return context[match[1]]

    return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", one, str(value))


def _run_step(step: dict, folder: Path, context: dict[str, str]) -> None:
    env = kb_env(SOURCE_DATE_EPOCH=SYNTH_EPOCH)
    env.pop("KB_SITE_URL", None)
    env.update({k: _expand(v, context) for k, v in (step.get("env") or {}).items()})
    env["PATH"] = f"{BIN}{os.pathsep}{env['PATH']}"
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, f"{step['run']}\n{result.stderr}"


def _kb_steps(job: dict) -> list[dict]:
    return [s for s in job["steps"] if str(s.get("run", "")).startswith("kb ")]


def _job_running(jobs: dict, command: str) -> dict:
    [job] = [
        job for job in jobs.values() if any(s["run"].startswith(command) for s in _kb_steps(job))
    ]
    return job


def _step_using(job: dict, action: str) -> dict:
    [step] = [s for s in job["steps"] if str(s.get("uses", "")).startswith(action + "@")]
    return step


def test_the_readme_workflow_builds_the_shards_and_merges_them(built, tmp_path):
    """Its commands, run as written on runners of their own, give the single build's site."""
    assert (BIN / "kb").is_file()
    jobs = yaml.safe_load(readme_workflow())["jobs"]
    validate_job, shard_job, merge_job = (
        _job_running(jobs, command) for command in ("kb validate", "kb build", "kb merge")
    )
    runner = _runner(tmp_path, "runner-validate", built.content)
    for step in _kb_steps(validate_job):
        _run_step(step, runner, {"steps.now.outputs.epoch": SYNTH_EPOCH})
    shards = shard_job["strategy"]["matrix"]["shard"]
    assert len(shards) > 1
    [build_step] = _kb_steps(shard_job)
    assert "--shard" in build_step["run"]
    upload = _step_using(shard_job, "actions/upload-artifact")["with"]
    outputs = {
        "needs.validate.outputs.site_url": SITE_URL,
        "needs.validate.outputs.epoch": SYNTH_EPOCH,
    }
    artifacts = tmp_path / "artifacts"
    for shard in shards:
        context = {"matrix.shard": str(shard), "strategy.job-total": str(len(shards)), **outputs}
        runner = _runner(tmp_path, f"runner-{shard}", built.content)
        _run_step(build_step, runner, context)
        shutil.copytree(runner / upload["path"], artifacts / _expand(upload["name"], context))

    runner = _runner(tmp_path, "runner-merge", built.content)
    download = _step_using(merge_job, "actions/download-artifact")["with"]
    for artifact in sorted(artifacts.iterdir()):
        if fnmatch.fnmatch(artifact.name, download["pattern"]):
            shutil.copytree(artifact, runner / download["path"] / artifact.name)
    [merge_step] = _kb_steps(merge_job)
    _run_step(merge_step, runner, {})
    published = runner / _step_using(merge_job, "actions/upload-pages-artifact")["with"]["path"]

    single = _runner(tmp_path, "runner-single", built.content)
    clean_build = {"run": "kb build --jobs 1 --clean", "env": {"KB_SITE_URL": SITE_URL}}
    _run_step(clean_build, single, {})
    assert_same_files(published, single / "site")


def test_the_readme_workflow_is_valid_pinned_and_least_privilege(tmp_path):
    text = readme_workflow()
    path = tmp_path / "deploy-in-shards.yml"
    path.write_text(text, "utf-8")
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        checked = _tool("check-jsonschema", "--builtin-schema", schema, path)
        assert "ok -- validation done" in checked.stdout, checked.stdout + checked.stderr
    audited = _tool("zizmor", "--offline", "--no-progress", "--color", "never", path)
    assert "No findings to report" in audited.stdout, audited.stdout + audited.stderr

    # The same pins as the project's own workflows, each with the version it was tagged with.
    known = {}
    for workflow in WORKFLOWS.glob("*.yml"):
        for match in map(PINNED_USES.match, workflow.read_text("utf-8").splitlines()):
            if match:
                known[match[1]] = match[2]
    uses = [line for line in text.splitlines() if "uses:" in line]
    assert len(uses) >= 10
    for line in uses:
        match = PINNED_USES.match(line)
        assert match, f"not pinned to a commit with its version: {line.strip()}"
        assert known.get(match[1], match[2]) == match[2], f"pinned elsewhere otherwise: {line}"

    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {}
    writes = sorted(
        (name, scope)
        for name, job in workflow["jobs"].items()
        for scope, level in job["permissions"].items()
        if level == "write"
    )
    assert writes == [("deploy", "id-token"), ("deploy", "pages")]
    assert not any("run" in step for step in workflow["jobs"]["deploy"]["steps"])


def _tool(name: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    tool = BIN / name
    assert tool.is_file(), f"{name} is not installed: pip install -e '.[test]'"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env["NO_COLOR"] = "1"
    result = subprocess.run(
        [str(tool), *map(str, args)], env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result
