"""redaction_boxes on a constructed two-page OcrDocument."""

from __future__ import annotations

import pytest

from pipeline.deid.assets import load_assets
from pipeline.deid.boxes import doubtful_boxes, redaction_boxes
from pipeline.schema import Box, OcrDocument, OcrPage, PhiReport, Span, Word
from pipeline.settings import MODELS_DIR, configure_process

configure_process()


def page(index: int, words: list[tuple[str, int, int]], *, width: int = 1000) -> OcrPage:
    """One line of words; each word is (text, x0, x1) at y 100..130."""
    text, out, at = "", [], 0
    for i, (w, x0, x1) in enumerate(words):
        if i:
            text += " "
            at += 1
        out.append(
            Word(
                text=w,
                box=Box(x0=x0, y0=100, x1=x1, y1=130),
                conf=90.0,
                line=0,
                start=at,
                end=at + len(w),
            )
        )
        text += w
        at += len(w)
    return OcrPage(index=index, width=width, height=1300, dpi=300, text=text, words=tuple(out))


DOC = OcrDocument(
    doc_id="d1",
    pages=(
        # "Patient: HARRISON, MARGARET MRN:4829173"
        page(
            0,
            [
                ("Patient:", 2, 150),
                ("HARRISON,", 160, 330),
                ("MARGARET", 340, 500),
                ("MRN:4829173", 510, 998),
            ],
        ),
        # "Sodium 138 HARRISON"
        page(1, [("Sodium", 10, 120), ("138", 130, 180), ("HARRISON", 190, 350)]),
        page(2, []),
    ),
)
# Offsets into DOC.text: page 0 is 39 characters, then a form feed; page 1 starts at 40.
NAME = Span(start=9, end=27, label="PERSON")  # "HARRISON, MARGARET"
MRN = Span(start=32, end=39, label="MRN")  # "4829173", the tail of the word "MRN:4829173"
NAME_P2 = Span(start=51, end=59, label="PERSON")  # "HARRISON" on page 1


def test_offsets_of_the_fixture() -> None:
    text = DOC.text
    assert text[NAME.start : NAME.end] == "HARRISON, MARGARET"
    assert text[MRN.start : MRN.end] == "4829173"
    assert text[NAME_P2.start : NAME_P2.end] == "HARRISON"


def test_words_touching_a_span_are_painted_with_padding() -> None:
    boxes = redaction_boxes(DOC, PhiReport(spans=(NAME, MRN, NAME_P2)), pad=4)
    assert boxes == {
        0: [
            Box(x0=156, y0=96, x1=334, y1=134),
            Box(x0=336, y0=96, x1=504, y1=134),
            # the whole OCR word "MRN:4829173", clipped to the page width
            Box(x0=506, y0=96, x1=1000, y1=134),
        ],
        1: [Box(x0=186, y0=96, x1=354, y1=134)],
        2: [],
    }


def test_padding_is_clipped_at_the_page_origin() -> None:
    boxes = redaction_boxes(DOC, PhiReport(spans=(Span(start=0, end=3, label="PERSON"),)), pad=10)
    assert boxes[0] == [Box(x0=0, y0=90, x1=160, y1=140)]


def test_a_span_between_words_paints_nothing() -> None:
    # The space between "Patient:" and "HARRISON," belongs to no word.
    boxes = redaction_boxes(DOC, PhiReport(spans=(Span(start=8, end=9, label="PERSON"),)), pad=4)
    assert boxes == {0: [], 1: [], 2: []}


def test_no_spans_no_boxes() -> None:
    assert redaction_boxes(DOC, PhiReport(), pad=4) == {0: [], 1: [], 2: []}


DOUBTFUL_CASES = [
    # a word OCR could barely read may be a name it garbled: painted
    ("Hxrrlson", 35.0, True),
    # a number read with low confidence may be an identifier: painted
    ("48291?3", 20.0, True),
    # clinical and ordinary words identify no one, however unsure the OCR was
    ("Sodium", 30.0, False),
    ("the", 30.0, False),
    # punctuation and single characters: nothing to read
    ("=", 10.0, False),
    ("E", 10.0, False),
    # confident words are left to detection
    ("Hxrrlson", 90.0, False),
]


@pytest.mark.parametrize(("text", "conf", "painted"), DOUBTFUL_CASES)
def test_doubtful_words_are_painted_unless_they_are_known_words(
    text: str, conf: float, painted: bool
) -> None:
    words = load_assets(MODELS_DIR).words
    doc = OcrDocument(doc_id="d", pages=(page(0, [("Glucose", 10, 120), (text, 130, 300)]),))
    word = doc.pages[0].words[1].model_copy(update={"conf": conf})
    doc = OcrDocument(
        doc_id="d",
        pages=(doc.pages[0].model_copy(update={"words": (doc.pages[0].words[0], word)}),),
    )
    boxes = doubtful_boxes(doc, below=50.0, words=words, pad=2)
    assert boxes == {0: [Box(x0=128, y0=98, x1=302, y1=132)] if painted else []}
