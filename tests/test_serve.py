"""`kb serve`: the preview server regenerates pages when a record changes."""

from __future__ import annotations

import ctypes
import errno
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import PROJECT_ROOT, kb_env, run_kb, write_kb

EVENT = """
title: Acme opens its first plant
date: 2026-03-10
status: occurred
type: product
companies: [acme]
topics: [industry]
lang: en
summary: Acme opened its first plant.
sources:
  - title: Acme press release
    published: 2026-03-10
    lang: en
    url: https://acme.example/news/plant
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Served:
    """A ``kb serve`` process on a free port, its messages going to a file so that a long
    run can never fill a pipe and stall it."""

    def __init__(self, tmp_path: Path, content: Path, *options: str) -> None:
        if "--config-file" not in options:
            options = ("--docs-dir", str(tmp_path / "docs"), *options)
        self.port = _free_port()
        self.log = tmp_path / "serve.log"
        with self.log.open("w", encoding="utf-8") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "generator.cli",
                    "serve",
                    "-a",
                    f"127.0.0.1:{self.port}",
                    "--content",
                    str(content),
                    *options,
                ],
                cwd=PROJECT_ROOT,
                env=kb_env(),
                stdout=subprocess.DEVNULL,
                stderr=log,
                text=True,
            )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def wait_for(self, path: str, needle: str, timeout: float) -> str:
        """The page at ``path`` once it contains ``needle``; fails after ``timeout`` seconds,
        or at once if the server has stopped, with what it said."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"kb serve exited with {self.process.returncode}:\n{self.messages()}"
                )
            try:
                with urllib.request.urlopen(self.url(path), timeout=5) as response:
                    last = response.read().decode("utf-8")
                if needle in last:
                    return last
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise AssertionError(
            f"{path} did not show {needle!r} within {timeout} s; last page:\n{last}\n"
            f"kb serve said:\n{self.messages()}"
        )

    def stop(self) -> str:
        """Stop the server as a terminal's Ctrl-C would, and return what it said."""
        self.process.terminate()
        self.process.wait(timeout=30)
        return self.messages()

    def messages(self) -> str:
        return self.log.read_text(encoding="utf-8")


def _acme(tmp_path: Path) -> Path:
    return write_kb(
        tmp_path,
        companies={"acme": "name: Acme\n"},
        topics={"industry": "name: Industry\n"},
        events={"acme/2026-03-10-plant": EVENT},
    )


def _edit_title(content: Path, old: str, new: str) -> None:
    record = content / "events" / "acme" / "2026-03-10-plant.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


PAGE = "events/acme/2026-03-10-plant/"


def test_serve_regenerates_a_page_when_its_record_changes(tmp_path: Path) -> None:
    content = _acme(tmp_path)
    server = _Served(tmp_path, content)
    try:
        server.wait_for(PAGE, "Acme opens its first plant", timeout=60)

        _edit_title(content, "its first plant", "its second plant")
        server.wait_for(PAGE, "Acme opens its second plant", timeout=60)
        # Pages listing the event are rebuilt too, not only the event's own.
        server.wait_for("companies/acme/", "its second plant", timeout=10)
        server.wait_for("timeline/2026/", "its second plant", timeout=10)

        # A broken record keeps the last good pages served and says what is wrong.
        record = content / "events" / "acme" / "2026-03-10-plant.yaml"
        record.write_text("title: [unclosed\n", encoding="utf-8")
        time.sleep(3)
        server.wait_for(PAGE, "Acme opens its second plant", timeout=10)
    finally:
        stderr = server.stop()
    assert "Traceback" not in stderr, stderr
    assert (
        "content/events/acme/2026-03-10-plant.yaml:2:1: error: "
        "invalid YAML: did not find expected ',' or ']'" in stderr.replace(str(tmp_path) + "/", "")
    ), stderr
    assert "Pages not updated; fix the errors above." in stderr
    assert "dirty" not in stderr, stderr
    # Quiet when all is well: no word of how changes are watched.
    assert "note:" not in stderr, stderr


