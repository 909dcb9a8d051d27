"""The extractive (no LLM) answer over the shipped corpus: cites the right document, only quotes,
says plainly when the documents don't answer, quotes the sentence that states what was asked
(a definition, a number, a name, both sides of a comparison) and keeps a pronoun's antecedent."""

from __future__ import annotations

import json

import pytest

from rag.citations import cited_numbers
from rag.config import PROJECT_DIR
from rag.corpus import Chunk
from rag.events import Hit
from rag.generate import NOT_FOUND
from rag.generate.extractive import (
    MAX_SENTENCES,
    MAX_WORDS,
    ExtractiveBackend,
    unmentioned_names,
)
from rag.lexical import american, piece_shares, terms
from rag.pipeline import stream_answer
from rag.questions import (
    Asks,
    acronyms_asked,
    asks,
    compares_unnamed,
    counted,
    counts,
    defined_terms,
    defines,
    names_its_term,
    numbers_in,
    picks_one_of_two,
    plain_question,
    question_and_context,
    role_verb,
    side_heads,
    sides,
    spells_out,
    states,
    two_questions,
    without_markup,
)
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


def test_arithmetic_is_looked_for_in_the_first_sentences_document_before_any_other(backend, kb, embedder):
    answer, _ = _answer(
        backend, kb, embedder, "How does all-MiniLM-L6-v2 combine its per-token vectors into one sentence vector?"
    )
    assert "applies mean pooling" in answer, answer  # its own document, not text embeddings' "for example…"


def test_two_things_named_with_what_for_are_compared_side_by_side(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "SSE or WebSockets for streaming a chat answer - what's the difference?")
    assert "WebSockets provide a full two-way channel" in answer, answer
    assert "SSE is" in answer, answer


def test_what_goes_into_a_thing_is_answered_by_the_sentence_listing_its_parts(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "What goes into the cache key of a saved RAG index?")
    assert "is fed the relative path and the full bytes of every document" in answer, answer


def test_a_symptom_is_answered_with_the_mistake_that_causes_it(backend, kb, embedder):
    question = "Our EventSource client never fires a single message although the server writes data lines. Why?"
    answer, _ = _answer(backend, kb, embedder, question)
    assert "forgets the blank line" in answer, answer


def test_a_question_on_a_drawback_is_answered_by_the_sentence_that_states_one(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "Does fixed-size chunking have any drawbacks?")
    assert "Its weakness is that it ignores meaning." in answer, answer
    answer, _ = _answer(backend, kb, embedder, "When an LLM grades the answers, what biases does it have?")
    assert "They can favour longer answers" in answer, answer  # a bias is a weakness
    answer, _ = _answer(backend, kb, embedder, "Why might an LLM grader's scores be biased?")
    assert "They can favour longer answers" in answer, answer


@pytest.mark.parametrize(
    ("question", "stated"),
    [
        # the one thing that stands out, which a sentence names so
        (
            "What's the biggest feature a vector database has that FAISS is missing?",
            "The most visible extra feature is metadata filtering.",
        ),
        (
            "what is the key feature a vector database offers beyond plain FAISS",
            "The most visible extra feature is metadata filtering.",
        ),
        # why something must not be left out: the mistake of leaving it out
        (
            "Why is the last flush of the text buffer required once the model is done?",
            "forgetting it silently drops the last words",
        ),
        (
            "Why shouldn't we skip the flush at the end when our buffering wrapper finishes?",
            "forgetting it silently drops the last words",
        ),
        # how a thing should be done: the way to do it
        (
            "How can the cached index be saved so that a crash never leaves a broken file?",
            "write each file to a temporary name",
        ),
        (
            "How should the cache be stored so that a crash halfway through leaves nothing half-written?",
            "write each file to a temporary name",
        ),
        # a guarantee: the rule without exception
        (
            "If I cut Markdown at its headings before chunking, what guarantee do I get about section boundaries?",
            "A chunk never crosses a heading",
        ),
        (
            "Which chunking approach guarantees that a chunk never spans two sections?",
            "A chunk never crosses a heading",
        ),
        # A best pair of sentences stating no kind asked goes on to one that does, or, when the three are too
        # long, the pair's first does.
        ("How does all-MiniLM-L6-v2 merge the vectors of its tokens into one embedding?", "applies mean pooling"),
        ("In a typed event stream, what guarantee is there about how a run ends?", "exactly one of done or error"),
        (
            "What goes wrong if my token buffer wrapper never flushes at the end, once the model is done?",
            "forgetting it silently drops the last words",
        ),
    ],
)
def test_the_kind_of_fact_a_question_asks_for_brings_the_sentence_stating_one(backend, kb, embedder, question, stated):
    answer, _ = _answer(backend, kb, embedder, question)
    assert stated in answer, answer


def test_arithmetic_asked_for_is_sought_beyond_the_first_sentences_passage(backend, kb, embedder):
    question = "How does reciprocal rank fusion turn a result's positions in each list into a score?"
    answer, _ = _answer(backend, kb, embedder, question)
    assert "one divided by the sum of a constant k and its rank" in answer, answer


def test_label_says_no_llm(backend):
    assert backend.label == "extractive (no LLM)"


def test_a_comparison_whose_sides_are_stated_apart_is_answered_and_one_off_the_corpus_is_not(backend, kb, embedder):
    """`predict` and `submit` are each described in a passage of their own: no single sentence is near
    the question, the pair is."""
    answer, _ = _answer(backend, kb, embedder, "What is the difference between predict and submit in gradio_client?")
    assert answer != NOT_FOUND and "`predict`" in answer, answer
    answer, _ = _answer(backend, kb, embedder, "What's the difference between Docker and Kubernetes?")
    assert answer == NOT_FOUND, answer


@pytest.mark.slow  # embeds the sentences of every example's hits: 15 s measured on the idle 2-core machine
def test_every_example_is_answered_citing_its_document(backend, kb, embedder):
    failures = []
    for example in EXAMPLES:
        answer, hits = _answer(backend, kb, embedder, example["question"])
        cited = [hits[n - 1].chunk.source for n in cited_numbers(answer, hits)]
        if answer == NOT_FOUND or example["document"] not in cited:
            failures.append(f"{example['question']!r}: cited {cited}, answer {answer[:120]!r}")
    assert not failures, f"{len(failures)} of {len(EXAMPLES)} examples:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    "question",
    [
        "Who won the 1998 football World Cup?",
        # Words shared with "…how many instances of that event may run at the same time", no meaning.
        "How many musicians play in an orchestra at the same time?",
        "How many runners start a marathon at the same time?",
    ],
)
def test_off_topic_question_gets_the_plain_not_found_answer(backend, kb, embedder, question):
    answer, _ = _answer(backend, kb, embedder, question)
    assert answer == NOT_FOUND, answer


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


def _hit(text: str, rank: int = 1, section: str = "Towers", title: str = "Towers", source: str = "tower.md") -> Hit:
    chunk = Chunk(f"{source}#{rank}", title, section, source, 0, len(text), text)
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


def test_a_sentence_read_with_the_one_before_may_follow_that_one_as_the_second_sentence(backend, kb, embedder):
    water = (
        "Towers are tall buildings. "
        "Rainwater must never be drained onto the street below a tower, because it floods the pavement. "
        "Instead, it is collected in tanks on the roof, which supply the toilets of the lower floors. "
        "Tenants rarely notice the tanks."
    )
    drains = (
        "A tower's drainage is planned together with its foundations. "
        "Street drains in old cities were built for low houses and small roofs."
    )
    hits = [_hit(water), _hit(drains, rank=2, section="Drains", source="drains.md")]
    answer = "".join(backend.stream("Where does a tower's rainwater go, if not onto the street?", hits))
    assert answer == (
        "Rainwater must never be drained onto the street below a tower, because it floods the pavement. [1] "
        "Instead, it is collected in tanks on the roof, which supply the toilets of the lower floors. [1]"
    )
    answer, _ = _answer(
        backend, kb, embedder, "Where should the API key of my Space go, so that it is not in the repository?"
    )
    assert "Instead, they are added in the Space's settings as secrets" in answer, answer


@pytest.mark.parametrize(
    ("sentence_before", "sentence", "question", "best"),
    [
        # "It is easy to …" stands for the clause after it: read alone, not after the codes.
        (
            "Building codes limit their height in most cities.",
            "It is easy to overestimate how many floors a tower needs, so architects model the occupancy first.",
            "Why do architects model a tower's occupancy first?",
            "It is easy to overestimate how many floors",
        ),
        # "It is easy to implement, …": "it" is what the sentence before names, read with it.
        (
            "Fixed-height floors are the oldest way to lay out a tower.",
            "It is easy to implement, and it keeps every floor plan predictable for the builders.",
            "Why are floor plans predictable for the builders?",
            "Fixed-height floors are the oldest way",
        ),
    ],
)
def test_an_it_is_read_with_the_sentence_before_only_when_it_stands_for_what_that_names(
    backend, sentence_before, sentence, question, best
):
    text = f"Towers are tall buildings. {sentence_before} {sentence}"
    first, *_ = backend.ranked(question, [_hit(text)])
    assert first.text.startswith(best), first.text


def test_the_same_is_true_brings_what_it_is_true_of(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "What happens to the cache when the embedding model changes?")
    first = "If a document is edited, added or removed, the cached index no longer matches the corpus"
    assert answer.startswith(first) and "The same is true if the embedding model changes" in answer, answer


def test_a_sentence_wrapped_over_lines_is_quoted_whole(backend):
    text = (
        "The lighthouse on the northern headland was designed by the engineer\n"
        "Oddny Fjellstad and first lit on 14\nMarch 1871. Its lamp burned whale oil until\n"
        "the harbour board replaced it with paraffin.\n\n- The keeper lived in the cottage\n- The lamp was cleaned daily"
    )
    answer = "".join(backend.stream("When was the lighthouse on the northern headland first lit?", [_hit(text)]))
    assert "designed by the engineer Oddny Fjellstad and first lit on 14 March 1871. [1]" in answer, answer


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


