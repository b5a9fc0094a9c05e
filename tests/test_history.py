"""When record files were added and changed: in a git repository made here, and without git."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from helpers import epoch, git_env

from generator import history
from generator.history import FileDates, file_history, parse_log

D = dt.date


class Repo:
    """A git repository in a temporary folder, with commits at fixed times."""

    def __init__(self, root: Path) -> None:
        assert shutil.which("git"), "git is needed to test the history of records"
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, when: str | None = None) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env=git_env(when),
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def write(self, path: str, text: str = "x: 1\n") -> Path:
        file = self.root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
        return file

    def commit(self, when: str, message: str = "change") -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, when=when)


def _touch(path: Path, when: str) -> None:
    os.utime(path, (epoch(when), epoch(when)))


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No repository above tmp_path is ever found, and no GIT_* variable leaks in."""
    for name in list(os.environ):
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)


@pytest.fixture
def repo(tmp_path, isolated) -> Repo:
    """Added, changed, renamed, deleted and never-committed records, and a file beside content/.

    - 2026-01-05: a.yaml, b.yaml, old-name.yaml and gone.yaml are added
    - 2026-02-10 23:30 UTC (00:30 on the 11th in UTC+1): a.yaml changes, old-name.yaml
      becomes new-name.yaml
    - 2026-03-01: gone.yaml is deleted; README.md, outside content/, is added
    - not committed: fresh.yaml (last modified 2026-03-05) and a local edit of b.yaml
    """
    r = Repo(tmp_path / "repo")
    r.write("content/events/acme/a.yaml")
    r.write("content/companies/b.yaml")
    r.write("content/events/acme/old-name.yaml", "renamed: yes\n")
    r.write("content/topics/gone.yaml")
    r.commit("2026-01-05T10:00:00+00:00")
    r.write("content/events/acme/a.yaml", "x: 2\n")
    r.git("mv", "content/events/acme/old-name.yaml", "content/events/acme/new-name.yaml")
    r.commit("2026-02-11T00:30:00+01:00")
    (r.root / "content/topics/gone.yaml").unlink()
    r.write("README.md", "readme\n")
    r.commit("2026-03-01T12:00:00+00:00")
    _touch(r.write("content/topics/fresh.yaml"), "2026-03-05T12:00:00+00:00")
    _touch(r.write("content/companies/b.yaml", "x: local edit\n"), "2026-03-07T12:00:00+00:00")
    return r


def test_dates_from_git_for_every_file_on_disk(repo):
    found = file_history(repo.root / "content")
    assert found == {
        "content/companies/b.yaml": FileDates(D(2026, 1, 5), D(2026, 1, 5)),
        "content/events/acme/a.yaml": FileDates(D(2026, 1, 5), D(2026, 2, 10)),
        # A renamed file is new under its new name (its id and address are new).
        "content/events/acme/new-name.yaml": FileDates(D(2026, 2, 10), D(2026, 2, 10)),
        # Not committed yet: the time it was last written.
        "content/topics/fresh.yaml": FileDates(D(2026, 3, 5), D(2026, 3, 5)),
    }
    # Sorted by path, so anything built from it comes out in the same order.
    assert list(found) == sorted(found)


@pytest.fixture
def far_east(monkeypatch):
    """The machine's local time is UTC+14, where 23:30 UTC is already the next day."""
    monkeypatch.setenv("TZ", "KIRI-14")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_commit_dates_are_utc_days(repo, far_east):
    # The rename was committed at 00:30 on 11 February in UTC+1, 23:30 on the 10th in UTC.
    assert repo.git("log", "-1", "--skip=1", "--format=%ci").strip() == "2026-02-11 00:30:00 +0100"
    assert file_history(repo.root / "content")["content/events/acme/new-name.yaml"].added == D(
        2026, 2, 10
    )


def test_folder_below_the_top_of_the_repository(tmp_path, isolated):
    r = Repo(tmp_path / "repo")
    r.write("kb/content/companies/a.yaml")
    # The same path relative to the repository root, outside the content folder.
    r.write("companies/a.yaml")
    r.commit("2026-01-05T10:00:00+00:00")
    r.write("companies/a.yaml", "later\n")
    r.write("kb/README.md", "later\n")
    r.commit("2026-02-01T10:00:00+00:00")
    assert file_history(r.root / "kb" / "content") == {
        "content/companies/a.yaml": FileDates(D(2026, 1, 5), D(2026, 1, 5)),
    }


