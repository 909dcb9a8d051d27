"""The Ask tab's parts around its conversation: the question bar under it, and two folded panels,
the answer's settings and the visitor's own documents (an upload, its progress log and what the
questions search now).

The question bar's buttons and the settings are wired by app.py (the settings are the inputs of
every answering event, on the Ask tab and the teaching tabs); the documents panel wires its own events.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from rag.config import RETRIEVAL_MODES, STREAM_MODES
from rag.web import handlers, page
from rag.web.handlers import BACKENDS, DEFAULT_WORDS_PER_SECOND, MAX_TOP_K, MAX_WORDS_PER_SECOND, SETTINGS
from rag.web.render import NOTICE_TEMPLATE, corpus_summary, log_template


@dataclass(frozen=True)
class QuestionBar:
    question: gr.Textbox
    ask: gr.Button
    stop: gr.Button
    next_stage: gr.Button  # shown while the answer steps through the pipeline
    upload_notice: gr.HTML  # says when an upload arrives or is refused


def question_bar() -> QuestionBar:
    """The question box and its buttons, with a hint under them."""
    with gr.Row():
        question = gr.Textbox(
            label="Question",
            show_label=False,
            placeholder="Ask the documents a question",
            container=False,
            scale=6,
            min_width=150,
            elem_id=page.QUESTION.id,
        )
        ask = gr.Button("Ask", variant="primary", scale=0, min_width=72, elem_id=page.ASK.id)
        stop = gr.Button("Stop", variant="stop", scale=0, min_width=72, elem_id=page.STOP.id)
        next_stage = gr.Button(
            "Next stage", scale=0, min_width=140, visible=False, interactive=False, elem_id=page.NEXT_STAGE.id
        )
    with gr.Row():
        gr.HTML(
            "Press Enter to ask; while an answer is written, Ask waits for it. Stop ends the answer "
            "and keeps what it has written; Retry and Clear are on the conversation.",
            elem_id=page.QUESTION_HINT.id,
            js_on_load=None,
        )
        upload_notice = gr.HTML("", html_template=NOTICE_TEMPLATE, elem_id=page.UPLOAD_NOTICE.id, js_on_load=None)
    return QuestionBar(question, ask, stop, next_stage, upload_notice)


@dataclass(frozen=True)
class AnswerSettings:
    top_k: gr.Slider
    words_per_second: gr.Slider
    mode: gr.Radio
    stream_mode: gr.Radio
    backend: gr.Dropdown
    step_through: gr.Checkbox

    @property
    def answering(self) -> list[gr.components.Component]:
        """The inputs an answer reads after its question (and conversation), in the handlers' order."""
        return [self.top_k, self.mode, self.stream_mode, self.words_per_second, self.backend]


def settings_panel() -> AnswerSettings:
    with gr.Accordion("Settings", open=False):
        with gr.Row():
            top_k = gr.Slider(1, MAX_TOP_K, value=SETTINGS.top_k, step=1, label="Passages to retrieve (top-k)")
            words_per_second = gr.Slider(
                0,
                MAX_WORDS_PER_SECOND,
                value=DEFAULT_WORDS_PER_SECOND,
                step=1,
                label="Typewriter pacing (words per second, 0 = as fast as produced)",
                elem_id=page.PACING.id,
            )
        with gr.Row():
            mode = gr.Radio(list(RETRIEVAL_MODES), value=SETTINGS.mode, label="Retrieval")
            stream_mode = gr.Radio(list(STREAM_MODES), value=SETTINGS.stream, label="Streaming")
            backend = gr.Dropdown(BACKENDS, value=BACKENDS[0], label="Answer backend")
        step_through = gr.Checkbox(
            label="Step through the pipeline: pause after each stage (embedding, dense, BM25, fusion, "
            "rerank, the answer's plan) until Next stage is pressed",
            elem_id=page.STEP_THROUGH.id,
        )
    return AnswerSettings(top_k, words_per_second, mode, stream_mode, backend, step_through)


def documents_panel(upload_notice: gr.HTML) -> None:
    """Uploads for this browser tab only; `upload_notice`, beside the question box, says when one
    arrives or is refused."""
    with gr.Accordion("Your documents", open=False):
        gr.Markdown(
            f"Add `.md`, `.txt` or `.pdf` files: up to {SETTINGS.max_upload_files} files in this tab in all, "
            f"each at most {SETTINGS.max_upload_mb} MB, with {SETTINGS.max_upload_chars:,} characters of text "
            "together. Only questions from this browser tab search them."
        )
        uploads = gr.File(label="Upload documents", file_count="multiple", elem_id=page.UPLOADS.id)
        upload_status = gr.HTML(
            "",
            html_template=log_template("Upload progress", page.UPLOAD_LOG_LABEL.id),
            elem_id=page.UPLOAD_LOG.id,
            js_on_load=None,
        )
        with gr.Row():
            corpus_info = gr.HTML(corpus_summary(None), elem_id=page.CORPUS_INFO.id, js_on_load=None)
            shipped_button = gr.Button("Use shipped corpus", size="sm", scale=0, min_width=160)
    uploads.upload(
        handlers.add_documents,
        [uploads],
        [upload_status, upload_notice, uploads, corpus_info],
        concurrency_limit=handlers.UPLOAD_CONCURRENCY,
        show_progress="hidden",
        api_visibility="private",
    )
    shipped_button.click(
        handlers.use_shipped_corpus,
        outputs=[upload_status, corpus_info],
        concurrency_limit=None,
        api_visibility="private",
    )
