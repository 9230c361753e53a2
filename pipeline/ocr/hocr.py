"""Lines with boxes, confidences and roles, and the hOCR file of each page.

hOCR (https://kba.github.io/hocr-spec/1.2/) is what tesseract and OCRmyPDF write and what
archive and correction tools read: one ``ocrx_word`` per word with its ``bbox`` and
``x_wconf``, inside a line element with its own ``bbox`` and ``x_confs``. Lines in the top or
bottom band of the page that recur on other pages, or that carry a page number, are the
running header or footer (``ocr_header``/``ocr_footer``), so downstream readers can skip
them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from pipeline.schema import Box, OcrDocument, OcrPage, Word

# Lines whose box lies within this fraction of the page height from the top or bottom edge
# can be running headers or footers.
EDGE_BAND = 0.08
_PAGE_NO = re.compile(r"\bpage\s*\d+\s*(of\s*\d+)?\b", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Line:
    """One reading-order line of a page."""

    words: tuple[Word, ...]
    box: Box
    conf: float  # mean word confidence, 0..100
    role: str  # "line", "header" or "footer"

    @property
    def text(self) -> str:
        """The line's words joined by spaces (as in the page text)."""
        return " ".join(w.text for w in self.words)


def page_lines(page: OcrPage, *, recurring: frozenset[str] = frozenset()) -> list[Line]:
    """The page's lines in reading order, each with its box, confidence and role.

    ``recurring`` holds the digit-free texts of lines seen in the edge bands of other pages
    (see ``document_lines``).
    """
    by_line: dict[int, list[Word]] = {}
    for w in page.words:
        by_line.setdefault(w.line, []).append(w)
    lines = []
    for _, words in sorted(by_line.items()):
        box = words[0].box
        for w in words[1:]:
            box = box.union(w.box)
        text = " ".join(w.text for w in words)
        role = "line"
        if page.height and box.y1 <= EDGE_BAND * page.height:
            role = "header" if _shape(text) in recurring else "line"
        elif page.height and box.y0 >= (1 - EDGE_BAND) * page.height:
            role = "footer" if _shape(text) in recurring or _PAGE_NO.search(text) else "line"
        conf = sum(w.conf for w in words) / len(words)
        lines.append(Line(tuple(words), box, round(conf, 2), role))
    return lines


def document_lines(doc: OcrDocument) -> list[list[Line]]:
    """Lines of every page, with running headers and footers found across the pages."""
    seen: dict[str, set[int]] = {}
    for page in doc.pages:
        for line in page_lines(page):
            band = page.height and (
                line.box.y1 <= EDGE_BAND * page.height
                or line.box.y0 >= (1 - EDGE_BAND) * page.height
            )
            if band:
                seen.setdefault(_shape(line.text), set()).add(page.index)
    recurring = frozenset(t for t, pages in seen.items() if len(pages) > 1)
    return [page_lines(p, recurring=recurring) for p in doc.pages]


def _shape(text: str) -> str:
    """A line's text with numbers blanked: "Page 2 of 3" and "Page 3 of 3" are one shape."""
    return _DIGITS.sub("#", text.lower())


def to_hocr(page: OcrPage, lines: list[Line]) -> str:
    """The hOCR 1.2 document of one page (UTF-8 XHTML)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">',
        "<head>",
        "<title></title>",
        '<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>',
        '<meta name="ocr-system" content="chart2fhir"/>',
        '<meta name="ocr-capabilities" content="ocr_page ocr_line ocr_header ocr_footer '
        'ocrx_word"/>',
        "</head>",
        "<body>",
        f"<div class='ocr_page' id='page_{page.index + 1}' title='bbox 0 0 {page.width} "
        f"{page.height}; ppageno {page.index}; scan_res {page.dpi} {page.dpi}; "
        f"x_confs {page.conf:.2f}; x_source {'+'.join(page.engines) or 'none'}'>",
    ]
    for n, line in enumerate(lines, start=1):
        cls = {"header": "ocr_header", "footer": "ocr_footer"}.get(line.role, "ocr_line")
        out.append(
            f"<span class='{cls}' id='line_{page.index + 1}_{n}' title='{_bbox(line.box)}; "
            f"x_confs {line.conf:.2f}'>"
        )
        for m, w in enumerate(line.words, start=1):
            out.append(
                f"<span class='ocrx_word' id='word_{page.index + 1}_{n}_{m}' "
                f"title='{_bbox(w.box)}; x_wconf {round(w.conf)}'>{html.escape(w.text)}</span>"
            )
        out.append("</span>")
    out += ["</div>", "</body>", "</html>", ""]
    return "\n".join(out)


def _bbox(b: Box) -> str:
    return f"bbox {b.x0} {b.y0} {b.x1} {b.y1}"
