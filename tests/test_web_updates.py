"""How often a reader's page is updated: the token bucket, the shares of a crowded server, what is sent,
and in what order an answer's first messages change the Ask tab.

The budget's arithmetic runs on a clock that moves only when told to; `stream_views` drives real
answers (the bundled model, the shipped index) on their worker threads.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import gradio as gr
import pytest

from rag.web.answer import AnswerRun, AnswerView
from rag.web.render import unescaped
from rag.web.updates import (
    FULL_RATE,
    MAX_UPDATES_PER_SECOND,
    MIN_UPDATES_PER_SECOND,
    SHARED_UPDATES_PER_SECOND,
    UPDATE_BURST,
    WORKLOAD,
    UpdateBudget,
    budget_for,
    crowded,
    only_changed,
    stream_views,
    updates_per_second,
    words_first,
)

QUESTION = "What is buffered streaming?"
Result = TypeVar("Result")
WAIT_S = 60  # an upper bound for a worker to end on a loaded machine, never a measured duration


class Clock:
    """A clock that moves only when told to: the budget's arithmetic, without sleeping."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_update_budget_lets_a_burst_through_then_holds_the_rate():
    clock = Clock()
    budget = UpdateBudget(per_second=20, burst=3, clock=clock)
    assert [budget.spend() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert budget.spend() == pytest.approx(0.05)

    sent = 0
    while clock.now < 10:  # a source far faster than the budget: send whenever allowed
        clock.now += budget.spend()
        sent += 1
    assert sent == pytest.approx(20 * 10, abs=2)

    clock.now += 1.0  # a pause refills the burst, never more
    assert [budget.spend() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert budget.spend() == pytest.approx(0.05)

    budget.per_second = 4  # a busy server: fewer updates, each carrying more
    first, second = budget.spend(), budget.spend()
    assert second - first == pytest.approx(0.25)


def test_answers_streaming_at_once_share_the_updates():
    alone = updates_per_second(1)
    assert alone + UPDATE_BURST <= MAX_UPDATES_PER_SECOND, "never more than 20 in any second"
    rates = [updates_per_second(answers) for answers in range(1, 40)]
    assert rates == sorted(rates, reverse=True), "more answers at once never means more updates each"
    assert rates[-1] == MIN_UPDATES_PER_SECOND < alone


def test_only_a_crowded_server_takes_the_burst_and_the_full_rate_away():
    uncrowded = SHARED_UPDATES_PER_SECOND // FULL_RATE  # 3 answers at 17 a second fit in 60
    assert not crowded(uncrowded) and crowded(uncrowded + 1)
    for answers in range(uncrowded + 1):
        budget = budget_for(answers)
        assert (budget.per_second, budget.burst) == (FULL_RATE, UPDATE_BURST), f"{answers} answers"
    budget = budget_for(uncrowded + 1)
    assert budget.burst == 1 and budget.per_second == SHARED_UPDATES_PER_SECOND / (uncrowded + 1) < FULL_RATE


def test_only_changed_outputs_are_sent():
    assert only_changed(["a", "b"], None) == ["a", "b"], "the first update sends everything"
    assert only_changed(["a", "c"], ["a", "b"]) == [gr.skip(), "c"]


def run_apart(coroutine: Coroutine[Any, Any, Result]) -> Result:
    """Run `coroutine` in an event loop on a thread of its own: in a whole run of the tests, Playwright's
    sync API keeps a loop running on the main thread, where asyncio.run() refuses to start another."""
    with ThreadPoolExecutor(1, thread_name_prefix="test-event-loop") as thread:
        return thread.submit(asyncio.run, coroutine).result()


def messages(updates: list[Any], words: int) -> list[list[Any]]:
    async def collect(sent: AsyncIterator[list[Any]]) -> list[list[Any]]:
        return [message async for message in sent]

    return run_apart(collect(words_first(updates, words)))


def test_new_words_go_out_before_new_drawings():
    skip = gr.skip()
    assert messages(["log", "words", "<sources>"], 2) == [["log", "words", skip], [skip, skip, "<sources>"]]
    assert messages(["log", skip, skip], 2) == [["log", skip, skip]], "words alone are one message"
    assert messages([skip, skip, "<sources>"], 2) == [[skip, skip, "<sources>"]], "drawings alone are one message"


async def views_of(runs: list[AnswerRun], stop_after: int | None = None) -> list[tuple[AnswerView, ...]]:
    """The views `stream_views` sends, all of them or (closing it then) the first `stop_after`."""
    views = []
    updates = stream_views(*runs)
    async for seen in updates:
        views.append(seen)
        if len(views) == stop_after:
            await updates.aclose()
            break
    return views


def workload_back_to(answers: int) -> bool:
    deadline = time.monotonic() + WAIT_S
    while WORKLOAD.answers > answers and time.monotonic() < deadline:
        time.sleep(0.01)
    return WORKLOAD.answers == answers


def test_stream_views_ends_with_the_finished_answers_and_counts_them_while_they_work(settings, kb):
    before = WORKLOAD.answers
    runs = [AnswerRun(QUESTION, settings.with_(stream=stream), None, 0) for stream in ("whole", "token")]
    views = run_apart(views_of(runs))
    last = views[-1]
    assert all(view.finished and not view.stopped for view in last), last
    assert last[0].answer == last[1].answer and "[1]" in last[0].answer, "both ways give the same cited answer"
    assert workload_back_to(before), f"{WORKLOAD.answers - before} answers still counted after they finished"


def test_closing_stream_views_stops_its_answers(settings, kb):
    before = WORKLOAD.answers
    run = AnswerRun(QUESTION, settings, None, words_per_second=2)
    run_apart(views_of([run], stop_after=1))
    assert run.view().stopped, "the answer should stop when no one follows it any more"
    assert workload_back_to(before), "the stopped answer's worker should end"


def chat_messages(handlers, question: str, busy_s: float = 0.0) -> list[list[Any]]:
    """The messages the Ask tab's event sends for `question` asked first in a new tab (extractive, not paced);
    `busy_s`: the event loop is kept busy that long once the answer has started."""
    request = gr.Request(session_hash="first-messages", client=None)

    async def collect() -> list[list[Any]]:
        sent = handlers.answer_in_chat(question, [], 5, "hybrid", "token", 0, "extractive", False, request)
        first = asyncio.ensure_future(anext(sent))
        await asyncio.sleep(0)  # the handler starts the answer and waits for its first change
        time.sleep(busy_s)  # noqa: ASYNC251 -- on purpose: something else holds the loop while the worker answers
        return [await first, *[message async for message in sent]]

    try:
        return run_apart(collect())
    finally:
        handlers.end_session(request)


@pytest.mark.parametrize("busy_s", [0.0, 2.0], ids=["loop-free", "worker-ahead"])
def test_the_first_status_line_goes_out_alone_and_the_box_is_emptied_with_the_first_drawings(handlers, kb, busy_s):
    skip = gr.skip()
    messages = chat_messages(handlers, QUESTION, busy_s)

    conversation, box, drawings = messages[0]
    assert [message["role"] for message in conversation] == ["user", "assistant"], "the question and its thought"
    assert conversation[1]["metadata"]["status"] == "pending"
    assert box == skip and drawings == skip, "nothing but the conversation changes with the first status line"
    emptied = [number for number, (_, box, _) in enumerate(messages) if box != skip]
    drawn = [number for number, (_, _, drawings) in enumerate(messages) if drawings != skip]
    assert len(emptied) == 1 and emptied[0] == drawn[0], "the box is emptied once, with the first drawings"
    assert messages[emptied[0]][1] == ""
    assert 'class="source"' in messages[drawn[0]][2], "nothing is drawn until there is something to draw"
    *_, (answer_shown, _, _) = [message for message in messages if message[0] != skip]
    assert "[1]" in unescaped(answer_shown[-1]["content"])
