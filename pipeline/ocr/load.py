"""Load: identify an input file and decode its pages to 8-bit grayscale.

``inspect_source`` reads the file once (hash, type, page count, limits) and refuses what
cannot or must not be decoded; ``load_page`` decodes one page, so pages can be decoded in
parallel worker processes. Inputs are opened read-only and never modified.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedPdf,
    FileTooLarge,
    ImageTooLarge,
    SourceUnreadable,
    TooManyPages,
    UnsupportedType,
)
from pipeline.schema import RawPage, Source
from pipeline.settings import LoadSettings

# We enforce our own pixel limit before decoding; PIL's would only warn below 2x its limit.
Image.MAX_IMAGE_PIXELS = None

MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
PDF_TIMEOUT_S = 120
_PAGE_SIZE = re.compile(rb"^Page\s+\d+\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts", re.M)
_PAGES = re.compile(rb"^Pages:\s+(\d+)", re.M)


def doc_id_for(sha256: str) -> str:
    """The document id: a prefix of the content hash (same bytes, same id)."""
    return sha256[:16]


def sniff(head: bytes) -> str | None:
    """The media type announced by a file's first bytes, or None."""
    # Some PDF writers put junk before the header; readers accept it within 1 KiB.
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    for magic, media_type in MAGIC:
        if head.startswith(magic):
            return media_type
    return None


def inspect_source(path: str, *, cfg: LoadSettings) -> Source:
    """Identify ``path`` and check it against the limits, without decoding pixels.

    Raises:
        PipelineError: one of the load errors (E100-E107).

    """
    file = Path(path)
    try:
        size = file.stat().st_size
        if not file.is_file():
            raise SourceUnreadable()
        if size == 0:
            raise EmptyFile()
        if size > cfg.max_file_bytes:
            raise FileTooLarge()
        digest = hashlib.sha256()
        with file.open("rb") as f:
            head = f.read(1024)
            digest.update(head)
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as e:
        raise SourceUnreadable() from e
    media_type = sniff(head)
    if media_type is None:
        raise UnsupportedType()
    if media_type == "application/pdf":
        pages = _inspect_pdf(file, cfg)
    else:
        pages = _inspect_image(file, cfg)
    sha = digest.hexdigest()
    return Source(
        path=path,
        doc_id=doc_id_for(sha),
        sha256=sha,
        size=size,
        media_type=media_type,  # type: ignore[arg-type]
        pages=pages,
    )


def _pdfinfo(file: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["pdfinfo", *args, str(file)],
            capture_output=True,
            timeout=PDF_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise CorruptFile() from e
    if done.returncode != 0:
        if b"Incorrect password" in done.stderr:
            raise EncryptedPdf()
        raise CorruptFile()
    return done.stdout


def _inspect_pdf(file: Path, cfg: LoadSettings) -> int:
    info = _pdfinfo(file)
    found = _PAGES.search(info)
    if not found or int(found.group(1)) == 0:
        raise CorruptFile()
    pages = int(found.group(1))
    if pages > cfg.max_pages:
        raise TooManyPages()
    sizes = _pdfinfo(file, "-f", "1", "-l", str(pages))
    for w_pt, h_pt in _PAGE_SIZE.findall(sizes):
        w_px = float(w_pt) / 72 * cfg.dpi
        h_px = float(h_pt) / 72 * cfg.dpi
        if w_px * h_px > cfg.max_pixels:
            raise ImageTooLarge()
    return pages


def _inspect_image(file: Path, cfg: LoadSettings) -> int:
    try:
        with Image.open(file) as im:
            frames = getattr(im, "n_frames", 1)
            if frames > cfg.max_pages:
                raise TooManyPages()
            for i in range(frames):
                im.seek(i)
                w, h = im.size
                if w * h > cfg.max_pixels:
                    raise ImageTooLarge()
            return frames
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as e:
        raise CorruptFile() from e


def load_page(source: Source, index: int, *, cfg: LoadSettings) -> RawPage:
    """Decode page ``index`` (0-based) of ``source`` to 8-bit grayscale.

    PDFs are rendered at ``cfg.dpi`` straight to grayscale by poppler (no PNG round trip);
    TIFF frames and images keep their own resolution, recorded in ``RawPage.dpi``.

    Raises:
        CorruptFile: the page cannot be decoded.
        ImageTooLarge: the decoded page exceeds the pixel limit.

    """
    if source.media_type == "application/pdf":
        image, dpi = _render_pdf_page(Path(source.path), index, cfg), cfg.dpi
    else:
        image, dpi = _decode_image_frame(Path(source.path), index)
    if image.shape[0] * image.shape[1] > cfg.max_pixels:
        raise ImageTooLarge()
    return RawPage(index=index, image=image, dpi=dpi)


def _render_pdf_page(file: Path, index: int, cfg: LoadSettings) -> np.ndarray:
    from pdf2image import convert_from_path
    from pdf2image.exceptions import PDFPageCountError, PDFPopplerTimeoutError, PDFSyntaxError

    try:
        images = convert_from_path(
            str(file),
            dpi=cfg.dpi,
            first_page=index + 1,
            last_page=index + 1,
            grayscale=True,
            thread_count=1,
            timeout=PDF_TIMEOUT_S,
        )
    except (PDFPageCountError, PDFSyntaxError, PDFPopplerTimeoutError, OSError, ValueError) as e:
        raise CorruptFile() from e
    if len(images) != 1:
        raise CorruptFile()
    with images[0] as im:
        return np.asarray(im.convert("L"), dtype=np.uint8).copy()


def _decode_image_frame(file: Path, index: int) -> tuple[np.ndarray, int]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(file) as im:
                im.seek(index)
                dpi = _dpi_of(im)
                frame = ImageOps.exif_transpose(im) if index == 0 else im
                gray = frame.convert("L")
                gray.load()
                return np.asarray(gray, dtype=np.uint8).copy(), dpi
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as e:
        raise CorruptFile() from e


def _dpi_of(im: Image.Image) -> int:
    """The image's declared resolution; 300 when it declares none or nonsense."""
    dpi = im.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if 72 <= value <= 1200 else 300
