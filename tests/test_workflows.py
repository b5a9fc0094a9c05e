"""GitHub Actions workflows and pre-commit hooks: schema-valid, zizmor-clean, least privilege.

check-jsonschema, zizmor and pre-commit are run from this interpreter's virtualenv and need no
network: the schemas are built into check-jsonschema, and zizmor runs with ``--offline``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
PR = WORKFLOWS / "pr.yml"
DEPLOY = WORKFLOWS / "deploy.yml"
HOOKS_MANIFEST = ROOT / ".pre-commit-hooks.yaml"
PRECOMMIT_CONFIG = ROOT / ".pre-commit-config.yaml"
PR_TEMPLATE = ROOT / ".github" / "pull_request_template.md"

BIN = Path(sys.executable).parent
SHA = re.compile(r"[0-9a-f]{40}")
# `uses: owner/repo[/path]@<40 hex> # vX.Y.Z`, the version the commit was tagged with.
PINNED_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)@([0-9a-f]{40})\s+#\s+v\d+\.\d+\.\d+\s*$")


def tool(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        pytest.fail(
            f"{name} is not installed in {BIN}: install the test tools with "
            f"`pip install -e '.[test]'` (check-jsonschema, zizmor and pre-commit)"
        )
    return path


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run a tool with no GitHub token in reach, so nothing can go online even by mistake."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN", "GITHUB_ACTIONS"}
    }
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """The `on:` mapping; YAML 1.1 (PyYAML) reads the bare key `on` as True."""
    on = workflow.get("on", workflow.get(True))
    assert isinstance(on, dict), f"`on:` should be a mapping, got {on!r}"
    return {name: spec or {} for name, spec in on.items()}


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps") or []


def all_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in steps(job)]


def action(step: dict[str, Any]) -> str | None:
    """`actions/checkout` for `uses: actions/checkout@<sha>`, None for a `run:` step."""
    uses = step.get("uses")
    return uses.split("@", 1)[0] if uses else None


def step_using(workflow: dict[str, Any], name: str) -> dict[str, Any]:
    found = [step for step in all_steps(workflow) if action(step) == name]
    assert len(found) == 1, f"expected one step using {name}, found {len(found)}"
    return found[0]


def scripts(workflow: dict[str, Any]) -> list[str]:
    return [step["run"] for step in all_steps(workflow) if "run" in step]


@pytest.fixture(scope="module")
def pr() -> dict[str, Any]:
    return load(PR)


@pytest.fixture(scope="module")
def deploy() -> dict[str, Any]:
    return load(DEPLOY)


# --- the tools ---------------------------------------------------------------------------------


def test_workflows_match_the_github_workflow_schema():
    result = run(
        tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", PR, DEPLOY
    )
    assert result.returncode == 0, output(result)
    assert "ok -- validation done" in result.stdout, output(result)


def test_every_job_has_a_timeout():
    result = run(
        tool("check-jsonschema"),
        "--builtin-schema",
        "custom.github-workflows-require-timeout",
        PR,
        DEPLOY,
    )
    assert result.returncode == 0, output(result)
    assert "ok -- validation done" in result.stdout, output(result)


def test_zizmor_finds_nothing():
    """Every offline audit, on the workflows and on the pre-commit files."""
    inputs = [p.relative_to(ROOT) for p in (WORKFLOWS, PRECOMMIT_CONFIG, HOOKS_MANIFEST)]
    result = run(tool("zizmor"), "--offline", "--no-progress", "--color", "never", *inputs)
    assert result.returncode == 0, output(result)
    assert "No findings to report" in result.stdout, output(result)
    for path in (PR, DEPLOY, PRECOMMIT_CONFIG, HOOKS_MANIFEST):
        assert f"completed {path.relative_to(ROOT)}" in result.stderr, output(result)


def test_zizmor_does_report_a_bad_workflow(tmp_path):
    """A control: the clean verdict above comes from audits that do run."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: pull_request_target\n"
        "jobs:\n"
        "  greet:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: example/some-action@v1\n"
        '      - run: echo "${{ github.event.pull_request.title }}"\n',
        encoding="utf-8",
    )
    result = run(tool("zizmor"), "--offline", "--no-progress", "--color", "never", bad)
    assert result.returncode != 0, output(result)
    for audit in ("template-injection", "unpinned-uses", "dangerous-triggers"):
        assert audit in result.stdout, f"{audit} not reported\n{output(result)}"


