"""Find the chunks that answer a question: dense (FAISS), lexical (BM25) or hybrid (fused).

Hybrid is the default: dense search finds paraphrases, BM25 finds rare exact terms (names, API
identifiers), scoring the words that say what is asked, not "what" or "does". It fuses *scores*, not
ranks: over the candidates (FAISS top-C ∪ BM25 top-C) each score is z-normalised per question and
blended 0.7 × cosine + 0.3 × BM25, so a clear winner on one side keeps its margin (reciprocal rank
fusion throws margins away). The top few fused candidates are then reordered by how well their best
single sentence matches the question, word for word (shared stemmed words and word pairs) and in
meaning (the cosine of its closest sentence): a question is usually about one sentence, and a
passage that says it in one place beats one that scatters the same words or whose average vector is
merely on the topic.

Measured with `python -m rag eval` on three SQuAD 2.0 dev articles (473 answerable questions,
126 paragraphs), gold paragraph Recall@1 / Recall@5 / MRR@10: dense 0.71 / 0.93 / 0.80, BM25
0.77 / 0.95 / 0.85, reciprocal rank fusion 0.78 / 0.97 / 0.86, score fusion 0.85 / 0.98 / 0.91,
score fusion + word check 0.87 / 0.99 / 0.92, + closest-sentence cosine 0.88 / 0.99 / 0.93. The
weights are round values, not fitted: any of 0.2-0.3 for BM25, 0.2-0.4 for the word check and
10-40 for the depth gives 0.865-0.88 (before the cosine was added).
On the shipped corpus's 240 questions (data/eval/corpus-questions.json; dev = even indices,
held-out = odd), source-document Recall@1: score fusion + word check 0.925 / 0.908, + closest
sentence cosine 0.950 / 0.933 (weight 0.2: 0.933 / 0.933; 0.5: 0.950 / 0.933; 0.7: 0.958 / 0.925).
Tried on 2026-12-01, none kept (corpus dev / held-out and SQuAD Recall@1, against 0.950 / 0.933 /
0.882; the second corpus set, data/eval/fresh-questions.json, never tuned on, gives 0.881): the
closest-sentence weight at 0.4, 0.950 / 0.933 / 0.886, at 0.5, 0.950 / 0.933 / 0.890, at 0.7, 0.950
/ 0.925 / 0.884 (SQuAD gains up to four questions, but the second set falls to 0.857 at 0.4 and
0.845 at 0.5); the word-check weight at 0.2 or 0.4 and the depth at 5 or 20, each within a question;
the closest *pair* of adjacent sentences counted too (their max, their mean, or the two best
sentences' mean), 0.942 / 0.933 / 0.886 at best; a bonus for a candidate whose document has another
candidate among the ten, 0.938 overall at 0.1-0.3; a bonus for a candidate whose best-matching
sentence states the kind of fact asked for (a number for "how many", a name for "who": see
`rag.questions`), 0.2 or 0.4 after the rerank: corpus 0.938, the second set 0.893 (from
0.881), SQuAD 0.884, a question or so each way.
Tried on 2026-12-02, not kept: a question's wording (`rag.lexical.asked_terms`: what, how, does…)
left out of the BM25 query, which it only adds noise to. The corpus set's Recall@1 was unchanged
(the same 14 questions wrong), the second set's rose 0.881 → 0.917 (3 gained, none lost), SQuAD's
0.882 → 0.892, but the follow-ups' (data/eval/conversations.json, rewritten with the history) fell
0.906 → 0.891, below that set's target of 0.90: two lost, "What is HNSW?" then "What are its
drawbacks?" among them, now answered from the overview of FAISS index types (its BM25 z-scores
move when the candidates that matched only "what" drop to zero). Only the wh-words left out: the
same, and one corpus question lost; only the auxiliaries (does, can, should…): the second set +2,
SQuAD 0.884, no follow-up lost, but that subset would be chosen on these very figures. Nor did
favouring the previous turn's top document for a follow-up help (0.906 → 0.899 at a bonus of 0.25
or 0.5 on the reranked score, 0.891 at 1.0).

Kept later that day (the fourth session), in another form (with the acronym check below widened):
BM25 *scores* only the words that say what is asked, but the question's wording still draws the
*candidates* (`_bm25`). The follow-up lost above was lost to the pool, not to the scores: with fewer
chunks in it (none that matched only "what"), the dense scores' mean and spread moved, and the
overview's cosine (0.337, against the HNSW passage's 0.232) went from 4.04 to 4.61 standard
deviations. (Normalising each side over its own top candidates instead, which no stop word moves,
cost the corpus set and SQuAD a question each and the follow-ups two.) With the pool as before, and
a "when" or "where" that opens a clause counted as asked about (`rag.lexical.asked_terms`: "And when
a question comes in?", whose "when" was the one follow-up still lost; no other question of any set
has such a clause whose answer moved): the corpus set's Recall@1 unchanged (0.946, Recall@5 0.988 →
0.992; its key-fact hit too, 0.825, one question gained and one lost), the second set's 0.881 →
0.917 (key-fact hit 0.690 → 0.714), SQuAD's 0.886 → 0.896 (MRR@10 0.933 → 0.940, answer hit
unchanged, 0.888), the follow-ups' 0.906 unchanged (without the history 0.587 → 0.601; key fact
0.493 → 0.514). Cost: none measurable; BM25 adds up over the query's words, so the wording's scores,
computed apart and added back for the pool, cost no more than scoring the whole question did
(100,000 texts of 120 words: 0.55-0.57 ms a question, against 0.60-0.66 ms; `python -m benchmarks
--parts 3` afterwards: search 1.19 / 1.26 / 1.29× the query encode at 1,000 / 10,000 / 100,000
chunks, against 1.18 / 1.25 / 1.25 the day before, within the spread of its runs).
With BM25 so, a weight of 0.4 for it (0.6 dense) was tried and not kept: SQuAD's Recall@1 0.896 →
0.901, but the corpus set's 0.946 → 0.938 (key-fact hit 0.825 → 0.812), the second set's 0.917 →
0.893 (0.714 → 0.679), the follow-ups' 0.906 → 0.899.

Tried on 2026-12-02 (the seventh session) and reverted: a mixed-case name that opens like a word
("IndexHNSWFlat", "WordPiece", "efSearch"; not "SQuAD", nor a name in a code span) read as its parts
too, in BM25 and every word match, so that "How does an HNSW index work?" finds "How IndexHNSWFlat
works" rather than HNSW's strengths and limitations. Corpus Recall@1 0.946 → 0.950 and key-fact hit
0.829 → 0.833, SQuAD's Recall@1 0.896 → 0.899 and answer hit 0.888 → 0.890, the second set and the
follow-ups unchanged; but of the two corpus sets' 324 answers, 8 changed, 4 of them for the worse by
my reading, and the example question "Which FAISS index suits a few thousand chunks and which suits
a billion vectors?" went from the overview of index types to product quantization's document ("A
float32 embedding with 384 dimensions takes 1,536 bytes."), probably because every IndexIVFPQ and
IndexFlatL2 then also says "index", which moves BM25's scores (not checked). Cost: BM25 tokenizing
100,000 texts of 120 corpus words 5.5 → 7.6 s. Kept in the eighth session, in a narrower form: only
the acronyms inside such a name are read as words of their own (`rag.lexical`), which finds "How
IndexHNSWFlat works" for that question and leaves the example's answer as it was.

A question that asks what an acronym means ("What does RAG stand for?", `rag.questions.acronyms_asked`)
is answered by the sentence that spells it out ("Retrieval-augmented generation, usually shortened to
RAG, is…"), which often sits in a passage that ranks below others using the acronym: among the top
candidates, one with such a sentence gains SPELLED_OUT_WEIGHT (in z-score units, like the others).
Added on 2026-12-02: no question of the four evaluation sets changes its ranking (at 1.0 or 2.0), but
of 15 acronym questions asked by hand (none in any set), "What does RAG stand for?", "What is RAG?"
and "What does IVF mean?" were answered from passages that only use the acronym; at 2.0 all three
are answered by its definition (at 1.0 only "What is RAG?"). Chosen on those hand-asked questions.
Since BM25 stopped scoring a question's wording (below), such a passage is looked for among all the
candidates, not only the RERANK_DEPTH checked: "What does RAG stand for?" had found "The problem RAG
solves" through the "What" of its document's title, "What is RAG?", and without it that passage
ranked below the ten. The 15 answers are the same as before; no figure of any set moved.

Tried the same day, not kept: a bonus for the share of the question's asked words (`asked_terms`) in a
candidate's own heading, z-scored beside the others ("IndexFlatL2: exact Euclidean search" for a
question naming IndexFlatL2): corpus Recall@1 0.942 → 0.929 at weight 0.2 and 0.925 at 0.4, the
follow-ups' 0.906 → 0.891 / 0.862, the second set and SQuAD unchanged.

Tried the same day (the third session), not kept: the word check weighting each asked word by its
inverse document frequency in the corpus instead of counting each alike: corpus Recall@1 0.942 →
0.938, the follow-ups' 0.906 → 0.899, the second set and SQuAD unchanged.

Tried in the fifth session that day, not kept: a bonus for a candidate whose document's title
holds a name the question asks about (a word `rag.conversation` reads as a name, not one most
documents use: "WordPiece", "HNSW" in "IndexHNSWFlat"), so that a question on one index type
prefers its own document to the overview of all of them. At 0.3 nothing moved; at 0.6 the dev halves
were unchanged (the corpus set's and the follow-ups'), the second set's Recall@1 rose 0.917 → 0.929
and the follow-ups' held-out half 0.855 → 0.871, one question each; at 1.0 the follow-ups gained two,
the corpus set lost two (0.938: "FAISS" is in five titles). The dev halves do not choose it, and the
unseen ones would then have chosen it. The closest-sentence weight re-measured the same session, after
the BM25 change: at 0.4 and 0.5 SQuAD's Recall@1 0.896 → 0.896 / 0.901, the corpus set's unchanged
(0.946), but the second set's 0.917 → 0.881 / 0.857 and the follow-ups' 0.906 → 0.891 (their key fact
0.594 → 0.551): 0.3 stays.

Tried on 2026-12-03, not kept (replayed offline on every set's logged candidates, which reproduce the
figures exactly): a bonus for the cosine between the question and the candidate's whole *document*
(the normalised mean of its chunk vectors), z-scored over the reranked candidates, so that a question
on one index type prefers its own document to the overview of all of them. Correct first documents at
0.1, against 227 / 77 / 77 / 80 / 128 / 425 (the corpus set, the second, third and fourth sets, the
follow-ups, SQuAD): 228 / 76 / 76 / 78 / 128 / 422; at 0.3, 227 / 75 / 76 / 78 / 128 / 413. SQuAD's
paragraphs are one chunk each, so there the bonus only re-weighs the chunk's cosine; kept to documents
of several chunks (SQuAD unchanged), or as the document's cosine less the chunk's, the second and
third sets still lost one or two questions at every weight (0.05-0.2; 0.5-4) and none gained. Nor any
other point of the rerank's grid (each sentence weight 0.2-0.4, the depth 5-20, the dense and BM25
scores z-scored again over the reranked candidates only): none gains a corpus question and a SQuAD
one together; the weights above are the best of it.

Cost: the dense and BM25 searches the other modes need, `argpartition` instead of a full sort of
the BM25 scores, a vector read back from FAISS for each BM25-only candidate, and the sentence
check on RERANK_DEPTH chunks (their sentence terms cached per chunk text). Nothing is encoded
for the closest-sentence cosine: it uses the sentence vectors the embedder remembers (a saved or
built knowledge base brings them, so the shipped corpus's cost a dictionary look-up) and is left
out for a question whose candidates' sentences are not all remembered, such as an upload's before
the answer quotes them. The first such candidate ends the check, and the embedder knows which
passages' sentences it was given, so none is split into sentences (pysbd, ~6-10 ms a chunk) to find
out (`python -m benchmarks --parts 3`, search / query encode at 1,000, 10,000 and 100,000 synthetic
chunks: all ten candidates split 2.2× at 100,000; the first split 1.37 / 1.43 / 1.42×; none split
1.18 / 1.25 / 1.23×).
Encoding them at query time instead cost 265-700 ms a query on corpora of 1,000-25,000 chunks
(`python -m benchmarks --quick --parts 3`, against ~20 ms).

A follow-up rewritten with words carried from the conversation (`rag.conversation`) is searched as
asked too (`search_follow_up`), and each hit then weighs 0.75 × its score as rewritten + 0.25 × the
best score of its document as asked (`OwnWords`). The carried words find the topic of a follow-up
that lacks one, but they also pull one that moves on to another document back to the earlier one
("what is that model's maximum input length?" after "How do I pick the chunk size for MiniLM?" was
answered from chunk sizes); its own words vote for its document. A follow-up asking about the two
things named before it ("Which is less likely to hallucinate?") is not weighed so: they are its
subject, and its own words alone find the hallucination document. Since 2026-12-03 (stop 41),
follow-ups' recall@1 with the history / key fact, before → after: the shipped conversations 0.928 →
0.928 / 0.659 → 0.667, the picks 0.786 / 0.750 unchanged, the blind sets 0.810 → 0.857 / 0.460
unchanged, 0.833 / 0.500 → 0.533, 0.867 → 0.900 / 0.617 → 0.633, and on the fourth blind set, unread
and looked at twice with the weight already chosen, 0.767 → 0.783 / 0.500 unchanged, and on a fifth
(data/eval/conversations-blind-5.json), written after it and measured before reading, 0.917 → 0.900
/ 0.583 → 0.567, and on a sixth, 0.900 → 0.900 / 0.633 → 0.650: on the three sets nobody had read it
gains nothing (recall@1 +1, −1, 0; see docs/measurements.md). Over the first three blind sets, the follow-ups
moving to another document were found 16 → 19 times of 29 (21 on their own words alone), "what about
X" 28 → 30 of 31, a pronoun 28 → 27. No first question and no other set moves: a question that is
not rewritten is searched once, as before. Chosen offline on the read sets' logged hits: the weight
at 0.2-0.3 gains 4-5 of 349 follow-ups; at 0.4, the shipped set loses 3; a hit's own chunk score as
asked instead of its document's best, 4 at most and the shipped set one lost. Of 20 conversations
written first and asked by hand, one answer's sources changed (its second passage), no answer. Cost:
one more query encoding and search a rewritten follow-up, ~15 ms when its vector is not cached
("what are its drawbacks?": rewrite and search 17.7 → 32.0 ms), ~0.5 ms when it is.
Tried with it, not kept: the first document's passages all read before any other's (of 31 follow-ups
of the blind sets whose standalone question's answer states the fact and whose own answer, from the
right document, does not, 14 had the passage stating it outside the three read): key fact +1 / +2 /
−1 / +1 on the shipped and the first three blind sets; and the own words' weight growing with their
number of asked words (0.06 each, at most 0.5): 3 more of 349 follow-ups found, 0.08 each loses the
shipped set two. Neither measured on the fourth or fifth blind set.

Tried on 2026-12-04 (stop 42), not kept: pseudo-relevance feedback on the dense side (Rocchio: the
query vector plus β × the mean of its three best passages' vectors, searched again before the
fusion). At β 0.3 the corpus set's Recall@1 0.946 → 0.938, the second set's 0.917 → 0.905, the sixth's
0.929 → 0.917 and SQuAD's 0.899 → 0.894, the others unchanged; at 0.7 worse on every set. The feedback
pulls each question towards its topic's commonest passage, which is what the rerank already undoes.

Tried on 2026-12-04 (stop 44), not kept: among the reranked candidates, 0.4 for one whose heading opens
with the question's "how", "why", "what" or "when" ("How does all-MiniLM-L6-v2 combine…?" finding
"How it turns text into a vector" rather than "What all-MiniLM-L6-v2 is"; 43 of the corpus's 210
headings open so). Key-fact hit over the seven question sets 597 → 601 of 744 (the second blind set
+2, the third +2, the fifth +1, the fresh set −1, its Recall@1 0.917 → 0.893), SQuAD unchanged (no
headings), but the follow-ups' key fact fell: the shipped conversations 0.667 → 0.645, two blind
conversation files a question each, one gained one. Nor, without it, a bonus for the cosine between
the question and a candidate's heading (0.1-0.5, z-scored): the answer's passage first for 614 → 617
(0.1) or fewer of 744 questions, each set within a question or two.

Tried in stop 45 (2026-12-04), not kept: the rerank's word check over the asked words alone
(`asked_terms`, as BM25 scores them): SQuAD's Recall@1 0.899 → 0.903, but the corpus set's 0.946 →
0.933, the fresh set and the sixth a question or two fewer.

Tried in stop 49 (2026-12-05), not kept: the query's vector the normalised sum of the question's and of
the question without its wording ("organisation built the FAISS library?"), so that "Which" or "How
does" weigh less in meaning too. Dense alone, questions whose first hit is from the right document:
the corpus set 199 → 200, SQuAD 337 → 332; hybrid, the corpus set 227 → 226, the second, fourth and
fifth sets one fewer each, SQuAD 425 → 426, the other four sets unchanged.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise

import numpy as np

from rag.corpus import Chunk, chunk_sentences
from rag.embed import Embedder
from rag.events import Hit
from rag.index import KnowledgeBase
from rag.lexical import asked_and_wording, terms
from rag.questions import acronyms_asked, spells_out

MODES = ("dense", "lexical", "hybrid")
MIN_CANDIDATES = 100
DENSE_WEIGHT = 0.7
LEXICAL_WEIGHT = 0.3
# How many fused candidates the sentence check reorders, and how much its two parts weigh (on z-scores).
RERANK_DEPTH = 10
SENTENCE_WEIGHT = 0.3
SENTENCE_COSINE_WEIGHT = 0.3
# Added to a candidate with a sentence that spells out an acronym whose meaning is asked (see above).
SPELLED_OUT_WEIGHT = 2.0
# A follow-up rewritten with words from the conversation is searched as asked too, this deep, and each
# document weighs its best score as asked this much (its best as rewritten the rest): see `search_follow_up`.
OWN_WORDS_WEIGHT = 0.25
FOLLOW_UP_DEPTH = 10
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")


@dataclass
class SearchTrace:
    """What a search did on its way to the hits, for the step-through view (`rag.explain`): filled by
    `search` when it is given one. Candidates are (chunk index, score) pairs, best first."""

    query: np.ndarray | None = None  # the question's embedding (None in lexical mode)
    embed_ms: float = 0.0
    dense: list[tuple[int, float]] = field(default_factory=list)  # cosine
    lexical: list[tuple[int, float]] = field(default_factory=list)  # BM25
    fused: list[tuple[int, float]] = field(default_factory=list)  # hybrid: every candidate with both scores
    dense_all: dict[int, float] = field(default_factory=dict)  # hybrid: each candidate's cosine and BM25
    lexical_all: dict[int, float] = field(default_factory=dict)
    reranked: list[tuple[int, float]] = field(default_factory=list)
    own_words: OwnWords | None = None  # a follow-up weighed by its own words too (`search_follow_up`)


@dataclass(frozen=True)
class SearchTimings:
    embed_ms: float
    search_ms: float

    @property
    def total_ms(self) -> float:
        return self.embed_ms + self.search_ms


def search(
    kb: KnowledgeBase,
    embedder: Embedder,
    question: str,
    k: int = 5,
    mode: str = "hybrid",
    trace: SearchTrace | None = None,
) -> tuple[list[Hit], SearchTimings]:
    """The top `k` hits for `question`, best first, with how long embedding and searching took;
    `trace`, if given, is filled with each step's candidates."""
    if mode not in MODES:
        raise ValueError(f"unknown retrieval mode {mode!r}; use dense, lexical or hybrid")
    started = time.perf_counter()
    query = embedder.encode_query(question) if mode != "lexical" else None
    embedded = time.perf_counter()
    candidates = min(len(kb.chunks), max(MIN_CANDIDATES, 10 * k))
    dense = _dense(kb, query, candidates) if query is not None else {}
    bm25, lexical = _bm25(kb, question, candidates) if mode != "dense" else (None, {})
    if trace is not None:
        trace.query, trace.embed_ms = query, (embedded - started) * 1000
        trace.dense, trace.lexical = _by_score(dense), _by_score(lexical)
    if mode == "dense":
        ranked = _by_score(dense)
    elif mode == "lexical":
        ranked = _by_score(lexical)
    else:
        _complete_scores(kb, query, bm25, dense, lexical)
        fused = _score_fusion(dense, lexical)
        ranked = _rerank_by_sentence(kb, embedder, query, question, fused)
        if trace is not None:
            trace.fused, trace.dense_all, trace.lexical_all, trace.reranked = fused, dense, lexical, ranked
    hits = [
        Hit(kb.chunks[i], rank, float(score), dense.get(i), lexical.get(i))
        for rank, (i, score) in enumerate(ranked[:k], 1)
    ]
    done = time.perf_counter()
    return hits, SearchTimings((embedded - started) * 1000, (done - embedded) * 1000)


