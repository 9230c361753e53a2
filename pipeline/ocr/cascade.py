"""The ``auto`` engine: tesseract first, RapidOCR where tesseract cannot read the page.

Measured on the synthetic benchmark (``make bench`` prints each engine's row): after our
cleanup, tesseract reads clean and moderate pages as well as RapidOCR (CER 0.001-0.002
against 0.003-0.007) in a sixth of the time, while on faxed pages RapidOCR is far better
(CER ~0.05 against ~0.12-0.24). Tesseract's mean word confidence separates the two kinds
of page cleanly (93-96 against 52-79), so the cascade pays for RapidOCR only on a page whose
tesseract reading is below ``OcrSettings.cascade_page_conf``: RapidOCR then reads the page
whole, with its own text detection (re-reading tesseract's lines one by one did worse on
faxed tables, whose rows tesseract had already broken, and cost nearly as much).

A speckled page (a fax: ``CleanPage.speckled``, measured in cleanup) goes to RapidOCR
without a tesseract reading (``read_fax``): on every faxed page of the benchmark tesseract's
confidence was below the threshold anyway (53-79 on seed 11), and a speckled page is where
tesseract is slowest (its first reading was 2.6 s a faxed page, 2.3x bare tesseract, with a
second one after OSD turned the page). Such a page goes to review whatever the engines say
(``ocr/page.unreliable``).

On a page that tesseract reads well, lines with a word below ``cascade_line_conf`` are
re-read by RapidOCR from a crop of the line, and each word goes to the engine more confident
of it (``merge_line``): replacing the whole line when RapidOCR's mean confidence was higher
turned a footer tesseract was sure of, "JACKSON, ROBIN", into RapidOCR's "jacKSon, RoBIn".

Each line keeps the words of the engine that read it, with that engine's boxes and
confidences. The page confidence stays tesseract's when RapidOCR had to read the page: a
page that needed the second engine is a page a person should look at.
"""

from __future__ import annotations

import difflib
import time
from dataclasses import replace

import numpy as np

from pipeline.ocr.engine import EngineWord, Reading, TesseractEngine, mean_conf, on_line
from pipeline.ocr.rapid import RapidOcrEngine
from pipeline.settings import OcrSettings


class CascadeEngine:
    """Tesseract first; RapidOCR on doubtful pages and lines (``--ocr-engine auto``)."""

    name = "auto"

    def __init__(self) -> None:
        self.first = TesseractEngine()
        self.second = RapidOcrEngine()

    def warm_up(self) -> None:
        """Load RapidOCR's models now rather than on the first page that needs them."""
        self.second.warm_up()

    def read(self, image: np.ndarray, *, cfg: OcrSettings) -> Reading:
        """Tesseract's reading, or RapidOCR's where tesseract doubts it.

        Both engines share the page's time limit, ``cfg.timeout_s``.
        """
        deadline = time.monotonic() + cfg.timeout_s
        return self.read_after(
            image, self.first.read_words(image, cfg=cfg), cfg=cfg, deadline=deadline
        )

    def read_fax(self, image: np.ndarray, *, cfg: OcrSettings) -> Reading:
        """RapidOCR's reading of a speckled page (tesseract is not asked)."""
        deadline = time.monotonic() + cfg.timeout_s
        return Reading.single(
            self.second.name, self.second.read_words(image, cfg=cfg, deadline=deadline)
        )

    def read_after(
        self,
        image: np.ndarray,
        words: list[EngineWord],
        *,
        cfg: OcrSettings,
        deadline: float | None = None,
    ) -> Reading:
        """The cascade given tesseract's ``words`` for ``image`` (read once, for orientation)."""
        if deadline is None:
            deadline = time.monotonic() + cfg.timeout_s
        alone = Reading.single(self.first.name, words)
        names = (self.first.name, self.second.name)
        if not words or alone.conf < cfg.cascade_page_conf:
            page = self.second.read_words(image, cfg=cfg, deadline=deadline)
            if not page:
                return alone
            return Reading(page, min(alone.conf, mean_conf(page)), names)
        lines: dict[tuple[int, ...], list[EngineWord]] = {}
        for w in words:
            lines.setdefault(w.line_key, []).append(w)
        doubtful = [k for k, ws in lines.items() if _doubtful(ws, cfg)]
        if not doubtful:
            return alone
        quads = [line_quad(lines[k], image.shape) for k in doubtful]
        found = self.second.read_regions(image, quads, cfg=cfg, deadline=deadline)
        reread = dict(zip(doubtful, found, strict=True))
        out: list[EngineWord] = []
        for key, ws in lines.items():
            out.extend(merge_line(ws, on_line(reread.get(key) or [], key)))
        return Reading(out, mean_conf(out), names)

    def orientation(self, image: np.ndarray, *, cfg: OcrSettings) -> tuple[int, float]:
        """Tesseract OSD."""
        return self.first.orientation(image, cfg=cfg)

    def reading_turn(self, image: np.ndarray, *, cfg: OcrSettings) -> tuple[int, float]:
        """RapidOCR's judgement (``RapidOcrEngine.reading_turn``)."""
        return self.second.reading_turn(image, cfg=cfg)