def test_pre_commit_files_are_valid():
    """check-jsonschema has no built-in pre-commit schema; pre-commit validates its own files."""
    pre_commit = tool("pre-commit")
    result = run(pre_commit, "validate-manifest", HOOKS_MANIFEST)
    assert result.returncode == 0, output(result)
    result = run(pre_commit, "validate-config", PRECOMMIT_CONFIG)
    assert result.returncode == 0, output(result)


# --- the pull request workflow -----------------------------------------------------------------


def test_pr_workflow_runs_on_pull_request_only(pr):
    on = triggers(pr)
    assert "pull_request" in on
    assert "pull_request_target" not in on
    assert "workflow_run" not in on


def test_pr_workflow_validates_builds_tests_and_uploads_the_site(pr):
    [job] = pr["jobs"].values()
    commands = "\n".join(scripts(pr))
    assert re.search(r"pip install -e '\.\[test\]'", commands)
    assert re.search(r"^kb validate\b", commands, re.M)
    assert re.search(r"^kb build --strict\b", commands, re.M)
    assert re.search(r"^python -m pytest\b", commands, re.M)
    assert "apt-get install -y chromium" in commands

    python = step_using(pr, "actions/setup-python")["with"]
    assert str(python["python-version"]) == "3.11"
    assert python["cache"] == "pip"
    assert python["cache-dependency-path"] == "pyproject.toml"

    upload = step_using(pr, "actions/upload-artifact")["with"]
    assert upload["path"].rstrip("/") == "site"

    # The site is uploaded after it is built.
    order = [step.get("run", action(step)) for step in steps(job)]
    assert order.index("kb build --strict") < order.index("actions/upload-artifact")


def test_no_expression_is_interpolated_into_a_script(pr, deploy):
    """Context values reach scripts through `env:`, never pasted into the shell text."""
    for workflow in (pr, deploy):
        for script in scripts(workflow):
            assert "${{" not in script, script


# --- the deploy workflow -----------------------------------------------------------------------


