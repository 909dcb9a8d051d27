"""Load: 30 streaming clients keep asking the launched app for two minutes, a third of them hanging up midway.

Every client asks the example questions in turn with the app's default settings (typewriter
pacing on, so answers stream for seconds) and cancels every third answer once its first words
have arrived. Afterwards: no request failed, every answer that finished is the one a lone client
gets for that question, no more answers are being worked on than before the load, none of the
project's threads (named "rag-…") that the load started is still alive, and the process's memory
stayed bounded. RAG_LOAD_SECONDS sets the duration (default 120); every wait is bounded, so the test
stops by itself.
"""

from __future__ import annotations

import itertools
import os
import resource
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import pytest
from app_fixtures import GRADIO_QUEUE_PANDAS_WARNINGS
from gradio_client import Client
from gradio_client.client import Job

from benchmarks.client import close_all, connect, wait_for_stream_closed
from benchmarks.crowd import reference_answers
from benchmarks.local import wait_until
from benchmarks.suite import example_questions
from rag.web.updates import WORKLOAD

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings(GRADIO_QUEUE_PANDAS_WARNINGS)]

CLIENTS = 30
LOAD_SECONDS = float(os.environ.get("RAG_LOAD_SECONDS", "120"))
CANCEL_EVERY = 3  # every third question is cancelled once its first words arrive
WAIT_S = 300  # an upper bound for one answer on a loaded 2-core machine, never a measured duration
THREADS_SETTLE_S = 60
PROJECT_THREADS = "rag-"  # the prefix of every thread the project starts
MAX_RSS_BYTES = 4 * 2**30


@dataclass
class Tally:
    finished: list[tuple[str, str]] = field(default_factory=list)  # (question, final answer)
    cancelled: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def keep_asking(client: Client, first: int, questions: list[str], until: float, tally: Tally) -> None:
    """Ask question after question until `until` (a monotonic time), cancelling every CANCEL_EVERY-th one."""
    for asked in itertools.count():
        if time.monotonic() >= until:
            return
        question = questions[(first + asked * CLIENTS) % len(questions)]
        try:
            wait_for_stream_closed(client)
            job = client.submit(question, api_name="/ask")
            if (first + asked) % CANCEL_EVERY == 0:
                if not wait_until(partial(has_words, job), WAIT_S):
                    raise TimeoutError(f"no words of {question!r} within {WAIT_S} s")
                job.cancel()
                if not wait_until(job.done, WAIT_S):
                    raise TimeoutError(f"the cancelled job for {question!r} never ended")
                with tally.lock:
                    tally.cancelled += 1
            else:
                _, answer, _ = job.result(timeout=WAIT_S)
                with tally.lock:
                    tally.finished.append((question, answer))
        except Exception as exc:  # noqa: BLE001 (every failure is collected and reported by the test)
            with tally.lock:
                tally.failures.append(f"{question!r}: {exc!r}")


def has_words(job: Job) -> bool:
    return any(answer for _, answer, _ in job.outputs())


def project_threads_since(before: set[threading.Thread]) -> list[str]:
    """The names of the project's live threads that were not alive in `before`."""
    alive = threading.enumerate()
    return sorted(thread.name for thread in alive if thread.name.startswith(PROJECT_THREADS) and thread not in before)


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def test_thirty_streaming_clients_with_cancellations_stay_correct_and_bounded(app_url, capsys):
    questions = example_questions()
    lone = connect(app_url)
    expected = reference_answers(lone, questions)
    lone.close()
    working_before = WORKLOAD.answers
    threads_before = set(threading.enumerate())

    clients = [connect(app_url) for _ in range(CLIENTS)]
    tally = Tally()
    until = time.monotonic() + LOAD_SECONDS
    with ThreadPoolExecutor(CLIENTS, thread_name_prefix="rag-load-client") as pool:
        for n in range(CLIENTS):
            pool.submit(keep_asking, clients[n], n, questions, until, tally)
    close_all(clients)
    stopped = wait_until(lambda: WORKLOAD.answers <= working_before, THREADS_SETTLE_S)
    settled = wait_until(lambda: not project_threads_since(threads_before), THREADS_SETTLE_S)
    left = project_threads_since(threads_before)
    with capsys.disabled():
        print(
            f"\nload: {CLIENTS} clients for {LOAD_SECONDS:.0f} s: {len(tally.finished)} answers finished, "
            f"{tally.cancelled} cancelled, {len(tally.failures)} failed; peak RSS {peak_rss_bytes() / 2**20:.0f} MiB; "
            f"project threads left: {len(left)}"
        )

    assert not tally.failures, f"{len(tally.failures)} requests failed, e.g. {tally.failures[:3]}"
    assert tally.finished and tally.cancelled, "the load should finish some answers and cancel others"
    wrong = [(question, answer) for question, answer in tally.finished if answer != expected[question]]
    assert not wrong, f"{len(wrong)} answers differ from a lone client's, e.g. {wrong[:2]}"
    assert stopped, (
        f"{WORKLOAD.answers} answers are still being worked on {THREADS_SETTLE_S} s after the load, "
        f"expected at most the {working_before} from before it"
    )
    assert settled, (
        f"{len(left)} of the project's threads that the load started are still alive {THREADS_SETTLE_S} s "
        f"after it, expected none: {left}"
    )
    assert peak_rss_bytes() < MAX_RSS_BYTES, f"peak RSS {peak_rss_bytes() / 2**30:.2f} GiB"
