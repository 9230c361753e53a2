"""Scan degradations and the geometry that carries truth boxes through them.

Order of operations on a 300 DPI page: (heavy: fade) -> resample to the target DPI ->
skew (PIL ``rotate(skew)``: counter-clockwise for positive angles, about the centre, same
canvas) -> quarter turn -> noise/blur (moderate) or threshold + speckle (heavy).
``map_box`` applies the same sequence to box corners.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageFilter

from samples.layout import BASE_DPI, PAGE_H, PAGE_W

LEVELS = ("clean", "moderate", "heavy")
# Shares of each level in a set (largest-remainder assignment in generate.plan_set).
LEVEL_SHARES = {"clean": 0.40, "moderate": 0.35, "heavy": 0.25}

# Quarter turns: truth ``rotation`` is the clockwise turn that makes the page upright (as
# CleanPage.rotation), so the scan itself was turned counter-clockwise by that much.
_TURN = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}


@dataclass(frozen=True)
class PagePlan:
    """What happens to one page."""

    dpi: int
    skew: float  # degrees, counter-clockwise, applied before the quarter turn
    rotation: int  # 0, 90, 180, 270: clockwise turn that makes the saved page upright

    @property
    def scaled_size(self) -> tuple[int, int]:
        """Page size after resampling, before the quarter turn."""
        s = self.dpi / BASE_DPI
        return round(PAGE_W * s), round(PAGE_H * s)

    @property
    def size(self) -> tuple[int, int]:
        """Final page size in pixels."""
        w, h = self.scaled_size
        return (h, w) if self.rotation in (90, 270) else (w, h)


def plan_pages(level: str, n_pages: int, rng: random.Random, *, turn_first: bool) -> list[PagePlan]:
    """Per-page DPI, skew and rotation for a degradation level (one DPI per document)."""
    if level == "clean":
        return [PagePlan(BASE_DPI, 0.0, 0) for _ in range(n_pages)]
    if level == "moderate":
        out = []
        for _ in range(n_pages):
            skew = round(rng.uniform(0.5, 2.0) * rng.choice((-1, 1)), 2)
            out.append(PagePlan(200, skew, 0))
        return out
    dpi = rng.choice((150, 200))
    out = []
    for i in range(n_pages):
        skew = round(rng.uniform(0.2, 3.0) * rng.choice((-1, 1)), 2)
        turned = (i == 0 and turn_first) or rng.random() < 0.3
        out.append(PagePlan(dpi, skew, rng.choice((90, 180, 270)) if turned else 0))
    return out


def map_point(x: float, y: float, plan: PagePlan) -> tuple[float, float]:
    """Where a point of the 300 DPI page lands on the saved page."""
    s = plan.dpi / BASE_DPI
    w, h = plan.scaled_size
    x, y = x * s, y * s
    if plan.skew:
        a = math.radians(plan.skew)
        cx, cy = w / 2, h / 2
        dx, dy = x - cx, y - cy
        x = cx + dx * math.cos(a) + dy * math.sin(a)
        y = cy - dx * math.sin(a) + dy * math.cos(a)
    if plan.rotation == 90:  # turned counter-clockwise
        x, y = y, w - x
    elif plan.rotation == 180:
        x, y = w - x, h - y
    elif plan.rotation == 270:  # turned clockwise
        x, y = h - y, x
    return x, y


def map_box(box: tuple[float, float, float, float], plan: PagePlan) -> list[int]:
    """Bounding box (x0, y0 inclusive; x1, y1 exclusive) of a transformed 300 DPI box."""
    x0, y0, x1, y1 = box
    pts = [map_point(x, y, plan) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    fw, fh = plan.size
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [
        max(0, math.floor(min(xs))),
        max(0, math.floor(min(ys))),
        min(fw, math.ceil(max(xs))),
        min(fh, math.ceil(max(ys))),
    ]


def transform(img: Image.Image, plan: PagePlan) -> Image.Image:
    """Resample, skew and turn a grayscale page (the geometric part only)."""
    if plan.dpi != BASE_DPI:
        img = img.resize(plan.scaled_size, Image.Resampling.LANCZOS)
    if plan.skew:
        img = img.rotate(plan.skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if plan.rotation:
        img = img.transpose(_TURN[plan.rotation])
    return img


def degrade(img: Image.Image, plan: PagePlan, level: str, nrng: np.random.Generator) -> Image.Image:
    """The saved page: mode L for clean/moderate, mode 1 (bilevel) for heavy."""
    if level == "heavy":
        img = _fade(img, nrng)
    img = transform(img, plan)
    if level == "clean":
        return img
    if level == "moderate":
        a = np.asarray(img, dtype=np.float32)
        a = a * float(nrng.uniform(0.94, 0.99)) + float(nrng.uniform(0, 6))  # paper tone
        a = _scanner_faults(a, plan.dpi, nrng)
        a += nrng.normal(0.0, float(nrng.uniform(3.0, 6.0)), a.shape)
        out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
        return out.filter(ImageFilter.GaussianBlur(float(nrng.uniform(0.5, 0.8))))
    return _fax(img, nrng)


def _scanner_faults(a: np.ndarray, dpi: int, nrng: np.random.Generator) -> np.ndarray:
    """An office scanner's faults, each on some pages.

    Lighting that falls off towards one side, the dark band where the lid did not close,
    punch holes showing the dark lid.
    """
    h, w = a.shape
    if nrng.random() < 0.5:
        depth = float(nrng.uniform(0.25, 0.45))
        cx, cy = float(nrng.choice((0.0, 1.0))) * w, float(nrng.uniform(0.0, 1.0)) * h
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        distance = np.hypot(xx - cx, yy - cy) / math.hypot(w, h)
        a = a * (1.0 - depth * np.clip(1.0 - 1.6 * distance, 0.0, 1.0))
    if nrng.random() < 0.35:
        for edge in nrng.choice(4, size=int(nrng.integers(1, 3)), replace=False):
            width = float(nrng.uniform(0.05, 0.25)) * dpi
            n = w if edge < 2 else h
            wobble = np.cumsum(nrng.integers(-1, 2, size=n)).clip(-width / 3, width / 3)
            depth = np.maximum(1, (width + wobble)).astype(int)
            tone = float(nrng.uniform(20, 60))
            for i, d in enumerate(depth):
                if edge == 0:
                    a[:d, i] = tone
                elif edge == 1:
                    a[h - d :, i] = tone
                elif edge == 2:
                    a[i, :d] = tone
                else:
                    a[i, w - d :] = tone
    if nrng.random() < 0.35:
        tone = float(nrng.uniform(20, 60))
        for share in (0.18, 0.5, 0.82):
            centre = (round(0.3 * dpi), round(share * h))
            cv2.circle(a, centre, round(0.125 * dpi), tone, -1, lineType=cv2.LINE_AA)
    return a


def _fade(img: Image.Image, nrng: np.random.Generator) -> Image.Image:
    """Faded toner: ink lightened by a slowly varying factor across the page."""
    a = np.asarray(img, dtype=np.float32)
    grid = nrng.uniform(0.45, 1.0, size=(6, 5)).astype(np.float32)
    field = cv2.resize(grid, (a.shape[1], a.shape[0]), interpolation=cv2.INTER_CUBIC)
    a = 255.0 - (255.0 - a) * np.clip(field, 0.4, 1.0)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


def _fax(img: Image.Image, nrng: np.random.Generator) -> Image.Image:
    """Fax-style bilevel page: threshold, toner dropouts, speckle and a streak or two."""
    a = np.asarray(img, dtype=np.uint8)
    threshold = int(nrng.integers(150, 185))
    black = a < threshold
    h, w = black.shape
    # Dropouts: a few ink pixels lost.
    black &= nrng.random((h, w)) > 0.04
    # Speckle: isolated dots and small clumps.
    dots = nrng.random((h, w)) < float(nrng.uniform(0.0004, 0.0015))
    clumps = nrng.random((h, w)) < 0.00006
    clumps = cv2.dilate(clumps.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    black |= dots | clumps
    for _ in range(int(nrng.integers(0, 3))):
        y = int(nrng.integers(0, h - 2))
        black[y : y + int(nrng.integers(1, 3)), :] |= nrng.random(w) < 0.5
    return Image.fromarray(np.where(black, 0, 255).astype(np.uint8), "L").convert(
        "1", dither=Image.Dither.NONE
    )
