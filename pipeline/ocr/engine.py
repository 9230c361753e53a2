"""The OCR engine interface and the tesseract engine.

An engine reads words with boxes and confidences from a grayscale image and can tell a
page's orientation; everything else (reading order, page text, offsets) is the engine-neutral
``recognize`` in ``ocr/recognize.py``. RapidOCR is in ``ocr/rapid.py``; ``auto``, the
default, is the cascade of the two in ``ocr/cascade.py``.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Protocol

import numpy as np

from pipeline.errors import OcrFailed, OcrTimeout
from pipeline.settings import OcrSettings


@dataclass(frozen=True, slots=True)
class EngineWord:
    """A word as an engine reports it; ``line_key`` groups words the engine put on one line."""

    text: str
    x0: int
    y0: int
    x1: int
    y1: int
    conf: float
    line_key: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Reading:
    """What an engine read on a page.

    ``conf`` is the engine's confidence in the page as a whole (0..100): the mean word
    confidence for a single engine; for the cascade, tesseract's, when RapidOCR had to
    re-read most of the page (see ``ocr/cascade.py``). ``engines`` names who read it.
    """

    words: list[EngineWord]
    conf: float
    engines: tuple[str, ...]

    @classmethod
    def single(cls, engine: str, words: list[EngineWord]) -> Reading:
        """One engine's reading: its mean word confidence is the page's."""
        return cls(words, mean_conf(words), (engine,))


def on_line(words: list[EngineWord], key: tuple[int, ...]) -> list[EngineWord]:
    """``words`` moved onto the engine line ``key``."""
    return [replace(w, line_key=key) for w in words]


def mean_conf(words: list[EngineWord]) -> float:
    """Mean word confidence, 0 for no words."""
    return sum(w.conf for w in words) / len(words) if words else 0.0


class OcrEngine(Protocol):
    """What the pipeline needs from an OCR engine."""

    name: str

    def read(self, image: np.ndarray, *, cfg: OcrSettings) -> Reading:
        """Words of ``image`` with pixel boxes and 0..100 confidences."""
        ...

    def orientation(self, image: np.ndarray, *, cfg: OcrSettings) -> tuple[int, float]:
        """Degrees clockwise to rotate ``image`` to make it upright, and a confidence."""
        ...

    def reading_turn(self, image: np.ndarray, *, cfg: OcrSettings) -> tuple[int, float]:
        """The turn under which the page reads best, and by what margin (0..1).

        What orientation falls back on when OSD is unsure; (0, 0.0) from an engine that
        cannot judge.
        """
        ...


_ROTATE = re.compile(r"Rotate:\s+(\d+)")
_ORIENT_CONF = re.compile(r"Orientation confidence:\s+([\d.]+)")


class TesseractEngine:
    """Tesseract 5 through pytesseract, LSTM models only (``--oem 1``).

    Debian's tesseract-ocr-eng ships LSTM-only models, so ``--oem 1`` is the one mode that works.
    """

    name = "tesseract"

    def read(self, image: np.ndarray, *, cfg: OcrSettings) -> Reading:
        """Run tesseract's ``image_to_data`` and keep the word-level rows."""
        return Reading.single(self.name, self.read_words(image, cfg=cfg))

    def read_words(self, image: np.ndarray, *, cfg: OcrSettings) -> list[EngineWord]:
        """Tesseract's words with boxes and confidences, in its own reading order."""
        import pytesseract

        data = self._call(
            pytesseract.image_to_data,
            image,
            cfg,
            config=f"--oem 1 --psm {cfg.psm}",
            output_type=pytesseract.Output.DICT,
        )
        words = []
        for i, text in enumerate(data["text"]):
            text = text.strip()
            if data["level"][i] != 5 or not text:
                continue
            x, y, w, h = (data[k][i] for k in ("left", "top", "width", "height"))
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            conf = max(0.0, float(data["conf"][i]))
            words.append(EngineWord(text, x, y, x + w, y + h, conf, key))
        return words

    def orientation(self, image: np.ndarray, *, cfg: OcrSettings) -> tuple[int, float]:
        """Tesseract OSD; (0, 0.0) when the page has too little text to tell."""
        import pytesseract

        try:
            # OSD must run with the osd model: with "-l eng" it answers nonsense, confidently.
            osd = self._call(pytesseract.image_to_osd, image, cfg, lang="osd", config="--psm 0")
        except OcrFailed:
            # OSD refuses pages with too few characters; that is an answer, not a failure.
            return 0, 0.0
        rotate = _ROTATE.search(osd)
        conf = _ORIENT_CONF.search(osd)
        if not rotate or not conf:
            return 0, 0.0
        return int(rotate.group(1)) % 360, float(conf.group(1))

    def reading_turn(self, image: np.ndarray, *, cfg: OcrSettings) -> tuple[int, float]:
        """RapidOCR's judgement: tesseract reads upside-down digits confidently as letters.

        Its recogniser, with the models of its wheel, is loaded the first time a page needs
        it (where OSD is unsure: 2 of the 14 faxed pages of seeds 11 and 71).
        """
        return self._judge.reading_turn(image, cfg=cfg)

    @cached_property
    def _judge(self) -> OcrEngine:
        from pipeline.ocr.rapid import RapidOcrEngine

        return RapidOcrEngine()

    @staticmethod
    def _call(fn, image, cfg: OcrSettings, lang: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
        """Run a pytesseract call on ``image``, handed over as an uncompressed PGM file.

        Given an array, pytesseract writes a PNG for tesseract to decode: 0.1 s per letter
        page at 300 DPI, 6 % of a read, spent compressing pixels that never leave the host.
        """
        import cv2
        import pytesseract

        try:
            with tempfile.NamedTemporaryFile(suffix=".pgm") as f:
                if not cv2.imwrite(f.name, image):
                    raise OcrFailed()
                return fn(f.name, lang=lang or cfg.lang, timeout=cfg.timeout_s, **kwargs)
        except RuntimeError as e:
            # pytesseract signals its own timeout with a bare RuntimeError.
            if "timeout" in str(e).lower():
                raise OcrTimeout() from e
            raise OcrFailed() from e
        except (pytesseract.TesseractError, OSError) as e:
            raise OcrFailed() from e


def get_engine(name: str) -> OcrEngine:
    """The engine called ``name``; unknown names are refused."""
    from pipeline.ocr.cascade import CascadeEngine
    from pipeline.ocr.rapid import RapidOcrEngine

    engines: dict[str, type] = {
        "tesseract": TesseractEngine,
        "rapidocr": RapidOcrEngine,
        "auto": CascadeEngine,
    }
    if name not in engines:
        raise ValueError(f"unknown OCR engine {name!r}; choose from {sorted(engines)}")
    return engines[name]()  # type: ignore[no-any-return]
