"""`stream_answer` over the shipped corpus: event order, timings, input handling, failures, closing."""

from __future__ import annotations

import re

import pytest
from scripted import ScriptedBackend
from searched import search_line

from rag.citations import cited_numbers
from rag.conversation import MAX_CONTEXT_NAMES
from rag.corpus import Chunk
from rag.events import Done, Error, Retrieved, Status, Token, to_json
from rag.generate import NOT_FOUND
from rag.pipeline import NOTHING_TO_COMPARE, SMALL_TALK_REPLIES, stream_answer


def _kinds(events) -> list[str]:
    return [type(e).__name__ for e in events]


def test_events_come_in_order_with_timings(settings, kb):
    events = list(stream_answer("What is buffered streaming?", settings, kb=kb))
    kinds = _kinds(events)
    assert kinds[0] == "Status" and kinds[-1] == "Done", kinds
    first_token = kinds.index("Token")
    assert kinds.index("Retrieved") < first_token, "hits are reported before the answer starts"
    assert kinds.count("Token") > 3, "token mode streams the answer word by word"
    status = [e for e in events if isinstance(e, Status)]
    assert status[0].message.startswith("Searching")
    assert any(s.message.startswith("Found 5 passages") for s in status)
    assert [s.t_ms for s in status] == sorted(s.t_ms for s in status)
    done = events[-1]
    assert done.answer == "".join(e.text for e in events if isinstance(e, Token))
    assert set(done.timings) >= {"embed_ms", "search_ms", "retrieval_ms", "first_token_ms", "total_ms"}
    assert done.timings["retrieval_ms"] <= done.timings["first_token_ms"] <= done.timings["total_ms"]
    assert done.backend == "extractive (no LLM)"
    assert done.cited and all(1 <= n <= len(done.hits) for n in done.cited)


def test_retrieved_event_carries_ranked_hits(settings, kb):
    retrieved = next(
        e for e in stream_answer("How does FAISS IndexHNSWFlat work?", settings, kb=kb) if isinstance(e, Retrieved)
    )
    assert [hit.rank for hit in retrieved.hits] == [1, 2, 3, 4, 5]
    assert retrieved.search_ms > 0
    assert all(hit.score >= later.score for hit, later in zip(retrieved.hits, retrieved.hits[1:]))


def test_stream_modes_change_only_the_pieces(settings, kb):
    question = "What is reciprocal rank fusion?"
    answers = {}
    for mode in ("token", "buffered", "whole"):
        events = list(stream_answer(question, settings.with_(stream=mode), kb=kb))
        answers[mode] = [e.text for e in events if isinstance(e, Token)]
    assert len(answers["whole"]) == 1
    assert len(answers["token"]) > len(answers["buffered"]) > 1
    assert "".join(answers["token"]) == "".join(answers["buffered"]) == answers["whole"][0]


def test_an_empty_question_is_one_clear_error(settings, kb):
    for question in ("", "   \n\t "):
        assert list(stream_answer(question, settings, kb=kb)) == [Error("Please type a question.")]


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hello", "greeting"),
        ("Hi there! 👋", "greeting"),
        ("Thanks a lot!", "thanks"),
        ("ok thx", "thanks"),
        ("ok", "acknowledgement"),
        ("Cool!", "acknowledgement"),
        ("yes", "acknowledgement"),
        ("Nope.", "acknowledgement"),
        ("no thanks", "acknowledgement"),
        ("bye", "goodbye"),
        ("That's not what I asked.", "feedback"),
        ("you're wrong", "feedback"),
        ("that didn't help", "feedback"),
        ("Where did you get that?", "sources"),
        ("what's your source?", "sources"),
    ],
)
def test_a_message_that_asks_nothing_of_the_documents_is_replied_to_without_searching(settings, kb, message, kind):
    events = list(stream_answer(message, settings, kb=kb, history=["What is HNSW?"]))
    assert not any(isinstance(event, Retrieved) for event in events)
    assert [event.text for event in events if isinstance(event, Token)] == [SMALL_TALK_REPLIES[kind]]
    assert events[-1] == Done(SMALL_TALK_REPLIES[kind], [], {})


