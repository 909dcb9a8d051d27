"""`rag.retrieve.search` on the shipped corpus and on small real indexes: modes, ranks, scores."""

from __future__ import annotations

import json

import pytest
from searched import search_line

from rag.config import PROJECT_DIR, RETRIEVAL_MODES
from rag.corpus import Chunk, chunk_sentences
from rag.events import run_to_end
from rag.generate import NOT_FOUND
from rag.generate.extractive import HITS_TO_READ
from rag.index import embed_sentences
from rag.lexical import Spelling, Vocabulary, asked_and_wording, asked_terms, terms, tokenize
from rag.pipeline import stream_answer
from rag.retrieve import (
    OWN_WORDS_WEIGHT,
    OwnWords,
    _complete_scores,
    closest_sentence,
    joint_match,
    search,
    search_follow_up,
    sentence_match,
)

EXAMPLES = json.loads((PROJECT_DIR / "data" / "examples.json").read_text(encoding="utf-8"))


def _top3_rate(kb, embedder, mode: str) -> tuple[float, list[str]]:
    misses = []
    for example in EXAMPLES:
        hits, _ = search(kb, embedder, example["question"], 3, mode)
        if example["document"] not in [hit.chunk.source for hit in hits]:
            misses.append(f"{example['question']!r} -> {[hit.chunk.source for hit in hits]}")
    return 1 - len(misses) / len(EXAMPLES), misses


def test_every_example_finds_its_document_in_the_top_3_with_hybrid(kb, embedder):
    rate, misses = _top3_rate(kb, embedder, "hybrid")
    assert not misses, f"hybrid top-3 rate {rate:.2f}; expected document missing for:\n" + "\n".join(misses)


@pytest.mark.parametrize("mode", ["dense", "lexical"])
def test_single_modes_find_most_example_documents(kb, embedder, mode, record_property):
    rate, misses = _top3_rate(kb, embedder, mode)
    record_property(f"{mode}_top3_rate", rate)
    print(f"{mode}: example document in top 3 for {rate:.2f} of {len(EXAMPLES)} questions")
    assert rate >= 0.8, f"{mode} top-3 rate {rate:.2f}; misses:\n" + "\n".join(misses)


@pytest.mark.parametrize("mode", RETRIEVAL_MODES)
def test_hits_are_ranked_from_1_with_their_scores(kb, embedder, mode):
    hits, timings = search(kb, embedder, "How does FAISS IndexHNSWFlat work?", 5, mode)
    assert [hit.rank for hit in hits] == [1, 2, 3, 4, 5]
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True), f"{mode} scores not in rank order: {scores}"
    assert len({hit.chunk.id for hit in hits}) == 5, "a chunk was returned twice"
    assert timings.total_ms >= timings.search_ms >= 0
    for hit in hits:
        assert (hit.dense_score is not None) == (mode != "lexical"), hit
        assert (hit.lexical_score is not None) == (mode != "dense"), hit


def test_unknown_mode_is_rejected(kb, embedder):
    with pytest.raises(ValueError, match="unknown retrieval mode 'fuzzy'"):
        search(kb, embedder, "anything", 5, "fuzzy")


def test_k_larger_than_the_corpus_returns_every_chunk_once(kb, embedder):
    hits, _ = search(kb, embedder, "What is RAG?", len(kb.chunks) + 10, "hybrid")
    assert sorted(hit.chunk.id for hit in hits) == sorted(chunk.id for chunk in kb.chunks)


def test_question_without_known_words_still_ranks_by_meaning(kb, embedder):
    hits, _ = search(kb, embedder, "zzqx vvbn", 3, "hybrid")
    assert [hit.rank for hit in hits] == [1, 2, 3]
    assert all(hit.lexical_score == 0 for hit in hits)


def test_candidates_found_by_one_side_get_both_true_scores(kb, embedder):
    """Fusion over FAISS top-C ∪ BM25 top-C: a BM25-only candidate gets its real cosine (read back
    from the index), a FAISS-only one its real BM25 score."""
    question = "How much should neighbouring chunks overlap?"
    query = embedder.encode_query(question)
    bm25 = kb.lexical.scores(question)
    dense, lexical = {0: float(kb.index.reconstruct([0])[0] @ query)}, {7: float(bm25[7])}
    _complete_scores(kb, query, bm25, dense, lexical)
    vectors = kb.index.vectors()
    assert set(dense) == set(lexical) == {0, 7}
    assert dense[7] == pytest.approx(float(vectors[7] @ query), abs=1e-5)
    assert lexical[0] == pytest.approx(float(bm25[0]))


