"""`python -m rag eval`: SQuAD files, the corpus's own questions and conversations in, figures out.

The metric functions are checked on hand-made answers; the end-to-end runs use the real model
and FAISS and are marked slow when they answer the shipped corpus's questions."""

from __future__ import annotations

import json
import re

import pytest
from conftest import PROJECT_DIR, SQUAD_FILE

from rag import evaluate_corpus
from rag.cli import main
from rag.config import Settings
from rag.corpus import Chunk, DocumentError
from rag.evaluate import LATENCY_KEYS, METRIC_KEYS, answer_hit, evaluate, file_kind, format_table, read_squad
from rag.evaluate_conversations import (
    STANDALONE_KEYS,
    Turn,
    evaluate_conversations,
    follow_ups,
    mid_conversation,
    own_words,
    read_conversations,
    repeats,
    split_of,
)
from rag.evaluate_conversations import format_report as format_conversation_report
from rag.evaluate_corpus import (
    CorpusQuestion,
    cited_right,
    cut_pieces,
    dangling_start,
    fact_match,
    is_refusal,
    read_corpus_questions,
    without_marks,
)
from rag.events import Hit
from rag.generate.base import NOT_FOUND

EVAL_DIR = PROJECT_DIR / "data" / "eval"
CORPUS_QUESTIONS = EVAL_DIR / "corpus-questions.json"
QUESTION_SETS = sorted(EVAL_DIR.glob("*questions*.json"))
CONVERSATION_SETS = sorted(EVAL_DIR.glob("conversations*.json"))
SHIPPED_CORPUS = PROJECT_DIR / "data" / "corpus"

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


# --- the shipped corpus's own questions and conversations ------------------------------------------

QUESTION = {"question": "What does IVF scan?", "kind": "what", "document": "faiss-ivf-index.md", "facts": ["lists?"]}


def _write(tmp_path, data, name="eval.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _hit(rank: int, text: str) -> Hit:
    return Hit(Chunk(f"c{rank}", "Title", "Section", "doc.md", 0, len(text), text), rank, 1.0)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (TINY_SQUAD_V11, "squad"),
        ({"questions": [QUESTION], "off_topic": []}, "corpus-questions"),
        ({"conversations": []}, "conversations"),
    ],
)
def test_file_kind_is_told_from_the_contents(tmp_path, data, kind):
    assert file_kind(_write(tmp_path, data)) == kind


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([{**QUESTION, "facts": []}], r"question 1: 'facts' must be a non-empty list"),
        ([QUESTION, {**QUESTION, "facts": ["(unclosed"]}], r"question 2: fact '\(unclosed' is not a valid regex"),
        ([{**QUESTION, "document": ""}], r"question 1: 'document' must be a non-empty string"),
        (["What does IVF scan?"], r"question 1: 'facts' must be"),
        ([], "has no questions"),
    ],
)
def test_a_malformed_question_file_is_refused_naming_the_file_and_question(tmp_path, questions, message):
    path = _write(tmp_path, {"questions": questions, "off_topic": []}, "corpus-questions.json")
    with pytest.raises(DocumentError, match=rf"corpus-questions\.json: {message}"):
        read_corpus_questions(path)


def test_a_malformed_conversation_file_is_refused_naming_the_turn(tmp_path):
    turn = {
        "question": "What is HNSW?",
        "document": "faiss-hnsw-index.md",
        "facts": ["graph"],
        "standalone": "What is HNSW?",
    }
    path = _write(tmp_path, {"conversations": [{"turns": [turn, {**turn, "standalone": None}]}]}, "conversations.json")
    with pytest.raises(DocumentError, match=r"conversations\.json: conversation 1, turn 2: 'standalone' must be"):
        read_conversations(path)
    path = _write(tmp_path, {"conversations": [{"turns": [turn, {**turn, "kind": 2}]}]}, "conversations.json")
    with pytest.raises(DocumentError, match=r"conversations\.json: conversation 1, turn 2: 'kind' must be a string"):
        read_conversations(path)


