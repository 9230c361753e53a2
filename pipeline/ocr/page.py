"""One page from decoded pixels to words: cleanup, orientation where needed, recognition.

Tesseract OSD costs half of a bare tesseract read, and almost every page of a chart is
upright. So a page is first cleaned and read as it lies; only when that reading's mean word
confidence is below ``CleanupSettings.osd_below_conf`` (upright clean and moderate pages
score 93-96) or its words are not laid out along horizontal lines does OSD run, and a
turned page is cleaned again at its turn and read again. The first reading is tesseract's
whichever engine is chosen: the cascade (``ocr/cascade.py``) continues from it; RapidOCR
alone, which has no orientation signal of its own, runs OSD on every page first. A faxed
(speckled) page is the cascade's exception: RapidOCR reads it, after OSD.
"""

from __future__ import annotations

import numpy as np

from pipeline.ocr.cascade import CascadeEngine
from pipeline.ocr.cleanup import clean_image, despeckle, orient, prepare
from pipeline.ocr.engine import EngineWord, OcrEngine, Reading, TesseractEngine, mean_conf
from pipeline.ocr.recognize import arrange, recognize
from pipeline.schema import CleanPage, OcrPage, RawPage
from pipeline.settings import CleanupSettings, OcrSettings

# On an upright page nearly every word of three or more letters is wider than tall.
UPRIGHT_SHARE = 0.8
# Fewer words than this of three or more letters is too little reading to vouch for a page.
MIN_WORDS = 5


def looks_upright(words: list[EngineWord]) -> bool:
    """Whether the words' boxes lie along the lines of an upright (or upside-down) page.

    Confidence alone does not tell: on a faxed page turned 90 degrees tesseract found one
    "word", a "|" at confidence 89. An upright page has words, and its words of three or
    more characters are wider than tall, whatever the font.
    """
    long = [w for w in words if len(w.text) >= 3]
    if len(long) < MIN_WORDS:
        return False  # too little to go on: OSD decides (and leaves an empty page alone)
    wide = sum(w.x1 - w.x0 > w.y1 - w.y0 for w in long)
    return wide >= UPRIGHT_SHARE * len(long)


def read_upright(
    raw: RawPage, *, engine: OcrEngine, cleanup: CleanupSettings, cfg: OcrSettings
) -> tuple[CleanPage, OcrPage]:
    """Clean and read one page, turning it upright first where its reading says so."""
    cascade = engine if isinstance(engine, CascadeEngine) else None
    first = cascade.first if cascade else engine
    if not cleanup.osd or cleanup.osd_below_conf > 100 or not isinstance(first, TesseractEngine):
        clean = clean_image(raw, engine=engine, cfg=cleanup, ocr_cfg=cfg)  # OSD if cfg.osd
        return clean, read_clean(clean, engine=engine, cfg=cfg)
    prepared = prepare(raw, cfg=cleanup)
    clean = clean_image(raw, engine=engine, cfg=cleanup, ocr_cfg=cfg, rotation=0, prepared=prepared)
    if cascade and clean.speckled:
        # A fax: RapidOCR reads it, without tesseract's first reading to go by, so OSD
        # decides its turn.
        clean = _turned(raw, prepared, clean, engine=engine, cleanup=cleanup, cfg=cfg)
        reading = cascade.read_fax(clean.image, cfg=cfg)
        if clean.rotation in (90, 270) and reading.conf < cfg.review_page_conf:
            # OSD can take a sideways page for its opposite (90 for 270); upside down, it
            # reads as garbage with less confidence. The better reading keeps its turn.
            flipped = clean_image(
                raw,
                engine=engine,
                cfg=cleanup,
                ocr_cfg=cfg,
                rotation=(clean.rotation + 180) % 360,
                prepared=prepared,
            )
            other = cascade.read_fax(flipped.image, cfg=cfg)
            if other.conf > reading.conf and _letters(other) >= SAME_TEXT * _letters(reading):
                clean, reading = flipped, other
        return clean, arrange(clean, reading)
    words = first.read_words(clean.image, cfg=cfg)
    if mean_conf(words) < cleanup.osd_below_conf or not looks_upright(words):
        turned = _turned(raw, prepared, clean, engine=engine, cleanup=cleanup, cfg=cfg)
        if turned is not clean:
            clean, words = turned, first.read_words(turned.image, cfg=cfg)
    if cascade:
        return clean, arrange(clean, cascade.read_after(clean.image, words, cfg=cfg))
    return clean, arrange(clean, Reading.single(first.name, words))


# A reading turned the other way wins only with about as much text: a few confident specks
# are no page.
SAME_TEXT = 0.8


def _letters(reading: Reading) -> int:
    return sum(len(w.text) for w in reading.words)


def read_clean(page: CleanPage, *, engine: OcrEngine, cfg: OcrSettings) -> OcrPage:
    """Read a page that is already clean and upright (redaction re-reads its painted pages).

    The cascade reads a speckled page as ``read_upright`` does, with RapidOCR alone.
    """
    if isinstance(engine, CascadeEngine) and page.speckled:
        return arrange(page, engine.read_fax(page.image, cfg=cfg))
    return recognize(page, engine=engine, cfg=cfg)


def _turned(
    raw: RawPage,
    prepared: tuple[np.ndarray, int],
    clean: CleanPage,
    *,
    engine: OcrEngine,
    cleanup: CleanupSettings,
    cfg: OcrSettings,
) -> CleanPage:
    """``clean`` cleaned again at the turn OSD finds, or ``clean`` itself if none.

    OSD sees the page as ``clean_image`` does before deskew and rule removal (both
    meaningless on a sideways page): ``prepared`` (``cleanup.prepare``), despeckled.
    """
    image, dpi = prepared
    rotation = orient(despeckle(image, dpi=dpi), engine=engine, cfg=cleanup, ocr_cfg=cfg)
    if not rotation:
        return clean
    return clean_image(
        raw, engine=engine, cfg=cleanup, ocr_cfg=cfg, rotation=rotation, prepared=prepared
    )


def unreliable(page: OcrPage, cfg: OcrSettings) -> bool:
    """Whether a person should check this page's reading (the document goes to review).

    A page with words whose confidence is below ``cfg.review_page_conf``, or a faxed
    (speckled) one when ``cfg.review_speckled``: RapidOCR is confident on faxes it misreads.
    """
    if not page.words:
        return False
    return page.conf < cfg.review_page_conf or (page.speckled and cfg.review_speckled)
