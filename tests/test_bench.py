"""`python -m benchmarks` at tiny sizes: every part runs for real and reports the figures it promises.

No figure is judged here (timings on a shared machine belong in the benchmark's report, not in a
test); the tests check that each part measures both of its sides and reports a finite ratio,
and that the report survives strict JSON and prints as a table naming the machine.
"""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor

import pytest
from app_fixtures import GRADIO_QUEUE_PANDAS_WARNINGS

from benchmarks.__main__ import parser
from benchmarks.suite import PARTS, Report, Sizes, run_suite

TINY = Sizes(
    build_chunks=8,
    build_repeats=1,
    warm_start_repeats=1,
    query_sizes=(300, 600),
    query_rounds=1,
    app_repeats=1,
    browser_repeats=1,
    browser_first_repeats=1,
    answer_words=300,
    clients=4,
    crowd_rounds=1,
    cold_starts=1,
    conversation_turns=2,
)
LIBRARY_KEYS = {"index_build", "warm_start", "query_latency_300", "query_latency_600", "query_latency_growth"}
APP_KEYS = {
    "first_status_client",
    "first_answer_client",
    "whole_answer_client",
    "updates_per_second_client",
    "server_cpu_streamed_vs_whole",
    "update_growth_client",
    "first_status_browser",
    "first_answer_browser",
    "first_status_vs_bare_chatbot_browser",
    "first_answer_vs_bare_chatbot_browser",
    "whole_answer_browser",
    "update_growth_browser",
    "crowd_correct",
    "crowd_first_event",
    "crowd_first_event_vs_echo",
    "conversation_growth_browser",
}
MACHINE_KEYS = {"cpu", "cores", "ram_gib", "python", "torch", "faiss-cpu", "gradio", "date"}


def check_report(report: Report, keys: set[str]) -> dict:
    as_json = json.loads(json.dumps(report.to_json(), allow_nan=False))
    assert MACHINE_KEYS <= set(as_json["machine"]), f"the machine is not fully described: {as_json['machine']}"
    figures = {figure["key"]: figure for figure in as_json["figures"]}
    assert set(figures) == keys, f"expected the figures {sorted(keys)}, got {sorted(figures)}"
    for key, figure in figures.items():
        assert {"part", "name", "value", "target", "met", "measured", "data"} <= set(figure), figure
        assert figure["value"] is not None and math.isfinite(figure["value"]), f"{key} measured nothing: {figure}"
        assert figure["value"] > 0, f"{key} should be a positive ratio: {figure}"
        assert (figure["met"] is None) == (figure["target"] is None), f"{key} is judged without a target: {figure}"
    table = report.table()
    assert as_json["machine"]["cpu"] in table
    for figure in report.figures:
        assert figure.name in table, f"the table is missing {figure.name!r}"
    return figures


def test_command_line_chooses_the_run_and_the_parts():
    args = parser().parse_args(["--quick", "--parts", "1", "6", "--json"])
    assert (args.quick, args.parts, args.json) == (True, [1, 6], True)
    assert parser().parse_args([]).parts is None, "no --parts should mean every part"
    with pytest.raises(SystemExit):
        parser().parse_args(["--parts", str(max(PARTS) + 1)])


@pytest.mark.slow
def test_library_parts_measure_both_sides_of_every_ratio(settings, kb):
    report = run_suite(settings, TINY, parts=(1, 2, 3))

    figures = check_report(report, LIBRARY_KEYS)
    assert len(figures["index_build"]["data"]["seconds"]["build"]) == TINY.build_repeats
    assert figures["query_latency_600"]["data"]["chunks"] == 600
    assert figures["query_latency_600"]["data"]["index"] == "IndexFlatIP"


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.filterwarnings(GRADIO_QUEUE_PANDAS_WARNINGS)
def test_app_parts_measure_the_launched_app_in_client_and_browser(settings, kb):
    # On a thread of its own: Playwright's sync API refuses to start where another sync Playwright
    # (the browser tests' session-wide Chromium) already runs its event loop.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-test-bench") as worker:
        report = worker.submit(run_suite, settings, TINY, (4, 5)).result()

    figures = check_report(report, APP_KEYS)
    assert figures["crowd_correct"]["value"] == 1.0, (
        f"every concurrent answer should be right: {figures['crowd_correct']}"
    )
    assert len(figures["crowd_first_event"]["data"]["concurrent_seconds"]) == TINY.clients


@pytest.mark.slow
@pytest.mark.filterwarnings(GRADIO_QUEUE_PANDAS_WARNINGS)
def test_cold_start_part_asks_a_fresh_app_during_its_warm_up(settings):
    report = run_suite(settings, TINY, parts=(6,))

    figures = check_report(report, {"cold_first_answer", "cold_first_status"})
    assert len(figures["cold_first_answer"]["data"]["bare_s"]) == TINY.cold_starts
