"""Answers from Hugging Face inference (for Spaces): `huggingface_hub.InferenceClient` streaming chat.

With only a model id (and HF_TOKEN) the request goes through Hugging Face's inference router; with a
base URL it goes straight to that server (a dedicated Inference Endpoint, or any TGI or
OpenAI-compatible server), which is also how the tests drive it against a local server.

Closing the generator closes the chunk iterator beneath it down to the HTTP connection, so the server
sees the disconnect at once. The client also keeps every streamed response it opened until the client
itself is closed, so each answer gets its own client and closes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import httpx2
from huggingface_hub import InferenceClient
from huggingface_hub.errors import HfHubHTTPError, InferenceTimeoutError, OfflineModeIsEnabled, TextGenerationError

from rag.config import Settings
from rag.events import Hit
from rag.generate.base import BackendError, shown_url
from rag.generate.openai_backend import content_pieces, running_hint
from rag.generate.prompt import Message, PromptInspection, approx_tokens, inspect_prompt

DEFAULT_MODEL = "Qwen/Qwen2.5-7B-Instruct"
ROUTER = "the Hugging Face inference router"
# What the client raises for a failed request: HTTP status (OSError), transport, timeout, its own checks.
CLIENT_ERRORS = (OSError, httpx2.HTTPError, TextGenerationError, ValueError)


class HFInferenceBackend:
    name = "hf"

    def __init__(self, settings: Settings):
        self.model = settings.llm_model or DEFAULT_MODEL
        self.base_url = settings.llm_base_url.rstrip("/")
        self.token = settings.hf_token or None  # None: huggingface_hub uses the saved login, if any
        self.where = shown_url(self.base_url) or ROUTER  # never print the credentials a URL may hold
        at = f" at {self.where}" if self.base_url else ""
        self.label = f"Hugging Face InferenceClient ({self.model}{at})"
        self.max_new_tokens = settings.llm_max_new_tokens
        self.prompt_budget = settings.llm_context_tokens - settings.llm_max_new_tokens
        self.timeout_s = settings.llm_timeout_s

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
        """The model's reply to `messages`, streamed; closing it closes the HTTP connection."""
        client = InferenceClient(base_url=self.base_url or None, token=self.token, timeout=self.timeout_s)
        try:
            try:
                chunks = client.chat_completion(
                    messages, model=self.model, stream=True, max_tokens=max_new_tokens, temperature=0
                )
            except CLIENT_ERRORS as exc:
                raise BackendError(self._explain(exc, answering=False)) from exc
            try:
                yield from content_pieces(chunks, self.where)
            except CLIENT_ERRORS as exc:
                raise BackendError(self._explain(exc, answering=True)) from exc
        finally:
            client.close()

    def _explain(self, exc: Exception, answering: bool) -> str:
        where = self.where
        match exc:
            case OfflineModeIsEnabled():
                return "HF_HUB_OFFLINE=1 blocks every Hugging Face client request: unset it to use the hf backend"
            case InferenceTimeoutError() | httpx2.TimeoutException():
                return f"{where} sent nothing for {self.timeout_s} s: the model may be loading; try again later"
            case HfHubHTTPError() if exc.response is not None:
                return self._explain_status(exc.response.status_code, str(exc))
            case TextGenerationError():
                return f"{where} reported an error: {exc}"
            case httpx2.TransportError() if answering:
                return f"The connection to {where} broke off mid-answer: did the server stop or crash?"
            case httpx2.TransportError():
                hint = running_hint(self.where) if self.base_url else "is this machine online?"
                return f"Could not connect to {where}: {hint}"
            case ValueError() if answering:
                return f"{where} sent a malformed answer stream: {exc}"
            case ValueError():  # the client's own checks, e.g. a model no provider serves
                return f"Hugging Face inference can't run {self.model!r}: {exc}"
        return f"The Hugging Face client failed for {where}: {exc}"

    def _explain_status(self, status: int, detail: str) -> str:
        where = self.where
        if status in (401, 403):
            return f"{where} refused the token ({status}): check HF_TOKEN (it needs the Inference Providers permission)"
        if status == 404:
            return f"{where} has no model {self.model!r} (404): check --model / RAG_LLM_MODEL"
        if status == 429:
            return f"{where} is rate-limiting requests (429): wait a moment, or check the HF_TOKEN quota"
        first_line = detail.splitlines()[0] if detail else ""
        return f"{where} answered {status}: {first_line}"
