"""Image redaction: painted pixels and a PDF that holds only the painted pages."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from pdf2image import convert_from_bytes

from pipeline.deid.image import paint
from pipeline.pdf import encode_page, write_pdf
from pipeline.schema import Box


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