def test_an_answer_embeds_no_sentence_of_a_loaded_knowledge_base(backend, kb, embedder, monkeypatch):
    question = "Why would a pipeline emit typed events?"
    hits, _ = search(kb, embedder, question, 5, "hybrid")  # the query is embedded here, and remembered
    encoded: list[str] = []
    real_encode = embedder.encode
    monkeypatch.setattr(embedder, "encode", lambda texts, **kw: encoded.extend(texts) or real_encode(texts, **kw))
    answer = "".join(backend.stream(question, hits))
    assert "[1]" in answer or "[2]" in answer, answer
    assert encoded == [], f"the knowledge base's sentence vectors should be remembered, but {encoded[:3]} were embedded"


def test_a_quantity_question_quotes_the_sentence_with_the_number_and_its_antecedent(backend):
    text = (
        "The nprobe parameter controls how many inverted lists are scanned for each query. "
        "Unlike nlist, nprobe can be changed at any time after the index has been built. "
        "Its default value is one, which is fast but can miss neighbours. "
        "Raising nprobe improves recall at the cost of speed."
    )
    answer = "".join(backend.stream("What is nprobe set to by default?", [_hit(text, section="The nprobe parameter")]))
    assert answer == (
        "Unlike nlist, nprobe can be changed at any time after the index has been built. [1] "
        "Its default value is one, which is fast but can miss neighbours. [1]"
    )


def test_a_who_question_quotes_the_sentence_naming_the_people(backend):
    text = (
        "Reciprocal rank fusion, or RRF, is the most popular rank-level fusion method. "
        "It was introduced by Gordon Cormack and colleagues in 2009. "
        "Reciprocal rank fusion needs no training and works with any retrievers."
    )
    answer = "".join(backend.stream("Who introduced reciprocal rank fusion?", [_hit(text)]))
    assert "It was introduced by Gordon Cormack and colleagues in 2009. [1]" in answer, answer
    assert answer.startswith("Reciprocal rank fusion, or RRF,"), f"the antecedent of 'It' should open: {answer}"


def test_a_definition_question_quotes_the_defining_sentence(backend):
    text = (
        "Subword tokenizers split rare words into pieces. Many tokenizers use BPE today. "
        "BPE, short for byte pair encoding, starts from single characters. "
        "The BPE vocabulary of GPT-2 has about fifty thousand entries. Training BPE on a large corpus takes minutes."
    )
    answer = "".join(backend.stream("What does BPE stand for?", [_hit(text, section="Byte pair encoding")]))
    assert "BPE, short for byte pair encoding, starts from single characters. [1]" in answer, answer


@pytest.mark.parametrize(
    ("question", "definition"),
    [
        ("What is a cross-encoder?", "A cross-encoder takes the query and a passage together"),
        ("What is an async generator?", "An async generator is an `async def` function"),
        ("What is an extractive answerer?", "An extractive answerer selects text that already exists"),
        ("What does a cross-encoder do?", "A cross-encoder takes the query and a passage together"),
    ],
)
def test_a_definition_question_opens_on_the_sentence_telling_of_the_thing_in_general(
    backend, kb, embedder, question, definition
):
    answer, _ = _answer(backend, kb, embedder, question)
    assert answer.startswith(definition), answer


def test_a_thing_asked_with_its_kind_after_its_name_is_defined_by_the_sentence_on_the_thing(settings, kb):
    """ "What is a cross-encoder reranker?" (issue 12's example): "A cross-encoder takes…" defines it."""
    answer = list(stream_answer("What is a cross-encoder reranker?", settings, kb=kb))[-1].answer
    assert "A cross-encoder takes the query and a passage together" in answer, answer


@pytest.mark.parametrize(
    ("question", "definition"),
    [
        ("In an IVF index, what does nprobe refer to?", "The nprobe parameter controls how many"),
        ("What is efSearch in an HNSW index?", "The efSearch parameter applies at query time"),
        ("What is faithfulness?", "Faithfulness asks whether the answer is supported"),
        # "change" asks what nprobe is for, not for "nprobe can be changed at any time".
        ("What does the nprobe setting change in an IVF index?", "The nprobe parameter controls how many"),
        ("what does the M setting control in IndexHNSWFlat?", "The parameter M sets how many neighbours"),
        ("What does the efSearch parameter control?", "The efSearch parameter applies at query time"),
        ("How does IVF work?", "An inverted file index, abbreviated IVF, speeds up search by dividing"),
        ("How does MMR work?", "Maximal marginal relevance, usually called MMR"),
    ],
)
def test_a_term_asked_by_its_name_is_answered_by_the_sentence_it_is_the_subject_of(
    backend, kb, embedder, question, definition
):
    answer, _ = _answer(backend, kb, embedder, question)
    assert answer.startswith(definition), answer


def test_a_named_terms_definition_opens_on_the_term_itself():
    assert names_its_term("What is nprobe?") and names_its_term("In IVF, what does nprobe refer to?")
    assert not names_its_term("What is a cross-encoder?") and not names_its_term("What does it mean?")
    assert defines(["nprobe"], "The nprobe parameter controls how many lists are scanned.", named=True)
    assert not defines(["nprobe"], "The nprobe parameter controls how many lists are scanned."), "a kind: A or An"
    assert not defines(["efsearch"], "A larger efSearch explores more of the graph.", named=True), "not its subject"
    assert not defines(["lambda"], "With lambda equal to one, MMR ranks by relevance.", named=True)
    assert defined_terms("In an IVF index, what does nprobe refer to?") == ("nprobe",)
    assert defined_terms("What does RRF stand for in hybrid search?") == ("rrf",)
    assert Asks.DEFINITION in asks("What does nprobe do?") and defined_terms("What does efSearch control?") == (
        "efsearch",
    )
    assert Asks.DEFINITION not in asks("What does MMR do when lambda is set to one?"), "asks what it does then"


def test_a_setting_is_named_by_its_name_and_its_verb_is_the_question_s_wording():
    assert names_its_term("What does the k1 parameter in BM25 actually do?")
    assert defined_terms("What does the nprobe setting change in an IVF index?") == ("nprobe",)
    assert role_verb("What does the nprobe setting change in an IVF index?") == "change"
    assert role_verb("What does FAISS stand for?") is None, "its meaning is asked: the words stay"
    assert defines(["k1"], "The parameter k1 controls how quickly saturation happens.", named=True)
    assert not defines(["nprobe"], "Setting nprobe equal to nlist scans every list.", named=True), "a gerund"


def test_a_definition_may_follow_a_clause_and_the_term_be_asked_of_an_occasion():
    """ "In the context of language models, a hallucination is…" defines it; "when people talk about
    LLMs" says when the term is used, not what it is."""
    assert defines(["hallucin"], "In the context of language models, a hallucination is content.")
    assert defined_terms("What does nprobe mean when searching an IVF index?") == ("nprobe",)


def test_a_definition_asked_of_an_occasion_is_answered_by_the_definition(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "What is a cross-encoder when reranking?")
    assert answer.startswith("A cross-encoder takes the query and a passage together"), answer


def test_a_sentence_opening_with_this_brings_the_sentence_it_refers_to(backend):
    text = (
        "Prompt injection hides instructions in text that reaches a language model. "
        "An attacker who can place text in a retrieved document can steer the model without ever talking to it. "
        "This is called indirect prompt injection. "
        "Defences are layered, since no single technique stops it."
    )
    answer = "".join(backend.stream("What is indirect prompt injection?", [_hit(text, section="Prompt injection")]))
    assert answer == (
        "An attacker who can place text in a retrieved document can steer the model without ever talking to it. [1] "
        "This is called indirect prompt injection. [1]"
    )


def test_a_sentence_opening_on_doing_something_to_it_brings_the_sentence_it_refers_to(backend):
    text = (
        "Towers are tall buildings made for looking out over a city. "
        "A lighthouse is a tower that carries a lamp for ships. "
        "Climbing it takes a good twenty minutes. "
        "Many are now automated."
    )
    answer = "".join(backend.stream("How long does climbing take?", [_hit(text)]))
    assert answer.startswith("A lighthouse is a tower that carries a lamp for ships. [1] Climbing it takes"), answer


def test_a_second_sentence_that_stands_on_the_one_before_it_mid_sentence_brings_it(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "What is HNSW?")
    assert answer.startswith("HNSW stands for Hierarchical Navigable Small World"), answer
    assert "the walk can take many steps on large collections. [1] HNSW solves this by building several layers." in (
        answer
    ), "'solves this' must come with what 'this' is"


def test_this_naming_a_thing_is_not_read_as_standing_for_the_sentence_before(backend):
    text = (
        "A lighthouse is a tower that carries a lamp to guide ships at night. "
        "Keepers once lived at the foot of the tower and trimmed the wick every few hours. "
        "A lighthouse of this kind needs no keeper today, since the lamp runs on its own."
    )
    answer = "".join(backend.stream("What is a lighthouse?", [_hit(text, section="Lighthouses")]))
    assert "Keepers once lived" not in answer, answer


def test_a_sentence_ending_in_though_is_not_quoted_without_the_sentence_it_answers(backend):
    text = (
        "Retrieval-augmented generation, usually shortened to RAG, is a design pattern that grounds a model in "
        "documents. Its answers can cite the passages they rely on. "
        "Evaluation needs a question set written for the documents. "
        "RAG is not magic, though."
    )
    answer = "".join(backend.stream("What does RAG stand for?", [_hit(text)]))
    assert answer.startswith("Retrieval-augmented generation, usually shortened to RAG"), answer
    if "not magic, though" in answer:
        assert "Evaluation needs a question set" in answer, answer


def test_a_sentence_whose_antecedent_points_back_too_is_quoted_without_it(backend):
    text = (
        "HNSW offers high recall at low latency without a training phase. "
        "For these reasons it is also the default index structure in many vector databases. "
        "Its drawbacks are memory and mutability. "
        "IndexHNSWFlat keeps every full vector plus the graph links, so it uses more memory than a flat index."
    )
    answer = "".join(
        backend.stream("What are the drawbacks of HNSW?", [_hit(text, section="Strengths and limitations")])
    )
    assert "For these reasons" not in answer, f"it would not say what 'Its' refers to either: {answer}"
    assert "Its drawbacks are memory and mutability. [1]" in answer, answer


