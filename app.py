"""Streaming RAG, the web app: ask the documents and watch retrieval and the answer arrive as they happen.

The Ask tab is a conversation, each answer one fold over `rag.stream_answer`'s events (see
`rag.web.answer.AnswerRun`): the question, its status log as a "thought" that grows line by line with
the time since the question and collapses when done, the answer as it streams; beside it the latest
answer's sources with the sentences it used, and charts of the scores and of where the time went.
A follow-up is read against the conversation's earlier questions, which live in the browser's chat
value (and in an API client's history for `/chat`). A second
tab asks the same question twice, waiting for the whole answer and streaming it, to show what
streaming does to the time until the first words appear.

This file is the layout and its wiring; what the page shows, how often it is updated and what each
session holds are in `rag.web`. Importing it builds `demo` without loading the model or the index:
both load when the first page opens or the first question is asked (or in the background when run
as `python app.py`), so tests can launch it on any port. A line under the title follows the loading
until it says Ready.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import contextlib
import html
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any, TypeVar

import gradio as gr

from rag.config import PROJECT_DIR, RETRIEVAL_MODES, STREAM_MODES, Settings
from rag.errors import RagError
from rag.events import Status, run_to_end
from rag.generate import available_backends
from rag.index import KnowledgeBase
from rag.inspector import inspect_question
from rag.knowledge import shared_knowledge_base
from rag.lab import compare_retrievers
from rag.pipeline import clean_question
from rag.uploads import add_uploads, display_name
from rag.web import page
from rag.web.answer import AnswerRun, Pane, StatusLog
from rag.web.chat import BadHistory, asked_before, last_question, message_text, turn
from rag.web.inspector import prompt_html
from rag.web.lab import lab_html
from rag.web.page import APPEARANCE
from rag.web.render import (
    NOTICE_TEMPLATE,
    adding_notice,
    answer_drawings,
    answer_markdown,
    corpus_summary,
    log_html,
    log_template,
    pane_info,
    searched_without,
    streaming_mark,
    unescaped,
)
from rag.web.sessions import AnswerLimit, Sessions, TooManyAnswers
from rag.web.updates import only_changed, stream_views, words_first

log = logging.getLogger(__name__)
Opened = TypeVar("Opened")  # what a view that opens the pipeline up returns

SETTINGS = Settings.from_env()
BACKENDS = [name for name in available_backends(SETTINGS) if name in SETTINGS.app_backends]
EXAMPLES_FILE = PROJECT_DIR / "data" / "examples.json"
SESSIONS = Sessions()  # not gr.State: Gradio keeps a closed tab's state for an hour, and this is freed at once
DEFAULT_WORDS_PER_SECOND = 25
MAX_WORDS_PER_SECOND = 100
MAX_TOP_K = 20
# Answers mostly wait on the typewriter (a sleeping thread each), so there are slots for a class of 30
# and more; no session (a tab, an API client) may hold more than ANSWERS_PER_SESSION of them, nor one
# address more than ANSWERS_PER_ADDRESS (behind a proxy every visitor has the proxy's address, which
# still leaves others a quarter of the slots).
ASK_CONCURRENCY = 64
ANSWERS_PER_SESSION = 2
ANSWERS_PER_ADDRESS = 48
SESSION_LIMIT = AnswerLimit(ANSWERS_PER_SESSION, "this browser tab or API client")
ADDRESS_LIMIT = AnswerLimit(ANSWERS_PER_ADDRESS, "your address")
UPLOAD_CONCURRENCY = 2  # embedding uploads is CPU-bound
COMPARED_STREAMS = ("whole", "token")  # the streaming modes compared side by side
CHAT_TEXT_OUTPUTS = 3  # the question box, the conversation and the answer's cursor: sent before the sources and charts
DRAWINGS = ("stages", "sources", "score chart", "timing chart")  # drawn beside the conversation, after the text
CHAT_OUTPUTS = CHAT_TEXT_OUTPUTS + len(DRAWINGS)


def load_examples() -> list[str]:
    """The example questions shipped in data/examples.json (none if it is missing)."""
    try:
        return [item["question"] for item in json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def answer_settings(top_k: float, mode: str, stream: str, backend: str) -> Settings:
    if mode not in RETRIEVAL_MODES:
        raise gr.Error(f"Unknown retrieval mode {mode!r}; use {', '.join(RETRIEVAL_MODES)}")
    if stream not in STREAM_MODES:
        raise gr.Error(f"Unknown streaming mode {stream!r}; use {', '.join(STREAM_MODES)}")
    if backend not in BACKENDS:
        raise gr.Error(f"Unknown answer backend {backend!r}; available here: {', '.join(BACKENDS)}")
    return SETTINGS.with_(top_k=min(max(int(top_k), 1), MAX_TOP_K), mode=mode, stream=stream, backend=backend)


def typewriter_speed(words_per_second: float) -> float:
    """The typewriter's words per second as asked, within 0 (as fast as produced) and MAX_WORDS_PER_SECOND."""
    return min(max(float(words_per_second or 0), 0.0), MAX_WORDS_PER_SECOND)


