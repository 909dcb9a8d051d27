"""`python -m rag` as a person or a script runs it: in-process through `rag.cli.main`, and once for real.

What the CLI prints does not depend on what the model answers, so the in-process `ask` tests answer
from the shipped index with a scripted backend's canned pieces. One test runs `python -m rag ask`
in a subprocess, end to end, as a second start that loads the cached index. Two more check that the
library and its commands stay below the web app: `import rag` and every module the commands may load
import neither gradio, gradio_client nor Playwright, and nothing in rag/ imports the app or the
benchmark.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
from scripted import ScriptedBackend

from rag import cli
from rag.config import PROJECT_DIR
from rag.pipeline import stream_answer

QUESTION = "What is buffered streaming?"
CANNED_ANSWER = ["Buffered", " streaming", " holds", " text", " back", " until", " a", " sentence", " ends", " [1]."]
SUBPROCESS_TIMEOUT_S = 300  # an upper bound for a loaded 2-core machine, never a measured duration
RAG_DIR = PROJECT_DIR / "rag"
WEB_PACKAGE = "rag.web"  # the web layer: the one part of rag/ that may import gradio
WEB_MODULES = ("gradio", "gradio_client", "playwright")
ABOVE_THE_LIBRARY = ("app", "benchmarks")
# Imports every rag module but the web layer (and rag.__main__, which would run the CLI), then names
# the web, app and benchmark packages that came with them. (pkgutil.walk_packages would import
# rag.web to look inside it.)
IMPORT_EVERYTHING = f"""
import pkgutil, sys
import rag

def import_all(package):
    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if module.name not in ("rag.__main__", "{WEB_PACKAGE}"):
            __import__(module.name)
            if module.ispkg:
                import_all(sys.modules[module.name])