def test_a_comparison_of_names_written_as_code_quotes_each_with_what_it_goes_on_to_say(backend, kb, embedder):
    """Neither sentence opens on its side ("The simplest way … is the `predict` method", "…, the `submit` method
    is more useful"): each is found by its code span, and the sentence after it that says what it does comes too."""
    answer, _ = _answer(
        backend, kb, embedder, "Using the python gradio_client, what's the difference between predict and submit?"
    )
    assert "`predict`" in answer and "`submit` method" in answer, answer
    assert "returns immediately with a `Job` object" in answer, answer


def test_a_comparison_whose_second_side_is_a_stand_in_quotes_both_definitions(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "What separates an extractive answerer from a generative one?")
    assert "An extractive answerer selects text" in answer and "A generative answerer uses" in answer, answer


def test_a_comparison_whose_sides_sit_under_headings_of_their_own_quotes_one_sentence_from_each(backend, kb, embedder):
    answer, hits = _answer(backend, kb, embedder, "What is the difference between a bi-encoder and a cross-encoder?")
    sections = {hits[n - 1].chunk.section for n in cited_numbers(answer, hits)}
    assert "A cross-encoder takes the query and a passage together" in answer, answer
    assert sections == {"Bi-encoders: fast but independent", "Cross-encoders: accurate but slow"}, answer


def test_a_comparison_on_one_aspect_quotes_the_sentence_setting_one_side_against_the_other(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "How is WordPiece different from BPE when choosing merges?")
    assert "chooses merges that most increase the likelihood of the training data" in _squeeze(answer), answer


def test_a_difference_in_how_two_things_do_something_is_read_as_a_comparison(backend, kb, embedder):
    """The question's "which pieces" had made its second side read as asked for: no comparison, and no sentence
    near enough to the whole question, so it was refused."""
    question = "What's the difference between how BPE and WordPiece decide which pieces to merge?"
    answer, _ = _answer(backend, kb, embedder, question)
    assert "chooses merges that most increase the likelihood of the training data" in _squeeze(answer), answer


def test_how_token_vectors_are_squashed_into_one_embedding_is_answered_by_the_arithmetic(backend, kb, embedder):
    question = "How does the MiniLM sentence model squash its per-token vectors into a single embedding?"
    answer, _ = _answer(backend, kb, embedder, question)
    assert "it averages the token vectors" in answer, answer


def test_a_who_question_whose_answer_would_name_no_one_quotes_a_sentence_that_names_someone(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "Who put together the SQuAD dataset?")
    assert "Pranav Rajpurkar" in answer, answer


def test_a_who_question_read_after_its_scene_names_the_maker_over_a_short_sentence_on_the_topic(settings, kb):
    # "BM25 combines three ideas." outscores the sentence naming its makers by about 0.3
    question = (
        "I'm a librarian putting together a small display on the history of search engines. "
        "Who is credited with creating BM25, and at which institution?"
    )
    answer = list(stream_answer(question, settings, kb=kb))[-1].answer
    assert "Stephen Robertson" in answer, answer


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        # the top three passages are BM25's formula and its strengths; its makers are in the fourth
        (
            (
                "I spent forty years designing pumps and now tinker with AI as a hobby. "
                "Everybody's RAG tutorial mentions BM25 - who actually invented it, and at which institution?"
            ),
            "Stephen Robertson",
        ),
        ("In which Python release did 'async def' functions containing yield become legal?", "Python 3.6"),
    ],
)
def test_a_who_or_when_question_whose_top_passages_state_no_such_fact_reads_the_lower_ones(
    settings, kb, question, fact
):
    answer = list(stream_answer(question, settings, kb=kb))[-1].answer
    assert fact in answer, answer


def test_a_who_question_whose_first_passage_names_no_one_is_answered_by_the_lower_one_that_does(settings, kb):
    """The first two passages tell what FAISS is; the third, ranked below them, who made it."""
    question = "Who is behind the FAISS library, which company has developed it?"
    answer = list(stream_answer(question, settings, kb=kb))[-1].answer
    assert "developed by Facebook AI Research" in answer, answer


def test_who_made_a_thing_is_answered_by_who_released_it_not_by_a_sentence_saying_made(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "who made SQuAD?")
    assert "Pranav Rajpurkar" in answer, answer


@pytest.mark.parametrize(
    ("question", "each"),
    [
        ("what do the k1 and b knobs in bm25 actually do", ("The parameter k1 controls", "The parameter b controls")),
        ("How do M and efSearch affect recall?", ("A larger M makes", "A larger efSearch explores")),
    ],
)
def test_two_parameters_asked_of_together_are_each_quoted(backend, kb, embedder, question, each):
    answer, _ = _answer(backend, kb, embedder, question)
    assert all(sentence in answer for sentence in each), answer


def test_a_side_that_is_an_acronym_is_quoted_by_the_sentence_that_spells_it_out(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "How does MRR differ from recall at k?")
    assert "Mean reciprocal rank, or MRR, looks at the position of the first relevant result." in answer, answer
    assert "Recall at k measures the fraction of relevant items" in answer, answer


@pytest.mark.parametrize(
    ("question", "heads"),
    [
        ("What is the difference between a bi-encoder and a cross-encoder?", ("bi", "cross")),
        ("How does MRR differ from recall at k?", ("mrr", "recal")),
        ("How does WordPiece choose merges differently from BPE?", None),  # how each does something
        ("What is the difference between using FAISS and running a vector database?", ("faiss", "vector")),
        ("What are the different jobs of the retriever and the generator in RAG?", ("retriev", "generat")),
    ],
)
def test_a_comparison_of_two_things_names_each_by_its_first_word(question, heads):
    assert side_heads(question) == heads


def test_a_side_is_named_by_its_first_word_the_passages_use():
    question = "How does approximate nearest neighbour search compare with plain brute-force search?"
    assert side_heads(question) == ("approxim", "plain")
    assert side_heads(question, used={"approxim", "brute", "forc", "search"}) == ("approxim", "brute")


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "How many numbers does all-MiniLM-L6-v2 output per sentence, and what happens to very long inputs?",
            ("How many numbers does all-MiniLM-L6-v2 output per sentence?", "what happens to very long inputs?"),
        ),
        ("What is HNSW, and who invented it?", ("What is HNSW?", "who invented it?")),
        ("Who introduced maximal marginal relevance, and when?", None),  # the second asks nothing of its own
        ("Southern California's regions are divided culturally, politically and what other trait?", None),  # a list
        ("What is the difference between IVF and HNSW?", None),
    ],
)
def test_a_sentence_asking_two_questions_is_read_as_two(question, parts):
    assert two_questions(question) == parts


@pytest.mark.parametrize(
    ("question", "unnamed"),
    [
        ("What's the difference?", True),
        ("How do they differ?", True),
        ("Which should I use, and how do they compare?", True),
        ("What is the difference between IVF and HNSW?", False),  # it names its sides
        ("Which FAISS index supports different metrics?", False),  # asks about something of its own
        ("What is HNSW?", False),
    ],
)
def test_a_comparison_that_names_nothing_is_told_apart(question, unnamed):
    assert compares_unnamed(question) is unnamed


@pytest.mark.parametrize(
    ("question", "picks"),
    [
        ("for streaming a chatbot's answer, which one would you go with?", True),
        ("which is less likely to hallucinate?", True),
        ("If every question has one relevant document, which of them fits better?", True),
        ("Which kind should I use for a pipeline that mostly embeds locally?", True),
        ("Which index should I use?", False),  # it names the kind it picks from
        ("Which kind of index should I use?", False),  # so does this
        ("Which is faster, IVF or HNSW?", False),  # it names its two
    ],
)
def test_a_question_asking_which_of_two_unnamed_things_is_told_apart(question, picks):
    assert picks_one_of_two(question) is picks


def test_a_question_asking_two_things_is_answered_on_both(backend, kb, embedder):
    """Its answer goes on with the best sentence for the second thing, and with the sentence that one
    stands on ("Any input longer than that…")."""
    question = "How many numbers does all-MiniLM-L6-v2 output per sentence, and what happens to very long inputs?"
    answer, _ = _answer(backend, kb, embedder, question)
    assert "outputs embeddings with 384 dimensions" in answer, answer
    assert "maximum sequence length of 256 word pieces. [2] Any input longer than that is silently truncated" in answer


def test_a_short_sentence_that_announces_the_next_goes_on_with_it(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "Which architectural defences reduce the damage of prompt injection?")
    assert "Architectural measures are more reliable. [1] Limit what the model is able to do" in answer, answer


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        # "A RAG system has two halves that work together." counts what it goes on to name, though too long
        # to announce the next sentence by its length alone
        (
            "what are the two main parts of one of these rag systems",
            "work together. [1] The retriever takes a question",
        ),
        # "It helps to sort the main index types along two axes." is longer still, and goes on to name the first
        (
            "What two dimensions does the guide use to sort FAISS's index types?",
            "along two axes. [1] The first is whether the search is exact or approximate.",
        ),
        # the second sentence goes on from the first ("Instead, they…") rather than coming from another passage
        (
            "How do I give my Hugging Face Space an API key without putting it in the repo?",
            "expose their files. [1] Instead, they are added in the Space's settings as secrets",
        ),
        # the answer is about fine-tuning, the subject, not RAG, what the question sets it against
        (
            "Why not just fine-tune the model on our own documents instead of bothering with RAG?",
            "Fine-tuning is useful for teaching a model a style",
        ),
        # "When to use it" ranks below MMR's opening passages, which name it; a "when" question reads it unpenalised
        (
            "When is it not really worth switching maximal marginal relevance on?",
            "MMR is most useful when a corpus contains overlapping chunks",
        ),
        # and "Choosing between them", below a vector database's definition
        (
            "At what point is a real vector database worth it over plain FAISS?",
            "a vector database earns its operational cost",
        ),
        # "k1" heads "Saturation and the k1 parameter", two passages below BM25's overview, which never says it
        (
            "Prepping slides on Okapi BM25. If I set k1 to 0, what does the ranking function end up paying attention to?",
            "With k1 equal to zero, term frequency is ignored",
        ),
        # "worth" heads "When reranking is worth it", below "Using cross-encoders in practice", which never says it
        (
            "Is a cross-encoder reranker worth its latency on a small corpus?",
            "For a small corpus with a compact prompt budget and strict latency requirements",
        ),
    ],
)
def test_the_answer_goes_where_its_first_sentence_and_the_question_lead(settings, kb, question, quoted):
    answer = list(stream_answer(question, settings, kb=kb))[-1].answer
    assert quoted in answer, answer


