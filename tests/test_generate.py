"""The synthetic chart generator: reproducible files and truth that says what is on the page."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageSequence

from samples.degrade import PagePlan, map_box, transform
from samples.generate import generate_set, plan_set
from samples.layout import PAGE_H, PAGE_W

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SEED = 11

# The contract from samples/README.md, written out here rather than imported, so a change
# to the generator's tables cannot silently change what the tests accept.
PHI_LABELS = {
    "PERSON", "DATE", "AGE", "PHONE_NUMBER", "EMAIL_ADDRESS", "URL", "US_SSN", "MRN", "ID",
    "STREET_ADDRESS", "CITY", "ZIP_CODE", "FACILITY",
}  # fmt: skip
VITAL_CODES = {
    "85354-9", "8480-6", "8462-4", "8867-4", "9279-1", "8310-5", "2708-6", "29463-7",
    "8302-2", "39156-5",
}  # fmt: skip
LAB_CODES = {
    "2345-7", "3094-0", "2160-0", "2951-2", "2823-3", "2075-0", "2028-9", "17861-6", "1751-7",
    "1742-6", "1920-8", "718-7", "4544-3", "6690-2", "777-3", "2093-3", "13457-7", "2085-9",
    "2571-8", "4548-4", "3016-3",
}  # fmt: skip
UCUM = {
    "mm[Hg]", "/min", "[degF]", "Cel", "%", "[lb_av]", "kg", "[in_i]", "cm", "kg/m2", "mg/dL",
    "mmol/L", "g/dL", "U/L", "10*3/uL", "u[IU]/mL",
}  # fmt: skip
KINDS = {
    "progress-note", "lab-report", "vitals-flowsheet", "discharge-summary", "intake-form",
    "medication-list",
}  # fmt: skip


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("charts")
    return out, generate_set(2, SEED, out)


def committed() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((SAMPLES / "truth").glob("*.json"))]


@pytest.fixture(scope="module")
def every(generated: tuple[Path, list[dict]]) -> list[tuple[Path, dict]]:
    """Truths of the fresh set and of the bundled samples, with their roots."""
    out, truths = generated
    return [(out, t) for t in truths] + [(SAMPLES, t) for t in committed()]


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def load_pages(root: Path, truth: dict, dpi: int | None = None) -> list[Image.Image]:
    path = root / truth["file"]
    if path.suffix == ".pdf":
        import pdf2image

        return pdf2image.convert_from_path(path, dpi=dpi or truth["dpi"], grayscale=True)
    return [p.convert("L") for p in ImageSequence.Iterator(Image.open(path))]


def norm(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ determinism
def test_same_seed_gives_identical_bytes(generated, tmp_path):
    out, _ = generated
    generate_set(2, SEED, tmp_path)
    first, second = files(out), files(tmp_path)
    assert len(first) == 4  # two scans, two truths
    assert sorted(first) == sorted(second)
    for name, data in first.items():
        assert data == second[name], name


def test_another_seed_gives_other_charts(generated, tmp_path):
    out, truths = generated
    other = generate_set(2, SEED + 1, tmp_path)
    assert [t["pages"][0]["text"] for t in other] != [t["pages"][0]["text"] for t in truths]


def test_rerun_into_same_dir_replaces_old_files(tmp_path):
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "c999-old-clean.png").write_bytes(b"stale")
    (tmp_path / "scans" / "keep-me.txt").write_text("not ours")
    generate_set(1, SEED, tmp_path)
    names = sorted(p.name for p in (tmp_path / "scans").iterdir())
    assert "c999-old-clean.png" not in names and "keep-me.txt" in names


def test_a_set_mixes_levels_kinds_and_formats():
    plans = plan_set(20, 7)
    assert Counter(p.level for p in plans) == {"clean": 8, "moderate": 7, "heavy": 5}
    assert {p.kind for p in plans} == KINDS
    assert {p.fmt for p in plans} == {"pdf", "png", "jpeg", "tiff"}
    assert [p.name for p in plans][:2] == [
        f"c000-{plans[0].kind}-clean",
        f"c001-{plans[1].kind}-moderate",
    ]


def test_bundled_samples_cover_kinds_levels_and_formats():
    truths = committed()
    assert {t["kind"] for t in truths} == KINDS
    assert {t["degradation"] for t in truths} == {"clean", "moderate", "heavy"}
    assert {Path(t["file"]).suffix for t in truths} == {".pdf", ".tif", ".png", ".jpg"}
    assert any(p["rotation"] for t in truths for p in t["pages"])
    assert sum(p.stat().st_size for p in (SAMPLES / "scans").iterdir()) <= 4 * 1024 * 1024


# ---------------------------------------------------------------- truth honesty
def test_phi_spans_are_page_text_slices(every):
    for _, t in every:
        for page in t["pages"]:
            text, end = page["text"], -1
            assert text.isascii()
            for s in page["phi"]:
                assert s["type"] in PHI_LABELS
                assert text[s["start"] : s["end"]] == s["text"], (t["name"], s)
                assert s["start"] >= end, "spans are sorted and do not overlap"
                end = s["end"]
                x0, y0, x1, y1 = s["box"]
                assert 0 <= x0 < x1 <= page["width"] and 0 <= y0 < y1 <= page["height"]


def test_observations_use_listed_codes_and_units(every):
    for _, t in every:
        for o in t["observations"]:
            cat = o["category"]
            assert cat in ("vital-signs", "laboratory")
            assert o["code"] in (VITAL_CODES if cat == "vital-signs" else LAB_CODES)
            assert o["unit"] in UCUM
            dt.date.fromisoformat(o["date"])
            if o["code"] == "85354-9":  # BP panel: values in the components
                assert o["value"] is None
                assert [c["code"] for c in o["components"]] == ["8480-6", "8462-4"]
                assert all(c["unit"] == "mm[Hg]" and c["value"] > 0 for c in o["components"])
            else:
                assert isinstance(o["value"], float) and o["components"] == []


def test_every_page_has_the_footer(every):
    for _, t in every:
        p = t["patient"]
        name = f"{p['family']}, {p['given'][0]}".upper()
        n = len(t["pages"])
        for i, page in enumerate(t["pages"]):
            last = page["text"].splitlines()[-1]
            assert last.startswith(name) and last.endswith(f"Page {i + 1} of {n}"), last
            assert f"MRN: {p['mrn']}" in last
            assert any(s["text"] == name and s["type"] == "PERSON" for s in page["phi"])


def test_truth_header_fields(every):
    for root, t in every:
        assert t["kind"] in KINDS and t["name"] == Path(t["file"]).stem
        assert (root / t["file"]).is_file()
        assert t["patient"]["gender"] in ("male", "female")
        birth = dt.date.fromisoformat(t["patient"]["birth_date"])
        assert birth < dt.date.fromisoformat(t["document_date"])
        assert 1 <= len(t["pages"]) <= 3
        mrn_spans = [s for pg in t["pages"] for s in pg["phi"] if s["type"] == "MRN"]
        assert mrn_spans and all(s["text"] == t["patient"]["mrn"] for s in mrn_spans)


def test_scans_match_truth_pages(every):
    for root, t in every:
        pages = load_pages(root, t)
        assert [p.size for p in pages] == [(pg["width"], pg["height"]) for pg in t["pages"]]
        if t["file"].endswith(".pdf"):
            # The page is the image at its DPI: a 300 DPI render is letter size.
            with pikepdf.open(root / t["file"]) as pdf:
                for page, pg in zip(pdf.pages, t["pages"], strict=True):
                    w, h = (float(v) * 300 / 72 for v in page.MediaBox[2:])
                    want = (PAGE_H, PAGE_W) if pg["rotation"] in (90, 270) else (PAGE_W, PAGE_H)
                    assert (round(w), round(h)) == want


def test_phi_boxes_hold_ink(every):
    for root, t in every:
        for img, page in zip(load_pages(root, t), t["pages"], strict=True):
            a = np.asarray(img)
            for s in page["phi"]:
                x0, y0, x1, y1 = s["box"]
                crop = a[y0:y1, x0:x1] < 128
                assert crop.mean() > 0.05, (t["name"], s["text"])


@pytest.mark.parametrize(
    "plan",
    [
        PagePlan(300, 0.0, 0),
        PagePlan(200, 1.7, 0),  # moderate: resample + skew
        PagePlan(150, -2.5, 90),  # heavy: everything
        PagePlan(150, 0.8, 180),
        PagePlan(200, -1.2, 270),
    ],
)
def test_box_mapping_follows_the_image(plan):
    box = (600.0, 800.0, 1400.0, 1000.0)
    img = Image.new("L", (PAGE_W, PAGE_H), 255)
    img.paste(0, tuple(int(v) for v in box))
    ys, xs = np.nonzero(np.asarray(transform(img, plan)) < 128)
    got = [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
    assert max(abs(int(g) - w) for g, w in zip(got, map_box(box, plan), strict=True)) <= 2


def character_error_rate(img: Image.Image, text: str) -> float:
    """Tesseract's reading of ``img`` against ``text``, whitespace-normalised."""
    import pytesseract
    from rapidfuzz.distance import Levenshtein

    a = np.asarray(img)
    # Table rules are drawing, not text: erase long straight lines so tesseract does not
    # read them as "|" (the page text, rightly, has none).
    ink = (a < 128).astype(np.uint8)
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, 150), np.uint8))
    rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((60, 1), np.uint8))
    a = np.where(cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0, 255, a).astype(np.uint8)
    ocr = pytesseract.image_to_string(Image.fromarray(a), config="--oem 1 --psm 6")
    want = norm(text)
    return Levenshtein.distance(norm(ocr), want) / len(want)


@pytest.fixture
def tesseract(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pytesseract")
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed")
    # One thread: tesseract's OpenMP threads oversubscribe a CI runner and slow it down.
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")


def test_clean_page_text_is_what_tesseract_reads(generated, tesseract):
    out, truths = generated
    truth = next(t for t in truths if t["degradation"] == "clean")
    cer = character_error_rate(load_pages(out, truth)[0], truth["pages"][0]["text"])
    assert cer < 0.05, (truth["name"], cer)


def test_bundled_clean_pages_read_back(tesseract):
    clean = [t for t in committed() if t["degradation"] == "clean"]
    assert clean
    for truth in clean:
        for img, page in zip(load_pages(SAMPLES, truth), truth["pages"], strict=True):
            cer = character_error_rate(img, page["text"])
            assert cer < 0.05, (truth["name"], page["index"], cer)
