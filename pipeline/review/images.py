"""Page images for reviewers: crops of the scan around a value, a page in context.

The pixels are searchable.pdf's pages (the scan turned upright and deskewed, as OCR read
it), in which every evidence box is given. A page is rendered once (poppler, grayscale)
into ``OUTDIR/.review-cache/<doc_id>/`` (identified storage, like OUTDIR itself: files
0600 in a 0700 folder) and read from there afterwards, so that an item view costs a PNG
read and a crop, not a PDF render.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import cv2
import numpy as np

from pipeline import layout
from pipeline.errors import PipelineError
from pipeline.revise import page_pixels, read_ocr
from pipeline.settings import Settings
from pipeline.vault import Vault

CACHE = ".review-cache"
_locks: dict[Path, threading.Lock] = {}
_guard = threading.Lock()


def page_image(
    out_dir: Path, doc_id: str, page: int, settings: Settings, *, pdf: str = "searchable.pdf"
) -> np.ndarray:
    """The grayscale image of ``page`` (0-based) of the document's ``pdf``.

    In the pixels its OCR boxes are in (``revise.page_pixels``). Raises LookupError when
    there is no such document or page.
    """
    cached = out_dir / CACHE / doc_id / f"{Path(pdf).stem}-{page:04d}.png"
    pdf_path = layout.output(out_dir, doc_id, pdf)
    vault = Vault.from_settings(settings.vault)
    with _lock(cached):
        if cached.exists() and cached.stat().st_mtime_ns >= _mtime(pdf_path):
            data = np.frombuffer(vault.read(cached), dtype=np.uint8)
            image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
            if image is not None:
                return image
        try:
            ocr = read_ocr(out_dir / doc_id, vault)
            image = page_pixels(pdf_path, ocr.pages[page], settings.load, vault)
        except (OSError, ValueError, IndexError, PipelineError) as e:
            raise LookupError("no such page") from e
        _store(cached, image, vault)
        return image


def crop(image: np.ndarray, box: tuple[int, int, int, int], *, margin: int = 60) -> np.ndarray:
    """The region of ``box``, ``margin`` pixels around it, the box outlined in red.

    Six margins to the left, where a value's label is printed.
    """
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    left = max(0, x0 - 6 * margin)
    region = cv2.cvtColor(
        image[max(0, y0 - margin) : min(h, y1 + margin), left : min(w, x1 + margin)],
        cv2.COLOR_GRAY2BGR,
    )
    ox, oy = left, max(0, y0 - margin)
    cv2.rectangle(region, (x0 - ox - 4, y0 - oy - 4), (x1 - ox + 4, y1 - oy + 4), (0, 0, 220), 3)
    return region


def scaled(image: np.ndarray, width: int) -> np.ndarray:
    """``image`` scaled to ``width`` pixels wide (never up)."""
    h, w = image.shape[:2]
    if w <= width:
        return image
    return cv2.resize(image, (width, round(h * width / w)), interpolation=cv2.INTER_AREA)


def png(image: np.ndarray) -> bytes:
    """PNG bytes of ``image`` (fast compression: these are served, not archived)."""
    ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise ValueError("PNG encoding failed")
    return data.tobytes()


def forget(out_dir: Path, doc_id: str, *, pdf: str) -> None:
    """Drop the cached pages of a document's ``pdf`` (it was written again)."""
    folder = out_dir / CACHE / doc_id
    for f in folder.glob(f"{Path(pdf).stem}-*.png"):
        f.unlink(missing_ok=True)


def _store(path: Path, image: np.ndarray, vault: Vault) -> None:
    """Cache ``image`` as PNG, sealed (identified: a scan), 0600 in a 0700 folder."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent.parent, 0o700)
    vault.write(path, png(image))


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _lock(path: Path) -> threading.Lock:
    with _guard:
        return _locks.setdefault(path, threading.Lock())
