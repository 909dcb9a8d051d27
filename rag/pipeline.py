"""`stream_answer`: question in, typed events out. Every front end is a fold over this stream.

    Status("retrieve", "Searching knowledge base…")
    Retrieved(hits, ms)
    Status("generate", "Generating…")
    Token("Chunks") Token(" are") …
    Status("done", "Done") and Done(answer, hits, timings)      — or Error(message, partial)

A message that only greets, thanks, acknowledges ("ok"), says goodbye or asks what it can ask ("What can
you do?") gets a short reply and no search: Status, Token(reply), Status("done", "Done"), Done(reply, [], {}).

The shared knowledge base and the embedding model are loaded once per process (the first call
yields the loading progress); closing the stream closes the answer generator beneath it.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass

from rag.citations import cited_numbers
from rag.config import Settings
from rag.conversation import SearchQuery, standalone_query, with_context
from rag.embed import Embedder, get_embedder
from rag.errors import RagError
from rag.events import Done, Error, Event, Hit, Retrieved, Status, Token, counted, run_to_end
from rag.explain import answer_plan, search_stages
from rag.generate import AnswerBackend, BackendError, make_backend
from rag.generate.extractive import HITS_TO_READ, ExtractiveBackend
from rag.index import KnowledgeBase
from rag.knowledge import shared_knowledge_base
from rag.questions import (
    compares_only,
    compares_unnamed,
    picks_one_of_two,
    plain_question,
    question_and_context,
    small_talk,
    without_markup,
)
from rag.retrieve import SearchTimings, SearchTrace, search, search_follow_up
from rag.rewrite import ChatModel, RewriteFailed, model_rewrite
from rag.streaming import adapt, paced

MAX_HISTORY = 10  # the earlier questions a follow-up is read against, at most (and answers it avoids repeating)
MAX_SAID_CHARS = 4000  # of each earlier answer: an extractive one has at most 80 words
# Replies to a message that asks nothing of the documents (`rag.questions.small_talk`): nothing is searched.
SMALL_TALK_REPLIES = {
    "greeting": "Hello! Ask me a question about the documents, and I'll answer from them and show the passages I used.",
    "thanks": "You're welcome. Ask another question whenever you like.",
    "acknowledgement": "Ask another question whenever you like, or a follow-up on this one.",
    "feedback": (
        "Sorry that missed. I can only quote the documents, so an answer is as good as the passages found for it"
        " (its sources show them). Try the question in other words, or name the thing you mean."
    ),
    "sources": (
        "Every [n] in an answer cites the passage of the documents it quotes, and each answer's sources list"
        " those passages with the quoted sentences marked (on the page, choose an answer to see its own)."
    ),
    "goodbye": "Goodbye! This conversation stays on the page until you clear it or close the tab.",
}
TITLES_SHOWN = 6  # in the reply to "What can you do?"
NOTHING_TO_COMPARE = 'Which two things do you mean? Name them in the question, e.g. "How do HNSW and IVF differ?"'


def clean_question(question: str, limit: int) -> tuple[str, str]:
    """The question with control characters removed and cut to `limit`, and a notice if it was cut."""
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in question or "")
    text = " ".join(text.split())
    if len(text) <= limit:
        return text, ""
    return text[:limit], f"Question was {len(text):,} characters; using the first {limit:,}"


def unaskable(question: str) -> str:
    """Why the cleaned `question` cannot be searched, or "" if it can: it is empty, or has no words
    ("?!?!" after a question would otherwise be read as a follow-up and answered about its topic)."""
    if not question:
        return "Please type a question."
    if not any(character.isalnum() for character in question):
        return "Please type a question in words: this one has only punctuation or symbols."
    return ""


def compares_nothing_named(question: str) -> bool:
    """Whether the message asks how two things differ without naming them, in it or in a sentence
    before it ("How do they differ?" opening a conversation): nothing can answer it."""
    asked, context = question_and_context(question)
    return not context and compares_only(plain_question(asked))


def conversation(history: Sequence[str], settings: Settings) -> list[str]:
    """The last MAX_HISTORY questions of `history` that are text, each cleaned and cut like a question."""
    questions = (clean_question(asked, settings.max_question_chars)[0] for asked in history if isinstance(asked, str))
    return [asked for asked in questions if asked][-MAX_HISTORY:]


def said_before(said: Sequence[str]) -> list[str]:
    """The last MAX_HISTORY answers of `said` that are text, each cut to MAX_SAID_CHARS."""
    return [answer[:MAX_SAID_CHARS] for answer in said if isinstance(answer, str)][-MAX_HISTORY:]


def search_query(question: str, earlier: Sequence[str], kb: KnowledgeBase, embedder: Embedder) -> str:
    """What is searched for `question` after the (cleaned) questions `earlier`: the question's text
    without markup (`without_markup`), as plainly asked (`plain_question`) and spelt as the corpus
    spells it (`Spelling`), read after the sentences its message opens with (`with_context`), and a
    follow-up rewritten to stand on its own (a first question does not build the rewrite's
    vocabulary). A pronoun after a question that asks to pick something stands for the name the
    documents answer it with: that answer is the extractive one, chosen again from a hybrid search
    (its vectors cached since the question was asked: ~1.5 ms; ~50 ms cold).

    The earlier questions are spelt as the corpus spells them too, since stop 55, so that the words a
    follow-up carries from them are ("…— people normalise embeddings…", not "poeple"; "RAG", not
    "rag"): of the 12 conversation files' 769 follow-ups 46 were searched otherwise, recall@1 with
    the history +1 and −1, key fact +2 and −1."""
    asked, context = question_and_context(kb.spelling.corrected(without_markup(question)))
    query = plain_question(asked)
    if context:
        query = with_context(query, context, kb, embedder)
        if isinstance(query, SearchQuery):
            query = query.in_scene(context)
    if not earlier:
        return query

    def answer_of(earlier_question: str) -> list[str]:
        hits, _ = search(kb, embedder, earlier_question, HITS_TO_READ, "hybrid")
        return [sentence.text for sentence in ExtractiveBackend(embedder).ranked(earlier_question, hits)]

    earlier_plain = [_plain_message(kb.spelling.corrected(without_markup(asked_before))) for asked_before in earlier]
    return standalone_query(query, earlier_plain, kb, embedder, answer_of)


def _plain_message(message: str) -> str:
    """The message with its question asked plainly (`plain_question`), after the sentences that set
    its context: "Student here. Could you tell me what reranking is?" → "Student here. what reranking
    is?"."""
    asked, context = question_and_context(message)
    return f"{context} {plain_question(asked)}" if context else plain_question(asked)


