"""The RapidOCR engine: PP-OCR text detection and recognition on onnxruntime.

Only the models bundled in the ``rapidocr`` wheel are used, each named by its file path, so
rapidocr's model resolver (which downloads anything it does not find) never runs. The
text-line angle classifier is off: on our charts it flipped long lines upside down, and no
PP-OCR model can turn a sideways page anyway (tesseract OSD does that in cleanup).

Recognition reads regions (line crops) in batches; a page read is detection followed by the
same region read, and the cascade (``ocr/cascade.py``) reads only the regions it chooses.
Word boxes come from the recogniser's CTC character columns, mapped back into the region
(rapidocr's ``CalRecBoxes``); ``tests/test_ocr_rapid.py`` checks them against rendered truth.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pipeline.errors import OcrFailed, OcrTimeout
from pipeline.ocr.engine import EngineWord, Reading, TesseractEngine, mean_conf, on_line
from pipeline.settings import OcrSettings

# The models shipped inside the pinned wheel (rapidocr 3.10.0): PP-OCRv6 small.
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
# Regions per onnxruntime call; each region is resized to 48 px high and padded to the
# widest in its batch, so regions are batched in order of width (``read_regions``).
REC_BATCH = 6
# The narrowest input the recogniser is given, in pixels at 48 px high. PaddleOCR pads every
# crop to at least 320 (a 6.7:1 line); a flowsheet cell ("98.6", 2:1) then costs as much as
# a line of prose. At 160 the benchmark's faxed pages read 20 % faster with CER 0.041
# against 0.042 (narrow cells lost fewer decimal points); prose lines are wider anyway.
REC_MIN_WIDTH = 160
# Detection runs on the page scaled to 960 px on its long side (PaddleOCR's own default for
# its detector, "max 960"); recognition reads crops of the full-resolution page. rapidocr's
# default (at least 736 px on the short side, so 1545 x 2000 for a letter page) was slower
# and missed a lone line on an otherwise blank page (``tests/test_ocr_rapid.py``); on the
# synthetic benchmark 960 px gave CER 0.003 / 0.002 / 0.042 (clean / moderate / heavy)
# against 0.004 / 0.004 / 0.042, in 10-25 % less time. ``Global.max_side_len`` only bounds
# the page copy before that.
DET_MAX_SIDE = 2000
DET_LIMIT_TYPE = "max"
DET_LIMIT_SIDE = 960
# A blank gap this wide (a fraction of the line crop's height) between two recognised
# characters is a word space the recogniser dropped.
WORD_SPACE = 0.22
# A dot or quote at either end of a word read with less confidence than this is dropped: on
# faxes it is a speck beside the word ("97.1.", ".93", "112/77."; 0.52-0.69 on a faxed
# flowsheet of seed 11). On the 14 faxed pages of seeds 11 and 71 CER went 0.0192 -> 0.0173;
# RapidOCR's clean and moderate pages of both seeds read as before (one edit more on each).
EDGE_DOT_MIN_CONF = 0.8
_EDGE_DOTS = ".'\""


# Undetected marks (``undetected_marks``): ink further than this (px) from a detected box,
# at least this many pixels of it, grouped at least this many line heights wide, read with
# this much padding (line heights) and kept when every word has this confidence and the
# text has a dash, letter or digit (a dot alone is most likely speckle).
MARK_COVER_PAD = 4
MARK_MIN_INK_PX = 15
MARK_MIN_WIDTH = 0.2
MARK_PAD = 0.3
MARK_MIN_CONF = 80.0
_MARK = re.compile(r"[-A-Za-z0-9]")
# A mark read as dashes only is a table's empty cell ("--"), faded: the recogniser was less
# sure of those (50-79 on a faxed flowsheet) and nothing but a stroke reads as a dash.
MARK_MIN_DASH_CONF = 50.0

# Orientation by reading (``RapidOcrEngine.reading_turn``): this many of the page's longest
# lines, their middle this many line heights each.
TURN_LINES = 8
TURN_SPAN = 12

# Characters of the Chinese model's alphabet that stand for ASCII on an English chart and
# that NFKC leaves alone ("一" is CJK "one", read for a dash).
_LOOKALIKES = {"一": "-", "—": "-", "–": "-", "・": ".", "•": ".", "。": "."}


def model_dir() -> Path:
    """The folder of the models bundled in the installed rapidocr wheel."""
    import rapidocr

    return Path(rapidocr.__file__).resolve().parent / "models"


class RapidOcrEngine:
    """RapidOCR 3 with bundled PP-OCRv6 models, one onnxruntime thread per process.

    Pages are parallelised across processes, like tesseract; onnxruntime's own thread pool
    would fight them for the same cores. The recogniser is built on first use (0.3 s).
    """

    name = "rapidocr"

    def __init__(self) -> None:
        self._ocr: Any = None
        self._osd = TesseractEngine()

    @property
    def ocr(self) -> Any:
        """The rapidocr object, built once per process."""
        if self._ocr is None:
            self._ocr = _build()
        return self._ocr

    def warm_up(self) -> None:
        """Load both models now rather than on the first page that needs them."""
        self.ocr._load_det_model()
        self.ocr._load_rec_model()

    def read(self, image: np.ndarray, *, cfg: OcrSettings) -> Reading:
        """Detect text lines on the page, then recognise each; every line is its own key."""
        return Reading.single(self.name, self.read_words(image, cfg=cfg))

    def read_words(
        self, image: np.ndarray, *, cfg: OcrSettings, deadline: float | None = None
    ) -> list[EngineWord]:
        """RapidOCR's words on the page, each line (detected region) its own ``line_key``.

        ``deadline`` (``time.monotonic()``) defaults to ``cfg.timeout_s`` from now.
        """
        if deadline is None:
            deadline = time.monotonic() + cfg.timeout_s
        quads = self.detect(image)
        if not quads:
            return []
        marks = undetected_marks(image, quads)
        lines = self.read_regions(image, quads + marks, cfg=cfg, deadline=deadline)
        words: list[EngineWord] = []
        for i, line in enumerate(lines):
            if i < len(quads) or _is_mark(line):
                words.extend(on_line(line, (i,)))
        return words

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        """The text lines PP-OCR's detector finds on ``image``, as 4x2 corner arrays."""
        try:
            det = self.ocr(image, use_det=True, use_cls=False, use_rec=False)
        except Exception as e:  # noqa: BLE001 - any engine fault is a page error
            raise OcrFailed() from e
        boxes = getattr(det, "boxes", None)
        if boxes is None:
            return []
        return [np.asarray(b, dtype=np.float32) for b in boxes]

    def read_regions(
        self,
        image: np.ndarray,
        quads: Sequence[np.ndarray],
        *,
        cfg: OcrSettings,
        deadline: float | None = None,
    ) -> list[list[EngineWord]]:
        """Recognise each region (a 4x2 corner array, clockwise from top left) of ``image``.

        Returns the words of each region in page pixels, in the order given. The time limit
        is checked between batches: one batch takes well under a second.
        """
        from rapidocr.ch_ppocr_rec import TextRecInput
        from rapidocr.utils.process_img import get_rotate_crop_image

        if deadline is None:
            deadline = time.monotonic() + cfg.timeout_s
        color = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image
        # Narrow regions with narrow ones: a batch is padded to its widest region.
        order = sorted(range(len(quads)), key=lambda k: _aspect(quads[k]))
        out: list[list[EngineWord]] = [[] for _ in quads]
        for at in range(0, len(order), REC_BATCH):
            if time.monotonic() > deadline:
                raise OcrTimeout()
            chosen = order[at : at + REC_BATCH]
            batch = [np.asarray(quads[k], dtype=np.float32) for k in chosen]
            crops = [get_rotate_crop_image(color, q.copy()) for q in batch]
            keep = [i for i, c in enumerate(crops) if c.size and min(c.shape[:2]) >= 4]
            results: list[list[EngineWord]] = [[] for _ in batch]
            if keep:
                try:
                    rec = self.ocr._load_rec_model()(
                        TextRecInput(img=[crops[i] for i in keep], return_word_box=True)
                    )
                except Exception as e:  # noqa: BLE001 - any engine fault is a page error
                    raise OcrFailed() from e
                for j, i in enumerate(keep):
                    results[i] = line_words(
                        rec.txts[j],
                        rec.scores[j],
                        rec.word_results[j],
                        batch[i],
                        crops[i],
                        fold_accents=cfg.fold_accents,
                    )
            for k, words in zip(chosen, results, strict=True):
                out[k] = words
        return out

    def orientation(self, image: np.ndarray, *, cfg: OcrSettings) -> tuple[int, float]:
        """Tesseract OSD: PP-OCR has no page orientation model."""
        return self._osd.orientation(image, cfg=cfg)

    def reading_turn(self, image: np.ndarray, *, cfg: OcrSettings) -> tuple[int, float]:
        """The turn under which the page's longest lines read best, and the margin.

        The detector finds text lines whichever way the page lies: mostly taller than wide,
        the page is sideways (90 or 270), else upright or upside down (0 or 180). The
        ``TURN_LINES`` longest lines are read both ways (their middle ``TURN_SPAN`` line
        heights, to bound the cost) by ``read_regions``; the turn whose lines read with the
        higher mean word confidence wins, by the difference of the two means (0..1). On the
        50 pages of seeds 11 and 71 (7 of them turned, faxes among them) it named every turn
        right, by 0.26 or more, in 1.3-2.1 s a page: it runs only where OSD is unsure
        (``cleanup.orient``).
        """
        spans = self.detect(image)
        if not spans:
            return 0, 0.0
        sizes = [q.max(axis=0) - q.min(axis=0) for q in spans]
        sideways = sum(float(h) > float(w) for w, h in sizes) > len(sizes) / 2
        longest = sorted(range(len(spans)), key=lambda k: -float(max(sizes[k])))[:TURN_LINES]
        # Each line as a region read the first turn's way up; its corners rolled by two are
        # the same region read upside down (``read_regions`` crops from the corners' order).
        upright = [_turn_region(spans[k], sideways) for k in longest]
        flipped = [np.roll(q, 2, axis=0) for q in upright]
        read = self.read_regions(image, upright + flipped, cfg=cfg)
        half = len(upright)
        scores = [
            float(np.mean([mean_conf(words) for words in part])) / 100
            for part in (read[:half], read[half:])
        ]
        turns = (90, 270) if sideways else (0, 180)
        best = int(scores[1] > scores[0])
        return turns[best], abs(scores[1] - scores[0])


