"""Turn text read one printed line at a time (PDF pages, hard-wrapped .txt) back into paragraphs.

pypdf returns a PDF's text one line per printed line, and a hard-wrapped text file breaks its
sentences the same way, so splitting sentences at those line breaks quotes halves ("…first lit on
14"). `reflow` joins the lines of each paragraph with spaces, mends words hyphenated at a line end,
writes each heading as a Markdown heading (chunking makes it a section title, so answers never quote
it) and puts a blank line between blocks. `reflow_pages` does the same over all of a PDF's pages at
once, so a paragraph running over a page break stays whole, after dropping page numbers and running
headers and footers; each heading names its page ("## The Great Fire (page 3)"), and is repeated
with the new page before the first block that starts on a later page ("## Page 2" before any
heading), so every chunk of a PDF carries its page and the heading it comes under.

The rules prefer whole sentences to tidy paragraphs: a line that does not end a sentence always
joins the next one unless a blank line, a heading or a list item follows, so a wrong guess merges
two paragraphs instead of cutting a sentence.

- A blank line, a list item ("- ", "* ", "1. "…), a Markdown heading or a table row starts a block.
- A line that ends a sentence and would have had room for the next line's first word is the last
  line of its paragraph; so is a list item's line with room for it, unless the next line starts
  in lower case.
- A heading is a short line (at most 12 words and 60 % of the body text's width) that starts with a
  capital or a digit, has no end punctuation, comes after the end of a paragraph and is followed
  by body text that starts with a capital or a digit (another heading may come between). A
  numbered one ("1. Introduction") is a heading only away from other list items.
- "engi-" + "neer" becomes "engineer" when the next line starts in lower case; the hyphen stays
  when the word already had one ("state-of-the-" + "art") or the document writes the hyphenated
  word elsewhere on one line ("well-known").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice, takewhile

HEADING_MAX_WORDS = 12
HEADING_MAX_WIDTH = 0.6  # share of the body text's line width
# A line had room for the next word when both fit in this share of the body width: a wrapped line
# in a proportional font (PDF) holds fewer characters when its letters are wide.
ROOM_WIDTH = 0.8
# The body text's line width is this percentile of the line lengths, so that headings and last
# lines don't narrow it and a few long lines (URLs, tables) don't widen it.
WIDTH_PERCENTILE = 0.9
# A line among the top two (or bottom two) lines of this many pages (of every page of a shorter
# document, if it has two or more), digits aside, is a running header (or footer).
FURNITURE_PAGES = 3

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_END_PUNCTUATION = re.compile(r"[.!?…,;:][\"'”’)\]]*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s")
_ONE_LINE_BLOCK = re.compile(r"^(?:#{1,6}\s|\|)")  # a Markdown heading or a table row
_BROKEN_WORD = re.compile(r"([^\W\d_]+(?:-[^\W\d_]+)*)[-\u00ad]$")
_WORD_START = re.compile(r"[^\W\d_]+")
_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
_DECORATION = r"[\s\-–—|()\[\]]*"
_PAGE_NUMBER = re.compile(
    rf"^{_DECORATION}(?:page\s*)?\d{{1,4}}(?:\s*(?:of|/)\s*\d{{1,4}})?{_DECORATION}$", re.IGNORECASE
)
_OPENING = tuple("\"'“‘([")


@dataclass
class _Block:
    pieces: list[str]  # its lines and the spaces between them, joined once at the end
    page: int
    heading: bool = False

    @property
    def text(self) -> str:
        return "".join(self.pieces)


def reflow(text: str) -> str:
    """Hard-wrapped text as paragraphs and Markdown headings separated by blank lines."""
    blocks = _blocks(text.split("\n"), [0] * (text.count("\n") + 1))
    return "\n\n".join(f"## {block.text}" if block.heading else block.text for block in blocks)


def reflow_pages(pages: Sequence[str]) -> str:
    """A PDF's page texts as one reflowed text, its sections named after their heading and page."""
    lines, numbers = [], []
    for number, page in enumerate(_without_furniture(pages), 1):
        lines += page
        numbers += [number] * len(page)
    parts, page, heading = [], 0, ""
    for block in _blocks(lines, numbers):
        if block.heading:
            heading = block.text
        if block.heading or block.page > page:
            page = block.page
            parts.append(f"## {heading} (page {page})" if heading else f"## Page {page}")
        if not block.heading:
            parts.append(block.text)
    return "\n\n".join(parts)


def _blocks(raw_lines: Sequence[str], pages: Sequence[int]) -> list[_Block]:
    lines = [line.strip() for line in raw_lines]
    width = _body_width(lines)
    hyphenated = {word.lower() for line in lines if "-" in line for word in _HYPHENATED.findall(line)}
    blocks: list[_Block] = []
    open_paragraph = False  # the last block may go on with the next line
    for i, line in enumerate(lines):
        previous = lines[i - 1] if i else ""
        if not line:
            open_paragraph = False
        elif _is_heading(lines, i, width):
            blocks.append(_Block([line], pages[i], heading=True))
            open_paragraph = False
        elif open_paragraph and not _starts_block(blocks[-1].pieces[0], previous, line, width):
            _join(blocks[-1].pieces, line, hyphenated)
        else:
            blocks.append(_Block([line], pages[i]))
            open_paragraph = not _ONE_LINE_BLOCK.match(line)
    return blocks


