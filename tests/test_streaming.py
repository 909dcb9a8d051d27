"""The streaming adapters: what each mode yields, and that closing reaches the source."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rag.streaming import SLOWEST_WORDS_PER_SECOND, adapt, buffered, paced, tokens, whole


class Source:
    """A piece generator that records whether it was closed."""

    def __init__(self, pieces: list[str]):
        self.pieces = pieces
        self.closed = False

    def __iter__(self) -> Iterator[str]:
        try:
            yield from self.pieces
        finally:
            self.closed = True


def test_token_mode_yields_one_word_at_a_time():
    assert list(tokens(iter(["Hello big", " world. Bye"]))) == ["Hello ", "big", " world. ", "Bye"]


def test_buffered_flushes_at_fifty_characters():
    pieces = ["abcde " * 3] * 5  # 18 characters each, no sentence end
    out = list(buffered(iter(pieces)))
    assert [len(chunk) for chunk in out] == [54, 36]


def test_buffered_flushes_at_a_sentence_end():
    out = list(buffered(iter(["Short one.", " Next", " part! ", "And the tail"])))
    assert out == ["Short one.", " Next part! ", "And the tail"]


def test_whole_waits_for_everything():
    assert list(whole(iter(["a ", "b ", "c"]))) == ["a b c"]
    assert list(whole(iter([]))) == []


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown streaming mode"):
        adapt(iter([]), "fast")


@pytest.mark.parametrize("mode", ["token", "buffered", "whole"])
def test_closing_an_adapter_closes_its_source(mode):
    source = Source(["one two three. " * 10] * 10)
    stream = adapt(iter(source), mode)
    next(stream)
    stream.close()
    assert source.closed


def test_paced_releases_words_in_order_and_closes_its_source():
    source = Source(["alpha beta", " gamma"])
    stream = paced(iter(source), words_per_second=1000)
    assert next(stream) == "alpha "
    stream.close()
    assert source.closed
    assert "".join(paced(iter(["alpha beta", " gamma"]), 1000)) == "alpha beta gamma"


@given(st.lists(st.text(max_size=40), max_size=30))
def test_every_adapter_reproduces_its_input_exactly(pieces):
    expected = "".join(pieces)
    for mode in ("token", "buffered", "whole"):
        assert "".join(adapt(iter(pieces), mode)) == expected, mode
    assert "".join(paced(iter(pieces), 0)) == expected


@given(st.lists(st.text(max_size=40), max_size=30))
def test_buffered_pieces_are_full_or_end_a_sentence(pieces):
    out = list(buffered(iter(pieces)))
    for chunk in out[:-1]:
        assert len(chunk) >= 50 or chunk.rstrip()[-1:] in ".!?…\"')]", repr(chunk)


def test_a_stopped_typewriter_ends_at_once_instead_of_waiting_for_its_next_word():
    stop = threading.Event()
    source = Source(["one two three four"])
    typed = paced(iter(source), 0.001, stop)  # below the floor: two words a second at the slowest
    assert next(typed) == "one "
    threading.Timer(0.05, stop.set).start()  # while the typewriter waits for its next word
    assert list(typed) == [], "nothing more may come out once stopped"
    assert source.closed


def test_pacing_is_never_slower_than_the_floor():
    typed = paced(iter(["one two three"]), 0.001)
    started = time.monotonic()
    assert "".join(typed) == "one two three"
    assert time.monotonic() - started < 20 / SLOWEST_WORDS_PER_SECOND, (
        "0.001 words a second must be raised to the floor"
    )
