"""`python -m rag`: ask questions and build the index from a terminal.

    python -m rag ask "What is buffered streaming?" [--top-k N] [--mode hybrid] [--stream token] [--json]
                      [--backend extractive|openai|hf|transformers|smollm] [--model M] [--base-url URL]
    python -m rag chat [--top-k N] [--mode hybrid] [--stream token] [--backend B] [--model M] [--base-url URL]
    python -m rag index [PATH ...] [--rebuild]
    python -m rag eval FILE.json [--mode dense|lexical|hybrid|all] [--json] [--failures N] [--verbose]
                      [--backend B] [--model M] [--base-url URL]

Status lines go to stderr and the answer to stdout as it is produced; with --json every event is
one JSON object on its own stdout line.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

from rag import corpus, index
from rag.config import RETRIEVAL_MODES, STREAM_MODES, Settings
from rag.embed import get_embedder
from rag.errors import RagError
from rag.events import Done, Error, Event, Progress, Stage, Status, Token, counted, run_to_end, to_json
from rag.knowledge import chunking, shared_knowledge_base
from rag.pipeline import stream_answer

CHAT_GREETING = (
    'Ask the documents a question; a follow-up may refer back ("What are its drawbacks?"). '
    "Ctrl-C stops an answer, Ctrl-D ends the conversation."
)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (RagError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (e.g. `| head`): nothing left to say
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("\nstopped", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rag", description="Streaming RAG from the terminal.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", help="answer a question from the corpus, streaming")
    ask.add_argument("question")
    _answer_options(ask)
    ask.add_argument("--json", action="store_true", help="print every event as one JSON line")
    ask.add_argument(
        "--explain", action="store_true", help="show each stage of the search and the answer's plan with its data"
    )
    ask.set_defaults(run=_ask)

    chat = commands.add_parser("chat", help="a conversation in the terminal: follow-up questions use the earlier ones")
    _answer_options(chat)
    chat.set_defaults(run=_chat)

    build = commands.add_parser("index", help="build or refresh the index, with a progress bar")
    build.add_argument("paths", nargs="*", type=Path, help="files or folders (default: RAG_CORPUS_DIR)")
    build.add_argument("--rebuild", action="store_true", help="embed everything again, ignoring the cache")
    build.set_defaults(run=_index)

    evaluate = commands.add_parser("eval", help="measure retrieval and answers on an evaluation JSON file")
    evaluate.add_argument(
        "path", type=Path, help="a SQuAD v1.1/v2.0 file, or the corpus's questions or conversations (data/eval/)"
    )
    evaluate.add_argument(
        "--mode",
        dest="modes",
        choices=[*RETRIEVAL_MODES, "all"],
        help="mode(s) to evaluate (default: all for SQuAD, hybrid otherwise)",
    )
    evaluate.add_argument("--backend", help="answer backend (default extractive)")
    evaluate.add_argument("--model", help="the LLM for the backend (model id, name or path)")
    evaluate.add_argument("--base-url", help="the server of the openai backend")
    evaluate.add_argument("--failures", type=int, default=0, metavar="N", help="list N questions whose fact was missed")
    evaluate.add_argument("--verbose", action="store_true", help="list every missed question and every cut sentence")
    evaluate.add_argument("--json", action="store_true", help="print the report as one JSON line")
    evaluate.set_defaults(run=_eval)
    return parser


def _answer_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--top-k", type=int, help="passages to retrieve (default 5)")
    command.add_argument("--mode", choices=RETRIEVAL_MODES, help="retrieval mode (default hybrid)")
    command.add_argument("--stream", choices=STREAM_MODES, help="streaming mode (default token)")
    command.add_argument("--backend", help="answer backend (default extractive; see README)")
    command.add_argument("--model", help="the LLM for the backend (model id, name or path)")
    command.add_argument("--base-url", help="the server of the openai backend, e.g. http://127.0.0.1:11434/v1")


def settings_from(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    overrides = {
        "top_k": getattr(args, "top_k", None),
        "mode": getattr(args, "mode", None),
        "stream": getattr(args, "stream", None),
        "backend": getattr(args, "backend", None),
        "llm_model": getattr(args, "model", None),
        "llm_base_url": getattr(args, "base_url", None),
    }
    return settings.with_(**{name: value for name, value in overrides.items() if value is not None})


def _ask(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if settings.top_k < 1:
        raise ValueError("--top-k must be at least 1")
    events = stream_answer(args.question, settings, explain=args.explain)
    return _print_json(events) if args.json else _print_text(events)


def _chat(args: argparse.Namespace) -> int:
    """Ask question after question; each is answered with the earlier questions and answers as its
    history. Ctrl-C stops the answer being printed; Ctrl-D, or Ctrl-C at the prompt, ends the conversation."""
    settings = settings_from(args)
    if settings.top_k < 1:
        raise ValueError("--top-k must be at least 1")
    print(CHAT_GREETING, file=sys.stderr)
    history: list[str] = []
    said: list[str] = []
    while True:
        try:
            question = input("\nyou> ")
        except (EOFError, KeyboardInterrupt):
            print(file=sys.stderr)
            return 0
        if not question.strip():
            continue
        events = stream_answer(question, settings, history=history, said=said)
        answer: list[str] = []
        try:
            _print_text(_recording(events, answer))
        except KeyboardInterrupt:
            events.close()
            print("\nstopped", file=sys.stderr)
        history.append(question)
        said.append("".join(answer))


def _recording(events: Iterator[Event], pieces: list[str]) -> Iterator[Event]:
    """`events`, the answer's text appended to `pieces` as its tokens pass."""
    for event in events:
        if isinstance(event, Token):
            pieces.append(event.text)
        yield event


