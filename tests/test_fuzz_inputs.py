"""Fuzzing the loaders (issue 9, input hardening): whatever the bytes, a Source or a load code.

``inspect_source`` either returns a ``Source`` or raises a ``PipelineError`` with a load
code (E100-E107); ``load_page`` on a source inspect accepted either returns a ``RawPage``
(a 2-D uint8 array within the pixel limit) or raises E103. Never another exception, never
a page larger than the limit decoded (a bomb is E107 at inspect, before any pixel is; only
a PDF page a pixel over by pdfinfo's rounding is E107 from load_page), never longer than
the example deadline.

Seeds are small synthetic files made here in memory (PIL, pikepdf and a hand-written PDF
and TIFF writer for the structures those refuse to write), never real scans; examples
mutate them (byte flips, truncation, splices) or rewrite header fields (PNG IHDR, TIFF
ImageWidth, JPEG SOF, PDF /MediaBox, /Count, /Kids trees, /Encrypt). The real decoders run
(PIL, poppler): nothing is mocked.

The run is bounded and reproducible: derandomized, no example database, a fixed number of
examples per property (about 45 s in all on two cores). ``CHART2FHIR_FUZZ_EXAMPLES=N`` is a
longer local hunt: N random examples per property, a failure printing the
``@reproduce_failure`` line that replays it; CI leaves it unset.

The plain tests at the end are regressions, one per fault the fuzzing found, each with the
smallest input that showed it.
"""

from __future__ import annotations

import io
import math
import os
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from pipeline.errors import PipelineError
from pipeline.ocr.load import inspect_source, load_page
from pipeline.settings import LoadSettings

LOAD_CODES = {f"E10{i}" for i in range(8)}

# Small limits keep every example fast: a seed page is at most 96 x 96 px (PDF pages at 72
# DPI: a point is a pixel), so anything declaring more than the limit is a "bomb" here.
CFG = LoadSettings(dpi=72, max_pages=6, max_pixels=40_000, max_file_bytes=1 << 20)

# A local hunt: this many random examples per property instead of CI's fixed ones.
_EXAMPLES = int(os.environ.get("CHART2FHIR_FUZZ_EXAMPLES", "0"))

