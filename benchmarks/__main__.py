"""`python -m benchmarks [--quick] [--parts N ...] [--json]`: progress on stderr, the report on stdout."""

from __future__ import annotations

import argparse
import json
import sys
import time

from benchmarks.suite import FULL, PARTS, QUICK, run_suite
from rag.config import Settings
from rag.errors import RagError


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Measure the side-by-side benchmark suite (about 10 minutes)."
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (a few minutes)")
    parser.add_argument("--parts", type=int, nargs="+", choices=PARTS, help="only these parts (default all)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON line")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        report = run_suite(Settings.from_env(), QUICK if args.quick else FULL, args.parts or PARTS, _say)
    except (RagError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nstopped", file=sys.stderr)
        return 130
    print(json.dumps(report.to_json(), ensure_ascii=False, allow_nan=False) if args.json else report.table())
    return 0


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
