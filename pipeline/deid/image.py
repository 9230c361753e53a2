"""Image redaction: paint PHI boxes black in the page pixels and write the pages as a PDF.

The PDF holds only the painted page images (one JPEG each); there is no text layer and no
overlay that a viewer could remove. The PDF is written by hand so that the same pages give
the same bytes (no creation dates, no producer strings).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from pipeline.schema import Box

JPEG_QUALITY = 75


def paint(image: np.ndarray, boxes: list[Box]) -> np.ndarray:
    """A copy of ``image`` with every box filled black (clipped to the image)."""
    out = image.copy()
    h, w = out.shape[:2]
    for b in boxes:
        x0, y0 = max(0, b.x0), max(0, b.y0)
        x1, y1 = min(w, b.x1), min(h, b.y1)
        if x1 > x0 and y1 > y0:
            out[y0:y1, x0:x1] = 0
    return out


@dataclass(frozen=True)
class PdfPage:
    """One encoded page image for ``write_pdf``."""

    jpeg: bytes
    width: int
    height: int
    dpi: int


def encode_page(image: np.ndarray, dpi: int) -> PdfPage:
    """JPEG-encode a grayscale page for the redacted PDF."""
    buf = io.BytesIO()
    Image.fromarray(image, mode="L").save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    h, w = image.shape[:2]
    return PdfPage(jpeg=buf.getvalue(), width=w, height=h, dpi=dpi)


def write_pdf(pages: list[PdfPage]) -> bytes:
    """A minimal PDF 1.4 with one full-page grayscale JPEG per page."""
    objects: list[bytes] = []  # object i+1

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled below, once the page tree id is known
    tree = add(b"")
    kids = []
    for page in pages:
        w_pt = page.width * 72 / page.dpi
        h_pt = page.height * 72 / page.dpi
        image = add(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
            % (page.width, page.height, len(page.jpeg))
            + page.jpeg
            + b"\nendstream"
        )
        draw = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (w_pt, h_pt)
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(draw), draw))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] "
                b"/Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
                % (tree, w_pt, h_pt, image, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, catalog, xref)
    )
    return out.getvalue()