def undetected_marks(image: np.ndarray, quads: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Regions of ink that no detected line covers, on a detected line's row, to read too.

    PP-OCR's detector does not see small marks that are text, "--" above all (a flowsheet's
    missing value: 2 of 36 detected on one faxed page). Ink left outside every
    detected box (padded by ``MARK_COVER_PAD``) is grouped along the row; a group at least
    ``MARK_MIN_WIDTH`` line heights wide and no taller than a line, lying on the row of a
    detected line, becomes a region as tall as that line, padded by ``MARK_PAD`` line
    heights on either side as the detector pads its boxes (a tight crop read "--" worse).
    What the recogniser reads there is kept only when it is sure of it (``_is_mark``).
    """
    if not quads:
        return []
    h, w = image.shape[:2]
    ink = (image < 128).astype(np.uint8)
    covered = np.zeros_like(ink)
    lines = []
    for q in quads:
        x0, y0 = np.floor(q.min(axis=0)).astype(int)
        x1, y1 = np.ceil(q.max(axis=0)).astype(int)
        pad = MARK_COVER_PAD
        cv2.rectangle(covered, (x0 - pad, y0 - pad), (x1 + pad, y1 + pad), 1, -1)
        lines.append((y0, y1))
    rest = ink & (1 - covered)
    line_h = float(np.median([y1 - y0 for y0, y1 in lines]))
    along = np.ones((3, max(3, round(0.6 * line_h)) | 1), np.uint8)
    _, groups = cv2.connectedComponents(cv2.dilate(rest, along), connectivity=8)
    ys, xs = np.nonzero(rest)
    labels = groups[ys, xs]
    order = np.argsort(labels, kind="stable")
    ys, xs, labels = ys[order], xs[order], labels[order]
    cuts = np.flatnonzero(np.diff(labels)) + 1
    marks = []
    for gy, gx in zip(np.split(ys, cuts), np.split(xs, cuts), strict=True):
        if gy.size < MARK_MIN_INK_PX:
            continue
        x0, x1, y0, y1 = int(gx.min()), int(gx.max()) + 1, int(gy.min()), int(gy.max()) + 1
        middle = (y0 + y1) / 2
        row = [line for line in lines if line[0] <= middle <= line[1]]
        if not row:
            continue
        top, bottom = min(row, key=lambda line: abs((line[0] + line[1]) / 2 - middle))
        height = bottom - top
        if y1 - y0 > 1.2 * height or x1 - x0 < MARK_MIN_WIDTH * height:
            continue
        pad = MARK_PAD * height
        left, right = max(0.0, x0 - pad), min(float(w), x1 + pad)
        corners = [[left, top], [right, top], [right, bottom], [left, bottom]]
        marks.append(np.array(corners, dtype=np.float32))
    return marks


def _turn_region(quad: np.ndarray, sideways: bool) -> np.ndarray:
    """A detected line's middle ``TURN_SPAN`` line heights, as corners that read it turned.

    Upright: clockwise from top left. Sideways, from the bottom left: what a 90 degree
    clockwise turn of the page puts at the top left.
    """
    (x0, y0), (x1, y1) = quad.min(axis=0), quad.max(axis=0)
    if sideways:
        keep = min(y1 - y0, TURN_SPAN * (x1 - x0))
        top = (y0 + y1 - keep) / 2
        corners = [[x0, top + keep], [x0, top], [x1, top], [x1, top + keep]]
    else:
        keep = min(x1 - x0, TURN_SPAN * (y1 - y0))
        left = (x0 + x1 - keep) / 2
        corners = [[left, y0], [left + keep, y0], [left + keep, y1], [left, y1]]
    return np.array(corners, dtype=np.float32)


def _is_mark(words: list[EngineWord]) -> bool:
    """Whether a reading of an undetected mark is text: sure, and not a speck's dot."""
    text = "".join(w.text for w in words)
    least = MARK_MIN_DASH_CONF if set(text) == {"-"} else MARK_MIN_CONF
    return bool(words) and min(w.conf for w in words) >= least and bool(_MARK.search(text))


