"""Part 5: a class of concurrent clients against one client alone.

Each round asks a few questions from one client alone, then has every client ask at the same
moment (a barrier releases them together) with the app's default settings. Every concurrent answer
must complete and be the answer a lone client gets for the same question. Their times to the first
event are compared, as p95, with the median of the lone client's and with the p95 of the same
clients calling the app's `/echo` together (released by a barrier too, in every round): the
machine's floor under that load, transport and CPU with no answering at all.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from gradio_client import Client

from benchmarks.client import Answered, ask, close_all, connect, echo_seconds
from benchmarks.report import Figure, Target
from benchmarks.timing import median, ms, percentile

FIRST_EVENT_TARGET = Target(3.0)
FIRST_EVENT_VS_ECHO_TARGET = Target(1.5)
ALL_CORRECT = Target(1.0, at_most=False)
CROWD_POLL_S = 0.005  # coarser than a lone client's: 30 pollers must not starve the server of CPU
LONE_ASKS_PER_ROUND = 3
Result = TypeVar("Result")  # what each client's call returns


def reference_answers(client: Client, questions: Sequence[str]) -> dict[str, str]:
    """Each question's answer as one client alone gets it (pacing off: the text does not depend on it)."""
    return {question: ask(client, question, words_per_second=0).answer for question in dict.fromkeys(questions)}


def at_once(clients: Sequence[Client], call: Callable[[Client, int], Result], name: str) -> list[Result]:
    """`call(client, i)` for every client i on threads of its own, all released at the same moment."""
    start = threading.Barrier(len(clients))

    def one(client: Client, i: int) -> Result:
        start.wait()
        return call(client, i)

    with ThreadPoolExecutor(len(clients), thread_name_prefix=f"rag-bench-{name}") as pool:
        return list(pool.map(one, clients, range(len(clients))))


def ask_together(clients: Sequence[Client], questions: Sequence[str], **params) -> list[Answered | BaseException]:
    """Client i asks questions[i], all released at the same moment; a failure is returned, not raised."""

    def one(client: Client, i: int) -> Answered | BaseException:
        try:
            return ask(client, questions[i], CROWD_POLL_S, **params)
        except Exception as exc:  # noqa: BLE001 (every failure is counted and reported)
            return exc

    return at_once(clients, one, "client")


def echo_together(clients: Sequence[Client]) -> list[float]:
    """Every client's `/echo` round trip, all released at the same moment."""
    return at_once(clients, lambda client, _: echo_seconds(client, "hello", CROWD_POLL_S), "echo")


def connect_all(url: str, size: int) -> list[Client]:
    """`size` clients, each with its stream to the server already open (as a class's open browser tabs are)."""
    with ThreadPoolExecutor(size, thread_name_prefix="rag-bench-connect") as pool:
        clients = list(pool.map(lambda _: connect(url), range(size)))
        list(pool.map(lambda client: echo_seconds(client, "hello"), clients))
    return clients


def crowd_figures(
    url: str, questions: Sequence[str], size: int, rounds: int, say: Callable[[str], None]
) -> list[Figure]:
    clients = connect_all(url, size)
    try:
        asked = [questions[i % len(questions)] for i in range(size)]
        say(f"5. reference answers for {len(set(asked))} questions from one client")
        expected = reference_answers(clients[0], asked)
        lone: list[float] = []
        together: list[Answered | BaseException] = []
        echoes: list[float] = []
        for round_number in range(rounds):
            for n in range(LONE_ASKS_PER_ROUND):
                question = questions[(round_number * LONE_ASKS_PER_ROUND + n) % len(questions)]
                lone.append(ask(clients[0], question, words_per_second=0).first_update_s)
            say(f"5. round {round_number + 1}/{rounds}: {size} clients ask at once")
            together += ask_together(clients, asked)
            say(f"5. round {round_number + 1}/{rounds}: {size} clients call /echo at once")
            echoes += echo_together(clients)
    finally:
        close_all(clients)
    failures = [repr(result) for result in together if isinstance(result, BaseException)]
    answered = [result for result in together if isinstance(result, Answered)]
    wrong = [a.question for a in answered if a.answer != expected[a.question]]
    first = [a.first_update_s for a in answered]
    correct = len(answered) - len(wrong)
    return [
        Figure(
            "crowd_correct",
            5,
            f"{size} concurrent clients: answers complete and equal to a lone client's",
            correct / len(together),
            ALL_CORRECT,
            f"{correct} of {len(together)} correct, {len(failures)} failed",
            {"answers": len(together), "failed": failures[:5], "wrong": wrong[:5]},
        ),
        Figure(
            "crowd_first_event",
            5,
            f"time to first event: p95 of {size} concurrent clients / one client alone",
            percentile(first, 0.95) / median(lone) if first else math.nan,
            FIRST_EVENT_TARGET,
            f"p95 {ms(percentile(first, 0.95))} (median {ms(median(first))}) vs alone {ms(median(lone))}"
            if first
            else "no answer completed",
            {"concurrent_seconds": first, "alone_seconds": lone},
        ),
        Figure(
            "crowd_first_event_vs_echo",
            5,
            f"time to first event: p95 of {size} concurrent clients / p95 of {size} concurrent echo calls",
            percentile(first, 0.95) / percentile(echoes, 0.95) if first else math.nan,
            FIRST_EVENT_VS_ECHO_TARGET,
            f"p95 {ms(percentile(first, 0.95))} vs echo p95 {ms(percentile(echoes, 0.95))} "
            f"(median {ms(median(echoes))})"
            if first
            else "no answer completed",
            {"concurrent_seconds": first, "echo_seconds": echoes},
        ),
    ]
