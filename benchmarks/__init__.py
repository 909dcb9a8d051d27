"""`python -m benchmarks`: side-by-side ratios of the library against what it is built on.

Each figure is the ratio of two sides measured in the same run, interleaved and repeated, with
medians taken: the library against the bare model (parts 1–3, `benchmarks.core`), the launched app
against an echo endpoint of the same app and a whole answer against a streamed one (part 4,
`benchmarks.web`), 30 concurrent clients against one (part 5, `benchmarks.crowd`), and a fresh
app's first answer against a bare start (part 6, `benchmarks.startup`).

The benchmark sits above the app, beside the library: it launches app.py and drives it through
gradio_client and Playwright, which `import rag` never loads. The tests share its scripted LLM server
(`benchmarks.fake_llm`), its client (`benchmarks.client`) and `benchmarks.local`.
"""