def shown_question(question: Any) -> str:
    """The question as the page may echo it: text only, cut to the length the answer uses."""
    return clean_question(question, SETTINGS.max_question_chars)[0] if isinstance(question, str) else ""


def answer_run(
    question: str,
    settings: tuple[float, str, str, float, str],
    kb: KnowledgeBase | None,
    history: list[str],
    notes: Sequence[str] = (),
    step_through: bool = False,
) -> AnswerRun:
    """An answer to `question` with the page's or the API's (top-k, mode, stream, pacing, backend)."""
    top_k, mode, stream, words_per_second, backend = settings
    settings_checked = answer_settings(top_k, mode, stream, backend)
    speed = typewriter_speed(words_per_second)
    return AnswerRun(question, settings_checked, kb, speed, notes, history, step_through=bool(step_through))


def earlier_questions(history: Any, *, shown: bool = False) -> list[str]:
    """The user messages' text in a chat history (see `rag.web.chat.asked_before`), or a gr.Error saying what is wrong."""
    try:
        return asked_before(history, shown=shown)
    except BadHistory as exc:
        raise gr.Error(str(exc)) from None


@contextlib.contextmanager
def answer_slot(request: gr.Request | None) -> Iterator[None]:
    """Hold one of the asking session's and one of its address's answer slots while answering."""
    session = request.session_hash if request else None
    address = request.client.host if request and request.client else None
    try:
        with SESSION_LIMIT.slot(session or "unknown"), ADDRESS_LIMIT.slot(address or "unknown"):
            yield
    except TooManyAnswers as exc:
        raise gr.Error(str(exc)) from None


# --- event handlers ---------------------------------------------------------------------------


async def converse(
    question: str,
    earlier: list[dict[str, Any]],
    box: Any,
    settings: tuple[float, str, str, float, str],
    step_through: bool,
    request: gr.Request,
) -> AsyncIterator[list[Any]]:
    """Answer `question` as the next turn after the chat messages `earlier`, streaming the page's
    [question box (`box`), conversation, answer cursor, stages, sources, score chart, timing chart];
    `step_through` pauses after each stage of the pipeline until Next stage is pressed.

    The status log opens by saying so if the session's uploads are still being added (and so not searched).
    """
    history = earlier_questions(earlier, shown=True)
    shown_as = shown_question(question)
    if not shown_as:
        gr.Warning("Please type a question.")
        yield [gr.skip()] * CHAT_OUTPUTS
        return
    session = SESSIONS[request.session_hash]
    kb, adding = session.searched()
    notes = [searched_without(adding)] if adding else []
    run = answer_run(question, settings, kb, history, notes, step_through)
    if session.run is not None:
        session.run.stop()  # one answer per tab: a new question ends the one before
    session.run = run
    shown: list[Any] | None = None
    warned = ""
    with answer_slot(request):
        async for (view,) in stream_views(run):
            if view.error and view.error != warned:
                warned = view.error
                gr.Warning(view.error)
            values = [box, [*earlier, *turn(shown_as, view)], streaming_mark(view), *answer_drawings(shown_as, view)]
            async for message in words_first(only_changed(values, shown), CHAT_TEXT_OUTPUTS):
                yield message
            shown = values
    if shown is not None:
        session.remember_drawings(len(history), shown[CHAT_TEXT_OUTPUTS:])


