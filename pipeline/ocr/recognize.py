"""Recognize: words from an engine, arranged in reading order as a person reads a chart.

Engines split a table into column blocks, which separates an analyte from its value. Here the
engine's lines are merged into visual rows (lines whose vertical extents overlap), read top to
bottom, and each row left to right, so a lab row keeps analyte, value, unit and range on one
line of text.
"""

from __future__ import annotations

from pipeline.ocr.engine import EngineWord, OcrEngine, Reading
from pipeline.schema import Box, CleanPage, OcrPage, Word
from pipeline.settings import OcrSettings


def recognize(page: CleanPage, *, engine: OcrEngine, cfg: OcrSettings) -> OcrPage:
    """OCR one clean page into words with boxes, confidences and page-text offsets."""
    return arrange(page, engine.read(page.image, cfg=cfg))


def arrange(page: CleanPage, reading: Reading) -> OcrPage:
    """An engine's reading of ``page`` as an OcrPage: words in reading order, page text."""
    rows = reading_order(reading.words)
    words: list[Word] = []
    lines: list[str] = []
    at = 0
    for line_no, row in enumerate(rows):
        parts: list[str] = []
        for w in row:
            if parts:
                at += 1  # the joining space
            parts.append(w.text)
            words.append(
                Word(
                    text=w.text,
                    box=Box(x0=w.x0, y0=w.y0, x1=w.x1, y1=w.y1),
                    conf=w.conf,
                    line=line_no,
                    start=at,
                    end=at + len(w.text),
                )
            )
            at += len(w.text)
        lines.append(" ".join(parts))
        at += 1  # the newline
    h, w = page.image.shape[:2]
    return OcrPage(
        index=page.index,
        width=w,
        height=h,
        dpi=page.dpi,
        rotation=page.rotation,
        skew=page.skew,
        text="\n".join(lines),
        words=tuple(words),
        conf=round(reading.conf, 2),
        engines=reading.engines,
        speckled=page.speckled,
    )


def reading_order(words: list[EngineWord]) -> list[list[EngineWord]]:
    """Group words into visual rows, top to bottom, each sorted left to right."""
    by_line: dict[tuple[int, ...], list[EngineWord]] = {}
    for w in words:
        by_line.setdefault(w.line_key, []).append(w)
    # Each engine line becomes a band (top, bottom, words); bands that overlap vertically
    # by at least half the smaller height are one row.
    bands = sorted(
        ((min(w.y0 for w in ws), max(w.y1 for w in ws), ws) for ws in by_line.values()),
        key=lambda b: (b[0] + b[1]) / 2,
    )
    rows: list[tuple[int, int, list[EngineWord]]] = []
    for top, bottom, ws in bands:
        if rows:
            r_top, r_bottom, r_words = rows[-1]
            overlap = min(bottom, r_bottom) - max(top, r_top)
            if overlap >= 0.5 * min(bottom - top, r_bottom - r_top):
                rows[-1] = (min(top, r_top), max(bottom, r_bottom), r_words + ws)
                continue
        rows.append((top, bottom, list(ws)))
    return [sorted(ws, key=lambda w: w.x0) for _, _, ws in rows]
