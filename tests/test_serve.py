"""`kb serve`: the preview server regenerates pages when a record changes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from helpers import PROJECT_ROOT, kb_env, write_kb

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


def _wait_for(url: str, needle: str, timeout: float) -> str:
    """The page at ``url`` once it contains ``needle``; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                last = response.read().decode("utf-8")
            if needle in last:
                return last
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not show {needle!r} within {timeout} s; last page:\n{last}")


def test_serve_regenerates_a_page_when_its_record_changes(tmp_path: Path) -> None:
    content = write_kb(
        tmp_path,
        companies={"acme": "name: Acme\n"},
        topics={"industry": "name: Industry\n"},
        events={"acme/2026-03-10-plant": EVENT},
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "serve",
            "-a",
            f"127.0.0.1:{port}",
            "--content",
            str(content),
            "--docs-dir",
            str(tmp_path / "docs"),
        ],
        cwd=PROJECT_ROOT,
        env=kb_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        page = f"http://127.0.0.1:{port}/events/acme/2026-03-10-plant/"
        _wait_for(page, "Acme opens its first plant", timeout=60)

        record = content / "events" / "acme" / "2026-03-10-plant.yaml"
        record.write_text(
            record.read_text(encoding="utf-8").replace("its first plant", "its second plant"),
            encoding="utf-8",
        )
        _wait_for(page, "Acme opens its second plant", timeout=60)
        # Pages listing the event are rebuilt too, not only the event's own.
        _wait_for(f"http://127.0.0.1:{port}/companies/acme/", "its second plant", timeout=10)
        _wait_for(f"http://127.0.0.1:{port}/timeline/2026/", "its second plant", timeout=10)

        # A broken record keeps the last good pages served and says what is wrong.
        record.write_text("title: [unclosed\n", encoding="utf-8")
        time.sleep(3)
        _wait_for(page, "Acme opens its second plant", timeout=10)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert "Traceback" not in stderr, stderr
    assert (
        "content/events/acme/2026-03-10-plant.yaml:2:1: error: "
        "invalid YAML: did not find expected ',' or ']'" in stderr.replace(str(tmp_path) + "/", "")
    ), stderr
    assert "Pages not updated; fix the errors above." in stderr
    assert "dirty" not in stderr, stderr