def _serve_one_edit(tmp_path: Path, *options: str) -> str:
    """Serve, edit the event's title, see the page show it; what the server said."""
    content = _acme(tmp_path)
    server = _Served(tmp_path, content, *options)
    try:
        server.wait_for(PAGE, "Acme opens its first plant", timeout=60)
        _edit_title(content, "its first plant", "its polled plant")
        server.wait_for(PAGE, "Acme opens its polled plant", timeout=30)
    finally:
        stderr = server.stop()
    assert "Traceback" not in stderr, stderr
    return stderr


def test_serve_works_on_a_fresh_clone_before_anything_is_generated(tmp_path: Path) -> None:
    # The project's own mkdocs.yml, whose docs_dir (generated/) does not exist yet, as on a
    # fresh clone where `kb serve` is the first command run.
    project = tmp_path / "project"
    (project / "generator").mkdir(parents=True)
    (project / "mkdocs.yml").write_text(
        (PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (project / "generator" / "theme").symlink_to(PROJECT_ROOT / "generator" / "theme")
    content = _acme(tmp_path)
    server = _Served(tmp_path, content, "--config-file", str(project / "mkdocs.yml"))
    try:
        server.wait_for(PAGE, "Acme opens its first plant", timeout=60)
    finally:
        stderr = server.stop()
    assert "error" not in stderr, stderr
    assert (project / "generated" / "events" / "acme" / "2026-03-10-plant.md").is_file()


def test_serve_polls_for_changes_when_asked(tmp_path: Path) -> None:
    stderr = _serve_one_edit(tmp_path, "--poll")
    assert "note:" not in stderr, stderr


@contextmanager
def _notifications_used_up() -> Iterator[None]:
    """Every file-notification instance this user may have, held by another process, as
    on a machine whose other programs took them all."""
    hog = subprocess.Popen(
        [sys.executable, "-c", _HOG],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = hog.stdout.readline() if hog.stdout else ""
        assert line.startswith("held "), f"the holding process said {line!r}"
        yield
    finally:
        hog.kill()
        hog.wait(timeout=10)


# Takes inotify instances until the system refuses one, says how many, then waits.
_HOG = """
import ctypes, errno, resource, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
libc = ctypes.CDLL(None, use_errno=True)
held = 0
while held < 1_000_000 and libc.inotify_init() >= 0:
    held += 1
print("held", held, errno.errorcode.get(ctypes.get_errno(), "none"), flush=True)
time.sleep(600)
"""


def test_serve_watches_by_polling_when_the_system_refuses_notifications(tmp_path: Path) -> None:
    with _notifications_used_up():
        libc = ctypes.CDLL(None, use_errno=True)
        assert libc.inotify_init() == -1 and ctypes.get_errno() == errno.EMFILE
        stderr = _serve_one_edit(tmp_path)
    assert stderr.splitlines()[0] == (
        "note: watching by polling; file notifications failed: inotify instance limit reached"
    ), stderr


def test_serve_refuses_a_taken_port_before_generating_anything(tmp_path: Path) -> None:
    content = _acme(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_kb(
            "serve",
            "-a",
            f"127.0.0.1:{port}",
            "--content",
            content,
            "--docs-dir",
            tmp_path / "docs",
        )
    assert result.returncode == 1
    assert result.stderr == f"error: cannot serve on 127.0.0.1:{port}: Address already in use\n"
    assert not (tmp_path / "docs").exists()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("nonsense", "cannot serve: Config value 'dev_addr': Must be a string of format 'IP:PORT'"),
        ("127.0.0.1:99999", "cannot serve on 127.0.0.1:99999: port must be 0-65535"),
    ],
)
def test_serve_refuses_an_address_it_cannot_serve_on(tmp_path: Path, address, message) -> None:
    content = _acme(tmp_path)
    result = run_kb("serve", "-a", address, "--content", content, "--docs-dir", tmp_path / "docs")
    assert result.returncode == 1
    assert result.stderr == f"error: {message}\n"
    assert not (tmp_path / "docs").exists()