def test_key_prefix_is_the_folder_name_as_the_loader_spells_it(tmp_path, isolated):
    r = Repo(tmp_path / "repo")
    r.write("records/topics/t.yaml")
    r.commit("2026-01-05T10:00:00+00:00")
    assert list(file_history(r.root / "records")) == ["records/topics/t.yaml"]


def test_odd_file_names_read_back_exactly(tmp_path, isolated):
    r = Repo(tmp_path / "repo")
    names = ["content/topics/new\nline.yaml", "content/topics/\nleading.yaml", "content/é ü.yaml"]
    for name in names:
        r.write(name)
    r.commit("2026-01-05T10:00:00+00:00")
    assert file_history(r.root / "content") == {
        name: FileDates(D(2026, 1, 5), D(2026, 1, 5)) for name in sorted(names)
    }


def test_hidden_files_and_folders_are_skipped(repo):
    repo.write("content/.hidden.yaml")
    repo.write("content/.cache/events/x.yaml")
    repo.commit("2026-03-02T10:00:00+00:00")
    found = file_history(repo.root / "content")
    assert not [path for path in found if "/." in path]
    assert len(found) == 4


def test_repository_without_commits_uses_file_times(tmp_path, isolated):
    r = Repo(tmp_path / "repo")
    _touch(r.write("content/companies/a.yaml"), "2025-12-24T18:00:00+00:00")
    assert file_history(r.root / "content") == {
        "content/companies/a.yaml": FileDates(D(2025, 12, 24), D(2025, 12, 24)),
    }


def test_outside_git_every_date_is_the_file_time(tmp_path, isolated, far_east):
    content = tmp_path / "content"
    (content / "events" / "acme").mkdir(parents=True)
    a = content / "events" / "acme" / "a.yaml"
    a.write_text("x: 1\n", encoding="utf-8")
    b = content / "companies.yaml"
    b.write_text("x: 1\n", encoding="utf-8")
    _touch(a, "2026-01-31T23:59:59+00:00")
    _touch(b, "2026-02-01T00:00:00-01:00")  # 01:00 UTC on 1 February
    assert file_history(content) == {
        "content/companies.yaml": FileDates(D(2026, 2, 1), D(2026, 2, 1)),
        "content/events/acme/a.yaml": FileDates(D(2026, 1, 31), D(2026, 1, 31)),
    }


def test_without_a_git_binary_every_date_is_the_file_time(repo, tmp_path):
    content = repo.root / "content"
    _touch(content / "events" / "acme" / "a.yaml", "2026-03-09T08:00:00+00:00")
    found = file_history(content, git=str(tmp_path / "no-such-git"))
    assert found["content/events/acme/a.yaml"] == FileDates(D(2026, 3, 9), D(2026, 3, 9))
    assert found["content/topics/fresh.yaml"] == FileDates(D(2026, 3, 5), D(2026, 3, 5))
    assert len(found) == 4


def test_git_that_fails_falls_back_to_file_times(repo, tmp_path):
    failing = tmp_path / "failing-git"
    failing.write_text("#!/bin/sh\necho 'fatal: broken' >&2\nexit 128\n", encoding="utf-8")
    failing.chmod(0o755)
    content = repo.root / "content"
    _touch(content / "companies" / "b.yaml", "2026-03-03T08:00:00+00:00")
    found = file_history(content, git=str(failing))
    assert found["content/companies/b.yaml"] == FileDates(D(2026, 3, 3), D(2026, 3, 3))


def test_missing_content_folder_gives_nothing(tmp_path, isolated):
    assert file_history(tmp_path / "nowhere") == {}


def test_git_variables_of_another_repository_are_ignored(repo, tmp_path, monkeypatch):
    other = Repo(tmp_path / "other")
    other.write("content/events/acme/a.yaml", "other\n")
    other.commit("2020-01-01T00:00:00+00:00")
    monkeypatch.setenv("GIT_DIR", str(other.root / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other.root))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other.root / ".git" / "index"))
    found = file_history(repo.root / "content")
    assert found["content/events/acme/a.yaml"] == FileDates(D(2026, 1, 5), D(2026, 2, 10))