def test_bm25_scores_the_words_saying_what_is_asked_and_not_the_question_wording(kb, embedder):
    """What, how and does still draw candidates (the pool scores are normalised over), but no passage
    scores for holding them."""
    question = "What does an HNSW index do and how does it work?"
    hits, _ = search(kb, embedder, question, 10, "hybrid")
    asked, whole = kb.lexical.term_scores(asked_terms(question)), kb.lexical.scores(question)
    at = [kb.chunks.index(hit.chunk) for hit in hits]
    assert [hit.lexical_score for hit in hits] == pytest.approx([float(asked[i]) for i in at])
    assert any(whole[i] > asked[i] for i in at)  # the wording would have counted


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("What happens when the queue is full?", ("happen", "when", "queue", "full")),
        ("And when a question comes in?", ("when", "question", "come")),
        ("When should I rebuild the index?", ("rebuild", "index")),
        ("Where do API keys go?", ("api", "key", "go")),
    ],
)
def test_a_when_or_where_opening_a_clause_is_asked_about_and_one_asking_is_not(question, asked):
    assert asked_terms(question) == asked


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("What about IVF?", ("ivf",)),
        ("how about b", ("b",)),
        ("What is the paper about?", ("paper", "about")),
        ("about chunk overlap", ("chunk", "overlap")),  # "Tell me about chunk overlap", its lead-in read
        ("About how many entries does the vocabulary have?", ("about", "entri", "vocabulari", "have")),
    ],
)
def test_the_about_of_what_about_only_asks_and_another_says_what_is_asked(question, asked):
    assert asked_terms(question) == asked


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("who made SQuAD?", ("squad",)),
        ("Who came up with maximal marginal relevance?", ("maxim", "margin", "relev")),
        ("What made SQuAD popular?", ("made", "squad", "popular")),  # no "who": the verb is what is asked
        ("Who proposed MMR?", ("propos", "mmr")),  # the documents' own word ("was proposed by")
    ],
)
def test_who_made_a_thing_asks_for_a_person_not_for_the_word_made(question, asked):
    assert asked_terms(question) == asked


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("In FAISS IVF, what is nlist exactly?", ("faiss", "ivf", "nlist")),
        ("What exactly does nprobe control?", ("nprobe", "control")),
        ("When exactly should it flush?", ("flush",)),
        (
            "With exactly one relevant document, what is recall at k?",
            ("exact", "one", "relev", "document", "recal", "k"),
        ),
        ("What is exact search?", ("exact", "search")),
        ("How does HNSW work?", ("hnsw",)),
        ("How do I work out cosine similarity?", ("work", "out", "cosin", "similar")),
        ("Does the cache still work when the model changes?", ("cach", "still", "work", "when", "model", "chang")),
    ],
)
def test_words_that_only_stress_a_question_or_ask_how_a_thing_works_are_not_asked(question, asked):
    assert asked_terms(question) == asked


def test_a_meaning_asked_of_what_was_said_keeps_all_its_words_as_wording():
    """Nothing of its own is asked; its stressing word still counts where the wording does (`rag.retrieve`)."""
    assert asked_and_wording("What does that mean exactly?") == ((), ("exact", "what", "doe", "mean"))


def test_the_sentence_check_reads_a_sentence_wrapped_over_lines_as_one():
    asked = terms("Who designed the lighthouse first lit on 14 March 1871?")
    wrapped = "The lighthouse was designed by Oddny Fjellstad and first lit on 14\nMarch 1871. It burned whale oil."
    whole = sentence_match(asked, " ".join(wrapped.split()))
    assert sentence_match(asked, wrapped) == whole
    assert sentence_match(asked, wrapped.replace("14\n", "14.\n")) < whole, "a real sentence end splits it"


def test_sentences_read_together_match_the_words_each_has():
    asked = terms("How is the F1 score between a prediction and a reference worked out?")
    said = ["The F1 score gives partial credit.", "It treats the prediction and the reference as bags of tokens."]
    assert joint_match(asked, said) > max(sentence_match(asked, sentence) for sentence in said)
    assert joint_match(asked, [" ".join(said)]) == joint_match(asked, said), "given apart or as one text"


