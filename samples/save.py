"""Writing scans byte-for-byte reproducibly: no timestamps, no random ids."""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from pathlib import Path

import pikepdf
from PIL import Image

EXTENSIONS = {"pdf": "pdf", "tiff": "tif", "png": "png", "jpeg": "jpg"}
SINGLE_PAGE = frozenset({"png", "jpeg"})


def save(path: Path, fmt: str, pages: Sequence[Image.Image], dpi: int, quality: int) -> None:
    """Write ``pages`` (mode L, or mode 1 for bilevel) as ``fmt`` at ``dpi``."""
    if fmt in SINGLE_PAGE and len(pages) != 1:
        raise ValueError(f"{fmt} holds one page, got {len(pages)}")
    if fmt == "pdf":
        _save_pdf(path, pages, dpi, quality)
    elif fmt == "tiff":
        first, *rest = [p if p.mode == "1" else p.convert("1") for p in pages]
        first.save(
            path,
            format="TIFF",
            compression="group4",
            save_all=True,
            append_images=rest,
            dpi=(dpi, dpi),
        )
    elif fmt == "png":
        pages[0].save(path, format="PNG", optimize=True, dpi=(dpi, dpi))
    elif fmt == "jpeg":
        pages[0].convert("L").save(
            path, format="JPEG", quality=quality, optimize=True, dpi=(dpi, dpi)
        )
    else:
        raise ValueError(fmt)


def _save_pdf(path: Path, pages: Sequence[Image.Image], dpi: int, quality: int) -> None:
    """One image per page; the page is the image's size at ``dpi`` (letter, or landscape)."""
    pdf = pikepdf.Pdf.new()
    for img in pages:
        if img.mode == "1":
            # Bilevel: 1 bit per pixel, 1 = white as in DeviceGray; Flate keeps it small.
            data = zlib.compress(img.tobytes(), 9)
            image = pikepdf.Stream(pdf, data)
            image.Filter = pikepdf.Name.FlateDecode
            image.BitsPerComponent = 1
        else:
            buf = io.BytesIO()
            img.convert("L").save(buf, format="JPEG", quality=quality, optimize=True)
            image = pikepdf.Stream(pdf, buf.getvalue())
            image.Filter = pikepdf.Name.DCTDecode
            image.BitsPerComponent = 8
        image.Type = pikepdf.Name.XObject
        image.Subtype = pikepdf.Name.Image
        image.Width, image.Height = img.width, img.height
        image.ColorSpace = pikepdf.Name.DeviceGray
        w_pt, h_pt = _pt(img.width * 72 / dpi), _pt(img.height * 72 / dpi)
        content = pikepdf.Stream(pdf, f"q {w_pt} 0 0 {h_pt} 0 0 cm /Im0 Do Q".encode())
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, w_pt, h_pt],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
            Contents=content,
        )
        pdf.pages.append(pikepdf.Page(page))
    # deterministic_id: the trailer /ID is a hash of the content, not of time and path.
    pdf.save(path, deterministic_id=True)


def _pt(value: float) -> int | float:
    """Points, as an int when whole (612, 792) so the PDF text is stable."""
    return int(value) if value == int(value) else round(value, 3)
