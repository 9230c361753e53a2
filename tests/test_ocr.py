"""Cleanup and OCR: orientation, deskew, reading order, word boxes and offsets."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.ocr.cleanup import clean_image, estimate_skew, rotate_by, upscale
from pipeline.ocr.engine import EngineWord, TesseractEngine
from pipeline.ocr.recognize import reading_order, recognize
from pipeline.schema import CleanPage, RawPage
from tests.conftest import CHART_LINES, render_page

ENGINE = TesseractEngine()


def _raw(im: Image.Image, dpi: int = 300) -> RawPage:
    return RawPage(index=0, image=np.asarray(im, dtype=np.uint8), dpi=dpi)


@pytest.mark.parametrize("skew", [-3.0, -1.2, 0.0, 0.7, 2.5])
def test_estimate_skew_recovers_angle(skew: float) -> None:
    page = np.asarray(render_page(CHART_LINES), dtype=np.uint8)
    tilted = rotate_by(page, -skew)  # tilt clockwise by `skew`
    assert estimate_skew(tilted, max_deg=5) == pytest.approx(skew, abs=0.15)


def test_upscale_only_low_dpi() -> None:
    img = np.full((1100, 850), 255, np.uint8)
    up, dpi = upscale(img, 150)
    assert dpi == 300 and up.shape == (2200, 1700)
    same, dpi = upscale(img, 300)
    assert dpi == 300 and same is img
    fine_fax, dpi = upscale(img, 200)  # 200 DPI is read as it is: upscaling cost accuracy
    assert dpi == 200 and fine_fax is img


@pytest.mark.parametrize("turned", [0, 90, 180, 270])
def test_clean_image_turns_page_upright(turned: int, settings) -> None:
    upright = render_page(CHART_LINES)
    im = upright.rotate(-turned, expand=True, fillcolor=255)  # PIL rotates counter-clockwise
    clean = clean_image(_raw(im), engine=ENGINE, cfg=settings.cleanup, ocr_cfg=settings.ocr)
    assert clean.rotation == (360 - turned) % 360
    assert clean.image.shape == (3300, 2550)
    page = recognize(clean, engine=ENGINE, cfg=settings.ocr)
    assert page.text.splitlines()[0] == "RIVERSIDE MEDICAL CENTER"


def test_recognize_words_offsets_and_boxes(settings) -> None:
    clean = CleanPage(index=0, image=np.asarray(render_page(CHART_LINES), np.uint8), dpi=300)
    page = recognize(clean, engine=ENGINE, cfg=settings.ocr)
    lines = page.text.splitlines()
    assert "Patient: HARRISON, MARGARET MRN: 4829173 DOB: 03/14/1948" in lines
    assert "Labs: Glucose 182 mg/dL 70-99 H" in lines
    for w in page.words:
        assert page.text[w.start : w.end] == w.text
        assert 0 <= w.box.x0 < w.box.x1 <= page.width and 0 <= w.box.y0 < w.box.y1 <= page.height
    mrn = next(w for w in page.words if w.text == "4829173")
    # Line 3 (0-based) is drawn at y = 250 + 3 * 88 = 514, x after the name.
    assert 500 <= mrn.box.y0 <= 530 and mrn.box.x0 > 900
    assert mrn.conf > 80


def test_reading_order_merges_table_columns_into_rows() -> None:
    # An engine that read a two-column table as two blocks: names, then values.
    words = [
        EngineWord("Sodium", 100, 100, 250, 130, 95, (1, 1, 1)),
        EngineWord("Potassium", 100, 200, 300, 230, 95, (1, 1, 2)),
        EngineWord("138", 800, 102, 870, 131, 95, (2, 1, 1)),
        EngineWord("mmol/L", 900, 101, 1040, 132, 95, (2, 1, 1)),
        EngineWord("4.1", 800, 199, 860, 229, 95, (2, 1, 2)),
    ]
    rows = reading_order(words)
    assert [[w.text for w in r] for r in rows] == [
        ["Sodium", "138", "mmol/L"],
        ["Potassium", "4.1"],
    ]


def test_remove_rules_lets_a_ruled_table_read_row_by_row(settings) -> None:
    from PIL import ImageDraw, ImageFont

    from pipeline.ocr.cleanup import remove_rules
    from tests.conftest import FONT

    font = ImageFont.truetype(FONT, 40)
    rows = [["Test", "Result", "Units"], ["Sodium", "138", "mmol/L"], ["Glucose", "182", "mg/dL"]]
    im = render_page([])
    draw = ImageDraw.Draw(im)
    xs, y0, h = [200, 800, 1300, 1900], 400, 90
    for r, cells in enumerate(rows):
        for c, cell in enumerate(cells):
            draw.text((xs[c] + 20, y0 + r * h + 20), cell, fill=0, font=font)
    for r in range(len(rows) + 1):
        draw.line([(xs[0], y0 + r * h), (xs[-1], y0 + r * h)], fill=0, width=4)
    for x in xs:
        draw.line([(x, y0), (x, y0 + len(rows) * h)], fill=0, width=4)
    image = np.asarray(im, dtype=np.uint8)
    cleaned = remove_rules(image)
    assert cleaned[y0, 1000] == 255 and cleaned[y0 + 45, xs[1]] == 255  # rules gone
    interior = image[y0 + 10 : y0 + 80, xs[0] + 10 : xs[1] - 10]  # the "Test" cell
    assert (cleaned[y0 + 10 : y0 + 80, xs[0] + 10 : xs[1] - 10] == interior).all()  # text kept
    page = recognize(CleanPage(index=0, image=cleaned, dpi=300), engine=ENGINE, cfg=settings.ocr)
    assert page.text.splitlines() == ["Test Result Units", "Sodium 138 mmol/L", "Glucose 182 mg/dL"]


def test_despeckle_cleans_fax_noise_and_leaves_clean_pages_alone() -> None:
    from pipeline.ocr.cleanup import despeckle

    page = np.asarray(render_page(["Potassium 4.1 mmol/L", "Creatinine 0.9 mg/dL"]), np.uint8)
    assert despeckle(page) is page  # few specks: untouched, every decimal point kept
    rng = np.random.default_rng(7)
    noisy = page.copy()
    ys, xs = rng.integers(0, 3300, 4000), rng.integers(0, 2550, 4000)
    for y, x in zip(ys, xs, strict=True):
        noisy[y : y + 2, x : x + 2] = 0  # 2x2 specks, ~475 per megapixel
    cleaned = despeckle(noisy)
    assert (cleaned < 128).sum() < (page < 128).sum() * 1.02  # the specks are gone
    text_rows = slice(240, 400)
    assert (cleaned[text_rows] < 128).sum() >= (page[text_rows] < 128).sum() * 0.97  # text kept


def test_despeckle_sizes_are_on_paper_not_in_pixels() -> None:
    """At 200 DPI a decimal point is a 4x4 dot: kept; a 1-2 px speck still goes."""
    from pipeline.ocr.cleanup import despeckle

    page = np.full((2200, 1700), 255, np.uint8)
    rng = np.random.default_rng(3)
    for y, x in zip(rng.integers(0, 2200, 1500), rng.integers(0, 1700, 1500), strict=True):
        page[y : y + 1, x : x + 2] = 0  # ~400 two-pixel specks per megapixel
    dots = [(300 + 40 * i, 400) for i in range(20)]
    for y, x in dots:
        page[y : y + 4, x : x + 4] = 0
    at_200 = despeckle(page, dpi=200)
    assert all((at_200[y : y + 4, x : x + 4] == 0).all() for y, x in dots)  # points kept
    assert (at_200 < 128).sum() == 20 * 16  # every speck gone
    at_300 = despeckle(page, dpi=300)  # at 300 DPI the same 16 px dot is a speck
    assert (at_300 < 128).sum() == 0


def test_remove_rules_erases_dashed_fax_rules_but_not_long_words() -> None:
    from PIL import ImageDraw, ImageFont

    from pipeline.ocr.cleanup import remove_rules
    from tests.conftest import FONT

    im = render_page([])
    draw = ImageDraw.Draw(im)
    for x in range(200, 2200, 14):  # a rule broken into 10 px dashes with 4 px gaps
        draw.line([(x, 1000), (x + 9, 1000)], fill=0, width=3)
    # The longest word a chart prints, set tight: its letters touch once bridged.
    draw.text(
        (200, 600), "Hydrochlorothiazide/lisinopril", fill=0, font=ImageFont.truetype(FONT, 60)
    )
    image = np.asarray(im, dtype=np.uint8)
    cleaned = remove_rules(image)
    assert (cleaned[995:1006, 200:2200] == 255).all()  # the dashed rule is gone
    assert (cleaned[560:700] == image[560:700]).all()  # the word is untouched


def test_despeckle_for_rapidocr_keeps_specks_beside_text() -> None:
    """isolated_only removes lone specks and keeps a decimal point beside its digits."""
    from pipeline.ocr.cleanup import despeckle

    page = np.full((3300, 2550), 255, np.uint8)
    rng = np.random.default_rng(5)
    for y, x in zip(rng.integers(0, 3300, 4000), rng.integers(1500, 2550, 4000), strict=True):
        page[y : y + 2, x : x + 2] = 0  # speckle, right half only
    points = []
    for row in range(10):
        y, x = 200 + 120 * row, 200
        page[y : y + 30, x : x + 20] = 0  # a digit
        page[y + 26 : y + 30, x + 26 : x + 30] = 0  # its decimal point, 6 px away
        page[y : y + 30, x + 36 : x + 56] = 0  # the next digit
        points.append((y + 26, x + 26))
    kept = despeckle(page, isolated_only=True)
    assert all((kept[y : y + 4, x : x + 4] == 0).all() for y, x in points)
    assert (kept[:, 1500:] < 128).sum() < 0.01 * (page[:, 1500:] < 128).sum()  # specks gone
    every = despeckle(page)
    assert all((every[y : y + 4, x : x + 4] == 255).all() for y, x in points)  # points too


def test_scanner_marks_are_painted_out_and_text_is_kept(settings) -> None:
    """A dark lid band and punch holes go; an "O", a bullet and the text stay."""
    import cv2

    from pipeline.ocr.cleanup import remove_scanner_marks

    page = np.asarray(render_page(CHART_LINES), dtype=np.uint8).copy()
    text_before = page[200:1200, 300:2400].copy()
    page[:, 2480:] = 40  # the lid band along the right edge
    for y in (600, 1650, 2700):
        cv2.circle(page, (90, y), 37, 40, -1)  # punch holes, 0.25 inch, in the left margin
    cv2.circle(page, (90, 2000), 30, 0, 6)  # a ring in the margin: an "O", not a hole
    cv2.circle(page, (150, 2200), 8, 0, -1)  # a bullet
    cleaned = remove_scanner_marks(page, dpi=300)
    assert (cleaned[:, 2490:] == 255).all()
    for y in (600, 1650, 2700):
        assert (cleaned[y - 40 : y + 40, 50:130] == 255).all()
    assert (cleaned[1965:2035, 55:125] < 128).sum() == (page[1965:2035, 55:125] < 128).sum()
    assert (cleaned[2190:2210, 140:160] == page[2190:2210, 140:160]).all()
    assert (cleaned[200:1200, 300:2400] == text_before).all()
    clean = np.asarray(render_page(CHART_LINES), dtype=np.uint8)
    assert remove_scanner_marks(clean, dpi=300) is clean  # nothing to do: the page itself


def test_uneven_lighting_is_divided_out_and_even_pages_left_alone(settings) -> None:
    from pipeline.ocr.cleanup import flatten_lighting
    from pipeline.ocr.recognize import recognize
    from pipeline.schema import CleanPage

    page = np.asarray(render_page(CHART_LINES), dtype=np.float32)
    h, w = page.shape
    falloff = np.clip(1.0 - 0.45 * np.linspace(0.0, 1.0, w), 0.0, 1.0)[None, :]
    shaded = (page * falloff).astype(np.uint8)  # paper from 255 down to 140 at the right
    flat = flatten_lighting(shaded, dpi=300)
    paper = flat[(page > 250)]
    assert paper.min() >= 235  # the paper is white again across the page
    even = page.astype(np.uint8)
    assert flatten_lighting(even, dpi=300) is even
    read = recognize(CleanPage(index=0, image=flat, dpi=300), engine=ENGINE, cfg=settings.ocr)
    assert "Labs: Glucose 182 mg/dL 70-99 H" in read.text.splitlines()


def test_a_faded_dash_is_not_speckle() -> None:
    """An empty cell's "--" faded to two 8x2 px strokes stays; round specks of its size go."""
    from pipeline.ocr.cleanup import speck_mask

    page = np.full((3300, 2550), 255, np.uint8)
    rng = np.random.default_rng(11)
    for y, x in zip(rng.integers(0, 3300, 4000), rng.integers(0, 2550, 4000), strict=True):
        page[y : y + 3, x : x + 3] = 0  # 9 px round specks
    page[1000:1002, 1200:1208] = 0  # the dashes, 16 px each: smaller than a speck may be
    page[1000:1002, 1220:1228] = 0
    specks = speck_mask(page)
    assert specks is not None
    assert not specks[1000:1002, 1200:1228].any()  # both dashes kept
    assert specks.sum() >= 0.9 * (page < 128).sum() - 32  # the speckle is found


