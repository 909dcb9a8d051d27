"""`python -m rag` end to end, in a subprocess, as a person or a script would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR


def _run(*args: str, cache_dir, timeout: float = 300, **env_vars: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RAG_CACHE_DIR": str(cache_dir), "HF_HUB_OFFLINE": "1", **env_vars}
    return subprocess.run(
        [sys.executable, "-m", "rag", *args],
        check=False,
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def built_cache(kb, cache_dir):
    """The shipped corpus's index, already in the cache the subprocesses use."""
    return cache_dir


def test_ask_streams_status_to_stderr_and_a_cited_answer_to_stdout(built_cache):
    result = _run("ask", "What is buffered streaming?", cache_dir=built_cache)
    assert result.returncode == 0, result.stderr
    assert "Loaded cached index" in result.stderr, "the second start must load the cached index"
    assert "Searching knowledge base" in result.stderr and "Done" in result.stderr
    answer, _, sources = result.stdout.partition("\n\nSources:\n")
    assert "[1]" in answer or "[2]" in answer
    assert "Searching" not in result.stdout
    assert sources.count("\n") >= 4


def test_ask_json_prints_one_event_per_line(built_cache):
    result = _run(
        "ask", "What is buffered streaming?", "--json", "--top-k", "3", "--stream", "buffered", cache_dir=built_cache
    )
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    types = [e["type"] for e in events]
    assert types.index("retrieved") < types.index("token") < types.index("done") == len(types) - 1
    statuses = [e for e in events if e["type"] == "status"]
    assert all({"stage", "message", "t_ms"} <= set(e) for e in statuses)
    retrieved = next(e for e in events if e["type"] == "retrieved")
    assert len(retrieved["hits"]) == 3 and "ms" in retrieved
    done = events[-1]
    assert done["answer"] == "".join(e["text"] for e in events if e["type"] == "token")
    assert {"total_ms", "first_token_ms", "retrieval_ms"} <= set(done["timings"])
    assert len(done["sources"]) == 3


@pytest.mark.parametrize("question", ["", "   "])
def test_a_bad_question_exits_non_zero_with_one_line(built_cache, question):
    result = _run("ask", question, cache_dir=built_cache)
    assert result.returncode != 0
    assert result.stderr.strip() == "error: Please type a question."
    assert "Traceback" not in result.stderr


def test_a_missing_corpus_is_one_clear_error(tmp_path):
    result = _run("ask", "What is FAISS?", cache_dir=tmp_path, RAG_CORPUS_DIR=str(tmp_path / "nowhere"))
    assert result.returncode != 0
    assert "corpus folder not found" in result.stderr and "Traceback" not in result.stderr


def test_a_wrong_model_path_is_one_clear_error(tmp_path):
    result = _run("ask", "What is FAISS?", cache_dir=tmp_path, RAG_EMBED_MODEL=str(tmp_path / "no-such-model"))
    assert result.returncode != 0
    assert "could not load embedding model" in result.stderr and "RAG_EMBED_MODEL" in result.stderr
    assert "Traceback" not in result.stderr


def test_index_builds_a_folder_with_a_progress_bar(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "owls.md").write_text("# Owls\n\nOwls hunt at night.", encoding="utf-8")
    (docs / "tea.txt").write_text("Green tea is steamed soon after picking.", encoding="utf-8")
    first = _run("index", str(docs), cache_dir=tmp_path / "cache")
    assert first.returncode == 0, first.stderr
    assert "2/2" in first.stderr and "2 chunks indexed" in first.stdout
    second = _run("index", str(docs), cache_dir=tmp_path / "cache")
    assert "Loaded cached index" in second.stderr and "2/2" not in second.stderr
    rebuilt = _run("index", str(docs), "--rebuild", cache_dir=tmp_path / "cache")
    assert "2/2" in rebuilt.stderr
