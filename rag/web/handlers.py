"""The web app's event handlers and the state they share: the settings read from the environment, the
backends offered, the open sessions and the limits on answers.

Each handler is what one event of the page (or one API endpoint) does; `app.py` lays the page out and
wires its events to these. Streaming handlers are async generators (about 28% less server CPU per
update than sync ones) that fold `rag.web.answer.AnswerRun` views into the page's outputs, sending
only what changed and the words before the drawings (`rag.web.updates`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import html
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any, TypeVar

import gradio as gr

from rag.config import PROJECT_DIR, RETRIEVAL_MODES, STREAM_MODES, Settings
from rag.errors import RagError
from rag.events import Status, counted, run_to_end
from rag.generate import available_backends
from rag.index import KnowledgeBase
from rag.inspector import inspect_question
from rag.knowledge import shared_knowledge_base
from rag.lab import compare_retrievers
from rag.pipeline import clean_question, unaskable
from rag.questions import small_talk
from rag.uploads import add_uploads, display_name
from rag.web.answer import AnswerRun, AnswerView, Pane, StatusLog
from rag.web.chat import BadHistory, answered_before, asked_before, last_question, message_text, turn
from rag.web.inspector import prompt_html
from rag.web.lab import lab_html
from rag.web.render import (
    adding_notice,
    answer_drawings,
    answer_markdown,
    corpus_summary,
    log_html,
    pane_info,
    searched_without,
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
# The conversation is sent before the other outputs, the question box and the drawings beside it: a
# change to either delays the browser's drawing of the conversation. The box is emptied with the
# first drawings, once there is something to draw (`something_to_draw`).
CHAT_TEXT_OUTPUTS = 1
CHAT_OUTPUTS = 3


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
    said: Sequence[str] = (),
) -> AnswerRun:
    """An answer to `question` with the page's or the API's (top-k, mode, stream, pacing, backend),
    after the conversation's earlier questions `history` and answers `said`."""
    top_k, mode, stream, words_per_second, backend = settings
    settings_checked = answer_settings(top_k, mode, stream, backend)
    speed = typewriter_speed(words_per_second)
    return AnswerRun(question, settings_checked, kb, speed, notes, history, said, step_through=bool(step_through))


def earlier_questions(history: Any, *, shown: bool = False) -> list[str]:
    """The user messages' text in a chat history (see `rag.web.chat.asked_before`), or a gr.Error saying what is wrong."""
    try:
        return asked_before(history, shown=shown)
    except BadHistory as exc:
        raise gr.Error(str(exc)) from None


def earlier_answers(history: Any) -> list[str]:
    """The answers' text in the page's chat value (see `rag.web.chat.answered_before`), or a gr.Error."""
    try:
        return answered_before(history, shown=True)
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
    [conversation, question box (`box`), the drawings beside it (`answer_drawings`)];
    `step_through` pauses after each stage of the pipeline until Next stage is pressed.

    The status log opens by saying so if the session's uploads are still being added (and so not searched).
    A question that is empty or has no words (`unaskable`) is not a turn: a warning says why. A message that
    asks nothing of the documents ("thanks", "where did you get that?": `small_talk`) searches nothing, so
    the latest answer's sources stay beside the conversation.
    """
    history = earlier_questions(earlier, shown=True)
    said = earlier_answers(earlier)
    shown_as = shown_question(question)
    if problem := unaskable(shown_as):  # as a turn, its Retry could only fail again; the box keeps it
        gr.Warning(problem)
        yield [gr.skip()] * CHAT_OUTPUTS
        return
    cleaned, cut = clean_question(question, SETTINGS.max_question_chars)
    if cut:
        gr.Warning(cut)  # besides the status log's line, which is folded away once the answer is done
    replies_only = bool(small_talk(cleaned))
    session = SESSIONS[request.session_hash]
    kb, adding = session.searched()
    notes = [searched_without(adding)] if adding else []
    run = answer_run(question, settings, kb, history, notes, step_through, said)
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
            if shown is None and something_to_draw(view):  # the worker got ahead of the first message
                shown = [[*earlier, *turn(shown_as, status_only(view))], gr.skip(), gr.skip()]
                yield shown
            conversation = [*earlier, *turn(shown_as, view)]
            if something_to_draw(view):
                values = [conversation, box, gr.skip() if replies_only else answer_drawings(shown_as, view)]
            else:  # the first status line goes out alone: it is drawn sooner
                values = [conversation, gr.skip(), gr.skip()]
            async for message in words_first(only_changed(values, shown), CHAT_TEXT_OUTPUTS):
                yield message
            shown = values
    if shown is not None and not replies_only:
        session.remember_drawings(len(history), shown[-1])


def something_to_draw(view: AnswerView) -> bool:
    """Whether the answer has anything to show beside the conversation yet (its cursor needs words)."""
    return bool(view.hits or view.stages or view.answer or view.finished)


def status_only(view: AnswerView) -> AnswerView:
    """`view` with its status log alone, still working: what the first message shows."""
    return dataclasses.replace(view, answer="", hits=(), stages=(), error="", stopped=False, finished=False)


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


def step_through_switched(on: bool, request: gr.Request) -> Any:
    """Show Next stage while stepping through; turned off, an answer paused after a stage goes on."""
    run = SESSIONS[request.session_hash].run
    if not on and run is not None:
        run.run_through()
    return gr.Button(visible=on)


def clear(request: gr.Request) -> tuple[list, str]:
    """A new conversation: the answer in progress stops, the conversation and the drawings beside it are emptied."""
    stop(request)
    SESSIONS[request.session_hash].drawings.clear()
    return [], ""


def show_chosen_answer(chat: list[dict[str, Any]], chosen: gr.SelectData, request: gr.Request) -> Any:
    """A message chosen in the conversation: its turn's stages, sources and charts drawn beside it again."""
    if not isinstance(chosen.index, int) or not 0 <= chosen.index < len(chat):
        return gr.skip()
    turn = sum(message.get("role") == "user" for message in chat[: chosen.index + 1]) - 1
    return SESSIONS[request.session_hash].drawings.get(turn) or gr.skip()


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
    follow-up ("What are its drawbacks?") is read against, and the assistant messages' text what its
    answer avoids repeating. Cancel the job to stop the answer.
    """
    messages = [] if history is None else history
    asked = earlier_questions(messages)
    said = answered_before(messages)
    async for values in answer_api(message, asked, (top_k, mode, stream, words_per_second, backend), request, said):
        yield values


async def answer_api(
    question: str,
    history: list[str],
    settings: tuple[float, str, str, float, str],
    request: gr.Request | None,
    said: Sequence[str] = (),
) -> AsyncIterator[tuple[str, str, list[dict]]]:
    """Stream [status log, answer, sources] of `question`, read against the earlier questions `history`
    (and answers `said`)."""
    run = answer_run(question, settings, None, history, said=said)
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
    inspect = functools.partial(inspect_question, said=earlier_answers(chat))
    return prompt_html(opened_up(inspect, question, chat, settings, request))


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
    status.add(f"Adding {counted(len(files), 'file')}…")
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
        kb = run_to_end(shared_knowledge_base(SETTINGS))
        # The typo corrector (~0.3 s) and the words' document counts that read a follow-up or a sentence
        # before a question (~0.06 s), built now rather than on the first question that needs them.
        _ = kb.spelling, kb.vocabulary
    except RagError as exc:
        log.warning("could not load the knowledge base: %s", exc)