@pytest.mark.parametrize("message", ["What can you do?", "help", "Which documents do you have?", "What do you know?"])
def test_asked_what_it_can_do_it_names_its_documents_the_newest_first(settings, kb, embedder, message):
    text = "The zorblax constant is 42. Quentin Vell measured it with a brass zorblax gauge."
    upload = Chunk("zorblax.md#0", "Zorblax Notes", "Zorblax Notes", "zorblax.md", 0, len(text), text)
    session_kb = kb.extended([upload], embedder.encode([upload.search_text]))
    documents = len({chunk.source for chunk in session_kb.chunks})

    events = list(stream_answer(message, settings, kb=session_kb))

    assert not any(isinstance(event, Retrieved) for event in events)
    reply = events[-1].answer
    assert reply.startswith(f"I answer questions from {documents} documents"), reply
    assert "Among the documents: “Zorblax Notes”, " in reply and reply.endswith(f" and {documents - 6} more."), reply


def test_two_documents_with_one_title_count_as_two_and_are_told_apart(settings, kb, embedder):
    text = "The quarterly report says sales grew by nine percent."
    uploads = [Chunk(f"{name}#0", "Report", "Report", name, 0, len(text), text) for name in ("q1.pdf", "q2.pdf")]
    session_kb = kb.extended(uploads, embedder.encode([chunk.search_text for chunk in uploads]))
    documents = len({chunk.source for chunk in kb.chunks}) + 2

    reply = list(stream_answer("help", settings, kb=session_kb))[-1].answer

    assert reply.startswith(f"I answer questions from {documents} documents"), reply
    assert "Among the documents: “Report” (q2.pdf), “Report” (q1.pdf), " in reply, reply


def test_a_question_after_a_thanks_follows_up_the_question_before_it(settings, kb):
    history = ["What is HNSW?", "great, thanks"]
    events = list(stream_answer("What are its drawbacks?", settings, kb=kb, history=history))
    assert search_line(events).startswith("Searching for: What are the drawbacks of HNSW?"), search_line(events)


@pytest.mark.parametrize(
    "request_for_more",
    [
        "tell me more",
        "Go on!",
        "Can you elaborate?",
        "anything else?",
        "ok and what else",
        "Anything else I should know?",
        "anything else about the index i should know?",
        "Anything else we need to watch out for?",
        "How does it work?",
    ],
)
def test_asked_for_more_it_searches_the_topic_and_says_what_it_has_not_said(settings, kb, request_for_more):
    asked, said = [], []
    for message in ["What is HNSW?", request_for_more, request_for_more]:
        events = list(stream_answer(message, settings, kb=kb, history=asked, said=said))
        asked.append(message)
        said.append(events[-1].answer)

    assert search_line(events) == "Searching for: More about HNSW", search_line(events)
    first, second, third = (set(filter(None, re.split(r"\s*\[\d+\]\s*", answer))) for answer in said)
    assert second and third and not second & first and not third & (first | second), said


def test_a_why_after_sentences_telling_what_went_wrong_is_answered_with_the_mistake(settings, kb):
    message = "Our Flask server definitely writes data lines, yet the page's EventSource never fires a message. What's going on?"
    answer = list(stream_answer(message, settings, kb=kb))[-1].answer
    assert "forgets the blank line" in answer, answer


def test_you_typed_as_u_is_not_what_a_pronoun_stands_for(settings, kb):
    asked = [
        "which models use wordpiece tokenizing and how does it split a word its never seen",
        "u mentioned minilm, does that tokenizer care about capital letters",
    ]
    said = [
        list(stream_answer(message, settings, kb=kb, history=asked[:n]))[-1].answer for n, message in enumerate(asked)
    ]
    events = list(
        stream_answer("and how long can it be before it gets cut off", settings, kb=kb, history=asked, said=said)
    )
    assert " u " not in search_line(events), search_line(events)


def test_how_it_works_after_its_definition_goes_on_to_the_mechanism(settings, kb):
    """Read as asking what BM25 is, "How does it work?" had quoted the definition just given again."""
    history, said = ["Tell me about BM25"], []
    said.append(list(stream_answer(history[0], settings, kb=kb))[-1].answer)
    answer = list(stream_answer("How does it work?", settings, kb=kb, history=history, said=said))[-1].answer
    assert "combines three ideas" in answer and "most widely used" not in answer, answer


def test_asked_for_more_of_one_thing_it_answers_on_that_thing(settings, kb):
    history = ["What are the three ingredients of BM25?"]
    events = list(stream_answer("Tell me more about the first one.", settings, kb=kb, history=history))
    assert "More about BM25" not in search_line(events)
    assert "term frequency" in events[-1].answer, events[-1].answer


