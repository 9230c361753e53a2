"""RapidOCR engine: word boxes against rendered truth, spacing, tables, limits, no downloads."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.errors import OcrTimeout
from pipeline.ocr.rapid import DET_MAX_SIDE, RapidOcrEngine, line_words, model_dir
from pipeline.ocr.recognize import recognize
from pipeline.schema import CleanPage
from pipeline.settings import OcrSettings
from tests.conftest import CHART_LINES, FONT

ENGINE = RapidOcrEngine()


def _page_with_truth(lines: list[str], font_px: int = 40) -> tuple[np.ndarray, dict[str, tuple]]:
    """A rendered page and the ink box of every word (first occurrence), as drawn."""
    im = Image.new("L", (2550, 3300), 255)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, font_px)
    boxes: dict[str, tuple] = {}
    for i, line in enumerate(lines):
        x, y = 200, 250 + i * int(font_px * 2.2)
        draw.text((x, y), line, font=font, fill=0)
        at = 0
        for word in line.split():
            start = line.index(word, at)
            at = start + len(word)
            left = x + draw.textlength(line[:start], font=font)
            boxes.setdefault(word, draw.textbbox((left, y), word, font=font))
    return np.asarray(im, dtype=np.uint8), boxes


def test_words_and_boxes_match_the_rendered_page(settings) -> None:
    image, truth = _page_with_truth(CHART_LINES)
    page = recognize(CleanPage(index=0, image=image, dpi=300), engine=ENGINE, cfg=settings.ocr)
    lines = page.text.splitlines()
    assert "Patient: HARRISON, MARGARET MRN: 4829173 DOB: 03/14/1948" in lines
    assert "Labs: Glucose 182 mg/dL 70-99 H" in lines
    assert page.engines == ("rapidocr",)
    found: dict = {}
    for w in page.words:
        found.setdefault(w.text, w)
    for word in ("HARRISON,", "4829173", "03/14/1948", "Glucose", "182", "metformin", "Whitfield,"):
        w = found[word]
        t = truth[word]
        # Across: from the recogniser's character columns, the word's ink, not its line.
        across = (min(w.box.x1, t[2]) - max(w.box.x0, t[0])) / (
            max(w.box.x1, t[2]) - min(w.box.x0, t[0])
        )
        assert across >= 0.8, (word, w.box, t)
        # Down: the detected line's height, which holds the ink (redaction paints it all).
        assert w.box.y0 <= t[1] and w.box.y1 >= t[3] and (w.box.y1 - w.box.y0) < 2.5 * (t[3] - t[1])
        assert w.conf > 80
    for w in page.words:
        assert page.text[w.start : w.end] == w.text


def test_a_table_reads_row_by_row(settings) -> None:
    font = ImageFont.truetype(FONT, 40)
    rows = [
        ["Test", "Result", "Units", "Range"],
        ["Sodium", "138", "mmol/L", "136-145"],
        ["Glucose", "182", "mg/dL", "70-99"],
    ]
    im = Image.new("L", (2550, 3300), 255)
    draw = ImageDraw.Draw(im)
    for r, cells in enumerate(rows):
        for c, cell in enumerate(cells):
            draw.text((200 + 550 * c, 400 + 90 * r), cell, fill=0, font=font)
    clean = CleanPage(index=0, image=np.asarray(im, dtype=np.uint8), dpi=300)
    page = recognize(clean, engine=ENGINE, cfg=settings.ocr)
    assert page.text.splitlines() == [
        "Test Result Units Range",
        "Sodium 138 mmol/L 136-145",
        "Glucose 182 mg/dL 70-99",
    ]


def _info(text: str, cols: list[int], length: float) -> SimpleNamespace:
    """A recogniser word record as rapidocr builds it: characters and their CTC columns."""
    chars = [c for c in text if c != " "]
    return SimpleNamespace(
        words=[chars], word_cols=[cols], line_txt_len=length, confs=[0.99] * len(text)
    )


@pytest.mark.parametrize(
    ("text", "gap_after", "expected"),
    [
        # The recogniser dropped the space after a label's colon: put it back.
        ("Resp:17", None, ["Resp:", "17"]),
        ("Acct#:0508", None, ["Acct#:", "0508"]),
        # A time and a decimal keep their colon and point, blank ink or not.
        ("03:14", 2, ["03:14"]),
        ("37.4", 2, ["37.4"]),
        # A blank gap between two words is a space the model dropped.
        ("FamilyMedicine", 5, ["Family", "Medicine"]),
        # ... but not before punctuation, which stands apart in the ink.
        ("Dr.", 1, ["Dr."]),
    ],
)
def test_line_words_restores_dropped_spaces(text, gap_after, expected) -> None:
    flat = text.replace(" ", "")
    cols = [
        2 + 3 * i + (6 if gap_after is not None and i > gap_after else 0) for i in range(len(flat))
    ]
    length = cols[-1] + 3
    crop = np.full((40, int(length * 8)), 255, np.uint8)
    cell = crop.shape[1] / length
    for c in cols:  # ink under every character up to the next one; blank only at the gap
        crop[8:32, int((c - 1) * cell) : int((c + 2) * cell) - 1] = 0
    quad = np.array(
        [[100, 50], [100 + crop.shape[1], 50], [100 + crop.shape[1], 90], [100, 90]], np.float32
    )
    words = line_words(text, 0.99, _info(text, cols, length), quad, crop)
    assert [w.text for w in words] == expected
    assert all(
        100 <= w.x0 < w.x1 <= 100 + crop.shape[1] and w.y0 == 50 and w.y1 == 90 for w in words
    )


def test_only_bundled_models_and_no_angle_classifier() -> None:
    cfg = ENGINE.ocr.cfg
    assert cfg.Global.use_cls is False  # the classifier flips long lines
    assert str(model_dir()) in str(cfg.Det.model_path) and str(model_dir()) in str(
        cfg.Rec.model_path
    )
    assert cfg.Global.max_side_len == DET_MAX_SIDE and cfg.Det.limit_side_len == 960
    assert cfg.EngineConfig.onnxruntime.intra_op_num_threads == 1


def test_never_downloads_with_the_network_blocked(monkeypatch, settings) -> None:
    """A fresh engine builds and reads with every network path and rapidocr's downloader failing."""
    from rapidocr.utils import download_file

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(download_file.DownloadFile, "run", classmethod(refuse))
    monkeypatch.setattr("requests.get", refuse)
    image, _ = _page_with_truth(["Sodium 138 mmol/L"])
    words = RapidOcrEngine().read(image, cfg=settings.ocr).words
    assert [w.text for w in words] == ["Sodium", "138", "mmol/L"]