def _print_json(events: Iterator[Event]) -> int:
    failed = False
    for event in events:
        failed = failed or isinstance(event, Error)
        print(json.dumps(to_json(event), ensure_ascii=False), flush=True)
    return 1 if failed else 0


def _print_text(events: Iterator[Event]) -> int:
    answering = False  # the answer's line is open on stdout
    reported = False  # a status line has said what failed
    for event in events:
        if answering and not isinstance(event, Token):
            # End it first: on a terminal, a status line on stderr would go on after the answer's last word.
            print(flush=True)
            answering = False
        match event:
            case Status(stage, message, t_ms):
                print(f"[{t_ms:7.0f} ms] {message}", file=sys.stderr, flush=True)
                reported = stage == "error"
            case Progress(done, total, _):
                _progress_bar(done, total)
            case Stage():
                print(stage_table(event), file=sys.stderr, flush=True)
            case Token(text):
                print(text, end="", flush=True)
                answering = True
            case Done(_, hits, _, _, cited) if hits:
                print(f"\n{'Sources' if cited else 'Closest passages (not used)'}:")
                for hit in hits:
                    mark = "*" if hit.rank in cited else " "
                    print(f"{mark}[{hit.rank}] {hit.chunk.title} — {hit.chunk.section} ({hit.chunk.source})")
            case Error(message, _):
                if not reported:
                    print(f"error: {message}", file=sys.stderr)
                return 1
    return 0


def stage_table(stage: Stage) -> str:
    """A stage as text: its title, what it did, and its rows in aligned columns."""
    table = [stage.columns, *stage.rows] if stage.columns else []
    widths = [max(len(row[n]) for row in table) for n in range(len(stage.columns))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in table]
    return "\n".join([f"\n== {stage.title}", textwrap.fill(stage.note, 100), *lines])


def _index(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not args.paths:
        loading = shared_knowledge_base(settings, rebuild=args.rebuild)
    else:
        documents = [doc for path in args.paths for doc in _read(path)]
        chunks = corpus.chunk_documents(documents, chunking(settings))
        embedder = get_embedder(settings.embed_model)
        loading = index.load_or_build(documents, chunks, embedder, settings.cache_dir, chunking(settings), args.rebuild)
    kb = run_to_end(loading, _print_loading)
    print(f"{counted(len(kb.chunks), 'chunk')} indexed with {kb.model}")
    return 0


def _print_loading(event: Event) -> None:
    if isinstance(event, Progress):
        _progress_bar(event.done, event.total)
    elif isinstance(event, Status):
        print(f"[{event.t_ms:7.0f} ms] {event.message}", file=sys.stderr)


def _eval(args: argparse.Namespace) -> int:
    from rag import evaluate, evaluate_conversations, evaluate_corpus

    settings = settings_from(args)
    kind = evaluate.file_kind(args.path)
    mode = args.modes or ("all" if kind == "squad" else settings.mode)
    modes = RETRIEVAL_MODES if mode == "all" else (mode,)
    if kind == "squad":
        report = evaluate.evaluate(args.path, modes, settings, _say)
        text = evaluate.format_table(report)
    elif kind == "corpus-questions":
        report = evaluate_corpus.evaluate_corpus(args.path, modes, settings, _say)
        text = evaluate_corpus.format_report(report, args.failures, args.verbose)
    else:
        report = evaluate_conversations.evaluate_conversations(args.path, modes, settings, _say)
        text = evaluate_conversations.format_report(report)
    print(json.dumps(report, ensure_ascii=False) if args.json else text)
    return 0


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _read(path: Path) -> list[corpus.Document]:
    return corpus.read_folder(path) if path.is_dir() else [corpus.read_document(path)]


def _progress_bar(done: int, total: int, width: int = 30) -> None:
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    print(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end, file=sys.stderr, flush=True)
