"""Small PDFs that expand into far more than their size, as a hostile visitor would upload them.

`shared_stream_bomb` draws one line of text thousands of times in one compressed content stream
and shows that same stream on every page: a file of a few kilobytes whose text is megabytes.
`drawing_bomb` does the same with lines drawn and a single word of text: seconds of parsing a page
and next to no text. `form_bomb` puts the text in a form XObject shown many times by another form
on every page (pypdf extracts a form again each time it is shown, and carries on past any Exception
raised while it does).
`inflation_bomb` has one content stream that inflates past pypdf's own
decompression limit, so reading it raises `pypdf.errors.LimitReachedError`.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from pypdf import PdfWriter, get_configuration
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject, StreamObject

LINE = b"BT /F1 12 Tf 72 700 Td (The quick brown fox jumps over the lazy dog.) Tj ET\n"
LINE_TEXT = "The quick brown fox jumps over the lazy dog."
DRAWING = b"0 0 m 612 792 l S\n"  # three operations, no text
WORD = b"BT /F1 12 Tf (x) Tj ET\n"  # text, so that pypdf parses the whole stream to extract it
INFLATE_PIECE = 1024 * 1024


def shared_stream_bomb(path: Path, pages: int, lines_per_page: int) -> Path:
    """`pages` pages that all show one Flate-compressed stream drawing LINE_TEXT `lines_per_page` times."""
    return _shared_stream(path, LINE * lines_per_page, pages)


def drawing_bomb(path: Path, pages: int, drawings_per_page: int) -> Path:
    """`pages` pages that all show one Flate-compressed stream of DRAWING `drawings_per_page` times and a WORD."""
    return _shared_stream(path, DRAWING * drawings_per_page + WORD, pages)


def _shared_stream(path: Path, content: bytes, pages: int) -> Path:
    writer = PdfWriter()
    stream = StreamObject()
    stream.set_data(content)
    _add_pages(writer, writer._add_object(stream.flate_encode()), pages)
    writer.write(path)
    return path


def form_bomb(path: Path, pages: int, lines: int, invocations: int) -> Path:
    """`pages` pages that each show a form XObject which shows, `invocations` times, a form drawing
    LINE_TEXT `lines` times."""
    writer = PdfWriter()
    inner = writer._add_object(_form(writer, LINE * lines, DictionaryObject()))
    outer = _form(writer, b"/Fm0 Do\n" * invocations, DictionaryObject({NameObject("/Fm0"): inner}))
    content = StreamObject()
    content.set_data(b"/Fm1 Do\n")
    _add_pages(
        writer, writer._add_object(content), pages, DictionaryObject({NameObject("/Fm1"): writer._add_object(outer)})
    )
    writer.write(path)
    return path


def _form(writer: PdfWriter, content: bytes, forms: DictionaryObject) -> StreamObject:
    stream = StreamObject()
    stream.set_data(content)
    form = stream.flate_encode()
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject([NumberObject(0), NumberObject(0), NumberObject(612), NumberObject(792)])
    form[NameObject("/Resources")] = _resources(writer, forms)
    return form


def inflation_bomb(path: Path) -> Path:
    """One page whose content stream inflates past pypdf's limit (75 MB by default) from about 75 KB."""
    limit = get_configuration().zlib_maximum_output_length
    compressor = zlib.compressobj(9)
    piece = LINE * (INFLATE_PIECE // len(LINE))
    compressed = b"".join(compressor.compress(piece) for _ in range(limit // len(piece) + 2)) + compressor.flush()
    stream = StreamObject()
    stream.set_data(compressed)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream[NameObject("/Length")] = NumberObject(len(compressed))
    writer = PdfWriter()
    _add_pages(writer, writer._add_object(stream), 1)
    writer.write(path)
    return path


def _add_pages(writer: PdfWriter, content: IndirectObject, pages: int, forms: DictionaryObject | None = None) -> None:
    resources = _resources(writer, forms or DictionaryObject())
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = resources
        page[NameObject("/Contents")] = content


def _resources(writer: PdfWriter, forms: DictionaryObject) -> DictionaryObject:
    """Resources naming Helvetica /F1 and these form XObjects."""
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    return DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)}),
            NameObject("/XObject"): forms,
        }
    )