@pytest.mark.parametrize(
    "question", ["Tell me about reciprocal rank fusion.", "I want to know about RRF", "What do you know about RRF?"]
)
def test_asked_to_tell_about_a_thing_it_says_what_the_thing_is(settings, kb, question):
    answer = list(stream_answer(question, settings, kb=kb))[-1].answer
    assert answer.startswith("Reciprocal rank fusion, or RRF, is the most popular rank-level method."), answer


def test_what_about_a_new_thing_is_answered_on_that_thing(settings, kb):
    history = ["What does the k1 parameter in BM25 actually do?"]
    answer = list(stream_answer("what about b", settings, kb=kb, history=history))[-1].answer
    assert answer.startswith("The parameter b controls how strongly document length affects the score"), answer


def test_a_greeting_with_a_question_is_answered_as_the_question(settings, kb):
    events = list(stream_answer("Hello, what is HNSW?", settings, kb=kb))
    [retrieved] = [event for event in events if isinstance(event, Retrieved)]
    assert retrieved.hits[0].chunk.source == "faiss-hnsw-index.md"


@pytest.mark.parametrize("history", [(), ("What is HNSW?",)])
def test_a_question_without_words_is_one_clear_error_not_a_follow_up(settings, kb, history):
    for question in ("?!?!", "... ?", "🤔"):
        [error] = stream_answer(question, settings, kb=kb, history=history)
        assert error == Error("Please type a question in words: this one has only punctuation or symbols.")


@pytest.mark.parametrize(
    "question", ["How do they differ?", "What's the difference?", "Can you explain the difference?"]
)
def test_a_comparison_naming_nothing_to_compare_is_one_clear_error(settings, kb, question):
    assert list(stream_answer(question, settings, kb=kb)) == [Error(NOTHING_TO_COMPARE)]


@pytest.mark.parametrize(
    ("question", "history"),
    [
        ("How do they differ?", ["What are SSE and WebSockets?"]),  # the conversation names them
        ("I use bi-encoders and cross-encoders. How do they differ?", []),  # the message names them
        ("Should I use SSE or WebSockets? How are they different?", []),
        ("What is the difference between HNSW and IVF?", []),
    ],
)
def test_a_comparison_whose_things_are_named_is_answered(settings, kb, question, history):
    assert isinstance(list(stream_answer(question, settings, kb=kb, history=history))[-1], Done)


def test_a_huge_question_is_truncated_with_a_notice(settings, kb):
    events = list(stream_answer("What is chunk overlap? " * 200, settings, kb=kb))
    assert events[0].message == "Question was 4,599 characters; using the first 2,000"
    assert isinstance(events[-1], Done)


def test_control_characters_emoji_and_other_scripts_are_answered(settings, kb):
    for question in ("What is\x00 a \x1b[31membedding\x07?", "🔍 What is FAISS? 🚀", "ما هو FAISS؟", "什么是向量检索?"):
        events = list(stream_answer(question, settings, kb=kb))
        assert isinstance(events[-1], Done), (question, events[-1])


def test_a_failing_backend_keeps_the_partial_answer(settings, kb):
    backend = ScriptedBackend(["The answer ", "starts well"], fail_with="server went away; is it running?")
    events = list(stream_answer("What is FAISS?", settings, kb=kb, backend=backend))
    assert events[-1] == Error("server went away; is it running?", "The answer starts well")
    assert any(isinstance(e, Status) and e.stage == "error" for e in events)
    assert backend.closed


def test_closing_the_stream_closes_the_backend(settings, kb):
    backend = ScriptedBackend(["word "] * 100)
    events = stream_answer("What is FAISS?", settings, kb=kb, backend=backend)
    for event in events:
        if isinstance(event, Token):
            break
    events.close()
    assert backend.closed


def test_off_topic_question_gets_the_plain_not_found_answer(settings, kb):
    done = list(stream_answer("Who won the 1998 football World Cup?", settings, kb=kb))[-1]
    assert done.answer == NOT_FOUND and done.cited == []


def test_citations_only_count_when_they_point_at_a_hit(kb, settings):
    hits = next(e for e in stream_answer("What is FAISS?", settings, kb=kb) if isinstance(e, Retrieved)).hits
    assert cited_numbers("A [2] b [9] c [1] d [2] [0]", hits) == [2, 1]