async def answer_in_chat(
    question: str,
    chat: list[dict[str, Any]],
    top_k: float,
    mode: str,
    stream: str,
    words_per_second: float,
    backend: str,
    step_through: bool,
    request: gr.Request,
) -> AsyncIterator[list[Any]]:
    """Ask `question` as the conversation's next turn; the question box is emptied for the next one."""
    settings = (top_k, mode, stream, words_per_second, backend)
    async for message in converse(question, chat, "", settings, step_through, request):
        yield message


async def retry_in_chat(
    chat: list[dict[str, Any]],
    top_k: float,
    mode: str,
    stream: str,
    words_per_second: float,
    backend: str,
    step_through: bool,
    request: gr.Request,
) -> AsyncIterator[list[Any]]:
    """Ask the conversation's last question again, its new answer replacing the old one."""
    at = last_question(chat)
    if at is None:
        yield [gr.skip()] * CHAT_OUTPUTS
        return
    question = unescaped(message_text(chat[at]["content"]) or "")
    settings = (top_k, mode, stream, words_per_second, backend)
    async for message in converse(question, chat[:at], gr.skip(), settings, step_through, request):
        yield message


def stop(request: gr.Request) -> None:
    """Stop the session's answer: its thought says so, the partial answer stays in the conversation."""
    run = SESSIONS[request.session_hash].run
    if run is not None:
        run.stop()  # the answering event sends the stopped turn and ends


def next_stage(request: gr.Request) -> None:
    """Go on from the stage the session's step-through answer is paused after."""
    run = SESSIONS[request.session_hash].run
    if run is not None:
        run.next_stage()


def clear(request: gr.Request) -> tuple[list, str, str, str, str, str]:
    """A new conversation: the answer in progress stops, the conversation, stages, sources and charts are emptied."""
    stop(request)
    SESSIONS[request.session_hash].drawings.clear()
    return [], "", "", "", "", ""


def show_chosen_answer(chat: list[dict[str, Any]], chosen: gr.SelectData, request: gr.Request) -> list[Any]:
    """A message chosen in the conversation: its turn's stages, sources and charts drawn beside it again."""
    if not isinstance(chosen.index, int) or not 0 <= chosen.index < len(chat):
        return [gr.skip()] * len(DRAWINGS)
    turn = sum(message.get("role") == "user" for message in chat[: chosen.index + 1]) - 1
    drawings = SESSIONS[request.session_hash].drawings.get(turn)
    return drawings if drawings else [gr.skip()] * len(DRAWINGS)


async def ask(
    question: str,
    top_k: int = SETTINGS.top_k,
    mode: str = SETTINGS.mode,
    stream: str = SETTINGS.stream,
    words_per_second: float = DEFAULT_WORDS_PER_SECOND,
    backend: str = BACKENDS[0],
    request: gr.Request | None = None,
) -> AsyncIterator[tuple[str, str, list[dict]]]:
    """Answer `question` from the shipped corpus, streaming [status log, answer, sources] as it goes.

    `sources` are the retrieved passages as dicts (rank, scores, title, section, source, text);
    the answer cites them as [n]. Cancel the job to stop the answer.
    """
    async for values in answer_api(question, [], (top_k, mode, stream, words_per_second, backend), request):
        yield values


async def chat(
    message: str,
    history: list[dict] | None = None,
    top_k: int = SETTINGS.top_k,
    mode: str = SETTINGS.mode,
    stream: str = SETTINGS.stream,
    words_per_second: float = DEFAULT_WORDS_PER_SECOND,
    backend: str = BACKENDS[0],
    request: gr.Request | None = None,
) -> AsyncIterator[tuple[str, str, list[dict]]]:
    """Answer `message` as the next turn of a conversation, streaming [status log, answer, sources] like /ask.

    `history` is the conversation so far, oldest first, as OpenAI-style messages
    ({"role": "user" | "assistant" | "system", "content": "…"}); the user messages' text is what a
    follow-up ("What are its drawbacks?") is read against. Cancel the job to stop the answer.
    """
    asked = earlier_questions([] if history is None else history)
    async for values in answer_api(message, asked, (top_k, mode, stream, words_per_second, backend), request):
        yield values