def test_deploy_runs_on_push_to_main(deploy):
    on = triggers(deploy)
    assert on["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in on
    assert "pull_request" not in on
    assert "pull_request_target" not in on


def test_deploys_never_overlap(deploy):
    concurrency = deploy["concurrency"]
    assert concurrency["group"]
    assert concurrency["cancel-in-progress"] is False


def test_deploy_builds_then_publishes_to_pages(deploy):
    build, publish = deploy["jobs"]["build"], deploy["jobs"]["deploy"]
    commands = "\n".join(scripts(deploy))
    assert re.search(r"^kb validate\b", commands, re.M)
    assert re.search(r"^kb build --strict\b", commands, re.M)

    built_by = [action(step) for step in steps(build)]
    assert "actions/configure-pages" in built_by
    assert "actions/upload-pages-artifact" in built_by
    assert step_using(deploy, "actions/upload-pages-artifact")["with"]["path"] == "site"

    assert publish["needs"] in ("build", ["build"])
    assert publish["environment"]["name"] == "github-pages"
    deploy_step = step_using(deploy, "actions/deploy-pages")
    assert deploy_step in steps(publish)
    assert publish["environment"]["url"] == (
        "${{ steps." + deploy_step["id"] + ".outputs.page_url }}"
    )
    # The job that holds the Pages token runs no project code.
    assert not any("run" in step for step in steps(publish))


def test_deploy_uses_no_dependency_cache(deploy):
    """What is published is built from a clean install, never from a restored cache."""
    for step in all_steps(deploy):
        assert action(step) != "actions/cache"
        assert "cache" not in (step.get("with") or {}), step


# --- both workflows ----------------------------------------------------------------------------


def test_permissions_are_least_privilege(pr, deploy):
    for workflow in (pr, deploy):
        assert workflow["permissions"] == {}
        for name, job in workflow["jobs"].items():
            assert isinstance(job.get("permissions"), dict), f"job {name} sets no permissions"
    assert pr["jobs"]["check"]["permissions"] == {"contents": "read"}
    assert deploy["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    writes = [
        (name, scope)
        for workflow in (pr, deploy)
        for name, job in workflow["jobs"].items()
        for scope, level in job["permissions"].items()
        if level == "write"
    ]
    assert sorted(writes) == [("deploy", "id-token"), ("deploy", "pages")]


def test_jobs_have_timeouts(pr, deploy):
    for workflow in (pr, deploy):
        for name, job in workflow["jobs"].items():
            assert 0 < job["timeout-minutes"] <= 60, name


def test_checkout_keeps_no_credentials(pr, deploy):
    for workflow in (pr, deploy):
        for step in all_steps(workflow):
            if action(step) == "actions/checkout":
                assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("path", [PR, DEPLOY], ids=lambda p: p.name)
def test_actions_are_pinned_to_a_commit(path):
    workflow = load(path)
    for step in all_steps(workflow):
        uses = step.get("uses")
        if uses is None or uses.startswith(("./", "docker://")):
            continue
        ref = uses.split("@", 1)[1] if "@" in uses else ""
        assert SHA.fullmatch(ref), f"{uses} is not pinned to a full commit SHA"

    # In the text, each pin carries the version it was tagged with, as `# vX.Y.Z`.
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        assert PINNED_USES.match(line), f"pin without a `# vX.Y.Z` comment: {line.strip()}"


def test_an_action_is_pinned_to_the_same_commit_everywhere():
    pins: dict[str, set[str]] = {}
    for path in (PR, DEPLOY):
        for match in map(PINNED_USES.match, path.read_text(encoding="utf-8").splitlines()):
            if match:
                pins.setdefault(match[1], set()).add(match[2])
    assert pins
    assert {name: shas for name, shas in pins.items() if len(shas) > 1} == {}


# --- pre-commit --------------------------------------------------------------------------------


def test_published_hook_runs_kb_validate_on_records():
    [hook] = yaml.safe_load(HOOKS_MANIFEST.read_text(encoding="utf-8"))
    assert hook["id"] == "kb-validate"
    assert hook["language"] == "python"
    assert hook["entry"] == "kb validate"
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("content/events/alibaba/2026-03-19-quarterly-results.yaml")
    assert files.search("content/companies/alibaba.yaml")
    assert not files.search("generator/cli.py")
    assert not files.search("mkdocs.yml")
    assert not files.search("tests/content/events/x.yaml")


def test_own_config_uses_the_hook_locally_and_ruff():
    config = load(PRECOMMIT_CONFIG)
    [manifest_hook] = yaml.safe_load(HOOKS_MANIFEST.read_text(encoding="utf-8"))
    hooks = {
        hook["id"]: hook
        for repo in config["repos"]
        if repo["repo"] == "local"
        for hook in repo["hooks"]
    }
    local = hooks["kb-validate"]
    for key in ("entry", "pass_filenames", "files"):
        assert local[key] == manifest_hook[key], key
    assert {"ruff-check", "ruff-format"} <= hooks.keys()
    assert hooks["ruff-check"]["entry"].startswith("ruff check")
    assert hooks["ruff-format"]["entry"].startswith("ruff format")
    # Offline: nothing is fetched, every hook runs a tool that is already installed.
    assert all(repo["repo"] == "local" for repo in config["repos"])
    assert all(hook["language"] in ("system", "unsupported") for hook in hooks.values())


# --- the pull request template -----------------------------------------------------------------


def test_pull_request_template_has_the_contributor_checklist():
    text = PR_TEMPLATE.read_text(encoding="utf-8")
    boxes = re.findall(r"^- \[ \] ", text, re.M)
    assert len(boxes) >= 5
    for needle in (
        "content/events/<company>/<date>-<slug>.yaml",
        "url",
        "kb validate",
        "make serve",
        "invented",
    ):
        assert needle in text, needle
