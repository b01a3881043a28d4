"""Samples the resident memory (RSS) of processes over time, and says whether it stays flat."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median


def rss_mb(pid: int) -> float | None:
    """The process's resident memory in MB (VmRSS in /proc), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


@dataclass
class MemorySeries:
    """(seconds since the start, MB) samples of one process."""

    samples: list[tuple[float, float]] = field(default_factory=list)

    def after(self, seconds: float) -> list[tuple[float, float]]:
        return [sample for sample in self.samples if sample[0] >= seconds]

    def start_mb(self, warm_up: float, span: float = 30.0) -> float | None:
        """Median of the samples in the first `span` seconds after `warm_up`."""
        values = [mb for at, mb in self.after(warm_up) if at < warm_up + span]
        return median(values) if values else None

    def end_mb(self, span: float = 30.0) -> float | None:
        """Median of the samples in the last `span` seconds."""
        if not self.samples:
            return None
        last = self.samples[-1][0]
        return median(mb for at, mb in self.samples if at >= last - span)

    def max_mb(self) -> float | None:
        return max((mb for _, mb in self.samples), default=None)

    def slope_mb_per_minute(self, warm_up: float) -> float | None:
        """Least-squares slope of the samples after `warm_up`, in MB per minute."""
        points = self.after(warm_up)
        if len(points) < 3:
            return None
        mean_t = sum(t for t, _ in points) / len(points)
        mean_m = sum(m for _, m in points) / len(points)
        spread = sum((t - mean_t) ** 2 for t, _ in points)
        if spread == 0:
            return None
        return 60 * sum((t - mean_t) * (m - mean_m) for t, m in points) / spread


class MemorySampler:
    """Samples named processes every `every` seconds in a thread; `pids` is asked each time
    (a restarted process has a new pid)."""

    def __init__(self, pids: Callable[[], dict[str, int]], every: float = 5.0):
        self._pids = pids
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)
        self._started = 0.0
        self.series: dict[str, MemorySeries] = {}

    def start(self) -> None:
        self._started = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> MemorySampler:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while True:
            at = time.monotonic() - self._started
            for name, pid in self._pids().items():
                mb = rss_mb(pid)
                if mb is not None:
                    self.series.setdefault(name, MemorySeries()).samples.append((at, mb))
            if self._stop.wait(self._every):
                return
