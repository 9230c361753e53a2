"""PHI benchmark scoring: detection on truth text, items read, span precision, leaks."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.bench_deid import (
    TARGETS,
    DeidTally,
    Recall,
    leak_figures,
    patient_names,
    phi_read,
    phi_readable,
    render_deid,
    span_hits,
    token_span_hits,
    truth_document,
)

PAGE_0 = "Patient: HARRISON, MARGARET MRN: 4829173\nGlucose 182 mg/dL"
PAGE_1 = "HARRISON, MARGARET Page 2\nSeen by Dr. Wright, weight 80 kg, age 92"


def _item(text: str, kind: str, value: str, after: int = 0) -> dict[str, Any]:
    start = text.index(value, after)
    return {"type": kind, "start": start, "end": start + len(value), "text": value}


TRUTH: dict[str, Any] = {
    "name": "c000-note-clean",
    "degradation": "clean",
    "patient": {"family": "Harrison", "given": ["Margaret"]},
    "pages": [
        {
            "text": PAGE_0,
            "phi": [
                _item(PAGE_0, "PERSON", "HARRISON, MARGARET"),  # 9..27
                _item(PAGE_0, "MRN", "4829173"),  # 33..40
            ],
        },
        {
            "text": PAGE_1,
            "phi": [
                _item(PAGE_1, "PERSON", "HARRISON, MARGARET"),  # 0..18
                _item(PAGE_1, "PERSON", "Wright"),  # 38..44
                _item(PAGE_1, "AGE", "92"),  # a bare number: no distinctive token
            ],
        },
    ],
    "observations": [],
}
P1 = len(PAGE_0) + 1  # where page 1 starts in the joined text


def test_truth_document_joins_pages_as_the_pipeline_does() -> None:
    doc = truth_document(TRUTH)
    assert doc.text == PAGE_0 + "\f" + PAGE_1
    assert doc.page_starts() == [0, P1]
    assert doc.doc_id == "c000-note-clean"


def test_patient_names_are_person_items_holding_the_patients_name() -> None:
    # The evaluable items in order: PERSON, MRN, PERSON, PERSON (the AGE "92" is not one).
    assert patient_names(TRUTH) == [True, False, True, False]


@pytest.mark.parametrize(
    ("ocr", "read"),
    [
        (PAGE_0 + "\f" + PAGE_1, [True, True, True, True]),  # perfect OCR reads everything
        # OCR-near variants count as read ("HARRlSON", "4829I73", "MARGARE", "Wr1ght").
        (
            "Patient: HARRlSON, MARGARET MRN: 4829I73\f"
            "HARRISON, MARGARE Page 2\nSeen by Dr. Wr1ght, weight",
            [True, True, True, True],
        ),
        # The MRN lost to "48", the doctor to "W": those two are not read.
        (
            "Patient: HARRISON, MARGARET MRN: 48\fHARRISON, MARGARET Page 2\nDr. W, weight",
            [True, False, True, False],
        ),
        # One token of two missing is enough to make the item unread.
        ("Patient: HARRISON MRN: 4829173\fPage 2 Dr. Wright", [False, True, False, True]),
    ],
)
def test_phi_read(ocr: str, read: list[bool]) -> None:
    assert phi_read(TRUTH, ocr) == list(
        zip(["PERSON", "MRN", "PERSON", "PERSON"], read, strict=True)
    )


def test_recall_on_read_items_leaves_out_what_ocr_lost() -> None:
    ocr = "Patient: HARRISON, MARGARET MRN: 48\fHARRISON, MARGARET Page 2\nDr. Wr1ght, weight"
    deid = "Patient: [PERSON] MRN: 48\f[PERSON] Page 2\nDr. Wr1ght, weight"
    tally = DeidTally()
    tally.add_ocr_text(TRUTH, ocr, [], deid)
    f = tally.figures()["read_items"]
    # Read: both patient names and Wright; the MRN ("48") is not. Wright leaked.
    assert (f["hits"], f["items"], f["recall"]) == (2, 3, 0.6667)
    assert f["by_type"] == {"PERSON": {"recall": 0.6667, "hits": 2, "items": 3}}
    assert f["patient_name"] == {"recall": 1.0, "hits": 2, "items": 2}


def test_span_hits_on_the_truth_text() -> None:
    spans = [
        (9, 27, "PERSON"),  # the patient's name: correct
        (33, 37, "MRN"),  # part of the MRN overlaps it: correct
        (0, 9, "PERSON"),  # "Patient: " only touches the name ([start, end)): wrong
        (41, 48, "PERSON"),  # "Glucose": wrong
        (P1 + 0, P1 + 8, "PERSON"),  # page 1's copy of the name: correct
        (P1 + 46, P1 + 52, "PERSON"),  # "weight" on page 1: wrong
        (P1 + 64, P1 + 66, "AGE"),  # the age 92: correct
    ]
    assert span_hits(TRUTH, spans) == [
        ("PERSON", True),
        ("MRN", True),
        ("PERSON", False),
        ("PERSON", False),
        ("PERSON", True),
        ("PERSON", False),
        ("AGE", True),
    ]


def test_a_span_on_another_page_at_an_items_offsets_is_wrong() -> None:
    # Page 0's MRN lies at 33..40 of its page; the same offsets on page 1 are "Dr. ", not PHI.
    assert span_hits(TRUTH, [(P1 + 33, P1 + 37, "MRN")]) == [("MRN", False)]


def test_token_span_hits_on_the_ocr_text() -> None:
    ocr = "Patient: HARRlSON, MARGARET MRN: 48\fPage 2 Dr. Wr1ght, weight 80 kg, age 92"
    at = ocr.index

    def span(word: str) -> tuple[int, int, str]:
        return (at(word), at(word) + len(word), "X")

    spans = [
        span("HARRlSON, MARGARET"),  # OCR-near "harrison" and exact "margaret": correct
        span("48"),  # what is left of the MRN is not a token of it: wrong
        span("Wr1ght"),  # OCR-near "wright": correct
        span("weight"),  # a clinical word, however near "wright": wrong
        span("92"),  # the age: a PHI token, though too short to score recall by
        span("Page 2"),  # clinical tokens only: wrong
        (at("MRN"), at("MRN"), "X"),  # an empty span is not counted
    ]
    hits = [ok for _, ok in token_span_hits(TRUTH, ocr, spans)]
    assert hits == [True, False, True, False, True, False]


def test_items_readable_in_the_redacted_pdf() -> None:
    reread = "Patient: MRN:\nGlucose 182 mg/dL\f Page 2\nSeen by Dr. Wright, weight 80 kg"
    rows = phi_readable(TRUTH, reread)
    assert rows == [("PERSON", False), ("MRN", False), ("PERSON", False), ("PERSON", True)]
    readable = Recall()
    readable.add(rows, patient_names(TRUTH), [True] * len(rows))
    assert leak_figures(readable, documents=1, pages=2) == {
        "documents": 1,
        "pages": 2,
        "readable": 1,
        "items": 4,
        "by_type": {"MRN": 0, "PERSON": 1},
        "patient_name": 0,
    }


def _truth_text_tally() -> DeidTally:
    text = truth_document(TRUTH).text
    spans = [(9, 27, "PERSON"), (33, 40, "MRN"), (41, 48, "PERSON"), (P1 + 0, P1 + 18, "PERSON")]
    deid = (
        "Patient: [PERSON] MRN: [MRN]\n[PERSON] 182 mg/dL\f"
        "[PERSON] Page 2\nSeen by Dr. Wright, weight 80 kg, age 92"
    )
    assert text.startswith("Patient: HARRISON")
    tally = DeidTally()
    tally.add_truth_text(TRUTH, spans, deid)
    return tally


def test_truth_text_recall_over_redaction_and_precision() -> None:
    f = _truth_text_tally().figures()["truth_text"]
    # Wright is missed: 3 of 4 items; both copies of the patient's name are caught.
    assert (f["hits"], f["items"], f["recall"]) == (3, 4, 0.75)
    assert f["by_type"]["PERSON"] == {"recall": 0.6667, "hits": 2, "items": 3}
    assert f["patient_name"] == {"recall": 1.0, "hits": 2, "items": 2}
    # "Glucose" removed: one clinical token of the 15 in the text (6 on page 0, 9 on page 1).
    assert f["over_redaction"] == round(1 / 15, 4)
    assert f["span_precision"] == {
        "precision": 0.75,
        "correct": 3,
        "spans": 4,
        "wrong_by_label": {"PERSON": 1},
    }


def test_render_deid_shows_targets_and_figures() -> None:
    tally = _truth_text_tally()
    tally.add_ocr_text(TRUTH, truth_document(TRUTH).text, [(9, 27, "PERSON")], "")
    readable = Recall()
    rows = phi_readable(TRUTH, "Dr. Wright")
    readable.add(rows, patient_names(TRUTH), [True] * len(rows))
    timing = {
        "pages": 2,
        "pipeline": {"seconds": 0.2, "seconds_per_page": 0.1, "cpu_seconds_per_page": 0.09},
        "baseline": {"seconds": 0.1, "seconds_per_page": 0.05, "cpu_seconds_per_page": 0.05},
        "ratio_to_baseline": 2.0,
    }
    figures = {
        "targets": TARGETS,
        "pipeline": tally.figures(),
        "baseline": DeidTally().figures(),
        "redacted_pdf": leak_figures(readable, 1, 2),
        "timing": timing,
    }
    text = "\n".join(render_deid(figures, (0.01, 0.02)))
    assert text.startswith("## PHI detection")
    assert "recall ≥ 99.5% of the PHI items the OCR read, every type ≥ 98%" in text
    assert "| PHI recall, truth text | — | 0.750 (3/4) | 0.000 (0/0) |" in text
    assert "| lowest type recall, truth text | — | 0.667 (PERSON) | — |" in text
    assert "| lowest type recall, items read | ≥ 0.98 | 1.000 (all types) | — |" in text
    assert "| PHI items the OCR read | — | 4 of 4 | 0 of 0 |" in text
    assert "| PHI items readable in redacted.pdf | 0 | 1 of 4 (2 pages) | — |" in text
    assert "| over-redaction, OCR text (as above) | ≤ 0.02 | 0.010 | 0.020 |" in text
    assert "| de-id stage time / presidio | — | 2.00x | 1.00x |" in text
    assert "| PATIENT_NAME | 2 | 1.000 | — | 1.000 (2) | — (0) | 0 |" in text


def test_a_reread_word_on_a_clinical_word_is_a_misreading_not_a_leak() -> None:
    from pipeline.bench_deid import without_misreadings

    page = {
        "dpi": 150,
        "words": [
            {"text": "Fax", "box": {"x0": 100, "y0": 50, "x1": 130, "y1": 62}},
            {"text": "Jared", "box": {"x0": 200, "y0": 50, "x1": 250, "y1": 62}},
        ],
    }
    reread = [
        ("Fox", 200, 100, 260, 124),  # on "Fax" (x2 at 300 DPI): a misreading
        ("Jared", 400, 100, 500, 124),  # on a word that is no clinical word: kept
        ("Fox", 900, 900, 960, 924),  # where our OCR read nothing: kept
    ]
    assert without_misreadings(reread, page, {"fax"}, scale=2.0) == "Jared Fox"


def test_a_marked_section_is_replaced_in_place_and_appended_once(tmp_path) -> None:
    from pipeline.bench_families import replace_section

    path = tmp_path / "B.md"
    path.write_text("# Benchmark\n\nfigures\n")
    replace_section(path, "families", "## Families\n\nfirst")
    replace_section(path, "families", "## Families\n\nsecond")
    replace_section(path, "other", "## Other")
    assert path.read_text() == (
        "# Benchmark\n\nfigures\n\n"
        "<!-- families:start -->\n## Families\n\nsecond\n<!-- families:end -->\n\n"
        "<!-- other:start -->\n## Other\n<!-- other:end -->\n"
    )
