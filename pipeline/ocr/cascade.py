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

import time

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
        doubtful = [k for k, ws in lines.items() if min(w.conf for w in ws) < cfg.cascade_line_conf]
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


def merge_line(first: list[EngineWord], second: list[EngineWord]) -> list[EngineWord]:
    """One line read by two engines: each stretch of it from the engine surer of it.

    Words of the two readings that overlap across the line form a stretch (one word each,
    or a word one engine split in two); the stretch is taken from the reading with the
    higher mean confidence over it. A word only one engine found is kept.
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
        else:
            out.extend(theirs if mean_conf(theirs) > mean_conf(ours) else ours)
    return sorted(out, key=lambda w: w.x0)


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
