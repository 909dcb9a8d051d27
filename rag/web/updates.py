"""How often a reader's page is updated, and with what.

Every update is a message to the browser and a re-render there, and costs the server CPU. So each
answer's updates go through a token bucket (`UpdateBudget`): the first few (the status, the sources,
the first words) go out at once, then at most FULL_RATE a second, so never more than
MAX_UPDATES_PER_SECOND in any second. When the server is crowded (more answers at once than can each
have the full rate out of SHARED_UPDATES_PER_SECOND), each gets its share and no burst, every update
carrying more words. Outputs that did not change are not sent, and an update carrying new words and
new drawings (sources, charts) is sent as two messages, the words first.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any

import gradio as gr

if TYPE_CHECKING:
    from rag.web.answer import AnswerRun, AnswerView

MAX_UPDATES_PER_SECOND = 20  # each update is a message and a re-render in the browser
UPDATE_BURST = 3  # the first status, the sources and the first words go out without waiting
FULL_RATE = MAX_UPDATES_PER_SECOND - UPDATE_BURST  # an answer's rate when the server is not crowded
# Each update costs the server CPU, so answers streaming at once share this many updates a second
# (30 at once, measured with the benchmark's part 5: p95 time to first event 1.26 s with
# every answer at full rate, 0.68 s sharing 60 a second), never fewer than MIN_UPDATES_PER_SECOND.
SHARED_UPDATES_PER_SECOND = 60
MIN_UPDATES_PER_SECOND = 4
DRAWINGS_AFTER_S = 0.02  # lets the browser draw the words before the sources and charts arrive


class UpdateBudget:
    """A token bucket for screen updates: `per_second` on average, up to `burst` of them back to back.

    A fast stream is held to `per_second`, each update carrying all the text that arrived meanwhile.
    `per_second` may be changed between updates.
    """

    def __init__(self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._counted_at = clock()

    def spend(self) -> float:
        """Count one update; returns how many seconds to wait before sending it (0: send now)."""
        now = self._clock()
        interval = 1.0 / self.per_second
        self._tokens = min(self.burst, self._tokens + (now - self._counted_at) / interval)
        self._counted_at = now
        self._tokens -= 1
        return max(0.0, -self._tokens * interval)


class Workload:
    """How many answers this process is working on right now (from their start to their worker's end)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers = 0

    @property
    def answers(self) -> int:
        return self._answers

    def started(self) -> None:
        with self._lock:
            self._answers += 1

    def ended(self) -> None:
        with self._lock:
            self._answers -= 1


WORKLOAD = Workload()


def crowded(answers: int) -> bool:
    """Whether `answers` at once are too many for each to have the full rate."""
    return answers * FULL_RATE > SHARED_UPDATES_PER_SECOND


def updates_per_second(answers: int) -> float:
    """Each answer's rate when `answers` stream at once: the full rate, or when crowded its share."""
    if not crowded(answers):
        return FULL_RATE
    return max(MIN_UPDATES_PER_SECOND, SHARED_UPDATES_PER_SECOND / answers)


def budget_for(answers: int) -> UpdateBudget:
    """A new answer's budget: a burst to begin with, unless the server is crowded."""
    return UpdateBudget(updates_per_second(answers), 1 if crowded(answers) else UPDATE_BURST)


async def stream_views(*runs: AnswerRun) -> AsyncIterator[tuple[AnswerView, ...]]:
    """Start `runs` and yield their views as they change, within an `UpdateBudget`; always the final ones.

    Closing this generator (Stop, a cancelled job, a closed page) stops the runs.
    """
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()

    def notify() -> None:
        try:
            loop.call_soon_threadsafe(changed.set)
        except RuntimeError:  # the server shut down while an answer was still running
            pass

    for run in runs:
        run.start(notify)
    budget = budget_for(WORKLOAD.answers)
    try:
        while True:
            await changed.wait()
            budget.per_second = updates_per_second(WORKLOAD.answers)
            await asyncio.sleep(budget.spend())
            changed.clear()
            views = tuple(run.view() for run in runs)
            yield views
            if all(view.finished for view in views):
                return
    finally:
        for run in runs:
            run.stop()


def only_changed(values: Sequence[Any], shown: Sequence[Any] | None) -> list[Any]:
    """`values`, with gr.skip() for each one the browser already shows."""
    if shown is None:
        return list(values)
    return [gr.skip() if value == old else value for value, old in zip(values, shown, strict=True)]


def unchanged(update: Any) -> bool:
    return update == gr.skip()


async def words_first(updates: Sequence[Any], words: int) -> AsyncIterator[list[Any]]:
    """`updates` as one message, or, when it changes both the first `words` outputs (the text) and the
    others (the drawings: sources, charts), as two messages DRAWINGS_AFTER_S apart, the words first:
    the drawings take the browser longer to draw."""
    text, drawings = list(updates[:words]), list(updates[words:])
    if all(map(unchanged, text)) or all(map(unchanged, drawings)):
        yield [*text, *drawings]
        return
    yield [*text, *(gr.skip() for _ in drawings)]
    await asyncio.sleep(DRAWINGS_AFTER_S)
    yield [*(gr.skip() for _ in text), *drawings]
