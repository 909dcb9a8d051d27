"""One answer on a worker thread, folded into what its reader sees.

An `AnswerRun` answers one question on a worker thread and folds the pipeline's events into an
`AnswerView` (a timed status log, the answer so far, the hits, the timings); a front end reads
`view()` whenever it likes and `stop()` closes the pipeline, and with it the answer backend. Asked
to step through, it asks the pipeline for its stages (`rag.explain`) and waits after each until
`next_stage()` (or `stop()`); a pause longer than MAX_PAUSE_S stops the answer, so an abandoned
step-through does not hold its answer slot for ever.
`Pane` notes when one of two answers compared side by side first showed text and finished.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rag.config import Settings
from rag.events import Done, Error, Event, Hit, Progress, Retrieved, Stage, Status, Token, counted
from rag.index import KnowledgeBase
from rag.pipeline import stream_answer
from rag.uploads import PAGES
from rag.web.updates import WORKLOAD

log = logging.getLogger(__name__)

ANSWER_THREAD = "rag-answer"
MAX_PAUSE_S = 900


class StatusLog:
    """Status lines, each stamped with the time since the log was started: `+14 ms  Found 5 passages`."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.lines: list[str] = []

    def add(self, message: str) -> None:
        self.lines.append(f"{elapsed_label((time.perf_counter() - self.started) * 1000):>9}  {message}")

    def add_event(self, event: Status | Progress) -> None:
        if isinstance(event, Status):
            self.add(event.message)
        elif event.done and event.unit != PAGES:  # pages read are not logged: the file's own line follows
            self.add(f"Embedded {event.done}/{event.total} {event.unit}")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def elapsed_label(ms: float) -> str:
    return f"+{duration_label(ms)}"


def duration_label(ms: float) -> str:
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.2f} s"


@dataclass(frozen=True)
class AnswerView:
    """What the reader of one answer sees at one moment."""

    status: str
    answer: str
    hits: tuple[Hit, ...]
    timings: dict[str, float]
    error: str
    stopped: bool
    finished: bool  # nothing more will change: the answer is done, failed or was stopped
    seconds: float  # since the question was asked, until it finished
    stages: tuple[Stage, ...] = ()  # when stepping through: the stages shown so far
    paused: bool = False  # waiting for `next_stage()` after the last of them


