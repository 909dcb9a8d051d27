"""`standalone_query`: follow-ups that refer back get the conversation's topic; questions that
stand on their own are left as they were asked. Against the shipped corpus's knowledge base."""

from __future__ import annotations

import copy
import pickle

import pytest
from searched import search_line

from rag.citations import quoted_sentences
from rag.conversation import (
    MAX_CARRIED_WORDS,
    SearchQuery,
    asked_part,
    compared_in,
    refers_back,
    standalone_query,
    with_context,
)
from rag.generate import NOT_FOUND
from rag.lexical import terms
from rag.pipeline import search_query, stream_answer


def test_a_question_without_history_is_searched_as_asked(kb, embedder):
    assert standalone_query("How is it tuned?", [], kb, embedder) == "How is it tuned?"


@pytest.mark.parametrize(
    "question",
    [
        "How does BM25 weigh rare terms?",
        "Which port does the llama.cpp server use?",
        "Why does maximal marginal relevance penalise redundancy?",
    ],
)
def test_a_question_that_stands_on_its_own_is_unchanged(kb, embedder, question):
    assert not refers_back(question, kb, embedder)
    assert standalone_query(question, ["What is HNSW?"], kb, embedder) == question


def test_it_stands_for_no_word_of_its_own_clause(kb, embedder):
    """Four content words before "it" had resolved it inside the question: the numbers, or the people."""
    question = "what numbers do people normally pick for it?"
    assert refers_back(question, kb, embedder)
    assert standalone_query(question, ["What is BM25?"], kb, embedder).startswith(
        "what numbers do people normally pick for BM25?"
    )


@pytest.mark.parametrize(
    "question",
    [
        "Why is it worse to chop a passage in the middle to fit the prompt than to drop it?",
        "Why does it help to show the retrieved sources before any answer text appears?",
        "When is it still worth keeping an exact flat index even if production uses something faster?",
        "How should passages be added to the prompt budget so that it does not overflow?",
        "What rule guarantees that a chunk never contains text that is absent from the source file?",
        "What separates an extractive answerer from a generative one?",
        "Why score both the retriever and the final answers using one shared set of questions?",
        "What is concurrency_id for?",
        "How is the reciprocal rank of a single query worked out?",
        "What is the HNSW equivalent of nprobe?",  # the relation's second term is in the question
        "On an IVF index, what's the difference between nlist and nprobe, and which of them can I change?",
        # opens with "And", but has a topic of its own
        "And if the model server crashes halfway through an answer, what should the user end up seeing?",
        "What happens when you call a Python function that has yield in it?",  # "it" in a clause of its own
        "How many passages are retrieved before a cross-encoder reranks them?",  # "before" opens a clause
    ],
)
def test_words_shaped_like_anaphors_that_point_inside_the_question_leave_it_alone(kb, embedder, question):
    assert not refers_back(question, kb, embedder)
    assert standalone_query(question, ["What is HNSW?"], kb, embedder) == question


@pytest.mark.parametrize(
    "question",
    [
        "When is it actually worth using?",  # "it" is the object of "using": no clause of its own follows
        "Where should that failure be caught?",  # a demonstrative
        "Is there anything I must save alongside it?",  # "anything" is no antecedent
        "Why not go bigger?",  # no content of its own
        "How do I find the right value for my own documents?",  # three content words, no passage near
        "What's the equivalent in HNSW?",  # the equivalent of what the turn before asked about
        "does MiniLM use it too?",  # the object of the name's verb is not the name
        "when answers come out wrong, which one is usually to blame?",  # "which one" picks among things before
        "which gets text on screen sooner?",  # sooner than what? a pick of two things not named
        "which of the two gives me metadata filtering?",  # the two are the turn before's, whatever words follow
        "for a small course project, which of them makes more sense?",  # "them" is not the course project
        "And for HNSW?",  # a continuation with a name, but little else of its own
        "so what happens to the graph then?",  # a continuation with no name or rare words
    ],
)
def test_a_question_that_leans_on_the_turn_before_refers_back(kb, embedder, question):
    assert refers_back(question, kb, embedder)


def test_words_about_the_conversation_itself_are_not_carried_as_its_topic(kb, embedder):
    message = "You said to keep the number of passages modest. How many is that in practice?"
    query = search_query(message, ["How should retrieved passages be laid out in a prompt?"], kb, embedder)
    assert query.startswith("How many is that in practice? — keep number passages modest"), query


def test_a_pronoun_stands_for_no_name_the_corpus_never_uses(kb, embedder):
    history = ["Coming from OpenSearch, where BM25 is the default similarity: what does its b parameter do?"]
    query = standalone_query("and what's it usually set to?", history, kb, embedder)
    assert query.startswith("and what's b usually set to?"), query  # a value asked: of the parameter


def test_a_determiner_is_no_part_of_a_topic(kb, embedder):
    """ "every" counts the tokens, as "each" would; it is neither the topic nor carried."""
    history = ["sending every single token to the browser makes my markdown answer flicker. is there a middle ground?"]
    query = search_query("when exactly should it flush", history, kb, embedder)
    assert "every" not in query.split(), query


def test_a_pick_of_two_things_named_before_carries_the_two_and_nothing_else(kb, embedder):
    history = ["what's the difference between a bi-encoder and a cross-encoder?"]
    query = standalone_query("which of them is slower?", history, kb, embedder)
    assert query == "which of them is slower? — bi-encoder cross-encoder"


