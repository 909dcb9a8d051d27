"""The extractive (no LLM) answer over the shipped corpus: cites the right document, only quotes,
says plainly when the documents don't answer, and keeps a pronoun's antecedent."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from rag.config import PROJECT_DIR
from rag.corpus import Chunk
from rag.events import Hit
from rag.generate import NOT_FOUND
from rag.generate.extractive import (
    MAX_SENTENCES,
    MAX_WORDS,
    ExtractiveBackend,
    _sentence_vectors,
    embed_sentences_ahead,
)
from rag.pipeline import cited_numbers
from rag.retrieve import search

EXAMPLES = json.loads((PROJECT_DIR / "data" / "examples.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def backend(embedder):
    return ExtractiveBackend(embedder)


def _answer(backend, kb, embedder, question: str) -> tuple[str, list[Hit]]:
    hits, _ = search(kb, embedder, question, 5, "hybrid")
    return "".join(backend.stream(question, hits)), hits


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def test_label_says_no_llm(backend):
    assert backend.label == "extractive (no LLM)"


@pytest.mark.slow  # embeds the sentences of every example's hits: 15 s measured on the idle 2-core machine
def test_every_example_is_answered_citing_its_document(backend, kb, embedder):
    failures = []
    for example in EXAMPLES:
        answer, hits = _answer(backend, kb, embedder, example["question"])
        cited = [hits[n - 1].chunk.source for n in cited_numbers(answer, hits)]
        if answer == NOT_FOUND or example["document"] not in cited:
            failures.append(f"{example['question']!r}: cited {cited}, answer {answer[:120]!r}")
    assert not failures, f"{len(failures)} of {len(EXAMPLES)} examples:\n" + "\n".join(failures)


def test_off_topic_question_gets_the_plain_not_found_answer(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "Who won the 1998 football World Cup?")
    assert answer == NOT_FOUND


@pytest.mark.slow  # embeds the sentences of every example's hits: 15 s measured on the idle 2-core machine
def test_answers_only_quote_their_cited_chunk_within_the_budget(backend, kb, embedder):
    for example in EXAMPLES:
        hits, _ = search(kb, embedder, example["question"], 5, "hybrid")
        chosen = backend.choose(example["question"], hits)
        assert 1 <= len(chosen) <= MAX_SENTENCES, example
        assert sum(len(s.text.split()) for s in chosen) <= MAX_WORDS, example
        for sentence in chosen:
            source = hits[sentence.hit - 1].chunk.text
            assert _squeeze(sentence.text) in _squeeze(source), (
                f"{sentence.text!r} is not a quote of hit {sentence.hit}"
            )


def _hit(text: str, rank: int = 1) -> Hit:
    chunk = Chunk(f"tower.md#{rank}", "Towers", "Towers", "tower.md", 0, len(text), text)
    return Hit(chunk, rank, 1.0, 0.5, 1.0)


def test_a_sentence_opening_with_a_pronoun_brings_its_antecedent(backend):
    text = (
        "Paris has many famous landmarks along the river. "
        "The Eiffel Tower was completed in 1889 for the World's Fair. "
        "It stands 330 metres tall, which made it the tallest structure in the world for 41 years."
    )
    answer = "".join(backend.stream("How many metres tall does it stand, as the tallest structure?", [_hit(text)]))
    assert answer == (
        "The Eiffel Tower was completed in 1889 for the World's Fair. [1] "
        "It stands 330 metres tall, which made it the tallest structure in the world for 41 years. [1]"
    )


def test_a_sentence_repeated_by_overlapping_chunks_is_quoted_once(backend):
    shared = "Green tea leaves are steamed soon after picking to stop oxidation."
    hits = [_hit(f"Tea is popular in Japan. {shared}", 1), _hit(f"{shared} Black tea is fully oxidised.", 2)]
    answer = "".join(backend.stream("Why are green tea leaves steamed after picking?", hits))
    assert answer.count(shared) == 1, answer


def test_a_sentence_too_long_to_quote_is_cut_around_the_question_words(backend):
    filler = " ".join(f"item{i}," for i in range(70))
    sentence = (
        f"The inventory lists {filler} and finally the brass telescope bought in Lisbon in 1902, {filler} and more."
    )
    answer = "".join(backend.stream("When was the brass telescope bought in Lisbon?", [_hit(sentence)]))
    assert answer.startswith("…") and answer.endswith("… [1]"), answer
    assert "brass telescope bought in Lisbon in 1902" in answer
    assert len(answer.removesuffix(" [1]").split()) <= MAX_WORDS


def test_no_hits_means_not_found(backend):
    assert "".join(backend.stream("What is RAG?", [])) == NOT_FOUND


def test_sentences_embedded_ahead_are_not_embedded_again_by_an_answer(backend, kb, embedder):
    hits, _ = search(kb, embedder, "Why would a pipeline emit typed events?", 5, "hybrid")
    fresh = [
        replace(hit, chunk=replace(hit.chunk, id=f"fresh-{hit.rank}", text=f"Fresh. {hit.chunk.text}")) for hit in hits
    ]  # texts no earlier test has quoted
    assert embed_sentences_ahead(embedder, (hit.chunk.text for hit in fresh)) == len(fresh)
    embedded_before = _sentence_vectors.cache_info().misses
    "".join(backend.stream("Why would a pipeline emit typed events?", fresh))
    assert _sentence_vectors.cache_info().misses == embedded_before
