"""Driving the launched app in real Chromium (Playwright on Debian's /usr/bin/chromium).

Times are taken inside the page: a script clicks the button and then checks the watched elements
every few milliseconds (`setTimeout`, clamped to ~4 ms), logging each change with
`performance.now()`, until the expected text is shown. A change in the DOM is what the reader
sees; no Python round trip sits inside the measurement.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from benchmarks.server import BARE_ASK, BARE_CHAT, BARE_QUESTION, ECHO_BUTTON, ECHO_INPUT, ECHO_OUTPUT
from rag.config import STREAM_MODES
from rag.web import page as app_page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WAIT_S = 120
SETTLE_MS = 10_000  # at most, after choosing settings, until the page shows them all
SETTING_ATTEMPTS = 3
RECLICK_MS = 500
# What the page shows, by rag.web.page's selectors. Each measurement starts from a freshly loaded
# page, so the conversation's first thought (its status log) and first answer are the question's.
QUESTION = app_page.QUESTION_BOX
READY_SCRIPT = f"() => document.querySelector({app_page.WARM_UP!r})?.textContent.includes('Ready')"
ASK = app_page.ASK
STOP = app_page.STOP
STATUS = (app_page.THOUGHTS, "text")
ANSWER = (app_page.ANSWERS, "text")
PACING = app_page.PACING_NUMBER
PACING_SLIDER = app_page.PACING_SLIDER
BACKEND = "input[aria-label='Answer backend']"

STREAM_CHOSEN = ", ".join(f"input[type=radio][value={mode}]:checked" for mode in STREAM_MODES)
# The settings the page shows; whether they are those wanted (a None in `wanted`: any).
SETTINGS_SHOWN_SCRIPT = f"""() => ({{
  pacing: document.querySelector({PACING_SLIDER!r})?.value ?? null,
  stream: document.querySelector({STREAM_CHOSEN!r})?.value ?? null,
  backend: document.querySelector({BACKEND!r})?.value ?? null,
}})"""
SETTINGS_TAKEN_SCRIPT = f"""(wanted) => {{
  const shown = ({SETTINGS_SHOWN_SCRIPT})();
  return Object.entries(wanted).every(([name, value]) => value === null || shown[name] === value);
}}"""

# A watched element is (selector, kind): kind "value" reads the first match's value, "text" its text,
# "last text" the text of the last match (the newest turn of the conversation). `settled`, when
# given, must hold too: at least `count` matches of its `selector`, the last match of `finished[0]`
# holding the text `finished[1]` (the newest thought's title says Done); until `asked` has `count`
# matches the button is clicked again every `reclickMs` (Gradio ignores a click while the event's
# previous run is still completing, a few ms after its last update is drawn).
WATCH_SCRIPT = """
async ({button, watch, until, settled, timeoutMs}) => {
  const read = ([selector, kind]) => {
    const element = kind === "last text"
      ? [...document.querySelectorAll(selector)].at(-1) : document.querySelector(selector);
    return element ? (kind === "value" ? element.value : element.textContent) : "";
  };
  const names = Object.keys(watch);
  const shown = Object.fromEntries(names.map((name) => [name, read(watch[name])]));
  const changes = Object.fromEntries(names.map((name) => [name, []]));
  const isSettled = () => !settled || (
    document.querySelectorAll(settled.selector).length >= settled.count
    && ([...document.querySelectorAll(settled.finished[0])].at(-1)?.textContent ?? "").includes(settled.finished[1])
  );
  const reached = () => isSettled() && Object.entries(until).every(
    ([name, text]) => (text ? shown[name].includes(text) : shown[name].trim() !== "")
  );
  const started = performance.now();
  let clicked = 0;
  document.querySelector(button).click();
  for (;;) {
    const now = performance.now() - started;
    if (settled && document.querySelectorAll(settled.asked).length < settled.count && now - clicked > settled.reclickMs) {
      document.querySelector(button).click();
      clicked = now;
    }
    for (const name of names) {
      const value = read(watch[name]);
      if (value !== shown[name]) {
        shown[name] = value;
        changes[name].push([now, value.length]);
      }
    }
    if (reached()) return {changes, shown, timedOut: false};
    if (now > timeoutMs) return {changes, shown, timedOut: true};
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
"""


@dataclass(frozen=True)
class Watched:
    changes: dict[str, list[tuple[float, int]]]  # name -> (ms after the click, length of the text shown)
    shown: dict[str, str]  # name -> the text shown at the end
    timed_out: bool  # the expected text was not all shown by the deadline

    def first_change_s(self, name: str) -> float:
        return self.changes[name][0][0] / 1000

    def last_change_s(self, name: str) -> float:
        return self.changes[name][-1][0] / 1000


def type_pacing(page: Page, words_per_second: int, wait_ms: float) -> bool:
    """Type the pacing into the slider's number box, up to SETTING_ATTEMPTS times, until the slider shows
    it; whether it did. The settings are drawn when first opened, and a value typed while the slider is
    being drawn (or on a busy page) may be overwritten by its first one."""
    number = page.locator(PACING)
    for _ in range(SETTING_ATTEMPTS):
        number.fill(str(words_per_second))
        number.press("Enter")
        number.blur()
        try:
            page.wait_for_function(SETTINGS_TAKEN_SCRIPT, arg={"pacing": str(words_per_second)}, timeout=wait_ms)
            return True
        except PlaywrightTimeoutError:
            continue
    return False


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class AppPage:
    """One tab on the app; `open` (re)loads it so every measurement starts from an empty page."""

    def __init__(self, browser: Browser, url: str):
        self.url = url
        self.page: Page = browser.new_page()

    def open(self, pacing: int, stream: str | None = None, backend: str | None = None) -> None:
        """Load the page and choose these settings, checking that they took (the page may still be starting)."""
        wanted = {"pacing": str(pacing), "stream": stream, "backend": backend}
        for _ in range(SETTING_ATTEMPTS):
            self._load_with(pacing, stream, backend)
            try:
                self.page.wait_for_function(SETTINGS_TAKEN_SCRIPT, arg=wanted, timeout=SETTLE_MS)
                return
            except PlaywrightTimeoutError:
                continue
        shown = self.page.evaluate(SETTINGS_SHOWN_SCRIPT)
        raise RuntimeError(f"the page would not take {wanted}: it shows {shown}")

    def _load_with(self, pacing: int, stream: str | None, backend: str | None) -> None:
        page = self.page
        page.goto(self.url)
        page.wait_for_selector(QUESTION)
        # Until the page's load events have run, Gradio may draw the settings' first values over a choice.
        page.wait_for_function(READY_SCRIPT, timeout=WAIT_S * 1000)
        page.locator("button.label-wrap", has_text="Settings").click()
        type_pacing(page, pacing, SETTLE_MS / 10)
        if stream:
            page.click(f"[data-testid='{stream}-radio-label']")
        if backend:
            page.click(BACKEND)
            page.get_by_role("option", name=backend, exact=True).click()

    def ask(self, question: str, until: Mapping[str, str], wait_s: float = WAIT_S) -> Watched:
        """Ask `question`; watch its thought (the status log) and the answer until `until` (name -> text, "" = any) or `wait_s`."""
        self.page.fill(QUESTION, question)
        return self._watch(ASK, {"status": STATUS, "answer": ANSWER}, until, wait_s)

    def ask_next(self, question: str, turn: int, wait_s: float = WAIT_S) -> Watched:
        """Ask `question` as the conversation's `turn`-th (from 1); watch that turn's answer until it has
        stopped streaming, or `wait_s`."""
        self.page.fill(QUESTION, question)
        settled = {
            "selector": app_page.ANSWERS,
            "asked": app_page.USER_MESSAGES,
            "count": turn,
            "finished": [app_page.THOUGHT_TITLES, "Done"],
            "reclickMs": RECLICK_MS,
        }
        return self._watch(ASK, {"answer": (app_page.ANSWERS, "last text")}, {"answer": ""}, wait_s, settled)

    def ask_bare_chatbot(self, question: str) -> Watched:
        """Ask the benchmark's bare chatbot (see `benchmarks.server`); watch its thought and answer as `ask` does."""
        self.page.fill(f"#{BARE_QUESTION} textarea", question)
        bare = {
            "status": (STATUS[0].replace(app_page.CHAT, f"#{BARE_CHAT}"), "text"),
            "answer": (ANSWER[0].replace(app_page.CHAT, f"#{BARE_CHAT}"), "text"),
        }
        watched = self._watch(f"#{BARE_ASK}", bare, {"status": "", "answer": ""}, WAIT_S)
        if watched.timed_out:
            raise TimeoutError(f"the bare chatbot did not show its answer within {WAIT_S} s")
        return watched

    def echo(self, text: str) -> float:
        """Seconds from clicking the echo button until `text` is shown back."""
        self.page.fill(f"#{ECHO_INPUT} textarea", text)
        echoed = {"echo": (f"#{ECHO_OUTPUT} textarea", "value")}
        watched = self._watch(f"#{ECHO_BUTTON}", echoed, {"echo": text}, WAIT_S)
        if watched.timed_out:
            raise TimeoutError(f"the echo of {text!r} was not shown within {WAIT_S} s")
        return watched.last_change_s("echo")

    def stop(self) -> None:
        """Press Stop (ends an answer that is still streaming)."""
        self.page.click(STOP)

    def _watch(
        self,
        button: str,
        watch: Mapping[str, tuple[str, str]],
        until: Mapping[str, str],
        wait_s: float,
        settled: Mapping[str, Any] | None = None,
    ) -> Watched:
        arguments = {
            "button": button,
            "watch": dict(watch),
            "until": dict(until),
            "settled": dict(settled) if settled else None,
            "timeoutMs": wait_s * 1000,
        }
        result = self.page.evaluate(WATCH_SCRIPT, arguments)
        changes = {name: [(at, length) for at, length in log] for name, log in result["changes"].items()}
        return Watched(changes, result["shown"], result["timedOut"])
