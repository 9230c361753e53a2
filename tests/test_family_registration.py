"""The registration family of synthetic scans: determinism, truth offsets, boxes, coverage."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from samples.families import registration as reg

SEED = 7


def _truths(out: Path, names: list[str]) -> list[dict]:
    return [json.loads((out / "truth" / f"{n}.json").read_text()) for n in names]


def _images(out: Path, truth: dict) -> list[Image.Image]:
    path = out / truth["file"]
    if truth["format"] == "pdf":
        with pikepdf.open(path) as pdf:
            return [
                pikepdf.PdfImage(next(iter(page.get_images().values()))).as_pil_image()
                for page in pdf.pages
            ]
    im = Image.open(path)
    frames = []
    for i in range(getattr(im, "n_frames", 1)):
        im.seek(i)
        frames.append(im.copy())
    return frames


@pytest.fixture(scope="module")
def four(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("reg4")
    return out, reg.generate(out, 4, SEED)


def test_every_kind_and_names(four: tuple[Path, list[str]]) -> None:
    out, names = four
    truths = _truths(out, names)
    assert [t["kind"] for t in truths] == list(reg.KINDS)
    for i, t in enumerate(truths):
        assert t["name"] == f"reg{i:03d}-{t['kind']}-{t['degradation']}"
        assert t["family"] == "registration"
        assert t["degradation"] in reg.LEVELS
        assert (out / t["file"]).is_file()
        assert t["file"] == f"scans/{t['name']}.{reg.EXT[t['format']]}"
        assert t["observations"] == []
        assert t["patient"]["birth_date"] < t["document_date"]


def test_offsets_text_and_boxes(four: tuple[Path, list[str]]) -> None:
    out, names = four
    for t in _truths(out, names):
        images = _images(out, t)
        assert len(images) == len(t["pages"]) in (1, 2)
        if t["format"] in ("png", "jpeg"):
            assert len(images) == 1
        for page, im in zip(t["pages"], images, strict=True):
            text = page["text"]
            assert im.size == (page["width"], page["height"])
            assert page["rotation"] == 0
            assert text.isascii() and "  " not in text
            assert all(line == line.strip() and line for line in text.split("\n"))
            starts = [it["start"] for it in page["phi"]]
            assert starts == sorted(starts)
            for it in page["phi"]:
                assert text[it["start"] : it["end"]] == it["text"]
                x0, y0, x1, y1 = it["box"]
                assert 0 <= x0 < x1 <= page["width"] and 0 <= y0 < y1 <= page["height"]
                if t["degradation"] == "clean":
                    # the box holds ink on an unskewed page
                    crop = im.convert("L").crop((x0, y0, x1, y1))
                    assert crop.getextrema()[0] < 128, it
        # the clinical words listed are printed
        all_text = "\n".join(p["text"] for p in t["pages"]).lower()
        assert all(term.lower() in all_text for term in t["clinical_terms"])


def test_phi_kinds_present(four: tuple[Path, list[str]]) -> None:
    out, names = four
    truths = {t["kind"]: t for t in _truths(out, names)}
    items = [
        (t["kind"], p["text"], it) for t in truths.values() for p in t["pages"] for it in p["phi"]
    ]
    types = {it["type"] for _, _, it in items}
    assert {"PERSON", "DATE", "PHONE_NUMBER", "MRN", "ID", "STREET_ADDRESS", "CITY"} <= types
    assert {"ZIP_CODE", "FACILITY", "URL"} <= types
    assert any(it["type"] == "ID" and it.get("subtype") == "health_plan" for _, _, it in items)
    # a PERSON printed in a grid cell, its label on the line above
    name_labels = [lab.lower() for key in ("last", "first", "fullname") for lab in reg.LABELS[key]]
    label_above = False
    for kind, text, it in items:
        if kind != "face-sheet" or it["type"] != "PERSON" or it.get("role") != "patient":
            continue
        lines = text.split("\n")
        k = text.count("\n", 0, it["start"])
        if k and any(lab in lines[k - 1].lower() for lab in name_labels):
            label_above = True
    assert label_above
    # the patient named in running prose on the consent
    assert any(
        kind == "consent-form"
        and it["type"] == "PERSON"
        and it["role"] == "patient"
        and text[it["start"] - 3 : it["start"]] == "I, "
        for kind, text, it in items
    )


def test_two_documents_are_byte_identical(four: tuple[Path, list[str]], tmp_path: Path) -> None:
    out, names = four
    levels = reg.assign_levels(4, SEED)
    for i in (0, 1):
        assert reg.make_document(tmp_path, SEED, i, levels[i]) == names[i]
        truth = json.loads((tmp_path / "truth" / f"{names[i]}.json").read_text())
        for rel in (f"truth/{names[i]}.json", truth["file"]):
            assert (tmp_path / rel).read_bytes() == (out / rel).read_bytes(), rel


def test_levels_share() -> None:
    levels = reg.assign_levels(20, 3)
    assert levels.count("clean") == 8
    assert levels.count("moderate") == 7
    assert levels.count("heavy") == 5
    assert reg.assign_levels(20, 3) == levels


def test_ascii_folding() -> None:
    assert reg.asc("Łukasz Đặng Müller") == "Lukasz Dang Muller"
    assert reg.asc("Zięcik  ß") == "Ziecik ss"
