"""Tests for the `notes` sample family (clinical prose notes on scanned pages)."""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageFont

from samples.families import notes

TRUTH_KEYS = {
    "name",
    "file",
    "family",
    "kind",
    "degradation",
    "dpi",
    "format",
    "font",
    "patient",
    "document_date",
    "observations",
    "clinical_terms",
    "pages",
}
PAGE_KEYS = {"index", "width", "height", "rotation", "skew", "text", "phi"}
PATIENT_KEYS = {"family", "given", "mrn", "birth_date", "gender"}
ALLOWED_TYPES = {
    "PERSON",
    "DATE",
    "AGE",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "URL",
    "FACILITY",
    "CITY",
    "STREET_ADDRESS",
    "ZIP_CODE",
    "US_SSN",
    "MRN",
    "ID",
}
NAME = re.compile(
    r"^nts\d{3}-(icu-note|discharge-summary|social-work|phone-note)-"
    r"(clean|moderate|heavy)$"
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("nts")
    names = notes.generate(out, n=8, seed=5)
    truths = [json.loads((out / "truth" / f"{n}.json").read_text()) for n in names]
    return out, truths


def _pages(truths: list[dict]):
    for t in truths:
        for p in t["pages"]:
            yield t, p


def _overlaps(a: int, b: int, phi: list[dict]) -> list[dict]:
    return [x for x in phi if x["start"] < b and a < x["end"]]


def _composed(n_per_kind: int, seed: int):
    """Composed notes (no drawing) as (text, spans) for checks that need many notes."""
    for kind in notes.KINDS:
        for i in range(n_per_kind):
            note, _ = notes.compose_document(kind, seed, i)
            text, spans = "", []
            for t, label, role in note.segments[:-1]:  # the footer template is not text
                if label:
                    spans.append(
                        {"start": len(text), "end": len(text) + len(t), "type": label, "role": role}
                    )
                text += t
            yield kind, text, spans


def test_files_names_and_keys(corpus):
    out, truths = corpus
    assert [t["kind"] for t in truths] == [notes.KINDS[i % 4] for i in range(8)]
    for t in truths:
        assert NAME.match(t["name"]), t["name"]
        assert set(t) == TRUTH_KEYS
        assert set(t["patient"]) == PATIENT_KEYS
        assert t["family"] == "notes" and t["observations"] == []
        assert t["file"] == f"scans/{t['name']}.{notes.EXTENSIONS[t['format']]}"
        assert (out / t["file"]).is_file()
        assert t["format"] in notes.FORMATS[t["degradation"]]
        assert (
            t["dpi"] in {"clean": {300}, "moderate": {200}, "heavy": {150, 200}}[t["degradation"]]
        )
        assert 1 <= len(t["pages"]) <= (1 if t["format"] in ("png", "jpeg") else 2)
        assert [p["index"] for p in t["pages"]] == list(range(len(t["pages"])))
        for p in t["pages"]:
            assert set(p) == PAGE_KEYS
            assert (p["width"], p["height"]) == (round(8.5 * t["dpi"]), round(11 * t["dpi"]))
            assert p["rotation"] == 0
            assert (p["skew"] == 0) == (t["degradation"] == "clean")
            assert abs(p["skew"]) <= 3


def test_scans_match_page_sizes(corpus):
    out, truths = corpus
    for t in truths:
        sizes = [(p["width"], p["height"]) for p in t["pages"]]
        data = (out / t["file"]).read_bytes()
        if t["format"] == "pdf":
            with pikepdf.open(io.BytesIO(data)) as pdf:
                got = []
                for page in pdf.pages:
                    im = page.Resources.XObject.Im0
                    got.append((int(im.Width), int(im.Height)))
                    assert [float(v) for v in page.MediaBox] == [0, 0, 612, 792]
            assert got == sizes
        else:
            im = Image.open(io.BytesIO(data))
            got = []
            for i in range(getattr(im, "n_frames", 1)):
                im.seek(i)
                got.append(im.size)
                assert round(im.info["dpi"][0]) == t["dpi"]
            assert got == sizes


def test_same_seed_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert notes.generate(a, 3, 11) == notes.generate(b, 3, 11)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) == 6
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_phi_text_matches_offsets(corpus):
    _, truths = corpus
    for _t, p in _pages(truths):
        prev_end = 0
        for x in p["phi"]:
            assert p["text"][x["start"] : x["end"]] == x["text"]
            assert x["text"] and x["text"] == x["text"].strip() and "\n" not in x["text"]
            assert x["start"] >= prev_end, "spans overlap or are out of order"
            prev_end = x["end"]
            assert x["type"] in ALLOWED_TYPES
            if x["type"] == "PERSON":
                assert x["role"] in {"patient", "relative", "provider", "other"}
            else:
                assert "role" not in x


def test_boxes_inside_page(corpus):
    _, truths = corpus
    for _t, p in _pages(truths):
        for x in p["phi"]:
            x0, y0, x1, y1 = x["box"]
            assert all(isinstance(v, int) for v in x["box"])
            assert 0 <= x0 < x1 <= p["width"] and 0 <= y0 < y1 <= p["height"], x


def test_boxes_cover_ink(corpus):
    # Clean pages are saved as drawn: every identifier box holds dark pixels.
    out, truths = corpus
    checked = 0
    for t in truths:
        if t["degradation"] != "clean":
            continue
        if t["format"] == "png":
            images = [Image.open(out / t["file"]).convert("L")]
        else:
            with pikepdf.open(out / t["file"]) as pdf:
                images = [
                    pikepdf.PdfImage(pg.Resources.XObject.Im0).as_pil_image() for pg in pdf.pages
                ]
        for im, p in zip(images, t["pages"], strict=True):
            for x in p["phi"]:
                lo, _hi = im.crop(tuple(x["box"])).getextrema()
                assert lo < 128, x
                checked += 1
    assert checked


