"""The page's element ids: one name each, and the stylesheet styles only elements the page defines."""

from __future__ import annotations

import re

from rag.web import page


def elements() -> dict[str, page.Element]:
    return {name: value for name, value in vars(page).items() if isinstance(value, page.Element)}


def test_an_element_is_its_selector_and_gives_gradio_its_bare_id():
    assert page.CHAT == "#chat" and page.CHAT.id == "chat"
    assert page.UPLOAD_LINES == "#upload-log .log"
    ids = [element.id for element in elements().values()]
    assert len(ids) == len(set(ids)), f"two names for one element id: {sorted(ids)}"


def test_the_stylesheet_styles_only_ids_the_page_defines():
    css = page.STYLESHEET.read_text(encoding="utf-8")
    selectors = re.sub(r"/\*.*?\*/|\{[^{}]*\}", "", css, flags=re.DOTALL)  # comments and declarations
    styled = set(re.findall(r"#([a-z][\w-]*)", selectors))
    assert styled, "the stylesheet should style the page's elements by id"
    assert styled <= {element.id for element in elements().values()}, styled
    assert page.APPEARANCE["css_paths"] == [page.STYLESHEET]
