"""The whole benchmark run: which parts, at which sizes, and the report they make.

`FULL` keeps a run on two cores under about ten minutes; `QUICK` (`--quick`) trades the largest
sizes and most repeats for a run of a few minutes. Tests pass their own tiny `Sizes`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from benchmarks import core, crowd, startup, web
from benchmarks.browser import AppPage, chromium
from benchmarks.client import connect
from benchmarks.fake_llm import FAST_SOURCE_MODEL, fast_source
from benchmarks.report import Figure, format_table, machine
from benchmarks.server import app_process
from rag.config import PROJECT_DIR, Settings
from rag.embed import get_embedder
from rag.events import run_to_end
from rag.knowledge import shared_knowledge_base

PARTS = (1, 2, 3, 4, 5, 6)
EXAMPLES_FILE = PROJECT_DIR / "data" / "examples.json"


@dataclass(frozen=True)
class Sizes:
    build_chunks: int | None  # chunks of the shipped corpus to index (None: all of them)
    build_repeats: int
    warm_start_repeats: int
    query_sizes: tuple[int, ...]
    query_rounds: int  # passes over the example questions at each size
    app_repeats: int  # answers per side through gradio_client
    browser_repeats: int  # whole answers per side in Chromium
    browser_first_repeats: int  # first events per side in Chromium: short asks, so enough to steady a median
    answer_words: int  # length of the fast answer source's answer
    clients: int  # concurrent clients
    crowd_rounds: int  # bursts of `clients` concurrent questions
    cold_starts: int  # app starts with an empty cache, each beside a bare start
    conversation_turns: int  # answers in the browser's one conversation


FULL = Sizes(
    build_chunks=None,
    build_repeats=3,
    warm_start_repeats=3,
    query_sizes=(1_000, 10_000, 100_000),
    query_rounds=1,
    app_repeats=5,
    browser_repeats=3,
    browser_first_repeats=15,
    answer_words=2_000,
    clients=30,
    crowd_rounds=2,
    cold_starts=3,
    conversation_turns=10,
)
QUICK = Sizes(
    build_chunks=64,
    build_repeats=2,
    warm_start_repeats=2,
    query_sizes=(1_000, 5_000, 25_000),
    query_rounds=1,
    app_repeats=3,
    browser_repeats=2,
    browser_first_repeats=5,
    answer_words=2_000,
    clients=30,
    crowd_rounds=1,
    cold_starts=1,
    conversation_turns=10,
)


@dataclass(frozen=True)
class Report:
    machine: dict[str, Any]
    sizes: Sizes
    figures: list[Figure]
    elapsed_s: float

    def to_json(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "sizes": asdict(self.sizes),
            "figures": [figure.to_json() for figure in self.figures],
            "elapsed_s": round(self.elapsed_s, 1),
        }

    def table(self) -> str:
        return format_table(self.machine, self.figures, self.elapsed_s)


def example_questions() -> list[str]:
    return [item["question"] for item in json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))]


def run_suite(
    settings: Settings, sizes: Sizes, parts: Sequence[int] = PARTS, say: Callable[[str], None] = lambda _: None
) -> Report:
    """Measure the chosen parts; `say` hears what is being measured as it starts."""
    started = time.perf_counter()
    described = machine()
    figures: list[Figure] = []
    if {1, 2, 3} & set(parts):
        figures += _library_parts(settings, sizes, parts, say)
    if {4, 5} & set(parts):
        figures += _app_parts(settings, sizes, parts, say)
    if 6 in parts:
        say(f"6. cold start: python app.py with an empty cache, asked at once, {sizes.cold_starts} rounds")
        figures += startup.cold_start_figures(example_questions()[0], sizes.cold_starts)
    return Report(described, sizes, figures, time.perf_counter() - started)


def _library_parts(settings: Settings, sizes: Sizes, parts: Sequence[int], say: Callable[[str], None]) -> list[Figure]:
    say("loading the knowledge base and the model")
    kb = run_to_end(shared_knowledge_base(settings))
    embedder = get_embedder(kb.model)
    bare = core.BareModel.load(kb.model)
    figures = []
    if 1 in parts:
        chunks = kb.chunks[: sizes.build_chunks] if sizes.build_chunks else kb.chunks
        say(f"1. index build vs model.encode on {len(chunks)} chunks, {sizes.build_repeats} rounds")
        figures.append(core.index_build(chunks, embedder, bare, sizes.build_repeats))
    if 2 in parts:
        say(f"2. warm start vs loading the model alone, {sizes.warm_start_repeats} rounds")
        figures.append(core.warm_start(settings, sizes.warm_start_repeats))
    if 3 in parts:
        say(f"3. query latency vs query encode at {', '.join(f'{size:,}' for size in sizes.query_sizes)} chunks")
        figures += core.query_latency(kb, embedder, bare, sizes.query_sizes, example_questions(), sizes.query_rounds)
    return figures


def _app_parts(settings: Settings, sizes: Sizes, parts: Sequence[int], say: Callable[[str], None]) -> list[Figure]:
    questions = example_questions()
    figures = []
    with fast_source(sizes.answer_words) as source_url:
        env = {
            "HF_HUB_OFFLINE": "1",
            "RAG_CACHE_DIR": str(settings.cache_dir),
            "RAG_CORPUS_DIR": str(settings.corpus_dir),
            "RAG_EMBED_MODEL": settings.embed_model,
            "RAG_LLM_BASE_URL": source_url,
            "RAG_LLM_MODEL": FAST_SOURCE_MODEL,
        }
        say("launching the app (with an echo endpoint) in its own process")
        with app_process(env) as app:
            if 4 in parts:
                client = connect(app.url)
                try:
                    say(f"4. through gradio_client: first events vs echo, {sizes.answer_words:,}-word answers")
                    figures += web.client_figures(client, app, questions[0], sizes.answer_words, sizes.app_repeats)
                finally:
                    client.close()
                say("4. in Chromium: first events vs echo, streamed vs whole answer")
                with chromium() as browser:
                    page = AppPage(browser, app.url)
                    figures += web.browser_figures(
                        page, questions[0], sizes.answer_words, sizes.browser_repeats, sizes.browser_first_repeats
                    )
                    say(f"4. in Chromium: a conversation of {sizes.conversation_turns} typewritten answers")
                    figures.append(web.conversation_figure(page, questions, sizes.conversation_turns))
            if 5 in parts:
                figures += crowd.crowd_figures(app.url, questions, sizes.clients, sizes.crowd_rounds, say)
    return figures
