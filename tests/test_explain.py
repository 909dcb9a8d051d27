"""Stepping through the pipeline: the stages `stream_answer(..., explain=True)` yields, with their
real data, and an answer run that pauses after each (the CLI's `ask --explain` is in test_cli.py).

Against the shipped corpus's knowledge base and the bundled model; nothing is mocked."""

from __future__ import annotations

import numpy as np

from benchmarks.local import wait_until
from rag.citations import quoted_sentences
from rag.events import Done, Retrieved, Stage
from rag.pipeline import stream_answer
from rag.retrieve import DENSE_WEIGHT, LEXICAL_WEIGHT, OWN_WORDS_WEIGHT, search
from rag.web.answer import AnswerRun

QUESTION = "How is reciprocal rank fusion computed?"
HYBRID_STAGES = ["embed", "dense", "lexical", "fusion", "rerank", "answer"]
WAIT_S = 60


def test_the_search_s_stages_come_before_what_it_found_and_the_answer_s_plan_after_with_each_stages_data(
    kb, embedder, settings
):
    events = list(stream_answer(QUESTION, settings, kb=kb, explain=True))
    stages = {event.name: event for event in events if isinstance(event, Stage)}
    order = [event.name if isinstance(event, Stage) else type(event).__name__ for event in events]

    assert list(stages) == HYBRID_STAGES
    found = order.index("Retrieved")
    assert order[found - 5 : found] == HYBRID_STAGES[:-1], "the search's stages, then the passages it found"
    assert found < order.index("answer") < order.index("Token"), "the answer's plan comes after what was found"
    found_status = next(n for n, event in enumerate(events) if getattr(event, "message", "").startswith("Found"))
    assert found_status > found, "the status says what was found once the search's stages are shown"
    values = [float(value) for _, value in stages["embed"].rows]
    assert np.allclose(values, embedder.encode_query(QUESTION)[: len(values)], atol=1e-4)
    dense_hits, _ = search(kb, embedder, QUESTION, settings.top_k, "dense")
    assert [row[1] for row in stages["dense"].rows] == [_passage(hit.chunk) for hit in dense_hits]
    assert all(row[3] for row in stages["lexical"].rows), "each BM25 candidate shares a term with the question"
    for row in stages["fusion"].rows:
        dense_z, lexical_z, fused = float(row[3]), float(row[5]), float(row[6])
        assert abs(DENSE_WEIGHT * dense_z + LEXICAL_WEIGHT * lexical_z - fused) < 0.01, row
    hits = next(event for event in events if isinstance(event, Retrieved)).hits
    assert [row[2] for row in stages["rerank"].rows[: len(hits)]] == [_passage(hit.chunk) for hit in hits]
    assert not any("\n" in cell for stage in stages.values() for row in stage.rows for cell in row), "one line a cell"
    assert stages["rerank"].rows[0][3].startswith("Reciprocal rank fusion, or RRF"), "the sentence, not its heading"
    answer = next(event for event in events if isinstance(event, Done)).answer
    assert all(sentence in answer for _, sentence in stages["answer"].rows), "the plan is what the answer quotes"


def test_the_rerank_says_when_a_passage_gains_for_spelling_out_an_asked_acronym(kb, settings):
    events = list(stream_answer("What does RAG stand for?", settings, kb=kb, explain=True))
    rerank = next(event for event in events if isinstance(event, Stage) and event.name == "rerank")
    assert "asks what RAG means: a passage with a sentence that spells it out gains" in rerank.note
    assert "The problem RAG solves" in rerank.rows[0][2], "the passage that spells RAG out comes first"


def test_a_refusal_s_plan_names_what_no_passage_mentions(kb, settings):
    question = "How do I make a React component re-render when a prop changes?"
    events = list(stream_answer(question, settings, kb=kb, explain=True))
    plan = next(event for event in events if isinstance(event, Stage) and event.name == "answer")
    assert plan.rows == ()
    assert "it names React, which no passage mentions" in plan.note


def test_a_follow_up_s_plan_says_its_sentences_are_chosen_for_what_it_asks(kb, settings):
    history = ["What happens when you call a generator function in Python?"]
    events = list(stream_answer("Can I iterate over the result twice?", settings, kb=kb, history=history, explain=True))
    plan = next(event for event in events if isinstance(event, Stage) and event.name == "answer")
    assert 'chosen for what the follow-up asks, "Can I iterate over the result twice?"' in plan.note, plan.note


