"""Test documents whose sentences are wrapped over lines: a multi-page PDF written with fpdf2 and a
hard-wrapped text file, both telling the same short history of a harbour town.

The facts the tests ask about sit where the line breaks cut them: the PDF wraps its sentences
"…first lit on 14 / March 1871." and "…in the cooperage behind the / old customs house…" (the
lines were chosen with fpdf2's own line breaking; `test_corpus` checks pypdf returns them so),
breaks "extraordi- / nary" with a hyphen at a line end, and puts a bold heading right after the
cooperage paragraph. Each page has a running header and a page number.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from fpdf import FPDF

RUNNING_HEADER = "Harbour Town: A Short History"
HEADINGS = ("The Harbour Lighthouse", "The Cooperage", "The Great Fire", "Rebuilding the Quay")
LIGHTHOUSE = (
    "Ships had been lost on the skerries north of the town for as long as anyone could remember, and the "
    "harbour board argued for years about the cost of a light and about who should pay for the oil, the glass "
    "and a keeper. The lighthouse on the northern headland was designed by the engineer Oddny Fjellstad and "
    "first lit on 14 March 1871. Its lamp burned whale oil until the board replaced it with paraffin in 1890, "
    "and a keeper lived with his family in the cottage beside the tower."
)
COOPERAGE = (
    "For most of the century the coopers were the busiest trade on the waterfront, since every catch of "
    "herring left the harbour salted in wooden casks that were made by hand. Barrels were made in the "
    "cooperage behind the old customs house, where three families worked side by side. The noise of forty "
    "hammers was an extraordinary sight and sound, and children were sent there to fetch shavings for the stoves."
)
FIRE = (
    "The fire of 1902 started in a net loft on the west pier during a dry easterly gale. It spread along the "
    "wooden sheds faster than the volunteers could carry water, and by morning the whole of the old waterfront "
    "was ash."
)
QUAY = "The new stone quay was opened by the mayor Halvard Rudd in the summer of 1905."


def records(seed: int, sentences: int = 7) -> str:
    """A paragraph of harbour records, different for each seed, that no test asks about."""
    templates = (
        "In {year} the harbour master counted {a} fishing boats and {b} merchant ships tied up along the quay.",
        "The winter of {year} was remembered for its ice, which closed the inner basin for {c} weeks.",
        "Fish prices at the market rose by {c} per cent that year, and the board raised the mooring fee to match.",
        "A warehouse for salt and rope was built on the east pier in {year}, with room for {a} tons of goods.",
        "The ferry to the islands made {b} crossings in {year}, carrying mail, sheep and the doctor.",
    )
    return " ".join(
        templates[(seed + i) % len(templates)].format(
            year=1850 + (seed * 7 + i * 3) % 55, a=20 + (seed * 13 + i * 7) % 90, b=3 + (seed + i) % 12, c=2 + i
        )
        for i in range(sentences)
    )


def _sections() -> list[tuple[str, list[str]]]:
    cooperage = COOPERAGE.replace("extraordinary", "extraordi-\nnary")  # where the line ends (see docstring)
    return [
        (HEADINGS[0], [LIGHTHOUSE, records(1), records(2)]),
        (HEADINGS[1], [records(3), cooperage]),
        (HEADINGS[2], [FIRE, records(4), records(5), records(6), records(7)]),
        (HEADINGS[3], [records(8), QUAY, records(9), records(10), records(11), records(12)]),
    ]


class _HarbourPdf(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", "I", 9)
        self.cell(0, 8, RUNNING_HEADER, align="C", new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=9)
        self.cell(0, 10, str(self.page_no()), align="C")


def write_pdf(path: Path) -> Path:
    """The history as an A4 PDF: bold headings, 11 pt paragraphs wrapped by fpdf2, at least 3 pages."""
    pdf = _HarbourPdf(format="A4")
    pdf.add_page()
    for heading, paragraphs in _sections():
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(0, 10, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    pdf.output(str(path))
    return path


def write_text(path: Path) -> Path:
    """The history as a text file wrapped at 72 columns: each heading on a line of its own right above
    its text, and no blank line between the paragraphs of a section or around its list."""
    parts = [RUNNING_HEADER.upper(), ""]
    for n, (heading, paragraphs) in enumerate(_sections()):
        parts += ["", heading] if n else [heading]
        parts += [textwrap.fill(p.replace("-\n", ""), 72) for p in paragraphs]
        if n == 1:
            parts += ["The tools of the trade were:", "- a croze for cutting the groove", "- a sun plane", "- an adze"]
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path
