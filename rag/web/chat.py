"""The conversation: each answer as a chat turn, and the earlier questions a follow-up is read against.

A turn is three messages in the chat value Gradio's chatbot shows (OpenAI-style role/content
dicts): the question, a "thought" holding the answer's status log (its title the latest status
line, pending while it works, done and collapsed after), then the answer. The thought and the
answer only grow while the answer streams, so Gradio sends them as appends. The history lives in
the browser's chat value (or the API client's list); `asked_before` reads the earlier questions
back from it, whichever the form, and `answered_before` the earlier answers.
"""

from __future__ import annotations

from typing import Any

from rag.errors import RagError
from rag.web.answer import AnswerView
from rag.web.render import chat_text, unescaped

MAX_CHAT_MESSAGES = 1000  # a longer history is refused; a follow-up is read against the last few questions only
ROLES = ("user", "assistant", "system")


class BadHistory(RagError):
    """A chat history that is not a list of role/content messages; the message says what is wrong."""


def thought(view: AnswerView) -> dict[str, Any]:
    """The answer's status log as a thought: titled by its latest line, its lines with their times."""
    lines = [line.strip() for line in view.status.splitlines()]
    metadata: dict[str, Any] = {"title": chat_text(lines[-1].split("  ", 1)[-1] if lines else "Waiting…")}
    if view.finished:
        metadata |= {"status": "done", "duration": round(view.seconds, 2)}
    else:
        metadata["status"] = "pending"
    return {"role": "assistant", "content": chat_text("\n".join(lines)), "metadata": metadata}


def turn(question: str, view: AnswerView) -> list[dict[str, Any]]:
    """One question and its answer so far, as chat messages: the question, the thought, the answer
    (once it has text)."""
    messages = [{"role": "user", "content": chat_text(question)}, thought(view)]
    if view.answer:
        messages.append({"role": "assistant", "content": chat_text(view.answer)})
    return messages


def asked_before(history: Any, *, shown: bool = False) -> list[str]:
    """The text of the user messages in `history` (OpenAI-style role/content dicts), oldest first.

    `shown`: the history is the page's chat value, whose messages are escaped for display (`chat_text`).
    Raises BadHistory for anything but a list of at most MAX_CHAT_MESSAGES such messages.
    """
    questions = []
    for number, message in _checked(history):
        if message["role"] == "user":
            text = message_text(message["content"])
            if text is None:
                raise BadHistory(f"Message {number} of the history: a user message's content must be text.")
            questions.append(unescaped(text) if shown else text)
    return questions


def answered_before(history: Any, *, shown: bool = False) -> list[str]:
    """The text of the answers in `history`, oldest first: the assistant messages that are text and
    not a thought (a message with metadata). `shown` and BadHistory as for `asked_before`."""
    answers = []
    for _, message in _checked(history):
        text = message_text(message["content"])
        if message["role"] == "assistant" and not message.get("metadata") and text is not None:
            answers.append(unescaped(text) if shown else text)
    return answers


def _checked(history: Any) -> list[tuple[int, dict[str, Any]]]:
    """The messages of `history`, numbered from 1; BadHistory if it is not a list of at most
    MAX_CHAT_MESSAGES role/content dicts."""
    if not isinstance(history, list):
        raise BadHistory("The history must be a list of messages ({'role': 'user', 'content': '…'}).")
    if len(history) > MAX_CHAT_MESSAGES:
        raise BadHistory(f"The history has {len(history):,} messages; at most {MAX_CHAT_MESSAGES:,} are accepted.")
    for number, message in enumerate(history, start=1):
        if not isinstance(message, dict) or message.get("role") not in ROLES or "content" not in message:
            raise BadHistory(
                f"Message {number} of the history is not a message: each must be a dict with 'role' "
                f"({', '.join(ROLES)}) and 'content'."
            )
    return list(enumerate(history, start=1))


def message_text(content: Any) -> str | None:
    """A message's text: the content itself, or its text parts joined ([{"type": "text", "text": …}]);
    None if it is neither."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(
        isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str) for part in content
    ):
        return " ".join(part["text"] for part in content)
    return None


def last_question(history: list[dict[str, Any]]) -> int | None:
    """The index of the last user message in the page's chat value (None if there is none)."""
    return next((i for i in range(len(history) - 1, -1, -1) if history[i].get("role") == "user"), None)
