"""The shipped corpus's index ships with the project (data/index/), so a fresh clone embeds nothing at start.

These tests fail when the corpus, the chunking or the model changed and the shipped index was not
rebuilt with `python -m rag index --rebuild`.
"""

from __future__ import annotations

import json

import numpy as np

from rag import corpus, index
from rag.config import Settings
from rag.events import Progress, Status, run_to_end
from rag.knowledge import SHIPPED_CORPUS, SHIPPED_INDEX, chunking

REBUILD = "the shipped index is stale: run `python -m rag index --rebuild` and commit data/index/"


def _shipped_corpus() -> tuple[list[corpus.Document], list[corpus.Chunk]]:
    documents = corpus.read_folder(SHIPPED_CORPUS)
    return documents, corpus.chunk_documents(documents, chunking(Settings()))


def test_the_shipped_index_is_saved_under_the_shipped_corpus_s_key():
    documents, _ = _shipped_corpus()
    manifest = json.loads((SHIPPED_INDEX / "manifest.json").read_text(encoding="utf-8"))
    expected = index.cache_key(documents, Settings().embed_model, chunking(Settings()))
    assert manifest["key"] == expected, REBUILD


def test_the_shipped_vectors_are_the_model_s_vectors_of_the_shipped_passages_and_sentences(embedder):
    _documents, chunks = _shipped_corpus()
    kb = index.load(SHIPPED_INDEX, embedder)
    assert [chunk.text for chunk in kb.chunks] == [chunk.text for chunk in chunks], REBUILD
    sampled = [0, len(chunks) // 2, len(chunks) - 1]
    fresh = embedder.encode([chunks[i].search_text for i in sampled])
    np.testing.assert_allclose(kb.index.reconstruct(np.array(sampled)), fresh, atol=1e-4, err_msg=REBUILD)
    sentences = json.loads((SHIPPED_INDEX / "sentences.json").read_text(encoding="utf-8"))
    assert sentences == index.quoted_sentences(chunks), REBUILD
    stored = np.load(SHIPPED_INDEX / "sentences.npy")
    np.testing.assert_allclose(stored[:3], embedder.encode(sentences[:3]), atol=1e-4, err_msg=REBUILD)


def test_an_empty_cache_loads_the_shipped_index_without_embedding(embedder, tmp_path):
    documents, chunks = _shipped_corpus()
    events = []
    loading = index.load_or_build(documents, chunks, embedder, tmp_path, chunking(Settings()), shipped=SHIPPED_INDEX)
    kb = run_to_end(loading, events.append)
    assert len(kb.chunks) == len(chunks)
    assert not any(isinstance(event, Progress) for event in events), "nothing should be embedded"
    assert any("Loaded shipped index" in e.message for e in events if isinstance(e, Status)), events


def test_a_changed_corpus_does_not_use_the_shipped_index(embedder, tmp_path):
    documents, _ = _shipped_corpus()
    changed = [documents[0], corpus.Document("Extra", "extra.md", "# Extra\n\nA document the shipped index lacks.")]
    events = []
    loading = index.load_or_build(
        changed,
        corpus.chunk_documents(changed, chunking(Settings())),
        embedder,
        tmp_path,
        chunking(Settings()),
        shipped=SHIPPED_INDEX,
    )
    kb = run_to_end(loading, events.append)
    assert any(isinstance(event, Progress) for event in events), "a changed corpus must be embedded"
    assert [chunk.source for chunk in kb.chunks][-1] == "extra.md"
