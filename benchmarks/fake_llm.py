"""A scripted OpenAI-compatible chat server on 127.0.0.1, for the benchmark and the tests.

The app's `openai` backend is its one way to plug in another answer source, so the benchmark points
it (RAG_LLM_BASE_URL) at this server as a fast LLM: 2,000 canned words, written as fast as the
socket takes them, flow through the app's real pipeline, folding and coalescing. The tests point
the backends and the launched app at it to see what a real server's failures look like.

Every chat completion streams (`data: {json}` events, then `data: [DONE]`, chunked HTTP/1.1) what
the server's `script` says for that request: a `Reply` of pieces, or a function from the request's
JSON body to one. A reply may pause between pieces, end without a finish reason, hang up mid-answer,
be an error status, or never answer. The server records every request, whether a client went away
while it was still writing, and whether a whole answer was sent.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAST_SOURCE_MODEL = "bench-fast-source"
WAIT_S = 10  # how long a hanging reply waits before closing, when nothing releases it
# Shutting down waits for the server's next poll: by default half a second in every test's teardown.
SHUTDOWN_POLL_S = 0.02


@dataclass(frozen=True)
class Reply:
    """What the server does with one request."""

    pieces: Sequence[str] = ()
    status: int = 200  # anything else: an error response in OpenAI's JSON shape, no stream
    gap_s: float = 0.0  # pause after each piece (0: all pieces in one write)
    finish: bool = True  # send the finish reason and [DONE]; without them the stream just ends
    drop_after: int | None = None  # hang up after this many pieces, without ending the stream
    hang: bool = False  # read the request, then never answer


Script = Reply | Callable[[dict[str, Any]], Reply]


class FakeLLM(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script: Script):
        super().__init__(("127.0.0.1", 0), _ChatHandler)
        self.script = script
        self.requests: list[dict[str, Any]] = []  # path, headers and JSON body of every request
        self.client_left = threading.Event()  # a write failed: the client closed the connection
        self.finished = threading.Event()  # a whole stream was sent
        self.release = threading.Event()  # ends pauses and hanging replies (at shutdown)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def reply_to(self, body: dict[str, Any]) -> Reply:
        return self.script if isinstance(self.script, Reply) else self.script(body)

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a reader pressing Stop hangs up: expected
            super().handle_error(request, client_address)


@contextmanager
def fake_llm(script: Script) -> Iterator[FakeLLM]:
    """Serve `script` on a free port of 127.0.0.1 until the block ends."""
    server = FakeLLM(script)
    thread = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_S,), name="rag-fake-llm", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(WAIT_S)


def canned_answer(words: int) -> str:
    return " ".join(f"w{n}" for n in range(1, words + 1))


@contextmanager
def fast_source(words: int) -> Iterator[str]:
    """The benchmark's answer source: `canned_answer(words)`, one word a piece; yields the base URL (…/v1)."""
    pieces = ["w1"] + [f" w{n}" for n in range(2, words + 1)]
    with fake_llm(Reply(pieces)) as server:
        yield server.url


class _ChatHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeLLM

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        reply = self.server.reply_to(body)
        if reply.hang:
            self.server.release.wait(WAIT_S)
            self.close_connection = True
        elif reply.status != 200:
            self._error(reply.status)
        else:
            try:
                self._stream(reply, body.get("model", ""))
            except ConnectionError:
                self.server.client_left.set()
                self.close_connection = True

    def _stream(self, reply: Reply, model: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent = reply.pieces if reply.drop_after is None else reply.pieces[: reply.drop_after]
        events = [_event(model, {"role": "assistant", "content": piece}, None) for piece in sent]
        if reply.gap_s:
            for event in events:
                self._chunk(event)
                self.server.release.wait(reply.gap_s)
        elif events:
            self._chunk(b"".join(events))
        if reply.drop_after is not None:
            self.connection.shutdown(socket.SHUT_RDWR)  # dies mid-answer, without the stream's last chunk
            self.close_connection = True
            return
        if reply.finish:
            self._chunk(_event(model, {}, "stop") + b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        self.server.finished.set()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _error(self, status: int) -> None:
        data = json.dumps({"error": {"message": f"test error {status}", "type": "test"}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # keep the benchmark's and pytest's output clean
        pass


def _event(model: str, delta: dict[str, str], finish_reason: str | None) -> bytes:
    choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
    chunk = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [choice],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()
