"""Streaming RAG, the web app: ask the documents and watch retrieval and the answer arrive as they happen.

The Ask tab is a conversation, each answer one fold over `rag.stream_answer`'s events (see
`rag.web.answer.AnswerRun`): the question, its status log as a "thought" that grows line by line with
the time since the question and collapses when done, the answer as it streams; beside it the latest
answer's sources with the sentences it used, and charts of the scores and of where the time went.
A follow-up is read against the conversation's earlier questions, which live in the browser's chat
value (and in an API client's history for `/chat`). A second tab asks the same question twice,
waiting for the whole answer and streaming it, to show what streaming does to the time until the
first words appear.

This file is the layout and its wiring; what each event does is in `rag.web.handlers`, and what the
page shows, how often it is updated and what each session holds in the rest of `rag.web`. Importing
it builds `demo` without loading the model or the index: both load when the first page opens or the
first question is asked (or in the background when run as `python app.py`), so tests can launch it
on any port. A line under the title follows the loading until it says Ready.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import threading

import gradio as gr

from rag.config import RETRIEVAL_MODES, STREAM_MODES
from rag.web import page
from rag.web.handlers import (
    ASK_CONCURRENCY,
    BACKENDS,
    DEFAULT_WORDS_PER_SECOND,
    MAX_TOP_K,
    MAX_WORDS_PER_SECOND,
    SETTINGS,
    UPLOAD_CONCURRENCY,
    add_documents,
    answer_in_chat,
    ask,
    chat,
    clear,
    compare,
    end_session,
    load_examples,
    next_stage,
    retry_in_chat,
    show_chosen_answer,
    show_prompt,
    show_rankings,
    stop,
    use_shipped_corpus,
    warm_up,
    warming_up,
)
from rag.web.page import APPEARANCE
from rag.web.render import NOTICE_TEMPLATE, corpus_summary, log_template


def question_row(placeholder: str, box: page.Element, label: str, button: page.Element) -> tuple[gr.Textbox, gr.Button]:
    """A tab's own question box and the button that asks it, in one row."""
    with gr.Row():
        asked = gr.Textbox(
            show_label=False, placeholder=placeholder, container=False, scale=6, min_width=150, elem_id=box.id
        )
        go = gr.Button(label, variant="primary", scale=0, min_width=120, elem_id=button.id)
    return asked, go


# --- layout -----------------------------------------------------------------------------------