settings.register_profile(
    "chart2fhir-fuzz",
    derandomize=not _EXAMPLES,
    database=None,
    # An example that takes longer than this is a hang: PIL and poppler take milliseconds
    # on files this small, and poppler's own timeout (load.pdf_timeout_s) is far longer.
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
FUZZ = settings.get_profile("chart2fhir-fuzz")


def examples(n: int) -> settings:
    """The fuzz profile with ``n`` examples (or the knob's number)."""
    return settings(FUZZ, max_examples=_EXAMPLES or n)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module's inputs (hypothesis reruns a test body many times)."""
    return tmp_path_factory.mktemp("fuzz")


def write(folder: Path, data: bytes, name: str = "input") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def check_contract(path: Path, cfg: LoadSettings = CFG) -> str:
    """Run inspect and load on ``path`` and assert the contract.

    Returns "ok" when every page loaded, else inspect's code or the first page's code.
    """
    try:
        source = inspect_source(str(path), cfg=cfg)
    except PipelineError as e:
        assert e.code in LOAD_CODES, e.code
        assert str(e) == e.record  # fixed text only
        return e.code
    assert 1 <= source.pages <= cfg.max_pages
    assert source.size == path.stat().st_size <= cfg.max_file_bytes
    outcome = "ok"
    for index in range(source.pages):
        try:
            page = load_page(source, index, cfg=cfg)
        except PipelineError as e:
            assert e.code in {"E103", "E107"}, e.code
            assert str(e) == e.record
            if e.code == "E107":
                # A page larger than the limit was decoded: inspect must refuse bombs
                # first. Only rounding is allowed: pdfinfo prints sizes to 6 digits, so a
                # PDF page can render a pixel wider and taller than inspect measured it,
                # and (w + 1) * (h + 1) <= 4 * w * h.
                assert source.media_type == "application/pdf"
                looser = cfg.model_copy(update={"max_pixels": 4 * cfg.max_pixels})
                assert load_page(source, index, cfg=looser).image.size <= looser.max_pixels
            outcome = e.code if outcome == "ok" else outcome
            continue
        assert page.index == index
        assert isinstance(page.image, np.ndarray)
        assert page.image.dtype == np.uint8 and page.image.ndim == 2
        assert 0 < page.image.shape[0] * page.image.shape[1] <= cfg.max_pixels
        assert 72 <= page.dpi <= 1200
    return outcome


# --- Seeds: small synthetic files -------------------------------------------------------


def synthetic(mode: str, size: tuple[int, int]) -> Image.Image:
    """A small image with some structure (a gradient and a block), in ``mode``."""
    w, h = size
    ramp = (np.add.outer(np.arange(h), np.arange(w)) * 7 % 256).astype(np.uint8)
    ramp[h // 4 : h // 2, w // 4 : w // 2] = 0
    return Image.fromarray(ramp).convert(mode)


def png_seed(mode: str, size: tuple[int, int], text: str, frames: int, exif: int) -> bytes:
    im = synthetic(mode, size)
    info = PngInfo()
    if text:
        info.add_text("Comment", text, zip=len(text) % 2 == 1)
    buf = io.BytesIO()
    extra: dict[str, object] = {"pnginfo": info}
    if exif:
        ex = Image.Exif()
        ex[0x0112] = exif  # Orientation
        extra["exif"] = ex.tobytes()
    if frames > 1:
        more = [synthetic(mode, size).rotate(90 * i) for i in range(1, frames)]
        im.save(buf, "PNG", save_all=True, append_images=more, **extra)
    else:
        im.save(buf, "PNG", **extra)
    return buf.getvalue()


def jpeg_seed(
    mode: str, size: tuple[int, int], progressive: bool, exif: int, mpo: bool, comment: str = ""
) -> bytes:
    im = synthetic(mode, size)
    buf = io.BytesIO()
    extra: dict[str, object] = {"quality": 80, "dpi": (200, 200)}
    if comment:
        extra["comment"] = comment.encode("latin-1", "replace")
    if exif:
        ex = Image.Exif()
        ex[0x0112] = exif
        extra["exif"] = ex.tobytes()
    if mpo and mode != "CMYK":  # PIL writes CMYK MPO files it cannot read back
        im.save(buf, "MPO", save_all=True, append_images=[im.rotate(180)], **extra)
    else:
        im.save(buf, "JPEG", progressive=progressive, **extra)
    return buf.getvalue()


TIFF_COMPRESSIONS = {
    "1": ["raw", "group4", "packbits", "tiff_lzw"],
    "L": ["raw", "tiff_lzw", "tiff_deflate", "packbits", "jpeg"],
    "RGB": ["raw", "tiff_lzw", "jpeg", "tiff_adobe_deflate"],
    "I;16": ["raw", "tiff_lzw"],
    "CMYK": ["raw", "tiff_lzw"],
    "F": ["raw"],
}


def tiff_seed(mode: str, size: tuple[int, int], compression: str, frames: int) -> bytes:
    ims = [synthetic(mode, size) if mode != "F" else synthetic("L", size).convert("F")]
    ims += [ims[0].transpose(Image.Transpose.FLIP_TOP_BOTTOM) for _ in range(frames - 1)]
    buf = io.BytesIO()
    ims[0].save(
        buf, "TIFF", compression=compression, save_all=True, append_images=ims[1:], dpi=(300, 300)
    )
    return buf.getvalue()


def tiff_bytes(
    ifds: Sequence[Sequence[tuple[int, int, int, bytes]]], *, big: bool, pixels: bytes = b""
) -> bytes:
    """A TIFF by hand: each IFD a list of (tag, type, count, value bytes), chained in order.

    ``pixels`` go at offset 8, right after the header; values longer than four bytes go
    after their IFD. Lets a test write what PIL will not (wrong types and counts, long
    chains, big-endian files).
    """
    e = ">" if big else "<"
    pixels += b"\x00" * (len(pixels) % 2)  # IFDs start on a word boundary
    out = bytearray((b"MM\x00*" if big else b"II*\x00") + struct.pack(e + "I", 8 + len(pixels)))
    out += pixels
    for n, entries in enumerate(ifds):
        start = len(out)
        table = 2 + 12 * len(entries) + 4
        extra = bytearray()
        body = bytearray(struct.pack(e + "H", len(entries)))
        for tag, typ, count, value in sorted(entries):
            if len(value) <= 4:
                body += struct.pack(e + "HHI", tag, typ, count) + value.ljust(4, b"\x00")
            else:
                body += struct.pack(e + "HHII", tag, typ, count, start + table + len(extra))
                extra += value + b"\x00" * (len(value) % 2)
        last = n == len(ifds) - 1
        body += struct.pack(e + "I", 0 if last else start + table + len(extra))
        out += body + extra
    return bytes(out)


def tiff_image_ifd(
    w: int, h: int, pixels_at: int, *, big: bool, bits: int = 8
) -> list[tuple[int, int, int, bytes]]:
    """The entries of a grayscale uncompressed frame whose pixels are at ``pixels_at``."""
    e = ">" if big else "<"
    nbytes = (w * bits + 7) // 8 * h

    def long(v: int) -> bytes:
        return struct.pack(e + "I", v)

    def short(v: int) -> bytes:
        return struct.pack(e + "H", v)

    return [
        (256, 4, 1, long(w)),  # ImageWidth
        (257, 4, 1, long(h)),  # ImageLength
        (258, 3, 1, short(bits)),  # BitsPerSample
        (259, 3, 1, short(1)),  # Compression: none
        (262, 3, 1, short(1)),  # Photometric: black is zero
        (273, 4, 1, long(pixels_at)),  # StripOffsets
        (277, 3, 1, short(1)),  # SamplesPerPixel
        (278, 4, 1, long(h)),  # RowsPerStrip
        (279, 4, 1, long(nbytes)),  # StripByteCounts
    ]


def tiff_many_frames(frames: int, *, big: bool = False) -> bytes:
    """A TIFF of ``frames`` 1 x 1 frames all sharing one pixel byte (at offset 8)."""
    e = ">" if big else "<"
    ifd = tiff_image_ifd(1, 1, 8, big=big)
    table = 2 + 12 * len(ifd) + 4
    out = bytearray((b"MM\x00*" if big else b"II*\x00") + struct.pack(e + "I", 12) + b"\x80\0\0\0")
    for n in range(frames):
        start = len(out)
        out += struct.pack(e + "H", len(ifd))
        for tag, typ, count, value in ifd:
            out += struct.pack(e + "HHI", tag, typ, count) + value.ljust(4, b"\x00")
        out += struct.pack(e + "I", 0 if n == frames - 1 else start + table)
    return bytes(out)


def pdf_bytes(objects: Sequence[bytes], *, prefix: bytes = b"", trailer: bytes = b"") -> bytes:
    """A PDF by hand: object i + 1 is ``objects[i]``, 1 is the catalog; a correct xref.

    pikepdf (qpdf) repairs page trees and boxes when it saves; this writes them as given.
    """
    out = bytearray(prefix + b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        xref,
    )
    return bytes(out)


def _stream(data: bytes, head: bytes = b"") -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (head, len(data), data)


def pdf_document(
    pages: int = 1,
    *,
    box: bytes = b"[0 0 72 72]",
    page_extra: bytes = b"",
    fanout: int = 0,
    depth: int = 0,
    count: bytes | None = None,
    loop: bool = False,
    info: bytes = b"",
    prefix: bytes = b"",
    trailer: bytes = b"",
) -> bytes:
    """A PDF of ``pages`` pages, each a small gray image and a few lines.

    With ``fanout`` the pages hang in a /Kids tree (that many kids a node); ``depth`` adds
    single-kid /Pages levels above it; ``count`` replaces the root's /Count; ``loop`` makes
    the root a kid of the lowest /Pages node (a cycle); ``info`` is the document
    information dictionary (Title, ...).
    """
    pixels = synthetic("L", (16, 16)).tobytes()
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    image = len(objects) + 1
    objects.append(
        _stream(
            zlib.compress(pixels),
            b"/Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /FlateDecode",
        )
    )
    content = len(objects) + 1
    objects.append(_stream(b"q 36 0 0 36 4 4 cm /Im0 Do Q 0 g 2 w 0 60 m 70 70 l S"))

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def grow(parent: int, leaves: int) -> list[int]:
        """Kids of ``parent`` holding ``leaves`` pages: pages, or /Pages nodes of them."""
        if fanout < 2 or leaves <= fanout:
            return [
                add(
                    b"<< /Type /Page /Parent %d 0 R /MediaBox %s /Contents %d 0 R "
                    b"/Resources << /XObject << /Im0 %d 0 R >> >> %s >>"
                    % (parent, box, content, image, page_extra)
                )
                for _ in range(leaves)
            ]
        kids = []
        share = math.ceil(leaves / fanout)
        for start in range(0, leaves, share):
            node = add(b"")
            n = min(share, leaves - start)
            grand = grow(node, n)
            objects[node - 1] = b"<< /Type /Pages /Parent %d 0 R /Kids [%s] /Count %d >>" % (
                parent,
                b" ".join(b"%d 0 R" % k for k in grand),
                n,
            )
            kids.append(node)
        return kids

    def node(at: int, parent: int | None, kids: list[int], n: int, last: bool = False) -> None:
        declared = count if count is not None and at == 2 else b"%d" % n
        up = b"" if parent is None else b"/Parent %d 0 R " % parent
        refs = b" ".join(b"%d 0 R" % k for k in kids + ([2] if loop and last else []))
        objects[at - 1] = b"<< /Type /Pages %s/Kids [%s] /Count %s >>" % (up, refs, declared)

    top, above = 2, None
    for _ in range(depth):  # single-kid levels: 2 -> a -> b -> ... -> the tree
        below = add(b"")
        node(top, above, [below], pages)
        top, above = below, top
    node(top, above, grow(top, pages), pages, last=True)
    if info:
        trailer += b" /Info %d 0 R" % add(info)
    return pdf_bytes(objects, prefix=prefix, trailer=trailer)


def pil_pdf(pages: int) -> bytes:
    """A PDF as PIL writes one (scanner-like: a JPEG per page)."""
    ims = [synthetic("L", (64, 80)).rotate(i * 90) for i in range(pages)]
    buf = io.BytesIO()
    ims[0].save(buf, "PDF", save_all=True, append_images=ims[1:], resolution=72)
    return buf.getvalue()


def encrypted_pdf(user: str, r: Literal[2, 3, 4, 5, 6], aes: bool, pages: int = 1) -> bytes:
    with pikepdf.open(io.BytesIO(pdf_document(pages))) as pdf:
        buf = io.BytesIO()
        pdf.save(
            buf,
            encryption=pikepdf.Encryption(owner="owner-pw", user=user, R=r, aes=aes, metadata=aes),
            static_id=True,
        )
    return buf.getvalue()


# --- Mutations -----------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, seeds: st.SearchStrategy[bytes]) -> bytes:
    """A seed with a few byte-level mutations, biased to the first bytes (the headers)."""
    data = bytearray(draw(seeds))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        n = len(data)
        at = draw(st.one_of(st.integers(0, min(n, 64) - 1), st.integers(0, n - 1)))
        op = draw(st.sampled_from(["flip", "set", "truncate", "insert", "delete", "splice"]))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            data[at] = draw(st.sampled_from([0x00, 0xFF, 0x7F, 0x80, 0x01, 0x20]))
        elif op == "truncate":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 32))]
        else:  # a copy of another part of the file: a repeated chunk, IFD or object
            src = draw(st.integers(0, n - 1))
            data[at:at] = data[src : src + draw(st.integers(1, 64))]
    return bytes(data)


