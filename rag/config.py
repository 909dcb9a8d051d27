"""Settings for the whole pipeline, read from the environment with sensible defaults.

Every front end (CLI, app, tests) builds one `Settings` and passes it down, so the library
never reads the environment itself and a test can change any knob without monkeypatching.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"

RETRIEVAL_MODES = ("dense", "lexical", "hybrid")
# The backends the web app offers by default: those whose answers cost this machine's CPU for
# minutes (transformers, smollm) stay in the CLI unless RAG_APP_BACKENDS names them.
APP_BACKENDS = ("extractive", "openai", "hf")
STREAM_MODES = ("token", "buffered", "whole")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


def _env_names(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = os.environ.get(name, "")
    return tuple(part.strip() for part in raw.split(",") if part.strip()) or default


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = PROJECT_DIR / "data" / "corpus"
    cache_dir: Path = PROJECT_DIR / ".cache"
    embed_model: str = BUNDLED_MODEL
    top_k: int = 5
    mode: str = "hybrid"
    stream: str = "token"
    backend: str = "extractive"
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: str = ""
    hf_token: str = ""
    llm_timeout_s: int = 60
    llm_rewrite_timeout_s: int = 5  # how long a follow-up waits for the model's rewrite (`rag.rewrite`)
    llm_max_new_tokens: int = 512
    llm_context_tokens: int = 4096
    max_question_chars: int = 2000
    max_answer_seconds: int = 120
    chunk_target_words: int = 160
    chunk_max_words: int = 250
    chunk_overlap_words: int = 40
    max_upload_mb: int = 10
    max_upload_files: int = 5
    app_backends: tuple[str, ...] = APP_BACKENDS
    # What uploads become, whatever their size in bytes: characters of text per file and in all of a
    # session's files together (about 2,300 passages of prose), and passages per session, which bound
    # the time spent embedding them (see README, "Reliability").
    max_upload_chars: int = 2_000_000
    max_upload_passages: int = 3_000

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        defaults = cls()
        return cls(
            corpus_dir=Path(env.get("RAG_CORPUS_DIR") or defaults.corpus_dir),
            cache_dir=Path(env.get("RAG_CACHE_DIR") or defaults.cache_dir),
            embed_model=env.get("RAG_EMBED_MODEL") or defaults.embed_model,
            top_k=_env_int("RAG_TOP_K", defaults.top_k),
            mode=env.get("RAG_MODE") or defaults.mode,
            stream=env.get("RAG_STREAM") or defaults.stream,
            backend=env.get("RAG_BACKEND") or defaults.backend,
            llm_model=env.get("RAG_LLM_MODEL", ""),
            llm_base_url=env.get("RAG_LLM_BASE_URL", ""),
            llm_api_key=env.get("RAG_LLM_API_KEY", ""),
            hf_token=env.get("HF_TOKEN", ""),
            llm_timeout_s=_env_int("RAG_LLM_TIMEOUT", defaults.llm_timeout_s),
            llm_rewrite_timeout_s=_env_int("RAG_LLM_REWRITE_TIMEOUT", defaults.llm_rewrite_timeout_s),
            llm_max_new_tokens=_env_int("RAG_LLM_MAX_NEW_TOKENS", defaults.llm_max_new_tokens),
            llm_context_tokens=_env_int("RAG_LLM_CONTEXT_TOKENS", defaults.llm_context_tokens),
            max_question_chars=_env_int("RAG_MAX_QUESTION_CHARS", defaults.max_question_chars),
            max_answer_seconds=_env_int("RAG_MAX_ANSWER_SECONDS", defaults.max_answer_seconds),
            max_upload_mb=_env_int("RAG_MAX_UPLOAD_MB", defaults.max_upload_mb),
            max_upload_files=_env_int("RAG_MAX_UPLOAD_FILES", defaults.max_upload_files),
            app_backends=_env_names("RAG_APP_BACKENDS", defaults.app_backends),
            max_upload_chars=_env_int("RAG_MAX_UPLOAD_CHARS", defaults.max_upload_chars),
            max_upload_passages=_env_int("RAG_MAX_UPLOAD_PASSAGES", defaults.max_upload_passages),
        )

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)
