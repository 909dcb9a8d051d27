"""The prompt inspector: the exact messages a backend's model receives, their cost and what was dropped.

Against the shipped corpus's knowledge base; the openai backend is made but not called (no server), except
to rewrite a follow-up, against the real scripted chat server of `benchmarks.fake_llm`."""

from __future__ import annotations

import html
import re

import pytest

from benchmarks.fake_llm import Reply, fake_llm
from rag.errors import RagError
from rag.generate.prompt import RULES
from rag.inspector import inspect_question
from rag.web.inspector import prompt_html

QUESTION = "How does an HNSW index work?"


def test_the_extractive_default_shows_what_a_model_would_receive(kb, settings):
    inspected = inspect_question(QUESTION, settings, kb=kb)
    inspection = inspected.inspection

    assert not inspected.sent and inspected.query == QUESTION
    assert inspection.prompt.passages == settings.top_k and inspection.dropped == ()
    system, user = inspection.prompt.messages
    assert system == {"role": "system", "content": RULES}
    assert user["content"].endswith(f"Question: {QUESTION}")
    assert inspection.tokens <= inspection.budget == settings.llm_context_tokens - settings.llm_max_new_tokens
    kinds = [part.kind for _, parts in inspection.prompt.parts for part in parts]
    assert kinds.count("passage") == settings.top_k and kinds[-1] == "question"


def test_a_follow_up_is_shown_as_the_chosen_models_rewrite_of_it_as_the_answer_searches_it(kb, settings):
    history = ["What is HNSW?"]
    assert inspect_question("What are its drawbacks?", settings, kb=kb, history=history).query == (
        "What are the drawbacks of HNSW?"
    ), "without a model, the model-free rewrite"
    with fake_llm(Reply(["memory cost of HNSW graphs"])) as server:
        llm = settings.with_(backend="openai", llm_base_url=server.url, llm_model="m")
        inspected = inspect_question("What are its drawbacks?", llm, kb=kb, history=history)
        assert len(server.requests) == 1, "only the rewrite is asked of the model"
    assert inspected.query == "memory cost of HNSW graphs"
    assert inspected.inspection.prompt.messages[-1]["content"].endswith("Question: memory cost of HNSW graphs")


def test_an_llm_backend_shows_the_prompt_it_sends(kb, settings):
    llm = settings.with_(backend="openai", llm_base_url="http://127.0.0.1:9/v1", llm_model="some-model")
    inspected = inspect_question(QUESTION, llm, kb=kb)

    assert inspected.sent and "some-model" in inspected.backend
    assert "What OpenAI-compatible (some-model" in prompt_html(inspected)


def test_passages_that_do_not_fit_the_budget_are_dropped_and_named(kb, settings):
    full = inspect_question(QUESTION, settings, kb=kb).inspection
    passage_tokens = [full.part_tokens(part) for part in full.prompt.parts[1][1] if part.kind == "passage"]
    budget = full.tokens - passage_tokens[-1] - passage_tokens[-2] + 1  # room for all but the last two
    small = settings.with_(llm_context_tokens=budget + settings.llm_max_new_tokens)

    inspection = inspect_question(QUESTION, small, kb=kb).inspection

    assert inspection.prompt.passages == settings.top_k - 2 and inspection.tokens <= budget
    assert [hit.rank for hit in inspection.dropped] == [settings.top_k - 1, settings.top_k]
    shown = prompt_html(inspect_question(QUESTION, small, kb=kb))
    assert f"Dropped to fit the budget: [{settings.top_k - 1}]" in shown


def test_a_follow_up_is_put_in_the_prompt_as_the_standalone_question_searched(kb, settings):
    inspected = inspect_question("What are its drawbacks?", settings, kb=kb, history=["What is HNSW?"])

    assert "HNSW" in inspected.query and inspected.query != inspected.question
    assert inspected.inspection.prompt.messages[1]["content"].endswith(f"Question: {inspected.query}")
    history = [part for _, parts in inspected.inspection.prompt.parts for part in parts if part.kind == "history"]
    assert [part.text for part in history] == ["- What is HNSW?"], "the earlier questions are in the prompt"
    assert "What are its drawbacks?" in html.unescape(prompt_html(inspected))


def test_a_follow_ups_prompt_shows_the_last_answer_labelled(kb, settings):
    said = ["HNSW is a graph index with several layers. [1]"]
    inspected = inspect_question("What are its drawbacks?", settings, kb=kb, history=["What is HNSW?"], said=said)

    parts = [part for _, parts in inspected.inspection.prompt.parts for part in parts if part.kind == "said"]
    assert [part.text for part in parts] == ["- HNSW is a graph index with several layers."]
    assert 'data-label="earlier answers · ' in prompt_html(inspected)


def test_the_view_shows_the_exact_text_of_each_message_and_labels_every_part(kb, settings):
    inspected = inspect_question("What is <b>HNSW</b>?", settings, kb=kb)
    shown = prompt_html(inspected)

    texts = [html.unescape(re.sub(r"<[^>]+>", "", pre)) for pre in re.findall(r"<pre>(.*?)</pre>", shown, re.DOTALL)]
    assert texts == [message["content"] for message in inspected.inspection.prompt.messages]
    assert "<b>HNSW</b>" not in shown, "the question's HTML should be shown as text"
    labels = re.findall(r'data-label="([^"]+)"', shown)
    assert labels[0].startswith("rules · ") and labels[-1].startswith("question · ")
    assert [label.split(" · ")[0] for label in labels if label.startswith("passage")] == [
        f"passage [{n}]" for n in range(1, settings.top_k + 1)
    ]


@pytest.mark.parametrize("question", ["", "   ", None])
def test_an_empty_question_is_refused_with_a_message(kb, settings, question):
    with pytest.raises(RagError, match="Please type a question"):
        inspect_question(question, settings, kb=kb)