def test_every_event_has_a_json_form(settings, kb):
    events = list(stream_answer("What is FAISS?", settings, kb=kb))
    types = [to_json(e)["type"] for e in events]
    assert types[0] == "status" and types[-1] == "done" and "retrieved" in types and "token" in types
    hit = to_json(next(e for e in events if isinstance(e, Retrieved)))["hits"][0]
    assert {"rank", "score", "dense_score", "lexical_score", "title", "section", "source", "text"} <= set(hit)


def test_a_question_that_is_not_text_is_one_clear_error(settings, kb):
    events = list(stream_answer({"question": "What is RAG?"}, settings, kb=kb))  # type: ignore[arg-type]
    assert events == [Error("The question must be text.")]


def test_an_answer_over_its_time_limit_is_cut_off_keeping_the_partial_answer(settings, kb):
    backend = ScriptedBackend(["First", " words", " and", " more"])
    events = list(stream_answer("What is RAG?", settings.with_(max_answer_seconds=0), kb=kb, backend=backend))
    error = events[-1]
    assert isinstance(error, Error) and "took longer than 0 s" in error.message, events[-3:]
    assert error.partial == "First" and backend.closed


def test_a_refused_answer_s_log_says_no_passage_answers_it(settings, kb):
    events = list(stream_answer("What is the capital of Peru?", settings, kb=kb))
    messages = [event.message for event in events if isinstance(event, Status)]
    assert any(message.startswith("None of the 5 passages answers the question") for message in messages), messages
    assert events[-1].cited == []


def test_a_follow_up_is_searched_as_the_standalone_question_it_becomes(settings, kb):
    follow_up = "What are its drawbacks?"
    alone = list(stream_answer(follow_up, settings, kb=kb))
    events = list(stream_answer(follow_up, settings, kb=kb, history=["How does an HNSW index work?"]))

    assert search_line(alone) == "Searching knowledge base…"
    assert search_line(events).startswith("Searching for: ") and "HNSW" in search_line(events)
    hits = next(e for e in events if isinstance(e, Retrieved)).hits
    assert "hnsw" in hits[0].chunk.source, [hit.chunk.source for hit in hits]


def test_a_follow_up_is_answered_for_what_it_asks_not_for_the_topic_carried_into_its_search(settings, kb):
    """Searched with the earlier question's words appended, the answer quoted the earlier answer again."""
    history = ["What happens when you call a generator function in Python?"]
    events = list(stream_answer("Can I iterate over the result twice?", settings, kb=kb, history=history))

    assert " — " in search_line(events) and "generator" in search_line(events)
    assert "consumed only once" in events[-1].answer, events[-1].answer


def test_how_a_user_does_something_is_answered_by_what_lets_them(settings, kb):
    """Read as asking nothing in particular, it quoted why cancelling matters, not how it is done."""
    events = list(stream_answer("How can a user cancel a long streaming response?", settings, kb=kb))
    assert "A Stop button lets them end the answer immediately" in events[-1].answer, events[-1].answer


def test_a_follow_up_pointing_at_the_answer_before_asks_what_it_names(settings, kb):
    """Read with ", which you brought up", the question asked no definition and searched RAG's benefits."""
    history = ["How would we check that a chatbot's answers stick to what our documents say?"]
    events = list(stream_answer("What is RAGAS, which you brought up?", settings, kb=kb, history=history))

    assert "Frameworks such as RAGAS" in events[-1].answer, events[-1].answer


def test_a_follow_up_s_pronoun_finds_the_topic_but_its_own_words_choose_the_sentences(settings, kb):
    """Read with its pronoun resolved, "Does the order of retrieved passages matter?" quoted how passages
    are labelled, on the topic's words."""
    history = ["How should retrieved passages be labelled in a RAG prompt?"]
    events = list(stream_answer("Does their order matter?", settings, kb=kb, history=history))

    assert search_line(events).startswith("Searching for: Does the order matter of retrieved passages?")
    assert "most relevant passages first" in events[-1].answer, events[-1].answer


def test_a_follow_up_s_resolved_pronoun_still_says_whose_drawbacks_are_asked(settings, kb):
    """Chosen for "drawbacks" alone, the second sentence was a flat index's: "Their only drawback is…"."""
    events = list(stream_answer("What are its drawbacks?", settings, kb=kb, history=["How does an HNSW index work?"]))

    assert events[-1].answer.startswith("Its drawbacks are memory and mutability. [1]"), events[-1].answer
    assert "Their only drawback" not in events[-1].answer, events[-1].answer


