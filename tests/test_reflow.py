"""Reflowing wrapped lines into paragraphs: joins, paragraph ends, headings, lists, hyphens, pages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.reflow import reflow, reflow_pages

WRAPPED = (
    "The lighthouse on the northern headland was designed by the engineer\n"
    "Oddny Fjellstad and first lit on 14 March 1871. Its lamp burned whale\n"
    "oil until 1890.\n"
    "Barrels were made in the cooperage behind the old customs house, where\n"
    "three families of coopers worked side by side for most of the century.\n"
)


def test_wrapped_lines_join_into_paragraphs_that_end_at_a_short_sentence_end():
    assert reflow(WRAPPED) == (
        "The lighthouse on the northern headland was designed by the engineer Oddny Fjellstad and first lit on"
        " 14 March 1871. Its lamp burned whale oil until 1890."
        "\n\nBarrels were made in the cooperage behind the old customs house, where three families of coopers"
        " worked side by side for most of the century."
    )


def test_a_sentence_end_on_a_full_line_does_not_end_the_paragraph():
    text = (
        "The keeper rowed across to the town every Sunday and there he met Dr.\n"
        "Fjellstad, who had come to inspect the lamp and the new brass burners.\n"
    )
    assert reflow(text) == " ".join(text.split())


def test_short_lines_standing_alone_become_headings():
    text = "HARBOUR NOTES\n\nThe Great Fire\n" + WRAPPED + "\nChapter 3\nRebuilding the Quay\n" + WRAPPED
    blocks = reflow(text).split("\n\n")
    assert [b for b in blocks if b.startswith("#")] == [
        "## HARBOUR NOTES",
        "## The Great Fire",
        "## Chapter 3",
        "## Rebuilding the Quay",
    ]
    assert blocks[2].startswith("The lighthouse on the northern headland"), blocks


def test_short_lines_that_are_not_headings_stay_text():
    lines = (
        "The lighthouse was built by\nOddny Fjellstad\nIts keeper was Halvard Rudd.",  # a wrapped name
        "The keepers were\nAnna Berg\nOla Dahl\nPer Lund\nThey kept a log.",  # three short lines: a list
        "It was painted in the end\nby the keeper himself",  # nothing follows
    )
    for text in lines:
        assert "#" not in reflow(text), text
        assert reflow(text) == " ".join(text.split()), text


def test_list_items_are_blocks_and_a_wrapped_item_stays_whole():
    text = (
        "The tools of the trade were:\n"
        "- a croze for cutting the groove that holds the head of the\n"
        "  barrel in place\n"
        "- a sun plane\n"
        "1. an adze\n"
        "After the fire the coopers moved to Bergen.\n"
    )
    assert reflow(text).split("\n\n") == [
        "The tools of the trade were:",
        "- a croze for cutting the groove that holds the head of the barrel in place",
        "- a sun plane",
        "1. an adze",
        "After the fire the coopers moved to Bergen.",
    ]


def test_a_numbered_heading_is_told_from_a_numbered_list():
    text = "1. Introduction\n" + WRAPPED + "\nThe steps were\n1. Saw\n2. Plane\nThen it was done."
    blocks = reflow(text).split("\n\n")
    assert blocks[0] == "## 1. Introduction"
    assert "1. Saw" in blocks and "2. Plane" in blocks


def test_a_word_hyphenated_at_a_line_end_is_mended():
    text = (
        "The lighthouse was designed by the engi-\nneer Oddny Fjellstad, a well-known builder of state-of-the-\n"
        "art towers; it was her best-\nknown work and a well-\nknown sight from the sea. Ships-\nBergen"
    )
    assert reflow(text) == (
        "The lighthouse was designed by the engineer Oddny Fjellstad, a well-known builder of state-of-the-art"
        " towers; it was her bestknown work and a well-known sight from the sea. Ships- Bergen"
    )


def test_pages_lose_their_numbers_and_running_headers_and_keep_paragraphs_whole():
    header = "A History of the Harbour"
    pages = [
        [
            header,
            "The Great Fire",
            "The fire of 1902 started in a net loft on the west pier during a dry",
            "easterly gale, and it spread along the wooden sheds faster than the",
            "1",
        ],
        [
            header,
            "volunteers could carry water. By morning the old waterfront was ash and",
            "the town had lost most of its boats.",
            "Page 2",
        ],
        [
            header,
            "Rebuilding the Quay",
            "The new stone quay was opened by the mayor Halvard Rudd in the summer",
            "of 1905, three years after the fire had burned the wooden one.",
            "- 3 -",
        ],
    ]
    pages = ["\n".join(lines) for lines in pages]
    assert reflow_pages(pages) == (
        "## The Great Fire (page 1)\n\n"
        "The fire of 1902 started in a net loft on the west pier during a dry easterly gale, and it spread along"
        " the wooden sheds faster than the volunteers could carry water. By morning the old waterfront was ash"
        " and the town had lost most of its boats.\n\n"
        "## Rebuilding the Quay (page 3)\n\n"
        "The new stone quay was opened by the mayor Halvard Rudd in the summer of 1905, three years after the"
        " fire had burned the wooden one."
    )


def test_a_page_starting_a_new_paragraph_gets_its_page_in_a_heading():
    first, second = reflow(WRAPPED).split("\n\n")
    lines = WRAPPED.splitlines()
    pages = ["\n".join(lines[:3]), "\n".join(lines[3:]), ""]
    assert reflow_pages(pages) == f"## Page 1\n\n{first}\n\n## Page 2\n\n{second}"


def _visible(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abZ .:-\n", max_size=300))
def test_reflow_loses_no_characters_but_line_end_hyphens_and_adds_only_heading_marks(text):
    out = reflow(text)
    assert _visible(out.replace("#", "")).replace("-", "") == _visible(text).replace("-", "")
    line_end_hyphens = sum(line.rstrip().endswith("-") for line in text.split("\n"))
    assert 0 <= text.count("-") - out.count("-") <= line_end_hyphens