def search_follow_up(
    kb: KnowledgeBase,
    embedder: Embedder,
    query: str,
    asked: str,
    k: int = 5,
    mode: str = "hybrid",
    trace: SearchTrace | None = None,
) -> tuple[list[Hit], SearchTimings]:
    """The top `k` hits for `query`, a follow-up rewritten with words carried from the conversation,
    with each document weighed by how well `asked`, the follow-up's own words, find it too: the
    carried words bring the topic, and the follow-up's own words keep one that moves on to another
    document from being pulled back to the earlier one (`OwnWords`). `trace` follows `query`, and
    holds the weighing."""
    depth = max(k, FOLLOW_UP_DEPTH)
    rewritten, timings = search(kb, embedder, query, depth, mode, trace)
    own, own_timings = search(kb, embedder, asked, depth, mode)
    weighing = OwnWords(asked, rewritten, own)
    if trace is not None and rewritten and own:
        trace.own_words = weighing
    timings = SearchTimings(timings.embed_ms + own_timings.embed_ms, timings.search_ms + own_timings.search_ms)
    return weighing.ranked()[:k], timings


@dataclass(frozen=True)
class OwnWords:
    """A follow-up's hits as rewritten and as `asked`, each hit weighing (1 - OWN_WORDS_WEIGHT) × its
    score as rewritten + OWN_WORDS_WEIGHT × the best score of its document as asked; a hit missing
    from either list scores that list's last score there."""

    asked: str
    rewritten: Sequence[Hit]
    own: Sequence[Hit]

    def as_rewritten(self, hit: Hit) -> float:
        return next(
            (found.score for found in self.rewritten if found.chunk.id == hit.chunk.id), self.rewritten[-1].score
        )

    def document_as_asked(self, hit: Hit) -> float:
        return next((found.score for found in self.own if found.chunk.source == hit.chunk.source), self.own[-1].score)

    def weighed(self, hit: Hit) -> float:
        return (1 - OWN_WORDS_WEIGHT) * self.as_rewritten(hit) + OWN_WORDS_WEIGHT * self.document_as_asked(hit)

    def ranked(self) -> list[Hit]:
        """Both lists' hits (a hit in both as rewritten), best weighed first, with their weighed scores."""
        if not self.rewritten or not self.own:
            return list(self.rewritten or self.own)
        pool: dict[str, Hit] = {}
        for hit in [*self.rewritten, *self.own]:
            pool.setdefault(hit.chunk.id, hit)
        weighed = sorted(((self.weighed(hit), hit) for hit in pool.values()), key=lambda item: -item[0])
        return [replace(hit, rank=rank, score=score) for rank, (score, hit) in enumerate(weighed, 1)]