def test_a_pronoun_is_replaced_by_the_previous_topic(kb, embedder):
    assert standalone_query("How much memory does it use?", ["What is IndexFlatIP?"], kb, embedder) == (
        "How much memory does IndexFlatIP use?"
    )
    assert standalone_query("What are its limits?", ["What is SQuAD?"], kb, embedder) == "What are the limits of SQuAD?"


@pytest.mark.parametrize(
    ("earlier", "thing"),
    [
        ("In FAISS, what is IndexFlatIP?", "IndexFlatIP"),
        ("In an IVF index, what does nprobe do?", "nprobe"),
        ("What does nprobe control in a FAISS IVF index?", "nprobe"),
        ("in a faiss IVF index what is nprobe set to out of the box?", "nprobe"),  # typed without a comma
    ],
)
def test_a_pronoun_stands_for_the_thing_asked_about_not_where_it_lives(kb, embedder, earlier, thing):
    assert standalone_query("Can it be changed later?", [earlier], kb, embedder).startswith(f"Can {thing} be changed")


def test_a_pronoun_stands_for_where_the_thing_lives_when_the_thing_is_no_name(kb, embedder):
    query = standalone_query(
        "Can I delete vectors from it later?", ["What is the M parameter in an HNSW index?"], kb, embedder
    )
    assert query.startswith("Can I delete vectors from HNSW index later?"), query


def test_a_pronoun_stands_for_the_scene_when_the_question_asks_of_it_with_a_pronoun(kb, embedder):
    """A question asking of its scene with a pronoun ("…, who proposed it?") names nothing itself: a later
    "it" stands for the scene's thing, not for "proposed"."""
    history = ["the diversity reranking with a lambda knob from the late 90s - who proposed it?"]
    query = standalone_query("and does it run over the whole collection?", history, kb, embedder)
    assert query.startswith("and does diversity run over"), query


@pytest.mark.parametrize(
    ("earlier", "thing"),
    [
        ("If we deploy a chatbot for residents, how would we check its answers against our documents?", "chatbot"),
        ("When I use the chat program, the words come out bit by bit. Why does it do that?", "chat"),
    ],
)
def test_a_pronoun_stands_for_no_verb_of_the_asker_nor_a_manner(kb, embedder, earlier, thing):
    """ "it" had stood for "deploy" and "bit": the rarest words, but what the asker does and how."""
    query = standalone_query("Can I stop it partway?", [earlier], kb, embedder)
    assert query.startswith(f"Can I stop {thing} partway?"), query


def test_a_capital_letter_naming_a_parameter_is_carried_into_a_continuation(kb, embedder, settings):
    """The stop-word list has "m" (of "I'm"); the M parameter's letter is carried all the same."""
    history = ["For my exam: in an HNSW index, what does the M parameter set?"]
    query = standalone_query("and on the bottom layer?", history, kb, embedder)
    assert "M" in query.carried, query
    earlier = list(stream_answer(history[0], settings, kb=kb))[-1].answer
    answer = list(stream_answer("and on the bottom layer?", settings, kb=kb, history=history, said=[earlier]))[-1]
    assert "the bottom layer allows twice as many" in answer.answer, answer.answer


def test_a_follow_up_after_a_pasted_page_carries_a_bounded_number_of_its_words(kb, embedder):
    page = " ".join(["Explain how FAISS works and why it matters for retrieval quality in practice."] * 25)
    query = standalone_query("What are its drawbacks?", [page], kb, embedder)
    assert 0 < len(query.carried) <= MAX_CARRIED_WORDS, query


def test_a_follow_up_without_a_subject_gets_the_topic_appended(kb, embedder):
    query = standalone_query("And why?", ["Should reciprocal rank fusion replace score fusion?"], kb, embedder)
    assert query.startswith("And why? — ") and "reciprocal rank fusion" in query


@pytest.mark.parametrize(
    ("query", "asked"),
    [
        (SearchQuery("And what ends an event?", ["content", "type", "SSE"]), "And what ends an event?"),
        (SearchQuery("Why is that?", ["IVF", "index"]), "Why is that? — IVF index"),  # nothing asked of its own
        ("What is RAG?", "What is RAG?"),
        ("The nprobe setting — what does it change?", "The nprobe setting — what does it change?"),  # a typed dash
    ],
)
def test_the_asked_part_of_a_query_leaves_out_the_words_carried_from_the_conversation(query, asked):
    assert asked_part(query) == asked


def test_a_query_with_carried_words_survives_copying_and_pickling():
    query = SearchQuery("And what ends an event?", ["content", "type"])
    for copied in (copy.deepcopy(query), pickle.loads(pickle.dumps(query))):
        assert (copied, asked_part(copied)) == ("And what ends an event? — content type", "And what ends an event?")
    resolved = SearchQuery("What are the drawbacks of HNSW?", [], own="What are the drawbacks of ?")
    for copied in (copy.deepcopy(resolved), pickle.loads(pickle.dumps(resolved))):
        assert (copied, asked_part(copied)) == ("What are the drawbacks of HNSW?", "What are the drawbacks of ?")


def test_a_resolved_pronoun_is_searched_but_not_read_as_asked(kb, embedder):
    query = standalone_query("How slow are they?", ["How do cross-encoders rerank passages?"], kb, embedder)
    assert query.startswith("How slow are cross-encoders")
    assert asked_part(query) == "How slow are ?"


