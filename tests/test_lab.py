"""The retrieval lab: every retriever's ranking of one question side by side, with the answer each gives.

Against the shipped corpus's knowledge base (real FAISS, the bundled model), and one extended with a
document of the test's own, as a session's upload extends it."""

from __future__ import annotations

import html
import re

import pytest

from rag.config import RETRIEVAL_MODES
from rag.corpus import Chunk
from rag.errors import RagError
from rag.lab import LAB_DEPTH, compare_retrievers
from rag.retrieve import search
from rag.web.lab import lab_html

QUESTION = "What does the nprobe setting change in an IVF index?"


def test_each_retriever_ranks_the_question_as_search_does_and_answers_from_its_ranking(kb, embedder, settings):
    comparison = compare_retrievers(QUESTION, settings, kb=kb)

    assert [ranking.mode for ranking in comparison.rankings] == list(RETRIEVAL_MODES)
    for ranking in comparison.rankings:
        expected, _ = search(kb, embedder, QUESTION, LAB_DEPTH, ranking.mode)
        assert [hit.chunk.id for hit in ranking.hits] == [hit.chunk.id for hit in expected], ranking.mode
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", ranking.answer)}
        assert cited and cited <= set(range(1, settings.top_k + 1)), ranking.answer
    dense, lexical, _ = comparison.rankings
    assert [h.chunk.id for h in dense.hits] != [h.chunk.id for h in lexical.hits], "the rankings should differ"


def test_a_passage_has_one_letter_in_every_column_and_says_where_it_stands_elsewhere(kb, settings):
    comparison = compare_retrievers(QUESTION, settings, kb=kb)
    shown = lab_html(comparison)

    columns = re.findall(r'<section class="ranking (\w+)">(.*?)</section>', shown, re.DOTALL)
    letters = {mode: re.findall(r'<li data-passage="(\w+)">', column) for mode, column in columns}
    assert [mode for mode, _ in columns] == list(RETRIEVAL_MODES)
    assert letters["hybrid"] == [chr(ord("A") + n) for n in range(LAB_DEPTH)], "hybrid's passages are lettered first"
    rankings = {ranking.mode: ranking for ranking in comparison.rankings}
    letter_of = {}
    for mode, column_letters in letters.items():
        for letter, hit in zip(column_letters, rankings[mode].hits, strict=True):
            assert letter_of.setdefault(hit.chunk.id, letter) == letter, "one passage, one letter"
    first_dense = rankings["dense"].hits[0].chunk.id
    hybrid_rank = next(hit.rank for hit in rankings["hybrid"].hits if hit.chunk.id == first_dense)
    assert f"hybrid #{hybrid_rank}" in columns[0][1].split("</li>")[0]


def test_uploaded_documents_are_ranked_and_a_follow_up_is_searched_with_the_conversation(kb, embedder, settings):
    text = "The zorblax constant is 42. Quentin Vell measured it with a <b>brass</b> zorblax gauge."
    upload = Chunk("zorblax.md#0", "Zorblax", "Zorblax", "zorblax.md", 0, len(text), text)
    session_kb = kb.extended([upload], embedder.encode([upload.search_text]))

    comparison = compare_retrievers(
        "Who measured it?", settings, kb=session_kb, history=["What is the zorblax constant?"]
    )

    assert "zorblax" in comparison.query.lower() and comparison.query != comparison.question
    assert all(ranking.hits[0].chunk.id == "zorblax.md#0" for ranking in comparison.rankings)
    shown = lab_html(comparison)
    assert "<b>brass</b>" not in shown and "Quentin Vell" in html.unescape(shown)
    assert "(asked: “Who measured it?”)" in html.unescape(shown)


@pytest.mark.parametrize("question", ["", "  ", None])
def test_an_empty_question_is_refused_with_a_message(kb, settings, question):
    with pytest.raises(RagError, match="Please type a question"):
        compare_retrievers(question, settings, kb=kb)
