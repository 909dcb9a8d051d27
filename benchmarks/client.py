"""Asking the launched app through `gradio_client`, with the time each streamed update arrived.

Shared by the benchmark (parts 4 and 5) and the tests (test_load.py, test_app_client.py). The app's
`/ask` endpoint streams (status log, answer, sources) tuples; `ask` records every one with its
arrival time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from gradio_client import Client
from gradio_client.client import Job

from benchmarks.local import wait_until

POLL_S = 0.002  # how often a job is checked for new updates: the resolution of every client-side time
STREAM_CLOSE_WAIT_S = 300  # an upper bound for a client to see its stream closed, never a measured duration
CLIENT_TIMEOUT_S = 60  # an upper bound for one request on a loaded machine, never a measured duration


@dataclass(frozen=True)
class Update:
    at_s: float  # since the question was submitted
    status: str
    answer: str


@dataclass
class Answered:
    """One question's stream as a client saw it."""

    question: str
    updates: list[Update] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def answer(self) -> str:
        return self.updates[-1].answer if self.updates else ""

    @property
    def first_update_s(self) -> float:
        return self.updates[0].at_s

    @property
    def first_status_s(self) -> float:
        return next(update.at_s for update in self.updates if update.status)

    @property
    def first_answer_s(self) -> float:
        return next(update.at_s for update in self.updates if update.answer)

    @property
    def done_s(self) -> float:
        return self.updates[-1].at_s

    def answer_updates(self) -> list[Update]:
        """The updates that made the answer longer (the streaming itself)."""
        grew, shown = [], ""
        for update in self.updates:
            if len(update.answer) > len(shown):
                grew.append(update)
                shown = update.answer
        return grew


def connect(url: str) -> Client:
    """A quiet client whose requests wait up to CLIENT_TIMEOUT_S (gradio_client's default is 5 s for
    some, which a loaded 2-core machine exceeds when 30 clients connect at once)."""
    return Client(
        url,
        verbose=False,
        analytics_enabled=False,
        download_files=False,
        ssl_verify=False,
        httpx_kwargs={"timeout": CLIENT_TIMEOUT_S},
    )


def close_all(clients: Sequence[Client]) -> None:
    """Close `clients` side by side: each close waits (up to a second) for its client's heartbeat thread to end."""
    with ThreadPoolExecutor(max(len(clients), 1), thread_name_prefix="rag-close-client") as pool:
        list(pool.map(Client.close, clients))


def wait_for_stream_closed(client: Client) -> None:
    """Wait until the client has seen the stream of its previous jobs closed: call before each submit.

    A gradio_client `Client` reads all its jobs' messages from one stream, which the server closes
    when none of them is left, and when that stream ends the client cancels every job it had
    registered on it. So a job submitted just after the previous one ended, before the client has
    read the close, is registered on the closing stream and fails with CancelledError although the
    server runs it (tests/test_load.py: 1 job in about 2,400 on a busy machine; every second job
    asked right after another when the client reads the close 0.2 s late). Once `stream_open` (an
    undocumented attribute of gradio_client 2) is False, the next job opens a stream of its own.
    """
    if not wait_until(lambda: not client.stream_open, STREAM_CLOSE_WAIT_S, POLL_S):
        raise TimeoutError(f"the client's stream stayed open {STREAM_CLOSE_WAIT_S} s after its last job")


def ask(client: Client, question: str, poll_s: float = POLL_S, **params: Any) -> Answered:
    """Ask `/ask` and follow the stream to its end; raises if the job failed."""
    answered = Answered(question)
    wait_for_stream_closed(client)
    started = time.perf_counter()
    job = client.submit(question, api_name="/ask", **params)
    for arrived, (status, answer, sources) in follow(job, poll_s):
        answered.updates.append(Update(arrived - started, status, answer))
        answered.sources = sources
    return answered


def echo_seconds(client: Client, text: str, poll_s: float = POLL_S) -> float:
    """How long the app's `/echo` endpoint takes to send `text` back, seen the same way as an answer."""
    wait_for_stream_closed(client)
    started = time.perf_counter()
    job = client.submit(text, api_name="/echo")
    for arrived, echoed in follow(job, poll_s):
        if echoed != text:
            raise AssertionError(f"/echo sent back {echoed!r} for {text!r}")
        return arrived - started
    raise AssertionError("/echo sent nothing back")


def follow(job: Job, poll_s: float = POLL_S) -> Iterator[tuple[float, Any]]:
    """Each output of `job` with the `time.perf_counter()` it was first seen; raises if the job failed."""
    seen = 0
    while True:
        finished = job.done()
        outputs = job.outputs()
        for output in outputs[seen:]:
            yield time.perf_counter(), output
        seen = len(outputs)
        if finished:
            job.result()
            return
        time.sleep(poll_s)