def test_eval_command_refuses_a_json_file_of_no_known_kind(tmp_path, capsys):
    assert main(["eval", str(_write(tmp_path, {"rows": []}))]) == 2
    assert "not an evaluation file" in capsys.readouterr().err


def test_eval_command_checks_a_question_file_before_loading_the_model(tmp_path, capsys):
    path = _write(tmp_path, {"questions": [{**QUESTION, "kind": 3}]}, "corpus-questions.json")
    assert main(["eval", str(path)]) == 2
    assert "corpus-questions.json: question 1: 'kind' must be a non-empty string" in capsys.readouterr().err


def test_follow_ups_carry_the_questions_asked_before_them():
    turns = [Turn(question, "doc.md", question) for question in ("First?", "Its size?", "Why?")]
    assert [(turn.question, history) for turn, history in follow_ups([turns, turns[:1]])] == [
        ("Its size?", ["First?"]),
        ("Why?", ["First?", "Its size?"]),
    ]
    assert own_words("Why?", ["First?"]) == "Why?"


def test_citation_marks_are_removed_and_remembered_where_they_stood():
    text, marks = without_marks("IVF scans  lists [1]. It is fast [2] [3]")
    assert text == "IVF scans lists. It is fast"
    assert marks == [(15, 1), (27, 2), (27, 3)]


def test_a_fact_is_found_across_citation_marks_and_line_breaks():
    facts = (re.compile(r"inverted\s+lists", re.IGNORECASE),)
    assert fact_match("It scans the Inverted [2]\n lists.", facts) is not None
    assert fact_match("It scans the clusters. [1]", facts) is None


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("IVF scans only the nearest inverted lists. [2]", True),
        ("IVF scans only the nearest inverted lists. [1]", False),  # hit 1 doesn't say it
        ("IVF scans only the nearest inverted lists [1] [2]", False),  # the first mark after the fact counts
        ("Nothing about it. [1] IVF scans only the nearest inverted lists.", False),  # no mark after the fact
        ("IVF scans only the nearest inverted lists. [7]", False),  # no such hit
    ],
)
def test_cited_right_checks_the_passage_cited_right_after_the_fact(answer, expected):
    hits = [
        _hit(1, "IVF clusters vectors with k-means."),
        _hit(2, "At query time it scans the nearest\ninverted lists."),
    ]
    assert cited_right(answer, (re.compile("inverted lists", re.IGNORECASE),), hits) is expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("This makes search fast. [1]", True),
        ("Its default value is one. [2] IVF has nlist lists. [1]", True),
        ("However, training is required. [1]", True),
        ("The latter is faster. [1]", True),
        ('"It works," they said. [1]', True),
        ("Both are computed per question. [1]", True),
        ("IVF has nlist lists. [1] Its default value is one. [1]", False),  # only the first sentence counts
        ("Both dense and lexical search are used. [1]", False),  # "both X and Y" refers to nothing before
        ("Thistle is a plant. [1]", False),
        ("It is common to start with FAISS. [1]", False),  # "it" that stands for nothing
        ("…this is why nprobe matters. [1]", False),  # an excerpt does not open a sentence
        (NOT_FOUND, False),
    ],
)
def test_dangling_start_is_a_first_sentence_that_refers_back(answer, expected):
    assert dangling_start(answer) is expected


@pytest.mark.parametrize(
    ("answer", "cut"),
    [
        ("IVF scans lists. [1] Raising nprobe scans more. [2]", []),
        ("IVF scans lists [1]. Then it ranks them [2]!", []),  # punctuation after the mark belongs before it
        ('He called it "exact." [1] The steps are: [2]', []),
        ("…splits the space into regions and only searches the closest… [1]", []),  # a deliberate excerpt
        (
            "IVF scans lists. [1] Raising nprobe scans more lists, increasing [2]",
            ["Raising nprobe scans more lists, increasing"],
        ),
        ("…splits the space into regions [1]", ["…splits the space into regions"]),
    ],
)
def test_cut_pieces_are_quotes_that_stop_mid_sentence_without_an_ellipsis(answer, cut):
    assert cut_pieces(answer) == cut


