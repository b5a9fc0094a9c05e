"""Fixtures for the end-to-end tests: the real site built once, served, and small fixture KBs."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import MKDOCS_YML, PROJECT_ROOT, TODAY_EPOCH, run_kb, serve_directory, write_kb


@dataclass(frozen=True)
class Build:
    """One run of ``kb build``: where it wrote, and what it said."""

    docs: Path
    site: Path
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="session", autouse=True)
def private_record_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """kb keeps its record cache in the user's cache folder: the tests use their own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture
def pinned_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs: "today" is 2026-03-12 and we are not inside GitHub Actions."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", TODAY_EPOCH)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Build:
    """``kb build`` (strict by default) of the real content/, once, into temporary folders."""
    base = tmp_path_factory.mktemp("real-build")
    docs, site = base / "docs", base / "site"
    result = run_kb(
        "build",
        "-f",
        MKDOCS_YML,
        "--docs-dir",
        docs,
        "--site-dir",
        site,
        cwd=project_root,
    )
    assert result.returncode == 0, f"kb build failed:\n{result.stdout}\n{result.stderr}"
    return Build(docs, site, result)


@pytest.fixture(scope="session")
def built_site(real_build: Build) -> Path:
    """The folder of the real site, built once per session."""
    return real_build.site


@pytest.fixture(scope="session")
def serve_site(built_site: Path) -> Iterator[str]:
    """The real site served over HTTP on 127.0.0.1; yields the base URL, ending in '/'."""
    with serve_directory(built_site) as url:
        yield url


@pytest.fixture
def make_kb(tmp_path: Path) -> Callable[..., Path]:
    """Write a small knowledge base into tmp_path; returns its content folder."""

    def make(
        *,
        companies: dict[str, str] | None = None,
        topics: dict[str, str] | None = None,
        events: dict[str, str] | None = None,
    ) -> Path:
        return write_kb(tmp_path, companies=companies, topics=topics, events=events)

    return make