def test_hybrid_search_encodes_only_the_question(kb, embedder, monkeypatch):
    encoded: list[str] = []
    real_encode = embedder.encode
    monkeypatch.setattr(embedder, "encode", lambda texts, **kw: encoded.extend(texts) or real_encode(texts, **kw))
    question = "Which sentence of a passage is closest to a question nobody asked before?"
    hits, _ = search(kb, embedder, question, 5, "hybrid")
    assert hits
    assert encoded == [question], f"the rerank must not encode sentences at query time: {encoded[:3]}"


def test_a_passage_whose_sentences_were_never_embedded_is_not_split_to_find_out(embedder):
    query = embedder.encode_query("Who kept the lighthouse on Skarvøy?")
    passage = "The Skarvøy lighthouse was kept by Ingrid Holm from 1902. She logged every ship that passed."
    misses = chunk_sentences.cache_info().misses
    assert closest_sentence(embedder, query, passage) is None
    assert chunk_sentences.cache_info().misses == misses, "an unknown passage must not be split into sentences"

    chunk = Chunk("d", "Skarvøy", "", "d.md", 0, len(passage), passage)
    _, vectors = run_to_end(embed_sentences([chunk], embedder))
    cosines = vectors @ query
    assert closest_sentence(embedder, query, passage) == pytest.approx(float(cosines.max()))


def _chunk(text: str) -> Chunk:
    return Chunk("index.md#1", "Index types", "Training", "index.md", 0, len(text), text)


@pytest.mark.parametrize(
    ("question", "corrected"),
    [
        ("Why is retreival the weakest link?", "Why is retrieval the weakest link?"),  # two letters swapped
        ("What does nprobe chnage?", "What does nprobe change?"),
        ("How do I teach a model?", "How do I teach a model?"),  # an English word, though the corpus lacks it
        ("How does Retreival work?", "How does Retreival work?"),  # capitalised: a name, left as typed
        ("Why doesn't it work?", "Why doesn't it work?"),
        ("How does it wokr?", "How does it wokr?"),  # too short to tell from its neighbours
        ("And the async flavour?", "And the async flavour?"),  # British, not a typo of the corpus's "favour"
    ],
)
def test_a_misspelt_word_is_read_as_the_corpus_word_one_edit_away(question, corrected):
    spelling = Spelling.of_chunks(
        [_chunk("Retrieval is slow. Changing nprobe does change recall. Each model does work. We favour it.")]
    )
    assert spelling.corrected(question) == corrected


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("what is hnsw", "what is HNSW"),  # the corpus's lower-case `hnsw` is code, not the name
        ("how is ndcg computed", "how is nDCG computed"),
        ("how do I post it", "how do I post it"),  # an English word the corpus writes "POST" once
        ("is rag useful", "is RAG useful"),  # ... or one it writes "RAG" many times
    ],
)
def test_a_name_typed_in_lower_case_is_read_as_the_corpus_writes_it(question, read):
    text = "HNSW is a graph. Set `hnsw` attributes. nDCG grades results. Send a POST request. " + "RAG helps. " * 10
    assert Spelling.of_chunks([_chunk(text)]).corrected(question) == read


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("When does it fall back to sentences?", "When does it fallback to sentences?"),
        ("How do I set up the index?", "How do I set up the index?"),  # the corpus never writes "setup"
        ("Does it back off?", "Does it back off?"),  # nor "backoff"
    ],
)
def test_a_verb_and_its_particle_are_read_as_the_one_word_the_corpus_writes(question, read):
    text = "The extractive answer is a fallback. It sets the index up."
    assert Spelling.of_chunks([_chunk(text)]).corrected(question) == read


def test_an_acronym_the_corpus_never_writes_finds_the_passages_that_spell_it_out(kb):
    scores = kb.lexical.term_scores(asked_terms("LLM"))
    spelling_it_out = [n for n, chunk in enumerate(kb.chunks) if "large language model" in chunk.text.lower()]
    assert spelling_it_out and all(scores[n] > 0 for n in spelling_it_out)


