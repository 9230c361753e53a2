"""The auto cascade and orientation by need, on rendered pages and the bundled faxed scans."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.bench import edit_counts
from pipeline.ocr.cascade import CascadeEngine
from pipeline.ocr.engine import TesseractEngine, get_engine
from pipeline.ocr.load import inspect_source, load_page
from pipeline.ocr.page import read_upright, unreliable
from pipeline.schema import RawPage
from tests.conftest import CHART_LINES, render_page

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _raw(im: Image.Image, dpi: int = 300) -> RawPage:
    return RawPage(index=0, image=np.asarray(im, dtype=np.uint8), dpi=dpi)


def _never(*args, **kwargs):
    raise AssertionError("called")


def test_clean_page_is_tesseract_alone_and_skips_osd(settings, monkeypatch) -> None:
    engine = CascadeEngine()
    monkeypatch.setattr(engine.second, "read_words", _never)  # no RapidOCR page read
    monkeypatch.setattr(TesseractEngine, "orientation", _never)  # no OSD on an upright page
    clean, page = read_upright(
        _raw(render_page(CHART_LINES)), engine=engine, cleanup=settings.cleanup, cfg=settings.ocr
    )
    assert clean.rotation == 0
    # Tesseract read the page; RapidOCR re-read only the lines with a doubtful number
    # ("98.6" at 66: cascade_number_conf), which keep their words and spaces.
    assert page.engines == ("tesseract", "rapidocr")
    assert page.conf >= settings.ocr.cascade_page_conf
    assert not clean.speckled and not unreliable(page, settings.ocr)
    lines = page.text.splitlines()
    assert "Labs: Glucose 182 mg/dL 70-99 H" in lines
    assert "Vitals: BP: 132/84 mmHg HR: 72 bpm Temp: 98.6 F SpO2: 97 %" in lines


@pytest.mark.parametrize("turned", [90, 180, 270])
def test_turned_page_gets_osd_and_is_read_upright(turned, settings) -> None:
    im = render_page(CHART_LINES).rotate(-turned, expand=True, fillcolor=255)
    clean, page = read_upright(
        _raw(im), engine=get_engine("tesseract"), cleanup=settings.cleanup, cfg=settings.ocr
    )
    assert clean.rotation == (360 - turned) % 360
    assert page.text.splitlines()[0] == "RIVERSIDE MEDICAL CENTER"


def _sample(name: str, index: int) -> tuple[RawPage, dict]:
    truth = json.loads((SAMPLES / "truth" / f"{name}.json").read_text())
    from pipeline.settings import LoadSettings

    source = inspect_source(str(SAMPLES / truth["file"]), cfg=LoadSettings())
    return load_page(source, index, cfg=LoadSettings()), truth["pages"][index]


@pytest.mark.parametrize(
    ("name", "index", "gain"),
    [
        ("c005-intake-form-heavy", 0, 0.3),  # tesseract misreads a faxed form badly
        # a short continuation page both read alike, within a few characters (276 in all)
        ("c002-lab-report-heavy", 1, 1.5),
        ("c005-intake-form-heavy", 1, 1.0),  # turned 90: OSD on the despeckled page
    ],
)
def test_faxed_page_goes_to_rapidocr_upright_and_to_review(
    name, index, gain, settings, monkeypatch
) -> None:
    raw, truth = _sample(name, index)
    _, tess = read_upright(
        raw, engine=get_engine("tesseract"), cleanup=settings.cleanup, cfg=settings.ocr
    )
    engine = CascadeEngine()
    monkeypatch.setattr(engine.first, "read_words", _never)  # a fax: tesseract does not read it
    clean, auto = read_upright(raw, engine=engine, cleanup=settings.cleanup, cfg=settings.ocr)
    assert clean.rotation == truth["rotation"]  # turned, and OSD turned it back
    assert abs(clean.skew + truth["skew"]) < 0.2  # straightened to within 0.2 degrees
    assert clean.speckled and auto.speckled
    assert auto.engines == ("rapidocr",)
    # RapidOCR is sure of itself on faxes, misreadings and all: the page goes to review anyway.
    assert auto.conf >= settings.ocr.review_page_conf
    assert unreliable(auto, settings.ocr)
    no_fax_rule = settings.ocr.model_copy(update={"review_speckled": False})
    assert not unreliable(auto, no_fax_rule)
    cer = lambda p: (lambda c: c[0] / c[1])(edit_counts(p.text, truth["text"]))  # noqa: E731
    assert cer(auto) < 0.05 and cer(auto) <= gain * cer(tess)


def test_a_sideways_fax_osd_turns_the_wrong_way_is_turned_the_other_way(
    settings, monkeypatch
) -> None:
    """OSD can answer 90 for a page turned 270: upside down it reads worse, and is flipped."""
    import pipeline.ocr.page as page_module

    raw, truth = _sample("c005-intake-form-heavy", 1)
    assert truth["rotation"] in (90, 270)
    wrong = (truth["rotation"] + 180) % 360
    monkeypatch.setattr(page_module, "orient", lambda *a, **k: wrong)
    clean, page = read_upright(
        raw, engine=CascadeEngine(), cleanup=settings.cleanup, cfg=settings.ocr
    )
    assert clean.rotation == truth["rotation"]
    cer = (lambda c: c[0] / c[1])(edit_counts(page.text, truth["text"]))
    assert cer < 0.05


def test_doubtful_lines_on_a_good_page_are_reread(settings, monkeypatch) -> None:
    """A line tesseract reads with a word below cascade_line_conf is re-read from its crop."""
    engine = CascadeEngine()
    image = np.asarray(render_page(CHART_LINES), dtype=np.uint8)
    words = engine.first.read_words(image, cfg=settings.ocr)
    target = next(w for w in words if w.text == "4829173")
    damaged = [
        w if w is not target else w.__class__("4B29I73", *_box(w), 10.0, w.line_key) for w in words
    ]
    reading = engine.read_after(image, damaged, cfg=settings.ocr)
    assert reading.engines == ("tesseract", "rapidocr")
    texts = [w.text for w in reading.words]
    assert "4829173" in texts and "4B29I73" not in texts
    # Lines tesseract was sure of are its own words, untouched.
    assert [w for w in reading.words if w.line_key != target.line_key] == [
        w for w in damaged if w.line_key != target.line_key
    ]


def _box(w) -> tuple[int, int, int, int]:
    return w.x0, w.y0, w.x1, w.y1


def _w(text: str, x0: int, y0: int, x1: int, y1: int):
    from pipeline.ocr.engine import EngineWord

    return EngineWord(text, x0, y0, x1, y1, 95.0, (1,))


@pytest.mark.parametrize(
    ("words", "upright"),
    [
        # words wider than tall: an upright (or upside-down) page
        ([_w(f"word{i}", 100 * i, 50, 100 * i + 90, 80) for i in range(8)], True),
        # one confident "|" on a sideways fax: too little reading to vouch for the page
        ([_w("|", 10, 10, 14, 46)], False),
        # tall slivers of sideways lines, however confidently read
        ([_w("lll", 100 * i, 50, 100 * i + 20, 200) for i in range(8)], False),
        # short words (digits, units) do not count either way
        ([_w("12", 100 * i, 50, 100 * i + 10, 90) for i in range(20)], False),
    ],
)
def test_looks_upright(words, upright) -> None:
    from pipeline.ocr.page import looks_upright

    assert looks_upright(words) is upright


def test_a_reread_line_takes_each_word_from_the_surer_engine() -> None:
    """Tesseract sure of "JACKSON," and unsure of "MRN:"; RapidOCR the other way round."""
    from pipeline.ocr.cascade import merge_line
    from pipeline.ocr.engine import EngineWord

    def w(text, x0, x1, conf, key=(1, 1, 1)):
        return EngineWord(text, x0, 100, x1, 130, conf, key)

    tess = [w("JACKSON,", 0, 160, 95.0), w("MRN:", 200, 280, 21.0), w("1397O432", 300, 460, 21.0)]
    rapid = [
        w("jacKSon,", 2, 158, 63.0, (7,)),
        w("mRN:", 201, 279, 73.0, (7,)),
        w("1397", 300, 380, 99.0, (7,)),  # one engine's word split in two: one stretch
        w("0432", 382, 460, 99.0, (7,)),
        w("Page", 500, 580, 90.0, (7,)),  # a word only RapidOCR found
    ]
    merged = merge_line(tess, rapid)
    # "mRN:" is read alike but for case: tesseract's case stays, with its confidence.
    assert [x.text for x in merged] == ["JACKSON,", "MRN:", "1397", "0432", "Page"]
    assert merge_line(tess, []) == tess


def test_a_reread_run_together_is_cut_where_tesseracts_words_end() -> None:
    """RapidOCR drops the spaces of a table row; each cell is taken from the surer engine."""
    from pipeline.ocr.cascade import merge_line
    from pipeline.ocr.engine import EngineWord

    def w(text, x0, x1, conf, key=(1, 1, 1)):
        return EngineWord(text, x0, 100, x1, 130, conf, key)

    tess = [w("Potassium", 0, 170, 96.0), w("3.0", 320, 370, 63.0), w("mmol/L", 500, 640, 96.0)]
    rapid = [w("Potassium", 0, 170, 97.0, (4,)), w("3.5mmol/L", 318, 642, 92.0, (4,))]
    merged = merge_line(tess, rapid)
    assert [(x.text, x.x0, x.x1) for x in merged] == [
        ("Potassium", 0, 170),
        ("3.5", 320, 370),  # RapidOCR surer of the digit, in tesseract's box
        ("mmol/L", 500, 640),  # tesseract surer of the unit
    ]
    assert merged[1].conf == 92.0 and merged[2].conf == 96.0
    # A count the cut cannot carry over (an empty piece) falls back to the whole stretch.
    short = merge_line([w("12", 0, 40, 50.0), w("mg", 60, 100, 50.0)], [w("7", 0, 100, 90.0)])
    assert [x.text for x in short] == ["7"]
