"""Streaming RAG, the web app: ask the documents and watch retrieval and the answer arrive as they happen.

The Ask tab is a conversation, each answer one fold over `rag.stream_answer`'s events (see
`rag.web.answer.AnswerRun`): the question, its status log as a "thought" that grows line by line with
the time since the question and collapses when done, the answer as it streams; beside it the latest
answer's sources with the sentences it used, and charts of the scores and of where the time went.
A follow-up is read against the conversation's earlier questions, which live in the browser's chat
value (and in an API client's history for `/chat`). A second tab asks the same question twice,
waiting for the whole answer and streaming it, to show what streaming does to the time until the
first words appear.

This file is the Ask tab's layout and the wiring of its events. Its folded settings and documents
panels are built by `rag.web.panels`, the teaching tabs beside it by `rag.web.tabs`; what each event
does is in `rag.web.handlers`, and what the page shows, how often it is updated and what each session
holds in the rest of `rag.web`. Importing it builds `demo` without loading the model or the index:
both load when the first page opens or the first question is asked (or in the background when run as
`python app.py`), so tests can launch it on any port. A line under the title follows the loading
until it says Ready.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import threading

import gradio as gr

from rag.web import handlers, page, panels
from rag.web.handlers import SETTINGS
from rag.web.page import APPEARANCE
from rag.web.render import NOTICE_TEMPLATE
from rag.web.tabs import comparison_tab, inspector_tab, lab_tab

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
                    copy_conversation = gr.Button(page.COPY_CONVERSATION_LABEL, render=False)
                    conversation = gr.Chatbot(
                        label="Conversation",
                        elem_id=page.CHAT.id,
                        placeholder="Ask the documents a question; a follow-up question builds on the conversation.",
                        **page.conversation_display(copy_conversation),
                    )
                    bar = panels.question_bar()
                with gr.Column(scale=2, min_width=280, elem_id=page.LATEST_ANSWER.id):
                    drawings = gr.HTML(js_on_load=None)
            settings = panels.settings_panel()
            panels.documents_panel(bar.upload_notice)
            examples = handlers.load_examples()
            if examples:
                gr.Examples([[example] for example in examples], inputs=[bar.question], label="Example questions")
        comparison_tab(settings)
        inspector_tab(conversation, settings)
        lab_tab(conversation, settings)

    # The page's events are not API endpoints; most draw no progress overlay, which would hide the status log.
    quiet = {"show_progress": "hidden", "api_visibility": "private"}
    answering = {"concurrency_limit": handlers.ASK_CONCURRENCY, "concurrency_id": "answer"}
    # The handlers read the chat messages as the page sends them and check every setting, so Gradio's
    # preprocessing (a thread hop per input) is skipped: the first status line leaves ~3 ms sooner.
    chat_outputs = [conversation, bar.question, drawings]
    ask_event = gr.on(
        [bar.ask.click, bar.question.submit],
        handlers.answer_in_chat,
        [bar.question, conversation, *settings.answering, settings.step_through],
        chat_outputs,
        preprocess=False,
        **quiet,
        **answering,
    )
    retry_event = conversation.retry(
        handlers.retry_in_chat,
        [conversation, *settings.answering, settings.step_through],
        chat_outputs,
        preprocess=False,
        **quiet,
        **answering,
    )
    for answered in (ask_event, retry_event):  # `.then` does not follow an event that failed
        answered.then(None, js=page.ANSWERED_JS, **quiet)
        answered.failure(None, js=page.ANSWERED_JS, **quiet)
    # Stop lets the answering event send the stopped turn; Clear cancels it, so nothing is sent after it.
    bar.stop.click(handlers.stop, concurrency_limit=None, **quiet)
    bar.next_stage.click(handlers.next_stage, concurrency_limit=None, **quiet)
    settings.step_through.change(
        handlers.step_through_switched, [settings.step_through], [bar.next_stage], concurrency_limit=None, **quiet
    )
    conversation.clear(
        handlers.clear,
        outputs=[conversation, drawings],
        cancels=[ask_event, retry_event],
        concurrency_limit=None,
        **quiet,
    ).then(None, js=page.ANSWERED_JS, **quiet)
    copy_conversation.click(None, [conversation], js=page.COPY_CONVERSATION_JS, **quiet)
    conversation.select(handlers.show_chosen_answer, [conversation], [drawings], concurrency_limit=None, **quiet)
    gr.api(handlers.ask, api_name="ask", **answering)
    gr.api(handlers.chat, api_name="chat", **answering)
    demo.load(handlers.warming_up, outputs=[warm_up_state], concurrency_limit=None, **quiet)
    presenter.change(None, [presenter], js=page.PRESENTER_SWITCH_JS, show_progress="hidden")
    demo.load(None, outputs=[presenter], js=page.PRESENTER_FROM_ADDRESS_JS, show_progress="hidden")
    demo.unload(handlers.end_session)

demo.queue(default_concurrency_limit=4, max_size=4 * handlers.ASK_CONCURRENCY)

if __name__ == "__main__":
    threading.Thread(target=handlers.warm_up, name="rag-warm-up", daemon=True).start()
    demo.launch(ssr_mode=False, max_file_size=f"{4 * SETTINGS.max_upload_mb}mb", **APPEARANCE)
