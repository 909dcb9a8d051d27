"""The HTTP answer backends (OpenAI-compatible and Hugging Face InferenceClient) against a real local server.

The fixture is `benchmarks.fake_llm`, a real HTTP/1.1 server on 127.0.0.1 that speaks the
chat.completions streaming format (`data: {json}` events, then `data: [DONE]`) from a script the
test sets: normal answers, error statuses, a server that dies mid-answer, one that never answers,
and a long answer for Stop. It records every request and whether a client went away while it was
still writing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import huggingface_hub.constants
import pytest

from benchmarks.fake_llm import FakeLLM, Reply, fake_llm
from benchmarks.local import free_port
from rag.config import Settings
from rag.corpus import Chunk
from rag.events import Done, Error, Event, Hit, Status, Token
from rag.generate import BackendError, available_backends, make_backend
from rag.generate.base import shown_url
from rag.generate.hf_backend import HFInferenceBackend
from rag.generate.openai_backend import OpenAICompatibleBackend
from rag.generate.prompt import HISTORY_INTRO, SAID_INTRO
from rag.pipeline import stream_answer
from rag.rewrite import INSTRUCTIONS

ANSWER = ["Buffered", " streaming", " holds", " text", " back", " until", " a", " sentence", " ends", " [1]."]
BACKENDS = {"openai": OpenAICompatibleBackend, "hf": HFInferenceBackend}
MODEL = "test-model"
WAIT_S = 10  # an upper bound for the server to notice something, never a measured duration


@pytest.fixture
def server() -> Iterator[FakeLLM]:
    with fake_llm(Reply(ANSWER)) as chat_server:
        yield chat_server


@pytest.fixture
def hub_online(monkeypatch):
    """Let huggingface_hub make requests (tests run with HF_HUB_OFFLINE=1); they only go to 127.0.0.1."""
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)


@pytest.fixture(params=sorted(BACKENDS))
def backend_name(request, hub_online) -> str:
    return request.param


def llm_settings(settings: Settings, url: str, **changes) -> Settings:
    return settings.with_(llm_model=MODEL, llm_base_url=url, **changes)


def hits() -> list[Hit]:
    chunks = [
        Chunk("a#0", "Buffered streaming", "Buffered streaming", "a.md", 0, 60, "Buffered streaming holds text back."),
        Chunk("b#0", "Token streaming", "How", "b.md", 0, 40, "Token streaming sends every token at once."),
    ]
    return [Hit(chunk, rank, 1.0 / rank) for rank, chunk in enumerate(chunks, start=1)]


def closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/v1"


def test_backend_streams_the_servers_chunks(server, settings, backend_name):
    backend = BACKENDS[backend_name](llm_settings(settings, server.url))

    pieces = list(backend.stream("What is buffered streaming?", hits()))

    assert pieces == ANSWER, "each streamed delta should arrive as its own piece, in order"
    request = server.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["stream"] is True and request["body"]["model"] == MODEL
    user = request["body"]["messages"][-1]["content"]
    assert '<passage id="1"' in user and '<passage id="2"' in user and "What is buffered streaming?" in user


def test_server_dying_mid_answer_is_an_error_event_keeping_the_partial_answer(server, settings, kb, backend_name):
    server.script = Reply(ANSWER, drop_after=4)
    answer_settings = llm_settings(settings, server.url, backend=backend_name)
    backend = BACKENDS[backend_name](answer_settings)

    events = list(stream_answer("What is buffered streaming?", answer_settings, kb=kb, backend=backend))

    error = events[-1]
    assert isinstance(error, Error), f"expected the stream to end in an Error event, got {error!r}"
    assert error.partial == "".join(ANSWER[:4]), "the partial answer should hold all text sent before the drop"
    assert "mid-answer" in error.message and server.url in error.message
    assert "".join(e.text for e in events if isinstance(e, Token)) == error.partial
    assert any(isinstance(e, Status) and e.stage == "error" for e in events)


def rewriting(query: Reply) -> Callable[[dict[str, Any]], Reply]:
    """A script that replies `query` to a request to rewrite a follow-up, and ANSWER to any other."""
    return lambda body: query if body["messages"][0]["content"] == INSTRUCTIONS else Reply(ANSWER)


def follow_up(server: FakeLLM, settings: Settings, kb, backend_name: str, **changes) -> list[Event]:
    answer_settings = llm_settings(settings, server.url, backend=backend_name, **changes)
    backend = BACKENDS[backend_name](answer_settings)
    history = ["What is HNSW?"]
    return list(stream_answer("What are its drawbacks?", answer_settings, kb=kb, backend=backend, history=history))


def test_a_follow_up_is_searched_and_answered_as_the_models_rewrite(server, settings, kb, backend_name):
    server.script = rewriting(Reply(["Draw", "backs of the HNSW", " index"]))

    events = follow_up(server, settings, kb, backend_name)

    assert isinstance(events[-1], Done), events[-1]
    rewrite, answer = server.requests
    asked = rewrite["body"]["messages"][-1]["content"]
    assert "1. What is HNSW?" in asked and "Last question: What are its drawbacks?" in asked
    log = [e.message for e in events if isinstance(e, Status)]
    assert log[:2] == [
        f"Rewriting the follow-up with {events[-1].backend}…",
        "Searching for: Drawbacks of the HNSW index",
    ], log
    user = answer["body"]["messages"][-1]["content"]
    earlier, question = user.split(HISTORY_INTRO)[1].split("\n\nQuestion: ")
    assert earlier.strip() == "- What is HNSW?"
    assert question.startswith("Drawbacks of the HNSW index"), "the answer's question is the rewrite"
    assert {hit.chunk.source for hit in events[-1].hits[:1]} == {"faiss-hnsw-index.md"}


def test_the_rewrite_and_the_answer_after_a_follow_up_are_shown_the_last_answer(server, settings, kb, backend_name):
    server.script = rewriting(Reply(["Why product quantization is useful"]))
    answer_settings = llm_settings(settings, server.url, backend=backend_name)
    backend = BACKENDS[backend_name](answer_settings)
    first = "Product quantization splits a vector into sub-vectors and stores a centroid number for each. [1]"

    events = list(
        stream_answer(
            "Why is that useful?",
            answer_settings,
            kb=kb,
            backend=backend,
            history=["How does product quantization make its codes?"],
            said=[first],
        )
    )

    assert isinstance(events[-1], Done), events[-1]
    rewrite, answer = (request["body"]["messages"][-1]["content"] for request in server.requests)
    assert f"Last answer: {first.removesuffix(' [1]')}\n" in rewrite, "the rewrite is shown what 'that' may stand for"
    assert SAID_INTRO in answer
    assert f"- {first.removesuffix(' [1]')}" in answer.split(SAID_INTRO)[1], "the earlier answer, its mark taken off"


def test_a_typo_the_model_copies_into_its_rewrite_is_spelt_as_the_corpus_spells_it(server, settings, kb, backend_name):
    server.script = rewriting(Reply(["the drawbakcs of HNSW graphs"]))

    events = follow_up(server, settings, kb, backend_name)

    log = [e.message for e in events if isinstance(e, Status)]
    assert log[1] == "Searching for: the drawbacks of HNSW graphs", log


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(hang=True), "no reply within 1 s"),
        (Reply(status=500), "500"),
        (Reply(["Sure! The standalone query is:\n", "drawbacks of HNSW"]), "more than a query"),
    ],
)
def test_a_rewrite_that_fails_falls_back_to_the_model_free_one(server, settings, kb, backend_name, reply, reason):
    server.script = rewriting(reply)

    events = follow_up(server, settings, kb, backend_name, llm_rewrite_timeout_s=1)

    assert isinstance(events[-1], Done), events[-1]
    log = [e.message for e in events if isinstance(e, Status)]
    failed = log[1]
    assert failed.startswith("The model's rewrite failed (") and reason in failed, log
    assert failed.endswith("; rewriting without it")
    assert log[2] == "Searching for: What are the drawbacks of HNSW?", "the model-free rewrite is searched"


def test_closing_the_stream_closes_the_connection_the_server_is_writing_to(server, settings, backend_name):
    server.script = Reply(["word "] * 500, gap_s=0.02)
    stream = BACKENDS[backend_name](llm_settings(settings, server.url)).stream("q?", hits())

    first = [next(stream) for _ in range(3)]
    stream.close()

    assert first == ["word "] * 3
    assert server.client_left.wait(WAIT_S), "the server should see the client go away while it is still writing"
    assert not server.finished.is_set()


def test_connection_refused_names_the_url(settings, backend_name):
    url = closed_port_url()
    backend = BACKENDS[backend_name](llm_settings(settings, url))

    with pytest.raises(BackendError, match="Could not connect") as raised:
        list(backend.stream("q?", hits()))
    assert url in str(raised.value)


@pytest.mark.parametrize(
    ("status", "hint"),
    [(401, {"openai": "RAG_LLM_API_KEY", "hf": "HF_TOKEN"}), (404, {"openai": MODEL, "hf": MODEL})],
)
def test_refusals_say_what_to_check(server, settings, backend_name, status, hint):
    server.script = Reply(status=status)
    backend = BACKENDS[backend_name](llm_settings(settings, server.url))

    with pytest.raises(BackendError) as raised:
        list(backend.stream("q?", hits()))

    message = str(raised.value)
    assert str(status) in message and hint[backend_name] in message, message


def test_a_server_that_never_answers_times_out(server, settings, backend_name):
    server.script = Reply(hang=True)
    backend = BACKENDS[backend_name](llm_settings(settings, server.url, llm_timeout_s=1))

    with pytest.raises(BackendError, match="sent nothing for 1 s"):
        list(backend.stream("q?", hits()))


def test_hf_backend_says_when_offline_mode_blocks_it(server, settings, monkeypatch):
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    backend = HFInferenceBackend(llm_settings(settings, server.url))

    with pytest.raises(BackendError, match="HF_HUB_OFFLINE"):
        list(backend.stream("q?", hits()))
    assert server.requests == []


def test_only_configured_http_backends_are_offered(settings):
    bare = settings.with_(llm_model="", llm_base_url="", llm_api_key="", hf_token="")
    assert available_backends(bare)[0] == "extractive"
    assert "openai" not in available_backends(bare) and "hf" not in available_backends(bare)
    assert "openai" in available_backends(bare.with_(llm_base_url="http://127.0.0.1:11434/v1"))
    assert "openai" in available_backends(bare.with_(llm_api_key="sk-test"))
    assert "hf" in available_backends(bare.with_(hf_token="hf_test"))


def test_backends_are_made_once_per_settings_and_labelled(settings):
    ollama = settings.with_(llm_model="llama3.2", llm_base_url="http://127.0.0.1:11434/v1")

    backend = make_backend("openai", ollama, embedder=None)

    assert make_backend("openai", ollama, embedder=None) is backend
    assert make_backend("openai", ollama.with_(llm_model="qwen3"), embedder=None) is not backend
    assert backend.name == "openai"
    assert backend.label == "OpenAI-compatible (llama3.2 at http://127.0.0.1:11434/v1)"


def test_openai_backend_without_a_model_says_how_to_name_one(settings):
    with pytest.raises(BackendError, match="--model"):
        make_backend("openai", settings.with_(llm_model="", llm_base_url="http://127.0.0.1:11434/v1"), embedder=None)


def test_refused_connection_to_ollama_asks_whether_ollama_runs(settings):
    backend = OpenAICompatibleBackend(settings.with_(llm_model="llama3.2", llm_base_url="http://127.0.0.1:11434/v1"))
    try:
        list(backend.stream("q?", hits()))
    except BackendError as exc:
        assert "is Ollama running at http://127.0.0.1:11434" in str(exc)
    else:
        pytest.skip("something answers on 127.0.0.1:11434 here")


def test_a_url_s_credentials_are_never_shown(settings):
    backend = make_backend(
        "openai", settings.with_(llm_model="m", llm_base_url="http://user:secret@127.0.0.1:9/v1"), embedder=None
    )
    assert "secret" not in backend.label and "user" not in backend.label
    assert shown_url("https://user:pw@example.org:8443/v1?x=1") == "https://example.org:8443/v1?x=1"
    assert shown_url("http://127.0.0.1:11434/v1") == "http://127.0.0.1:11434/v1"