def test_a_rewritten_follow_up_remembers_what_it_asked(kb, embedder):
    query = standalone_query("And why?", ["Should reciprocal rank fusion replace score fusion?"], kb, embedder)
    assert asked_part(query) == "And why? — reciprocal rank fusion replace score fusion"  # asks nothing of its own
    query = standalone_query("And what ends an event?", ["What content type does an SSE response use?"], kb, embedder)
    assert asked_part(query) == "And what ends an event?"


def test_a_contracted_question_word_is_not_carried_as_a_topic(kb, embedder):
    follow_up = "Can it be changed after the index is built?"
    assert standalone_query(follow_up, ["What's the equivalent in HNSW?"], kb, embedder) == standalone_query(
        follow_up, ["What is the equivalent in HNSW?"], kb, embedder
    )


def test_a_pronoun_stands_for_the_topic_not_for_a_conjunction_or_an_adverb(kb, embedder):
    earlier = ["Is there a search method that matches a question to a passage even though they share no words?"]
    query = standalone_query("Where does it fall short?", earlier, kb, embedder)
    assert query.startswith("Where does search method fall short?"), query
    carried = standalone_query(
        "How much memory does it need?", ["Which FAISS index is basically exact but really slow?"], kb, embedder
    )
    assert not {"basically", "really"} & set(carried.split()), carried


def test_a_new_name_replaces_the_old_one_and_keeps_what_was_asked(kb, embedder):
    query = standalone_query("What about Ollama?", ["Which port does vLLM listen on?"], kb, embedder)
    assert "Ollama" in query and "port" in query and "vLLM" not in query


def test_a_comparison_with_nothing_compares_with_the_topic_before(kb, embedder):
    history = ["How does product quantization manage to compress embedding vectors?"]
    query = standalone_query("like, how much smaller in practice?", history, kb, embedder)
    assert "product quantization" in query, query
    standing = "Is HNSW faster than a flat index?"
    assert standalone_query(standing, history, kb, embedder) == standing


@pytest.mark.parametrize(
    ("history", "follow_up", "query"),
    [
        (["What is HNSW?"], "what about IVF?", "What is IVF?"),
        (["What is HNSW?", "What about IVF?"], "And PQ?", "What is PQ?"),
        (["What is WordPiece?"], "and BPE?", "What is BPE?"),
    ],
)
def test_a_new_name_alone_asks_the_question_before_of_it(kb, embedder, history, follow_up, query):
    assert standalone_query(follow_up, history, kb, embedder) == query


@pytest.mark.parametrize(
    ("history", "follow_up", "query"),
    [
        (["What does nlist control?"], "And nprobe?", "What does nprobe control?"),
        (
            ["What does the k1 parameter in BM25 actually do?"],
            "what about b",
            "What does the b parameter in BM25 actually do?",
        ),
        (
            ["What's a bi-encoder in the context of retrieval?"],
            "and a cross-encoder?",
            "What's a cross-encoder in the context of retrieval?",
        ),
        (  # the letter is the term, and what it is called goes with it
            ["What default value is normally used for b, the length normalisation knob?"],
            "And for k1?",
            "What default value is normally used for k1?",
        ),
        (["IVF nlist: how to pick it?"], "what about nprobe?", "IVF nprobe: how to pick it?"),  # named before
        (["BM25 k1 param - what does it actually control?"], "and b?", "BM25 b param - what does it actually control?"),
    ],
)
def test_a_term_typed_in_lower_case_alone_asks_the_question_before_of_it(kb, embedder, history, follow_up, query):
    assert standalone_query(follow_up, history, kb, embedder) == query


def test_a_letter_alone_replaces_the_letter_a_question_without_a_term_carried(kb, embedder):
    history = ["what does k1 do in BM25?", "and which values do people usually go with?"]
    query = standalone_query("and b?", history, kb, embedder)
    assert asked_part(query) == history[1], "'go' is an English word, not a parameter named by two letters"
    assert "b" in query.carried and "k1" not in query.carried


@pytest.mark.parametrize(
    ("history", "follow_up", "asked"),
    [
        (["What does k1 do in BM25?"], "and b? what is it usually left at?", "and what is b usually left at?"),
        (["What does nlist control?"], "what about nprobe? what is it set to?", "and what is nprobe set to?"),
        (["What does nlist control?"], "and the M parameter, what is it for?", "and what is the M parameter for?"),
        (
            ["How many lists should an IVF index have?"],
            "what about m in product quantization, any limit on it?",
            "and any limit on m in product quantization?",
        ),
    ],
)
def test_a_pronoun_after_a_continuation_naming_a_thing_stands_for_that_thing(kb, embedder, history, follow_up, asked):
    assert asked_part(standalone_query(follow_up, history, kb, embedder)) == asked


def test_a_pronoun_asked_for_a_value_stands_for_the_parameter_of_the_topic(kb, embedder):
    history = ["In FAISS's IndexHNSWFlat, what does M actually control?"]
    query = standalone_query("what values do people usually give it?", history, kb, embedder)
    assert query.asked == "what values do people usually give M?"
    assert "IndexHNSWFlat" in query.carried


def test_that_and_a_noun_the_questions_never_used_is_named_as_the_answer_before_named_it(kb, embedder):
    answer = ["It starts the job and returns immediately with a `Job` object."]
    history = ["gradio_client: predict vs submit, which one do I use for a streaming endpoint?"]
    query = standalone_query("what can I ask that object while it's running?", history, kb, embedder, lambda q: answer)
    assert query.asked == "what can I ask Job object while it's running?"


