"""Answers from any OpenAI-compatible chat server: Ollama, vLLM, llama.cpp's server, LM Studio or OpenAI.

The prompt goes out as a streaming chat completion and each content delta is yielded as it arrives.
Closing the generator closes the HTTP response, so the server sees the client leave and stops
generating. Every failure becomes a `BackendError` that says what to check.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import urlsplit

import httpx2
import openai

from rag.config import Settings
from rag.events import Hit
from rag.generate.base import BackendError, shown_url
from rag.generate.prompt import Message, PromptInspection, approx_tokens, inspect_prompt

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# The client insists on a key; local servers ignore whatever is sent.
NO_KEY = "not-needed"
CONNECT_TIMEOUT_S = 5.0
# Which server usually listens on a port, to name it in "is it running?" hints.
KNOWN_PORTS = {11434: "Ollama", 1234: "LM Studio", 8080: "the llama.cpp server", 8000: "vLLM"}


class OpenAICompatibleBackend:
    name = "openai"

    def __init__(self, settings: Settings):
        if not settings.llm_model:
            raise BackendError(
                "The openai backend needs a model name: pass --model or set RAG_LLM_MODEL (e.g. llama3.2 for Ollama)"
            )
        self.model = settings.llm_model
        self.base_url = (settings.llm_base_url or DEFAULT_BASE_URL).rstrip("/")
        self.where = shown_url(self.base_url)  # never print the credentials a URL may hold
        self.label = f"OpenAI-compatible ({self.model} at {self.where})"
        self.max_new_tokens = settings.llm_max_new_tokens
        self.prompt_budget = settings.llm_context_tokens - settings.llm_max_new_tokens
        self.timeout_s = settings.llm_timeout_s
        self.client = openai.OpenAI(
            base_url=self.base_url,
            api_key=settings.llm_api_key or NO_KEY,
            timeout=httpx2.Timeout(settings.llm_timeout_s, connect=CONNECT_TIMEOUT_S),
            max_retries=0,  # a demo should say at once what is wrong, not retry for seconds
        )

    def inspect_prompt(
        self, question: str, hits: Sequence[Hit], history: Sequence[str] = (), said: Sequence[str] = ()
    ) -> PromptInspection:
        """The prompt this backend sends for `question` over `hits`, and what it costs."""
        return inspect_prompt(question, hits, approx_tokens, self.prompt_budget, history, said)

    def stream(
        self, question: str, hits: Sequence[Hit], history: Sequence[str] = (), said: Sequence[str] = ()
    ) -> Iterator[str]:
        yield from self.chat(self.inspect_prompt(question, hits, history, said).prompt.messages, self.max_new_tokens)

    def chat(self, messages: list[Message], max_new_tokens: int) -> Iterator[str]:
        """The model's reply to `messages`, streamed; closing it closes the HTTP response."""
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                messages=messages,
                stream=True,
                max_tokens=max_new_tokens,
                temperature=0,
            )
        except openai.OpenAIError as exc:
            raise BackendError(self._explain(exc, answering=False)) from exc
        try:
            yield from content_pieces(response, self.where)
        except openai.OpenAIError as exc:
            raise BackendError(self._explain(exc, answering=True)) from exc
        finally:
            response.close()

    def _explain(self, exc: openai.OpenAIError, answering: bool) -> str:
        where = self.where
        if isinstance(exc, openai.APITimeoutError):
            return (
                f"{where} sent nothing for {self.timeout_s} s: the model may still be loading or be too slow "
                "for this machine; try again, or raise RAG_LLM_TIMEOUT"
            )
        if isinstance(exc, openai.APIConnectionError):
            if answering:
                return f"The connection to {where} broke off mid-answer: did the server stop or crash?"
            return f"Could not connect to {where}: {running_hint(where)}"
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return f"{where} refused the API key ({exc.status_code}): check RAG_LLM_API_KEY"
        if isinstance(exc, openai.NotFoundError):
            return (
                f"{where} has no model {self.model!r} (404): check --model / RAG_LLM_MODEL "
                f"(for Ollama: `ollama pull {self.model}`) and that the base URL ends in /v1"
            )
        if isinstance(exc, openai.RateLimitError):
            return f"{where} is rate-limiting requests (429): wait a moment and ask again"
        if isinstance(exc, openai.APIStatusError):
            return f"{where} answered {exc.status_code}: {exc.message}"
        if isinstance(exc, openai.APIError):
            return f"{where} reported an error: {exc.message}"
        return f"The OpenAI client failed for {where}: {exc}"


def content_pieces(chunks: Iterable, where: str) -> Iterator[str]:
    """The text of streamed chat-completion chunks; a stream that ends without a finish reason was cut off."""
    finished = False
    for chunk in chunks:
        if not chunk.choices:
            continue
        choice = chunk.choices[0]
        if choice.delta is not None and choice.delta.content:
            yield choice.delta.content
        finished = finished or bool(choice.finish_reason)
    if not finished:
        raise BackendError(f"{where} ended the answer without finishing it: did the server stop or crash?")


def running_hint(url: str) -> str:
    """A question that points at the usual cause of a refused connection to `url`."""
    parts = urlsplit(url)
    server = KNOWN_PORTS.get(parts.port or 0, "the server")
    return f"is {server} running at {parts.scheme}://{parts.netloc}, and is the URL right?"