class AnswerRun:
    """One question answered on a worker thread; `view()` and `stop()` may be called from any thread.

    From `start()` until its worker ends, it counts in the process's `WORKLOAD`.
    """

    def __init__(
        self,
        question: str,
        settings: Settings,
        kb: KnowledgeBase | None,
        words_per_second: float,
        notes: Sequence[str] = (),
        history: Sequence[str] = (),
        said: Sequence[str] = (),
        step_through: bool = False,
    ):
        """`notes` are lines the status log opens with, before the pipeline's own; `history` holds the
        conversation's earlier questions, oldest first, and `said` its earlier answers; `step_through`
        pauses after each stage."""
        self.question = question
        self.history = history
        self.said = said
        self.step_through = step_through
        self.settings = settings
        self.kb = kb
        self.words_per_second = words_per_second
        self._lock = threading.Lock()
        self._log = StatusLog()
        for note in notes:
            self._log.add(note)
        self._answer = ""
        self._hits: tuple[Hit, ...] = ()
        self._timings: dict[str, float] = {}
        self._error = ""
        self._stopped = False
        self._stop = threading.Event()  # wakes a paced answer between two words
        self._next = threading.Event()  # ends a pause after a stage
        self._stages: list[Stage] = []
        self._paused = False
        self._finished = False
        self._ended: float | None = None  # when it finished or was stopped (a `time.perf_counter()` value)
        self._on_change: Callable[[], None] = _nothing

    @property
    def started(self) -> float:
        """When the question was asked (a `time.perf_counter()` value)."""
        return self._log.started

    def start(self, on_change: Callable[[], None]) -> None:
        """Start answering; `on_change` is called (on the worker thread) after every change."""
        self._on_change = on_change
        WORKLOAD.started()
        threading.Thread(target=self._work, name=ANSWER_THREAD, daemon=True).start()

    def stop(self) -> None:
        """Stop answering: the log says after how many words, the partial answer stays."""
        with self._lock:
            if self._stopped or self._finished:
                return
            self._stopped = True
            self._ended = time.perf_counter()
            self._stop.set()
            self._next.set()
            words = len(self._answer.split())
            self._log.add(f"Stopped after {counted(words, 'word')}")
        self._on_change()

    def next_stage(self) -> None:
        """End the pause after the stage shown (when stepping through)."""
        self._next.set()

    def run_through(self) -> None:
        """Stop pausing after each stage (stepping through was turned off): go on to the end."""
        with self._lock:
            self.step_through = False
        self._next.set()

    def view(self) -> AnswerView:
        with self._lock:
            return AnswerView(
                status=self._log.text,
                answer=self._answer,
                hits=self._hits,
                timings=dict(self._timings),
                error=self._error,
                stopped=self._stopped,
                finished=self._finished or self._stopped,
                seconds=(self._ended or time.perf_counter()) - self.started,
                stages=tuple(self._stages),
                paused=self._paused,
            )

    def _work(self) -> None:
        events = stream_answer(
            self.question,
            self.settings,
            kb=self.kb,
            words_per_second=self.words_per_second,
            stop=self._stop,
            history=self.history,
            said=self.said,
            explain=self.step_through,
        )
        try:
            for event in events:
                if not self._fold(event):
                    break
                self._on_change()
                if isinstance(event, Stage) and not self._pause(event):
                    break
        except Exception as exc:  # a bug must not leave the reader waiting for an answer that never ends
            log.exception("answering %r failed", self.question)
            self._fold(Error(f"Internal error: {exc}"))
        finally:
            events.close()  # reaches the answer backend, which stops its work
            with self._lock:
                self._finished = True
                self._ended = self._ended or time.perf_counter()
            WORKLOAD.ended()
            self._on_change()

    def _pause(self, stage: Stage) -> bool:
        """Wait for `next_stage()` after `stage`, unless stepping through was turned off; False if the run
        was stopped meanwhile (or by the wait's limit)."""
        with self._lock:
            if self._stopped:
                return False
            if not self.step_through:
                return True
            self._next.clear()  # a press of Next before this stage was shown does not skip it
            self._paused = True
            self._log.add(f"Paused after: {stage.title} (press Next stage)")
        self._on_change()
        if not self._next.wait(MAX_PAUSE_S):
            self.stop()
        with self._lock:
            self._paused = False
            return not self._stopped

    def _fold(self, event: Event) -> bool:
        """Apply `event` to what the reader sees; False once the run was stopped (the event is dropped)."""
        with self._lock:
            if self._stopped:
                return False
            match event:
                case Status() | Progress():
                    self._log.add_event(event)
                case Retrieved(hits):
                    self._hits = tuple(hits)
                case Stage():
                    self._stages.append(event)
                case Token(text):
                    self._answer += text
                case Done(timings=timings):
                    self._timings = dict(timings)
                case Error(message):
                    self._error = message
                    if not self._log.lines or message not in self._log.lines[-1]:
                        self._log.add(f"Error: {message}")
            return True


def _nothing() -> None:
    pass


@dataclass
class Pane:
    """One side of a comparison: its run, and when its first text and its last word were sent to the page."""

    run: AnswerRun
    first_text_ms: float | None = None
    done_ms: float | None = None

    def sent(self, view: AnswerView) -> None:
        """Note that `view` is being sent to the page now."""
        sent_ms = (time.perf_counter() - self.run.started) * 1000
        if self.first_text_ms is None and view.answer:
            self.first_text_ms = sent_ms
        if self.done_ms is None and view.finished:
            self.done_ms = sent_ms
