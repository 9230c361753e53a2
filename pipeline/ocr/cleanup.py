"""Cleanup: make a page upright, straight, even and at OCR resolution.

Each step measured on the synthetic benchmark: upscale scans below 200 DPI (a fine fax is
200, a standard one 100 x 200, resampled to 150) to 300 DPI; paint out what the scanner
added around the page (a dark band where the lid was open, punch holes) and divide out
uneven lighting; turn sideways or upside-down pages with tesseract OSD; remove skew by
maximising the sharpness of the row profile; paint out table rules; remove fax speckle.
Sizes are pixels at 300 DPI, scaled to the page's.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.ocr.engine import OcrEngine
from pipeline.schema import CleanPage, RawPage
from pipeline.settings import CleanupSettings, OcrSettings

TARGET_DPI = 300
# Pages at this resolution or above are read as they are. Tesseract read the benchmark's
# 200 DPI pages as well or better without upscaling (CER 0.001 / 0.046 on an intake form /
# a faxed medication list, against 0.003 / 0.095 at 300) in 20 % less time; at 150 DPI
# upscaling to 300 halved its errors (0.264 to 0.160 on a faxed flowsheet).
UPSCALE_BELOW_DPI = 200
# A page with this many ink specks per megapixel (at 300 DPI) is speckled: a fax.
SPECKLED_PER_MPX = 100.0
# A small blob this many times wider than tall, and at least DASH_MIN_WIDTH px wide (at 300
# DPI), is a stroke, not speckle: the dashes of a flowsheet's empty cell ("--") faded on a
# 150 DPI fax to 8 x 2 px. Speckle is round. Keeping them took RapidOCR's CER on the 14
# faxed pages of seeds 11 and 71 from 0.0201 to 0.0192 (with MARK_MIN_DASH_CONF).
DASH_MIN_RATIO = 2.0
DASH_MIN_WIDTH = 8
# Skew below this is left alone: rotating costs a resampling blur for no gain in OCR.
MIN_SKEW_DEG = 0.1
_ROTATIONS = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


def clean_image(
    page: RawPage,
    *,
    engine: OcrEngine,
    cfg: CleanupSettings,
    ocr_cfg: OcrSettings,
    rotation: int | None = None,
    prepared: tuple[np.ndarray, int] | None = None,
) -> CleanPage:
    """Upscale, orient, deskew, unrule and despeckle one page.

    ``rotation`` (degrees clockwise) is the turn to apply when the caller already knows it
    (``ocr/page.py`` decides whether OSD is needed at all); otherwise OSD decides, on the
    despeckled page, when ``cfg.osd`` is on. ``CleanPage.speckled`` says whether the page
    had fax speckle, despeckled or not. ``prepared`` is ``prepare(page)``, when the caller
    has it already (a page cleaned again at its turn).
    """
    image, dpi = prepared or prepare(page, cfg=cfg)
    if rotation is None and cfg.osd:
        rotation = orient(despeckle(image, dpi=dpi), engine=engine, cfg=cfg, ocr_cfg=ocr_cfg)
    rotation = rotation or 0
    image = straighten(image, rotation, 0.0)
    skew = estimate_skew(image, max_deg=cfg.max_skew_deg) if cfg.deskew else 0.0
    image = straighten(image, 0, skew)
    if cfg.remove_rules:
        image = remove_rules(image, dpi=dpi)
    # Last, on the page as it will be read: RapidOCR read faxes better despeckled after
    # deskew and rule removal than before (CER 0.030 against 0.031 on 18 faxed pages).
    specks = speck_mask(image, dpi=dpi)
    if cfg.despeckle and specks is not None:
        if engine.name != "tesseract":
            specks = lonely_specks(image, specks, dpi=dpi)
        image = _paint(image, specks)
    return CleanPage(
        index=page.index,
        image=image,
        dpi=dpi,
        rotation=rotation,
        skew=skew,
        speckled=specks is not None,
    )


def prepare(page: RawPage, *, cfg: CleanupSettings) -> tuple[np.ndarray, int]:
    """The page at OCR resolution, the scanner's marks and uneven lighting gone, and its DPI.

    What orientation sees (despeckled, by ``orient``'s callers) and every later step starts
    from.
    """
    image, dpi = upscale(page.image, page.dpi)
    if cfg.remove_scanner_marks:
        image = remove_scanner_marks(image, dpi=dpi)
    if cfg.flatten_lighting:
        image = flatten_lighting(image, dpi=dpi)
    return image, dpi


def flatten_lighting(image: np.ndarray, *, dpi: int, min_range: float = 40.0) -> np.ndarray:
    """Divide out uneven lighting (paper darker towards one side), where there is any.

    The paper's brightness is the page with its ink closed over (a closing wider than any
    stroke, 0.08 inch, at quarter resolution, smoothed). A page whose paper varies by less
    than ``min_range`` grey levels (2nd to 98th percentile) is left alone.
    """
    h, w = image.shape[:2]
    small = cv2.resize(image, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_AREA)
    k = max(3, round(0.08 * dpi / 4)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    paper = cv2.GaussianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), (0, 0), k)
    lo, hi = np.percentile(paper, (2, 98))
    if hi - lo < min_range:
        return image
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    out = image.astype(np.float32) / np.maximum(paper, 1.0) * 255.0
    return np.clip(out, 0, 255).astype(np.uint8)


def remove_scanner_marks(image: np.ndarray, *, dpi: int, dark: int = 100) -> np.ndarray:
    """Paint white what the scanner added: dark bands along the edges, punch holes.

    The lid left open shows as a band; holes show the dark lid through them. A band is dark
    ink that touches an edge and runs along a fifth of it. A punch hole is a filled round
    blot 0.18-0.4 inch across, within an inch of an edge (an "O" is a ring, a bullet far
    smaller).
    """
    h, w = image.shape[:2]
    n, labels, stats, _ = cv2.connectedComponentsWithStats(
        (image < dark).astype(np.uint8), connectivity=8
    )
    x, y, bw, bh, area = (stats[1:, i].astype(np.float64) for i in range(5))
    along_x = np.where((y == 0) | (y + bh == h), bw / w, 0.0)
    along_y = np.where((x == 0) | (x + bw == w), bh / h, 0.0)
    band = np.maximum(along_x, along_y) >= 0.2
    lo, hi = 0.18 * dpi, 0.4 * dpi
    round_blot = (bw >= lo) & (bw <= hi) & (bh >= lo) & (bh <= hi) & (bw <= 1.25 * bh)
    round_blot &= (bh <= 1.25 * bw) & (area >= 0.7 * bw * bh)  # a disc fills pi/4 of its box
    cx, cy = x + bw / 2, y + bh / 2
    near_edge = np.minimum(np.minimum(cx, cy), np.minimum(w - cx, h - cy)) <= dpi
    marks = np.flatnonzero(band | (round_blot & near_edge)) + 1
    if not marks.size:
        return image
    # Grown by two pixels: a blot's soft rim is lighter than ``dark``.
    mask = cv2.dilate(np.isin(labels, marks).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    out = image.copy()
    out[mask] = 255
    return out


def straighten(image: np.ndarray, rotation: int, skew: float) -> np.ndarray:
    """Turn ``image`` by ``rotation`` (degrees clockwise), then rotate it by ``skew``.

    The geometry of ``clean_image`` alone, without the pixel cleanup: ``searchable.pdf``
    shows the scan itself, upright and straight, under the text layer.
    """
    if rotation in _ROTATIONS:
        image = cv2.rotate(image, _ROTATIONS[rotation])
    if abs(skew) >= MIN_SKEW_DEG:
        image = rotate_by(image, skew)
    return image


def orient(
    image: np.ndarray, *, engine: OcrEngine, cfg: CleanupSettings, ocr_cfg: OcrSettings
) -> int:
    """Degrees clockwise (0, 90, 180, 270) that make the page upright.

    Tesseract OSD's answer is kept when its confidence reaches ``cfg.osd_min_confidence``.
    On the 50 pages of seeds 11 and 71 (7 turned) it named every turn right but one, a
    sideways faxed 150 DPI flowsheet, where it answered 270 with confidence 0.36; and OSD
    refuses a page with too little text. Where it is unsure the engine judges by reading
    (``reading_turn``: RapidOCR reads the longest lines each way, for the tesseract engine
    too, whose own confidence cannot judge: upside-down digits read confidently as letters),
    and its answer is kept when it wins by ``cfg.reading_turn_min_margin``; otherwise the
    page stays as it is.
    """
    degrees, confidence = engine.orientation(image, cfg=ocr_cfg)
    if confidence >= cfg.osd_min_confidence:
        return degrees if degrees in _ROTATIONS else 0
    if not cfg.turn_by_reading:
        return 0
    degrees, margin = engine.reading_turn(image, cfg=ocr_cfg)
    return degrees if degrees in _ROTATIONS and margin >= cfg.reading_turn_min_margin else 0


def remove_rules(
    image: np.ndarray,
    *,
    dpi: int = TARGET_DPI,
    min_len_px: int = 120,
    bridge_px: int = 9,
    bridged_len_px: int = 600,
) -> np.ndarray:
    """Paint table rules and form lines white.

    Tesseract reads ruling lines as "|", "_" and garbage and lets them break table rows
    (CER 0.31 on a clean ruled flowsheet in our trials). Rules are runs of ink longer than any
    glyph (``min_len_px``, 0.4 inch), found by a morphological opening with a long thin
    kernel in each direction, on the deskewed page. Lengths are pixels at 300 DPI, scaled to
    ``dpi``.
    """
    scale = dpi / TARGET_DPI
    min_len_px = max(2, round(min_len_px * scale))
    bridge_px = max(1, round(bridge_px * scale))
    bridged_len_px = max(4, round(bridged_len_px * scale))
    ink = cv2.adaptiveThreshold(
        image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15
    )
    horizontal = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (min_len_px, 1))
    )
    vertical = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_len_px))
    )
    rules = cv2.bitwise_or(horizontal, vertical)
    # Faxed rules arrive broken into dashes. Bridging gaps up to `bridge_px` along a
    # direction also joins the letters of a word, but never across a word space, so a run of
    # `bridged_len_px` (2 inches) after bridging is a rule, not text. The long runs are
    # found at half resolution (any ink in a 2x2 cell counts), where the 600 px openings
    # that took two thirds of this function cost an eighth; only bridged ink is kept.
    h, w = ink.shape
    half_len = bridged_len_px // 2 | 1  # odd: OpenCV's opening with an even kernel is shifted
    for along, span in (((bridge_px, 1), (half_len, 1)), ((1, bridge_px), (1, half_len))):
        bridged = cv2.morphologyEx(
            ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, along)
        )
        half = cv2.resize(bridged, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        half = np.where(half > 0, 255, 0).astype(np.uint8)
        runs = cv2.morphologyEx(
            half, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, span)
        )
        runs = cv2.resize(runs, (w, h), interpolation=cv2.INTER_NEAREST)
        rules = cv2.bitwise_or(rules, cv2.bitwise_and(runs, bridged))
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    if not rules.any():
        return image
    out = image.copy()
    out[rules > 0] = 255
    return out


def upscale(image: np.ndarray, dpi: int) -> tuple[np.ndarray, int]:
    """Scale a page below 200 DPI up to 300 DPI; others are returned as they are.

    Linear, not cubic: such pages are faxes, black and white, and cubic rings at every edge
    of a bilevel image. On the 14 faxed pages of seeds 11 and 71 RapidOCR's CER was 0.0167
    against 0.0174.
    """
    if dpi >= UPSCALE_BELOW_DPI:
        return image, dpi
    scale = TARGET_DPI / dpi
    resized = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
    return resized, TARGET_DPI


def speck_mask(
    image: np.ndarray,
    *,
    dpi: int = TARGET_DPI,
    max_area_px: int = 20,
    min_specks_per_mpx: float = SPECKLED_PER_MPX,
) -> np.ndarray | None:
    """Where the fax speckle is on a speckled page (ink specks of at most ``max_area_px``).

    A dash is not a speck however small (``DASH_MIN_RATIO``). None when the page is not
    speckled: it has fewer than ``min_specks_per_mpx`` specks per megapixel (our faxed pages
    have 134-753, clean and JPEG-noisy ones at most 17), so that a clean page keeps every
    decimal point. Sizes and densities are at 300 DPI, scaled to ``dpi`` (a speck is a size
    on paper, not in pixels).
    """
    scale = dpi / TARGET_DPI
    max_area_px = max(1, round(max_area_px * scale * scale))
    min_specks_per_mpx = min_specks_per_mpx / (scale * scale)
    _, ink = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    wide, tall = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    dash = (wide >= DASH_MIN_RATIO * tall) & (wide >= DASH_MIN_WIDTH * scale)
    specks = np.flatnonzero((stats[:, cv2.CC_STAT_AREA] <= max_area_px) & ~dash)
    specks = specks[specks != 0]  # label 0 is the background
    if specks.size < min_specks_per_mpx * image.size / 1e6:
        return None
    return np.isin(labels, specks)


def despeckle(
    image: np.ndarray, *, dpi: int = TARGET_DPI, isolated_only: bool = False
) -> np.ndarray:
    """``image`` with fax speckle painted white, or ``image`` itself if it is not speckled.

    On the faxed pages of our synthetic set this took tesseract's CER from 0.28 to 0.15, and
    tesseract OSD needs it (on a speckled sideways flowsheet it answered 0 for a 90 degree
    turn). A decimal point is a speck too, though, and RapidOCR reads speckled text well:
    it gets ``isolated_only``, which keeps specks near other ink (``lonely_specks``). On the
    18 faxed pages of seeds 11 and 71 and samples/, RapidOCR's CER was 0.030 this way, 0.030
    on the page as it came and 0.036 with every speck removed; as it came, one page lost a
    whole footer, which it read with the lonely specks gone.
    """
    specks = speck_mask(image, dpi=dpi)
    if specks is not None and isolated_only:
        specks = lonely_specks(image, specks, dpi=dpi)
    return _paint(image, specks)


def lonely_specks(
    image: np.ndarray, specks: np.ndarray, *, dpi: int = TARGET_DPI, near_px: int = 12
) -> np.ndarray:
    """The part of the ``specks`` mask farther than ``near_px`` (at 300 DPI) from other ink."""
    near_px = max(1, round(near_px * dpi / TARGET_DPI))
    _, ink = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, labels = cv2.connectedComponents(ink, connectivity=8)
    size = 2 * near_px + 1
    other_ink = ((ink > 0) & ~specks).astype(np.uint8)
    near = cv2.dilate(other_ink, np.ones((size, size), np.uint8)) > 0
    # A speck with any pixel near other ink stays: a decimal point only touches the band.
    lonely = np.setdiff1d(np.unique(labels[specks]), np.unique(labels[specks & near]))
    return np.isin(labels, lonely[lonely != 0])


def _paint(image: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    if mask is None:
        return image
    out = image.copy()
    out[mask] = 255
    return out


def estimate_skew(image: np.ndarray, *, max_deg: float) -> float:
    """Degrees to rotate (counter-clockwise positive) so that text rows are horizontal.

    Text rows make the horizontal projection profile peaky; the angle whose rotated
    profile has the largest variance is the one that straightens them. Searched coarse to
    fine on a reduced, inverted, binarised copy.
    """
    small_w = 1000
    scale = min(1.0, small_w / image.shape[1])
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if np.count_nonzero(ink) < 0.001 * ink.size:
        return 0.0

    def score(angle: float) -> float:
        rotated = rotate_by(ink, angle, border=0)
        profile = rotated.sum(axis=1, dtype=np.float64)
        return float(np.var(profile))

    best = 0.0
    for step, span in ((0.5, max_deg), (0.1, 0.5), (0.02, 0.1)):
        candidates = np.arange(best - span, best + span + step / 2, step)
        best = max(candidates, key=score)
    return round(float(best), 2)


def rotate_by(image: np.ndarray, degrees: float, *, border: int = 255) -> np.ndarray:
    """Rotate about the centre by ``degrees`` (counter-clockwise), keeping the size."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)
