"""Side-by-side timing on a shared, noisy machine: interleave the two sides, repeat, take medians.

Running side A ten times and then side B ten times lets a neighbour's burst of work land on one
side only; alternating them (A B, B A, A B, …) spreads any burst over both.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def interleaved(sides: Mapping[str, Callable[[], float]], repeats: int) -> dict[str, list[float]]:
    """Call each side `repeats` times, alternating their order every round; each call returns its own measure."""
    names = list(sides)
    results: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(repeats):
        for name in names if round_number % 2 == 0 else reversed(names):
            results[name].append(sides[name]())
    return results


def timed(work: Callable[[], object]) -> Callable[[], float]:
    """A side that runs `work` and returns how long it took, in seconds."""

    def side() -> float:
        started = time.perf_counter()
        work()
        return time.perf_counter() - started

    return side


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ratio_of_medians(results: Mapping[str, Sequence[float]], numerator: str, denominator: str) -> float:
    return median(results[numerator]) / median(results[denominator])


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far, all its threads included (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    user, system = int(fields[11]), int(fields[12])
    return (user + system) / _CLOCK_TICKS


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"