SIZES = st.tuples(st.integers(1, 96), st.integers(1, 96))
EXIF_ORIENTATION = st.sampled_from([0, 1, 3, 6, 8])
# Fuzz dictionary: other formats' magics and tokens, for text fields.
FORMAT_TOKENS = st.sampled_from(["%PDF-1.4", "%PDF-", "II*\x00", "MM\x00*", "\x89PNG", "%%EOF"])
TEXT = st.one_of(st.just(""), st.text(max_size=40), FORMAT_TOKENS)

png_seeds = st.builds(
    png_seed,
    st.sampled_from(["L", "RGB", "RGBA", "P", "1", "LA", "I;16"]),
    SIZES,
    TEXT,
    st.integers(1, 3),
    EXIF_ORIENTATION,
)
jpeg_seeds = st.builds(
    jpeg_seed,
    st.sampled_from(["L", "RGB", "CMYK"]),
    SIZES,
    st.booleans(),
    EXIF_ORIENTATION,
    st.booleans(),
)
tiff_seeds = st.sampled_from(sorted(TIFF_COMPRESSIONS)).flatmap(
    lambda mode: st.builds(
        tiff_seed, st.just(mode), SIZES, st.sampled_from(TIFF_COMPRESSIONS[mode]), st.integers(1, 3)
    )
)
hand_tiff_seeds = st.builds(
    lambda w, h, big, frames: tiff_bytes(
        [tiff_image_ifd(w, h, 8, big=big)] * frames,
        big=big,
        pixels=synthetic("L", (w, h)).tobytes(),
    ),
    st.integers(1, 64),
    st.integers(1, 64),
    st.booleans(),
    st.integers(1, 3),
)
image_seeds = st.one_of(png_seeds, jpeg_seeds, tiff_seeds, hand_tiff_seeds)
pdf_seeds = st.one_of(
    st.builds(pil_pdf, st.integers(1, 3)),
    st.builds(lambda n, f: pdf_document(n, fanout=f), st.integers(1, 4), st.integers(0, 2)),
    st.builds(lambda u: encrypted_pdf(u, 4, True), st.sampled_from(["", "pw"])),
)