def test_a_dash_the_asker_typed_does_not_cut_what_is_asked(settings, kb):
    """Only words the conversation carried in are left out of what the answer reads as asked."""
    events = list(stream_answer("HNSW — what are its drawbacks?", settings, kb=kb))
    assert "drawbacks are memory and mutability" in events[-1].answer, events[-1].answer


@pytest.mark.parametrize(
    ("asked", "plain"),
    [
        (
            "Please explain: why don't retrieval systems simply index each document as one whole unit",
            "why don't retrieval systems simply index each document as one whole unit?",
        ),
        ("Please explain RAG in a simple way.", "What is RAG?"),
    ],
)
def test_a_question_wrapped_in_a_polite_lead_in_is_answered_as_the_plain_question(settings, kb, asked, plain):
    wrapped = list(stream_answer(asked, settings, kb=kb))

    assert search_line(wrapped) == f"Searching for: {plain}"
    assert wrapped[-1].answer == list(stream_answer(plain, settings, kb=kb))[-1].answer


@pytest.mark.parametrize(
    ("question", "searched", "stated"),
    [
        (
            "What value does nprobe have out of the box?",
            "What value does nprobe have by default?",
            "Its default value is one",
        ),
        (
            "How many copies of the same Gradio event run at once if I leave the settings alone?",
            "How many copies of the same Gradio event run at once by default?",
            "By default the limit is one",
        ),
        ("how do i cut down hallucinations in practice", "how do i reduce hallucinations in practice?", "temperature"),
    ],
)
def test_an_everyday_idiom_is_searched_as_the_documents_word_it(settings, kb, question, searched, stated):
    events = list(stream_answer(question, settings, kb=kb))

    assert search_line(events) == f"Searching for: {searched}"
    assert stated in events[-1].answer, events[-1].answer


def test_a_question_on_what_the_app_should_do_is_answered_with_what_it_should_do(settings, kb):
    question = (
        "Our model server crashed halfway through an answer. What should the UI do with the text the user already saw?"
    )
    events = list(stream_answer(question, settings, kb=kb))

    assert "leave the partial answer in place" in events[-1].answer, events[-1].answer


@pytest.mark.parametrize("question", ["How is HNSW tuned?", "How do I tune an HNSW index?"])
def test_a_question_on_tuning_is_answered_with_the_parameters(question, settings, kb):
    """It had been answered from the flat index's "It is simple, needs no tuning…", or from IVF's nprobe."""
    answer = list(stream_answer(question, settings, kb=kb))[-1].answer
    assert "The parameter M sets" in answer or "The efSearch parameter" in answer, answer
    assert "no tuning" not in answer and "nprobe" not in answer, answer


def test_asking_for_plain_english_is_not_a_name_the_documents_must_mention(settings, kb):
    question = "Someone told me their index has a recall of 0.9 at 10. What does that mean in plain English?"
    events = list(stream_answer(question, settings, kb=kb))
    assert "95 percent of the true ten nearest neighbours" in events[-1].answer, events[-1].answer


@pytest.mark.parametrize(
    ("question", "history", "stated"),
    [
        ("My teacher said language models are 'autoregressive'. What does that mean?", [], "text autoregressively"),
        ("What does that mean?", ["What is recall at k?"], "Recall at k measures the fraction"),
    ],
)
def test_asked_what_something_said_before_means_it_answers_on_that_thing(settings, kb, question, history, stated):
    """Its "mean" was the question's only asked word, and matched "Token streaming means…"."""
    events = list(stream_answer(question, settings, kb=kb, history=history))
    assert stated in events[-1].answer, events[-1].answer


@pytest.mark.parametrize(
    ("question", "history", "stated"),
    [
        (
            "One student built an IndexIVFFlat and went straight to add() without training. Should that work?",
            [],
            "must be trained before vectors can be added",
        ),
        ("And HNSW?", ["Does IndexIVFFlat use less memory than a flat index?"], "uses more memory than a flat index"),
    ],
)
def test_a_question_asking_one_word_of_its_own_reads_the_words_it_leans_on(settings, kb, question, history, stated):
    """Read for "work" or "HNSW" alone, the answers quoted nprobe's tuning and HNSW's deletions."""
    events = list(stream_answer(question, settings, kb=kb, history=history))
    assert stated in events[-1].answer, events[-1].answer