def test_a_continuation_opening_on_an_adverb_names_no_thing(kb, embedder):
    history = ["Give me one reason to run Milvus rather than FAISS", "Does Qdrant use HNSW?"]
    query = standalone_query("And internally, what index structure do they rely on?", history, kb, embedder)
    assert "do internally" not in asked_part(query), query


@pytest.mark.parametrize("follow_up", ["does it have to be trained first?", "does it need to be trained first?"])
def test_it_before_have_to_stands_for_the_topic(kb, embedder, follow_up):
    query = standalone_query(follow_up, ["How does an IVF index speed up search?"], kb, embedder)
    assert query.asked.startswith("does IVF index "), (
        "'does it have to be…' asks whether it must be, no clause after it"
    )


@pytest.mark.parametrize(
    "follow_up", ["can a python script read that same stream?", "could I reuse that trick in a test?"]
)
def test_that_before_a_noun_points_back_after_a_verb(kb, embedder, follow_up):
    query = standalone_query(follow_up, ["How do I make a Gradio event handler stream its output?"], kb, embedder)
    assert "Gradio" in query, "'that same stream', 'that trick in…': a thing said before, not a clause"


def test_that_opening_a_clause_after_a_verb_does_not_point_back(kb, embedder):
    follow_up = "does raising efSearch mean that recall improves in HNSW?"
    assert standalone_query(follow_up, ["What is BM25?"], kb, embedder) == follow_up


def test_a_term_alone_asks_the_question_before_of_it_with_its_context_carried(kb, embedder, settings):
    history = ["For my thesis I'm benchmarking IndexIVFFlat. What exactly does nlist control?"]
    query = standalone_query("And nprobe?", history, kb, embedder)
    assert asked_part(query) == "What exactly does nprobe control?" and "IndexIVFFlat" in query
    earlier = list(stream_answer(history[0], settings, kb=kb))[-1].answer
    answer = list(stream_answer("And nprobe?", settings, kb=kb, history=history, said=[earlier]))[-1].answer
    assert answer.startswith("The nprobe parameter controls how many of the closest inverted lists are scanned"), answer


def test_an_attribute_alone_still_asks_about_the_topic_before(kb, embedder):
    assert standalone_query("and the memory?", ["What is HNSW?"], kb, embedder) == "and the memory? — HNSW"


def test_a_new_name_alone_after_a_resolved_pronoun_asks_the_resolved_question_of_it(kb, embedder):
    history = ["What is HNSW?", "Does it have to be trained before I can add vectors to it?"]
    query = standalone_query("what about IVF?", history, kb, embedder)
    assert query == "Does IVF have to be trained before I can add vectors to it?"


def test_a_new_name_alone_after_a_follow_up_asks_that_follow_up_of_it(kb, embedder):
    history = [
        "In IndexHNSWFlat, what does the M argument control?",
        "does it need a training pass before I add vectors?",
    ]
    assert (
        standalone_query("what about IVF?", history, kb, embedder)
        == "does IVF need a training pass before I add vectors?"
    )
    history = ["Does IndexIVFFlat use less memory than a flat index?", "What about IVFPQ?"]
    assert standalone_query("And HNSW?", history, kb, embedder) == "And HNSW? — use less memory flat index"


def test_a_follow_up_that_says_most_of_what_it_asks_carries_only_the_topics_head(kb, embedder):
    history = ["How does HNSW build its graph of vectors in layers?"]
    long_follow_up = "and what should I do when memory usage grows too large on a small server?"
    assert standalone_query(long_follow_up, history, kb, embedder) == f"{long_follow_up} — HNSW"
    assert standalone_query("and memory?", history, kb, embedder) == "and memory? — HNSW build graph vectors layers"


def test_a_long_question_after_its_own_messages_opening_sentence_carries_all_its_topic(kb, embedder):
    context = "I'm building a chat UI that groups tokens before painting them."
    question = "Roughly how many characters do people usually let pile up before pushing a piece out?"
    assert with_context(question, context, kb, embedder) == f"{question} — building chat UI groups tokens painting"
    assert standalone_query(question, [context], kb, embedder) == f"{question} — groups tokens"  # an earlier turn


def test_a_third_turn_keeps_the_first_turns_topic(kb, embedder):
    history = ["What is WordPiece?", "Who uses it?"]
    assert standalone_query("Who uses it?", history[:1], kb, embedder) == "Who uses WordPiece?"
    assert "WordPiece" in standalone_query("And how are its pieces marked?", history, kb, embedder)


def test_a_pronoun_after_a_name_in_the_same_question_is_not_resolved_from_history(kb, embedder):
    question = "Is FAISS free, and can it run on a GPU?"
    assert not refers_back(question, kb, embedder)
    assert standalone_query(question, ["What is HNSW?"], kb, embedder) == question


def test_the_object_of_a_named_subject_s_verb_stands_for_the_topic_before(kb, embedder):
    query = standalone_query("Can FAISS save it to disk?", ["What is HNSW?"], kb, embedder)
    assert query == "Can FAISS save HNSW to disk?"


def test_rewriting_is_deterministic(kb, embedder):
    history = ["What does cosine similarity measure?", "Why normalise the vectors first?", "And with FAISS?"]
    queries = {standalone_query("How do I check that it worked?", history, kb, embedder) for _ in range(20)}
    assert len(queries) == 1