# --- Properties ----------------------------------------------------------------------

MAGICS = [b"%PDF-1.4\n", b"II*\x00", b"MM\x00*", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b""]


@examples(300)
@given(head=st.sampled_from(MAGICS), junk=st.binary(max_size=600), tail=st.binary(max_size=600))
def test_any_bytes_give_a_source_or_a_load_code(
    work: Path, head: bytes, junk: bytes, tail: bytes
) -> None:
    # Random bytes behind each magic (and behind junk, for the PDF-after-junk rule).
    check_contract(write(work, junk[:8] + head + tail if head == MAGICS[0] else head + tail))


@examples(800)
@given(data=mutated(image_seeds))
def test_mutated_images_give_a_page_or_a_load_code(work: Path, data: bytes) -> None:
    check_contract(write(work, data))


@examples(250)
@given(data=mutated(pdf_seeds))
def test_mutated_pdfs_give_a_page_or_a_load_code(work: Path, data: bytes) -> None:
    check_contract(write(work, data))


@examples(200)
@given(data=st.one_of(png_seeds, jpeg_seeds, tiff_seeds))
def test_unmutated_seeds_load(work: Path, data: bytes) -> None:
    # Valid files, whatever their mode, compression, text chunks and EXIF orientation, load.
    assert check_contract(write(work, data)) == "ok"


@examples(20)
@given(kind=st.sampled_from(["png", "jpeg"]), token=FORMAT_TOKENS, size=SIZES)
def test_metadata_holding_another_formats_magic_is_still_the_image(
    work: Path, kind: str, token: str, size: tuple[int, int]
) -> None:
    # A PNG text chunk or a JPEG comment in the first KiB holding another format's magic.
    if kind == "png":
        data = png_seed("L", size, token, 1, 0)
    else:
        data = jpeg_seed("L", size, False, 0, False, comment=token)
    path = write(work, data)
    assert check_contract(path) == "ok"
    assert inspect_source(str(path), cfg=CFG).media_type == f"image/{kind}"


def png_with_size(w: int, h: int) -> bytes:
    """A valid 8 x 8 PNG whose IHDR claims ``w`` x ``h`` (CRC fixed, so PIL believes it)."""
    data = bytearray(png_seed("L", (8, 8), "", 1, 0))
    data[16:24] = struct.pack(">II", w, h)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def jpeg_with_size(w: int, h: int, progressive: bool = False) -> bytes:
    """A valid 8 x 8 JPEG whose SOF claims ``w`` x ``h``."""
    data = bytearray(jpeg_seed("L", (8, 8), progressive, 0, False))
    at = 2
    while data[at + 1] not in (0xC0, 0xC1, 0xC2):  # walk the segments to the SOF
        at += 2 + struct.unpack(">H", data[at + 2 : at + 4])[0]
    data[at + 5 : at + 9] = struct.pack(">HH", h, w)
    return bytes(data)


def tiff_set_tag(data: bytes, tag: int, value: int) -> bytes:
    """``data`` (a little-endian TIFF) with ``tag`` of its first IFD set to LONG ``value``."""
    out = bytearray(data)
    ifd = struct.unpack("<I", out[4:8])[0]
    for i in range(struct.unpack("<H", out[ifd : ifd + 2])[0]):
        at = ifd + 2 + 12 * i
        if struct.unpack("<H", out[at : at + 2])[0] == tag:
            out[at + 2 : at + 12] = struct.pack("<HII", 4, 1, value)
    return bytes(out)


def tiff_with_size(w: int, h: int) -> bytes:
    data = tiff_seed("L", (8, 8), "raw", 1)
    return tiff_set_tag(tiff_set_tag(data, 256, w), 257, h)


DIMENSION = st.one_of(
    st.integers(0, 300),
    st.integers(0, 65535),
    st.integers(0, 2**32 - 1),
    st.sampled_from([1, 199, 200, 201, 40_000, 40_001, 65535, 2**31 - 1, 2**31, 2**32 - 1]),
)