def test_things_told_of_already_are_not_a_count_that_announces_the_next_sentence(settings, kb):
    """ "…the angle between the two vectors…" counts nothing new: "These measures do not always agree." does not follow."""
    answer = list(
        stream_answer("what exactly does cosine similarity measure between two embeddings?", settings, kb=kb)
    )[-1]
    assert "ignores their lengths. [1]" in answer.answer, answer.answer
    assert "do not always agree" not in answer.answer, answer.answer


def test_a_comparison_quotes_both_sides_when_a_side_opens_on_a_word_the_corpus_does_not_use(backend, kb, embedder):
    """ "A normal bi-encoder": no sentence tells of a "normal" anything, so the side is the bi-encoder."""
    answer, _ = _answer(backend, kb, embedder, "What's the difference between a normal bi-encoder and a cross-encoder?")
    assert "Bi-encoders" in answer and "A cross-encoder takes the query and a passage together" in answer, answer


def test_a_comparison_s_pair_opens_on_the_things_compared_not_on_the_words_around_them(backend, kb, embedder):
    """ "The generator in RAG": a sentence opening "RAG also gives…" is not about the generator."""
    answer, _ = _answer(backend, kb, embedder, "What are the different jobs of the retriever and the generator in RAG?")
    assert answer.startswith("The retriever takes a question and returns") and "The generator, usually" in answer, (
        answer
    )


def test_a_comparison_named_as_one_thing_or_another_quotes_both_sides(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "A bi-encoder or a cross-encoder — how do they differ?")
    assert "Bi-encoders" in answer and "A cross-encoder takes the query and a passage together" in answer, answer


def test_a_comparison_named_before_a_comma_quotes_both_sides(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "small vs large chunks, what's the difference?")
    assert "Small chunks, such as one or two sentences" in answer and "Large chunks, such as whole pages" in answer, (
        answer
    )


def test_a_sentence_naming_both_sides_answers_a_comparison_without_a_pair_from_two_passages(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "How does nlist differ from nprobe?")
    assert answer.startswith("Unlike nlist, nprobe can be changed at any time"), answer


def test_a_comparison_named_in_a_clause_of_its_own_quotes_both_sides(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "SSE vs WebSockets — what's the main difference between them?")
    assert "WebSockets provide a full two-way channel" in answer and "SSE is" in answer, answer


def test_a_comparison_quotes_a_sentence_about_each_side(backend):
    text = (
        "Faithfulness and correctness are both used to judge answers from RAG systems. "
        "Faithfulness asks whether the answer is supported by the retrieved context. "
        "Correctness asks whether the answer is true in the real world. "
        "A RAG system can be faithful and still wrong if its documents are outdated, and correct but unfaithful."
    )
    answer = "".join(backend.stream("What is the difference between faithfulness and correctness?", [_hit(text)]))
    assert answer == (
        "Faithfulness asks whether the answer is supported by the retrieved context. [1] "
        "Correctness asks whether the answer is true in the real world. [1]"
    )


# The heading's words belong to every sentence of the passage, not to what the restating sentence adds.
@pytest.mark.parametrize("section", ["Towers", "A compact mental model of the pipeline stages"])
def test_a_why_question_restated_by_a_sentence_brings_the_explanation_after_it(backend, section):
    text = (
        "Every link in the retrieval chain can lose information, so when an answer is wrong, the first question "
        "is which link failed. In most cases the weakest link is retrieval. "
        "If the right passage is not in the context, no model can recover it."
    )
    answer = "".join(backend.stream("Why is retrieval usually the weakest link in RAG?", [_hit(text, section=section)]))
    assert answer == (
        "In most cases the weakest link is retrieval. [1] "
        "If the right passage is not in the context, no model can recover it. [1]"
    )


EXPLANATION = (
    "A generator handler makes Gradio stream its output. "
    "Each value the handler yields is sent to the browser as soon as it is produced. "
    "The page therefore shows the answer growing while the handler still runs. "
    "The queue, a separate feature, limits how many events run at once."
)


def test_a_how_question_s_explanation_goes_on_to_the_next_sentence_within_the_budget(backend):
    answer = "".join(backend.stream("How does Gradio stream a generator handler's output?", [_hit(EXPLANATION)]))
    assert answer == (
        "A generator handler makes Gradio stream its output. [1] "
        "Each value the handler yields is sent to the browser as soon as it is produced. [1] "
        "The page therefore shows the answer growing while the handler still runs. [1]"
    )


@pytest.mark.parametrize("scene", ["In Gradio, ", "Inside a Blocks app, ", "Gradio: ", "Blocks apps - ", "in gradio "])
def test_a_how_question_after_a_scene_setting_clause_goes_on_as_well(backend, scene):
    question = f"{scene}how does a generator handler stream its output?"
    answer = "".join(backend.stream(question, [_hit(EXPLANATION)]))
    assert answer.count("[1]") == 3 and "The page therefore shows" in answer, answer


@pytest.mark.parametrize(
    "question", ["What causes a generator handler's output to stream?", "and what causes a handler's output to stream?"]
)
def test_a_question_on_what_causes_something_goes_on_as_a_why_question_does(backend, question):
    answer = "".join(backend.stream(question, [_hit(EXPLANATION)]))
    assert answer.count("[1]") == 3 and "The page therefore shows" in answer, answer


def test_a_question_on_when_something_is_not_worth_it_is_answered_by_the_case_it_is_of_little_use(backend):
    text = (
        "A result cache is most useful when many users ask the same questions, such as in a classroom. "
        "It is less useful for one-off questions, where every query is new and nothing is ever reused.\n\n"
        "Whether a cache pays for itself is best seen by measuring the app with and without it."
    )
    answer = "".join(backend.stream("When is a result cache not really worth adding?", [_hit(text)]))
    assert "It is less useful for one-off questions" in answer, answer


def test_a_short_sentence_announcing_what_follows_is_quoted_with_the_sentence_that_gives_it(backend):
    text = (
        "A result cache keeps answers that were already computed. "
        "Result caches come in two kinds. "
        "They keep answers either in the memory of one process or on a shared disk that every worker reads. "
        "A cache is emptied when the documents change."
    )
    answer = "".join(backend.stream("What kinds of result cache are there?", [_hit(text)]))
    assert answer.endswith("on a shared disk that every worker reads. [1]"), answer


