"""`python -m rag eval`: SQuAD files in, retrieval and answer figures out (real model, real FAISS)."""

from __future__ import annotations

import json

import pytest
from conftest import SQUAD_FILE

from rag.cli import main
from rag.config import Settings
from rag.corpus import DocumentError
from rag.evaluate import LATENCY_KEYS, METRIC_KEYS, answer_hit, evaluate, format_table, read_squad

TINY_SQUAD_V11 = {
    "version": "1.1",
    "data": [
        {
            "title": "Honey_bee",
            "paragraphs": [
                {
                    "context": "Honey bees live in colonies of up to 60,000 workers led by a single queen. "
                    "Workers gather nectar and pollen from flowers within a few kilometres of the hive.",
                    "qas": [
                        {
                            "id": "b1",
                            "question": "How many workers can a honey bee colony have?",
                            "answers": [{"text": "60,000", "answer_start": 36}],
                        }
                    ],
                },
                {
                    "context": "Bees turn nectar into honey by evaporating water from it inside wax cells. "
                    "The finished honey is sealed under a cap of beeswax.",
                    "qas": [
                        {
                            "id": "b2",
                            "question": "How do bees turn nectar into honey?",
                            "answers": [{"text": "evaporating water", "answer_start": 33}],
                        }
                    ],
                },
            ],
        },
        {
            "title": "Lighthouse",
            "paragraphs": [
                {
                    "context": "The Pharos of Alexandria was a lighthouse built in the third century BC. "
                    "It was one of the Seven Wonders of the Ancient World.",
                    "qas": [
                        {
                            "id": "l1",
                            "question": "When was the Pharos of Alexandria built?",
                            "answers": [{"text": "third century BC", "answer_start": 51}],
                        }
                    ],
                }
            ],
        },
    ],
}


@pytest.fixture(scope="module")
def tiny_squad(tmp_path_factory):
    path = tmp_path_factory.mktemp("squad") / "tiny-v1.1.json"
    path.write_text(json.dumps(TINY_SQUAD_V11), encoding="utf-8")
    return path


def test_squad_paragraphs_become_documents_titled_by_article(tiny_squad):
    squad = read_squad(tiny_squad)
    assert [(d.title, d.source) for d in squad.documents] == [
        ("Honey bee", "Honey bee/0"),
        ("Honey bee", "Honey bee/1"),
        ("Lighthouse", "Lighthouse/0"),
    ]
    assert [q.source for q in squad.questions] == ["Honey bee/0", "Honey bee/1", "Lighthouse/0"]
    assert not any(q.impossible for q in squad.questions)


def test_v2_questions_without_answers_are_unanswerable(tmp_path):
    data = {"data": [{"title": "T", "paragraphs": [{"context": "Some text.", "qas": [
        {"id": "x", "question": "Who?", "answers": [], "is_impossible": True, "plausible_answers": [{"text": "Some"}]}
    ]}]}]}  # fmt: skip
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    (question,) = read_squad(path).questions
    assert question.impossible and question.answers == ()


def test_a_file_that_is_not_squad_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[1, 2, 3]", encoding="utf-8")
    with pytest.raises(DocumentError, match="not a SQuAD JSON file"):
        read_squad(path)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Colonies hold up to 60,000 workers. [1]", True),
        ("They are SEALED   under a cap [2] of beeswax.", True),
        ("Honey is sealed under wax.", False),
        ("The honey is sealed under a CAP OF   BEESWAX. [2]", True),
        ("One. Two. Three holds the cap of beeswax. [1]", False),
        (" ".join(["word"] * 80) + " cap of beeswax", False),
        ("The documents don't answer this question.", False),
    ],
)
def test_answer_hit_strips_citations_and_enforces_the_length_limits(answer, expected):
    assert answer_hit(answer, ["cap of beeswax", "60,000"]) is expected


def test_eval_on_a_tiny_v11_file_reports_every_mode(tiny_squad, settings):
    report = evaluate(tiny_squad, ("dense", "lexical", "hybrid"), settings)
    assert report["mode"] == "hybrid" and set(report["modes"]) == {"dense", "lexical", "hybrid"}
    assert (report["paragraphs"], report["answerable"], report["impossible"]) == (3, 3, 0)
    for mode, figures in report["modes"].items():
        assert set(METRIC_KEYS) | set(LATENCY_KEYS) <= set(figures), mode
        assert figures["recall@1"] == 1.0, f"{mode}: three distinct paragraphs should each be found first"
        assert figures["recall@5"] == figures["mrr@10"] == 1.0
        assert figures["not_found_impossible"] == 0.0
        assert 0 < figures["retrieval_ms_p50"] <= figures["retrieval_ms_p95"]
        assert figures["retrieval_ms_p50"] <= figures["answer_ms_p50"]
    assert report["answer_hit"] == report["modes"]["hybrid"]["answer_hit"] == 1.0
    assert report["not_found_answerable"] == 0.0
    table = format_table(report)
    assert "*hybrid" in table and "recall@1" in table and "dense" in table


def test_eval_command_prints_one_json_line(tiny_squad, capsys):
    assert main(["eval", str(tiny_squad), "--mode", "lexical", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1, lines
    report = json.loads(lines[0])
    assert report["mode"] == "lexical" and list(report["modes"]) == ["lexical"]
    assert set(METRIC_KEYS) | set(LATENCY_KEYS) <= set(report)


def test_eval_command_rejects_a_missing_file(tmp_path, capsys):
    assert main(["eval", str(tmp_path / "absent.json")]) == 2
    assert "could not be read" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(not SQUAD_FILE.exists(), reason=f"shared evaluation data not found at {SQUAD_FILE}")
def test_shared_squad_file_meets_the_quality_floor():
    """Guards the figures measured when the retrieval and the answer were tuned (see rag/retrieve.py)."""
    report = evaluate(SQUAD_FILE, ("hybrid",), Settings())
    assert report["answerable"] == 473
    assert report["recall@1"] >= 0.85, report
    assert report["recall@5"] >= 0.98, report
    assert report["answer_hit"] >= 0.85, report
    assert report["not_found_answerable"] <= 0.05, report