@examples(300)
@given(kind=st.sampled_from(["png", "jpeg", "jpeg-progressive", "tiff"]), w=DIMENSION, h=DIMENSION)
def test_declared_dimensions_beyond_the_limit_are_refused_before_decoding(
    work: Path, kind: str, w: int, h: int
) -> None:
    if kind.startswith("jpeg"):
        w, h = w % 65536, h % 65536  # two bytes each in a SOF
    make: dict[str, Callable[[], bytes]] = {
        "png": lambda: png_with_size(w, h),
        "jpeg": lambda: jpeg_with_size(w, h),
        "jpeg-progressive": lambda: jpeg_with_size(w, h, progressive=True),
        "tiff": lambda: tiff_with_size(w, h),
    }
    path = write(work, make[kind]())
    if w * h > CFG.max_pixels:
        with pytest.raises(PipelineError) as e:
            inspect_source(str(path), cfg=CFG)
        assert e.value.code == "E107"
    else:
        # 8 x 8 of pixel data behind a header claiming another size: the decoders either
        # read what they can (a page of the claimed size) or call it damaged.
        assert check_contract(path) in {"ok", "E103"}


def _pt(draw: st.DrawFn) -> bytes:
    """A PDF number for a box edge: small, page-sized, huge, negative, or a real."""
    value = draw(
        st.one_of(
            st.integers(-100, 300),
            st.integers(0, 14400),
            st.sampled_from([10**6, 10**7, 10**12, 10**40, -(10**6)]),
            st.floats(-1e7, 1e7, allow_nan=False).map(lambda f: round(f, 3)),
        )
    )
    return b"%d" % value if isinstance(value, int) else b"%.3f" % value


@st.composite
def pdf_boxes(draw: st.DrawFn) -> tuple[bytes, bytes]:
    def box() -> bytes:
        return b"[%s]" % b" ".join(_pt(draw) for _ in range(4))

    media = draw(st.one_of(st.just(b"[0 0 72 72]"), st.builds(box)))
    extra = b""
    if draw(st.booleans()):  # a small CropBox over a large MediaBox, or any other
        extra += b"/CropBox %s " % draw(st.one_of(st.just(b"[0 0 72 72]"), st.builds(box)))
    if draw(st.booleans()):
        extra += b"/Rotate %d " % draw(st.sampled_from([90, 180, 270, 45, -90, 3600]))
    if draw(st.booleans()):
        extra += b"/UserUnit %s " % draw(st.sampled_from([b"10", b"0.5", b"75000", b"-1"]))
    return media, extra


@examples(200)
@given(boxes=pdf_boxes(), pages=st.integers(1, 2))
def test_pdf_page_boxes_are_measured_as_rendered(
    work: Path, boxes: tuple[bytes, bytes], pages: int
) -> None:
    # Whatever the boxes, the page poppler renders is the one inspect measured: a page over
    # the limit is E107 from inspect, never decoded (check_contract refuses E107 from load).
    media, extra = boxes
    check_contract(write(work, pdf_document(pages, box=media, page_extra=extra)))


@examples(120)
@given(
    pages=st.integers(1, 9),
    fanout=st.sampled_from([0, 2, 3]),
    depth=st.integers(0, 3),
    count=st.one_of(
        st.none(),
        st.sampled_from([b"0", b"-1", b"1", b"7", b"99999999", b"2147483648", b"1e9", b"/Name"]),
    ),
    loop=st.booleans(),
    prefix=st.sampled_from([b"", b"\x00\x01junk\n", b"x" * 1000]),
)
def test_pdf_page_trees(
    work: Path,
    pages: int,
    fanout: int,
    depth: int,
    count: bytes | None,
    loop: bool,
    prefix: bytes,
) -> None:
    data = pdf_document(pages, fanout=fanout, depth=depth, count=count, loop=loop, prefix=prefix)
    code = check_contract(write(work, data))
    if count is None and not loop:
        # A well-formed tree, however deep, of pages up to the limit loads; beyond it, E106.
        assert code == ("ok" if pages <= CFG.max_pages else "E106")


# Fuzz dictionary: lines pdfinfo prints, which a document's own strings can imitate.
PDFINFO_LINES = st.sampled_from(
    [
        "Pages:           1",
        "Pages:           0",
        "Pages:           99999",
        "Page    1 size:  1 x 1 pts",
        "Page    2 size:  1 x 1 pts",
        "Page size:       1 x 1 pts",
        "Encrypted:       no",
        "Incorrect password",
    ]
)


def _pdf_text(lines: list[str]) -> bytes:
    """A PDF literal string of ``lines``, one a line (no escapes: no backslashes, no parens)."""
    text = "\n".join(line.translate({ord(c): None for c in "\\()"}) for line in lines)
    return b"(" + text.encode("latin-1", "replace") + b")"


@examples(60)
@given(
    pages=st.integers(1, 3),
    title=st.lists(st.one_of(PDFINFO_LINES, st.text(max_size=10)), max_size=4),
    keywords=st.lists(PDFINFO_LINES, max_size=3),
)
def test_pdf_strings_cannot_pose_as_pdfinfo_lines(
    work: Path, pages: int, title: list[str], keywords: list[str]
) -> None:
    # The document's Title and Keywords are printed by pdfinfo before its own lines: they
    # must not change the page count or the measured sizes.
    info = b"<< /Title %s /Keywords %s >>" % (_pdf_text(title), _pdf_text(keywords))
    path = write(work, pdf_document(pages, info=info))
    assert check_contract(path) == "ok"
    assert inspect_source(str(path), cfg=CFG).pages == pages