def _aspect(quad: np.ndarray) -> float:
    """Width over height of a region (top edge over left edge)."""
    q = np.asarray(quad, dtype=np.float32)
    return float(np.linalg.norm(q[1] - q[0]) / max(1.0, float(np.linalg.norm(q[3] - q[0]))))


def _build() -> Any:
    from rapidocr import RapidOCR

    # rapidocr logs through its own stderr handler; route it through ours, which withholds
    # third-party text (see pipeline/logs.py).
    rlog = logging.getLogger("RapidOCR")
    for handler in list(rlog.handlers):
        rlog.removeHandler(handler)
    rlog.propagate = True
    rlog.setLevel(logging.ERROR)  # "detection result is empty" on a blank page is no news
    models = model_dir()
    return RapidOCR(
        params={
            "Global.use_cls": False,
            "Global.log_level": "warning",
            "Global.max_side_len": DET_MAX_SIDE,
            "Det.limit_type": DET_LIMIT_TYPE,
            "Det.limit_side_len": DET_LIMIT_SIDE,
            "Det.model_path": str(models / DET_MODEL),
            "Rec.model_path": str(models / REC_MODEL),
            "Rec.rec_batch_num": REC_BATCH,
            "Rec.rec_img_shape": [3, 48, REC_MIN_WIDTH],
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
    )


def line_words(
    text: str,
    score: float,
    info: Any,
    quad: np.ndarray,
    crop: np.ndarray,
    *,
    fold_accents: bool = True,
) -> list[EngineWord]:
    """Words of one recognised region, with boxes from the recogniser's character columns.

    The CTC recogniser emits each character at a column of its 8x-reduced input; a column
    maps to ``crop width / line_txt_len`` pixels of the crop. Words are split where the text
    has a space, where the crop has a blank gap wider than a word space between two
    characters, and after a label's colon ("Resp:17"): the Chinese-trained model often
    drops spaces in English, which the ink still shows. Column gaps are no guide (an "M"
    spans more columns than a word space). Full-width punctuation that model prefers ("：")
    is folded to ASCII (NFKC), and accented letters too with ``fold_accents``.
    """
    chars: list[str] = [c for word in (info.words or []) for c in word]
    cols: list[int] = [c for word in (info.word_cols or []) for c in word]
    flat = text.replace(" ", "")
    if not chars or len(chars) != len(cols) or "".join(chars) != flat or info.line_txt_len <= 0:
        # No usable character columns: one box for the region, words split evenly.
        return _even_words(text, score, quad, fold_accents=fold_accents)
    confs = list(info.confs) if len(info.confs) == len(text) else [score] * len(text)
    # Map each non-space character to its conf and whether a space preceded it.
    per_char: list[tuple[float, bool]] = []
    space_before = False
    for ch, conf in zip(text, confs, strict=True):
        if ch == " ":
            space_before = True
            continue
        per_char.append((conf, space_before))
        space_before = False
    chars = [_ascii(c, fold_accents) for c in chars]
    width = crop.shape[1]
    cell = width / info.line_txt_len
    gaps = blank_gaps(crop)
    centres = [(c + 0.5) * cell for c in cols]
    groups: list[list[int]] = []
    for k in range(len(chars)):
        if (
            not groups
            or per_char[k][1]
            or _label_colon(chars, k)
            or (
                _may_break(chars, k) and any(centres[k - 1] < a and b < centres[k] for a, b in gaps)
            )
        ):
            groups.append([])
        groups[-1].append(k)
    words = []
    for g in (_without_edge_dots(g, chars, per_char) for g in groups):
        word = "".join(chars[k] for k in g).strip()
        if not word:
            continue
        u0 = max(0.0, (cols[g[0]] - 0.5) * cell) / width
        u1 = min(float(width), (cols[g[-1]] + 1.5) * cell) / width
        conf = float(np.mean([per_char[k][0] for k in g])) * 100
        words.append(_word(word, conf, quad, u0, u1))
    return words


def _without_edge_dots(
    group: list[int], chars: list[str], per_char: list[tuple[float, bool]]
) -> list[int]:
    """A word's characters less the unsure dots at its ends (``EDGE_DOT_MIN_CONF``)."""
    unsure = [chars[k] in _EDGE_DOTS and per_char[k][0] < EDGE_DOT_MIN_CONF for k in group]
    start, end = 0, len(group)
    while start < end and unsure[start]:
        start += 1
    while end > start and unsure[end - 1]:
        end -= 1
    return group[start:end]


def blank_gaps(crop: np.ndarray, *, min_frac: float = WORD_SPACE) -> list[tuple[int, int]]:
    """Runs of ink-free columns at least ``min_frac`` of the crop height wide (x0, x1)."""
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    blank = ink.sum(axis=0) == 0
    min_w = max(2, round(min_frac * crop.shape[0]))
    runs, start = [], None
    for x, b in enumerate(blank.tolist() + [False]):
        if b and start is None:
            start = x
        elif not b and start is not None:
            if x - start >= min_w:
                runs.append((start, x))
            start = None
    return runs


def _may_break(chars: list[str], k: int) -> bool:
    """Whether a blank gap before character ``k`` can be a word space.

    Column positions are a few pixels off, and punctuation sits apart from its word in the
    ink ("Dr .", "1957 -01", "37. 4", "03: 14"), so a gap counts only before a word and
    after a word's end, and never inside a decimal number or a time.
    """
    before, after = chars[k - 1], chars[k]
    if before in ".:" and after.isdigit() and k >= 2 and chars[k - 2].isdigit():
        return False
    return (after.isalnum() or after in "(#") and (before.isalnum() or before in ",:;.)")


def _label_colon(chars: list[str], k: int) -> bool:
    """Whether character ``k`` follows a label's colon: "Resp:|17", "#:|7", not "16:|33"."""
    return (
        k >= 2
        and chars[k - 1] == ":"
        and (chars[k - 2].isalpha() or chars[k - 2] in "#)")
        and chars[k].isalnum()
    )


def _ascii(char: str, fold_accents: bool) -> str:
    """A recognised character as an English chart prints it (see ``line_words``)."""
    if char in _LOOKALIKES:
        return _LOOKALIKES[char]
    char = unicodedata.normalize("NFKC", char)
    if fold_accents and len(char) == 1 and not char.isascii():
        bare = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if len(bare) == 1 and bare.isascii():
            return bare
    return char


def _even_words(
    text: str, score: float, quad: np.ndarray, *, fold_accents: bool = True
) -> list[EngineWord]:
    """Words of a region without character positions: widths in proportion to length."""
    text = "".join(_ascii(c, fold_accents) for c in text)
    parts = text.split()
    total = max(1, len(text))
    words, at = [], 0
    for part in parts:
        start = text.index(part, at)
        at = start + len(part)
        words.append(_word(part, float(score) * 100, quad, start / total, at / total))
    return words


def _word(text: str, conf: float, quad: np.ndarray, u0: float, u1: float) -> EngineWord:
    """A word spanning ``u0..u1`` (fractions of the width) of a region, boxed on the page."""
    q = np.asarray(quad, dtype=np.float64)
    top = (q[0] + (q[1] - q[0]) * u0, q[0] + (q[1] - q[0]) * u1)
    bottom = (q[3] + (q[2] - q[3]) * u0, q[3] + (q[2] - q[3]) * u1)
    pts = np.array([*top, *bottom])
    x0, y0 = np.floor(pts.min(axis=0)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
    return EngineWord(text, int(x0), int(y0), int(x1), int(y1), conf, ())
