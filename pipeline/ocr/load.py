"""Load: identify an input file and decode its pages to 8-bit grayscale.

``inspect_source`` reads the file once (hash, type, page count, limits) and refuses what
cannot or must not be decoded; ``load_page`` decodes one page, so pages can be decoded in
parallel worker processes. Inputs are opened read-only and never modified.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import re
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from pipeline.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedPdf,
    FileTooLarge,
    ImageTooLarge,
    PipelineError,
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
# The PIL decoders for each media type: a file is decoded as what its magic announced,
# never as another format PIL would also try (PIL tries every plugin on its own). PIL's
# JPEG opener returns an MPO (multi-picture) file itself; "MPO" is no opener of its own.
_PIL_FORMATS = {
    "image/tiff": ("TIFF",),
    "image/png": ("PNG",),
    "image/jpeg": ("JPEG",),
}
# pdfinfo prints sizes with %g: 1e+06 for a million points, inf and nan for nonsense.
_PAGE_SIZE = re.compile(rb"^Page\s+(\d+)\s+size:\s+(\S+)\s+x\s+(\S+)\s+pts", re.M)
_PAGES = re.compile(rb"^Pages:\s+(\d+)\s*$", re.M)


def doc_id_for(sha256: str) -> str:
    """The document id: a prefix of the content hash (same bytes, same id)."""
    return sha256[:16]


def sniff(head: bytes) -> str | None:
    """The media type announced by a file's first bytes, or None."""
    for magic, media_type in MAGIC:
        if head.startswith(magic):
            return media_type
    # Some PDF writers put junk before the header; readers accept it within 1 KiB. Looked
    # for after the image magics: a PNG or JPEG whose first KiB (a text chunk, a comment)
    # happens to hold "%PDF-" is still that image.
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
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
        pages = _inspect_image(file, media_type, cfg)
    sha = digest.hexdigest()
    return Source(
        path=path,
        doc_id=doc_id_for(sha),
        sha256=sha,
        size=size,
        media_type=media_type,  # type: ignore[arg-type]
        pages=pages,
    )


