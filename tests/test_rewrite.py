"""The model's rewrite of a follow-up: what counts as a query in its reply, and that Stop and the time
limit end the wait at once (against the real scripted chat server of `benchmarks.fake_llm`)."""

from __future__ import annotations

import threading
import time

import pytest

from benchmarks.fake_llm import Reply, fake_llm
from rag.evaluate_conversations import default_rewrites
from rag.generate.openai_backend import OpenAICompatibleBackend
from rag.rewrite import MAX_QUERY_CHARS, RewriteFailed, model_rewrite, usable_query

WAIT_S = 10  # an upper bound, never a measured duration


@pytest.mark.parametrize(
    ("reply", "query"),
    [
        ("drawbacks of HNSW", "drawbacks of HNSW"),
        ('  "What are the drawbacks of HNSW?"\n', "What are the drawbacks of HNSW?"),
        ("Standalone search query: drawbacks of HNSW", "drawbacks of HNSW"),
        ("Query: `HNSW drawbacks`", "HNSW drawbacks"),
        ("- HNSW drawbacks", "HNSW drawbacks"),
    ],
)
def test_the_query_is_taken_out_of_its_wrapping(reply, query):
    assert usable_query(reply) == query


@pytest.mark.parametrize(
    "reply", ["", "  \n ", '""', "Here is the query:\nHNSW drawbacks", "word " * (MAX_QUERY_CHARS // 4)]
)
def test_a_reply_that_is_not_one_query_is_refused(reply):
    with pytest.raises(RewriteFailed):
        usable_query(reply)


@pytest.fixture
def hanging_model(settings):
    with fake_llm(Reply(hang=True)) as server:
        yield OpenAICompatibleBackend(settings.with_(llm_model="m", llm_base_url=server.url))


def test_the_time_limit_ends_the_wait_for_a_model_that_sends_nothing(hanging_model):
    started = time.monotonic()
    with pytest.raises(RewriteFailed, match="no reply within 0.2 s"):
        model_rewrite(hanging_model, "What are its drawbacks?", ["What is HNSW?"], timeout_s=0.2)
    assert time.monotonic() - started < WAIT_S


def test_stop_ends_the_wait_for_the_rewrite(hanging_model):
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    started = time.monotonic()
    with pytest.raises(RewriteFailed, match="stopped"):
        model_rewrite(hanging_model, "What are its drawbacks?", ["What is HNSW?"], timeout_s=WAIT_S * 6, stop=stop)
    assert time.monotonic() - started < WAIT_S, "Stop should end the wait long before the time limit"


def test_the_conversation_eval_measures_the_rewrite_of_the_backend_it_is_given(settings, kb, embedder):
    history = ["What is HNSW?"]
    model_free = default_rewrites(kb, embedder, settings)["with_history"]
    assert model_free("What are its drawbacks?", history) == "What are the drawbacks of HNSW?"
    with fake_llm(Reply(["drawbacks of HNSW graphs"])) as server:
        llm = settings.with_(backend="openai", llm_model="m", llm_base_url=server.url)
        by_model = default_rewrites(kb, embedder, llm)["with_history"]
        assert by_model("What are its drawbacks?", history) == "drawbacks of HNSW graphs"
        assert by_model("What is HNSW?", []) == "What is HNSW?", "a first question is not sent to the model"
        assert len(server.requests) == 1