def test_refusal_is_the_not_found_text_alone():
    assert is_refusal(f" {NOT_FOUND}\n") and is_refusal(f'"{NOT_FOUND}"')
    assert not is_refusal(f"IVF scans lists. [1] {NOT_FOUND}")


@pytest.mark.parametrize("path", QUESTION_SETS, ids=lambda path: path.name)
def test_shipped_question_sets_can_be_answered_from_their_documents(path):
    """Every question names a document of the shipped corpus that states one of its facts, once."""
    asked = read_corpus_questions(path)
    texts = [q.text.lower() for q in asked.questions]
    assert len(set(texts)) == len(texts), "a question is asked twice"
    assert len(asked.questions) >= 80 and len(asked.off_topic) >= 10
    for question in asked.questions:
        document = SHIPPED_CORPUS / question.document
        assert document.is_file(), (question.text, question.document)
        text = " ".join(document.read_text(encoding="utf-8").split())
        assert fact_match(text, question.facts) is not None, (question.text, "no fact is stated in its document")


@pytest.mark.parametrize("path", CONVERSATION_SETS, ids=lambda path: path.name)
def test_every_turn_of_the_shipped_conversations_can_be_answered_from_its_document(path):
    for turns in read_conversations(path):
        for turn in turns:
            text = " ".join((SHIPPED_CORPUS / turn.document).read_text(encoding="utf-8").split())
            assert fact_match(text, turn.facts) is not None, (turn.question, "no fact is stated in its document")


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS_QUESTIONS.exists(), reason=f"the corpus's question set is not at {CORPUS_QUESTIONS}")
def test_corpus_questions_report_has_every_figure_in_range(settings):
    report = evaluate_corpus.evaluate_corpus(CORPUS_QUESTIONS, ("hybrid",), settings)
    asked = read_corpus_questions(CORPUS_QUESTIONS)
    assert (report["questions"], report["off_topic"]) == (len(asked.questions), len(asked.off_topic))
    assert report["mode"] == "hybrid" and list(report["modes"]) == ["hybrid"]
    assert report["documents"] == 42 and report["backend"].startswith("extractive")
    for key in evaluate_corpus.SHARE_KEYS:
        assert 0.0 <= report[key] <= 1.0, (key, report[key])
    assert report["recall@1"] <= report["recall@5"] and report["recall@5"] > 0.5, "retrieval should mostly work"
    assert report["fact_hit"] > 0.2, "some answers should state their fact"
    assert report["cut_answers"] == len(report["cut_examples"]) >= 0
    assert 0 < report["answer_ms_p50"] <= report["answer_ms_p95"]
    kinds = report["fact_hit_by_kind"]
    assert sum(kind["questions"] for kind in kinds.values()) == report["questions"]
    assert len(report["misses"]) == round((1 - report["fact_hit"]) * report["questions"])
    assert {"question", "kind", "document", "document_rank", "answer", "should_quote"} <= set(report["misses"][0])
    assert all(isinstance(report[key], list) for key in ("dangling_examples", "off_topic_answered"))
    text = evaluate_corpus.format_report(report, failures=2)
    assert "*hybrid" in text and "fact_hit by kind" in text and text.count("should quote:") == 2
    verbose = evaluate_corpus.format_report(report, verbose=True)
    assert verbose.count("should quote:") == len(report["misses"]) and "dangling starts (hybrid)" in verbose
    json.dumps(report)


