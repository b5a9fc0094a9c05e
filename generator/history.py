"""When each record file was first added and last changed.

The dates come from git when the content folder is in a git repository: one
``git log`` over the content folder, read once, whatever the number of files.
A file git does not know (not yet committed), and every file when there is no
git or no repository, takes the date it was last modified on disk.

Paths are followed as paths: a renamed file counts as added when it got its
new name (its id and its page address are new then), and a tracked file with
uncommitted changes keeps the dates of its commits.

Dates are UTC calendar dates of the commit time (``%ct``), so the same
repository gives the same dates on every machine.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from .loader import walk

#: Environment variables that would point git at another repository than the one
#: the content folder lives in (``git rev-parse --local-env-vars``), e.g. inside a hook.
_LOCAL_GIT_VARIABLES = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_OBJECT_DIRECTORY",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_GRAFT_FILE",
        "GIT_INDEX_FILE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
        "GIT_PREFIX",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_SHALLOW_FILE",
        "GIT_COMMON_DIR",
    }
)
#: Marks a commit's line in the log: a path git prints never starts with "/".
_COMMIT_MARK = "/"
#: The one git command: every commit that touched the folder, with its commit time and
#: the paths it touched, relative to the folder, NUL-separated so that any name reads back.
GIT_LOG = (
    "git",
    # Settings that would change what git log prints.
    "-c",
    "log.showSignature=false",
    "-c",
    "log.follow=false",
    "log",
    "-z",
    f"--format={_COMMIT_MARK}%ct",
    "--name-only",
    "--no-renames",
    "--relative",
    "--no-color",
    "--",
    ".",
)


class FileDates(NamedTuple):
    added: dt.date
    changed: dt.date


def file_history(content: Path, *, git: str = "git") -> dict[str, FileDates]:
    """Dates of every file under ``content`` by its path in the repository (``content/...``).

    Keys are spelt as the loader spells a record's ``edit_path``; hidden files and
    folders are skipped as the loader skips them. The mapping is sorted by path.
    """
    return dated_files(content.name, modified_times(content), git_dates(content, git=git))


def dated_files(
    prefix: str, modified: Iterable[tuple[str, float]], committed: dict[str, FileDates] | None
) -> dict[str, FileDates]:
    """``file_history`` from the files' modification times, (path inside the folder
    named ``prefix``, time), and the commit dates git gave (``git_dates``)."""
    committed = committed or {}
    history: dict[str, FileDates] = {}
    for relative, when in sorted(modified, key=lambda item: item[0]):
        dates = committed.get(relative)
        if dates is None:
            day = _utc_date(when)
            dates = FileDates(day, day)
        history[f"{prefix}/{relative}"] = dates
    return history


def modified_times(content: Path) -> Iterator[tuple[str, float]]:
    """(path relative to ``content`` with "/", modification time) of every regular file
    under it, found as the loader finds records (symbolic links are not records)."""
    for parts, entry in walk(str(content)):
        if entry.is_file(follow_symlinks=False):
            try:
                yield "/".join(parts), entry.stat(follow_symlinks=False).st_mtime
            except OSError:  # removed since the folder was listed
                continue


def git_head(folder: Path, *, git: str = "git") -> str | None:
    """The commit checked out in the repository holding ``folder``; None without one.
    The commit dates of the folder's files change only when it does."""
    output = _git(folder, git, "rev-parse", "--verify", "-q", "HEAD")
    return (output.decode().strip() or None) if output is not None else None


def git_dates(folder: Path, *, git: str = "git") -> dict[str, FileDates] | None:
    """Commit dates of the files git has seen under ``folder``, by path relative to it.

    None when git cannot answer: no git binary, not a repository, no commits yet,
    or a repository git refuses to read.
    """
    output = _git(folder, git, *GIT_LOG[1:])
    return parse_log(output) if output is not None else None


def _git(folder: Path, git: str, *arguments: str) -> bytes | None:
    """What ``git arguments`` prints in ``folder``, with no repository settings of the
    caller's; None when it cannot answer."""
    environment = {k: v for k, v in os.environ.items() if k not in _LOCAL_GIT_VARIABLES}
    try:
        done = subprocess.run(
            (git, *arguments),
            cwd=folder,
            env=environment,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except OSError:  # no git binary, or the folder is gone
        return None
    return done.stdout if done.returncode == 0 else None


def parse_log(output: bytes) -> dict[str, FileDates]:
    """Read the output of ``GIT_LOG``: first and last commit date of every path in it.

    One pass over the output. The dates are the earliest and the latest commit
    touching the path, so the order of the commits does not matter.
    """
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    mark = _COMMIT_MARK.encode()
    when: int | None = None
    after_header = False
    for token in output.split(b"\0"):
        if after_header and token.startswith(b"\n"):
            # git separates a commit's line from its list of paths with one newline.
            token = token[1:]
        after_header = False
        if not token:
            continue
        if token.startswith(mark):
            when = int(token[len(mark) :])
            after_header = True
            continue
        if when is None:
            raise ValueError("git log output does not start with a commit line")
        path = os.fsdecode(token)
        if path not in first or when < first[path]:
            first[path] = when
        if path not in last or when > last[path]:
            last[path] = when
    return {path: FileDates(_utc_date(first[path]), _utc_date(last[path])) for path in first}


def _utc_date(timestamp: float) -> dt.date:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).date()