def test_page_time_limit_raises_ocr_timeout() -> None:
    image, _ = _page_with_truth(CHART_LINES)
    with pytest.raises(OcrTimeout):
        ENGINE.read(image, cfg=OcrSettings(timeout_s=1e-6))


def test_a_huge_page_reads_in_bounded_memory() -> None:
    """A 90 Mpx page (just under the load limit): detection runs on a 960 px copy."""
    script = r"""
import json, resource, sys, numpy as np
from PIL import Image, ImageDraw, ImageFont
from pipeline.ocr.rapid import RapidOcrEngine
from pipeline.settings import OcrSettings
im = Image.new("L", (10000, 9000), 255)
ImageDraw.Draw(im).text((400, 400), "Sodium 138 mmol/L", fill=0,
                        font=ImageFont.truetype(sys.argv[1], 400))
image = np.asarray(im)
words = RapidOcrEngine().read(image, cfg=OcrSettings()).words
print(json.dumps({"words": [w.text for w in words],
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script, FONT], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["words"] == ["Sodium", "138", "mmol/L"]
    assert result["maxrss_mb"] < 2000  # the page itself is 90 MB; a colour copy 270 MB


def test_regions_come_back_in_the_order_asked_whatever_their_widths(settings) -> None:
    """Regions are recognised in order of width (less padding per batch), answered in order."""
    lines = [
        "Assessment: hypertension, well controlled on current regimen",
        "98.6",
        "Plan: continue lisinopril 10 mg daily",
        "HR 72",
        "Follow up in three months with repeat basic metabolic panel",
        "BP 128/82",
        "Na 138",
    ]
    image, truth = _page_with_truth(lines)
    quads = []
    for line in lines:
        first, last = truth[line.split()[0]], truth[line.split()[-1]]
        x0, y0, x1, y1 = first[0] - 12, first[1] - 14, last[2] + 12, last[3] + 14
        quads.append(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32))
    read = ENGINE.read_regions(image, quads, cfg=settings.ocr)
    assert [" ".join(w.text for w in words) for words in read] == lines


def test_marks_the_detector_missed_are_read_and_specks_are_not(settings) -> None:
    """Ink outside every detected line, on a detected row, is read when it is text ("--")."""
    from pipeline.ocr.rapid import _is_mark, undetected_marks

    image, truth = _page_with_truth(["Temp 98.6 SpO2 97 Wt --", "Pulse 72"])
    image = image.copy()
    image[700:703, 900:903] = 0  # a lone speck, on no row
    box = lambda *words: np.array(  # noqa: E731
        [
            [min(truth[w][0] for w in words) - 8, min(truth[w][1] for w in words) - 8],
            [max(truth[w][2] for w in words) + 8, min(truth[w][1] for w in words) - 8],
            [max(truth[w][2] for w in words) + 8, max(truth[w][3] for w in words) + 8],
            [min(truth[w][0] for w in words) - 8, max(truth[w][3] for w in words) + 8],
        ],
        dtype=np.float32,
    )
    detected = [box("Temp", "Wt"), box("Pulse", "72")]  # as if the detector stopped at "Wt"
    marks = undetected_marks(image, detected)
    assert len(marks) == 1
    dash = truth["--"]
    x0, y0 = marks[0].min(axis=0)
    x1, y1 = marks[0].max(axis=0)
    assert x0 <= dash[0] and dash[2] <= x1 and y0 <= dash[1] and dash[3] <= y1
    (read,) = ENGINE.read_regions(image, marks, cfg=settings.ocr)
    assert [w.text for w in read] == ["--"] and _is_mark(read)
    dot = [replace(read[0], text=".", conf=99.0)]
    assert not _is_mark(dot)  # a sure dot is still most likely speckle
    assert _is_mark([replace(read[0], conf=55.0)])  # a faded "--": dashes need less
    assert not _is_mark([replace(read[0], text="A", conf=55.0)])  # a letter does not


@pytest.mark.parametrize(
    ("text", "confs", "expected"),
    [
        # Specks read as points at a word's ends, unsure: gone; the decimal point stays.
        ("97.1.", [0.99, 0.99, 0.99, 0.99, 0.55], ["97.1"]),
        (".93", [0.6, 0.99, 0.99], ["93"]),
        ('112/77."', [0.99] * 6 + [0.6, 0.5], ["112/77"]),
        ("99.3", [0.99, 0.99, 0.3, 0.99], ["99.3"]),
        # A point the recogniser is sure of is text, and commas are never dropped.
        ("Dr.", [0.99, 0.99, 0.95], ["Dr."]),
        ("24,", [0.99, 0.99, 0.52], ["24,"]),
        # A lone unsure dot is no word at all.
        ("5 .", [0.99, 0.99, 0.4], ["5"]),
    ],
)
def test_line_words_drops_unsure_dots_at_word_ends(text, confs, expected) -> None:
    flat = text.replace(" ", "")
    cols = [2 + 3 * i for i in range(len(flat))]
    length = cols[-1] + 3
    crop = np.full((40, int(length * 8)), 255, np.uint8)
    crop[8:32, :] = 0  # no blank gaps: words split at the text's spaces only
    quad = np.array([[0, 0], [crop.shape[1], 0], [crop.shape[1], 40], [0, 40]], np.float32)
    info = _info(text, cols, length)
    info.confs = confs  # per character of the text, spaces included
    words = line_words(text, 0.99, info, quad, crop)
    assert [w.text for w in words] == expected


@pytest.mark.parametrize("fold", [True, False])
def test_line_words_folds_accents_the_recogniser_read_into_specks(fold) -> None:
    text = "Bronchoșpasm succínate："
    flat = text.replace(" ", "")
    cols = [2 + 3 * i for i in range(len(flat))]
    length = cols[-1] + 3
    crop = np.full((40, int(length * 8)), 255, np.uint8)
    quad = np.array([[0, 0], [crop.shape[1], 0], [crop.shape[1], 40], [0, 40]], np.float32)
    words = line_words(text, 0.99, _info(text, cols, length), quad, crop, fold_accents=fold)
    expected = ["Bronchospasm", "succinate:"] if fold else ["Bronchoșpasm", "succínate:"]
    assert [w.text for w in words] == expected  # full-width ":" folds either way (NFKC)