def test_patient_is_named_and_mrn_printed(corpus):
    _, truths = corpus
    for t in truths:
        items = [x for p in t["pages"] for x in p["phi"]]
        fam = t["patient"]["family"].casefold()
        assert any(x["type"] == "PERSON" and fam in x["text"].casefold() for x in items)
        assert any(x["type"] == "PERSON" and x["role"] == "patient" for x in items)
        assert any(x["type"] == "MRN" and x["text"] == t["patient"]["mrn"] for x in items)
        assert t["patient"]["gender"] in {"male", "female"}
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", t["patient"]["birth_date"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", t["document_date"])


def test_clinical_terms_are_printed_outside_phi(corpus):
    _, truths = corpus
    for t in truths:
        assert len(t["clinical_terms"]) == len(set(t["clinical_terms"]))
        for term in t["clinical_terms"]:
            pat = re.compile(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])")
            assert any(
                not _overlaps(m.start(), m.end(), p["phi"])
                for p in t["pages"]
                for m in pat.finditer(p["text"])
            ), term


# Clinical numbers that look like dates must never be inside an identifier.
CLINICAL_NUMBERS = [
    re.compile(r"(?:pain|HA) \d{1,2}/10"),  # pain scores
    re.compile(r"\d/6 (?:SEM|holosystolic murmur)"),  # murmur grades
    re.compile(r"1/2 (?:tab|way)"),  # fractions of a tablet, "crackles 1/2 way up"
    re.compile(r"strength \d/5 BUE, \d/5 BLE"),  # strength grades
    re.compile(r"BP \d{2,3}/\d{2,3}"),  # blood pressure
    re.compile(r"(?:BiPAP 12/5|PS 5/5|25/100)"),  # vent settings, carbidopa/levodopa
]


def test_clinical_numbers_are_not_phi():
    seen = {i: 0 for i in range(len(CLINICAL_NUMBERS))}
    for _kind, text, spans in _composed(60, 21):
        for i, pat in enumerate(CLINICAL_NUMBERS):
            for m in pat.finditer(text):
                seen[i] += 1
                assert not _overlaps(m.start(), m.end(), spans), m.group(0)
    assert all(seen.values()), seen  # every pattern was exercised


def test_clinical_numbers_in_drawn_pages(corpus):
    _, truths = corpus
    for _t, p in _pages(truths):
        for pat in CLINICAL_NUMBERS:
            for m in pat.finditer(p["text"]):
                assert not _overlaps(m.start(), m.end(), p["phi"]), m.group(0)


def test_phi_conventions_in_composed_notes():
    labels = set()
    for _kind, text, spans in _composed(40, 3):
        for s in spans:
            piece = text[s["start"] : s["end"]]
            labels.add(s["type"])
            # Titles, credentials and the words before pager / extension numbers stay outside.
            assert not re.match(r"(?i)(dr\.?|mr\.|ms\.|mrs\.)\s", piece), piece
            assert not re.search(r",? (MD|RN|NP)$", piece), piece
            if s["type"] == "PHONE_NUMBER":
                assert not re.search(r"(?i)pager|pgr|ext|beeper|x", piece), piece
            if s["type"] == "AGE":
                assert piece.isdigit() and int(piece) > 89
            if s["type"] == "CITY":
                assert piece not in notes.STATES and not piece.endswith(tuple(notes.STATES))
    assert labels == ALLOWED_TYPES


def test_name_words_are_never_prose(corpus):
    _, truths = corpus
    for t in truths:
        named, plain = set(), set()
        for p in t["pages"]:
            last = 0
            for x in p["phi"]:
                plain |= {w.lower() for w in re.findall(r"[A-Za-z]+", p["text"][last : x["start"]])}
                if x["type"] in ("PERSON", "CITY"):
                    named |= {w.lower() for w in re.findall(r"[A-Za-z]+", x["text"]) if len(w) > 1}
                last = x["end"]
            plain |= {w.lower() for w in re.findall(r"[A-Za-z]+", p["text"][last:])}
        assert not named & plain, (t["name"], named & plain)


def test_wrap_moves_whole_identifier():
    fonts = notes.available_fonts()
    font = ImageFont.truetype(fonts[sorted(fonts)[0]][0], 46)
    rng = random.Random(0)
    for _ in range(200):
        segs = []
        for _ in range(rng.randint(3, 12)):
            if rng.random() < 0.4:
                segs.append(("Mary Ann de la Cruz", "PERSON", "relative"))
                segs.append((" ", None, None))
            else:
                segs.append(("called back about the plan ", None, None))
        segs.append(("end.", None, None))
        lines = notes.wrap(notes.Paragraph(segs), font, rng.uniform(600, 1900))
        n_phi = sum(1 for s in segs if s[1])
        assert sum(len(ln.spans) for ln in lines) == n_phi
        for ln in lines:
            for s in ln.spans:
                assert ln.text[s.start : s.end] == "Mary Ann de la Cruz"
        assert " ".join(ln.text for ln in lines).split() == "".join(s[0] for s in segs).split()


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, (1, 0, 0)),  # the one document is clean
        (3, (1, 1, 1)),
        (10, (4, 4, 2)),  # 4 / 3.5 / 2.5: the larger remainder goes first
        (20, (8, 7, 5)),
    ],
)
def test_level_plan_shares(n, expected):
    plan = notes.level_plan(n, 1)
    assert tuple(plan.count(lvl) for lvl in notes.LEVELS) == expected


def test_level_plan_is_shuffled_per_seed():
    assert len({tuple(notes.level_plan(20, s)) for s in range(5)}) > 1