def follow_up_query(
    question: str,
    earlier: Sequence[str],
    kb: KnowledgeBase,
    embedder: Embedder,
    backend: AnswerBackend | None,
    settings: Settings,
    stop: threading.Event | None,
    elapsed: Callable[[], float],
    said: Sequence[str] = (),
) -> Generator[Status, None, str]:
    """What is searched for `question`: after earlier questions, an LLM backend's rewrite (see
    `rag.rewrite`, which is shown the last of the answers `said` too) spelt as the corpus spells it (a
    model copies the asker's typos), and the model-free one (`search_query`) without an LLM or when the
    model fails."""
    if not earlier or not isinstance(backend, ChatModel):
        return search_query(question, earlier, kb, embedder)
    yield Status("rewrite", f"Rewriting the follow-up with {backend.label}…", elapsed())
    try:
        rewrite = model_rewrite(
            backend, question, earlier, timeout_s=settings.llm_rewrite_timeout_s, stop=stop, said=said
        )
        return kb.spelling.corrected(rewrite)
    except RewriteFailed as exc:
        yield Status("rewrite", f"The model's rewrite failed ({exc}); rewriting without it", elapsed())
        return search_query(question, earlier, kb, embedder)


def _reply(reply: str, small_talk_kind: str, elapsed: Callable[[], float]) -> Iterator[Event]:
    """The events answering a message that asks nothing of the documents: a reply, and no search."""
    yield Status(
        "generate", f"Not a question on the documents ({small_talk_kind}): replying without searching", elapsed()
    )
    yield Token(reply)
    yield Status("done", "Done", elapsed())
    yield Done(reply, [], {})