# Uploads are read once, when they arrive: Gradio may delete its copies after an hour (checked hourly).
with gr.Blocks(title="Streaming RAG", delete_cache=(3600, 3600)) as demo:
    gr.Markdown(
        "# Streaming RAG\nAsk the documents a question and watch the search and the answer arrive as they happen.",
        elem_classes=["app-header"],
    )
    with gr.Row(equal_height=True):
        warm_up_state = gr.HTML("", html_template=NOTICE_TEMPLATE, elem_id=page.WARM_UP.id, js_on_load=None)
        presenter = gr.Checkbox(
            label="Presenter mode (large text for a room)",
            elem_id=page.PRESENTER.id,
            scale=0,
            min_width=300,
            container=False,
        )
    with gr.Tabs():
        with gr.Tab("Ask"):
            with gr.Row():
                with gr.Column(scale=3, min_width=300):
                    conversation = gr.Chatbot(
                        label="Conversation",
                        elem_id=page.CHAT.id,
                        height=480,
                        placeholder="Ask the documents a question; a follow-up question builds on the conversation.",
                        buttons=["copy", "copy_all"],
                        feedback_options=None,
                        latex_delimiters=[],
                        allow_tags=False,
                    )
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
                        ask_button = gr.Button("Ask", variant="primary", scale=0, min_width=72, elem_id=page.ASK.id)
                        stop_button = gr.Button("Stop", variant="stop", scale=0, min_width=72, elem_id=page.STOP.id)
                        next_button = gr.Button(
                            "Next stage", scale=0, min_width=140, visible=False, elem_id=page.NEXT_STAGE.id
                        )
                    with gr.Row():
                        gr.HTML(
                            "Press Enter to ask. Stop ends the answer and keeps what it has written; "
                            "Retry and Clear are on the conversation.",
                            elem_id=page.QUESTION_HINT.id,
                            js_on_load=None,
                        )
                        upload_notice = gr.HTML(
                            "", html_template=NOTICE_TEMPLATE, elem_id=page.UPLOAD_NOTICE.id, js_on_load=None
                        )
                with gr.Column(scale=2, min_width=280, elem_id=page.LATEST_ANSWER.id):
                    drawings = gr.HTML(js_on_load=None)
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
            with gr.Accordion("Your documents", open=False):
                gr.Markdown(
                    f"Add `.md`, `.txt` or `.pdf` files (up to {SETTINGS.max_upload_files} files of "
                    f"{SETTINGS.max_upload_mb} MB, {SETTINGS.max_upload_chars:,} characters of text in all). "
                    "Only questions from this browser tab search them."
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
            examples = load_examples()
            if examples:
                gr.Examples([[example] for example in examples], inputs=[question], label="Example questions")
        with gr.Tab("With vs without streaming"):
            gr.Markdown(
                "The same question, answered twice at the same time with the Ask tab's settings: the left pane "
                "waits for the whole answer, the right one shows each word as it is produced. Compare the time "
                "until the first text appears. The typewriter pacing stands in for the speed of a language model."
            )
            compare_question, compare_button = question_row(
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

        with gr.Tab("Prompt inspector"):
            gr.Markdown(
                "The exact messages a language model receives for a question, with the Ask tab's settings, "
                "conversation and documents: the rules, each retrieved passage in its fence, the question, "
                "each part's tokens against the context budget, and the passages dropped to fit."
            )
            inspect_question_box, inspect_button = question_row(
                "A question to build the prompt for", page.INSPECT_QUESTION, "Show the prompt", page.INSPECT
            )
            prompt_view = gr.HTML(elem_id=page.PROMPT.id, js_on_load=None)

        with gr.Tab("Retrieval lab"):
            gr.Markdown(
                "One question searched three ways at once, with the Ask tab's conversation and documents: dense "
                "(embeddings), lexical (BM25) and hybrid (both, fused). A passage keeps its letter and colour in "
                "every column; under each ranking, the extractive answer it gives."
            )
            lab_question_box, lab_button = question_row(
                "A question to search three ways", page.LAB_QUESTION, "Compare", page.COMPARE_RETRIEVERS
            )
            lab_view = gr.HTML(elem_id=page.LAB.id, js_on_load=None)

    answer_settings_inputs = [top_k, mode, stream_mode, words_per_second, backend]
    chat_outputs = [question, conversation, drawings]
    ask_event = gr.on(
        [ask_button.click, question.submit],
        answer_in_chat,
        inputs=[question, conversation, *answer_settings_inputs, step_through],
        outputs=chat_outputs,
        show_progress="hidden",
        concurrency_limit=ASK_CONCURRENCY,
        concurrency_id="answer",
        api_visibility="private",
    )
    retry_event = conversation.retry(
        retry_in_chat,
        inputs=[conversation, *answer_settings_inputs, step_through],
        outputs=chat_outputs,
        show_progress="hidden",
        concurrency_limit=ASK_CONCURRENCY,
        concurrency_id="answer",
        api_visibility="private",
    )
    # Stop lets the answering event send the stopped turn; Clear cancels it, so nothing is sent after it.
    stop_button.click(stop, show_progress="hidden", concurrency_limit=None, api_visibility="private")
    next_button.click(next_stage, show_progress="hidden", concurrency_limit=None, api_visibility="private")
    step_through.change(
        lambda on: gr.Button(visible=on), inputs=[step_through], outputs=[next_button], api_visibility="private"
    )
    conversation.clear(
        clear,
        outputs=[conversation, drawings],
        cancels=[ask_event, retry_event],
        show_progress="hidden",
        concurrency_limit=None,
        api_visibility="private",
    )
    conversation.select(
        show_chosen_answer,
        inputs=[conversation],
        outputs=[drawings],
        show_progress="hidden",
        concurrency_limit=None,
        api_visibility="private",
    )
    gr.api(ask, api_name="ask", concurrency_limit=ASK_CONCURRENCY, concurrency_id="answer")
    gr.api(chat, api_name="chat", concurrency_limit=ASK_CONCURRENCY, concurrency_id="answer")
    gr.on(
        [compare_button.click, compare_question.submit],
        compare,
        inputs=[compare_question, top_k, mode, words_per_second, backend],
        outputs=[whole_info, whole_answer, streamed_info, streamed_answer],
        show_progress="hidden",
        concurrency_limit=ASK_CONCURRENCY // 2,
        api_visibility="private",
    )
    gr.on(
        [inspect_button.click, inspect_question_box.submit],
        show_prompt,
        inputs=[inspect_question_box, conversation, top_k, mode, backend],
        outputs=[prompt_view],
        api_visibility="private",
    )
    gr.on(
        [lab_button.click, lab_question_box.submit],
        show_rankings,
        inputs=[lab_question_box, conversation, top_k],
        outputs=[lab_view],
        api_visibility="private",
    )
    uploads.upload(
        add_documents,
        inputs=[uploads],
        outputs=[upload_status, upload_notice, uploads, corpus_info],
        show_progress="hidden",
        concurrency_limit=UPLOAD_CONCURRENCY,
        api_visibility="private",
    )
    shipped_button.click(
        use_shipped_corpus, outputs=[upload_status, corpus_info], concurrency_limit=None, api_visibility="private"
    )
    demo.load(
        warming_up, outputs=[warm_up_state], show_progress="hidden", concurrency_limit=None, api_visibility="private"
    )
    presenter.change(None, inputs=[presenter], js=page.PRESENTER_SWITCH_JS, show_progress="hidden")
    demo.load(None, outputs=[presenter], js=page.PRESENTER_FROM_ADDRESS_JS, show_progress="hidden")
    demo.unload(end_session)

demo.queue(default_concurrency_limit=4, max_size=4 * ASK_CONCURRENCY)

if __name__ == "__main__":
    threading.Thread(target=warm_up, name="rag-warm-up", daemon=True).start()
    demo.launch(ssr_mode=False, max_file_size=f"{4 * SETTINGS.max_upload_mb}mb", **APPEARANCE)