async def answer_api(
    question: str,
    history: list[str],
    settings: tuple[float, str, str, float, str],
    request: gr.Request | None,
) -> AsyncIterator[tuple[str, str, list[dict]]]:
    """Stream [status log, answer, sources] of `question`, read against the earlier questions `history`."""
    run = answer_run(question, settings, None, history)
    with answer_slot(request):
        async for (view,) in stream_views(run):
            yield view.status, view.answer, [hit.to_json() for hit in view.hits]


async def compare(
    question: str, top_k: float, mode: str, words_per_second: float, backend: str, request: gr.Request
) -> AsyncIterator[list[Any]]:
    """The same question answered twice at once: once waiting for the whole answer, once streaming it."""
    settings = answer_settings(top_k, mode, "token", backend)
    kb, _ = SESSIONS[request.session_hash].searched()
    speed = typewriter_speed(words_per_second)
    panes = [Pane(AnswerRun(question, settings.with_(stream=stream), kb, speed)) for stream in COMPARED_STREAMS]
    shown: list[Any] | None = None
    with answer_slot(request):
        async for views in stream_views(*(pane.run for pane in panes)):
            values = []
            for pane, view in zip(panes, views, strict=True):
                pane.sent(view)
                values += [pane_info(pane, view), answer_markdown(view)]
            yield only_changed(values, shown)
            shown = values


def show_prompt(
    question: str, chat: list[dict[str, Any]], top_k: float, mode: str, backend: str, request: gr.Request
) -> str:
    """The prompt the chosen backend's model receives for `question`, asked next in the conversation `chat`."""
    settings = answer_settings(top_k, mode, "token", backend)
    return prompt_html(opened_up(inspect_question, question, chat, settings, request))


def show_rankings(question: str, chat: list[dict[str, Any]], top_k: float, request: gr.Request) -> str:
    """`question`, asked next in the conversation `chat`, searched by every retriever side by side."""
    settings = answer_settings(top_k, SETTINGS.mode, "token", BACKENDS[0])
    return lab_html(opened_up(compare_retrievers, question, chat, settings, request))


def opened_up(
    view: Callable[..., Opened], question: str, chat: list[dict[str, Any]], settings: Settings, request: gr.Request
) -> Opened:
    """`view` (`inspect_question` or `compare_retrievers`) of `question` asked next in the conversation
    `chat`, over the session's documents; a gr.Error saying what is wrong with the question."""
    kb, _ = SESSIONS[request.session_hash].searched()
    try:
        return view(question, settings, kb=kb, history=earlier_questions(chat, shown=True))
    except RagError as exc:
        raise gr.Error(str(exc)) from None


def add_documents(files: list[str] | None, request: gr.Request) -> Iterator[tuple[Any, ...]]:
    """Index uploaded files into this session's own knowledge base, with progress in the upload log and,
    by the question box, a notice that questions asked meanwhile search without them."""
    if not files:
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return
    session = SESSIONS.hold_files(request.session_hash, files)
    names = [display_name(path) for path in files]
    status = StatusLog()
    status.add(f"Adding {len(files)} file{'' if len(files) == 1 else 's'}…")
    with session.adding_uploads(names):
        yield log_html(status.text), adding_notice(names), gr.skip(), gr.skip()
        adding = add_uploads(files, session.corpus, SETTINGS, stop=session.stop_uploads)
        with contextlib.closing(adding):  # a client that went away stops the upload at its next page or batch
            while True:
                try:
                    event = next(adding)
                except StopIteration as finished:
                    result = finished.value
                    break
                status.add_event(event)
                yield log_html(status.text), gr.skip(), gr.skip(), gr.skip()
        if result.stopped:  # the session ended: there is no one to tell
            return
        session.corpus = result.corpus
    for message in result.rejected:
        gr.Warning(message)
    if result.added:
        status.add(f"Added {', '.join(result.added)}: questions in this browser tab now search them too")
    else:
        status.add("No documents were added")
    yield log_html(status.text), "", None, corpus_summary(result.corpus)


def use_shipped_corpus(request: gr.Request) -> tuple[str, str]:
    SESSIONS[request.session_hash].corpus = None
    status = StatusLog()
    status.add("Back to the shipped corpus: your uploaded documents are no longer searched")
    return log_html(status.text), corpus_summary(None)