def test_a_follow_up_s_plan_is_what_its_answer_quotes_after_the_answers_before_it(kb, settings):
    first = "What is prompt injection?"
    earlier = list(stream_answer(first, settings, kb=kb))[-1].answer
    asked = "How do I protect against it?"
    events = list(stream_answer(asked, settings, kb=kb, history=[first], said=[earlier], explain=True))
    plan = next(event for event in events if isinstance(event, Stage) and event.name == "answer")
    answer = next(event for event in events if isinstance(event, Done)).answer
    assert list(plan.rows) == [(f"[{number}]", text) for number, text in quoted_sentences(answer)]


def test_without_explain_there_are_no_stages_and_lexical_mode_has_no_embedding(kb, settings):
    assert not any(isinstance(event, Stage) for event in stream_answer(QUESTION, settings, kb=kb))
    lexical = [
        e.name
        for e in stream_answer(QUESTION, settings.with_(mode="lexical"), kb=kb, explain=True)
        if isinstance(e, Stage)
    ]
    assert lexical == ["lexical", "answer"]


def test_a_step_through_pauses_after_each_stage_until_next_and_stop_ends_it(kb, settings):
    run = AnswerRun(QUESTION, settings, kb, 0, step_through=True)
    run.start(lambda: None)
    for shown in range(1, len(HYBRID_STAGES) + 1):
        wait_until(lambda shown=shown: run.view().paused and len(run.view().stages) == shown, WAIT_S)
        assert run.view().answer == "", "nothing is answered while a stage is shown"
        assert run.view().status.splitlines()[-1].endswith("(press Next stage)")
        run.next_stage()
    wait_until(lambda: run.view().finished, WAIT_S)
    assert "[1]" in run.view().answer and not run.view().stopped

    stopped = AnswerRun(QUESTION, settings, kb, 0, step_through=True)
    stopped.start(lambda: None)
    wait_until(lambda: stopped.view().paused, WAIT_S)
    stopped.stop()
    wait_until(lambda: stopped.view().finished and not stopped.view().paused, WAIT_S)
    assert stopped.view().stopped and stopped.view().answer == "" and len(stopped.view().stages) == 1


def test_a_paused_answer_goes_on_to_the_end_when_stepping_through_is_turned_off(kb, settings):
    run = AnswerRun(QUESTION, settings, kb, 0, step_through=True)
    run.start(lambda: None)
    wait_until(lambda: run.view().paused, WAIT_S)

    run.run_through()

    wait_until(lambda: run.view().finished, WAIT_S)
    assert "[1]" in run.view().answer and not run.view().stopped
    assert [stage.name for stage in run.view().stages] == HYBRID_STAGES, "the stages still show, without pausing"


def _passage(chunk) -> str:
    return chunk.title if chunk.section in ("", chunk.title) else f"{chunk.title} · {chunk.section}"


def test_a_follow_up_searched_as_asked_too_shows_how_its_hits_were_weighed(kb, settings):
    history = ["How do I pick the chunk size for MiniLM?"]
    asked = "what is that model's maximum input length?"
    events = list(stream_answer(asked, settings, kb=kb, history=history, explain=True))
    names = [event.name for event in events if isinstance(event, Stage)]
    assert names == [*HYBRID_STAGES[:-1], "own-words", "answer"]
    weighing = next(event for event in events if isinstance(event, Stage) and event.name == "own-words")
    hits = next(event for event in events if isinstance(event, Retrieved)).hits
    assert f'searched as asked too, "{asked}"' in weighing.note
    assert [row[2] for row in weighing.rows] == [_passage(hit.chunk) for hit in hits]
    for row in weighing.rows:
        as_rewritten, document_as_asked, weighed = (float(cell) for cell in row[3:])
        assert abs((1 - OWN_WORDS_WEIGHT) * as_rewritten + OWN_WORDS_WEIGHT * document_as_asked - weighed) < 0.01, row
    assert weighing.rows[0][1] != "1 =", "the first hit was not the rewrite's first"
