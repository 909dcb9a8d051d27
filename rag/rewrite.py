"""A follow-up rewritten into a standalone search query by the answering language model, in bounded time.

With an LLM backend the conversation's earlier questions, its last answer and the follow-up go to
the model, which returns the query to search ("What are its drawbacks?" after "What is HNSW?" →
"drawbacks of HNSW"), or the question unchanged when it stands on its own. A language model resolves
what the model-free rules of `rag.conversation` miss (a follow-up with enough words of its own to
look standalone), but it can be slow, down or chatty, so the rewrite is bounded: a time limit
(`Settings.llm_rewrite_timeout_s`, 5 s), REWRITE_MAX_TOKENS, and one line of at most
MAX_QUERY_CHARS; anything else is a `RewriteFailed`, and the caller falls back to the model-free
rewrite.

The model streams into a worker thread, which closes its stream (and so the request or the
generation beneath it) at the next piece once the rewrite is over its bounds or the answer is
stopped; a server that sends nothing at all is left to the client's own timeout (RAG_LLM_TIMEOUT),
while the answer has already moved on.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from rag.errors import RagError
from rag.generate.prompt import Message, plain_answer

REWRITE_MAX_TOKENS = 48
MAX_QUERY_CHARS = 300
REWRITE_THREAD = "rag-rewrite"
INSTRUCTIONS = (
    "You rewrite the last question of a conversation into a standalone search query. Replace every "
    "word that refers back (it, its, they, this, that one, the former…) with what it refers to in the "
    "earlier questions or the last answer. If the question already stands on its own, return it "
    "unchanged. Reply with the query only, on one line, without quotes or explanation."
)
# What a model may wrap its query in: a label, quotes, a list mark.
_LABEL = re.compile(r"^\s*(?:(?:standalone\s+)?(?:search\s+)?query|rewritten(?:\s+question)?)\s*:\s*", re.IGNORECASE)
_WRAPPING = "\"'“”‘’`*-• "


class RewriteFailed(RagError):
    """The model gave no usable rewrite; the message says why (for the status log)."""


@runtime_checkable
class ChatModel(Protocol):
    """A backend that can be sent any chat messages: every LLM backend."""

    label: str

    def chat(self, messages: list[Message], max_new_tokens: int) -> Iterator[str]:
        """Yield the model's reply in pieces; closing the iterator stops the work."""
        ...


def rewrite_messages(question: str, earlier: Sequence[str], said: Sequence[str] = ()) -> list[Message]:
    """The request: the earlier questions, the last answer (what "that" in "Why is that useful?" may
    stand for) and the follow-up."""
    asked = "\n".join(f"{n}. {text}" for n, text in enumerate(earlier, start=1))
    answered = plain_answer(said[-1]) if said else ""
    user = f"Earlier questions:\n{asked}\n\n" + (f"Last answer: {answered}\n\n" if answered else "")
    user += f"Last question: {question}\n\nStandalone search query:"
    return [{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": user}]


def model_rewrite(
    model: ChatModel,
    question: str,
    earlier: Sequence[str],
    *,
    timeout_s: float,
    stop: threading.Event | None = None,
    said: Sequence[str] = (),
) -> str:
    """`question` as a standalone query written by `model` after the earlier questions and answers
    `said`; RewriteFailed when it fails, is over its bounds, or `stop` is set meanwhile."""
    reply = _Reply(model, rewrite_messages(question, earlier, said))
    reply.start()
    deadline = time.monotonic() + timeout_s
    while not reply.finished.wait(0.05):
        if stop is not None and stop.is_set():
            reply.cancel()
            raise RewriteFailed("stopped")
        if time.monotonic() > deadline:
            reply.cancel()
            raise RewriteFailed(f"no reply within {timeout_s:g} s")
    if reply.failure is not None:
        raise RewriteFailed(str(reply.failure))
    return usable_query(reply.text)


def usable_query(reply: str) -> str:
    """The query in a model's reply, without labels or quotes; RewriteFailed when there is none or it is
    more than one line of MAX_QUERY_CHARS."""
    lines = [line for line in reply.strip().splitlines() if line.strip()]
    if not lines:
        raise RewriteFailed("the model replied with nothing")
    if len(lines) > 1:
        raise RewriteFailed("the model replied with more than a query")
    query = _LABEL.sub("", lines[0]).strip(_WRAPPING)
    if not query or len(query) > MAX_QUERY_CHARS:
        raise RewriteFailed("the model replied with more than a query" if query else "the model replied with nothing")
    return query


class _Reply:
    """The model's reply, read in a worker thread until it ends, is over its bounds or is cancelled."""

    def __init__(self, model: ChatModel, messages: list[Message]):
        self.model = model
        self.messages = messages
        self.text = ""
        self.failure: Exception | None = None
        self.finished = threading.Event()
        self._cancelled = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._read, name=REWRITE_THREAD, daemon=True).start()

    def cancel(self) -> None:
        self._cancelled.set()

    def _read(self) -> None:
        pieces = self.model.chat(self.messages, REWRITE_MAX_TOKENS)
        try:
            for piece in pieces:
                self.text += piece
                # A query is one line: a second one, or a line longer than any query, ends the reply.
                if self._cancelled.is_set() or self.text.strip().count("\n") or len(self.text) > 2 * MAX_QUERY_CHARS:
                    break
        except Exception as exc:  # noqa: BLE001 (any failure of the model means: rewrite without it)
            self.failure = exc
        finally:
            pieces.close()
            self.finished.set()
