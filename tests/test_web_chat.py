"""The conversation as chat messages, without a browser: each turn's thought and answer, and the
earlier questions read back from a history (the page's chat value or an API client's list)."""

from __future__ import annotations

import gradio as gr
import pytest

from rag.web.answer import AnswerView
from rag.web.chat import MAX_CHAT_MESSAGES, BadHistory, answered_before, asked_before, last_question, turn
from rag.web.render import chat_text, unescaped

LOG = "    +3 ms  Searching for: drawbacks of HNSW\n   +14 ms  Found 5 passages (11 ms)"


def view(status: str = LOG, answer: str = "", *, finished: bool = False, stopped: bool = False) -> AnswerView:
    return AnswerView(status, answer, (), {}, "", stopped, finished, 1.234)


def test_a_pending_turn_is_the_question_and_an_open_thought_titled_by_its_latest_line():
    question, thought = turn("What are its drawbacks?", view())
    assert question == {"role": "user", "content": "What are its drawbacks?"}
    assert thought["metadata"] == {"title": "Found 5 passages (11 ms)", "status": "pending"}
    assert thought["content"] == "+3 ms  Searching for: drawbacks of HNSW\n+14 ms  Found 5 passages (11 ms)"


def test_a_finished_turn_has_a_done_thought_with_its_duration_then_the_answer():
    _, thought, answer = turn("Why?", view(LOG + "\n  +1.23 s  Done", "HNSW uses memory [1].", finished=True))
    assert thought["metadata"] == {"title": "Done", "status": "done", "duration": 1.23}
    assert answer == {"role": "assistant", "content": "HNSW uses memory [1]."}


def test_a_stopped_turn_keeps_its_words_and_says_it_stopped():
    stopped = view(LOG + "\n  +900 ms  Stopped after 3 words", "HNSW uses memory", finished=True, stopped=True)
    _, thought, answer = turn("Why?", stopped)
    assert thought["metadata"]["title"] == "Stopped after 3 words" and thought["metadata"]["status"] == "done"
    assert answer["content"] == "HNSW uses memory"


def test_a_growing_answer_grows_its_messages_by_appends():
    earlier = turn("Why?", view(LOG, "HNSW uses"))
    later = turn("Why?", view(LOG + "\n  +20 ms  Generating…", "HNSW uses memory"))
    for before, after in zip(earlier[1:], later[1:], strict=True):
        assert after["content"].startswith(before["content"]), (before, after)


def test_questions_thoughts_and_answers_show_tags_as_text_and_brackets_as_written():
    question, thought, answer = turn(
        "<img src=x> ![a](http://x/)", view("  +1 ms  Searching for: <b>[x]</b>", "a<i>b</i> [1]")
    )
    assert question["content"] == "&lt;img src=x&gt; ![a](http://x/)"
    assert thought["metadata"]["title"] == "Searching for: &lt;b&gt;[x]&lt;/b&gt;"
    assert answer["content"] == "a&lt;i&gt;b&lt;/i&gt; [1]"


@pytest.mark.parametrize("text", ["a < b & c > d", "[1] and \\[2\\]", "&lt; literally", "plain"])
def test_a_shown_question_reads_back_as_written(text):
    assert unescaped(chat_text(text)) == text


def test_the_earlier_questions_are_the_user_messages_text_in_any_form():
    history = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is HNSW?"},
        {"role": "assistant", "content": "A graph index.", "metadata": {"title": "Done"}},
        {"role": "user", "content": [{"type": "text", "text": "And IVF?"}]},
    ]
    assert asked_before(history) == ["What is HNSW?", "And IVF?"]
    assert asked_before([{"role": "user", "content": "a &lt; b [1] \\[2\\]"}], shown=True) == ["a < b [1] \\[2\\]"]
    assert last_question(history) == 3 and last_question([]) is None


def test_the_earlier_answers_are_the_assistant_messages_that_are_not_thoughts():
    """In the page's chat value as Gradio hands it to the handler: text parts, no metadata on an answer."""
    finished = view(LOG + "\n  +1.23 s  Done", "HNSW uses *memory* [1].", finished=True)
    page_value = gr.Chatbot().preprocess(
        gr.Chatbot().postprocess([*turn("What is HNSW?", finished), *turn("Why?", view())])
    )
    assert answered_before(page_value, shown=True) == ["HNSW uses *memory* [1]."]
    api_history = [{"role": "user", "content": "What is HNSW?"}, {"role": "assistant", "content": "A graph index."}]
    assert answered_before(api_history) == ["A graph index."]


@pytest.mark.parametrize(
    ("history", "says"),
    [
        ("What is HNSW?", "must be a list"),
        ({"role": "user"}, "must be a list"),
        (["What is HNSW?"], "Message 1 of the history is not a message"),
        ([{"role": "user", "content": "a"}, {"role": "robot", "content": "b"}], "Message 2"),
        ([{"content": "a"}], "Message 1"),
        ([{"role": "user", "content": {"text": "a"}}], "a user message's content must be text"),
        ([{"role": "user", "content": "a"}] * (MAX_CHAT_MESSAGES + 1), f"at most {MAX_CHAT_MESSAGES:,}"),
    ],
)
def test_a_history_that_is_not_a_list_of_messages_is_refused_saying_why(history, says):
    with pytest.raises(BadHistory, match=says):
        asked_before(history)
