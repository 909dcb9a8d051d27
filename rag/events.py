"""The typed events that `stream_answer` yields, and their JSON form.

Events are plain data: the UI, the CLI and the tests are all folds over the same stream.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rag.corpus import Chunk


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk: its rank (1-based), the fused score and both component scores."""

    chunk: Chunk
    rank: int
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "dense_score": None if self.dense_score is None else round(self.dense_score, 6),
            "lexical_score": None if self.lexical_score is None else round(self.lexical_score, 6),
            **self.chunk.to_json(),
        }


def counted(count: int, noun: str) -> str:
    """A count with its noun, for a status line: "1 passage", "5 passages"."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Status:
    stage: str
    message: str
    t_ms: float


@dataclass(frozen=True)
class Progress:
    """Index building: `done` of `total` passages (or sentences, for quoting) embedded, or pages of an upload read."""

    done: int
    total: int
    t_ms: float
    unit: str = "passages"


@dataclass(frozen=True)
class Retrieved:
    hits: list[Hit]
    search_ms: float  # how long the search took (a Status's t_ms is the time since the question)


@dataclass(frozen=True)
class Stage:
    """One stage of the pipeline opened up for the step-through view: its real data as a small table."""

    name: str  # embed, dense, lexical, fusion, rerank, answer
    title: str
    note: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Done:
    answer: str
    hits: list[Hit]  # those of Retrieved, which the answer cites as [n]
    timings: dict[str, float]
    backend: str = ""
    cited: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Error:
    message: str
    partial: str = ""


Event = Status | Progress | Retrieved | Stage | Token | Done | Error


Result = TypeVar("Result")


def run_to_end(work: Generator[Event, None, Result], on_event: Callable[[Event], None] = lambda event: None) -> Result:
    """Drive a generator that yields events and returns a result (such as loading the index)."""
    while True:
        try:
            on_event(next(work))
        except StopIteration as finished:
            return finished.value


def to_json(event: Event) -> dict[str, Any]:
    """The JSON object the CLI prints for `event` (one per line with `--json`)."""
    match event:
        case Status(stage, message, t_ms):
            return {"type": "status", "stage": stage, "message": message, "t_ms": round(t_ms, 1)}
        case Progress(done, total, t_ms, unit):
            return {"type": "progress", "done": done, "total": total, "unit": unit, "t_ms": round(t_ms, 1)}
        case Retrieved(hits, search_ms):
            return {"type": "retrieved", "hits": [hit.to_json() for hit in hits], "search_ms": round(search_ms, 2)}
        case Stage(name, title, note, columns, rows):
            return {
                "type": "stage",
                "name": name,
                "title": title,
                "note": note,
                "columns": list(columns),
                "rows": [list(row) for row in rows],
            }
        case Token(text):
            return {"type": "token", "text": text}
        case Done(answer, hits, timings, backend, cited):
            return {
                "type": "done",
                "answer": answer,
                "hits": [hit.to_json() for hit in hits],
                "timings": {name: round(ms, 2) for name, ms in timings.items()},
                "backend": backend,
                "cited": cited,
            }
        case Error(message, partial):
            return {"type": "error", "message": message, "partial": partial}
    raise TypeError(f"not an event: {event!r}")
