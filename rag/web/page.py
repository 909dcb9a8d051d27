"""The page's parts as the app, the tests and the benchmark name them, and its look.

Each `Element` is an element id the app gives a component (or, for the latest answer's drawings, a
part of one component's HTML), written as its CSS selector (`#answer`); `.id` is the bare id for
Gradio's `elem_id`. The selectors under them name the parts of a component that a browser reads or
drives. The stylesheet is `app.css` beside this module; `APPEARANCE` holds the theme, the stylesheet
and the page's script, for `demo.launch(**APPEARANCE)`; `conversation_display` how the
conversation is drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr


class Element(str):
    """An element the page defines, as its CSS selector: `#answer`."""

    @property
    def id(self) -> str:
        """The element's id, as Gradio's `elem_id` takes it: `answer`."""
        return self.removeprefix("#")


PRESENTER = Element("#presenter")  # the switch that scales the page for a room
WARM_UP = Element("#warm-up")  # the line under the title that says what is still loading, then "Ready"
QUESTION = Element("#question")
ASK = Element("#ask")
STOP = Element("#stop")
NEXT_STAGE = Element("#next-stage")  # shown when stepping through the pipeline
STEP_THROUGH = Element("#step-through")
QUESTION_HINT = Element("#question-hint")
UPLOAD_NOTICE = Element("#upload-notice")  # by the question box while uploads are being added
CHAT = Element("#chat")  # the conversation
LATEST_ANSWER = Element("#latest-answer")  # beside the conversation: the latest answer's drawings, in one HTML:
ANSWER_STATE = Element("#answer-state")  # hidden; holds the mark that shows the answer's cursor
STAGES = Element("#stages")  # a step-through's stages, each with its data
SOURCES = Element("#sources")
SCORES = Element("#scores")
TIMINGS = Element("#timings")
PACING = Element("#pacing")
UPLOADS = Element("#uploads")
UPLOAD_LOG = Element("#upload-log")
UPLOAD_LOG_LABEL = Element("#upload-log-label")
CORPUS_INFO = Element("#corpus-info")
COMPARE_QUESTION = Element("#compare-question")
RUN_BOTH = Element("#run-both")
WHOLE_INFO = Element("#whole-info")
WHOLE_ANSWER = Element("#whole-answer")
STREAMED_INFO = Element("#streamed-info")
STREAMED_ANSWER = Element("#streamed-answer")
INSPECT_QUESTION = Element("#inspect-question")
INSPECT = Element("#inspect")
PROMPT = Element("#prompt")  # the prompt inspector's view
LAB_QUESTION = Element("#lab-question")
COMPARE_RETRIEVERS = Element("#compare-retrievers")
LAB = Element("#lab")  # the retrieval lab's rankings

MARKDOWN_TEXT = "[data-testid=markdown]"  # inside a Markdown component (the compared answers): its text
QUESTION_BOX = f"{QUESTION} textarea"
# The parts of Gradio's chatbot: each message, a thought (the status log of an answer: its title,
# and its lines while it is open), the answers, and the chatbot's own buttons.
CHAT_LOG = f"{CHAT} [role=log]"
USER_MESSAGES = f"{CHAT} [data-testid=user]"
THOUGHTS = f"{CHAT} .thought-group"
THOUGHT_TITLES = f"{THOUGHTS} > .title"
THOUGHT_ARROWS = f"{THOUGHT_TITLES} .arrow button"
OPEN_THOUGHT_LINES = f"{THOUGHTS} > .content"
ANSWERS = f"{CHAT} [data-testid=bot]:not(:has(.thought-group))"
RETRY = f"{CHAT} button[aria-label=Retry]"
CLEAR = f"{CHAT} button[aria-label=Clear]"
COMPARE_QUESTION_BOX = f"{COMPARE_QUESTION} textarea"
INSPECT_QUESTION_BOX = f"{INSPECT_QUESTION} textarea"
PROMPT_PARTS = f"{PROMPT} .part"
LAB_QUESTION_BOX = f"{LAB_QUESTION} textarea"
LAB_COLUMNS = f"{LAB} .ranking"
STREAMING_CURSOR = f"{ANSWER_STATE} .streaming"  # present while the answer streams
UPLOAD_LINES = f"{UPLOAD_LOG} .log"
PACING_NUMBER = f"{PACING} input[type=number]"
PACING_SLIDER = f"{PACING} input[type=range]"
UPLOAD_INPUT = f"{UPLOADS} input[type=file]"
PRESENTER_BOX = f"{PRESENTER} input[type=checkbox]"
STEP_THROUGH_BOX = f"{STEP_THROUGH} input[type=checkbox]"

STYLESHEET = Path(__file__).with_name("app.css")
# Text at least 4.5:1 against its background (white on indigo-500 was 4.46:1, on red-500 3.76:1; the
# placeholder and the footer's zinc-400 1.9:1), and the accent (citations, focus outlines) at 6.3:1.
# Gradio's bundled SemiBold (600) font files hold a few dozen glyphs ("A", "B"…), so a bold heading
# mixed them with the system's fallback font ("FᴀISS", "Rᴀɢ"): bold text uses the complete Bold files.
THEME = gr.themes.Default(
    primary_hue="indigo",
    font=[gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif", "system-ui", "sans-serif"],
    font_mono=[gr.themes.LocalFont("IBM Plex Mono", weights=(400, 700)), "ui-monospace", "Consolas", "monospace"],
).set(
    button_primary_background_fill="*primary_600",
    button_primary_background_fill_hover="*primary_700",
    button_cancel_background_fill=gr.themes.colors.red.c600,
    button_cancel_background_fill_hover=gr.themes.colors.red.c700,
    color_accent="*primary_600",
    body_text_color_subdued="*neutral_500",
    input_placeholder_color="*neutral_500",
    input_placeholder_color_dark="*neutral_400",
)
# A conversation message's text as written, from the message as sent (escaped by `render.chat_text`).
SHOWN_TEXT_JS = "(text) => text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')"
COPY_MESSAGE = f'{CHAT} button[aria-label="Copy message"]'
# Gradio offers no attributes for these: the conversation (a polite live log, so the answer is
# announced as it grows) is named for what it holds, and the question box is described by the hint under it.
# A thought's title is a button holding an unnamed arrow button: the arrow is made an inert picture
# (hidden from screen readers, out of the tab order, clicks pass to the title through the stylesheet),
# as each thought is drawn; the title opens and closes the thought.
# Gradio's copy button under a message copies the message as sent, escaped (`a &lt; b`): what the
# clipboard is given while such a button is pressed is the text as shown.
# Next stage (drawn disabled) can be pressed only while a step-through is paused after a stage.
# While an answer is written Ask is disabled, as chat pages do: Gradio would silently drop a second
# question sent on the same event (Enter then does nothing; the typed question stays in the box). It
# is disabled by plain listeners, once the click or key press that asks has been handled, so nothing
# runs before the question is sent (a Gradio event of its own on the same triggers would: in six runs
# of `python -m benchmarks --parts 4`, two each with no lock, such an event and these listeners, the
# browser's first status line read 1.77-2.22× the echo round trip, too noisy to tell them apart).
PAGE_JS = f"""() => {{
  const ask = document.querySelector('{ASK}');
  const asking = () => setTimeout(() => {{ ask.disabled = true; }});
  ask.addEventListener('click', asking);
  document.querySelector('{QUESTION_BOX}').addEventListener('keydown', (event) => {{
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) asking();
  }});
  document.addEventListener('click', (event) => {{
    if (event.target.closest?.('{RETRY}')) asking();
  }});
  new MutationObserver(() => {{
    const next = document.querySelector('{NEXT_STAGE}');
    if (next) next.disabled = !document.querySelector('{STAGES} .paused');
  }}).observe(document.querySelector('{LATEST_ANSWER}'), {{childList: true, subtree: true}});
  const shownText = {SHOWN_TEXT_JS};
  let copyingMessage = false;
  document.addEventListener('click', (event) => {{
    copyingMessage = Boolean(event.target.closest?.('{COPY_MESSAGE}'));
    setTimeout(() => {{ copyingMessage = false; }});
  }}, true);
  const writeText = navigator.clipboard?.writeText.bind(navigator.clipboard);
  if (writeText) navigator.clipboard.writeText = (text) => writeText(copyingMessage ? shownText(text) : text);
  document.querySelector('{CHAT_LOG}')?.setAttribute('aria-label', 'Conversation');
  const quietArrows = () => document.querySelectorAll('{THOUGHT_ARROWS}:not([aria-hidden])').forEach((arrow) => {{
    arrow.setAttribute('aria-hidden', 'true');
    arrow.disabled = true;
  }});
  new MutationObserver(quietArrows).observe(document.querySelector('{CHAT}'), {{childList: true, subtree: true}});
  document.querySelector('{QUESTION_BOX}')?.setAttribute('aria-describedby', '{QUESTION_HINT.id}');
}}"""
# Ask is enabled again when the answer has ended (`app.py`); the page's script disables it.
ANSWERED_JS = f"() => {{ document.querySelector('{ASK}').disabled = false; }}"
# Presenter mode is a class on the page's root element, so the stylesheet can resize Gradio's own text
# (its theme's sizes are variables set there); the address carries it (?presenter) for a bookmark.
PRESENTER_PARAMETER = "presenter"
PRESENTER_FROM_ADDRESS_JS = f"""() => {{
  const value = new URLSearchParams(location.search).get('{PRESENTER_PARAMETER}');
  return value !== null && !['0', 'false', 'off', 'no'].includes(value.toLowerCase());
}}"""
PRESENTER_SWITCH_JS = f"""(on) => {{
  document.documentElement.classList.toggle('{PRESENTER_PARAMETER}', on);
  const address = new URL(location.href);
  if (on) address.searchParams.set('{PRESENTER_PARAMETER}', '1');
  else address.searchParams.delete('{PRESENTER_PARAMETER}');
  history.replaceState(history.state, '', address);
}}"""
APPEARANCE: dict[str, Any] = {"theme": THEME, "css_paths": [STYLESHEET], "js": PAGE_JS}


# How the conversation is displayed, shared with the benchmark's bare chatbot so that the two are
# drawn alike: as text rather than Markdown (so citations read, and copy, as written: `[1]`), each
# message in a bubble of its own (so an answer's copy button copies the answer, not its status log),
# no LaTeX, no HTML tags, no feedback.
def conversation_display(*buttons: gr.Button) -> dict[str, Any]:
    """`gr.Chatbot(**conversation_display(…))`: a copy button on each message, `buttons` above them."""
    return {
        "height": 480,
        "buttons": ["copy", *buttons],
        "render_markdown": False,
        "group_consecutive_messages": False,
        "feedback_options": None,
        "latex_delimiters": [],
        "allow_tags": False,
    }


# Gradio's own "copy all" would copy each status log as an answer and the messages escaped for display.
COPY_CONVERSATION_LABEL = "Copy conversation"
COPY_CONVERSATION_JS = f"""(messages) => {{
  const written = {SHOWN_TEXT_JS};
  const text = ({{content}}) => typeof content === 'string' ? content : content.map((part) => part.text ?? '').join('');
  navigator.clipboard.writeText(messages
    .filter((message) => !message.metadata?.title)
    .map((message) => `${{message.role === 'user' ? 'Question' : 'Answer'}}: ${{written(text(message))}}`)
    .join('\\n\\n'));
  const button = document.querySelector('{CHAT} button[aria-label="{COPY_CONVERSATION_LABEL}"]');
  button?.classList.add('copied');
  setTimeout(() => button?.classList.remove('copied'), 1500);
}}"""
