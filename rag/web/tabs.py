"""The teaching tabs beside Ask, each its layout and its one event: the same question answered with and
without streaming, the prompt a language model would receive, and one question searched three ways.

Each is built inside the page's `gr.Tabs()` and reads the Ask tab's settings (and conversation) as its
inputs, so it shows what the Ask tab would do with them.
"""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from rag.web import handlers, page
from rag.web.panels import AnswerSettings


def question_row(placeholder: str, box: page.Element, label: str, button: page.Element) -> tuple[gr.Textbox, gr.Button]:
    """A tab's own question box and the button that asks it, in one row."""
    with gr.Row():
        asked = gr.Textbox(
            show_label=False, placeholder=placeholder, container=False, scale=6, min_width=150, elem_id=box.id
        )
        go = gr.Button(label, variant="primary", scale=0, min_width=120, elem_id=button.id)
    return asked, go


def comparison_tab(settings: AnswerSettings) -> None:
    with gr.Tab("With vs without streaming"):
        gr.Markdown(
            "The same question, answered twice at the same time with the Ask tab's settings: the left pane "
            "waits for the whole answer, the right one shows each word as it is produced. Compare the time "
            "until the first text appears. The typewriter pacing stands in for the speed of a language model."
        )
        question, button = question_row(
            "A question to answer both ways", page.COMPARE_QUESTION, "Run both", page.RUN_BOTH
        )
        with gr.Row():
            with gr.Column(min_width=280):
                gr.Markdown("#### Without streaming (waits for the whole answer)")
                whole_info = gr.HTML(elem_id=page.WHOLE_INFO.id, elem_classes=["pane-info"], js_on_load=None)
                whole_answer = gr.Markdown(elem_id=page.WHOLE_ANSWER.id, container=True)
            with gr.Column(min_width=280):
                gr.Markdown("#### With streaming (word by word)")
                streamed_info = gr.HTML(elem_id=page.STREAMED_INFO.id, elem_classes=["pane-info"], js_on_load=None)
                streamed_answer = gr.Markdown(elem_id=page.STREAMED_ANSWER.id, container=True)
    gr.on(
        [button.click, question.submit],
        handlers.compare,
        [question, settings.top_k, settings.mode, settings.words_per_second, settings.backend],
        [whole_info, whole_answer, streamed_info, streamed_answer],
        show_progress="hidden",
        concurrency_limit=handlers.ASK_CONCURRENCY // 2,
        api_visibility="private",
    )


def inspector_tab(conversation: gr.Chatbot, settings: AnswerSettings) -> None:
    view_tab(
        "Prompt inspector",
        "The exact messages a language model receives for a question, with the Ask tab's settings, "
        "conversation and documents: the rules, each retrieved passage in its fence, the question, "
        "each part's tokens against the context budget, and the passages dropped to fit.",
        ("A question to build the prompt for", page.INSPECT_QUESTION, "Show the prompt", page.INSPECT),
        page.PROMPT,
        handlers.show_prompt,
        [conversation, settings.top_k, settings.mode, settings.backend],
    )


def lab_tab(conversation: gr.Chatbot, settings: AnswerSettings) -> None:
    view_tab(
        "Retrieval lab",
        "One question searched three ways at once, with the Ask tab's conversation and documents: dense "
        "(embeddings), lexical (BM25) and hybrid (both, fused). A passage keeps its letter and colour in "
        "every column; under each ranking, the extractive answer it gives.",
        ("A question to search three ways", page.LAB_QUESTION, "Compare", page.COMPARE_RETRIEVERS),
        page.LAB,
        handlers.show_rankings,
        [conversation, settings.top_k],
    )


def view_tab(
    name: str,
    about: str,
    row: tuple[str, page.Element, str, page.Element],
    view: page.Element,
    show: Callable[..., str],
    inputs: list[gr.components.Component],
) -> None:
    """A tab that shows one HTML `view` of a question asked in its own `row` (see `question_row`),
    drawn by `show` from the question and the Ask tab's `inputs`."""
    with gr.Tab(name):
        gr.Markdown(about)
        question, button = question_row(*row)
        shown = gr.HTML(elem_id=view.id, js_on_load=None)
    gr.on([button.click, question.submit], show, [question, *inputs], [shown], api_visibility="private")