def test_a_how_many_question_is_answered_without_a_third_sentence(backend):
    answer = "".join(backend.stream("How many values does a generator handler yield?", [_hit(EXPLANATION)]))
    assert answer.count("[1]") == 2, answer


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("How many parameters does the model have?", {Asks.QUANTITY}),
        ("What is nprobe set to by default?", {Asks.QUANTITY}),
        ("And what settings do people usually give k1?", {Asks.QUANTITY}),
        ("Who proposed reciprocal rank fusion?", {Asks.PERSON}),
        ("In which year was SQuAD 2.0 released?", {Asks.YEAR}),
        ("What does the name FAISS stand for?", {Asks.DEFINITION}),
        ("Why must questions and chunks share a model?", {Asks.REASON}),
        ("How is the RRF score of a result computed?", {Asks.FORMULA}),
        ("How should I store the index on disk?", {Asks.PROCEDURE}),
        ("How does HNSW store its graph?", set()),
        ("How does MMR work?", {Asks.DEFINITION}),  # what it is and does
        ("How does it work?", set()),
        ("What are the drawbacks of HNSW?", {Asks.DRAWBACK}),  # a property of HNSW, not its definition
        ("What is PagedAttention in vLLM?", {Asks.DEFINITION}),
        ("what's BM25", {Asks.DEFINITION}),  # contracted, as typed in a chat
        ("whats an IVF index?", {Asks.DEFINITION}),
        # read after a clause that sets the scene, a modifier before "values", "why" not first
        ("In IVF, what is an 'inverted list'?", {Asks.DEFINITION}),
        ("Which lambda values are good first choices for MMR?", {Asks.QUANTITY}),
        ("What are the lowest and highest values a cosine similarity can have?", {Asks.QUANTITY}),
        ("Which research paper and author showed that models neglect the middle?", {Asks.PERSON}),
        ("My query says 'car' - why can't BM25 link the two?", {Asks.REASON}),
        ("How should the number of clusters be derived from the collection's size?", {Asks.FORMULA}),
        ("MRR per query how computed", {Asks.FORMULA}),  # terse, as typed in a search box
        ("whats the formula of nDCG", {Asks.FORMULA}),
        ("rrf score formula?", {Asks.FORMULA}),
        ("nDCG - how exactly is the number computed?", {Asks.FORMULA}),
        ("How does RRF turn a result's positions in each list into a score?", {Asks.FORMULA}),
        ("How does MiniLM combine its per-token vectors into a single vector?", {Asks.FORMULA}),
        ("how does reciprocal rank fusion actually score each result?", {Asks.FORMULA}),
        ("How does the MiniLM model squash its per-token vectors into a single embedding?", {Asks.FORMULA}),
        ("How do I score my answers?", {Asks.PROCEDURE}),  # how to do it, not how a score is made
        ("Name of the training recipe where paired texts are pulled together?", {Asks.NAME}),
        ("what do you call the effect that makes k-d trees useless?", {Asks.NAME}),
        ("The query stays unquantised. What is that way of computing distances called?", {Asks.NAME}),
        ("What is the attack called when the instructions arrive in a retrieved document?", {Asks.NAME}),
        ("whats it called when u match on tiny chunks", {Asks.NAME}),
        ("When does it make sense to move from FAISS to a vector database?", {Asks.CONDITION}),
        ("In which situations is a diversity step worth adding?", {Asks.CONDITION}),
        ("When did SQuAD 2.0 come out?", {Asks.YEAR}),  # a date, not a case
        ("In which Python release did async generators appear?", {Asks.YEAR}),
        ("whats that faiss function where you describe the index you want as a short text spec", {Asks.NAME}),
        ("What's the PostgreSQL add-on that lets it do vector search?", {Asks.NAME}),
        ("my faiss search freezes every other connection while it runs, how do i fix that", {Asks.PROCEDURE}),
        ("Blocking FAISS call inside a coroutine stalls the whole server. Fix?", {Asks.PROCEDURE}),
        ("I designed pumps for years. Everyone mentions BM25 - who actually invented it?", {Asks.PERSON}),
        ("What's the technique called that trades relevance for variety?", {Asks.NAME}),
        ("What's the downside of chunk overlap?", {Asks.DRAWBACK}),
        ("any gotchas?", {Asks.DRAWBACK}),
        ("What biases do model judges have?", {Asks.DRAWBACK}),
        ("Are model judges biased?", {Asks.DRAWBACK}),
        ("What causes hallucinations?", {Asks.REASON}),
        ("When is a reranker not worth the extra latency?", {Asks.CONDITION, Asks.UNNEEDED}),
        ("when is hybrid search overkill", {Asks.CONDITION, Asks.UNNEEDED}),
        ("When does a reranker help?", {Asks.CONDITION}),
        ("If the server dies mid-answer, what should the page do with the text shown so far?", {Asks.PROCEDURE}),
        ("How should the app behave after the model crashes?", {Asks.PROCEDURE}),
        ("How can a user cancel a long streaming response?", {Asks.PROCEDURE}),
        ("What's the headline feature of a vector database?", {Asks.FOREMOST}),
        ("How should the index files be saved so a crash leaves nothing broken?", {Asks.PROCEDURE}),
        ("What can a consumer count on about how a run ends?", {Asks.GUARANTEE}),
        ("Is it safe to rely on file timestamps?", set()),  # whether to rely on something, no rule asked
        ("Why is normalising the query vector necessary?", {Asks.FAULT}),  # the mistake of leaving it out
        ("what goes wrong if I skip the overlap?", {Asks.FAULT}),
        ("How do I catch an error inside a generator?", {Asks.PROCEDURE}),  # "catch" the verb asks no drawback
        ("What happens when the queue is full?", set()),  # "when" opening a clause
        ("What can a consumer rely on about how every run finishes?", {Asks.GUARANTEE}),  # not "about how many"
        ("About how many dimensions does MiniLM output?", {Asks.QUANTITY}),
        # something seen going wrong, its cause asked; not "why" of a rule
        ("The browser never fires a single event. Why could that be?", {Asks.FAULT}),
        ("the last words just vanish, what are we doing wrong", {Asks.FAULT}),
        ("Our wrapper keeps dropping the last words. What am I missing?", {Asks.FAULT}),
        ("and what do people usually set it to?", {Asks.QUANTITY}),
        ("If a passage does not fit, why not just chop its end off?", {Asks.REASON}),  # a proposal, no symptom
        ("What should go into the cache key?", {Asks.CONTENTS}),
        ("In what order should passages go in the prompt?", set()),  # an order, not what a thing is made of
        ("Why shouldn't users see the traceback?", {Asks.REASON}),
    ],
)
def test_the_wording_of_a_question_says_what_kind_of_fact_answers_it(question, kinds):
    assert asks(question) == kinds


def test_a_why_asks_for_a_mistake_when_the_sentences_before_it_tell_what_went_wrong():
    assert asks("Why could that be?", scene="The browser never fires a single event.") == {Asks.FAULT}
    assert asks("Why?", scene="I switched to buffered output.") == {Asks.REASON}


@pytest.mark.parametrize(
    "question",
    [
        "What is the largest city in California?",
        "Which mountain range splits the regions?",
        "The two teams play for which NCAA group?",
        "What is a problem whose answer is yes or no?",
    ],
)
def test_a_question_asking_for_a_name_asks_for_no_number_or_person(question):
    assert not asks(question) & {Asks.QUANTITY, Asks.PERSON}


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        ("Can you tell me how nDCG is calculated", "how nDCG is calculated?"),
        ("Hi, could you please explain what RRF is?", "What is RRF?"),
        ("I want to know how many vectors fit.", "how many vectors fit?"),
        ("What is HNSW", "What is HNSW?"),
        ("Explain the difference between IVF and HNSW", "the difference between IVF and HNSW"),
        ("HNSW drawbacks", "HNSW drawbacks"),
        ("Please", "Please"),
        ("Hi! What is RRF", "What is RRF?"),
        ("What is a thank you note, thanks", "What is a thank you note?"),
        ("What is HNSW? I read about it.", "What is HNSW? I read about it."),
        ("pls explain what nprobe controls in ivf", "what nprobe controls in ivf?"),
        ("can u tell me how RRF works", "how RRF works?"),
        ("Question: What does efSearch control?", "What does efSearch control?"),
        ("Homework question 3 - What is nprobe", "What is nprobe?"),
        ("Q2) why chunk at all?", "why chunk at all?"),
        ("Different question: who made RAG popular?", "who made RAG popular?"),
        ("Unrelated topic - what is a GGUF file?", "what is a GGUF file?"),
        ("Query expansion: what is it?", "Query expansion: what is it?"),  # a topic, not a label
        ("HNSW - what are its drawbacks?", "HNSW - what are its drawbacks?"),
        ("What does recall at 10 mean in plain English?", "What does recall at 10 mean?"),
        ("In simple terms, what is RRF", "what is RRF?"),
        ("What is plain English?", "What is plain English?"),
        ("Why do chatbots make stuff up?", "Why do chatbots hallucinate?"),
        ("why does it keep making things up", "why does it keep hallucinating?"),
        ("Why do LLMs make up facts?", "Why do LLMs hallucinate?"),
        ("What is a chunk made up of?", "What is a chunk made up of?"),
        ("Out of the box, how many events run at once?", "By default, how many events run at once?"),
        ("How many events run at once if I leave the settings alone?", "How many events run at once by default?"),
        ("what is nprobe if we don't change anything", "what is nprobe by default?"),
        ("how do i cut down on hallucinations", "how do i reduce hallucinations?"),
        ("How can we bring down latency?", "How can we reduce latency?"),
        ("How do we bring it down?", "How do we reduce it?"),
        ("Can I bring back the old index?", "Can I bring back the old index?"),  # back, not down
        ("What does FAISS do under the hood?", "What does FAISS do internally?"),
        ("How is HNSW tuned?", "How are the parameters of HNSW set?"),
        ("how do you tune it", "how do I set the parameters of it?"),
        ("What are the tuning knobs of an IVF index?", "What are the parameters of an IVF index?"),
        ("Why not fine-tune the model instead?", "Why not fine-tune the model instead?"),
        ("How is the model fine-tuned?", "How is the model fine-tuned?"),
        ("When does a reranker pay off?", "When does a reranker help?"),
        ("Explain RAG.", "What is RAG?"),
        ("Please explain RAG in a simple way.", "What is RAG?"),
        ("explain BM25 to me like I am five", "What is BM25?"),
        ("Tell me about HNSW", "What is HNSW?"),
        ("Describe chunk overlap to me.", "What is chunk overlap?"),
        ("Explain the search in five or more words", "the search in five or more words"),  # not a name
        ("Explain.", "."),  # no name at all
        ("Can you tell me what nprobe is?", "What is nprobe?"),
        ("tell me what time it is", "what time it is?"),
        ("Tell me more about HNSW", "more about HNSW"),
        ("What is RAGAS, which you brought up?", "What is RAGAS?"),
        ("that cache you mentioned, how does it notice a change?", "that cache, how does it notice a change?"),
        ("You mentioned layers. How are they built?", "You mentioned layers. How are they built?"),
        ("Can you repeat what you said?", "Can you repeat what you said?"),
    ],
)
def test_a_question_is_read_without_its_polite_lead_in_and_with_a_question_mark(question, plain):
    assert plain_question(question) == plain


@pytest.mark.parametrize(
    ("message", "text"),
    [
        ("**What** is `nprobe` in an <b>IVF</b> index?", "What is `nprobe` in an IVF index?"),
        ("What does *efSearch* control in [HNSW](https://example.org/hnsw)?", "What does efSearch control in HNSW?"),
        ("# Question\n\n- What is RRF?\n- How is it computed?", "Question. What is RRF? How is it computed?"),
        ("<script>alert(1)</script> How does BM25 score documents?", "alert(1) How does BM25 score documents?"),
        # Text that only looks like markup is left as it is.
        ("What is 2 * 3 * 4?", "What is 2 * 3 * 4?"),
        ("Is 10000*384*4 bytes about 15 MB?", "Is 10000*384*4 bytes about 15 MB?"),
        ("What does __init__ do in a `__main__` block?", "What does __init__ do in a `__main__` block?"),
        ("What does max_size mean when a < b?", "What does max_size mean when a < b?"),
        ("What is HNSW", "What is HNSW"),
        ("<b></b>", "<b></b>"),  # no words in its text
    ],
)
def test_a_question_is_read_as_the_text_its_markup_shows(message, text):
    assert without_markup(message) == text


@pytest.mark.parametrize(
    ("message", "question", "context"),
    [
        ("I use FAISS. Which index should I pick?", "Which index should I pick?", "I use FAISS."),
        (
            "We store a million vectors. Please explain how IVF works",
            "Please explain how IVF works",
            "We store a million vectors.",
        ),
        (
            "Other than L.A. which county do people commute to?",
            "Other than L.A. which county do people commute to?",
            "",
        ),
        ("What is HNSW? I read about it.", "What is HNSW? I read about it.", ""),
        ("HNSW drawbacks", "HNSW drawbacks", ""),
    ],
)
def test_a_message_s_question_is_told_from_the_sentences_that_set_its_context(message, question, context):
    assert question_and_context(message) == (question, context)


