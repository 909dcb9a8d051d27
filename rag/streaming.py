"""Adapters between an answer generator's text pieces and what a reader sees.

Generators only yield text pieces, as fast or slow as they come. How those pieces reach the
reader is a separate choice, made here:

- `token`: word by word (an LLM's sub-word tokens pass through as they arrive);
- `buffered`: flush once 50+ characters are held or a sentence ends;
- `whole`: nothing until the answer is complete, then all of it;
- `paced`: a typewriter that releases at most N words a second.

Every adapter closes the iterator it wraps when it is itself closed, so a Stop reaches the
generator at the bottom of the chain.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator

from rag.config import STREAM_MODES

BUFFER_CHARS = 50
# Slower pacing would let one visitor hold an answer slot for minutes with a short answer.
SLOWEST_WORDS_PER_SECOND = 2.0
_WORD = re.compile(r"\s*\S+\s*|\s+")
_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*\s*$")


def adapt(pieces: Iterator[str], mode: str) -> Iterator[str]:
    """Apply the named streaming mode (one of STREAM_MODES) to `pieces`."""
    adapters = {"token": tokens, "buffered": buffered, "whole": whole}
    if mode not in adapters:
        raise ValueError(f"unknown streaming mode {mode!r}; use {', '.join(STREAM_MODES)}")
    return adapters[mode](pieces)


def tokens(pieces: Iterator[str]) -> Iterator[str]:
    """Token streaming: split pieces holding several words so each word (with its spacing) is its own piece."""
    try:
        for piece in pieces:
            yield from _WORD.findall(piece)
    finally:
        close(pieces)


def buffered(pieces: Iterator[str], min_chars: int = BUFFER_CHARS) -> Iterator[str]:
    """Hold text back until at least `min_chars` are waiting or it ends a sentence."""
    held = ""
    try:
        for piece in pieces:
            held += piece
            if len(held) >= min_chars or _SENTENCE_END.search(held):
                yield held
                held = ""
        if held:
            yield held
    finally:
        close(pieces)


def whole(pieces: Iterator[str]) -> Iterator[str]:
    try:
        text = "".join(pieces)
    finally:
        close(pieces)
    if text:
        yield text


def paced(pieces: Iterator[str], words_per_second: float, stop: threading.Event | None = None) -> Iterator[str]:
    """A typewriter: release the text word by word, no faster than `words_per_second` (0 = no limit).

    Pacing is never slower than SLOWEST_WORDS_PER_SECOND, and setting `stop` ends it at once, even
    between two words (a stopped answer must not hold its worker until the next word is due).
    """
    if words_per_second <= 0:
        yield from pieces
        return
    gap = 1.0 / max(words_per_second, SLOWEST_WORDS_PER_SECOND)
    stop = stop or threading.Event()
    next_at = time.perf_counter()
    try:
        for piece in pieces:
            for word in _WORD.findall(piece):
                if stop.wait(max(next_at - time.perf_counter(), 0)):
                    return
                next_at = max(next_at, time.perf_counter() - gap) + gap
                yield word
    finally:
        close(pieces)


def close(iterator: Iterable[str]) -> None:
    closer = getattr(iterator, "close", None)
    if closer is not None:
        closer()
