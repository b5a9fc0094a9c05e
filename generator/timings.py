"""Wall time and peak memory of each stage of a build, for progress and benchmarks."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Stage:
    name: str
    seconds: float
    #: the process's peak resident memory by the end of the stage (a high-water mark)
    peak_mib: float


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Timings:
    """Records stages as they finish; ``on_start`` lets the CLI show progress."""

    on_start: Callable[[str], None] | None = None
    stages: list[Stage] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.on_start:
            self.on_start(name)
        started = time.perf_counter()
        yield
        self.stages.append(Stage(name, time.perf_counter() - started, peak_mib()))

    def as_dict(self) -> dict[str, object]:
        return {"stages": [asdict(s) for s in self.stages]}