def warming_up() -> Iterator[str]:
    """The page's readiness line: each step of loading the model and the shared index, as it happens
    (whichever thread loads them), then "Ready". Only "Ready" when they were already loaded."""
    try:
        for event in shared_knowledge_base(SETTINGS):
            step = event.message if isinstance(event, Status) else f"Embedded {event.done}/{event.total} passages"
            yield html.escape(f"Warming up: {step}")
    except RagError as exc:
        yield html.escape(f"Could not load the documents: {exc}")
        return
    yield "Ready"


def end_session(request: gr.Request) -> None:
    """The tab was closed: stop its answer, free its documents and delete its uploaded files."""
    SESSIONS.end(request.session_hash)


def warm_up() -> None:
    """Load the model and the shared index (with the sentence vectors answers quote) before questions need them."""
    try:
        run_to_end(shared_knowledge_base(SETTINGS))
    except RagError as exc:
        log.warning("could not load the knowledge base: %s", exc)


def question_row(placeholder: str, box: page.Element, label: str, button: page.Element) -> tuple[gr.Textbox, gr.Button]:
    """A tab's own question box and the button that asks it, in one row."""
    with gr.Row():
        asked = gr.Textbox(
            show_label=False, placeholder=placeholder, container=False, scale=6, min_width=150, elem_id=box.id
        )
        go = gr.Button(label, variant="primary", scale=0, min_width=120, elem_id=button.id)
    return asked, go


# --- layout -----------------------------------------------------------------------------------