def what_can_be_asked(kb: KnowledgeBase) -> str:
    """What the knowledge base answers: how many documents it holds, and some of their titles, the
    newest (a visitor's uploads) first. Documents sharing a title are told apart by their file."""
    titles = dict(reversed([(chunk.source, chunk.title) for chunk in kb.chunks]))
    shared = {title for title, n in Counter(titles.values()).items() if n > 1}
    names = [f"“{title}” ({source})" if title in shared else f"“{title}”" for source, title in titles.items()]
    shown = ", ".join(names[:TITLES_SHOWN])
    more = f" and {len(names) - TITLES_SHOWN:,} more" if len(names) > TITLES_SHOWN else ""
    return (
        f"I answer questions from {counted(len(names), 'document')} and cite the passages each answer comes"
        f" from as [1], [2]…; the sources beside the answer show them. Among the documents: {shown}{more}."
    )


def search_for(
    question: str,
    query: str,
    kb: KnowledgeBase,
    embedder: Embedder,
    k: int,
    mode: str,
    trace: SearchTrace | None = None,
) -> tuple[list[Hit], SearchTimings]:
    """The top `k` hits for `query`, what is searched for `question` (`follow_up_query`): a follow-up
    rewritten with words from the conversation is weighed by its own words too (`search_follow_up`),
    unless it asks about the two things named before it ("What's the difference?", "Which is less
    likely to hallucinate?"), which are then its subject."""
    asked = search_query(question, (), kb, embedder)
    if query == asked or compares_unnamed(asked) or picks_one_of_two(asked):
        return search(kb, embedder, query, k, mode, trace)
    return search_follow_up(kb, embedder, query, asked, k, mode, trace)


@dataclass(frozen=True)
class ReadQuestion:
    """A question read as `stream_answer` reads it before searching, for the views that open the
    pipeline up (`rag.inspector`, `rag.lab`)."""

    question: str  # cleaned
    earlier: list[str]  # the conversation's earlier questions, cleaned (see `conversation`)
    said: list[str]  # its earlier answers, as the answer is given them (see `said_before`)
    query: str  # what is searched (see `follow_up_query`)
    kb: KnowledgeBase
    embedder: Embedder


def read_question(
    question: str,
    settings: Settings,
    *,
    kb: KnowledgeBase | None = None,
    history: Sequence[str] = (),
    backend: AnswerBackend | None = None,
    said: Sequence[str] = (),
) -> ReadQuestion:
    """`question` cleaned and read against `history` in `kb` (the shared knowledge base by default);
    a follow-up is rewritten as an answer by `backend` would rewrite it after the answers `said`
    (`follow_up_query`).

    Raises RagError when the question is empty or wordless (`unaskable`) or the knowledge base cannot be loaded.
    """
    question, _ = clean_question(question if isinstance(question, str) else "", settings.max_question_chars)
    if problem := unaskable(question):
        raise RagError(problem)
    kb = kb or run_to_end(shared_knowledge_base(settings))
    embedder = get_embedder(kb.model)
    earlier, earlier_answers = conversation(history, settings), said_before(said)
    query = run_to_end(
        follow_up_query(question, earlier, kb, embedder, backend, settings, None, lambda: 0.0, earlier_answers)
    )
    return ReadQuestion(question, earlier, earlier_answers, query, kb, embedder)


