"""The knowledge base: real FAISS over the real model, cached on disk, rebuilt when it must be."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from rag import index
from rag.corpus import ChunkingSettings, Document, chunk_documents
from rag.events import Progress, Status, run_to_end
from rag.index import EXACT_SEARCH_LIMIT, FaissIndex, KnowledgeBase

CHUNKING = ChunkingSettings()


def _docs(extra: str = "") -> list[Document]:
    return [
        Document("Owls", "owls.md", "# Owls\n\nOwls hunt at night and fly silently thanks to soft feathers."),
        Document("Tea", "tea.md", "# Tea\n\nGreen tea is steamed or pan-fired soon after picking." + extra),
    ]


def _run(loading):
    events = []
    return run_to_end(loading, events.append), events


def _load_or_build(docs, embedder, cache: Path, **kwargs):
    return _run(index.load_or_build(docs, chunk_documents(docs, CHUNKING), embedder, cache, CHUNKING, **kwargs))


def test_build_reports_progress_and_searches_by_cosine(embedder, tmp_path):
    kb, events = _load_or_build(_docs(), embedder, tmp_path)
    progress = [e for e in events if isinstance(e, Progress) and e.unit == "passages"]
    assert progress[0].done == 0 and progress[-1].done == progress[-1].total == len(kb.chunks)
    query = embedder.encode_query("birds that hunt in the dark")
    scores, ids = kb.index.search(query[None, :], 2)
    assert kb.chunks[ids[0][0]].source == "owls.md"
    assert scores[0][0] == pytest.approx(
        float(embedder.encode([kb.chunks[ids[0][0]].search_text])[0] @ query), abs=1e-4
    )


def test_chunks_embedded_longest_first_keep_their_own_vectors_in_order(embedder, monkeypatch):
    monkeypatch.setattr(index, "EMBED_BATCH", 2)  # three batches, each of chunks far apart in order
    docs = [Document(f"Doc {n}", f"d{n}.md", "# Doc\n\n" + "Owls hunt at night. " * n) for n in (1, 6, 2, 5, 3)]
    chunks = chunk_documents(docs, CHUNKING)
    events = []
    vectors = run_to_end(index.embed_chunks(chunks, embedder), events.append)
    alone = np.array([embedder.encode([chunk.search_text])[0] for chunk in chunks])
    np.testing.assert_allclose(vectors, alone, atol=1e-5)
    assert [event.done for event in events] == [0, 2, 4, 5]


def test_second_load_uses_the_cache_without_embedding(embedder, tmp_path):
    _load_or_build(_docs(), embedder, tmp_path)
    kb, events = _load_or_build(_docs(), embedder, tmp_path)
    assert not any(isinstance(e, Progress) for e in events), "a cached index must not be embedded again"
    assert any("Loaded cached index" in e.message for e in events if isinstance(e, Status))
    assert [c.source for c in kb.chunks] == ["owls.md", "tea.md"]


def test_a_changed_corpus_is_detected_and_rebuilt(embedder, tmp_path):
    first, _ = _load_or_build(_docs(), embedder, tmp_path)
    changed, events = _load_or_build(_docs(" Black tea is oxidised."), embedder, tmp_path)
    assert any(isinstance(e, Progress) for e in events), "a changed document must be embedded again"
    assert "Black tea" in changed.chunks[1].text and "Black tea" not in first.chunks[1].text


def test_a_damaged_cache_is_rebuilt_with_a_status_line(embedder, tmp_path):
    kb, _ = _load_or_build(_docs(), embedder, tmp_path)
    vectors = next(tmp_path.glob("*/vectors.faiss"))
    vectors.write_bytes(vectors.read_bytes()[:100])
    rebuilt, events = _load_or_build(_docs(), embedder, tmp_path)
    assert any("damaged" in e.message for e in events if isinstance(e, Status))
    assert len(rebuilt.chunks) == len(kb.chunks)
    _, events = _load_or_build(_docs(), embedder, tmp_path)
    assert not any(isinstance(e, Progress) for e in events), "the rebuilt cache must be saved again"


def test_an_unwritable_cache_runs_from_memory_with_a_warning(embedder, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    kb, events = _load_or_build(_docs(), embedder, blocker / "cache")
    assert len(kb.chunks) == 2
    assert any(e.message.startswith("Warning: could not save") for e in events if isinstance(e, Status))


def test_extended_knowledge_base_leaves_the_original_alone(embedder, tmp_path):
    kb, _ = _load_or_build(_docs(), embedder, tmp_path)
    extra = chunk_documents([Document("Bees", "bees.md", "# Bees\n\nBees dance to share where flowers are.")], CHUNKING)
    bigger = kb.extended(extra, embedder.encode([c.search_text for c in extra]))
    assert len(bigger.chunks) == len(kb.chunks) + 1 and len(kb.chunks) == 2
    _, ids = bigger.index.search(embedder.encode_query("insects communicate by dancing")[None, :], 1)
    assert bigger.chunks[ids[0][0]].source == "bees.md"
    assert np.allclose(bigger.index.vectors()[:2], kb.index.vectors())


def test_large_indexes_switch_to_hnsw_with_high_recall():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(EXACT_SEARCH_LIMIT + 1, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact, approximate = FaissIndex.for_size(100, 32), FaissIndex.for_size(len(vectors), 32)
    assert (exact.kind, approximate.kind) == ("IndexFlatIP", "IndexHNSWFlat")
    exact.add(vectors)
    approximate.add(vectors)
    queries = vectors[:200] + 0.1 * rng.normal(size=(200, 32)).astype(np.float32)
    _, truth = exact.search(queries, 10)
    _, found = approximate.search(queries, 10)
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found)])
    assert recall >= 0.9, f"HNSW recall@10 against exact search was {recall:.3f}"


def test_mismatched_chunks_and_vectors_are_refused():
    with pytest.raises(ValueError, match="chunks but"):
        KnowledgeBase([], _one_vector_index(), "m")


def _one_vector_index() -> FaissIndex:
    idx = FaissIndex.for_size(1, 4)
    idx.add(np.ones((1, 4), dtype=np.float32) / 2)
    return idx


def test_a_query_asked_again_is_remembered_read_only(embedder):
    question = "Which index remembers the queries it was asked?"
    vector = embedder.encode_query(question)
    assert embedder.encode_query(question) is vector, "the retrieval and the answer share one encode"
    assert not vector.flags.writeable, "a remembered vector must not be changed by whoever asked"
    np.testing.assert_allclose(vector, embedder.encode([question])[0], atol=1e-6)


def test_staging_folders_left_by_a_killed_save_are_removed_at_the_next_load(embedder, tmp_path):
    abandoned, in_progress = tmp_path / ".staging-killed", tmp_path / ".staging-saving-now"
    for staging in (abandoned, in_progress):
        staging.mkdir()
        (staging / "vectors.faiss").write_bytes(b"half a file")
    an_hour_and_more_ago = time.time() - index.STAGING_ABANDONED_S - 60
    os.utime(abandoned, (an_hour_and_more_ago, an_hour_and_more_ago))
    _load_or_build(_docs(), embedder, tmp_path)
    assert not abandoned.exists(), "an abandoned staging folder should be removed"
    assert in_progress.exists(), "a staging folder another process may be writing must stay"