# Uploads are read once, when they arrive: Gradio may delete its copies after an hour (checked hourly).
with gr.Blocks(title="Streaming RAG", delete_cache=(3600, 3600)) as demo:
    gr.Markdown(
        "# Streaming RAG\nAsk the documents a question and watch the search and the answer arrive as they happen.",
        elem_classes=["app-header"],
    )
    with gr.Row(equal_height=True):
        warm_up_state = gr.HTML("", html_template=NOTICE_TEMPLATE, elem_id=page.WARM_UP.id, js_on_load=None)
        presenter = gr.Checkbox(
            label="Presenter mode (large text for a room)",
            elem_id=page.PRESENTER.id,
            scale=0,
            min_width=300,
            container=False,
        )
    with gr.Tabs():
        with gr.Tab("Ask"):
            with gr.Row():
                with gr.Column(scale=3, min_width=300):
                    conversation = gr.Chatbot(
                        label="Conversation",
                        elem_id=page.CHAT.id,
                        height=480,
                        placeholder="Ask the documents a question; a follow-up question builds on the conversation.",
                        buttons=["copy", "copy_all"],
                        feedback_options=None,
                        latex_delimiters=[],
                        allow_tags=False,
                    )
                    answer_state = gr.HTML(elem_id=page.ANSWER_STATE.id, js_on_load=None)
                    with gr.Row():
                        question = gr.Textbox(
                            label="Question",
                            show_label=False,
                            placeholder="Ask the documents a question",
                            container=False,
                            scale=6,
                            min_width=150,
                            elem_id=page.QUESTION.id,
                        )
                        ask_button = gr.Button("Ask", variant="primary", scale=0, min_width=72, elem_id=page.ASK.id)
                        stop_button = gr.Button("Stop", variant="stop", scale=0, min_width=72, elem_id=page.STOP.id)
                        next_button = gr.Button(
                            "Next stage", scale=0, min_width=140, visible=False, elem_id=page.NEXT_STAGE.id
                        )
                    with gr.Row():
                        gr.HTML(
                            "Press Enter to ask. Stop ends the answer and keeps what it has written; "
                            "Retry and Clear are on the conversation.",
                            elem_id=page.QUESTION_HINT.id,
                            js_on_load=None,
                        )
                        upload_notice = gr.HTML(
                            "", html_template=NOTICE_TEMPLATE, elem_id=page.UPLOAD_NOTICE.id, js_on_load=None
                        )
                with gr.Column(scale=2, min_width=280, elem_id=page.LATEST_ANSWER.id):
                    stages = gr.HTML(elem_id=page.STAGES.id, js_on_load=None)
                    sources = gr.HTML(elem_id=page.SOURCES.id, js_on_load=None)
                    scores = gr.HTML(elem_id=page.SCORES.id, js_on_load=None)
                    timings = gr.HTML(elem_id=page.TIMINGS.id, js_on_load=None)
            with gr.Accordion("Settings", open=False):
                with gr.Row():
                    top_k = gr.Slider(1, MAX_TOP_K, value=SETTINGS.top_k, step=1, label="Passages to retrieve (top-k)")
                    words_per_second = gr.Slider(
                        0,
                        MAX_WORDS_PER_SECOND,
                        value=DEFAULT_WORDS_PER_SECOND,
                        step=1,
                        label="Typewriter pacing (words per second, 0 = as fast as produced)",
                        elem_id=page.PACING.id,
                    )
                with gr.Row():
                    mode = gr.Radio(list(RETRIEVAL_MODES), value=SETTINGS.mode, label="Retrieval")
                    stream_mode = gr.Radio(list(STREAM_MODES), value=SETTINGS.stream, label="Streaming")
                    backend = gr.Dropdown(BACKENDS, value=BACKENDS[0], label="Answer backend")
                step_through = gr.Checkbox(
                    label="Step through the pipeline: pause after each stage (embedding, dense, BM25, fusion, "
                    "rerank, the answer's plan) until Next stage is pressed",
                    elem_id=page.STEP_THROUGH.id,
                )
            with gr.Accordion("Your documents", open=False):
                gr.Markdown(
                    f"Add `.md`, `.txt` or `.pdf` files (up to {SETTINGS.max_upload_files} files of "
                    f"{SETTINGS.max_upload_mb} MB, {SETTINGS.max_upload_chars:,} characters of text in all). "
                    "Only questions from this browser tab search them."
                )
                uploads = gr.File(label="Upload documents", file_count="multiple", elem_id=page.UPLOADS.id)
                upload_status = gr.HTML(
                    "",
                    html_template=log_template("Upload progress", page.UPLOAD_LOG_LABEL.id),
                    elem_id=page.UPLOAD_LOG.id,
                    js_on_load=None,
                )
                with gr.Row():
                    corpus_info = gr.HTML(corpus_summary(None), elem_id=page.CORPUS_INFO.id, js_on_load=None)
                    shipped_button = gr.Button("Use shipped corpus", size="sm", scale=0, min_width=160)
            examples = load_examples()
            if examples:
                gr.Examples([[example] for example in examples], inputs=[question], label="Example questions")
        with gr.Tab("With vs without streaming"):
            gr.Markdown(
                "The same question, answered twice at the same time with the Ask tab's settings: the left pane "
                "waits for the whole answer, the right one shows each word as it is produced. Compare the time "
                "until the first text appears. The typewriter pacing stands in for the speed of a language model."
            )
            compare_question, compare_button = question_row(
                "A question to answer both ways", page.COMPARE_QUESTION, "Run both", page.RUN_BOTH
            )
            with gr.Row():
                with gr.Column(min_width=280):
                    gr.Markdown("#### Without streaming (waits for the whole answer)")
                    whole_info = gr.HTML(elem_id=page.WHOLE_INFO.id, elem_classes=["pane-info"], js_on_load=None)
                    whole_answer = gr.Markdown(elem_id=page.WHOLE_ANSWER.id, container=True)
                with gr.Column(min_width=280):
                    gr.Markdown("#### With streaming (word by word)")
                    streamed_info = gr.HTML(elem_id=page.STREAMED_INFO.id, elem_classes=["pane-info"], js_on_load=None)
                    streamed_answer = gr.Markdown(elem_id=page.STREAMED_ANSWER.id, container=True)

        with gr.Tab("Prompt inspector"):
            gr.Markdown(
                "The exact messages a language model receives for a question, with the Ask tab's settings, "
                "conversation and documents: the rules, each retrieved passage in its fence, the question, "
                "each part's tokens against the context budget, and the passages dropped to fit."
            )
            inspect_question_box, inspect_button = question_row(
                "A question to build the prompt for", page.INSPECT_QUESTION, "Show the prompt", page.INSPECT
            )
            prompt_view = gr.HTML(elem_id=page.PROMPT.id, js_on_load=None)

        with gr.Tab("Retrieval lab"):
            gr.Markdown(
                "One question searched three ways at once, with the Ask tab's conversation and documents: dense "
                "(embeddings), lexical (BM25) and hybrid (both, fused). A passage keeps its letter and colour in "
                "every column; under each ranking, the extractive answer it gives."
            )
            lab_question_box, lab_button = question_row(
                "A question to search three ways", page.LAB_QUESTION, "Compare", page.COMPARE_RETRIEVERS
            )
            lab_view = gr.HTML(elem_id=page.LAB.id, js_on_load=None)

    answer_settings_inputs = [top_k, mode, stream_mode, words_per_second, backend]
    chat_outputs = [question, conversation, answer_state, stages, sources, scores, timings]
    ask_event = gr.on(
        [ask_button.click, question.submit],
        answer_in_chat,
        inputs=[question, conversation, *answer_settings_inputs, step_through],
        outputs=chat_outputs,
        show_progress="hidden",
        concurrency_limit=ASK_CONCURRENCY,
        concurrency_id="answer",
        api_visibility="private",
    )
    retry_event = conversation.retry(
        retry_in_chat,
        inputs=[conversation, *answer_settings_inputs, step_through],
        outputs=chat_outputs,
        show_progress="hidden",
        concurrency_limit=ASK_CONCURRENCY,
        concurrency_id="answer",
        api_visibility="private",
    )
    # Stop lets the answering event send the stopped turn; Clear cancels it, so nothing is sent after it.
    stop_button.click(stop, show_progress="hidden", concurrency_limit=None, api_visibility="private")
    next_button.click(next_stage, show_progress="hidden", concurrency_limit=None, api_visibility="private")
    step_through.change(
        lambda on: gr.Button(visible=on), inputs=[step_through], outputs=[next_button], api_visibility="private"
    )
    conversation.clear(
        clear,
        outputs=[conversation, answer_state, stages, sources, scores, timings],
        cancels=[ask_event, retry_event],
        show_progress="hidden",
        concurrency_limit=None,
        api_visibility="private",
    )
    conversation.select(
        show_chosen_answer,
        inputs=[conversation],
        outputs=[stages, sources, scores, timings],
        show_progress="hidden",
        concurrency_limit=None,
        api_visibility="private",
    )
    gr.api(ask, api_name="ask", concurrency_limit=ASK_CONCURRENCY, concurrency_id="answer")
    gr.api(chat, api_name="chat", concurrency_limit=ASK_CONCURRENCY, concurrency_id="answer")
    gr.on(
        [compare_button.click, compare_question.submit],
        compare,
        inputs=[compare_question, top_k, mode, words_per_second, backend],
        outputs=[whole_info, whole_answer, streamed_info, streamed_answer],
        show_progress="hidden",
        concurrency_limit=ASK_CONCURRENCY // 2,
        api_visibility="private",
    )
    gr.on(
        [inspect_button.click, inspect_question_box.submit],
        show_prompt,
        inputs=[inspect_question_box, conversation, top_k, mode, backend],
        outputs=[prompt_view],
        api_visibility="private",
    )
    gr.on(
        [lab_button.click, lab_question_box.submit],
        show_rankings,
        inputs=[lab_question_box, conversation, top_k],
        outputs=[lab_view],
        api_visibility="private",
    )
    uploads.upload(
        add_documents,
        inputs=[uploads],
        outputs=[upload_status, upload_notice, uploads, corpus_info],
        show_progress="hidden",
        concurrency_limit=UPLOAD_CONCURRENCY,
        api_visibility="private",
    )
    shipped_button.click(
        use_shipped_corpus, outputs=[upload_status, corpus_info], concurrency_limit=None, api_visibility="private"
    )
    demo.load(
        warming_up, outputs=[warm_up_state], show_progress="hidden", concurrency_limit=None, api_visibility="private"
    )
    presenter.change(None, inputs=[presenter], js=page.PRESENTER_SWITCH_JS, show_progress="hidden")
    demo.load(None, outputs=[presenter], js=page.PRESENTER_FROM_ADDRESS_JS, show_progress="hidden")
    demo.unload(end_session)

demo.queue(default_concurrency_limit=4, max_size=4 * ASK_CONCURRENCY)

if __name__ == "__main__":
    threading.Thread(target=warm_up, name="rag-warm-up", daemon=True).start()
    demo.launch(ssr_mode=False, max_file_size=f"{4 * SETTINGS.max_upload_mb}mb", **APPEARANCE)
