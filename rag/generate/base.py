"""What every answer backend is: something that turns a question and hits into text pieces."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from rag.errors import RagError
from rag.events import Hit

NOT_FOUND = "The documents don't answer this question."


class BackendError(RagError):
    """The backend failed; the message says what failed and what to check."""


class AnswerBackend(Protocol):
    name: str
    label: str

    def stream(
        self, question: str, hits: Sequence[Hit], history: Sequence[str] = (), said: Sequence[str] = ()
    ) -> Iterator[str]:
        """Yield the answer in pieces, citing hit n as [n]; closing the iterator stops the work.

        `question` stands on its own (a follow-up was rewritten); `history` holds the conversation's
        earlier questions, oldest first, which a language model is shown for context, and `said` its
        earlier answers, which the extractive answer does not repeat where it has something new and a
        language model is shown the last of (`rag.generate.prompt`)."""
        ...


def shown_url(url: str) -> str:
    """`url` as it may be shown to anyone: without a user name or password in it."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
