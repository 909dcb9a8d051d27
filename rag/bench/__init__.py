"""`python -m rag bench`: side-by-side ratios of the library against what it is built on.

Each figure is the ratio of two sides measured in the same run, interleaved and repeated, with
medians taken: the library against the bare model (parts 1–3, `rag.bench.core`), the launched app
against an echo endpoint of the same app and a whole answer against a streamed one (part 4,
`rag.bench.web`), and 30 concurrent clients against one (part 5, `rag.bench.crowd`).
"""
