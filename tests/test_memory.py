"""Memory after sessions end: thirty sessions that each upload, ask and close give their memory back.

Each session uploads a 12 KB document into its own knowledge base (the shared one extended), asks
a question about it on a worker thread and ends, as browser tabs closing would; six run at once,
on threads of their own, as the web server's would. The process's resident memory must come back
to within 20% of what it was before them within a minute.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rag.events import run_to_end
from rag.uploads import add_uploads
from rag.web.answer import AnswerRun
from rag.web.sessions import Sessions

pytestmark = pytest.mark.slow

SESSIONS = 30
UPLOAD_BYTES = 12_000  # 18 passages to embed; 30 KB (46) took 136 of the suite's 900 s and showed the same
AT_ONCE = 6
SETTLE_S = 60
ALLOWED_GROWTH = 1.2


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _document(folder: Path, n: int) -> Path:
    sentences = [
        f"Session {n} keeps fact number {i}: the zorblax reading of tank {i} was {i * n % 97} units."
        for i in range(2000)
    ]
    paragraphs = ["\n\n".join(" ".join(sentences[j : j + 8]) for j in range(0, len(sentences), 8))]
    path = folder / f"session{n}" / "notes.md"
    path.parent.mkdir()
    path.write_text(f"# Notes {n}\n\n{paragraphs[0]}"[:UPLOAD_BYTES], encoding="utf-8")
    return path


def _one_session(sessions: Sessions, n: int, settings, folder: Path) -> None:
    path = _document(folder, n)
    session = sessions.hold_files(f"tab-{n}", [path])
    session.corpus = run_to_end(add_uploads([path], None, settings)).corpus
    finished = threading.Event()
    session.run = AnswerRun(f"What was the zorblax reading of tank 7 in session {n}?", settings, session.corpus.kb, 0)
    session.run.start(lambda: session.run.view().finished and finished.set())
    finished.wait(120)
    sessions.end(f"tab-{n}")


def _sessions(sessions: Sessions, numbers: range, settings, folder: Path) -> None:
    with ThreadPoolExecutor(AT_ONCE, thread_name_prefix="test-tab") as tabs:
        list(tabs.map(lambda n: _one_session(sessions, n, settings, folder), numbers))


def test_thirty_sessions_that_upload_ask_and_close_give_their_memory_back(settings, kb, tmp_path):
    sessions = Sessions()
    _sessions(sessions, range(-AT_ONCE, 0), settings, tmp_path)  # what a server that served a few tabs has loaded
    before = rss_bytes()
    _sessions(sessions, range(1, SESSIONS + 1), settings, tmp_path)
    peak = rss_bytes()
    deadline = time.monotonic() + SETTLE_S
    while rss_bytes() > ALLOWED_GROWTH * before and time.monotonic() < deadline:
        time.sleep(1)
    after = rss_bytes()
    print(
        f"\nmemory: RSS {before / 2**20:.0f} MiB before {SESSIONS} sessions, peak {peak / 2**20:.0f} MiB, "
        f"{after / 2**20:.0f} MiB after they ended"
    )
    assert after <= ALLOWED_GROWTH * before, (
        f"RSS {after / 2**20:.0f} MiB a minute after the sessions ended, {before / 2**20:.0f} MiB before them"
    )