@pytest.mark.slow
def test_conversation_report_measures_each_rewrite_and_the_standalone_bound(tmp_path, settings):
    turns = [
        {
            "question": "What is HNSW?",
            "document": "faiss-hnsw-index.md",
            "facts": ["graph"],
            "standalone": "What is HNSW?",
        },
        {
            "question": "And what does its nprobe control?",
            "document": "faiss-ivf-index.md",
            "facts": ["clusters?"],
            "standalone": "What does the nprobe parameter of an IVF index control?",
            "kind": "pronoun",
        },
    ]
    path = _write(tmp_path, {"conversations": [{"turns": turns}]}, "conversations.json")
    seen = []

    def remember(question, history):
        seen.append((question, history))
        return question

    report = evaluate_conversations(path, ("hybrid",), settings, rewrites={"remembered": remember})
    assert seen == [("And what does its nprobe control?", ["What is HNSW?"]), ("What is HNSW?", [])]
    assert (report["conversations"], report["follow_ups"]) == (1, 1)
    expected = {"remembered_recall@1", "standalone_recall@1", "first_turn_remembered_recall@1"}
    assert set(report["modes"]["hybrid"]["all"]) == expected, "no fact hit without the with_history rewrite"
    assert report["standalone_recall@1"] == 1.0, "the standalone question names its document's subject"
    assert report["by_kind"] == {
        "pronoun": {"follow_ups": 1, "remembered_recall@1": report["remembered_recall@1"], "standalone_recall@1": 1.0}
    }
    assert "By kind of follow-up (hybrid, all):" in format_conversation_report(report)
    split = split_of(read_conversations(path)[0])
    assert (
        report["split_sizes"][split]["follow_ups"] == 1
        and report["modes"]["hybrid"][split] == report["modes"]["hybrid"]["all"]
    )


@pytest.mark.slow
def test_the_report_finds_a_follow_up_s_document_as_the_pipeline_searches_it(tmp_path, settings):
    """The rewrite alone ranks chunk sizes first; the pipeline weighs the follow-up's own words too."""
    turns = [
        {"question": "How do I pick the chunk size for MiniLM?", "document": "chunk-size-and-overlap.md"},
        {"question": "what is that model's maximum input length?", "document": "sentence-transformers-minilm.md"},
    ]
    for turn in turns:
        turn |= {"facts": ["256"], "standalone": turn["question"]}
    path = _write(tmp_path, {"conversations": [{"turns": turns}]}, "conversations.json")
    report = evaluate_conversations(path, ("hybrid",), settings, standalone_questions=None)
    assert report["with_history_recall@1"] == 1.0, report


@pytest.mark.slow
def test_each_kind_s_figures_count_that_kind_s_follow_ups_only(tmp_path, settings):
    """A kind is a label like any other, even "all", and the unlabelled follow-ups are a kind of their own."""
    standalone = "What are the drawbacks of HNSW?"
    first = {"question": "What is HNSW?", "document": "faiss-hnsw-index.md", "facts": ["graph"]}
    found = {"question": "What are its drawbacks?", "document": "faiss-hnsw-index.md", "facts": ["memory"]}
    missed = {"question": "What are its drawbacks?", "document": "bm25-lexical-search.md", "facts": ["memory"]}
    conversations = [
        {"turns": [first | {"standalone": standalone}, found | {"standalone": standalone, "kind": "all"}]},
        {"turns": [first | {"standalone": standalone}, missed | {"standalone": standalone}]},
        {"turns": [first | {"standalone": standalone}, missed | {"standalone": standalone, "kind": "all"}]},
    ]
    path = _write(tmp_path, {"conversations": conversations}, "conversations.json")
    rewrites = {"remembered": lambda question, history: standalone}
    report = evaluate_conversations(path, ("dense", "hybrid"), settings, rewrites=rewrites)
    assert report["by_kind"]["all"]["follow_ups"] == 2 and report["by_kind"]["all"]["remembered_recall@1"] == 0.5
    assert report["by_kind"][""] == {"follow_ups": 1, "remembered_recall@1": 0.0, "standalone_recall@1": 0.0}
    assert report["remembered_recall@1"] == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("answer", "said", "repeated"),
    [
        ("HNSW is a graph. [1] It uses memory. [2]", ["It uses memory. [1] HNSW is a  graph. [3]"], True),
        ("HNSW is a graph. [1] It uses memory. [2]", ["HNSW is a graph. [1]"], False),
        ("HNSW is a graph. [1]", [], False),
        ("", ["HNSW is a graph. [1]"], False),
    ],
)
def test_an_answer_repeats_when_an_earlier_answer_quoted_all_it_quotes(answer, said, repeated):
    assert repeats(answer, said) is repeated