@pytest.mark.parametrize("turned", [90, 180, 270])
def test_a_page_osd_cannot_judge_is_turned_by_reading(turned: int, settings) -> None:
    """One line is too little text for OSD; RapidOCR reading it each way is enough."""
    from pipeline.ocr.cascade import CascadeEngine

    lines = ["Potassium 4.1 mmol/L"]
    im = render_page(lines).rotate(-turned, expand=True, fillcolor=255)
    image = np.asarray(im, np.uint8)
    degrees, confidence = ENGINE.orientation(image, cfg=settings.ocr)
    assert confidence < settings.cleanup.osd_min_confidence  # OSD refuses the page
    auto = CascadeEngine()
    clean = clean_image(_raw(im), engine=auto, cfg=settings.cleanup, ocr_cfg=settings.ocr)
    assert clean.rotation == (360 - turned) % 360
    page = recognize(clean, engine=auto, cfg=settings.ocr)
    assert page.text == "Potassium 4.1 mmol/L"
    # The tesseract engine asks RapidOCR too: its own confidence cannot judge.
    alone = clean_image(_raw(im), engine=ENGINE, cfg=settings.cleanup, ocr_cfg=settings.ocr)
    assert alone.rotation == clean.rotation
    off = settings.cleanup.model_copy(update={"turn_by_reading": False})
    assert clean_image(_raw(im), engine=auto, cfg=off, ocr_cfg=settings.ocr).rotation == 0
