"""Figures, the machine they were measured on, and how both are printed (a table or JSON).

Every figure is a ratio of two sides measured in the same run, so a slow or busy machine moves
both sides together; the absolute numbers behind it are kept in `measured` (for the table) and
`data` (for the JSON).
"""

from __future__ import annotations

import datetime
import math
import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

PACKAGES = ("torch", "faiss-cpu", "gradio", "gradio-client", "sentence-transformers", "bm25s")


@dataclass(frozen=True)
class Target:
    """`value <= bound` (at_most) or `value >= bound`."""

    bound: float
    at_most: bool = True

    def met(self, value: float) -> bool:
        return value <= self.bound if self.at_most else value >= self.bound

    def __str__(self) -> str:
        return f"{'≤' if self.at_most else '≥'} {self.bound:g}"


@dataclass(frozen=True)
class Figure:
    key: str  # stable identifier, e.g. "query_latency_10000"
    part: int  # the numbered item of the benchmark issue
    name: str
    value: float
    target: Target | None  # None: reported, not judged
    measured: str  # the two sides in words, e.g. "build 9.1 s vs encode 8.8 s"
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None when there is no target or nothing could be measured (NaN)."""
        if self.target is None or math.isnan(self.value):
            return None
        return self.target.met(self.value)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "part": self.part,
            "name": self.name,
            "value": None if math.isnan(self.value) else round(self.value, 4),
            "target": str(self.target) if self.target else None,
            "met": self.met,
            "measured": self.measured,
            "data": self.data,
        }


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPU, cores, memory, software versions, date and load."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        **{package: _version(package) for package in PACKAGES},
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def format_table(machine_info: dict[str, Any], figures: list[Figure], elapsed_s: float) -> str:
    """The report as a Markdown table, with the machine above it."""
    versions = ", ".join(f"{package} {machine_info[package]}" for package in PACKAGES)
    lines = [
        (
            f"Machine: {machine_info['cpu']}, {machine_info['cores']} cores, {machine_info['ram_gib']} GiB RAM, "
            f"Python {machine_info['python']} on {machine_info['platform']}"
        ),
        f"Versions: {versions}",
        (
            f"Date: {machine_info['date']} (load average {machine_info['load_average_1m']} at start; "
            f"the whole run took {elapsed_s:.0f} s)"
        ),
        "",
        "| # | figure | ratio | target | met | measured (medians) |",
        "|---|---|---:|---|---|---|",
    ]
    for figure in figures:
        met = {True: "yes", False: "**no**", None: "–"}[figure.met]
        value = "n/a" if math.isnan(figure.value) else f"{figure.value:.2f}"
        target = str(figure.target) if figure.target else "report"
        lines.append(f"| {figure.part} | {figure.name} | {value} | {target} | {met} | {figure.measured} |")
    return "\n".join(lines)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
