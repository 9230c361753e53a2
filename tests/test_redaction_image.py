"""Image redaction: painted pixels and a PDF that holds only the painted pages."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
from hypothesis import given, settings
from hypothesis import strategies as st
from pdf2image import convert_from_bytes

from pipeline.deid.boxes import redaction_boxes
from pipeline.deid.image import paint
from pipeline.pdf import encode_page, write_pdf
from pipeline.schema import Box, OcrDocument, OcrPage, PhiReport, Span, Word


def test_paint_fills_boxes_black_and_clips() -> None:
    img = np.full((100, 200), 255, np.uint8)
    out = paint(img, [Box(x0=10, y0=20, x1=30, y1=40), Box(x0=190, y0=90, x1=400, y1=300)])
    assert (out[20:40, 10:30] == 0).all()
    assert (out[90:, 190:] == 0).all()
    assert out[0, 0] == 255 and out[50, 100] == 255
    assert (img == 255).all()  # the input is not modified


@given(
    st.lists(
        st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(1, 50), st.integers(1, 50)),
        max_size=5,
    )
)
def test_paint_covers_every_box(rects) -> None:
    img = np.full((100, 100), 200, np.uint8)
    boxes = [Box(x0=x, y0=y, x1=x + w, y1=y + h) for x, y, w, h in rects]
    out = paint(img, boxes)
    for b in boxes:
        assert (out[b.y0 : min(b.y1, 100), b.x0 : min(b.x1, 100)] == 0).all()


def test_pdf_pages_render_with_paint(tmp_path: Path) -> None:
    pages = []
    for shade in (255, 128):
        img = np.full((1100, 850), shade, np.uint8)
        pages.append(encode_page(paint(img, [Box(x0=100, y0=100, x1=400, y1=200)]), 100))
    data = write_pdf(pages)
    assert data == write_pdf(pages)  # deterministic bytes
    (tmp_path / "r.pdf").write_bytes(data)
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M) and "612 x 792 pts" in info  # letter at 100 DPI
    rendered = [np.asarray(p.convert("L")) for p in convert_from_bytes(data, dpi=100)]
    assert rendered[0].shape == (1100, 850)
    assert rendered[0][150, 250] < 20 and rendered[0][600, 600] > 235
    assert 110 < rendered[1][600, 600] < 145


def _laid_out(words_per_page: list[list[str]]) -> OcrDocument:
    """Pages whose words sit on a grid: word k of a page at column k % 4, row k // 4."""
    pages = []
    for index, words in enumerate(words_per_page):
        placed, at = [], 0
        for k, text in enumerate(words):
            x, y = 10 + (k % 4) * 60, 10 + (k // 4) * 30
            box = Box(x0=x, y0=y, x1=x + 8 * len(text), y1=y + 20)
            placed.append(
                Word(text=text, box=box, conf=90, line=k // 4, start=at, end=at + len(text))
            )
            at += len(text) + 1
        pages.append(
            OcrPage(
                index=index,
                width=260,
                height=200,
                dpi=72,
                text=" ".join(words),
                words=tuple(placed),
            )
        )
    return OcrDocument(doc_id="d", pages=tuple(pages))


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.lists(
            st.from_regex(r"[A-Z][a-z]{1,5}|[0-9]{2,6}", fullmatch=True), min_size=1, max_size=20
        ),
        min_size=1,
        max_size=2,
    ),
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), max_size=4),
)
def test_every_word_of_every_span_is_painted_in_the_pdf(
    words_per_page: list[list[str]], cuts: list[tuple[float, float]]
) -> None:
    doc = _laid_out(words_per_page)
    n = len(doc.text)
    spans = []
    for a, b in cuts:
        start, end = sorted((round(a * n), round(b * n)))
        if end > start:
            spans.append(Span(start=start, end=end, label="PERSON"))
    report = PhiReport(spans=tuple(spans))
    boxes = redaction_boxes(doc, report, pad=0)
    # What redacted.pdf holds: each page painted, encoded and written; its page images are
    # read back from the file as stored (a renderer would resample their edges).
    pdf = write_pdf(
        [
            encode_page(paint(np.full((200, 260), 255, np.uint8), boxes[p.index]), 72)
            for p in doc.pages
        ]
    )
    with pikepdf.open(io.BytesIO(pdf)) as f:
        rendered = [
            np.asarray(
                pikepdf.PdfImage(next(iter(page.get_images().values()))).as_pil_image().convert("L")
            )
            for page in f.pages
        ]
    for page, start, image in zip(doc.pages, doc.page_starts(), rendered, strict=True):
        for w in page.words:
            touched = any(s.start < start + w.end and start + w.start < s.end for s in spans)
            region = image[w.box.y0 : w.box.y1, w.box.x0 : w.box.x1]
            # Every word with a character in a span is black all over; the others untouched.
            assert (region < 64).all() if touched else (region > 191).all()