def test_a_name_the_whole_corpus_uses_is_not_taken_for_the_topic(kb, embedder):
    history = ["What is an extractive answer in a RAG system?"]  # "RAG" is in two thirds of the documents
    assert standalone_query("What's its big advantage?", history, kb, embedder).startswith(
        "What's the big advantage of extractive answer?"
    )


@pytest.mark.parametrize(
    ("follow_up", "earlier", "resolved"),
    [
        (
            "Who proposed it?",
            "How does reciprocal rank fusion compute a score?",
            "Who proposed reciprocal rank fusion?",
        ),
        ("Can it be changed later?", "What is the efSearch setting in HNSW?", "Can efSearch be changed later?"),
        (
            "What are its main benefits?",
            "Who popularised the term retrieval-augmented generation?",
            "What are the main benefits of retrieval-augmented generation?",
        ),
        (
            "Does it change the total time?",
            "Why does token streaming make a chatbot feel faster?",
            "Does token streaming",
        ),
        # the verb after the subject in a later sentence, five words in
        ("Does it need training?", "Night class here. What does HNSW stand for?", "Does HNSW need training?"),
        (
            "does it need a training step?",
            "Laptop here. roughly how much memory does a FAISS IndexFlatL2 need for 10k vectors?",
            "does FAISS IndexFlatL2 need a training step?",
        ),
    ],
)
def test_a_pronoun_stands_for_a_phrase_the_corpus_writes_not_the_verb_after_it(
    kb, embedder, follow_up, earlier, resolved
):
    assert standalone_query(follow_up, [earlier], kb, embedder).startswith(resolved)


def test_a_relation_left_to_the_conversation_carries_what_the_turn_before_asked(kb, embedder):
    earlier = "Which parameter trades speed for recall at query time in a FAISS IVF index?"
    query = standalone_query("What's the equivalent in HNSW?", [earlier], kb, embedder)
    assert query.startswith("What's the equivalent in HNSW? — ") and "speed" in query and "IVF" not in query


PQ_SENTENCE = (
    "Product quantization, usually abbreviated PQ, was introduced by Hervé Jégou, Matthijs Douze and Cordelia"
    " Schmid, two of whom later worked on FAISS."
)


@pytest.mark.parametrize(
    "earlier",
    [
        "Which FAISS index type is built from codes of a few dozen bytes?",
        "What compression method turns a vector into a code of a few dozen bytes?",
        "Which one should I use to shrink my vectors to a few dozen bytes?",
        "Which is smallest in memory?",
    ],
)
def test_a_pronoun_after_a_question_that_picks_something_stands_for_the_name_its_answer_gives(kb, embedder, earlier):
    asked: list[str] = []

    def answer_of(question: str) -> list[str]:
        asked.append(question)
        return [PQ_SENTENCE]

    query = standalone_query("Does it need training?", [earlier], kb, embedder, answer_of)
    assert query.startswith("Does PQ need training?"), query
    assert asked == [earlier]


@pytest.mark.parametrize(
    ("earlier", "follow_up", "resolved"),
    [
        ("What hardware does a free Hugging Face Space get?", "How long until it sleeps?", "Hugging Face Space"),
        ("What is HNSW?", "What are its drawbacks?", "HNSW"),
        ("Which port does Ollama listen on by default?", "Does it need a GPU?", "Ollama"),
    ],
)
def test_a_pronoun_after_a_question_that_names_its_subject_stands_for_that_subject(
    kb, embedder, earlier, follow_up, resolved
):
    def answer_of(question: str) -> list[str]:
        raise AssertionError(f"{question!r} names what it asks about; its answer is not needed")

    assert resolved in standalone_query(follow_up, [earlier], kb, embedder, answer_of)


def test_a_follow_up_bringing_its_own_name_ends_the_pick(kb, embedder):
    history = ["Which FAISS index type is built from codes of a few dozen bytes?", "What about HNSW?"]
    query = standalone_query("Does it need training?", history, kb, embedder, lambda question: PQ_SENTENCE)
    assert "PQ" not in query.split(" — ")[0], query


def test_the_pipeline_resolves_a_pronoun_to_the_name_the_documents_answered_with(settings, kb):
    history = ["Which FAISS index type is built from codes of a few dozen bytes?"]
    events = list(stream_answer("What exactly does it encode?", settings, kb=kb, history=history))
    searched = search_line(events)
    assert searched.startswith("Searching for: What exactly does PQ encode?"), searched
    answer = events[-1].answer
    assert "sub-vector" in answer or "centroid" in answer, answer


def test_a_pick_whose_best_sentence_first_names_no_heading_leaves_the_pronoun_to_the_question(kb, embedder):
    best = "Quantised models are commonly distributed in the GGUF file format used by llama.cpp and tools built on it."
    earlier = "What format do quantised local models usually come in?"
    query = standalone_query("Which server loads it?", [earlier], kb, embedder, lambda question: [best])
    assert "llama.cpp" not in query, "GGUF comes first and no heading names it; llama.cpp is not what 'it' means"


def test_a_follow_up_s_answer_says_something_the_answer_before_it_did_not(settings, kb):
    """ "How do I protect against it?" after prompt injection's definition: the definition is not
    quoted again as the second sentence, so the answer gets to the defences."""
    first = "What is prompt injection?"
    earlier = list(stream_answer(first, settings, kb=kb))[-1].answer
    follow_up = "How do I protect against it?"
    answer = list(stream_answer(follow_up, settings, kb=kb, history=[first], said=[earlier]))[-1].answer
    quoted = [" ".join(text.split()) for _, text in quoted_sentences(answer)]
    assert any(text not in " ".join(earlier.split()) for text in quoted), (earlier, answer)
    assert "defences are layered" in answer, answer


