"""Answer backends: the extractive default and optional LLMs, chosen by name."""

from __future__ import annotations

from rag.config import Settings
from rag.embed import Embedder
from rag.generate.base import NOT_FOUND, AnswerBackend, BackendError
from rag.generate.extractive import ExtractiveBackend

__all__ = ["NOT_FOUND", "AnswerBackend", "BackendError", "available_backends", "make_backend"]


def available_backends(settings: Settings) -> list[str]:
    """The backend names that can run here, the default first."""
    return ["extractive"]


def make_backend(name: str, settings: Settings, embedder: Embedder) -> AnswerBackend:
    if name == "extractive":
        return ExtractiveBackend(embedder)
    raise BackendError(f"unknown answer backend {name!r}; available: {', '.join(available_backends(settings))}")
