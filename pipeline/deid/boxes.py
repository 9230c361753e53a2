"""Which word boxes to paint over: every OCR word that touches a PHI span, and doubtful words."""

from __future__ import annotations

from bisect import bisect_right

from pipeline.deid.assets import WordLists
from pipeline.deid.spans import merge_spans
from pipeline.schema import Box, OcrDocument, OcrPage, PhiReport


def redaction_boxes(doc: OcrDocument, report: PhiReport, *, pad: int) -> dict[int, list[Box]]:
    """The padded boxes of the words overlapping a PHI span, for each page.

    A word is painted when any character of it lies in a span, so a span that starts or ends
    mid-word (an OCR word "MRN:4829173") still paints the whole word.

    Args:
        doc: the OCR document the report was made from.
        report: the PHI spans (overlapping spans are merged first).
        pad: pixels added on each side of a word box, clipped to the page.

    Returns:
        A list of boxes (possibly empty) for every page, keyed by ``OcrPage.index``.

    """
    spans = merge_spans(report.spans)
    ends = [s.end for s in spans]
    result: dict[int, list[Box]] = {}
    for page, page_start in zip(doc.pages, doc.page_starts(), strict=True):
        boxes = []
        for word in page.words:
            start, end = page_start + word.start, page_start + word.end
            if end <= start:
                continue
            # The first span ending after the word's start is the only one that can overlap.
            i = bisect_right(ends, start)
            if i < len(spans) and spans[i].start < end:
                boxes.append(_padded(word.box, pad, page))
        result[page.index] = boxes
    return result


def doubtful_boxes(
    doc: OcrDocument, *, below: float, words: WordLists, pad: int
) -> dict[int, list[Box]]:
    """The padded boxes of words OCR read with confidence under ``below``, for each page.

    Detection cannot judge a word the OCR could barely read: "Hxrrlson" may be the patient.
    Such a word is painted in redacted.pdf unless it reads as a known English, clinical or
    form word, or has fewer than two letters and digits (a rule, a stray mark).
    """
    result: dict[int, list[Box]] = {}
    for page in doc.pages:
        boxes = []
        for word in page.words:
            if word.conf >= below:
                continue
            core = "".join(c for c in word.text if c.isalnum())
            if len(core) < 2 or (core.isalpha() and words.is_common(core)):
                continue
            boxes.append(_padded(word.box, pad, page))
        result[page.index] = boxes
    return result


def _padded(box: Box, pad: int, page: OcrPage) -> Box:
    x1, y1 = box.x1 + pad, box.y1 + pad
    return Box(
        x0=max(0, box.x0 - pad),
        y0=max(0, box.y0 - pad),
        x1=min(page.width, x1) if page.width > 0 else x1,
        y1=min(page.height, y1) if page.height > 0 else y1,
    )