ENCRYPT = st.one_of(
    st.just(b"/Encrypt << >>"),
    st.builds(
        lambda f, v, r, length: (
            b"/Encrypt << /Filter /%s /V %d /R %d /Length %d /P -4 "
            b"/O <%s> /U <%s> >> /ID [<00112233445566778899aabbccddeeff> <00>]"
            % (f, v, r, length, b"00" * 32, b"ff" * 32)
        ),
        st.sampled_from([b"Standard", b"Bogus"]),
        st.integers(-1, 6),
        st.integers(-1, 7),
        st.sampled_from([0, 40, 128, 256, 7, -8]),
    ),
)


@examples(60)
@given(encrypt=ENCRYPT)
def test_pdf_with_a_forged_encrypt_dict(work: Path, encrypt: bytes) -> None:
    code = check_contract(write(work, pdf_document(1, trailer=encrypt)))
    assert code in {"ok", "E103", "E104"}


@examples(12)
@given(
    user=st.sampled_from(["", "user-pw"]),
    scheme=st.sampled_from([(2, False), (3, False), (4, False), (4, True), (6, True)]),
)
def test_encrypted_pdfs(work: Path, user: str, scheme: tuple[Literal[2, 3, 4, 5, 6], bool]) -> None:
    # A user password is E104; an owner password alone (no password to open) renders.
    code = check_contract(write(work, encrypted_pdf(user, *scheme, pages=2)))
    assert code == ("E104" if user else "ok")


# --- The limits are settings ---------------------------------------------------------


@examples(30)
@given(
    kind=st.sampled_from(["tiff", "hand-tiff", "png", "pdf", "pil-pdf"]),
    frames=st.integers(1, 5),
    max_pages=st.integers(1, 5),
)
def test_max_pages_setting(work: Path, kind: str, frames: int, max_pages: int) -> None:
    make: dict[str, Callable[[], bytes]] = {
        "tiff": lambda: tiff_seed("L", (8, 8), "raw", frames),
        "hand-tiff": lambda: tiff_many_frames(frames, big=True),
        "png": lambda: png_seed("L", (8, 8), "", frames, 0),  # APNG frames are pages
        "pdf": lambda: pdf_document(frames, fanout=2),
        "pil-pdf": lambda: pil_pdf(frames),
    }
    cfg = LoadSettings(dpi=72, max_pages=max_pages, max_pixels=CFG.max_pixels)
    code = check_contract(write(work, make[kind]()), cfg)
    assert code == ("ok" if frames <= max_pages else "E106")


@examples(30)
@given(
    kind=st.sampled_from(["png", "jpeg", "tiff", "pdf"]),
    w=st.integers(1, 60),
    h=st.integers(1, 60),
    max_pixels=st.integers(1, 4000),
)
def test_max_pixels_setting(work: Path, kind: str, w: int, h: int, max_pixels: int) -> None:
    make: dict[str, Callable[[], bytes]] = {
        "png": lambda: png_seed("L", (w, h), "", 1, 0),
        "jpeg": lambda: jpeg_seed("L", (w, h), False, 0, False),
        "tiff": lambda: tiff_seed("L", (w, h), "tiff_lzw", 1),
        "pdf": lambda: pdf_document(1, box=b"[0 0 %d %d]" % (w, h)),  # at 72 DPI: w x h px
    }
    cfg = LoadSettings(dpi=72, max_pages=CFG.max_pages, max_pixels=max_pixels)
    code = check_contract(write(work, make[kind]()), cfg)
    assert code == ("ok" if w * h <= max_pixels else "E107")


@examples(30)
@given(
    data=st.one_of(image_seeds, st.binary(min_size=1, max_size=4000)),
    spare=st.integers(-300, 300),
)
def test_max_file_bytes_setting(work: Path, data: bytes, spare: int) -> None:
    # The size limit comes first: a file over it is E105 whatever it holds, never read.
    limit = max(0, len(data) + spare)
    path = write(work, data)
    cfg = LoadSettings(
        dpi=72, max_pages=CFG.max_pages, max_pixels=CFG.max_pixels, max_file_bytes=limit
    )
    code = check_contract(path, cfg)
    if len(data) > limit:
        assert code == "E105"
    else:
        assert code != "E105"


def test_zero_size_file_is_empty(tmp_path: Path) -> None:
    assert check_contract(write(tmp_path, b"")) == "E101"


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a\x01\x00\x01\x00",  # a real image type we do not take
        b"BM" + b"\x00" * 60,  # BMP
        b"PK\x03\x04" + b"\x00" * 60,  # zip / docx
        b"%PDF" + b"\x00" * 2000,  # no "-": not a PDF header
        b"\x00" * 1020 + b"%PDF-1.4",  # the header starts too late (after 1 KiB)
        b"\x89PNX\r\n\x1a\n" + b"\x00" * 40,  # one letter off
        b"I I*\x00",
        b"\xff\xd8",  # a JPEG's first two bytes only
    ],
)
def test_wrong_magic_is_unsupported(tmp_path: Path, data: bytes) -> None:
    assert check_contract(write(tmp_path, data)) == "E102"