def test_one_git_process_for_the_whole_folder(repo, monkeypatch):
    calls = []
    real_run = subprocess.run

    def counting_run(*args, **kwargs):
        calls.append(args[0])
        return real_run(*args, **kwargs)

    for i in range(30):
        repo.write(f"content/events/acme/more-{i}.yaml")
    repo.commit("2026-03-02T10:00:00+00:00")
    monkeypatch.setattr(history.subprocess, "run", counting_run)
    found = file_history(repo.root / "content")
    assert len(found) == 34
    assert calls == [history.GIT_LOG]


def test_the_log_is_read_again_only_when_another_commit_is_checked_out(repo, monkeypatch):
    """Builds with the render cache (kb build, and kb serve after every edit) keep git's
    log under the commit checked out: reading it grows with the number of commits."""
    from generator.pipeline import file_dates
    from generator.render_cache import RenderCache

    logs = []
    real_run = subprocess.run

    def counting_run(*args, **kwargs):
        if tuple(args[0]) == history.GIT_LOG:
            logs.append(1)
        return real_run(*args, **kwargs)

    monkeypatch.setattr(history.subprocess, "run", counting_run)
    content = repo.root / "content"
    cache = RenderCache()
    first = file_dates(content, cache)
    cache = cache.carried()  # the next build
    assert file_dates(content, cache) == first == file_history(content)
    assert len(logs) == 2  # the first build's, and file_history's own

    repo.write("content/events/acme/a.yaml", "x: 3\n")
    repo.commit("2026-04-02T10:00:00+00:00")
    again = file_dates(content, cache.carried())
    assert again["content/events/acme/a.yaml"] == FileDates(D(2026, 1, 5), D(2026, 4, 2))
    assert again == file_history(content)
    assert len(logs) == 4


def test_same_repository_gives_the_same_mapping(repo):
    first = file_history(repo.root / "content")
    second = file_history(repo.root / "content")
    assert first == second
    assert list(first.items()) == list(second.items())


# --- the log parser alone -------------------------------------------------------------------


def _log(*commits: tuple[int, list[str]]) -> bytes:
    """Output as ``git log -z --format=/%ct --name-only`` prints it."""
    out = b""
    for when, paths in commits:
        out += f"/{when}".encode() + b"\0"
        if paths:
            out += b"\n" + b"".join(p.encode() + b"\0" for p in paths)
    return out


DAY = 86_400


def test_parse_log_takes_earliest_and_latest_whatever_the_order():
    output = _log(
        (20 * DAY, ["b.yaml"]),
        (30 * DAY, ["a.yaml", "b.yaml"]),  # out of order, as on merged branches
        (10 * DAY, ["a.yaml"]),
    )
    assert parse_log(output) == {
        "a.yaml": FileDates(D(1970, 1, 11), D(1970, 1, 31)),
        "b.yaml": FileDates(D(1970, 1, 21), D(1970, 1, 31)),
    }


def test_parse_log_commits_without_paths_and_names_with_newlines():
    output = _log((5 * DAY, []), (4 * DAY, ["\nstarts.yaml", "x\ny.yaml"]), (3 * DAY, []))
    assert parse_log(output) == {
        "\nstarts.yaml": FileDates(D(1970, 1, 5), D(1970, 1, 5)),
        "x\ny.yaml": FileDates(D(1970, 1, 5), D(1970, 1, 5)),
    }
    assert parse_log(b"") == {}


def test_parse_log_refuses_paths_before_any_commit():
    with pytest.raises(ValueError, match="does not start with a commit line"):
        parse_log(b"a.yaml\0")


def test_parse_log_is_linear_on_fifty_thousand_files():
    paths = [f"events/c{i // 100}/2026-01-01-e{i}.yaml" for i in range(50_000)]
    output = _log(
        (3 * DAY, paths[:1000]),
        (2 * DAY, paths[::2]),
        (1 * DAY, paths),
    )
    start = time.perf_counter()
    found = parse_log(output)
    elapsed = time.perf_counter() - start
    assert len(found) == 50_000
    assert found[paths[0]] == FileDates(D(1970, 1, 2), D(1970, 1, 4))
    assert found[paths[1]] == FileDates(D(1970, 1, 2), D(1970, 1, 4))
    assert found[paths[1001]] == FileDates(D(1970, 1, 2), D(1970, 1, 2))
    assert found[paths[1002]] == FileDates(D(1970, 1, 2), D(1970, 1, 3))
    assert elapsed < 2.0, f"parsing 50,000 files took {elapsed:.2f} s"
