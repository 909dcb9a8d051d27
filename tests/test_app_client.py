"""The app's `/ask` API through gradio_client, against the real launched app (real model, index and queue).

`/ask` streams [status log, answer, sources]: the tests check that partial values arrive before
the final one and only ever grow, that cancelling a job stops the work behind it, that a class
of 30 can ask at once, and that an answer broken off by the LLM server keeps its partial text.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import pytest
from app_fixtures import GRADIO_QUEUE_PANDAS_WARNINGS
from gradio_client import Client

from benchmarks.client import close_all, connect
from benchmarks.local import wait_until
from rag.web.updates import WORKLOAD

# Slow: every test needs the app imported (gradio: 3 s of CPU) and launched first, several seconds on 2 cores.
pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings(GRADIO_QUEUE_PANDAS_WARNINGS)]

QUESTION = "What is buffered streaming?"
WAIT_S = 120  # a generous upper bound for a loaded 2-core machine, never a measured duration
CLASS_SIZE = 30


@pytest.fixture(scope="module")
def client(app_url) -> Iterator[Client]:
    client = connect(app_url)
    yield client
    client.close()


@pytest.fixture
def students(app_url) -> Iterator[list[Client]]:
    """A class of CLASS_SIZE clients of the launched app, closed afterwards."""
    clients = [connect(app_url) for _ in range(CLASS_SIZE)]
    yield clients
    close_all(clients)


def test_ask_streams_status_and_answer_before_the_final_values(client):
    job = client.submit(QUESTION, words_per_second=25, api_name="/ask")
    final_status, final_answer, sources = job.result(timeout=WAIT_S)
    updates = job.outputs()

    partial_answers = [answer for _, answer, _ in updates if answer and answer != final_answer]
    assert len(set(partial_answers)) >= 3, f"expected several partial answers before the final one, got {updates}"
    for (status, answer, _), (next_status, next_answer, _) in pairwise(updates):
        assert next_status.startswith(status), f"status lines must only be appended:\n{status}\n---\n{next_status}"
        assert next_answer.startswith(answer), f"the answer must only grow: {answer!r} then {next_answer!r}"
    first_with_text = next(status for status, answer, _ in updates if answer)
    assert "Found 5 passages" in first_with_text, "the status should report the search before any answer"
    assert final_status.splitlines()[-1].endswith("Done"), final_status
    assert [source["rank"] for source in sources] == [1, 2, 3, 4, 5]
    assert {"title", "section", "source", "text", "score", "dense_score", "lexical_score"} <= set(sources[0])
    assert "[1]" in final_answer or "[2]" in final_answer, f"the answer should cite its sources: {final_answer!r}"


def test_cancelling_a_job_stops_the_answer_behind_it(client):
    working_before = WORKLOAD.answers
    job = client.submit(QUESTION, words_per_second=1, api_name="/ask")
    assert wait_until(lambda: any(answer for _, answer, _ in job.outputs()), WAIT_S), "the first words arrive"
    assert WORKLOAD.answers > working_before, "the answer should be in progress"

    job.cancel()

    # At one word a second the whole answer takes a minute; closing the stream must end it at once.
    assert wait_until(lambda: WORKLOAD.answers <= working_before, 30), "the cancelled answer stops"
    words_sent = max(len(answer.split()) for _, answer, _ in job.outputs())
    assert words_sent < 20, f"the answer should have stopped early, but {words_sent} words were sent"


def test_a_class_of_thirty_can_ask_at_the_same_time(students):
    working_before = WORKLOAD.answers
    jobs = [student.submit(QUESTION, words_per_second=2, api_name="/ask") for student in students]
    try:
        assert wait_until(lambda: WORKLOAD.answers - working_before == CLASS_SIZE, WAIT_S), (
            f"all {CLASS_SIZE} answers are being streamed at once"
        )
        assert wait_until(lambda: all(job.outputs() for job in jobs), WAIT_S), "every student has seen the first update"
    finally:
        for job in jobs:
            job.cancel()
    assert wait_until(lambda: WORKLOAD.answers <= working_before, WAIT_S), "the cancelled answers stop"


def test_an_answer_broken_off_by_the_llm_keeps_its_words_and_says_why(client):
    job = client.submit(QUESTION, backend="openai", words_per_second=0, api_name="/ask")
    status, answer, _ = job.result(timeout=WAIT_S)

    assert answer == "Half of an answer and", "the words that arrived before the error should stay"
    assert "Error:" in status.splitlines()[-1] and "without finishing" in status, status


def test_unknown_settings_are_refused_with_a_clear_message(client):
    with pytest.raises(Exception, match="Unknown retrieval mode 'psychic'"):
        client.predict(QUESTION, mode="psychic", api_name="/ask")


def test_chat_reads_a_follow_up_against_the_history_and_streams_like_ask(client):
    first = client.predict("How does an HNSW index work?", [], words_per_second=0, api_name="/chat")
    history = [
        {"role": "system", "content": "Answer from the documents."},
        {"role": "user", "content": "How does an HNSW index work?"},
        {"role": "assistant", "content": first[1]},
    ]

    job = client.submit("What are its drawbacks?", history, words_per_second=25, api_name="/chat")
    status, _, sources = job.result(timeout=WAIT_S)

    searched = next(line for line in status.splitlines() if "Searching" in line)
    assert "Searching for:" in searched and "HNSW" in searched, status
    assert sources[0]["source"] == "faiss-hnsw-index.md", [source["source"] for source in sources]
    updates = job.outputs()
    assert len({answer for _, answer, _ in updates if answer}) >= 3, "the answer should stream in several updates"
    for (earlier, _, _), (later, _, _) in pairwise(updates):
        assert later.startswith(earlier), "status lines must only be appended"
    alone, _, _ = client.predict("What are its drawbacks?", [], words_per_second=0, api_name="/chat")
    assert "Searching knowledge base…" in alone, "without a history the question is searched as asked"


def test_chat_s_answer_to_a_follow_up_says_what_the_answers_in_the_history_did_not(client):
    first = "What is prompt injection?"
    _, earlier, _ = client.predict(first, [], words_per_second=0, api_name="/chat")
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": earlier}]
    _, answer, _ = client.predict("How do I protect against it?", history, words_per_second=0, api_name="/chat")
    assert "defences are layered" in answer, (earlier, answer)


@pytest.mark.parametrize(
    ("history", "says"),
    [
        ("What is HNSW?", "The history must be a list of messages"),
        ([{"role": "user", "content": "What is HNSW?"}, "And IVF?"], "Message 2 of the history is not a message"),
        ([{"role": "user", "content": 42}], "a user message's content must be text"),
    ],
)
def test_chat_refuses_a_history_that_is_not_a_list_of_messages(client, history, says):
    with pytest.raises(Exception, match=says):
        client.predict("What are its drawbacks?", history, api_name="/chat")
