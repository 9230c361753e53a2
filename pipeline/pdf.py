"""A small deterministic PDF writer: one page image per page, optionally with a text layer.

Used for ``redacted.pdf`` (painted images only: no text, nothing a viewer could uncover) and
``searchable.pdf`` (the scan with an invisible text layer at the OCR word positions, as
OCRmyPDF writes it, so a PDF viewer can search and copy text). Written by hand so that the
same pages give the same bytes (no creation dates, no producer strings).

Each word of the text layer is set in Helvetica with text render mode 3 (invisible),
its baseline at the bottom of the word box and horizontally scaled to the box width, so
selecting text highlights the word where it is printed.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from pipeline.schema import Box

JPEG_QUALITY = 75

# Helvetica advance widths (1/1000 em) for ASCII 32..126, from Adobe's core-font AFM.
_HELVETICA = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip


@dataclass(frozen=True)
class PdfPage:
    """One encoded page image, and the words to lay invisibly over it (pixel boxes)."""

    data: bytes
    width: int
    height: int
    dpi: int
    bilevel: bool = False  # 1-bit Flate image (faxes) instead of a grayscale JPEG
    words: tuple[tuple[str, Box], ...] = ()
    # The pixel size the word boxes refer to, when it differs from the image's (OCR ran on
    # a page upscaled from a low-DPI scan).
    word_scale: float = 1.0


def encode_page(image: np.ndarray, dpi: int) -> PdfPage:
    """Encode a grayscale page: 1-bit Flate when it holds only black and white, else JPEG."""
    h, w = image.shape[:2]
    if is_bilevel(image):
        bits = np.packbits(image > 127, axis=1)
        return PdfPage(zlib.compress(bits.tobytes(), 9), w, h, dpi, bilevel=True)
    buf = io.BytesIO()
    Image.fromarray(image, mode="L").save(buf, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return PdfPage(buf.getvalue(), w, h, dpi)


def is_bilevel(image: np.ndarray) -> bool:
    """Whether every pixel is black (0) or white (255); a sparse sample is checked first."""
    sample = image[::7, ::7]
    return bool(np.isin(sample, (0, 255)).all()) and bool(np.isin(image, (0, 255)).all())


def write_pdf(pages: Sequence[PdfPage]) -> bytes:
    """A PDF 1.4 with one full-page image per page and any words as invisible text."""
    objects: list[bytes] = []  # object i+1

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled below, once the page tree id is known
    tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for page in pages:
        w_pt = page.width * 72 / page.dpi
        h_pt = page.height * 72 / page.dpi
        if page.bilevel:
            head = b"/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode"
        else:
            head = b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"
        image = add(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d %s /Length %d >>\nstream\n"
            % (page.width, page.height, head, len(page.data))
            + page.data
            + b"\nendstream"
        )
        draw = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (w_pt, h_pt)
        if page.words:
            draw += b"\n" + _text_layer(page, h_pt)
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(draw), draw))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] "
                b"/Resources << /XObject << /Im0 %d 0 R >> /Font << /F1 %d 0 R >> >> "
                b"/Contents %d 0 R >>" % (tree, w_pt, h_pt, image, font, content)
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


def _text_layer(page: PdfPage, h_pt: float) -> bytes:
    """Invisible words, each filling its box: size from the box height, width by scaling."""
    pt = 72 / page.dpi * page.word_scale  # points per word-box pixel
    ops = [b"BT 3 Tr"]
    for text, box in page.words:
        encoded = _pdf_string(text + " ")
        width_em = sum(_width(c) for c in text + " ") / 1000
        size = max(1.0, (box.y1 - box.y0) * pt)
        box_w = max(1.0, (box.x1 - box.x0) * pt)
        # The trailing space makes viewers put spaces between copied words; it is scaled
        # into the box so the word's highlight stays inside the box.
        scale = 100 * box_w / max(1e-6, width_em * size)
        x, y = box.x0 * pt, h_pt - box.y1 * pt + 0.2 * size
        ops.append(b"/F1 %.2f Tf %.2f Tz 1 0 0 1 %.2f %.2f Tm %s Tj" % (size, scale, x, y, encoded))
    ops.append(b"ET")
    return b"\n".join(ops)


def _width(c: str) -> int:
    o = ord(c)
    return _HELVETICA[o - 32] if 32 <= o <= 126 else 556


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi; characters outside it become '?'."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
