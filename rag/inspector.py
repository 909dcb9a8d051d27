"""The prompt inspector: what a language model receives for a question, part by part.

It takes the steps `stream_answer` takes before the answer (the question cleaned, a follow-up
rewritten with the conversation, by the chosen backend's model when it has one, the search) and
returns the prompt the chosen backend builds: the exact messages, made of typed parts (rules, each
fenced passage, the reminder, the conversation's earlier questions and last answers, the question),
what each part costs in tokens against the context budget, and the hits dropped to fit. The
extractive backend sends no prompt, so for it the inspector shows what an HTTP LLM backend would
receive with the same settings (budget: llm_context_tokens − llm_max_new_tokens, counted as those
backends count).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.config import Settings
from rag.embed import get_embedder
from rag.events import run_to_end
from rag.generate import make_backend
from rag.generate.prompt import PromptInspection, approx_tokens, inspect_prompt
from rag.index import KnowledgeBase
from rag.knowledge import shared_knowledge_base
from rag.pipeline import read_question, search_for


@dataclass(frozen=True)
class InspectedPrompt:
    question: str  # as asked (cleaned)
    query: str  # as searched and put in the prompt: a follow-up rewritten to stand on its own
    backend: str  # the backend's label
    sent: bool  # whether the backend sends this prompt (the extractive one sends none)
    inspection: PromptInspection


def inspect_question(
    question: str,
    settings: Settings,
    *,
    kb: KnowledgeBase | None = None,
    history: Sequence[str] = (),
    said: Sequence[str] = (),
) -> InspectedPrompt:
    """The prompt `settings.backend` would be given for `question` after the conversation's earlier
    questions `history` and answers `said` (see the module docstring).

    Raises RagError when the question is empty or the knowledge base or backend cannot be loaded.
    """
    kb = kb or run_to_end(shared_knowledge_base(settings))
    backend = make_backend(settings.backend, settings, get_embedder(kb.model))
    read = read_question(question, settings, kb=kb, history=history, backend=backend, said=said)
    hits, _ = search_for(read.question, read.query, read.kb, read.embedder, settings.top_k, settings.mode)
    inspect = getattr(backend, "inspect_prompt", None)
    if inspect is not None:
        return InspectedPrompt(
            read.question, read.query, backend.label, True, inspect(read.query, hits, read.earlier, read.said)
        )
    budget = settings.llm_context_tokens - settings.llm_max_new_tokens
    inspection = inspect_prompt(read.query, hits, approx_tokens, budget, read.earlier, read.said)
    return InspectedPrompt(read.question, read.query, backend.label, False, inspection)
