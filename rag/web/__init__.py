"""The web layer: what the Gradio app is made of, apart from its layout and wiring (app.py).

`import rag` does not load this package, and it is the only part of `rag` that imports gradio:

- `answer`: one answer on a worker thread, folded into what its reader sees;
- `updates`: how often a reader's page is updated, and with what;
- `render`: the HTML and Markdown the page shows (pure functions);
- `sessions`: what each open browser session holds, freed when it ends;
- `page`: the page's element ids and selectors, theme, stylesheet (`app.css`) and script.
"""