def test_a_number_the_question_gives_states_no_quantity():
    given = numbers_in("With 384-dim vectors and m = 48, how many bytes does a PQ code take?")
    assert not states({Asks.QUANTITY}, "For a 384-dimensional vector and m equal to 48, each…", given)
    assert states({Asks.QUANTITY}, "In the example above, 1,536 bytes shrink to 48 bytes.", given)
    assert states({Asks.QUANTITY}, "For a 384-dimensional vector and m equal to 48, each…"), "none given"


def test_a_how_much_answer_opens_on_a_number_the_question_did_not_give(backend, kb, embedder):
    question = "about how much memory do 10k MiniLM vectors with 384 dims need in a flat index?"
    answer, _ = _answer(backend, kb, embedder, question)
    first = answer.split(" [1]")[0]
    assert states({Asks.QUANTITY}, first, numbers_in(question)), answer
    # "You can construct it with just the dimension, for example 384 …": its one number is the question's.
    assert not first.startswith("You can construct it"), answer
    assert "about 15 megabytes" in answer, answer


def test_a_sentence_states_the_kind_of_fact_asked_for():
    assert states({Asks.QUANTITY}, "The network has 22 million parameters.")
    assert not states({Asks.QUANTITY}, "The network is small.")
    assert not states({Asks.QUANTITY}, "The model is one of the most widely used."), "'one of' counts nothing"
    assert states({Asks.QUANTITY}, "Consumers can rely on the rule that exactly one of done or error ends every run.")
    assert not states({Asks.QUANTITY}, "It measures the angle between the two vectors."), "'the two' counts nothing"
    assert states({Asks.QUANTITY}, "Its value ranges from minus one to one.")
    assert states({Asks.PERSON}, "It was proposed by Gordon Cormack in 2009.")
    assert states({Asks.PERSON}, "The method is credited to Jaime Carbonell and Jade Goldstein.")
    assert not states({Asks.PERSON}, "The Stanford Question Answering Dataset, known as SQuAD, is one of many."), (
        "a run of four capitalised words is a title"
    )
    assert states({Asks.YEAR}, "Async generators, introduced by PEP 525 in Python 3.6, combine the two.")
    assert states({Asks.CONDITION}, "Code before the first `yield` does not run until the first item is requested.")
    assert not states({Asks.CONDITION}, "The process repeats until enough results have been chosen."), "no condition"
    assert states({Asks.CONDITION}, "It must be set before vectors are added, because links never change.")
    assert not states({Asks.CONDITION}, "The sentence before it is read first."), "no requirement of a time"
    assert not states({Asks.YEAR}, "Async generators were introduced by PEP 525."), "a proposal's number is no release"
    assert states({Asks.DEFINITION}, "FAISS, short for Facebook AI Similarity Search, is a library.")
    assert states({Asks.FORMULA}, "Each term's weight is multiplied by its frequency.")
    assert not states({Asks.FORMULA}, "nDCG handles multiple relevant items."), "'multiple' is no arithmetic"
    assert states({Asks.PROCEDURE}, "A good compromise is to overlap by whole sentences.")
    assert states({Asks.PROCEDURE}, "A Stop button lets them end the answer immediately.")
    assert states({Asks.FAULT}, "Doing so makes Python raise a `RuntimeError`.")
    assert not states({Asks.FAULT}, "Closing the generator raises nothing else."), "no error named"
    assert not states({Asks.PROCEDURE}, "Wrapping an index in IndexIDMap lets you call add_with_ids."), "not the user's"
    assert not states({Asks.PROCEDURE}, "The goal is to ensure that an idea appears whole."), "a goal is no way"
    assert states(
        {Asks.NAME}, "Only the stored vectors are quantised, so this is called asymmetric distance computation."
    )
    assert not states({Asks.NAME}, "The query is not quantised."), "a name is given by calling it one"
    assert states({Asks.NAME}, "FAISS also provides `index_factory`, which builds an index from a string.")
    assert states({Asks.DRAWBACK}, "Its weakness is that it ignores meaning.")
    assert states({Asks.UNNEEDED}, "It is less useful for narrow factual questions.")
    assert states({Asks.FORMULA}, "Cosine similarity is the inner product of two vectors divided by their lengths.")
    assert not states({Asks.FORMULA}, "The inner product grows when either vector gets longer.")  # a name, no sum
    assert not states({Asks.FORMULA}, "FAISS IndexIVFPQ combines an inverted file with product quantization.")
    assert states({Asks.GUARANTEE}, "Consumers can rely on the rule that exactly one of done or error ends every run.")
    assert states({Asks.PROCEDURE}, "The standard defence is to write each file to a temporary name.")
    assert states({Asks.FOREMOST}, "The most visible extra feature is metadata filtering.")
    assert not states({Asks.FOREMOST}, "A vector database is a complete data system built around vector search.")
    assert not states({Asks.UNNEEDED}, "MMR is most useful when a corpus contains overlapping chunks.")
    assert not states({Asks.DRAWBACK}, "Fixed-size chunking is a reasonable baseline.")
    assert not states(set(), "Anything at all, 42.")
    assert states({Asks.FAULT}, "A server that forgets the blank line will appear to send nothing at all.")
    assert states(
        {Asks.CONTENTS}, "A hash is fed the path and the bytes of every document, followed by the model's name."
    )
    assert not states({Asks.CONTENTS}, "If they match, the cache is loaded.")
    assert not states({Asks.FAULT}, "Put cleanup in `finally` blocks so that it runs however the generator ends.")


@pytest.mark.parametrize(
    ("question", "acronyms"),
    [
        ("What does the abbreviation nDCG mean?", ("nDCG",)),
        ("What does kNN stand for in vector search?", ("kNN",)),
        ("In the name BM25, what do the letters 'BM' mean?", ("BM",)),
        ("What is RRF?", ("RRF",)),
        ("How does HNSW work?", ("HNSW",)),  # what it is and does, told where its name is spelled out
        ("What are the drawbacks of HNSW?", ()),  # asks a property of HNSW (a follow-up's usual rewrite)
        ("What is the meaning of RAG?", ("RAG",)),
        ("What does IndexFlatL2 stand for?", ()),  # a name, not an acronym
        ("In an IVF index, what does nprobe refer to?", ()),  # IVF sets the scene; nprobe is asked about
        ("What is efSearch in an HNSW index?", ()),
        ("What is IVF in FAISS?", ("IVF",)),
    ],
)
def test_a_definition_question_asks_the_meaning_of_its_acronyms(question, acronyms):
    assert acronyms_asked(question) == acronyms


@pytest.mark.parametrize(
    ("acronym", "sentence", "spelt"),
    [
        ("FAISS", "FAISS, short for Facebook AI Similarity Search, is an open-source library.", True),
        ("kNN", "This is called k-nearest-neighbour search, often abbreviated kNN.", True),
        ("IVF", "An inverted file index, abbreviated IVF, speeds up search.", True),
        ("nDCG", "Normalised discounted cumulative gain, or nDCG, handles graded relevance.", True),
        ("MRR", "Mean reciprocal rank, or MRR, looks at the position of the first relevant result.", True),
        ("MRR", "Mean reciprocal rank looks at the position of the first relevant result.", False),  # not named
        ("MRR", "MRR rewards systems that put a relevant result right at the top.", False),
        ("RAG", "RAG also gives the system a natural way to say so.", False),  # its own letters don't count
        ("MMR", "The chunk vectors used for MMR are the same ones stored in the index.", False),
    ],
)
def test_the_sentence_that_defines_an_acronym_spells_it_out(acronym, sentence, spelt):
    assert spells_out(acronym, sentence) is spelt


@pytest.mark.parametrize(
    ("question", "expansion"),
    [
        ("What does the name FAISS stand for?", "Facebook AI Similarity Search"),
        ("What does the abbreviation nDCG mean?", "Normalised discounted cumulative gain"),
        ("What does MRR stand for?", "Mean reciprocal rank"),
        ("What does RAG stand for?", "Retrieval-augmented generation"),
        ("What does IVF mean?", "An inverted file index"),
    ],
)
def test_an_acronym_s_meaning_is_answered_by_the_sentence_that_spells_it_out(
    backend, kb, embedder, question, expansion
):
    answer, _ = _answer(backend, kb, embedder, question)
    assert expansion in answer, answer


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        ("What is the difference between faithfulness and answer relevance?", {"faith"}, {"answer", "relev"}),
        ("How does MRR differ from recall at k?", {"mrr"}, {"recal", "k"}),
        # "one" and "kind" stand for the first side's thing, which both sides then share.
        ("What separates an extractive answerer from a generative one?", {"extract"}, {"generat"}),
        ("How is indirect prompt injection different from the direct kind?", {"indirect"}, {"direct"}),
        ("How do Server-Sent Events compare with WebSockets?", {"server", "send", "event"}, {"websocket"}),
        # The comparison in a clause of its own, the question after it.
        ("SSE vs WebSockets — what's the main difference between them?", {"sse"}, {"websocket"}),
        ("BM25 vs dense retrieval: which is better for exact names?", {"bm25"}, {"dens", "retriev"}),
        ("What is the trade-off between speed and recall?", {"speed"}, {"recal"}),
        # Two things named "A or B" in a clause, the difference asked in another.
        ("gr.Interface or gr.Blocks — how are they different?", {"interfac"}, {"block"}),
        ("Dense retrieval or BM25: what is the difference?", {"dens", "retriev"}, {"bm25"}),
        ("lexical vs dense retrieval, how do they differ?", {"lexic"}, {"dens", "retriev"}),  # a comma ends it
        # what for after the two, "whats" typed without its apostrophe
        ("SSE or WebSockets for pushing answers to the browser - what's the difference?", {"sse"}, {"websocket"}),
        ("sse or websockets for streaming llm output, whats the difference", {"sse"}, {"websocket"}),
        # In a sentence of its own, a question after it; "stack up against", "fare".
        ("What is the difference between BM25 and SPLADE? Which one is faster?", {"bm25"}, {"splade"}),
        ("How does BM25 stack up against dense retrieval?", {"bm25"}, {"dens", "retriev"}),
        ("How do IVFPQ and HNSW stack up against each other on memory?", {"ivfpq"}, {"hnsw"}),
        ("How do lexical and dense retrieval fare on names?", {"lexic"}, {"dens", "retriev"}),
    ],
)
def test_a_comparison_question_names_its_two_sides(question, first, second):
    assert sides(question) == (first, second)