def _dense(kb: KnowledgeBase, query: np.ndarray, candidates: int) -> dict[int, float]:
    scores, ids = kb.index.search(query[None, :], candidates)
    return {int(i): float(s) for i, s in zip(ids[0], scores[0]) if i >= 0}


def _bm25(kb: KnowledgeBase, question: str, candidates: int) -> tuple[np.ndarray, dict[int, float]]:
    """BM25 scores of every chunk and of the top `candidates`, on the words saying what is asked:
    the candidates are the chunks sharing most with the whole question, its wording included, so that
    the pool the scores are normalised over stays the one it was tuned on (see the module docstring)."""
    asked, wording = asked_and_wording(question)
    bm25 = kb.lexical.term_scores(asked)
    whole = bm25 + kb.lexical.term_scores(wording)  # BM25 adds up over the query's words
    return bm25, {int(i): float(bm25[i]) for i in _top(whole, candidates) if whole[i] > 0}


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the `n` highest scores, best first (a partial sort: the corpus can be large)."""
    if n < len(scores):
        part = np.argpartition(-scores, n)[:n]
    else:
        part = np.arange(len(scores))
    return part[np.argsort(-scores[part], kind="stable")]


def _by_score(scores: dict[int, float]) -> list[tuple[int, float]]:
    return sorted(scores.items(), key=lambda item: -item[1])


def _complete_scores(
    kb: KnowledgeBase, query: np.ndarray, bm25: np.ndarray, dense: dict[int, float], lexical: dict[int, float]
) -> None:
    """Give every candidate both scores: cosine from its stored vector, BM25 (0 if no word matches)."""
    missing = np.array([i for i in lexical if i not in dense], dtype=np.int64)
    if len(missing):
        dense.update(zip(missing.tolist(), (kb.index.reconstruct(missing) @ query).tolist()))
    for i in dense:
        lexical.setdefault(i, float(bm25[i]))


def _score_fusion(dense: dict[int, float], lexical: dict[int, float]) -> list[tuple[int, float]]:
    ids = list(dense)
    fused = DENSE_WEIGHT * z_scores([dense[i] for i in ids]) + LEXICAL_WEIGHT * z_scores([lexical[i] for i in ids])
    return sorted(zip(ids, fused.tolist()), key=lambda item: -item[1])


def z_scores(values: Sequence[float]) -> np.ndarray:
    """Standard scores (0 everywhere when all values are equal)."""
    array = np.asarray(values, dtype=np.float64)
    spread = array.std()
    return (array - array.mean()) / spread if spread > 0 else np.zeros_like(array)


def _rerank_by_sentence(
    kb: KnowledgeBase, embedder: Embedder, query: np.ndarray, question: str, fused: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    head, tail = fused[:RERANK_DEPTH], fused[RERANK_DEPTH:]
    if len(head) < 2:
        return fused
    acronyms = acronyms_asked(question)
    # A passage spelling out an asked acronym is checked wherever it ranks among the candidates.
    spelled = _spelling_out(kb, fused, acronyms)
    if spelled:
        head, tail = head + [c for c in tail if c[0] in spelled], [c for c in tail if c[0] not in spelled]
    asked = terms(question)
    chunks = [kb.chunks[i] for i, _ in head]
    match = z_scores([sentence_match(asked, chunk.search_text) if asked else 0.0 for chunk in chunks])
    bonus = SENTENCE_WEIGHT * match
    if spelled:
        bonus = bonus + SPELLED_OUT_WEIGHT * np.array([i in spelled for i, _ in head], dtype=float)
    closest = _closest_sentences(embedder, query, chunks)
    if closest is not None:  # every candidate's sentence vectors are at hand: compare them all alike
        bonus = bonus + SENTENCE_COSINE_WEIGHT * z_scores(closest)
    head = [(i, score + b) for (i, score), b in zip(head, bonus.tolist())]
    # Unchecked candidates count as matching no better than the worst checked one, which keeps
    # them below the head (their fused scores are lower) and the scores in rank order.
    unchecked = float(bonus.min())
    tail = [(i, score + unchecked) for i, score in tail]
    return sorted(head, key=lambda item: -item[1]) + tail


def _spelling_out(kb: KnowledgeBase, candidates: list[tuple[int, float]], acronyms: Sequence[str]) -> set[int]:
    """The candidates with a sentence that spells out one of the asked acronyms."""
    if not acronyms:
        return set()
    return {i for i, _ in candidates if any(_spells_out(acronym, kb.chunks[i].text) for acronym in acronyms)}


def _spells_out(acronym: str, text: str) -> bool:
    """Whether a sentence of `text` spells out the acronym (`rag.questions.spells_out`)."""
    return any(spells_out(acronym, sentence) for sentence in _SENTENCE_END.split(text))


def _closest_sentences(embedder: Embedder, query: np.ndarray, chunks: Sequence[Chunk]) -> list[float] | None:
    """Each chunk's `closest_sentence`, or None as soon as one chunk's sentence vectors are not
    remembered: the chunks after it are not looked at."""
    closest = []
    for chunk in chunks:
        cosine = closest_sentence(embedder, query, chunk.text)
        if cosine is None:
            return None
        closest.append(cosine)
    return closest


def closest_sentence(embedder: Embedder, query: np.ndarray, text: str) -> float | None:
    """The cosine between the query and the closest sentence of `text` that an answer may quote (0 if it
    has none), or None when their vectors are not remembered. A passage the embedder does not know is
    not split into sentences to find that out (pysbd: ~6-10 ms a chunk)."""
    if not embedder.knows_passage(text):
        return None
    sentences = chunk_sentences(text)
    if not sentences:
        return 0.0
    vectors = embedder.remembered_sentences(sentences)
    return None if vectors is None else float((vectors @ query).max())


def sentence_match(asked: Sequence[str], text: str, shares: Mapping[str, float] | None = None) -> float:
    """How well the best sentence of `text` matches the question's terms: the share of its words
    plus the share of its adjacent word pairs that the sentence contains (0 to 2). `shares` weighs
    the words (`rag.lexical.piece_shares`; each 1 by default)."""
    return max(_sentence_scores(asked, text, shares), default=0.0)


def joint_match(asked: Sequence[str], texts: Sequence[str], shares: Mapping[str, float] | None = None) -> float:
    """`sentence_match` of sentences read as one: a sentence that refers back ("It treats the predicted
    and reference answers as bags of tokens…") with the one it stands on ("The F1 score gives partial
    credit.")."""
    found = [sentence for text in texts for sentence in _sentence_terms(text)]
    joined = (frozenset().union(*(words for words, _ in found)), frozenset().union(*(pairs for _, pairs in found)))
    return _match_scores(asked, [joined], shares)[0] if asked else 0.0


def matching_sentence(asked: Sequence[str], text: str) -> str:
    """The sentence of `text` that `sentence_match` scores best (the first, on a tie)."""
    scores = _sentence_scores(asked, text)
    return _SENTENCE_END.split(text)[int(np.argmax(scores))].strip() if scores else ""


def _sentence_scores(asked: Sequence[str], text: str, shares: Mapping[str, float] | None = None) -> list[float]:
    return _match_scores(asked, _sentence_terms(text), shares)


def _match_scores(
    asked: Sequence[str],
    found: Sequence[tuple[frozenset[str], frozenset[tuple[str, str]]]],
    shares: Mapping[str, float] | None = None,
) -> list[float]:
    words, pairs = set(asked), set(pairwise(asked))
    if not words:
        return []
    weights = {word: shares.get(word, 1.0) for word in words} if shares else dict.fromkeys(words, 1.0)
    total = sum(weights.values())
    return [
        sum(weights[word] for word in words & sentence_words) / total
        + (len(pairs & sentence_pairs) / len(pairs) if pairs else 0.0)
        for sentence_words, sentence_pairs in found
    ]


@lru_cache(maxsize=16384)
def _sentence_terms(text: str) -> tuple[tuple[frozenset[str], frozenset[tuple[str, str]]], ...]:
    """Each sentence's terms and adjacent term pairs. A regex split, not pysbd: this runs inside
    every search and only needs rough sentences."""
    sentences = (terms(sentence) for sentence in _SENTENCE_END.split(text))
    return tuple((frozenset(found), frozenset(pairwise(found))) for found in sentences)
