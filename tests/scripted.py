"""A scripted answer backend: fixed pieces instead of a model's answer, for tests of what is done with the stream."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from rag.events import Hit
from rag.generate import BackendError


class ScriptedBackend:
    """Yields fixed pieces, then optionally fails: a stand-in answer source for testing the front ends."""

    name = "scripted"
    label = "scripted"

    def __init__(self, pieces: Sequence[str], fail_with: str = ""):
        self.pieces = pieces
        self.fail_with = fail_with
        self.closed = False

    def stream(
        self, question: str, hits: Sequence[Hit], history: Sequence[str] = (), said: Sequence[str] = ()
    ) -> Iterator[str]:
        try:
            yield from self.pieces
            if self.fail_with:
                raise BackendError(self.fail_with)
        finally:
            self.closed = True
