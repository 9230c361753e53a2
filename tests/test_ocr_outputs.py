"""hOCR pages, running headers and footers, and the searchable PDF's invisible text layer."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from pdf2image import convert_from_bytes

from pipeline.ocr.hocr import document_lines, page_lines, to_hocr
from pipeline.pdf import encode_page, write_pdf
from pipeline.schema import Box, OcrDocument, OcrPage, Word

XHTML = "{http://www.w3.org/1999/xhtml}"


def _page(index: int, rows: list[tuple[int, list[tuple[str, int, float]]]]) -> OcrPage:
    """A 2550 x 3300 page: rows of (y, [(text, x, conf)]) words 40 px high."""
    words, lines, at = [], [], 0
    for n, (y, row) in enumerate(rows):
        parts = []
        for text, x, conf in row:
            if parts:
                at += 1
            words.append(
                Word(
                    text=text,
                    box=Box(x0=x, y0=y, x1=x + 30 * len(text), y1=y + 40),
                    conf=conf,
                    line=n,
                    start=at,
                    end=at + len(text),
                )
            )
            parts.append(text)
            at += len(text)
        lines.append(" ".join(parts))
        at += 1
    return OcrPage(
        index=index,
        width=2550,
        height=3300,
        dpi=300,
        text="\n".join(lines),
        words=tuple(words),
        conf=90.0,
        engines=("tesseract",),
    )


def _doc() -> OcrDocument:
    header = [("Riverside", 200, 96), ("Clinic", 500, 94)]
    return OcrDocument(
        doc_id="d",
        pages=(
            _page(
                0,
                [
                    (100, header),
                    (800, [("Sodium", 200, 91), ("138", 700, 42)]),
                    (
                        3150,
                        [("Page", 1800, 95), ("1", 1950, 95), ("of", 2000, 95), ("2", 2070, 95)],
                    ),
                ],
            ),
            _page(
                1,
                [
                    (100, header),
                    (800, [("Potassium", 200, 90)]),
                    (
                        3150,
                        [("Page", 1800, 95), ("2", 1950, 95), ("of", 2000, 95), ("2", 2070, 95)],
                    ),
                ],
            ),
        ),
    )


def test_lines_carry_boxes_confidences_and_roles() -> None:
    first, second = document_lines(_doc())
    assert [line.role for line in first] == ["header", "line", "footer"]
    body = first[1]
    assert body.text == "Sodium 138"
    assert body.box == Box(x0=200, y0=800, x1=790, y1=840)
    assert body.conf == 66.5  # mean of 91 and 42
    # Alone, a page cannot tell a letterhead from a running header; a page number is a footer.
    assert [line.role for line in page_lines(_doc().pages[0])] == ["line", "line", "footer"]
    assert second[0].role == "header"


def test_hocr_is_well_formed_with_word_boxes_and_confidences() -> None:
    doc = _doc()
    lines = document_lines(doc)
    root = ET.fromstring(to_hocr(doc.pages[0], lines[0]))
    page = root.find(f".//{XHTML}div[@class='ocr_page']")
    assert "bbox 0 0 2550 3300" in page.get("title") and "scan_res 300 300" in page.get("title")
    words = root.findall(f".//{XHTML}span[@class='ocrx_word']")
    assert [w.text for w in words] == [
        "Riverside",
        "Clinic",
        "Sodium",
        "138",
        "Page",
        "1",
        "of",
        "2",
    ]
    assert words[3].get("title") == "bbox 700 800 790 840; x_wconf 42"
    assert [s.get("class") for s in root.findall(f".//{XHTML}div/{XHTML}span")] == [
        "ocr_header",
        "ocr_line",
        "ocr_footer",
    ]
    line = root.find(f".//{XHTML}span[@class='ocr_line']")
    assert line.get("title") == "bbox 200 800 790 840; x_confs 66.50"


def test_searchable_pdf_puts_each_word_at_its_box(tmp_path: Path) -> None:
    image = np.full((3300, 2550), 255, np.uint8)
    image[800:840, 200:380] = 0
    words = (
        ("Sodium", Box(x0=200, y0=800, x1=380, y1=840)),
        ("138", Box(x0=700, y0=800, x1=790, y1=840)),
    )
    page = encode_page(image, 300)
    pdf = write_pdf([page.__class__(**{**page.__dict__, "words": words})])
    (tmp_path / "s.pdf").write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(tmp_path / "s.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {
        m["w"]: tuple(float(m[k]) for k in ("x0", "y0", "x1", "y1"))
        for m in re.finditer(
            r'<word xMin="(?P<x0>[\d.]+)" yMin="(?P<y0>[\d.]+)" '
            r'xMax="(?P<x1>[\d.]+)" yMax="(?P<y1>[\d.]+)">(?P<w>[^<]+)</word>',
            html,
        )
    }
    assert set(found) == {"Sodium", "138"}
    for text, box in words:
        pts = tuple(v * 72 / 300 for v in (box.x0, box.y0, box.x1, box.y1))
        got = found[text]
        assert abs(got[0] - pts[0]) < 2 and abs(got[2] - pts[2]) < 4  # left and right edges
        assert pts[1] - 3 < got[1] < got[3] < pts[3] + 3  # within the box's height
    # The text is invisible: the page renders exactly as the image alone.
    plain = write_pdf([page])
    seen = np.asarray(convert_from_bytes(pdf, dpi=300, grayscale=True)[0])
    assert (seen == np.asarray(convert_from_bytes(plain, dpi=300, grayscale=True)[0])).all()


def test_bilevel_pages_are_stored_losslessly_in_one_bit(tmp_path: Path) -> None:
    from PIL import Image

    image = np.full((1100, 850), 255, np.uint8)
    image[100:200, 100:300] = 0
    page = encode_page(image, 100)
    assert page.bilevel and len(page.data) < 2000  # 1-bit Flate, not a JPEG
    (tmp_path / "b.pdf").write_bytes(write_pdf([page]))
    subprocess.run(
        ["pdfimages", "-png", str(tmp_path / "b.pdf"), str(tmp_path / "img")], check=True
    )
    stored = np.asarray(Image.open(tmp_path / "img-000.png").convert("L"))
    assert (stored == image).all()  # the very pixels, not a lossy copy
    gray = image.copy()
    gray[500:600, 500:600] = 128
    assert not encode_page(gray, 100).bilevel


def test_a_skewed_fax_stays_one_bit_in_the_archive() -> None:
    from pipeline.run import archive_page
    from pipeline.schema import RawPage

    fax = np.full((1100, 850), 255, np.uint8)
    fax[300:340, 100:700] = 0
    page = archive_page(RawPage(index=0, image=fax, dpi=100), 90, 1.5)
    assert page.bilevel and (page.width, page.height) == (1100, 850)  # turned, deskewed
    gray = fax.copy()
    gray[0, 0] = 128
    assert not archive_page(RawPage(index=0, image=gray, dpi=100), 0, 1.5).bilevel
