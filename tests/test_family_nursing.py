"""The nursing sample family: determinism, truth offsets and boxes, kinds, PHI shapes."""

import json
import re
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageSequence

from samples.families import nursing

N_DOCS = 6
SEED = 3


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("nursing")
    return out, nursing.generate(out, N_DOCS, SEED)


def _truths(out: Path, names: list[str]) -> list[dict]:
    return [json.loads((out / "truth" / f"{n}.json").read_text()) for n in names]


def _phi(truths: list[dict]) -> list[dict]:
    return [item for t in truths for p in t["pages"] for item in p["phi"]]


def _page_sizes(path: Path) -> list[tuple[int, int]]:
    if path.suffix == ".pdf":
        with pikepdf.open(path) as pdf:
            sizes = []
            for page in pdf.pages:
                xobj = page.obj.Resources.XObject.Im0
                sizes.append((int(xobj.Width), int(xobj.Height)))
            return sizes
    with Image.open(path) as im:
        return [frame.size for frame in ImageSequence.Iterator(im)]


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    names_a = nursing.generate(a, 2, 11)
    names_b = nursing.generate(b, 2, 11)
    assert names_a == names_b
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) == 4
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_names_and_every_kind(generated: tuple[Path, list[str]]) -> None:
    out, names = generated
    assert len(names) == N_DOCS
    for i, name in enumerate(names):
        m = re.fullmatch(
            r"nrs(\d{3})-(icu-note|flow-note|case-management)-(clean|moderate|heavy)", name
        )
        assert m and int(m.group(1)) == i
    truths = _truths(out, names)
    assert {t["kind"] for t in truths} == set(nursing.KINDS)
    for t in truths:
        assert t["family"] == "nursing"
        ext = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "tiff": "tif"}[t["format"]]
        assert t["file"] == f"scans/{t['name']}.{ext}"
        assert (out / t["file"]).is_file()
        assert t["degradation"] in ("clean", "moderate", "heavy")
        assert 1 <= len(t["pages"]) <= 2
        if t["format"] in ("png", "jpeg"):
            assert len(t["pages"]) == 1
        assert t["clinical_terms"]
        assert t["patient"]["family"] and t["patient"]["given"]
        assert all(ord(ch) < 128 for p in t["pages"] for ch in p["text"])


def test_offsets_and_boxes(generated: tuple[Path, list[str]]) -> None:
    out, names = generated
    for t in _truths(out, names):
        sizes = _page_sizes(out / t["file"])
        assert sizes == [(p["width"], p["height"]) for p in t["pages"]]
        for page in t["pages"]:
            text = page["text"]
            assert page["rotation"] == 0
            assert "  " not in text
            assert all(line == line.strip() for line in text.split("\n"))
            starts = [item["start"] for item in page["phi"]]
            assert starts == sorted(starts)
            for item in page["phi"]:
                assert text[item["start"] : item["end"]] == item["text"]
                x0, y0, x1, y1 = item["box"]
                assert 0 <= x0 < x1 <= page["width"]
                assert 0 <= y0 < y1 <= page["height"]
                if item["type"] == "PERSON":
                    assert item["role"] in ("patient", "relative", "provider", "other")
                if item["type"] == "ID":
                    assert item["subtype"] in (
                        "health_plan",
                        "account",
                        "license",
                        "device_serial",
                        "accession",
                        "other",
                    )


def test_phi_shapes_present(generated: tuple[Path, list[str]]) -> None:
    out, names = generated
    items = _phi(_truths(out, names))
    persons = [i for i in items if i["type"] == "PERSON"]
    assert any(i["role"] == "relative" and i["text"].islower() for i in persons)
    assert any(i["text"].isupper() and sum(ch.isalpha() for ch in i["text"]) >= 2 for i in persons)
    assert any(
        i["type"] == "DATE" and i.get("partial") and re.fullmatch(r"\d{1,2}/\d{1,2}", i["text"])
        for i in items
    )
    assert any(
        i["type"] == "PHONE_NUMBER" and re.fullmatch(r"\d{3} \d{3}[ -]\d{4}", i["text"])
        for i in items
    )
    assert any(i["type"] == "ID" and i["subtype"] == "device_serial" for i in items)


def test_box_maps_through_scale_and_skew() -> None:
    # the page centre stays put; a box at the centre only scales
    w, h = 1700, 2200
    cx, cy = nursing.PAGE_W / 2, nursing.PAGE_H / 2
    box = nursing.map_box((cx - 30, cy - 30, cx + 30, cy + 30), w, h, 0.0)
    assert box == [830, 1080, 870, 1120]
    # counter-clockwise skew lifts the right end of a line
    left = nursing.map_box((200, 1650, 260, 1700), w, h, 2.0)
    right = nursing.map_box((2290, 1650, 2350, 1700), w, h, 2.0)
    assert right[1] < left[1]


def test_a_draw_too_long_for_its_page_budget_gets_a_page_more(tmp_path: Path) -> None:
    # Seed 137's document 23 draws more essential content than a one-page image holds.
    name = nursing.make_document(tmp_path, 23, 137, "case-management", "clean")
    truth = json.loads((tmp_path / "truth" / f"{name}.json").read_text())
    assert truth["format"] == "pdf"
    assert len(truth["pages"]) == 2
    assert len(_page_sizes(tmp_path / "scans" / f"{name}.pdf")) == 2
