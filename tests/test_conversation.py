"""`standalone_query`: follow-ups that refer back get the conversation's topic; questions that
stand on their own are left as they were asked. The vocabulary is the shipped corpus's."""

from __future__ import annotations

import time

import pytest
from conftest import PROJECT_DIR

from rag.conversation import Vocabulary, refers_back, standalone_query


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.of(
        path.read_text(encoding="utf-8") for path in sorted((PROJECT_DIR / "data" / "corpus").glob("*.md"))
    )


def test_a_question_without_history_is_searched_as_asked(vocabulary):
    assert standalone_query("How is it tuned?", [], vocabulary) == "How is it tuned?"


@pytest.mark.parametrize(
    "question",
    [
        "How does BM25 weigh rare terms?",
        "Which port does the llama.cpp server use?",
        "Why does maximal marginal relevance penalise redundancy?",
    ],
)
def test_a_question_that_stands_on_its_own_is_unchanged(vocabulary, question):
    assert not refers_back(question, vocabulary)
    assert standalone_query(question, ["What is HNSW?"], vocabulary) == question


def test_a_pronoun_is_replaced_by_the_previous_topic(vocabulary):
    assert standalone_query("How much memory does it use?", ["What is IndexFlatIP?"], vocabulary) == (
        "How much memory does IndexFlatIP use?"
    )
    assert standalone_query("What are its limits?", ["What is SQuAD?"], vocabulary) == "What are SQuAD's limits?"


def test_a_follow_up_without_a_subject_gets_the_topic_appended(vocabulary):
    query = standalone_query("And why?", ["Should reciprocal rank fusion replace score fusion?"], vocabulary)
    assert query.startswith("And why? — ") and "reciprocal rank fusion" in query


def test_a_new_name_replaces_the_old_one_and_keeps_what_was_asked(vocabulary):
    query = standalone_query("What about Ollama?", ["Which port does vLLM listen on?"], vocabulary)
    assert "Ollama" in query and "port" in query and "vLLM" not in query


def test_a_third_turn_keeps_the_first_turns_topic(vocabulary):
    history = ["What is WordPiece?", "Who uses it?"]
    assert standalone_query("Who uses it?", history[:1], vocabulary) == "Who uses WordPiece?"
    assert "WordPiece" in standalone_query("And how are its pieces marked?", history, vocabulary)


def test_a_pronoun_after_a_name_in_the_same_question_is_not_resolved_from_history(vocabulary):
    question = "Can FAISS save it to disk?"
    assert not refers_back(question, vocabulary)
    assert standalone_query(question, ["What is HNSW?"], vocabulary) == question


def test_rewriting_is_cheap_and_deterministic(vocabulary):
    history = ["What does cosine similarity measure?", "Why normalise the vectors first?", "And with FAISS?"]
    started = time.perf_counter()
    queries = [standalone_query("How do I check that it worked?", history, vocabulary) for _ in range(100)]
    per_query_ms = (time.perf_counter() - started) * 1000 / 100
    assert len(set(queries)) == 1
    assert per_query_ms < 5, f"{per_query_ms:.2f} ms a rewrite"