def jpeg_with_scans(w: int, h: int, extra_scans: int) -> bytes:
    """A progressive gray JPEG with ``extra_scans`` more AC scans of a few bytes each.

    Each extra scan is one EOBRUN code per 32767 blocks ("no AC coefficients here"), so it
    costs the decoder a pass over the whole image for about eight bytes of file.
    """
    data = jpeg_seed("L", (w, h), True, 0, False)
    end = data.rindex(b"\xff\xd9")
    # An AC Huffman table (class 1, id 3) with one symbol, 0xE0 (an EOB run of 2^14 and
    # more), coded as the single bit 0.
    dht = b"\xff\xc4" + struct.pack(">H", 20) + b"\x13" + bytes([1] + [0] * 15) + b"\xe0"
    sos = b"\xff\xda" + struct.pack(">H", 8) + b"\x01\x01\x03" + b"\x01\x3f\x00"
    bits, left = "", math.ceil(w / 8) * math.ceil(h / 8)
    while left > 0:
        run = min(max(left, 16384), 32767)
        bits += "0" + format(run - 16384, "014b")
        left -= run
    bits += "1" * (-len(bits) % 8)
    entropy = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8))
    scan = sos + entropy.replace(b"\xff", b"\xff\x00")
    return data[:end] + dht + scan * extra_scans + data[end:]


@examples(30)
@given(size=SIZES, extra=st.integers(0, 200))
def test_progressive_jpeg_scans_are_bounded(work: Path, size: tuple[int, int], extra: int) -> None:
    # libjpeg decodes a progressive JPEG once per scan: many tiny scans are a time bomb. A
    # gray progressive JPEG from PIL has 6 scans of its own.
    code = check_contract(write(work, jpeg_with_scans(*size, extra)))
    assert code == ("ok" if 6 + extra <= LoadSettings().max_jpeg_scans else "E103")


@examples(20)
@given(frames=st.integers(1, 3000), big=st.booleans())
def test_tiff_frame_chains(work: Path, frames: int, big: bool) -> None:
    code = check_contract(write(work, tiff_many_frames(frames, big=big)))
    assert code == ("ok" if frames <= CFG.max_pages else "E106")


# --- Regressions: one per fault the fuzzing found ------------------------------------


def code_of(path: Path, cfg: LoadSettings) -> str:
    with pytest.raises(PipelineError) as e:
        inspect_source(str(path), cfg=cfg)
    return e.value.code


def test_tiff_frame_missing_its_dimensions_is_corrupt(tmp_path: Path) -> None:
    # PIL's n_frames raised TypeError ("Missing dimensions") on a second IFD without
    # ImageWidth (from a byte flip in its tag number); PIL raises TypeError, KeyError,
    # struct.error... as well as OSError on bad input, and all of them are now E103.
    first = tiff_image_ifd(1, 1, 8, big=False)
    second = [entry for entry in first if entry[0] != 256]
    data = tiff_bytes([first, second], big=False, pixels=b"\x80")
    assert code_of(write(tmp_path, data), LoadSettings()) == "E103"


def test_tiff_frame_of_an_unknown_compression_is_corrupt(tmp_path: Path) -> None:
    # KeyError from PIL's table of compressions, raised while n_frames walked the IFDs: a
    # second frame whose Compression is 231 (a flipped byte).
    first = tiff_image_ifd(1, 1, 8, big=False)
    second = [e if e[0] != 259 else (259, 3, 1, struct.pack("<H", 231)) for e in first]
    data = tiff_bytes([first, second], big=False, pixels=b"\x80")
    assert code_of(write(tmp_path, data), LoadSettings()) == "E103"


def test_tiff_strip_offsets_of_a_fraction_type_are_corrupt(tmp_path: Path) -> None:
    # TypeError ("'IFDRational' object cannot be interpreted as an integer") from PIL's
    # decoder, in load_page: StripOffsets typed RATIONAL (5) instead of LONG. Inspect reads
    # no strips, so it accepts the file.
    entries = [
        entry if entry[0] != 273 else (273, 5, 1, struct.pack("<II", 200, 1))
        for entry in tiff_image_ifd(2, 2, 8, big=False)
    ]
    data = tiff_bytes([entries], big=False, pixels=b"\x80" * 4)
    source = inspect_source(str(write(tmp_path, data)), cfg=LoadSettings())
    with pytest.raises(PipelineError) as e:
        load_page(source, 0, cfg=LoadSettings())
    assert e.value.code == "E103"


def test_tiff_of_many_frames_is_refused_without_walking_them_all(tmp_path: Path) -> None:
    # 30,000 one-pixel frames (3 MB): PIL's n_frames walks every IFD in quadratic time
    # (13 s here, a minute for 100,000). Inspect now counts no further than max_pages + 1.
    path = write(tmp_path, tiff_many_frames(30_000))
    start = time.monotonic()
    assert code_of(path, LoadSettings()) == "E106"
    assert time.monotonic() - start < 3.0


def test_progressive_jpeg_of_many_scans_is_refused(tmp_path: Path) -> None:
    # 20,000 eight-byte scans over a 2000 x 2000 page (200 kB, well inside the pixel limit)
    # took PIL 5 s to decode (10,000 over 4000 x 4000: 11 s); each scan is a pass over the
    # whole image.
    path = write(tmp_path, jpeg_with_scans(2000, 2000, 20_000))
    start = time.monotonic()
    assert code_of(path, LoadSettings()) == "E103"
    assert time.monotonic() - start < 3.0