@pytest.mark.parametrize(
    ("question", "read"),
    [
        ("WHAT IS HNSW?", "what is HNSW?"),
        ("HOW MANY CUDA CORES?", "how many CUDA cores?"),  # neither the corpus's word nor English: a name
        ("WHAT IS HNSW? I use it.", "WHAT IS HNSW? I use it."),  # not all in capitals
    ],
)
def test_a_question_typed_in_capitals_is_read_in_lower_case_but_for_its_names(question, read):
    text = "HNSW is a graph. A graph has many cores."
    assert Spelling.of_chunks([_chunk(text)]).corrected(question) == read


def test_a_question_typed_in_capitals_is_answered_as_if_typed_in_lower_case(settings, kb):
    shouted = list(stream_answer("WHAT DOES NPROBE CONTROL IN AN IVF INDEX?", settings, kb=kb))
    assert shouted[-1].answer.startswith("The nprobe parameter controls how many"), shouted[-1].answer


def test_a_question_typed_in_lower_case_is_answered_as_the_corpus_writes_its_names(settings, kb):
    lower = list(stream_answer("what does mrr stand for", settings, kb=kb))
    assert "Mean reciprocal rank" in lower[-1].answer, lower[-1].answer


def test_a_question_with_a_typo_is_searched_as_spelt_right(settings, kb):
    events = list(stream_answer("Why is retreival, not generation, usually the weakest link?", settings, kb=kb))
    searched = search_line(events)
    assert searched == "Searching for: Why is retrieval, not generation, usually the weakest link?"
    assert events[-1].answer != NOT_FOUND


def test_the_words_a_follow_up_carries_from_a_misspelt_question_are_spelt_right(settings, kb):
    earlier = ["why do poeple normalise embeddings before putting them in an inner prodcut index?"]
    events = list(stream_answer("does that go for the query vector too?", settings, kb=kb, history=earlier))
    searched = search_line(events)
    assert "people" in searched and "product" in searched, searched
    assert "poeple" not in searched and "prodcut" not in searched, searched


@pytest.mark.parametrize(
    ("question", "expansion"),
    [("What does RAG stand for?", "Retrieval-augmented generation"), ("What does IVF mean?", "inverted file index")],
)
def test_the_passage_that_spells_out_an_asked_acronym_is_among_those_the_answer_reads(
    kb, embedder, question, expansion
):
    hits, _ = search(kb, embedder, question, 5, "hybrid")
    read = hits[:HITS_TO_READ]
    assert any(expansion in hit.chunk.text for hit in read), [hit.chunk.section for hit in read]


def test_an_acronym_that_only_sets_the_scene_does_not_favour_the_passage_spelling_it_out(kb, embedder):
    hits, _ = search(kb, embedder, "In an IVF index, what does nprobe refer to?", 5, "hybrid")

    assert "nprobe parameter controls" in hits[0].chunk.text, [hit.chunk.text[:60] for hit in hits]


def test_a_parameter_named_by_one_letter_is_a_word_and_a_pronoun_or_a_contraction_part_is_not():
    assert {"m", "k", "b"} <= set(terms("Is the M parameter, the b of BM25 or recall at k (m=48) set?"))
    assert not [word for word in terms("I don't know, e.g. FAISS's index, i.e. a graph.") if len(word) == 1]


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("How big should M be for an HNSW graph?", "between 16 and 64"),
        ("What does the b setting do in BM25?", "The parameter b controls"),
    ],
)
def test_a_question_naming_a_one_letter_parameter_is_answered_from_that_parameter(settings, kb, question, fact):
    answer = list(stream_answer(question, settings, kb=kb))[-1].answer
    assert fact in answer, answer


def test_a_stop_word_written_as_code_is_a_name():
    assert terms("What does .then() do in a `with` block?") == ("what", "doe", "then_", "do", "with_", "block")
    assert terms("Then it ends with a call(x).") == ("end", "call", "x")


def test_a_negative_contraction_is_a_stop_word_as_its_verb_is():
    """What "isn't" leaves ("isn") and "isnt" written without its apostrophe are no topic word."""
    assert terms("Why isn't it good?") == terms("why isnt it good") == terms("Why is it good?") == ("whi", "good")
    assert tokenize(["The model doesn't know it and isn't sure"]) == [["model", "know", "sure"]]


def test_a_question_on_a_method_named_like_a_stop_word_is_answered_from_that_method(settings, kb):
    answer = list(stream_answer("What is Gradio's then() for?", settings, kb=kb))[-1].answer
    assert "The `then` method chains another function" in answer, answer


