"""The app as the benchmark launches it: app.py's `demo` plus an echo endpoint, in a process of its own.

    python -m benchmarks.server PORT    # prints "ready" once it serves on 127.0.0.1:PORT; stops when stdin closes

It warms up (loads the model and the index) before serving, or, with RAG_BENCH_WARM_UP=background,
on its own thread as `python app.py` does, so that questions can arrive during the warm-up.

The echo (a textbox, a button and `api_name="echo"`) is added to the same Blocks before launch, so
it goes through the same server, queue, client and browser code as the answer while doing no work
of its own: the baseline for "time to the first status line". Beside it, a bare Gradio chatbot
that is sent the two messages a first turn's status and answer are (`bare_turn`), doing no work
either: what Gradio's own chatbot takes to draw them, the floor under the app's first events in
the browser. app.py itself is left unchanged.
Serving from its own process keeps the benchmark's clients off the server's CPU and GIL, and lets
the server's CPU time be read from /proc.
"""

from __future__ import annotations

import asyncio
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from benchmarks.local import free_port
from rag.config import PROJECT_DIR

if TYPE_CHECKING:
    import gradio as gr

ECHO_INPUT = "bench-echo-input"
ECHO_OUTPUT = "bench-echo-output"
ECHO_BUTTON = "bench-echo"
BARE_CHAT = "bench-bare-chat"
BARE_QUESTION = "bench-bare-question"
BARE_ASK = "bench-bare-ask"
# The bare chatbot's answer follows its status as an extractive answer's does on this machine (its status
# log says Done at +10 ms): sent together, the browser would draw the two messages as one.
BARE_ANSWER_AFTER_S = 0.01
BARE_ANSWER = (
    "A bare chatbot's answer, as long as a short extractive one: it quotes two sentences of a passage and cites it. [1]"
)
READY = "ready"
START_TIMEOUT_S = 300  # loading the model and the index on a busy machine
STOP_TIMEOUT_S = 20


async def echo(text: str) -> str:
    return text


async def bare_turn(question: str, chat: list) -> AsyncIterator[tuple[list, Any]]:
    """The app's first two messages of a turn, worked out beforehand: the question with its thought
    (the first status line), then, BARE_ANSWER_AFTER_S later, the finished thought and the answer,
    with the question box emptied."""
    import gradio as gr

    from rag.web.answer import AnswerView
    from rag.web.chat import turn

    searching = AnswerView("+0 ms  Searching knowledge base…", "", (), {}, "", False, False, 0.0)
    done = AnswerView(f"{searching.status}\n+10 ms  Done", BARE_ANSWER, (), {}, "", False, True, 0.01)
    yield [*chat, *turn(question, searching)], gr.skip()
    await asyncio.sleep(BARE_ANSWER_AFTER_S)
    yield [*chat, *turn(question, done)], ""


def add_echo(demo: gr.Blocks) -> None:
    """Add the echo endpoint (and, for the browser, its textbox and button) and the bare chatbot to `demo`."""
    import gradio as gr  # only the app's process needs gradio, not the benchmark (or the tests) driving it

    from rag.web import page

    with demo:
        with gr.Row():
            text = gr.Textbox(label="Echo (benchmark)", elem_id=ECHO_INPUT)
            echoed = gr.Textbox(label="Echoed", elem_id=ECHO_OUTPUT)
            button = gr.Button("Echo", elem_id=ECHO_BUTTON)
        button.click(echo, text, echoed, api_name="echo", show_progress="hidden")
        # displayed as the app's conversation is, so that only what the app does around it differs
        bare_chat = gr.Chatbot(label="Bare chatbot (benchmark)", elem_id=BARE_CHAT, **page.conversation_display())
        with gr.Row():
            question = gr.Textbox(label="Bare chatbot's question", elem_id=BARE_QUESTION)
            ask = gr.Button("Ask the bare chatbot", elem_id=BARE_ASK)
        ask.click(
            bare_turn, [question, bare_chat], [bare_chat, question], show_progress="hidden", api_visibility="private"
        )


@dataclass(frozen=True)
class AppProcess:
    url: str
    pid: int


@contextmanager
def app_process(env: Mapping[str, str]) -> Iterator[AppProcess]:
    """Run the app with the echo endpoint on a free port of 127.0.0.1, ready to answer; stop it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server", str(port)],
        cwd=PROJECT_DIR,
        env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", **env},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_ready(process)
        yield AppProcess(f"http://127.0.0.1:{port}/", process.pid)
    finally:
        process.stdin.close()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        readable, _, _ = select.select([process.stdout], [], [], deadline - time.monotonic())
        line = process.stdout.readline() if readable else ""
        if line.strip() == READY:
            return
        if not line:  # exited, or the time is up
            break
    process.kill()
    raise RuntimeError(f"the app did not start on time (within {START_TIMEOUT_S} s); see its stderr above")


def main(argv: list[str]) -> int:
    import app
    from rag.web.handlers import warm_up

    add_echo(app.demo)
    if os.environ.get("RAG_BENCH_WARM_UP") == "background":
        threading.Thread(target=warm_up, name="rag-warm-up", daemon=True).start()
    else:
        warm_up()
    app.demo.launch(
        server_name="127.0.0.1",
        server_port=int(argv[0]),
        prevent_thread_lock=True,
        ssr_mode=False,
        quiet=True,
        **app.APPEARANCE,
    )
    print(READY, flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin (or dies)
    app.demo.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