def _body_width(lines: Sequence[str]) -> int:
    lengths = sorted(len(line) for line in lines if line)
    return lengths[int(WIDTH_PERCENTILE * (len(lengths) - 1))] if lengths else 0


def _had_room(line: str, following: str, width: int) -> bool:
    """Whether `following`'s first word would have fitted on `line`: then the break was not a wrap."""
    return len(line) + 1 + len(following.split(maxsplit=1)[0]) <= ROOM_WIDTH * width


def _starts_block(first: str, previous: str, line: str, width: int) -> bool:
    """Whether `line` starts a new block rather than going on with the one from line `first` to `previous`."""
    if LIST_ITEM.match(line) or _ONE_LINE_BLOCK.match(line):
        return True
    if not _had_room(previous, line, width):
        return False
    return bool(_SENTENCE_END.search(previous)) or bool(LIST_ITEM.match(first) and not line[0].islower())


def _is_heading(lines: Sequence[str], i: int, width: int) -> bool:
    line, previous = lines[i], lines[i - 1] if i else ""
    if not _heading_shaped(line, width):
        return False
    if previous and not (_SENTENCE_END.search(previous) or _had_room(previous, line, width)):
        return False
    numbered = bool(LIST_ITEM.match(line))
    if numbered and LIST_ITEM.match(previous):
        return False
    # At most two heading-shaped lines in a row: three or more are a list, an address or a verse.
    stacked = sum(1 for _ in takewhile(lambda other: _heading_shaped(other, width), islice(_near(lines, i, -1), 2)))
    for following in islice(_near(lines, i, 1), 2 - stacked):
        if numbered and LIST_ITEM.match(following):
            return False
        if not _heading_shaped(following, width):
            return _opens_body(following)
    return False


def _heading_shaped(line: str, width: int) -> bool:
    return (
        len(line.split()) <= HEADING_MAX_WORDS
        and len(line) <= HEADING_MAX_WIDTH * width
        and (line[0].isupper() or line[0].isdigit())
        and any(c.isalpha() for c in line)
        and not _END_PUNCTUATION.search(line)
        and not _ONE_LINE_BLOCK.match(line)
    )


def _opens_body(line: str) -> bool:
    return line[0].isupper() or line[0].isdigit() or line.startswith(_OPENING) or bool(LIST_ITEM.match(line))


def _near(lines: Sequence[str], i: int, step: int) -> Iterator[str]:
    """The non-blank lines after line i (step 1) or before it (step -1), nearest first."""
    j = i + step
    while 0 <= j < len(lines):
        if lines[j]:
            yield lines[j]
        j += step


def _join(pieces: list[str], line: str, hyphenated: set[str]) -> None:
    """Append `line` to a paragraph's pieces after a space, or mend a word broken by a hyphen at the line end."""
    broken = pieces[-1].endswith(("-", "\u00ad")) and _BROKEN_WORD.search(pieces[-1].rsplit(maxsplit=1)[-1])
    rest = _WORD_START.match(line)
    if not (broken and rest and line[0].islower()):
        pieces += [" ", line]
        return
    head = broken.group(1)
    if not (pieces[-1].endswith("-") and ("-" in head or f"{head}-{rest.group()}".lower() in hyphenated)):
        pieces[-1] = pieces[-1][:-1]
    pieces.append(line)


def _without_furniture(pages: Sequence[str]) -> list[list[str]]:
    """Each page's lines without page numbers and running headers and footers."""
    lines = [page.strip().split("\n") if page.strip() else [] for page in pages]
    tops = Counter(shape for page in lines for shape in {_shape(line) for line in page[:2]})
    bottoms = Counter(shape for page in lines for shape in {_shape(line) for line in page[-2:]})
    repeats = max(2, min(FURNITURE_PAGES, len(pages)))
    trimmed = []
    for page in lines:
        start, end = 0, len(page)
        while start < min(2, end) and _is_furniture(page[start], tops, repeats):
            start += 1
        while end > max(start, len(page) - 2) and _is_furniture(page[end - 1], bottoms, repeats):
            end -= 1
        trimmed.append(page[start:end])
    return trimmed


def _is_furniture(line: str, seen: Counter[str], repeats: int) -> bool:
    """A page number, or a line seen at the same end of `repeats` pages."""
    return bool(_PAGE_NUMBER.match(line)) or (bool(line.strip()) and seen[_shape(line)] >= repeats)


def _shape(line: str) -> str:
    """The line as it repeats from page to page: case, spacing and numbers aside."""
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))