def test_a_why_answer_goes_on_from_a_short_sentence_that_names_the_cause(settings, kb):
    """ "Hallucinations arise from how language models work." says what the reason is about; the next gives it."""
    events = list(stream_answer("Why do language models hallucinate?", settings, kb=kb))
    assert "trained to produce likely continuations" in events[-1].answer, events[-1].answer


def test_a_who_answer_whose_first_sentence_names_nobody_goes_on_with_one_that_does(settings, kb):
    """It had gone on with SQuAD 2.0's task, after the sentence on SQuAD 2.0's release."""
    events = list(stream_answer("Who released the SQuAD dataset, and in which year?", settings, kb=kb))
    assert "Pranav Rajpurkar" in events[-1].answer, events[-1].answer


def test_a_traceback_is_read_as_the_stack_trace_the_documents_name(settings, kb):
    events = list(stream_answer("why hide tracebacks from users", settings, kb=kb))
    assert "Stack traces and internal details should not be shown" in events[-1].answer, events[-1].answer


@pytest.mark.parametrize(
    "question",
    [
        "How do I save index files so a crash halfway through writing does not leave a broken cache?",
        # its best sentence is on broken caches, and the way to avoid them follows as the second
        "How should I save the cache files so that a crash in the middle of writing doesn't leave them broken?",
    ],
)
def test_how_do_i_opens_on_the_way_to_do_it(settings, kb, question):
    events = list(stream_answer(question, settings, kb=kb))
    assert events[-1].answer.startswith("The standard defence is to write each file to a temporary name"), events[
        -1
    ].answer


def test_a_question_after_a_label_is_answered_as_the_question(settings, kb):
    labelled = list(stream_answer("Question: What does efSearch control in HNSW?", settings, kb=kb))
    assert "The efSearch parameter applies at query time" in labelled[-1].answer, labelled[-1].answer


def test_a_question_written_in_markup_is_answered_as_its_text(settings, kb):
    marked = list(stream_answer("**What** is `nprobe` in an <b>IVF</b> index?", settings, kb=kb))

    assert search_line(marked) == "Searching for: What is `nprobe` in an IVF index?"
    assert "The nprobe parameter controls how many" in marked[-1].answer, marked[-1].answer


def test_the_sentences_before_a_question_lend_it_their_topic_and_names_but_no_noise(settings, kb):
    drawbacks = list(stream_answer("I'm using an HNSW index. What are its drawbacks?", settings, kb=kb))
    assert "HNSW" in search_line(drawbacks), search_line(drawbacks)
    assert "hnsw" in next(e for e in drawbacks if isinstance(e, Retrieved)).hits[0].chunk.source

    plain = "How does an HNSW index work?"
    chatty = list(stream_answer(f"I'm building a study assistant for my class. {plain}", settings, kb=kb))
    assert search_line(chatty) == f"Searching for: {plain}"
    assert chatty[-1].answer == list(stream_answer(plain, settings, kb=kb))[-1].answer


def test_the_sentence_before_a_question_lends_it_the_rare_words_that_bring_it_nearer_the_documents(settings, kb):
    """Only names were lent: "What should the UI do with the text the user already saw?" alone finds the
    pipeline's components, not a stream's errors."""
    question = "Our server crashed halfway through an answer. What should the UI do with the text the user already saw?"
    events = list(stream_answer(question, settings, kb=kb))
    assert "crashed" in search_line(events), search_line(events)
    assert next(e for e in events if isinstance(e, Retrieved)).hits[0].chunk.source == "errors-during-streaming.md"


def test_a_question_that_stands_on_its_own_ignores_the_history(settings, kb):
    question = "How is reciprocal rank fusion computed?"
    with_history = list(stream_answer(question, settings, kb=kb, history=["What is HNSW?", {"bad": 1}, ""]))
    alone = list(stream_answer(question, settings, kb=kb))

    assert search_line(with_history) == "Searching knowledge base…"
    assert with_history[-1].answer == alone[-1].answer


def test_a_long_pasted_context_lends_the_question_only_its_last_few_names(settings, kb):
    names = [f"Project{letter}" for letter in "ABCDEFGHIJKL"]
    context = " ".join(f"We also evaluated {name} last year." for name in names)
    events = list(stream_answer(f"{context} How does an HNSW index work?", settings, kb=kb))
    assert (
        search_line(events) == f"Searching for: How does an HNSW index work? — {' '.join(names[-MAX_CONTEXT_NAMES:])}"
    )