def test_a_follow_up_with_few_words_of_its_own_is_answered_from_its_topic_s_passages(settings, kb):
    """Its best sentence is less near "ok what values should i start with" than to a whole question;
    judged as a whole question's, it was refused."""
    history = ["what do the k1 and b knobs in bm25 actually do"]
    answer = list(stream_answer("ok what values should i start with", settings, kb=kb, history=history))[-1].answer
    assert "1.2 and 2.0" in answer, answer


def test_a_clipped_word_finds_the_word_the_documents_write(settings, kb):
    """ "max" is read as "maximum": "The model has a maximum sequence length of 256 word pieces." """
    assert terms("max dims of the repo") == terms("maximum dimensions of the repository")
    history = ["What is all-MiniLM-L6-v2?"]
    answer = list(stream_answer("max input?", settings, kb=kb, history=history))[-1].answer
    assert answer.startswith("The model has a maximum sequence length of 256 word pieces."), answer


def test_vocab_is_read_as_the_vocabulary_the_documents_write(settings, kb):
    """ "and bert's vocab size?" had quoted the double-hash sentence: "vocab" matched no word of the corpus."""
    history, said = [], []
    for question in (
        "the bert tokenizer shows ## in front of some pieces, what does that mean?",
        "what about BPE, where did it originally come from?",
        "and bert's vocab size?",
    ):
        answer = list(stream_answer(question, settings, kb=kb, history=history, said=said))[-1].answer
        history.append(question)
        said.append(answer)
    assert "about 30,000 entries" in answer, answer


@pytest.mark.parametrize(
    ("earlier", "follow_up"),
    [
        ("What is HNSW?", "and what's the capital of France?"),
        ("How do I stop a stream?", "how do I stop my dog barking?"),
        ("What is a context window?", "what about the TCP receive window?"),
        # two words the corpus never uses, far from all it says: about something else, not the topic before
        ("How does product quantization compress vectors in FAISS?", "how do I change a car tyre?"),
        ("What does nprobe control in an IVF index?", "how do I fix a leaking kitchen tap?"),
        ("How does token streaming work?", "and how do I prune roses in winter?"),
    ],
)
def test_an_off_topic_follow_up_is_still_refused(settings, kb, earlier, follow_up):
    answer = list(stream_answer(follow_up, settings, kb=kb, history=[earlier]))[-1].answer
    assert answer == NOT_FOUND, answer


def test_a_question_read_after_its_own_opening_sentence_keeps_their_topic_though_its_words_are_foreign(kb, embedder):
    # "settle", "gut" and "feeling" are words the corpus never uses; the asker gave the opening sentence for it
    message = (
        "Our team keeps arguing about how long the pieces of our help-centre articles should be when we index "
        "them. How should we actually settle it instead of going by gut feeling?"
    )
    assert "help-centre articles" in search_query(message, (), kb, embedder)


def test_a_follow_up_whose_best_sentences_were_all_said_goes_on_with_one_that_was_not(settings, kb):
    first = "How does product quantization turn a full vector into a short code?"
    earlier = list(stream_answer(first, settings, kb=kb))[-1].answer
    answer = list(stream_answer("Why is that useful?", settings, kb=kb, history=[first], said=[earlier]))[-1].answer
    assert "Compression is needed" in answer and "Compression is needed" not in earlier, (earlier, answer)


@pytest.mark.parametrize(
    ("text", "compared"),
    [
        ("I keep mixing up nlist and nprobe for IVF indexes.", ("nlist", "nprobe")),
        ("My course covers BM25 and dense retrieval.", ("BM25", "dense retrieval")),  # never "covers BM25"
        ("Someone mentioned score-level fusion and rank-level fusion.", ("score-level fusion", "rank-level fusion")),
        ("I heard of recall@k and precision@k.", ("recall@k", "precision@k")),
        ("We read about FAISS. Should I use gr.Interface or gr.Blocks?", ("gr.Interface", "gr.Blocks")),
        ("I use an HNSW index.", None),
        ("And a cross-encoder?", None),
        # Sides that open alike differ in what follows the shared opening.
        ("The difference between an answer being faithful and an answer being correct", ("faithful", "correct")),
        ("Tell me about the offline stage and the online stage of RAG.", ("offline stage", "online stage")),
        ("Should I use a sync generator or an async generator?", ("sync generator", "async generator")),
        ("Is it what a RAG system does, versus what happens once a question comes in?", None),
        # An adverb after the "and" is not a side.
        ("I've read about RRF and also about min-max normalising the scores.", ("RRF", "min-max normalising")),
        ("We looked at server-sent events and also at websockets.", ("server-sent events", "websockets")),
    ],
)
def test_the_two_things_a_sentence_names_are_the_phrases_beside_its_and_or_or(kb, text, compared):
    assert compared_in(text, kb.vocabulary) == compared


@pytest.mark.parametrize(
    ("history", "follow_up", "query"),
    [
        (["What are SSE and WebSockets?"], "Do they differ much?", "SSE vs WebSockets: Do they differ much?"),
        (["What is HNSW?", "What about IVF?"], "How do they differ?", "HNSW vs IVF: How do they differ?"),
    ],
)
def test_a_comparison_that_names_nothing_compares_what_the_question_before_named(
    kb, embedder, history, follow_up, query
):
    assert standalone_query(follow_up, history, kb, embedder) == query


