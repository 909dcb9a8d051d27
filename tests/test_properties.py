"""Properties that must hold for any input, checked with hypothesis on the real model."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.corpus import Chunk
from rag.events import Hit
from rag.generate.extractive import ExtractiveBackend

WORDS = ["vectors", "search", "index", "stream", "tokens", "answer", "it", "this", "fast", "cosine", "chunks"]
sentence = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(lambda w: " ".join(w).capitalize() + ".")
chunk_text = st.lists(sentence, min_size=1, max_size=5).map(" ".join)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(chunk_text, min_size=1, max_size=5), question=sentence)
def test_extractive_citations_always_point_at_a_hit(embedder, texts, question):
    hits = [
        Hit(Chunk(f"doc{n}.md#0", f"Doc {n}", "Body", f"doc{n}.md", 0, len(text), text), n, 1.0 / n)
        for n, text in enumerate(texts, 1)
    ]
    answer = "".join(ExtractiveBackend(embedder).stream(question, hits))
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", answer)]
    assert all(1 <= n <= len(hits) for n in cited), (answer, len(hits))