def test_each_stand_alone_question_is_asked_after_the_one_before_it():
    asked = [CorpusQuestion(text, "what", "doc.md", ()) for text in ("First?", "Second?", "Third?")]
    assert [(question.text, history, split) for question, history, split in mid_conversation(asked)] == [
        ("First?", ["Third?"], "dev"),
        ("Second?", ["First?"], "held-out"),
        ("Third?", ["Second?"], "dev"),
    ]


@pytest.mark.slow
def test_stand_alone_questions_mid_conversation_are_measured_as_asked_and_rewritten(tmp_path, settings):
    turn = {
        "question": "What is HNSW?",
        "document": "faiss-hnsw-index.md",
        "facts": ["graph"],
        "standalone": "What is HNSW?",
    }
    conversations = _write(tmp_path, {"conversations": [{"turns": [turn]}]}, "conversations.json")
    questions = [
        {
            "question": "How does BM25 weigh rare terms?",
            "kind": "how",
            "document": "bm25-lexical-search.md",
            "facts": ["idf"],
        },
        {
            "question": "What is buffered streaming?",
            "kind": "what",
            "document": "buffered-streaming.md",
            "facts": ["buffer"],
        },
    ]
    standalone = _write(tmp_path, {"questions": questions}, "corpus-questions.json")

    def with_topic(question, history):
        return f"{question} — {history[-1]}" if history and question.startswith("What") else question

    report = evaluate_conversations(
        conversations, ("hybrid",), settings, rewrites={"with_history": with_topic}, standalone_questions=standalone
    )
    alone = report["standalone_questions"]
    assert (alone["questions"], alone["split_sizes"]) == (2, {"all": 2, "dev": 1, "held-out": 1})
    assert alone["modes"]["hybrid"]["dev"]["standalone_rewritten"] == 0.0
    assert alone["modes"]["hybrid"]["held-out"]["standalone_rewritten"] == 1.0
    assert report["standalone_rewritten"] == 0.5
    assert report["standalone_as_asked_recall@1"] == 1.0, "each question names its document's subject"
    assert set(alone["modes"]["hybrid"]["all"]) == set(STANDALONE_KEYS)
    assert "2 stand-alone questions (dev 1, held-out 1)" in format_conversation_report(report)


@pytest.mark.slow
def test_shipped_conversations_meet_the_rewrite_targets(settings):
    report = evaluate_conversations(EVAL_DIR / "conversations.json", ("hybrid",), settings)
    gain = report["with_history_recall@1"] - report["without_history_recall@1"]
    assert report["with_history_recall@1"] >= 0.85 and gain >= 0.25, report
    assert report["first_turn_with_history_recall@1"] == report["first_turn_without_history_recall@1"], report
    assert 0.0 < report["fact_hit"] <= 1.0
    assert report["repeated"] <= 0.1, "a follow-up's answer should rarely only repeat the answers before it"
    assert report["split_sizes"]["dev"]["conversations"] + report["split_sizes"]["held-out"]["conversations"] == 75
    assert "held-out" in format_conversation_report(report)
    assert report["standalone_rewritten"] <= 0.05, report["standalone_questions"]
    assert report["standalone_with_history_recall@1"] >= report["standalone_as_asked_recall@1"], report