def test_a_one_word_side_shares_the_other_side_s_noun_when_the_passages_write_the_two_together():
    question = "token vs buffered streaming: what is the difference?"
    assert sides(question) == ({"token"}, {"buffer", "stream"})
    assert sides(question, lambda first, second: (first, second) == ("token", "stream")) == ({"token"}, {"buffer"})
    # "Faithfulness answer" is not written: "answer relevance" is the second side's own name.
    relevance = "What is the difference between faithfulness and answer relevance?"
    assert sides(relevance, lambda first, second: False) == ({"faith"}, {"answer", "relev"})


@pytest.mark.parametrize(
    "question",
    [
        "What is token streaming?",
        "The clubs divided the state as opposed to what point of view?",
        "How do flat, IVF/HNSW and PQ-compressed indexes compare on recall and memory?",  # three things
        "Which is faster, IVF or HNSW?",  # which of two, not how they differ
        "Should I use IVF or HNSW to compare a million vectors?",
    ],
)
def test_a_question_that_compares_nothing_has_no_sides(question):
    assert sides(question) is None


@pytest.mark.parametrize(
    ("question", "states_it"),
    [
        ("How is reciprocal rank fusion computed?", "one divided by the sum of a constant k and its rank"),
        ("What is token streaming?", "Token streaming means sending each token"),
        # How something is computed, answered with its arithmetic though the best sentence has none.
        ("How is nDCG calculated?", "divided by a logarithmic discount"),
        ("How is the cache key for a saved index computed?", "A cryptographic hash function such as SHA-256 is fed"),
        # Terse, or with an adverb: still asking for the arithmetic.
        ("the RRF score formula, please", "one divided by the sum of a constant k and its rank"),
        ("how exactly is nDCG computed?", "divided by a logarithmic discount"),
        # A thing described, its name asked: the sentence that calls it by one.
        (
            "What's the name for the attack that arrives through a retrieved document rather than the chat box?",
            "This is called indirect prompt injection",
        ),
    ],
)
def test_questions_from_the_issue_quote_the_sentence_that_states_the_answer(backend, kb, embedder, question, states_it):
    answer, _ = _answer(backend, kb, embedder, question)
    assert states_it in answer, answer
    assert not answer.startswith(("Streaming also", "This", "It ")), f"the answer opens with a back-reference: {answer}"


@pytest.mark.parametrize(
    ("question", "statement"),
    [
        ("What is token streaming?", "Token streaming means sending each token"),
        ("What does token streaming mean?", "Token streaming means sending each token"),
        ("What is efSearch in an HNSW index?", "The efSearch parameter applies at query time"),
        ("Why should traceback not be displayed to the end user?", "Stack traces and internal details should not"),
        ("Why is faithfulness the property a RAG system should optimise?", "For a RAG application, faithfulness is"),
    ],
)
def test_the_answer_opens_on_the_sentence_stating_what_was_asked(backend, kb, embedder, question, statement):
    # Each follows a quoted sentence in its passage ("A long answer can therefore take…").
    answer, _ = _answer(backend, kb, embedder, question)
    assert answer.startswith(statement), answer


def test_a_sentence_closing_a_list_does_not_open_the_answer(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "Why do we chunk documents?")
    assert not answer.startswith("Finally,"), answer  # "Finally, the generator can only read…" ends a list of reasons


def test_actually_in_a_question_only_stresses_it(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "How does a search actually move through the layers of an HNSW graph?")
    assert "A search starts at an entry point on the top layer" in answer, answer


def test_a_reason_opening_on_because_keeps_its_place_after_the_sentence_it_leans_on(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "Why do the distances of IndexFlatL2 not match the ones I compute?")
    assert answer.index("squared Euclidean distances") < answer.index("Because the square root is skipped"), answer


def test_a_question_on_how_many_is_answered_with_a_number_though_the_best_sentence_has_none(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "How many passages should I give the model?")
    assert "often three to eight" in answer, answer


def test_the_question_s_own_wording_draws_no_sentence_that_happens_to_use_it(backend):
    ivf = _hit(
        "Unlike nlist, nprobe can be changed at any time after the index has been built. "
        "Setting nprobe equal to nlist scans every list and gives the same results as exact search. "
        "Useful values of nprobe are a small fraction of nlist.",
        section="The nprobe parameter",
        title="Inverted file indexes",
        source="ivf.md",
    )
    elsewhere = _hit(
        "Models are trained to produce likely text. "
        "What a model does when it cannot answer depends on how it was trained to do it.",
        rank=2,
        section="Why models make things up",
        title="Hallucination",
        source="hallucination.md",
    )
    answer = "".join(backend.stream("What does nlist do?", [ivf, elsewhere]))
    assert "[2]" not in answer, f"'what', 'does' and 'do' say that something is asked, not what: {answer}"
    assert "nlist" in answer, answer


def test_a_sentence_is_read_under_its_heading_so_the_topics_name_does_not_outweigh_the_asked_for_fact(backend):
    text = (
        "The all-MiniLM-L6-v2 model is one of the most widely used general-purpose sentence embedding models. "
        "It is built on a small transformer with six layers and outputs embeddings with 384 dimensions. "
        "The model has a maximum sequence length of 256 word pieces. "
        "Longer input is silently truncated, so only the first pieces influence the embedding."
    )
    hit = _hit(text, section="The all-MiniLM-L6-v2 model")
    answer = "".join(backend.stream("What is the maximum input length of all-MiniLM-L6-v2?", [hit]))
    assert "maximum sequence length of 256 word pieces" in answer, answer


def test_a_name_written_as_one_word_of_many_pieces_does_not_outweigh_what_is_asked_about_it(backend, kb, embedder):
    assert piece_shares("Is all-MiniLM-L6-v2 a brute-force model?") == {
        **dict.fromkeys(["all", "minilm", "lm", "l6", "v2"], 0.2),
        **dict.fromkeys(["brute", "forc", "model"], 1.0),
    }
    answer, _ = _answer(backend, kb, embedder, "Approximately how many parameters does all-MiniLM-L6-v2 have?")
    assert "22 million parameters" in answer, answer


def test_a_question_sharing_many_rare_words_with_its_passage_is_answered_though_no_sentence_is_near_it(settings, kb):
    # its best sentence's relevance is 0.49, below NOT_FOUND_THRESHOLD; its first passage's BM25 score is over 8
    question = "Why is it a bad idea to keep each user's uploaded documents in a module-level variable in a Gradio app?"
    answer = list(stream_answer(question, settings, kb=kb))[-1].answer
    assert "one user's data would leak into another user's session" in answer, answer


def test_an_off_topic_question_sharing_some_words_with_a_passage_is_still_refused(settings, kb):
    question = (
        "In graph theory, what does it mean to embed a graph in the plane, and how do I tell if a graph is planar?"
    )
    assert list(stream_answer(question, settings, kb=kb))[-1].answer == NOT_FOUND


def test_a_weak_match_on_a_question_naming_what_no_passage_mentions_is_refused(backend):
    # The passage is about re-rendering components (relevance ~0.62), but says nothing about React.
    text = (
        "Gradio re-renders an output component whenever the event handler returns a new value. "
        "A component's value changes only through events."
    )
    answer = "".join(backend.stream("How do I make a React component re-render when a prop changes?", [_hit(text)]))
    assert answer == NOT_FOUND


def test_an_acronym_the_passages_say_otherwise_is_not_held_against_the_question(backend):
    # A fair match (relevance ~0.56): the passage says "language model", never "LLM".
    text = (
        "A strong language model can be prompted to grade an answer against the question. "
        "Model judges have known weaknesses: they can favour longer answers and answers written in their own style."
    )
    question = "What biases should I watch out for when I let an LLM grade the answers?"
    answer = "".join(backend.stream(question, [_hit(text)]))
    assert answer != NOT_FOUND and "[1]" in answer, answer


@pytest.mark.parametrize(
    "question",
    ["About IVF: What does nprobe do?", "IVF - What does nprobe do?", "IVF; What does nprobe do?"],
)
def test_a_capitalised_word_opening_a_clause_is_not_taken_for_a_name_no_passage_mentions(
    backend, kb, embedder, question
):
    answer, _ = _answer(backend, kb, embedder, question)
    assert "The nprobe parameter controls" in answer, answer  # read after its scene, as "What does nprobe do?"


def test_a_mistyped_name_still_counts_as_mentioned(backend):
    text = "Eiffel answered the protesting artists in a newspaper interview, comparing his tower with the pyramids of Egypt."
    answer = "".join(backend.stream("What did Eifel say to the artists who protested?", [_hit(text)]))
    assert answer == f"{text} [1]"


def test_a_name_written_inside_a_hyphenated_one_counts_as_mentioned(backend):
    text = "The Eiffel Tower was completed in 1889 by the Eiffel-Sauvestre company for the World's Fair."
    assert unmentioned_names("Which company did Sauvestre work for on the tower?", [_hit(text)]) == []
    assert unmentioned_names("Did Koechlin work on the tower?", [_hit(text)]) == ["Koechlin"]


def test_the_words_of_a_clause_setting_the_scene_weigh_less_than_what_is_asked(backend, kb, embedder):
    question = "In a pipeline that emits typed events, what is guaranteed to come last in every run?"
    answer, _ = _answer(backend, kb, embedder, question)
    assert "exactly one of done or error ends every run" in answer, answer


def test_a_hyphenated_name_counts_as_mentioned_when_each_of_its_words_is(backend):
    text = "Model judges have known weaknesses. They can favour longer answers or the first of two options."
    assert unmentioned_names("What biases do LLM-as-a-judge graders show?", [_hit(text)]) == []
    assert unmentioned_names("What biases do Judge-Llama graders show?", [_hit(text)]) == ["Judge-Llama"]