def stream_answer(
    question: str,
    settings: Settings,
    *,
    kb: KnowledgeBase | None = None,
    backend: AnswerBackend | None = None,
    words_per_second: float = 0,
    stop: threading.Event | None = None,
    history: Sequence[str] = (),
    said: Sequence[str] = (),
    explain: bool = False,
) -> Iterator[Event]:
    """Answer `question` as a stream of events (see the module docstring).

    `history` holds the conversation's earlier questions, oldest first: a follow-up that refers
    back to them ("What are its drawbacks?") is searched and answered as the standalone query it
    becomes, which a status line shows ("Searching for: …"); a question that stands on its own is
    searched as asked. An LLM backend's model writes the query, in bounded time (`rag.rewrite`).
    `said` holds its earlier answers, oldest first, which the answer repeats only where it must.

    `words_per_second` paces the answer like a typewriter (0: as fast as it is produced); the
    pacing sits beneath the streaming mode, as a slower model would. Setting `stop` (from any
    thread) wakes a paced answer at once, so it ends without waiting for its next word; an answer
    still streaming `settings.max_answer_seconds` after it started is cut off with an error.

    `explain` adds a `Stage` event for each stage of the search, before Retrieved, and one for the
    answer's plan after it (see `rag.explain`); a consumer that waits after each steps through the
    pipeline.
    """
    started = time.perf_counter()

    def elapsed() -> float:
        return (time.perf_counter() - started) * 1000

    if not isinstance(question, str):
        yield Error("The question must be text.")
        return
    question, notice = clean_question(question, settings.max_question_chars)
    if problem := unaskable(question):
        yield Error(problem)
        return
    if notice:
        yield Status("input", notice, elapsed())
    kind = small_talk(question)
    if kind in SMALL_TALK_REPLIES:
        yield from _reply(SMALL_TALK_REPLIES[kind], kind, elapsed)
        return
    earlier = conversation(history, settings)
    if not earlier and compares_nothing_named(question):
        yield Error(NOTHING_TO_COMPARE)
        return
    try:
        if kb is None:
            kb = yield from shared_knowledge_base(settings)
        embedder = get_embedder(kb.model)
        backend = backend or make_backend(settings.backend, settings, embedder)
    except RagError as exc:
        yield Error(str(exc))
        return
    if kind:  # "What can you do?"
        yield from _reply(what_can_be_asked(kb), kind, elapsed)
        return

    earlier_answers = said_before(said)
    query = yield from follow_up_query(
        question, earlier, kb, embedder, backend, settings, stop, elapsed, earlier_answers
    )
    searching = "Searching knowledge base…" if query == question else f"Searching for: {query}"
    yield Status("retrieve", searching, elapsed())
    trace = SearchTrace() if explain else None
    hits, search_timings = search_for(question, query, kb, embedder, settings.top_k, settings.mode, trace)
    if trace is not None:
        yield from search_stages(query, trace, hits, kb, embedder)
    yield Retrieved(hits, search_timings.total_ms)
    yield Status("retrieve", f"Found {counted(len(hits), 'passage')} ({search_timings.total_ms:.0f} ms)", elapsed())
    if trace is not None:
        yield answer_plan(query, hits, backend, earlier, earlier_answers)

    timings = {
        "embed_ms": search_timings.embed_ms,
        "search_ms": search_timings.search_ms,
        "retrieval_ms": elapsed(),
    }
    yield Status("generate", f"Generating with {backend.label}…", elapsed())
    answer: list[str] = []
    deadline = elapsed() + settings.max_answer_seconds * 1000  # from here: a step-through may pause before
    pieces = adapt(
        paced(backend.stream(query, hits, earlier, earlier_answers), words_per_second, stop), settings.stream
    )
    try:
        for piece in pieces:
            if not answer:
                timings["first_token_ms"] = elapsed()
            answer.append(piece)
            yield Token(piece)
            if elapsed() > deadline:
                raise BackendError(f"the answer took longer than {settings.max_answer_seconds} s and was cut off")
    except BackendError as exc:
        yield Status("error", f"Error: {exc}", elapsed())
        yield Error(str(exc), "".join(answer))
        return
    finally:
        pieces.close()
    timings["total_ms"] = elapsed()
    text = "".join(answer)
    cited = cited_numbers(text, hits)
    if hits and not cited:
        yield Status(
            "done", f"None of the {counted(len(hits), 'passage')} answers the question: none is cited", elapsed()
        )
    yield Status("done", "Done", elapsed())
    yield Done(text, hits, timings, backend.label, cited)