def test_a_pick_between_two_sides_that_open_alike_is_answered_on_them(settings, kb):
    history = ["What's the difference between an answer being faithful and an answer being correct?"]
    answer = list(stream_answer("Which one should my RAG bot care about more?", settings, kb=kb, history=history))[-1]
    assert "faithfulness is usually the property to optimise" in answer.answer, answer.answer


def test_a_follow_up_asking_who_is_answered_with_a_name(settings, kb):
    history = ["In reciprocal rank fusion, what's the usual value for the k constant?"]
    answer = list(stream_answer("who wrote that original paper?", settings, kb=kb, history=history))[-1].answer
    assert "Gordon Cormack" in answer, answer


def test_a_comparison_that_names_nothing_quotes_a_sentence_on_each_thing_the_conversation_named(settings, kb):
    history = ["What are SSE and WebSockets?"]
    answer = list(stream_answer("Do they differ much?", settings, kb=kb, history=history))[-1].answer
    assert "WebSockets provide a full two-way channel" in answer and "SSE is simpler" in answer, answer


def test_a_comparison_that_names_nothing_compares_what_the_sentence_before_it_names(settings, kb):
    events = list(stream_answer("I use bi-encoders and cross-encoders. How do they differ?", settings, kb=kb))
    answer = events[-1].answer
    assert "Bi-encoders" in answer and "A cross-encoder takes the query and a passage together" in answer, answer


def test_a_question_asking_which_of_two_unnamed_things_carries_the_two_the_question_before_named(kb, embedder):
    earlier = ["what's the difference between server-sent events and websockets?"]
    query = standalone_query("for streaming a chatbot's answer, which one would you go with?", earlier, kb, embedder)
    assert asked_part(query) == "for streaming a chatbot's answer, which one would you go with?"
    assert query.endswith("server-sent events websockets"), query


def test_a_question_asking_which_of_two_is_answered_from_what_the_conversation_named(settings, kb):
    history = ["what's the difference between extractive and generative answers in RAG?"]
    answer = list(stream_answer("which is less likely to hallucinate?", settings, kb=kb, history=history))[-1].answer
    assert "Extractive answers cannot introduce words that are absent from the sources" in answer, answer


def test_the_same_question_for_a_new_name_drops_the_thing_it_was_asked_of(kb, embedder):
    """ "Mean reciprocal rank" is not a name in shape, but it is what nDCG stands in for."""
    earlier = ["How exactly is mean reciprocal rank calculated?"]
    query = standalone_query("same question for nDCG", earlier, kb, embedder)
    assert "nDCG" in query and "calculated" in query and "reciprocal" not in query, query


def test_a_follow_up_naming_another_kind_of_the_same_thing_drops_the_earlier_kind(kb, embedder):
    query = standalone_query("And plain token streaming?", ["What is buffered streaming?"], kb, embedder)
    assert "buffered" not in query, query
    query = standalone_query(
        "What's the approach that ignores the scores entirely?", ["Why can't I add BM25 scores?"], kb, embedder
    )
    assert "BM25" in query, "the scores are still BM25's"


def test_which_of_the_two_after_another_kind_of_a_thing_asks_about_both_kinds(kb, embedder):
    history = ["What is buffered streaming?", "And plain token streaming?"]
    query = standalone_query("which of the two gets text on screen sooner?", history, kb, embedder)
    assert query.endswith("buffered streaming plain token streaming"), query


def test_a_contraction_typed_without_its_apostrophe_is_not_carried_as_a_topic_word(kb, embedder):
    query = standalone_query(
        "and how do I get it out of an inner product search?", ["whats the range of cosine similarity"], kb, embedder
    )
    assert query.endswith("— range") and "whats" not in query, query


def test_which_of_the_two_after_a_message_naming_them_before_its_question_asks_about_both(kb, embedder):
    """The two things are named in the sentence setting the question's scene, not in the question."""
    history = ["My team argues RAG versus fine-tuning. Who popularised the term RAG?"]
    query = standalone_query("for facts that change every week, which of the two fits better?", history, kb, embedder)
    assert query.endswith("RAG fine-tuning"), query


def test_the_topic_of_a_message_is_its_question_s_not_the_scene_it_opens_with(kb, embedder):
    history = ["writing a piece on AI benchmarks - what is SQuAD and who made it?"]
    assert standalone_query("how big is it?", history, kb, embedder).startswith("how big is SQuAD?")
    history = ["Evaluating search libraries for a work project. In BM25, what does the k1 setting actually control?"]
    query = standalone_query("and b?", history, kb, embedder)
    assert "BM25" in query and "project" not in query, query


@pytest.mark.parametrize(
    ("message", "query"),
    [
        ("In BM25 there is a setting called k1. What is it for?", "What is k1 for?"),
        ("FAISS has an index named IndexHNSWFlat. How does it work?", "How does IndexHNSWFlat work?"),
    ],
)
def test_a_pronoun_after_a_name_the_message_introduces_stands_for_that_name(settings, kb, message, query):
    events = list(stream_answer(message, settings, kb=kb))
    searched = search_line(events)
    assert searched.startswith(f"Searching for: {query}"), searched


