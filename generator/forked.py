"""Work for a second CPU: a forked process that sends its result back down a pipe.

Forking (Linux) starts in milliseconds with everything already in memory, where a
new interpreter would spend seconds importing and receiving the knowledge base.
It is used only when it is safe and useful: on Linux, with a second CPU to run
on, and with no other thread that the fork could catch holding a lock.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass


def available() -> bool:
    """Whether work can go to a forked process on another CPU."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return False
    return len(os.sched_getaffinity(0)) >= 2


@dataclass(frozen=True)
class Forked:
    """A running second process; ``result`` waits for what it sends."""

    pid: int
    read_end: int

    def result(self) -> bytes | None:
        """The bytes the work returned, or None if the process failed or was killed."""
        try:
            with open(self.read_end, "rb") as pipe:
                data = pipe.read()
        finally:
            _, status = os.waitpid(self.pid, 0)
        return data if status == 0 else None


def start(work: Callable[[], bytes]) -> Forked | None:
    """Run ``work`` in a forked process, or None if one cannot be started.

    The process sends the bytes ``work`` returns and leaves at once, without any
    clean-up (``os._exit``): nothing of the parent's state is flushed or run twice.
    """
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:
        status = 1
        try:
            os.close(read_end)
            data = work()
            with open(write_end, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return Forked(pid, read_end)