def test_the_vocabulary_knows_which_words_the_corpus_writes_next_to_each_other():
    vocabulary = Vocabulary.of(
        [
            "Reciprocal rank fusion adds up the reciprocal ranks. A structure-aware chunker splits at headings.",
            "The `id` field names an event. Fusion, then ranking.",
        ]
    )
    assert vocabulary.written_together("rank", "fusion")
    assert vocabulary.written_together("structure-aware", "chunking"), "chunking and chunker share a stem's opening"
    assert vocabulary.written_together("id", "field"), "code marks between two words do not part them"
    assert not vocabulary.written_together("fusion", "compute"), "a word the corpus never writes after it"
    assert not vocabulary.written_together("fusion", "ranking"), "a comma parts them"


def test_a_mixed_case_name_is_read_with_the_acronyms_inside_it_but_not_in_code():
    assert {"indexhnswflat", "hnsw"} <= set(terms("How does IndexHNSWFlat work?"))
    assert {"indexivfflat", "ivf"} <= set(terms("IndexIVFFlat"))
    assert terms("WordPiece and IndexFlatL2") == ("wordpiec", "indexflatl2"), "only acronyms are parts"
    assert "hnsw" not in terms("The `IndexHNSWFlat` class"), "a code span holds one identifier"
    assert terms("SQuAD and GPUs") == ("squad", "gpus"), "a name that opens with capitals is left whole"


def test_a_question_naming_an_acronym_finds_the_class_that_holds_it(kb, embedder):
    hits, _ = search(kb, embedder, "How does an HNSW index search?", 3, "hybrid")
    assert hits[0].chunk.section == "How IndexHNSWFlat works", [hit.chunk.section for hit in hits]


def test_the_word_setting_does_not_pick_the_sentence_that_says_set(settings, kb):
    answer = list(stream_answer("What does the efSearch setting control?", settings, kb=kb))[-1].answer
    assert "The efSearch parameter applies at query time" in answer, answer
    assert "efConstruction" not in answer, answer


def test_the_vocabulary_knows_which_names_the_corpus_has_a_heading_for(kb):
    vocabulary = kb.vocabulary
    assert vocabulary.heads("SQuAD") and vocabulary.heads("HNSW") and vocabulary.heads("gradio_client")
    assert not vocabulary.heads("Pranav"), "named in a passage, not in a heading"


def test_a_follow_up_s_hits_weigh_its_rewrite_and_its_own_words_document(kb, embedder):
    query = "what is that model's maximum input length? — chunk size MiniLM"
    asked = "what is that model's maximum input length?"
    hits, timings = search_follow_up(kb, embedder, query, asked, 5)
    rewritten, _ = search(kb, embedder, query, 10)
    own, _ = search(kb, embedder, asked, 10)
    assert [hit.rank for hit in hits] == [1, 2, 3, 4, 5] and timings.embed_ms > 0
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    for hit in hits:
        as_rewritten = next((h.score for h in rewritten if h.chunk.id == hit.chunk.id), rewritten[-1].score)
        document_as_asked = next((h.score for h in own if h.chunk.source == hit.chunk.source), own[-1].score)
        expected = (1 - OWN_WORDS_WEIGHT) * as_rewritten + OWN_WORDS_WEIGHT * document_as_asked
        assert hit.score == pytest.approx(expected), hit.chunk.id
    assert rewritten[0].chunk.source != hits[0].chunk.source, "the own words' document overtakes the rewrite's"


def test_a_follow_up_found_by_one_search_only_is_weighed_with_the_other_s_last_score(kb, embedder):
    rewritten, _ = search(kb, embedder, "How does HNSW search a graph?", 10)
    own, _ = search(kb, embedder, "How does a Gradio Space get its hardware?", 10)
    weighing = OwnWords("How does a Gradio Space get its hardware?", rewritten, own)
    only_asked = next(hit for hit in own if hit.chunk.source not in {h.chunk.source for h in rewritten})
    assert weighing.as_rewritten(only_asked) == rewritten[-1].score
    assert weighing.document_as_asked(rewritten[0]) == own[-1].score
    ranked = weighing.ranked()
    assert len({hit.chunk.id for hit in ranked}) == len(ranked) == len({h.chunk.id for h in [*rewritten, *own]})
    assert OwnWords("q", [], own).ranked() == own and OwnWords("q", rewritten, []).ranked() == rewritten