@pytest.mark.parametrize(
    ("earlier", "query"),
    [
        ("How does an HNSW index work?", "What are the drawbacks of HNSW index?"),  # not "…HNSW index work?"
        ("What does nprobe mean?", "What are the drawbacks of nprobe?"),
        ("How much memory would a flat FAISS index need?", "What are the drawbacks of FAISS index?"),
    ],
)
def test_the_verb_that_ends_the_earlier_question_is_not_part_of_its_topic(settings, kb, earlier, query):
    events = list(stream_answer("What are its drawbacks?", settings, kb=kb, history=[earlier]))
    searched = search_line(events)
    assert searched.startswith(f"Searching for: {query}"), searched


def test_a_word_capitalised_only_for_opening_a_sentence_is_not_taken_for_a_name(settings, kb):
    history = ["Teacher here, preparing a lecture. Can you explain what chunk overlap is?"]
    events = list(stream_answer("Why does it matter?", settings, kb=kb, history=history))
    searched = search_line(events)
    assert searched.startswith("Searching for: Why does chunk overlap matter?"), searched  # not "…does Teacher…"


def test_a_word_opening_a_sentence_before_the_question_is_not_its_topic(settings, kb):
    history = ["Student here. Could you tell me what reranking is?"]
    events = list(stream_answer("How slow is it?", settings, kb=kb, history=history))
    searched = search_line(events)
    assert searched.startswith("Searching for: How slow is reranking?"), searched  # not "…is Student?"
    assert "tell" not in searched  # the polite lead-in of the earlier question carries nothing


def test_a_pronoun_after_a_demonstrative_and_its_noun_stands_for_them(settings, kb):
    history = ["My model has a huge context window. Should I put every passage in the prompt?"]
    events = list(stream_answer("who did that study and what did it find?", settings, kb=kb, history=history))
    searched = search_line(events)
    assert searched.startswith("Searching for: who did that study and what did it find? — "), searched


def test_its_own_after_a_noun_of_the_question_stands_for_that_noun(settings, kb):
    history = ["How does a structure-aware chunker split up a Markdown document?"]
    events = list(stream_answer("and when a paragraph on its own is too big?", settings, kb=kb, history=history))
    searched = search_line(events)
    assert searched.startswith("Searching for: and when a paragraph on its own is too big? — "), searched


def test_a_follow_up_moving_on_to_another_document_is_not_pulled_back_by_the_carried_words(settings, kb):
    """ "that model's maximum input length" names the model's own document in its own words; the
    words carried from "How do I pick the chunk size for MiniLM?" had kept it on chunk sizes."""
    history = ["How do I pick the chunk size for MiniLM?"]
    events = list(stream_answer("what is that model's maximum input length?", settings, kb=kb, history=history))
    searched = search_line(events)
    assert "chunk size" in searched, "the rewrite still carries the topic"
    assert events[-1].hits[0].chunk.source == "sentence-transformers-minilm.md", [
        h.chunk.source for h in events[-1].hits
    ]


def test_a_follow_up_that_leans_back_keeps_its_topic_though_its_own_words_are_weighed(settings, kb):
    events = list(stream_answer("what are its drawbacks?", settings, kb=kb, history=["What is HNSW?"]))
    assert events[-1].hits[0].chunk.source == "faiss-hnsw-index.md", [h.chunk.source for h in events[-1].hits]


def test_which_of_two_asks_about_the_two_a_message_named_before_its_unnamed_comparison(settings, kb):
    """ "What's the difference?" names nothing; the sentence before it names the two things a later
    "which is simpler…?" asks about."""
    history = ["We looked at server-sent events and also at websockets. What's the difference?"]
    events = list(stream_answer("which is simpler for streaming tokens?", settings, kb=kb, history=history))
    assert events[-1].hits[0].chunk.source == "server-sent-events.md", [h.chunk.source for h in events[-1].hits]
    assert "SSE is simpler" in events[-1].answer, events[-1].answer


def test_versus_only_says_two_things_are_compared(kb, settings):
    """As an asked word no sentence has "versus", so the words saying what is asked had weighed less."""
    first = "Can you walk me through what a RAG system does before anyone asks a question, versus what happens"
    history = [f"{first} once a question comes in?"]
    earlier = list(stream_answer(history[0], settings, kb=kb))[-1].answer
    follow_up = "which of those two gets saved to disk and reused?"
    answer = list(stream_answer(follow_up, settings, kb=kb, history=history, said=[earlier]))[-1].answer
    assert "saved to disk and reused" in answer, answer


@pytest.mark.parametrize(
    ("earlier", "follow_up", "fact"),
    [
        (
            "quick spec check on all-MiniLM-L6-v2: what's the output dimension and how many parameters does it have?",
            "whats the longest input it can take",
            "256 word pieces",
        ),
        ("What is MMR and who came up with it?", "so what's a sensible value to start it at?", "0.5 to 0.7"),
        ("How could someone attack a RAG assistant without ever typing into it?", "any mitigations?", "delimiters"),
    ],
)
def test_a_follow_up_quotes_the_passage_its_own_words_point_to_though_the_carried_ones_ranked_another_first(
    settings, kb, earlier, follow_up, fact
):
    """The words carried from the question before rank that question's passage of the document first; the
    follow-up's own words ("longest input", "value to start") are in a passage below it, or its heading
    ("Mitigations that help")."""
    answer = list(stream_answer(follow_up, settings, kb=kb, history=[earlier]))[-1].answer
    assert fact in answer, answer