def _doubtful(words: list[EngineWord], cfg: OcrSettings) -> bool:
    """Whether tesseract doubts a word of the line, a word holding a digit more readily."""
    return any(
        w.conf < cfg.cascade_line_conf
        or (w.conf < cfg.cascade_number_conf and any(c.isdigit() for c in w.text))
        for w in words
    )


def merge_line(first: list[EngineWord], second: list[EngineWord]) -> list[EngineWord]:
    """One line read by two engines: each stretch of it from the engine surer of it.

    Words of the two readings that overlap across the line form a stretch (one word each,
    or a word one engine split in two); the stretch is taken from the reading with the
    higher mean confidence over it. A word only one engine found is kept.

    Where RapidOCR ran tesseract's words together ("3.5mmol/L" for "3.0" "mmol/L": its
    model often drops English spaces, in table cells too), its text is cut where
    tesseract's words end (``_cut_like``) and each word is taken from the surer engine,
    keeping tesseract's spaces and boxes. A word the two engines read alike but for case
    keeps tesseract's case (RapidOCR's "jacKSon" for "JACKSON").
    """
    if not second:
        return first
    words = [*first, *second]
    n = len(first)
    parent = list(range(len(words)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(first):
        for j, b in enumerate(second, start=n):
            overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
            if overlap > 0.5 * min(a.x1 - a.x0, b.x1 - b.x0):
                parent[root(i)] = root(j)
    stretches: dict[int, list[int]] = {}
    for i in range(len(words)):
        stretches.setdefault(root(i), []).append(i)
    out: list[EngineWord] = []
    for members in stretches.values():
        ours = [words[i] for i in members if i < n]
        theirs = [words[i] for i in members if i >= n]
        if not ours or not theirs:
            out.extend(ours or theirs)
            continue
        if len(theirs) < len(ours) and (cut := _cut_like(theirs, ours)) is not None:
            theirs = cut
        if len(theirs) == len(ours):
            out.extend(_surer(a, b) for a, b in zip(ours, theirs, strict=True))
        else:
            out.extend(theirs if mean_conf(theirs) > mean_conf(ours) else ours)
    return sorted(out, key=lambda w: w.x0)


def _surer(ours: EngineWord, theirs: EngineWord) -> EngineWord:
    """Of one word read by both engines, the surer reading (tesseract's case if alike)."""
    if theirs.conf > ours.conf and theirs.text.casefold() != ours.text.casefold():
        return theirs
    return ours


def _cut_like(theirs: list[EngineWord], ours: list[EngineWord]) -> list[EngineWord] | None:
    """RapidOCR's text of a stretch cut into tesseract's words, with tesseract's boxes.

    Characters are aligned (difflib) and each of tesseract's word ends is carried over to
    RapidOCR's text; each piece gets RapidOCR's mean confidence over the stretch. None when
    a piece would be empty (the readings disagree too much to cut).
    """
    a = "".join(w.text for w in ours)
    b = "".join(w.text for w in theirs)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()

    def carried(i: int) -> int:
        for _tag, i1, i2, j1, j2 in ops:
            if i1 <= i < i2 or (i == i2 == len(a)):
                return j1 + min(i - i1, j2 - j1)
        return len(b)

    ends, at = [], 0
    for w in ours:
        at += len(w.text)
        ends.append(at)
    cuts = [0, *(carried(e) for e in ends[:-1]), len(b)]
    pieces = [b[cuts[k] : cuts[k + 1]] for k in range(len(ours))]
    if not all(pieces):
        return None
    conf = mean_conf(theirs)
    return [replace(w, text=p, conf=conf) for w, p in zip(ours, pieces, strict=True)]


def line_quad(words: list[EngineWord], shape: tuple[int, ...]) -> np.ndarray:
    """The crop RapidOCR reads for a tesseract line: its box, padded as PP-OCR's detector pads.

    PP-OCR's recogniser was trained on detector crops, which reach about a third of the line
    height beyond the ink on every side; a tight crop loses descenders and accents.
    """
    x0 = min(w.x0 for w in words)
    y0 = min(w.y0 for w in words)
    x1 = max(w.x1 for w in words)
    y1 = max(w.y1 for w in words)
    pad = max(3, round(0.3 * (y1 - y0)))
    h, w = shape[:2]
    x0, y0 = max(0, x0 - pad), max(0, y0 - pad)
    x1, y1 = min(w, x1 + pad), min(h, y1 + pad)
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)
