"""Tests for the dictation sample family (samples/families/dictation.py)."""

import json
import os
import re
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageSequence

from samples.families import dictation

SEED = 3


def _load(out: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((out / "truth").glob("*.json"))]


def _images(out: Path, truth: dict) -> list[Image.Image]:
    path = out / truth["file"]
    if truth["format"] == "pdf":
        with pikepdf.open(path) as pdf:
            return [
                pikepdf.PdfImage(next(iter(p.get_images().values()))).as_pil_image()
                for p in pdf.pages
            ]
    with Image.open(path) as im:
        return [frame.copy() for frame in ImageSequence.Iterator(im)]


@pytest.fixture(scope="module")
def draw(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("dic")
    dictation.generate(out, 10, SEED)
    return out, _load(out)


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    names = dictation.generate(a, 5, 11)
    assert dictation.generate(b, 5, 11) == names
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) == 10
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    # Every kind appears in five documents, named as the README says.
    assert {n.split("-", 1)[1].rsplit("-", 1)[0] for n in names} == set(dictation.KINDS)
    assert all(re.fullmatch(r"dic\d{3}-[a-z-]+-(clean|moderate|heavy)", n) for n in names)
    # A different seed draws different documents.
    c = tmp_path / "c"
    other = dictation.generate(c, 1, 12)[0]
    assert (
        json.loads((c / "truth" / f"{other}.json").read_text())["pages"][0]["text"]
        != json.loads((a / "truth" / f"{names[0]}.json").read_text())["pages"][0]["text"]
    )


def test_offsets_boxes_and_pages(draw: tuple[Path, list[dict]]) -> None:
    out, docs = draw
    assert len(docs) == 10
    for t in docs:
        assert (
            t["family"] == "dictation"
            and t["file"] == f"scans/{t['name']}.{dictation.EXT[t['format']]}"
        )
        images = _images(out, t)
        assert len(images) == len(t["pages"])
        if t["format"] in ("png", "jpeg"):
            assert len(t["pages"]) == 1
        assert 1 <= len(t["pages"]) <= 3
        assert t["dpi"] == {"clean": 300, "moderate": 200}.get(t["degradation"], t["dpi"])
        for page, im in zip(t["pages"], images, strict=True):
            assert (page["width"], page["height"]) == im.size
            w, h = im.size
            assert abs(w / t["dpi"] - 8.5) < 0.02 and abs(h / t["dpi"] - 11) < 0.02
            for it in page["phi"]:
                assert page["text"][it["start"] : it["end"]] == it["text"], it
                assert it["text"] == it["text"].strip() and it["text"]
                x0, y0, x1, y1 = it["box"]
                assert 0 <= x0 < x1 < w and 0 <= y0 < y1 < h, it


def test_phi_shapes_across_a_draw(draw: tuple[Path, list[dict]]) -> None:
    _, docs = draw
    items = [it for t in docs for p in t["pages"] for it in p["phi"]]
    types = {it["type"] for it in items}
    for needed in (
        "PERSON",
        "DATE",
        "AGE",
        "PHONE_NUMBER",
        "MRN",
        "ID",
        "STREET_ADDRESS",
        "CITY",
        "ZIP_CODE",
        "FACILITY",
        "URL",
    ):
        assert needed in types, needed
    # Month/day dates without a year, flagged partial; never a bare year.
    partial = [it for it in items if it["type"] == "DATE" and it.get("partial")]
    assert partial and all(not re.search(r"\b(19|20)\d\d\b", it["text"]) for it in partial)
    assert all(not re.fullmatch(r"\d{4}", it["text"]) for it in items if it["type"] == "DATE")
    # Ages are identifiers only above 89.
    ages = [int(it["text"]) for it in items if it["type"] == "AGE"]
    assert ages and min(ages) > 89
    persons = [it for it in items if it["type"] == "PERSON"]
    assert {it["role"] for it in persons} >= {"patient", "relative", "provider"}
    assert any(it["text"].isupper() and "," in it["text"] for it in persons)  # 'ABERNATHY, RUTH A'
    assert any(it["text"].islower() or it["text"].isupper() for it in persons)
    abbrevs = [it for it in items if it["type"] == "FACILITY" and it.get("abbreviation")]
    assert abbrevs and all(it["text"].isupper() for it in abbrevs)
    subtypes = {it["subtype"] for it in items if it["type"] == "ID"}
    assert len(subtypes) >= 3, subtypes
    assert subtypes <= {
        "accession",
        "device_serial",
        "health_plan",
        "account",
        "license",
        "npi",
        "job_number",
        "other",
    }


def test_no_identifier_word_is_also_plain_text(draw: tuple[Path, list[dict]]) -> None:
    _, docs = draw
    for t in docs:
        for page in t["pages"]:
            chars = list(page["text"])
            for it in page["phi"]:
                chars[it["start"] : it["end"]] = " " * (it["end"] - it["start"])
            plain = {w.lower() for w in re.findall(r"[A-Za-z]+", "".join(chars))}
            for it in page["phi"]:
                if it["type"] in ("PERSON", "CITY"):
                    words = {w.lower() for w in re.findall(r"[A-Za-z]+", it["text"]) if len(w) > 1}
                    assert not words & plain, (t["name"], it["text"])
        # Clinical terms are printed outside identifiers.
        text = "\n".join(p["text"] for p in t["pages"])
        assert t["clinical_terms"] and all(term in text for term in t["clinical_terms"])
        assert t["observations"] == []


def test_truth_patient_matches_the_page(draw: tuple[Path, list[dict]]) -> None:
    _, docs = draw
    for t in docs:
        pt = t["patient"]
        text = "\n".join(p["text"] for p in t["pages"]).lower()
        assert pt["family"].lower() in text
        assert pt["birth_date"] < t["document_date"]
        assert pt["gender"] in ("male", "female")


def test_clean_pages_are_legible_to_tesseract(draw: tuple[Path, list[dict]]) -> None:
    pytesseract = pytest.importorskip("pytesseract")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    out, docs = draw
    clean = [t for t in docs if t["degradation"] == "clean"][:3]
    assert clean
    norm = lambda s: re.sub(r"\s+", " ", s).lower()  # noqa: E731
    found = total = 0
    for t in clean:
        image = _images(out, t)[0]
        ocr = norm(pytesseract.image_to_string(image, config="--oem 1 --psm 6"))
        items = t["pages"][0]["phi"]
        total += len(items)
        found += sum(norm(it["text"]) in ocr for it in items)
    assert found / total >= 0.8, (found, total)


def test_cli_writes_the_named_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dictation.main(["--n", "1", "--seed", "5", "--out", str(tmp_path)])
    name = capsys.readouterr().out.split()[0]
    assert (tmp_path / "truth" / f"{name}.json").exists()
    assert len(list((tmp_path / "scans").glob(f"{name}.*"))) == 1