import_all(rag)
loaded = {{name.split(".")[0] for name in sys.modules}} & set({WEB_MODULES + ABOVE_THE_LIBRARY!r})
print(" ".join(sorted(loaded)))
"""


def run_python(*args: str) -> subprocess.CompletedProcess[str]:
    """A fresh `python` in the project, offline, its output captured."""
    return subprocess.run(
        [sys.executable, *args],
        check=False,
        cwd=PROJECT_DIR,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_S,
    )


@pytest.fixture
def cli_env(monkeypatch, cache_dir) -> None:
    """The CLI reads its settings from the environment: the session's cache, and no RAG_* from the shell."""
    for name in [name for name in os.environ if name.startswith("RAG_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("RAG_CACHE_DIR", str(cache_dir))


@pytest.fixture
def scripted_answers(monkeypatch, cli_env, kb) -> None:
    """`ask` retrieves from the shipped index as usual, then answers with CANNED_ANSWER."""
    monkeypatch.setattr(cli, "stream_answer", partial(stream_answer, kb=kb, backend=ScriptedBackend(CANNED_ANSWER)))


def test_ask_streams_status_to_stderr_and_the_answer_and_sources_to_stdout(scripted_answers, capsys):
    assert cli.main(["ask", QUESTION]) == 0

    out, err = capsys.readouterr()
    answer, _, sources = out.partition("\n\nSources:\n")
    assert answer == "".join(CANNED_ANSWER), f"stdout should start with the answer alone, got {out!r}"
    assert "Searching knowledge base" in err and "Done" in err, f"the status lines should go to stderr: {err!r}"
    lines = sources.splitlines()
    assert len(lines) == 5, f"expected the 5 retrieved sources, one a line, got {lines}"
    assert lines[0].startswith("*[1] ") and not any(line.startswith("*") for line in lines[1:]), (
        f"only the cited source [1] should be starred: {lines}"
    )


def test_on_a_terminal_each_status_line_starts_a_line_of_its_own(scripted_answers, monkeypatch):
    terminal = io.StringIO()  # stdout and stderr both write to it, as both write to a terminal
    monkeypatch.setattr("sys.stdout", terminal)
    monkeypatch.setattr("sys.stderr", terminal)

    assert cli.main(["ask", QUESTION]) == 0

    lines = terminal.getvalue().splitlines()
    assert "".join(CANNED_ANSWER) in lines, lines
    assert all(line.startswith("[") for line in lines if " ms] " in line), lines


def test_a_backend_failing_mid_answer_keeps_the_words_and_says_what_failed_once(cli_env, kb, monkeypatch, capsys):
    backend = ScriptedBackend(["Half", " an", " answer"], fail_with="the model server went away")
    monkeypatch.setattr(cli, "stream_answer", partial(stream_answer, kb=kb, backend=backend))

    assert cli.main(["ask", QUESTION]) == 1

    out, err = capsys.readouterr()
    assert out == "Half an answer\n", out
    assert err.count("the model server went away") == 1, err


def test_passages_the_answer_does_not_cite_are_not_called_its_sources(cli_env, kb, monkeypatch, capsys):
    monkeypatch.setattr(cli, "stream_answer", partial(stream_answer, kb=kb))

    assert cli.main(["ask", "What is the capital of France?"]) == 0

    out = capsys.readouterr().out
    assert "Sources:" not in out and "\nClosest passages (not used):\n" in out, out


def test_a_greeting_is_replied_to_with_no_list_of_passages(cli_env, kb, monkeypatch, capsys):
    monkeypatch.setattr(cli, "stream_answer", partial(stream_answer, kb=kb))

    assert cli.main(["ask", "Hello!"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("Hello! Ask me a question") and "passages (not used)" not in out, out


def test_ask_json_prints_one_event_per_line(scripted_answers, capsys):
    assert cli.main(["ask", QUESTION, "--json", "--top-k", "3", "--stream", "buffered"]) == 0

    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    types = [e["type"] for e in events]
    assert types.index("retrieved") < types.index("token") < types.index("done") == len(types) - 1, types
    statuses = [e for e in events if e["type"] == "status"]
    assert all({"stage", "message", "t_ms"} <= set(e) for e in statuses), statuses
    retrieved = next(e for e in events if e["type"] == "retrieved")
    assert len(retrieved["hits"]) == 3 and "search_ms" in retrieved, "--top-k 3 should retrieve 3 hits"
    done = events[-1]
    assert done["answer"] == "".join(e["text"] for e in events if e["type"] == "token") == "".join(CANNED_ANSWER)
    assert {"total_ms", "first_token_ms", "retrieval_ms"} <= set(done["timings"]), done["timings"]
    assert len(done["hits"]) == 3


@pytest.mark.parametrize("question", ["", "   "])
def test_a_bad_question_exits_non_zero_with_one_line(cli_env, capsys, question):
    assert cli.main(["ask", question]) != 0, "an empty question should fail"
    out, err = capsys.readouterr()
    assert err.strip() == "error: Please type a question." and out == ""


def test_a_missing_corpus_is_one_clear_error(cli_env, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("RAG_CORPUS_DIR", str(tmp_path / "nowhere"))

    assert cli.main(["ask", "What is FAISS?"]) != 0, "a missing corpus folder should fail"
    err = capsys.readouterr().err
    assert "corpus folder not found" in err, f"the error should say the corpus folder is missing: {err!r}"


def test_a_wrong_model_path_is_one_clear_error(cli_env, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("RAG_EMBED_MODEL", str(tmp_path / "no-such-model"))

    assert cli.main(["ask", "What is FAISS?"]) != 0, "a model that cannot be loaded should fail"
    err = capsys.readouterr().err
    assert "could not load embedding model" in err and "RAG_EMBED_MODEL" in err, (
        f"the error should name the model and the setting to check: {err!r}"
    )


def test_index_builds_a_folder_with_a_progress_bar(cli_env, monkeypatch, embedder, tmp_path, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "owls.md").write_text("# Owls\n\nOwls hunt at night.", encoding="utf-8")
    (docs / "tea.txt").write_text("Green tea is steamed soon after picking.", encoding="utf-8")
    monkeypatch.setenv("RAG_CACHE_DIR", str(tmp_path / "cache"))

    assert cli.main(["index", str(docs)]) == 0
    first = capsys.readouterr()
    assert "2/2" in first.err and "2 chunks indexed" in first.out, f"the first run should embed both: {first}"
    assert cli.main(["index", str(docs)]) == 0
    second = capsys.readouterr()
    assert "Loaded cached index" in second.err and "2/2" not in second.err, f"the second run should load: {second}"
    assert cli.main(["index", str(docs), "--rebuild"]) == 0
    assert "2/2" in capsys.readouterr().err, "--rebuild should embed both again"
    assert cli.main(["index", str(docs / "owls.md")]) == 0
    one = capsys.readouterr()
    assert "Built index of 1 passage;" in one.err and "1 chunk indexed" in one.out, f"one, not 1 chunks: {one}"


@pytest.mark.slow
def test_python_m_rag_ask_answers_in_a_fresh_process_from_the_saved_index(cli_env, kb):
    result = run_python("-m", "rag", "ask", QUESTION)

    assert result.returncode == 0, result.stderr
    assert re.search(r"Loaded (cached|shipped) index", result.stderr) and "Embedding" not in result.stderr, (
        f"a fresh process should load the saved index, embedding nothing: {result.stderr}"
    )
    assert "Searching knowledge base" in result.stderr and "Done" in result.stderr, result.stderr
    answer, _, sources = result.stdout.partition("\n\nSources:\n")
    assert "[1]" in answer or "[2]" in answer, f"the extractive answer should cite its sources: {answer!r}"
    assert "Searching" not in result.stdout, "status lines belong on stderr"
    assert len(sources.splitlines()) == 5, f"expected the 5 retrieved sources, got {sources!r}"


class Interrupted(ScriptedBackend):
    """Ctrl-C pressed while the answer streams: the terminal raises KeyboardInterrupt wherever the CLI is.
    Remembers the earlier answers each answer was given."""

    def __init__(self, pieces):
        super().__init__(pieces)
        self.given: list[list[str]] = []

    def stream(self, question, hits, history=(), said=()):
        self.given.append(list(said))
        yield from self.pieces
        raise KeyboardInterrupt


def test_chat_answers_a_follow_up_with_the_conversation_before_it(monkeypatch, cli_env, kb, capsys):
    monkeypatch.setattr(cli, "stream_answer", partial(stream_answer, kb=kb))
    monkeypatch.setattr("sys.stdin", io.StringIO("How does an HNSW index work?\nWhat are its drawbacks?\n"))

    assert cli.main(["chat"]) == 0

    out, err = capsys.readouterr()
    searched = [line for line in err.splitlines() if "Searching" in line]
    assert len(searched) == 2 and "Searching knowledge base" in searched[0], err
    assert "Searching for:" in searched[1] and "HNSW" in searched[1], "the follow-up is searched with its topic"
    assert out.count("Sources:") == 2, out


def test_ctrl_c_in_chat_stops_the_answer_not_the_conversation(monkeypatch, cli_env, kb, capsys):
    backend = Interrupted(["Half", " an", " answer"])
    monkeypatch.setattr(cli, "stream_answer", partial(stream_answer, kb=kb, backend=backend))
    monkeypatch.setattr("sys.stdin", io.StringIO("What is FAISS?\nWhat is BM25?\n"))

    assert cli.main(["chat"]) == 0

    out, err = capsys.readouterr()
    assert err.count("stopped") == 2, "each interrupted answer says it stopped"
    assert out.count("Half an answer") == 2, "the second question was still asked and answered up to its Ctrl-C"
    assert backend.given == [[], ["Half an answer"]], "the words an interrupted answer showed count as said"


def test_the_library_and_its_commands_load_no_web_module():
    result = run_python("-c", IMPORT_EVERYTHING)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [], f"importing rag's modules loaded {result.stdout.strip()}"


def test_nothing_in_rag_imports_upwards():
    """Also the imports inside functions, which the test above cannot see."""
    upward = [
        f"{path.relative_to(PROJECT_DIR)}:{line}: {name}"
        for path in sorted(RAG_DIR.rglob("*.py"))
        for line, name in imported_modules(path)
        if name.split(".")[0] in ABOVE_THE_LIBRARY or (name.split(".")[0] in WEB_MODULES and not in_web_layer(path))
    ]
    assert upward == [], f"rag/ should import neither the app, the benchmark nor (outside rag/web/) web code: {upward}"


def imported_modules(path: Path) -> list[tuple[int, str]]:
    modules = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append((node.lineno, node.module))
    return modules


def in_web_layer(path: Path) -> bool:
    return (RAG_DIR / "web") in path.parents


def test_ask_explain_prints_every_stage_as_a_table(cli_env, kb, capsys):
    assert cli.main(["ask", "How is reciprocal rank fusion computed?", "--explain"]) == 0
    printed = capsys.readouterr()
    for title in ("== Embed the question", "== Dense search", "== Lexical search: BM25", "== Fusion", "== Rerank"):
        assert title in printed.err
    assert "rank  passage" in printed.err and "[1]" in printed.out