def test_a_button_clicked_is_no_name(backend, kb, embedder):
    text = "A status line tells the user, within a tenth of a second of the click, that the request was received."
    assert unmentioned_names("After the user clicks Ask, how soon should a status show?", [_hit(text)]) == []
    assert unmentioned_names("When I press the Submit button, does Salesforce log it?", [_hit(text)]) == ["Salesforce"]
    answer, _ = _answer(
        backend, kb, embedder, "After the user clicks Ask, how soon should some kind of status text show up?"
    )
    assert "within a tenth of a second" in answer, answer


def test_a_short_acronym_no_passage_mentions_is_a_name_unless_it_is_one_of_the_field(backend):
    text = "Each chunk is embedded once, and the answer cites the passages it quotes."
    assert unmentioned_names("How does the TCP handshake work?", [_hit(text)]) == ["TCP"]
    assert unmentioned_names("Is it OK that the LLM cites every chunk?", [_hit(text)]) == []
    assert unmentioned_names("Does a vector DB cite every chunk?", [_hit(text)]) == []
    assert unmentioned_names("What's the SQUID dataset from Stanford?", [_hit(text)]) == ["Stanford"]


def test_an_acronym_is_mentioned_by_a_hyphenated_word_of_its_letters(backend, kb, embedder):
    text = "PagedAttention manages the key-value cache in fixed-size blocks."
    assert unmentioned_names("How is the KV cache stored?", [_hit(text)]) == []
    assert unmentioned_names("How is the QK cache stored?", [_hit(text)]) == ["QK"]
    answer, _ = _answer(
        backend,
        kb,
        embedder,
        "What's the name of vLLM's trick for keeping the attention KV cache in equal-sized pages?",
    )
    assert "PagedAttention" in answer, answer


@pytest.mark.parametrize(
    "question",
    ["How does the TCP three-way handshake work?", "how does JPEG compression quantize the 8x8 pixel blocks"],
)
def test_a_question_on_an_acronym_the_documents_never_name_is_refused(backend, kb, embedder, question):
    answer, _ = _answer(backend, kb, embedder, question)
    assert answer == NOT_FOUND, answer


def test_a_question_on_a_property_of_an_acronym_is_not_answered_by_its_expansion(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "What are the drawbacks of HNSW?")
    assert "Hierarchical Navigable Small World" not in answer, answer
    assert "memory and mutability" in answer, answer


def test_the_best_sentence_leads_the_answer_even_from_a_lower_passage(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "What is IVF?")
    assert answer.startswith("An inverted file index, abbreviated IVF,"), answer


@pytest.mark.parametrize("question", ["What is nlist?", "what is nlist in IVF"])
def test_a_sentence_giving_the_term_as_its_name_defines_it(backend, kb, embedder, question):
    assert defines(["nlist"], "The number of clusters is called nlist and is fixed.", named=True)
    assert defines(["small", "big"], "A pattern sometimes called small-to-big retrieval.", named=False)
    assert not defines(["nlist"], "The index is called with nlist set.", named=True), "called with, not named"
    assert not defines(["nlist"], "It is called  (rarely) nlist.", named=True), "no name after the spaces"
    answer, _ = _answer(backend, kb, embedder, question)
    assert answer.startswith("The number of clusters is called nlist"), answer


def test_any_in_a_question_asks_whether_there_is_something_rather_than_naming_it(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "Is there any trick that stops prompt injection 100%?")
    assert answer.startswith("No known technique prevents prompt injection completely"), answer


def test_an_irregular_form_of_a_verb_is_read_as_the_verb(backend, kb, embedder):
    assert terms("it was shown, sent and written") == terms("it was show, send and write")
    answer, _ = _answer(
        backend, kb, embedder, "Should the app show users the full Python traceback when the model call fails?"
    )
    assert "Stack traces and internal details should not be shown to users" in answer, answer


def test_a_thing_asked_for_by_its_name_is_answered_by_the_code_that_names_it(backend, kb, embedder):
    question = "There is a FAISS helper that makes an index from a text spec, what is it called?"
    answer, _ = _answer(backend, kb, embedder, question)
    assert "`index_factory`" in answer, answer


def test_a_sentence_that_refers_back_is_matched_with_the_one_it_stands_on(backend, kb, embedder):
    question = "How is the F1 score between a predicted answer and a reference answer worked out?"
    answer, _ = _answer(backend, kb, embedder, question)
    assert "bags of tokens" in answer, answer


def test_a_sentence_naming_these_things_comes_with_the_one_that_gives_them(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "how do u calculate mrr??")
    assert answer.startswith("For each query, the reciprocal rank is one divided by that position"), answer
    assert "MRR is the average of these values over all queries." in answer, answer


def test_a_comparison_is_not_set_apart_by_a_sentence_that_names_neither_side(backend, kb, embedder):
    # The best sentence and its follower "…phrased the way real users phrase them rather than copied…"
    # name one side; only the follower sets something apart, and not that side.
    answer, _ = _answer(backend, kb, embedder, "What's the difference between recall@k and MRR?")
    assert "Recall at k measures the fraction of relevant items" in answer, answer
    assert "Mean reciprocal rank, or MRR, looks at the position of the first relevant result." in answer, answer


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("normalised neighbours", "normalized neighbors"),
        ("behaviour defence catalogue", "behavior defense catalog"),
        ("tokenised quantisation modelling", "tokenized quantization modeling"),
    ],
)
def test_a_british_spelling_is_read_as_the_american_one(british, american):
    assert terms(british) == terms(american)


@pytest.mark.parametrize("word", ["precise", "raise", "noise", "exercise", "hour", "fence", "sentence", "filled"])
def test_a_word_that_only_ends_like_a_british_spelling_is_left_alone(word):
    assert american(word) == word


def test_a_negative_number_is_read_with_its_words_and_a_long_one_without_separators():
    assert terms("ids of -1") == terms("ids of minus one")
    assert terms("1,536 bytes") == terms("1536 bytes") == ("1536", "byte")
    assert "minus" not in terms("GPT-4, all-MiniLM-L6-v2, x-1 and a 1-2 range"), "a hyphen there is no sign"


def test_a_question_typing_minus_one_as_digits_is_answered_by_the_sentence_in_words(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "faiss search gives me ids of -1 in the results, what does that mean?")
    assert "filled with the ID minus one" in answer, answer


def test_a_common_acronym_is_read_with_what_it_stands_for():
    assert {"llms", "larg", "languag", "model"} <= set(terms("Why do LLMs hallucinate?"))
    assert terms("an LLM") == ("llm", "larg", "languag", "model")
    assert terms("Ann and IRA") == ("ann", "ira"), "only the acronym, written in capitals"


def test_a_question_in_american_spelling_meets_the_corpus_in_british(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "How do I defend against prompt injection? What is the best defense?")
    assert answer.startswith("No known technique prevents prompt injection completely, so defences are layered"), answer


@pytest.mark.parametrize(
    ("question", "procedure"),
    [
        ("How do I add a stop button?", True),
        ("how to cache an index", True),
        ("What's the best way to pick a chunk size?", True),
        ("How does HNSW work?", False),
        ("How many vectors fit?", False),
        ("What should the UI do with the text the user already saw?", True),
        ("What is the app supposed to do with the partial answer?", True),
        ("What does the UI do with the text?", False),
    ],
)
def test_a_question_on_how_to_do_something_asks_for_a_procedure(question, procedure):
    assert (Asks.PROCEDURE in asks(question)) == procedure


@pytest.mark.parametrize(
    ("sentence", "procedure"),
    [
        ("Add a harmless test document that asks the model to end every answer with a word.", True),
        ("A useful habit is to log, for a sample of queries, where each result came from.", True),
        ("The goal is to be fast.", False),
        ("Adding more passages helps recall.", False),
    ],
)
def test_an_instruction_or_a_named_way_states_a_procedure(sentence, procedure):
    assert states({Asks.PROCEDURE}, sentence) == procedure


@pytest.mark.parametrize(
    ("question", "things"),
    [
        ("how many bytes is the code?", {"byte"}),
        ("How many retrieved passages is it sensible to put into the prompt?", {"retriev", "passag"}),
        ("how many chunks usually get passed to the generator?", {"chunk"}),
        ("Teacher here: how much RAM does a free Space get?", {"ram"}),
        ("how do i estimate how much memory a model's weights will need", {"memori"}),
        ("What is HNSW?", set()),
        # a ratio: what gives one ("a factor of 32", "32 times")
        ("PQ with m=48: how many times smaller does each vector get?", {"factor", "time"}),
        ("by what factor do 384-dim vectors shrink with PQ?", {"factor", "time"}),
        ("PQ with m=48: what compression ratio does that give?", {"factor", "time"}),
    ],
)
def test_what_a_how_many_question_counts(question, things):
    assert counted(question) == things


@pytest.mark.parametrize(
    ("sentence", "counts_them"),
    [
        ("In the example above, 1,536 bytes shrink to 48 bytes, a compression factor of 32.", True),
        ("Keeping the number of passages modest, often three to eight, reduces this problem.", True),
        ("A window of a few thousand tokens can still hold several passages of around 200 words each.", False),
        ("The code for a vector is simply m bytes long.", False),
    ],
)
def test_a_sentence_counts_a_thing_with_a_number_next_to_it(sentence, counts_them):
    assert counts(counted("How many passages or bytes?"), sentence) is counts_them


def test_a_ratio_asked_for_is_answered_by_the_sentence_giving_one(backend, kb, embedder):
    question = "With PQ and m = 48, how many times smaller does a 384-dim float vector get?"
    answer, _ = _answer(backend, kb, embedder, question)
    assert "a compression factor of 32" in answer, answer  # not only "each sub-vector has eight dimensions"


def test_a_how_many_question_is_answered_by_the_sentence_giving_the_number_of_what_it_counts(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "How many retrieved passages is it sensible to put in a prompt?")
    assert "often three to eight" in answer, answer


def test_a_question_on_when_something_pays_off_is_answered_by_the_case_it_holds_in(backend, kb, embedder):
    answer, _ = _answer(backend, kb, embedder, "When does adding a second-pass reranker really pay off?")
    assert answer.startswith("Reranking tends to help most when the first-stage retriever finds"), answer
