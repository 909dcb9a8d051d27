"""A fast answer source for the benchmark: an OpenAI-compatible server that streams a canned answer.

The app's `openai` backend is its one way to plug in another answer source, so the benchmark
points it (RAG_LLM_BASE_URL) at this server on 127.0.0.1: every chat completion streams the same
`words` words ("w1 w2 … wN"), one per chunk, written as fast as the socket takes them. The answer
then flows through the app's real pipeline, folding and coalescing, as a fast LLM's would.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "bench-fast-source"


def canned_answer(words: int) -> str:
    return " ".join(f"w{n}" for n in range(1, words + 1))


def completion_stream(words: int) -> bytes:
    """The whole server-sent-events body of a streamed chat completion of `canned_answer(words)`."""
    pieces = ["w1"] + [f" w{n}" for n in range(2, words + 1)]
    events = [_chunk({"role": "assistant", "content": piece}, None) for piece in pieces]
    events.append(_chunk({}, "stop"))
    return "".join(f"data: {event}\n\n" for event in events).encode() + b"data: [DONE]\n\n"


def _chunk(delta: dict, finish_reason: str | None) -> str:
    choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
    return json.dumps(
        {"id": "bench", "object": "chat.completion.chunk", "created": 0, "model": MODEL, "choices": [choice]}
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a reader pressing Stop hangs up: expected
            super().handle_error(request, client_address)


@contextmanager
def fast_source(words: int) -> Iterator[str]:
    """Serve the canned answer on a free port of 127.0.0.1; yields the base URL (…/v1)."""
    body = completion_stream(words)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="rag-fast-source", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
