"""Part 4: the launched app, through `gradio_client` and through the real browser.

- First status line and first answer text (the default extractive backend) against the app's own
  echo endpoint (see `benchmarks.server`): what the app adds to one round trip through the same server.
  In the browser also against a bare Gradio chatbot sent the same two messages at once: the part
  of that which Gradio's chatbot takes to draw a turn, whatever the app does.
- A fast answer source (`benchmarks.fake_llm`: 2,000 words as fast as it can, plugged in as the
  app's openai backend) streamed word by word (`stream="token"`) against the same answer sent as one
  update (`stream="whole"`): the cost of streaming, which the app's coalescing keeps bounded, and
  the server's CPU per answer.
- The same answer released by the app's typewriter at its fastest pacing (a long answer streamed
  over seconds, hundreds of updates): updates per second, and whether each update takes longer as
  the answer grows (the interval between updates over the last 10% of them against the first 10%).

Apart from that typewriter run, pacing is off (words_per_second=0), so the source sets the speed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from gradio_client import Client

from benchmarks.browser import AppPage, Watched
from benchmarks.client import Answered, ask, echo_seconds
from benchmarks.fake_llm import canned_answer
from benchmarks.report import Figure, Target
from benchmarks.server import AppProcess
from benchmarks.timing import interleaved, median, ms, process_cpu_seconds

FIRST_EVENT_TARGET = Target(1.5)
WHOLE_ANSWER_TARGET = Target(2.0)
UPDATES_PER_SECOND_TARGET = Target(20)
GROWTH_TARGET = Target(1.3)
FAST_BACKEND = "openai"
TYPEWRITER_WORDS_PER_SECOND = 100  # the app's fastest pacing
CONVERSATION_WORDS_PER_SECOND = 25  # the app's default pacing
GROWTH_SHARE = 0.1
# How long the browser may take to show a whole answer (plus twice the typewriter's time) before the
# run is stopped and its time counted as at least this: well beyond every target, and it bounds the run.
BROWSER_WAIT_S = 30


def client_figures(client: Client, app: AppProcess, question: str, words: int, repeats: int) -> list[Figure]:
    first = _first_events(
        "client",
        partial(ask, client, question, words_per_second=0),
        lambda n: echo_seconds(client, f"ping {n}"),
        lambda answered: (answered.first_status_s, answered.first_answer_s),
        repeats,
    )
    expected = canned_answer(words)

    def streamed(stream: str, words_per_second: float = 0) -> tuple[Answered, float]:
        cpu_before = process_cpu_seconds(app.pid)
        answered = ask(client, question, words_per_second=words_per_second, backend=FAST_BACKEND, stream=stream)
        cpu = process_cpu_seconds(app.pid) - cpu_before
        if answered.answer != expected:
            raise AssertionError(f"the client got {len(answered.answer.split())} of the answer's {words} words")
        return answered, cpu

    sides = {"token": partial(streamed, "token"), "whole": partial(streamed, "whole")}
    for side in sides.values():  # the first answer of the openai backend pays for importing its client
        side()
    results = interleaved(sides, repeats)
    shown = {name: [_shown_s(answered, expected) for answered, _ in runs] for name, runs in results.items()}
    cpu = {name: [seconds for _, seconds in runs] for name, runs in results.items()}
    typewriter, _ = streamed("token", TYPEWRITER_WORDS_PER_SECOND)
    update_times = [update.at_s for update in typewriter.answer_updates()]
    return [
        *first,
        _whole_answer_figure("client", words, shown),
        Figure(
            "updates_per_second_client",
            4,
            f"updates per second streaming {words:,} words at {TYPEWRITER_WORDS_PER_SECOND} words/s (client)",
            _updates_per_second(update_times),
            UPDATES_PER_SECOND_TARGET,
            f"{len(update_times)} updates in {ms(update_times[-1] - update_times[0])}",
            {"update_seconds": update_times},
        ),
        Figure(
            "server_cpu_streamed_vs_whole",
            4,
            f"server CPU per streamed answer / per whole answer ({words:,} words, fast source)",
            median(cpu["token"]) / median(cpu["whole"]),
            None,
            f"streamed {ms(median(cpu['token']))} vs whole {ms(median(cpu['whole']))} CPU",
            {"cpu_seconds": cpu},
        ),
        _growth_figure("client", update_times),
    ]


def browser_figures(page: AppPage, question: str, words: int, repeats: int, first_repeats: int) -> list[Figure]:
    def asked() -> Watched:
        page.open(pacing=0)
        watched = page.ask(question, {"status": "", "answer": ""})
        if watched.timed_out:
            raise TimeoutError(f"no answer to {question!r} was shown in the browser")
        return watched

    def echoed(n: int) -> float:
        page.open(pacing=0)  # from the same freshly loaded page as the question
        return page.echo(f"ping {n}")

    def bare_chatbot() -> tuple[float, float]:
        page.open(pacing=0)  # the same freshly loaded page as the question's
        return first_times(page.ask_bare_chatbot(question))

    def first_times(watched: Watched) -> tuple[float, float]:
        return watched.first_change_s("status"), watched.first_change_s("answer")

    first = _first_events("browser", asked, echoed, first_times, first_repeats, bare_chatbot)
    expected = canned_answer(words).split()

    def streamed(stream: str, pacing: int = 0) -> Watched:
        page.open(pacing=pacing, stream=stream, backend=FAST_BACKEND)
        wait_s = BROWSER_WAIT_S + (2 * words / pacing if pacing else 0)
        watched = page.ask(question, {"answer": expected[-1]}, wait_s)
        if watched.timed_out:
            page.stop()
        elif watched.shown["answer"].split() != expected:
            raise AssertionError(f"the browser shows {len(watched.shown['answer'].split())} of {words} words")
        return watched

    results = interleaved({"token": partial(streamed, "token"), "whole": partial(streamed, "whole")}, repeats)
    shown = {name: [_browser_shown_s(watched) for watched in runs] for name, runs in results.items()}
    unfinished = sum(watched.timed_out for runs in results.values() for watched in runs)
    whole = _whole_answer_figure("browser", words, shown, unfinished)
    typewriter = streamed("token", TYPEWRITER_WORDS_PER_SECOND)
    update_times = [at / 1000 for at, _ in typewriter.changes["answer"]]
    note = f", typewriter run: {_updates_per_second(update_times):.1f} updates/s"
    if typewriter.timed_out:
        shown_words = len(typewriter.shown["answer"].split())
        note += f", only {shown_words:,} of {words:,} words shown when stopped"
    return [*first, whole, _growth_figure("browser", update_times, note)]


def conversation_figure(page: AppPage, questions: Sequence[str], turns: int) -> Figure:
    """The browser's time per update while the `turns`-th answer of one conversation streams, against
    the first's: whether a long conversation makes every update cost more to draw. The first and
    the last question are the same, so both answers are the same text, typewritten at the app's
    default pace."""
    page.open(pacing=CONVERSATION_WORDS_PER_SECOND)
    asked = [questions[turn % len(questions)] for turn in range(turns - 1)] + [questions[0]]
    intervals = []
    for turn, question in enumerate(asked, start=1):
        watched = page.ask_next(question, turn)
        if watched.timed_out:
            raise TimeoutError(f"turn {turn} of the conversation did not finish within the wait")
        times = [at / 1000 for at, _ in watched.changes["answer"]]
        intervals.append([later - earlier for earlier, later in itertools.pairwise(times)])
    first, last = intervals[0], intervals[-1]
    return Figure(
        "conversation_growth_browser",
        4,
        f"time per update, answer {turns} / answer 1 of one conversation, typewritten (browser)",
        median(last) / median(first) if first and last else math.nan,
        GROWTH_TARGET,
        f"answer {turns}: {ms(median(last))} vs answer 1: {ms(median(first))} between updates "
        f"({len(last)} and {len(first)} updates)"
        if first and last
        else "too few updates",
        {"intervals": intervals},
    )


def _first_events(
    where: str,
    asked: Callable[[], Any],
    echoed: Callable[[int], float],
    first_times: Callable[[Any], tuple[float, float]],
    repeats: int,
    bare_chatbot: Callable[[], tuple[float, float]] | None = None,
) -> list[Figure]:
    """Figures for the first status line and the first answer text, each against the echo (and, given
    `bare_chatbot`, against the bare chatbot's first status line and answer)."""
    counter = itertools.count()
    sides = {"ask": lambda: first_times(asked()), "echo": lambda: echoed(next(counter))}
    if bare_chatbot:
        sides["bare"] = bare_chatbot
    for side in sides.values():  # warm up every path
        side()
    results = interleaved(sides, repeats)
    echo = median(results["echo"])
    figures = []
    for index, (key, what) in enumerate((("status", "first status line"), ("answer", "first answer text"))):
        times = [pair[index] for pair in results["ask"]]
        figures.append(
            Figure(
                f"first_{key}_{where}",
                4,
                f"time to {what} / echo round trip ({where})",
                median(times) / echo,
                FIRST_EVENT_TARGET,
                f"{what} {ms(median(times))} vs echo {ms(echo)}",
                {"seconds": times, "echo_seconds": results["echo"]},
            )
        )
        if bare_chatbot:
            bare = [pair[index] for pair in results["bare"]]
            figures.append(
                Figure(
                    f"first_{key}_vs_bare_chatbot_{where}",
                    4,
                    f"time to {what} / a bare Gradio chatbot's ({where})",
                    median(times) / median(bare),
                    None,
                    f"{what} {ms(median(times))} vs bare chatbot {ms(median(bare))} (echo {ms(echo)})",
                    {"seconds": times, "bare_seconds": bare},
                )
            )
    return figures


def _whole_answer_figure(where: str, words: int, shown: dict[str, list[float]], unfinished: int = 0) -> Figure:
    """`unfinished` answers were not all shown by the deadline: their time, and so the ratio, is a lower bound."""
    bound = f" (≥: {unfinished} answers not fully shown within {BROWSER_WAIT_S} s)" if unfinished else ""
    return Figure(
        f"whole_answer_{where}",
        4,
        f"{words:,}-word answer fully shown: streamed / sent as one update ({where})",
        median(shown["token"]) / median(shown["whole"]),
        WHOLE_ANSWER_TARGET,
        f"streamed {ms(median(shown['token']))} vs one update {ms(median(shown['whole']))}{bound}",
        {"seconds": shown, "unfinished": unfinished},
    )


def _growth_figure(where: str, update_times: Sequence[float], extra: str = "") -> Figure:
    gaps = [later - earlier for earlier, later in itertools.pairwise(update_times)]
    share = max(1, round(GROWTH_SHARE * len(gaps)))
    first, last = gaps[:share], gaps[-share:]
    return Figure(
        f"update_growth_{where}",
        4,
        f"time per update, last 10% / first 10% of a typewritten answer ({where})",
        median(last) / median(first) if gaps else math.nan,
        GROWTH_TARGET,
        f"last {ms(median(last))} vs first {ms(median(first))} between updates{extra}" if gaps else "too few updates",
        {"first_intervals": first, "last_intervals": last, "updates": len(update_times)},
    )


def _browser_shown_s(watched: Watched) -> float:
    return BROWSER_WAIT_S if watched.timed_out else watched.last_change_s("answer")


def _shown_s(answered: Answered, expected: str) -> float:
    return next(update.at_s for update in answered.updates if update.answer == expected)


def _updates_per_second(times: Sequence[float]) -> float:
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return (len(times) - 1) / span if span > 0 else math.nan
