"""Shared fixtures: the real bundled model and a real FAISS knowledge base, built once per run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = PROJECT_DIR.parent / "shared"
SQUAD_FILE = SHARED_DIR / "eval" / "squad2-dev-3articles.json"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("rag-cache")


@pytest.fixture(scope="session")
def settings(cache_dir):
    from rag.config import Settings

    return Settings(cache_dir=cache_dir)


@pytest.fixture(scope="session")
def embedder(settings):
    from rag.embed import get_embedder

    return get_embedder(settings.embed_model)


@pytest.fixture(scope="session")
def kb(settings, embedder):
    """The shipped corpus as the process-wide knowledge base (built into the session's cache)."""
    from rag.events import run_to_end
    from rag.knowledge import shared_knowledge_base

    return run_to_end(shared_knowledge_base(settings))


# --- the launched web app and Chromium, for tests/test_app_*.py (defined in tests/app_fixtures.py) ---
from app_fixtures import app_module, app_url, artifacts_dir, broken_chat_server, chromium, handlers  # noqa: F401
