"""Load: type sniffing, limits, page decoding, and every bad-input kind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import ImageTooLarge, PipelineError, TooManyPages
from pipeline.ocr.load import doc_id_for, inspect_source, load_page, sniff
from pipeline.settings import LoadSettings
from samples.bad import make_bad_inputs


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x00\x00junk%PDF-1.4", "application/pdf"),  # junk before the header is allowed
        (b"II*\x00\x08\x00", "image/tiff"),  # little-endian TIFF
        (b"MM\x00*\x00\x00", "image/tiff"),  # big-endian TIFF
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"PK\x03\x04", None),  # zip / docx
        (b"Patient: text", None),  # plain text, whatever its name
        (b"", None),
    ],
)
def test_sniff(head: bytes, expected: str | None) -> None:
    assert sniff(head) == expected


def test_inspect_png(chart_png: Path, settings) -> None:
    source = inspect_source(str(chart_png), cfg=settings.load)
    assert source.media_type == "image/png"
    assert source.pages == 1
    assert source.doc_id == doc_id_for(source.sha256) == source.sha256[:16]
    assert source.size == chart_png.stat().st_size


def test_same_bytes_same_id(chart_png: Path, tmp_path: Path, settings) -> None:
    copy = tmp_path / "renamed.png"
    copy.write_bytes(chart_png.read_bytes())
    a = inspect_source(str(chart_png), cfg=settings.load)
    b = inspect_source(str(copy), cfg=settings.load)
    assert a.doc_id == b.doc_id


def test_pdf_pages_render_grayscale_at_300_dpi(chart_pdf: Path, settings) -> None:
    source = inspect_source(str(chart_pdf), cfg=settings.load)
    assert (source.media_type, source.pages) == ("application/pdf", 2)
    page = load_page(source, 1, cfg=settings.load)
    assert page.index == 1 and page.dpi == 300
    assert page.image.dtype == np.uint8 and page.image.ndim == 2
    assert page.image.shape == (3300, 2550)  # letter at 300 DPI


def test_multipage_tiff_frames(tmp_path: Path, settings) -> None:
    path = tmp_path / "fax.tif"
    frames = [Image.new("1", (1700, 2200), 1) for _ in range(3)]
    frames[2].paste(0, (100, 100, 300, 300))  # mark the third frame
    frames[0].save(
        path, save_all=True, append_images=frames[1:], compression="group4", dpi=(200, 200)
    )
    source = inspect_source(str(path), cfg=settings.load)
    assert (source.media_type, source.pages) == ("image/tiff", 3)
    third = load_page(source, 2, cfg=settings.load)
    assert third.dpi == 200
    assert third.image[200, 200] == 0 and third.image[1000, 1000] == 255


def test_jpeg_without_dpi_defaults_to_300(tmp_path: Path, settings) -> None:
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (800, 600), (200, 10, 10)).save(path)
    page = load_page(inspect_source(str(path), cfg=settings.load), 0, cfg=settings.load)
    assert page.dpi == 300 and page.image.shape == (600, 800)
    assert 50 < int(page.image[10, 10]) < 100  # converted to gray, not a channel


def test_page_and_pixel_limits(chart_pdf: Path, chart_png: Path) -> None:
    with pytest.raises(TooManyPages):
        inspect_source(str(chart_pdf), cfg=LoadSettings(max_pages=1))
    with pytest.raises(ImageTooLarge):
        inspect_source(str(chart_png), cfg=LoadSettings(max_pixels=1000))
    with pytest.raises(ImageTooLarge):  # PDF pages are measured before rendering
        inspect_source(str(chart_pdf), cfg=LoadSettings(max_pixels=1000))


def test_missing_file_and_folder(tmp_path: Path, settings) -> None:
    for path in (tmp_path / "nope.pdf", tmp_path):
        with pytest.raises(PipelineError) as e:
            inspect_source(str(path), cfg=settings.load)
        assert e.value.code == "E100"


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    from tests.conftest import CHART_LINES, render_page

    folder = tmp_path_factory.mktemp("bad")
    good = folder.parent / "good.pdf"
    render_page(CHART_LINES).save(good, resolution=300)
    return folder, make_bad_inputs(folder, good)


@pytest.mark.parametrize("name", sorted(make_bad_inputs.__globals__["EXPECTED"]))
def test_bad_input_refused_with_code(name: str, bad_inputs, settings) -> None:
    folder, expected = bad_inputs
    path = folder / name
    before = path.read_bytes()
    with pytest.raises(PipelineError) as e:
        inspect_source(str(path), cfg=settings.load)
    assert e.value.code == expected[name]
    assert str(e.value) == e.value.record  # fixed text only
    assert name not in str(e.value) and str(folder) not in str(e.value)
    assert path.read_bytes() == before  # the input is never modified


def test_fixed_messages_do_not_echo_content(tmp_path: Path, settings) -> None:
    path = tmp_path / "HARRISON_MARGARET.png"
    path.write_text("Patient: HARRISON, MARGARET")
    with pytest.raises(PipelineError) as e:
        inspect_source(str(path), cfg=settings.load)
    assert "HARRISON" not in str(e.value) and "HARRISON" not in repr(e.value)