def _pdfinfo(file: Path, cfg: LoadSettings, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["pdfinfo", *args, str(file)],
            capture_output=True,
            timeout=cfg.pdf_timeout_s,
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
    pages, _ = _pdf_pages(_pdfinfo(file, cfg))
    if pages > cfg.max_pages:
        raise TooManyPages()
    _, sizes = _pdf_pages(_pdfinfo(file, cfg, "-f", "1", "-l", str(pages)))
    if sorted(sizes) != list(range(1, pages + 1)):
        raise CorruptFile()  # a page poppler cannot size, it cannot render either
    for w_pt, h_pt in sizes.values():
        # The crop box, which _render_pdf_page renders (-cropbox), in pixels as pdftoppm
        # counts them; it renders a side of zero points one pixel wide (0 x 1e8 pt is a
        # bomb). pdfinfo prints 6 significant digits: a page can render a pixel wider and
        # taller than measured here, which load_page's own check refuses.
        w_px = max(1, math.ceil(w_pt * (cfg.dpi / 72)))
        h_px = max(1, math.ceil(h_pt * (cfg.dpi / 72)))
        if w_px * h_px > cfg.max_pixels:
            raise ImageTooLarge()
    return pages


def _pdf_pages(info: bytes) -> tuple[int, dict[int, tuple[float, float]]]:
    """The page count and the page sizes (points, by page number) in pdfinfo's output.

    The document's own strings (Title, Subject, Keywords, ...) come first and may hold any
    text, "Pages: 1" included; pdfinfo prints nothing of the document's after "Pages:", so
    only its last "Pages:" line and what follows it are read.
    """
    found = list(_PAGES.finditer(info))
    if not found or int(found[-1].group(1)) == 0:
        raise CorruptFile()
    sizes: dict[int, tuple[float, float]] = {}
    for number, w, h in _PAGE_SIZE.findall(info, found[-1].end()):
        try:
            w_pt, h_pt = abs(float(w)), abs(float(h))
        except ValueError as e:
            raise CorruptFile() from e
        if not (math.isfinite(w_pt) and math.isfinite(h_pt)):
            raise ImageTooLarge()
        sizes[int(number)] = (w_pt, h_pt)
    return int(found[-1].group(1)), sizes


def _inspect_image(file: Path, media_type: str, cfg: LoadSettings) -> int:
    if media_type == "image/jpeg" and _jpeg_scans(file) > cfg.max_jpeg_scans:
        raise CorruptFile()
    try:
        with _quiet_pil(), Image.open(file, formats=_PIL_FORMATS[media_type]) as im:
            if im.format == "TIFF":
                frames = _tiff_frames(im, cfg.max_pages)
            else:
                frames = getattr(im, "n_frames", 1)  # declared up front (APNG, MPO)
            if frames > cfg.max_pages:
                raise TooManyPages()
            for i in range(frames):
                im.seek(i)
                w, h = im.size
                if w * h > cfg.max_pixels:
                    raise ImageTooLarge()
            return frames
    except PipelineError:
        raise
    except Exception as e:
        # PIL has no exception hierarchy for bad input: besides OSError and ValueError a
        # damaged file raises TypeError, KeyError, struct.error, ... (Pillow's own fuzzers
        # catch Exception for the same reason).
        raise CorruptFile() from e


def _tiff_frames(im: Image.Image, limit: int) -> int:
    """The number of frames of a TIFF, counted no further than ``limit + 1``.

    PIL's ``n_frames`` walks every IFD in time quadratic in their number (100,000 one-pixel
    frames, 11 MB, took a minute): a file of many tiny frames would stall inspect before the
    page limit could refuse it.
    """
    frames = 1
    while frames <= limit:
        try:
            im.seek(frames)
        except EOFError:  # the chain of IFDs ended; a damaged one raises something else
            break
        frames += 1
    im.seek(0)
    return frames


def _jpeg_scans(file: Path) -> int:
    """The number of start-of-scan markers in a JPEG file, thumbnails and MPO frames included.

    Outside marker segments 0xFF is always followed by 0x00 (stuffing) or a marker, so every
    scan has one FF DA; the count can only be high by the pairs that happen to occur in
    metadata segments.
    """
    count, tail = 0, b""
    try:
        with file.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                count += (tail + chunk).count(b"\xff\xda")
                tail = chunk[-1:]
    except OSError as e:
        raise SourceUnreadable() from e
    return count


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
        image, dpi = _decode_image_frame(Path(source.path), source.media_type, index, cfg)
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
            # The crop box (what a viewer shows) is what inspect measured: the media box can
            # be any size behind a letter-sized crop box (a bomb pdfinfo does not report).
            use_cropbox=True,
            thread_count=1,
            timeout=math.ceil(cfg.pdf_timeout_s),
        )
    except (PDFPageCountError, PDFSyntaxError, PDFPopplerTimeoutError, OSError, ValueError) as e:
        raise CorruptFile() from e
    if len(images) != 1:
        raise CorruptFile()
    with images[0] as im:
        return np.asarray(im.convert("L"), dtype=np.uint8).copy()


def _decode_image_frame(
    file: Path, media_type: str, index: int, cfg: LoadSettings
) -> tuple[np.ndarray, int]:
    try:
        with _quiet_pil(), Image.open(file, formats=_PIL_FORMATS[media_type]) as im:
            im.seek(index)
            w, h = im.size
            if w * h > cfg.max_pixels:  # inspect measured it; checked again before decoding
                raise ImageTooLarge()
            dpi = _dpi_of(im)
            frame = ImageOps.exif_transpose(im) if index == 0 else im
            gray = frame.convert("L")
            gray.load()
            return np.asarray(gray, dtype=np.uint8).copy(), dpi
    except PipelineError:
        raise
    except Exception as e:  # any of PIL's exceptions: see _inspect_image
        raise CorruptFile() from e


@contextlib.contextmanager
def _quiet_pil() -> Iterator[None]:
    """PIL warns about damaged files (truncated reads, bad tags) where it can go on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _dpi_of(im: Image.Image) -> int:
    """The image's declared resolution; 300 when it declares none or nonsense."""
    dpi = im.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if 72 <= value <= 1200 else 300