def one_page_pdf(page: bytes, info: bytes = b"") -> bytes:
    """A one-page PDF, with ``page``'s entries (boxes) in its page dictionary."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R %s >>" % page,
    ]
    if info:
        objects.append(info)
    return pdf_bytes(objects, trailer=b"/Info 4 0 R" if info else b"")


def test_pdf_crop_box_over_a_huge_media_box_is_what_is_rendered(tmp_path: Path) -> None:
    # pdfinfo prints the crop box; pdftoppm rendered the media box: a letter-sized crop
    # box over a 200-inch media box was 14400 x 14400 px at 72 DPI (60000 x 60000 at 300),
    # decoded before load_page's own check could refuse it. Now the crop box is rendered.
    cfg = LoadSettings(dpi=72)
    data = one_page_pdf(b"/MediaBox [0 0 14400 14400] /CropBox [0 0 612 792]")
    source = inspect_source(str(write(tmp_path, data)), cfg=cfg)
    page = load_page(source, 0, cfg=cfg)
    assert page.image.shape == (792, 612) and page.image.dtype == np.uint8


def test_pdf_page_size_in_exponent_notation_is_measured(tmp_path: Path) -> None:
    # pdfinfo prints 1e+06 for a million points, which the size pattern did not match: the
    # page went unmeasured, and poppler rendered it 4166667 x 209 px (870 Mpx, 1.7 GB).
    data = one_page_pdf(b"/MediaBox [0 0 1000000 50]")
    assert code_of(write(tmp_path, data), LoadSettings()) == "E107"


def test_pdf_page_of_zero_width_is_measured_one_pixel_wide(tmp_path: Path) -> None:
    # A page 0 points wide measured 0 pixels, so any height passed; poppler renders it one
    # pixel wide (0 x 1e8 pt at 300 DPI: 417 Mpx).
    data = one_page_pdf(b"/MediaBox [0 0 0 20000]")
    assert code_of(write(tmp_path, data), LoadSettings(dpi=72, max_pixels=10_000)) == "E107"


def test_pdf_title_posing_as_the_page_count_is_ignored(tmp_path: Path) -> None:
    # pdfinfo prints the Title before its own "Pages:" line: a Title holding "Pages: 1"
    # made a three-page PDF one page long, its other pages never loaded.
    data = pdf_document(3, info=b"<< /Title (Chart\\nPages:           1) >>")
    source = inspect_source(str(write(tmp_path, data)), cfg=CFG)
    assert source.pages == 3
    assert load_page(source, 2, cfg=CFG).image.shape == (72, 72)


def test_png_whose_text_chunk_holds_a_pdf_header_is_a_png(tmp_path: Path) -> None:
    # "%PDF-" anywhere in the first KiB made any file a PDF, even one with a PNG signature
    # (here in a tEXt chunk): a valid PNG was refused as a damaged PDF (E103).
    data = png_seed("L", (40, 30), "%PDF-1.4", 1, 0)
    assert b"%PDF-" in data[:1024]
    source = inspect_source(str(write(tmp_path, data)), cfg=CFG)
    assert source.media_type == "image/png"
    assert load_page(source, 0, cfg=CFG).image.shape == (30, 40)


def png_bomb(w: int, h: int) -> bytes:
    """A valid white 1-bit PNG of ``w`` x ``h``, written row by row (never held decoded)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = b"\x00" + b"\xff" * math.ceil(w / 8)  # filter type 0, then the row's bits
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(h)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# The bombs, each refused in a fresh interpreter whose peak memory (its own and its poppler
# children's) is measured: inspect refuses them before decoding, and load_page checks the
# declared size again before decoding (a Source inspected under other limits).
_BOMBS = r"""
import pathlib, resource, sys
from pipeline.errors import PipelineError
from pipeline.ocr.load import inspect_source, load_page
from pipeline.settings import LoadSettings

def peak_mb():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024

base = peak_mb()
for path in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    try:
        source = inspect_source(str(path), cfg=LoadSettings())
        image = load_page(source, 0, cfg=LoadSettings()).image
        print(path.name, "%d x %d" % image.shape)
    except PipelineError as e:
        print(path.name, e.code)
source = inspect_source(sys.argv[1] + "/png-400mpx", cfg=LoadSettings(max_pixels=10**9))
try:
    load_page(source, 0, cfg=LoadSettings())
    print("load", "decoded")
except PipelineError as e:
    print("load", e.code)
print("grew", int(peak_mb() - base))
"""


def test_bombs_are_refused_before_decoding(tmp_path: Path) -> None:
    bombs = {
        "png-400mpx": png_bomb(20_000, 20_000),  # 50 kB; 400 MB decoded, twice over as gray
        "jpeg-4gpx": jpeg_with_size(65535, 65535),
        "tiff-10gpx": tiff_with_size(100_000, 100_000),
        "pdf-crop-over-media": one_page_pdf(b"/MediaBox [0 0 14400 14400] /CropBox [0 0 1 1]"),
        "pdf-200-inches": one_page_pdf(b"/MediaBox [0 0 14400 14400]"),  # 3.6 Gpx at 300 DPI
    }
    for name, data in bombs.items():
        write(tmp_path, data, name)
    done = subprocess.run(
        [sys.executable, "-c", _BOMBS, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    grew = int(lines.pop("grew"))
    assert lines == {
        "jpeg-4gpx": "E107",
        "tiff-10gpx": "E107",
        "pdf-crop-over-media": "5 x 5",  # a 1 x 1 pt crop box at 300 DPI: what is rendered
        "pdf-200-inches": "E107",
        "png-400mpx": "E107",
        "load": "E107",
    }
    # Decoding any of them takes 400 MB or more; refusing them, next to nothing.
    assert grew < 100, grew
