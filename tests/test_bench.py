"""Benchmark scoring: the pure functions that turn outputs and truth into figures."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from pipeline.bench import (
    Tally,
    bundle_lab_reads,
    clinical_term_over_redaction,
    edit_counts,
    matched,
    over_redaction,
    phi_caught,
    prf,
    range_flag_counts,
    truth_lab_reads,
    truth_observation_keys,
)
from pipeline.fhir import emit_bundle
from pipeline.schema import Extraction, Observation, Quantity, ReferenceRange, Source
from pipeline.settings import FhirSettings

TRUTH = {
    "degradation": "clean",
    "pages": [
        {
            "text": "Patient: HARRISON, MARGARET MRN: 4829173\nGlucose 182 mg/dL",
            "phi": [
                {"type": "PERSON", "start": 9, "end": 27, "text": "HARRISON, MARGARET"},
                {"type": "MRN", "start": 33, "end": 40, "text": "4829173"},
            ],
        }
    ],
    "observations": [
        {"code": "2345-7", "value": 182, "unit": "mg/dL", "date": "2021-05-02"},
        {
            "code": "85354-9",
            "value": None,
            "unit": "mm[Hg]",
            "date": "2021-05-02",
            "components": [
                {"code": "8480-6", "value": 132, "unit": "mm[Hg]"},
                {"code": "8462-4", "value": 84, "unit": "mm[Hg]"},
            ],
        },
    ],
}


@pytest.mark.parametrize(
    ("hyp", "ref", "expected"),
    [
        ("abc def", "abc def", (0, 7, 0, 2)),  # identical
        ("abc  def\n", "abc def", (0, 7, 0, 2)),  # whitespace is normalised
        ("abx def", "abc def", (1, 7, 1, 2)),  # one character, one word
        ("", "abc", (3, 3, 1, 1)),  # nothing read
    ],
)
def test_edit_counts(hyp: str, ref: str, expected: tuple[int, int, int, int]) -> None:
    assert edit_counts(hyp, ref) == expected


@pytest.mark.parametrize(
    ("deid", "caught"),
    [
        ("Patient: [PERSON] MRN: [MRN]\nGlucose 182 mg/dL", [True, True]),  # all removed
        ("Patient: HARRISON, [PERSON] MRN: [MRN]\nGlucose", [False, True]),  # surname leaked
        ("Patient: [PERSON] MRN: 4829173\nGlucose", [True, False]),  # MRN leaked
        ("Patient: HARRlSON [PERSON] MRN: [MRN]", [False, True]),  # OCR-near variant leaks
    ],
)
def test_phi_caught(deid: str, caught: list[bool]) -> None:
    assert phi_caught(TRUTH, deid) == list(zip(["PERSON", "MRN"], caught, strict=True))


def test_over_redaction_counts_only_clinical_words() -> None:
    ocr = TRUTH["pages"][0]["text"]
    assert over_redaction(TRUTH, ocr, "Patient: [PERSON] MRN: [MRN]\nGlucose 182 mg/dL") == (0, 6)
    # "Glucose" and "182" removed: two clinical tokens lost of the six present.
    assert over_redaction(TRUTH, ocr, "Patient: [PERSON] MRN: [MRN]\n[X] [X] mg/dL") == (2, 6)


def test_clinical_term_over_redaction_counts_the_listed_terms_ocr_read() -> None:
    truth = {
        "pages": [
            {
                "text": "Pt Vance on metoprolol tartrate; metoprolol held. BP 120/80",
                "phi": [{"type": "PERSON", "start": 3, "end": 8, "text": "Vance"}],
            }
        ],
        "clinical_terms": ["metoprolol tartrate", "BP"],
    }
    # "bp" is under three letters; OCR lost one "metoprolol"; de-id took "tartrate".
    ocr = "Pt Vance on metoprolol tartrate; metoprol held. BP 120/80"
    deid = "Pt [PERSON] on metoprolol [UNVERIFIED]; metoprol held. BP 120/80"
    assert clinical_term_over_redaction(truth, ocr, deid) == (1, 2)
    assert clinical_term_over_redaction({**truth, "clinical_terms": []}, ocr, deid) == (0, 0)


def test_observation_keys_and_scores() -> None:
    keys = truth_observation_keys(TRUTH)
    assert keys == Counter(
        {
            ("2345-7", 182.0, "mg/dL", "2021-05-02"): 1,
            ("8480-6", 132.0, "mm[Hg]", "2021-05-02"): 1,
            ("8462-4", 84.0, "mm[Hg]", "2021-05-02"): 1,
        }
    )
    assert prf(2, 4, 3) == {"precision": 0.5, "recall": 0.6667, "f1": 0.5714}
    tally = Tally()
    wrong_date = Counter({(k[0], k[1], k[2], "2021-05-03"): n for k, n in keys.items()})
    tally.add_document(TRUTH, [TRUTH["pages"][0]["text"]], "", wrong_date)
    figures = tally.figures()
    assert figures["observations"]["recall"] == 0.0
    assert figures["observations_ignoring_date"]["recall"] == 1.0
    assert figures["phi_recall"] == 1.0  # an empty de-identified text leaks nothing


def test_a_clinical_word_near_a_name_is_not_a_leak() -> None:
    truth = {
        "degradation": "clean",
        "pages": [
            {
                "text": "Dr. Wright noted weight 80 kg",
                "phi": [{"type": "PERSON", "start": 4, "end": 10, "text": "Wright"}],
            }
        ],
        "observations": [],
    }
    assert phi_caught(truth, "Dr. [PERSON] noted weight 80 kg") == [("PERSON", True)]
    assert phi_caught(truth, "Dr. Wrlght noted weight 80 kg") == [("PERSON", False)]


def test_a_bare_day_left_over_is_not_a_leak() -> None:
    truth = {
        "degradation": "heavy",
        "pages": [
            {
                "text": "Visit Feb 25, 2023",
                "phi": [{"type": "DATE", "start": 6, "end": 18, "text": "Feb 25, 2023"}],
            }
        ],
        "observations": [],
    }
    assert phi_caught(truth, "Visit [DATE] 25") == [("DATE", True)]  # debris "25" alone
    assert phi_caught(truth, "Visit [DATE] 2023") == [("DATE", False)]  # the year survives


def test_a_replacement_tag_is_no_leak() -> None:
    truth = {
        "degradation": "clean",
        "pages": [
            {
                "text": "Clinic 3286 Mitchell Street, Bell Medical Center",
                "phi": [
                    {
                        "type": "STREET_ADDRESS",
                        "start": 7,
                        "end": 27,
                        "text": "3286 Mitchell Street",
                    },
                    {"type": "FACILITY", "start": 29, "end": 48, "text": "Bell Medical Center"},
                ],
            }
        ],
        "observations": [],
    }
    # "street" of [STREET_ADDRESS] and "medical" of presidio's [MEDICAL_LICENSE] are tags.
    deid = "Clinic [STREET_ADDRESS], [MEDICAL_LICENSE]"
    assert phi_caught(truth, deid) == [("STREET_ADDRESS", True), ("FACILITY", True)]
    # The same words as chart text are leaks.
    assert phi_caught(truth, "Clinic [X] Street, [X] Medical") == [
        ("STREET_ADDRESS", False),
        ("FACILITY", False),
    ]
    # A tag does not stand in for a clinical word the de-identification removed.
    assert over_redaction(truth, truth["pages"][0]["text"], "[CLINIC] [STREET_ADDRESS]") == (1, 1)


D = "2021-05-02"
MATCHING = [
    # (predicted key, truth key, charges, paired): LOINC, value within 1 %, unit, date
    (("2345-7", 182.0, "mg/dL", D), ("2345-7", 182.0, "mg/dL", D), None, True),  # exact
    (("2345-7", 183.5, "mg/dL", D), ("2345-7", 182.0, "mg/dL", D), None, True),  # 0.8 % off
    (("2345-7", 185.0, "mg/dL", D), ("2345-7", 182.0, "mg/dL", D), None, False),  # 1.6 % off
    (("2345-7", 182.0, "mg/dL", D), ("2345-7", 182.0, "mg/dL", "2021-05-03"), None, False),
    (("2345-7", 182.0, "mg/dL", D), ("2339-0", 182.0, "mg/dL", D), None, False),  # other code
    # another printed unit, converted with the UCUM library
    (("8310-5", 37.0, "Cel", D), ("8310-5", 98.6, "[degF]", D), None, True),
    (("8310-5", 38.0, "Cel", D), ("8310-5", 98.6, "[degF]", D), None, False),
    (("29463-7", 81.6, "kg", D), ("29463-7", 180.0, "[lb_av]", D), None, True),
    (("8302-2", 177.8, "cm", D), ("8302-2", 70.0, "[in_i]", D), None, True),
    # meq/L and mmol/L only through the analyte's charge
    (("2951-2", 140.0, "meq/L", D), ("2951-2", 140.0, "mmol/L", D), {"2951-2": 1}, True),
    (("2951-2", 140.0, "meq/L", D), ("2951-2", 140.0, "mmol/L", D), None, False),
    # not commensurable: mass and substance
    (("2345-7", 10.1, "mmol/L", D), ("2345-7", 182.0, "mg/dL", D), None, False),
]


@pytest.mark.parametrize(("pred", "truth", "charges", "paired"), MATCHING)
def test_matching_rule(pred: tuple, truth: tuple, charges: dict | None, paired: bool) -> None:
    assert matched(Counter([pred]), Counter([truth]), charges) == int(paired)


def test_each_key_pairs_once_and_exact_pairs_first() -> None:
    truth = Counter({("2345-7", 182.0, "mg/dL", D): 1, ("2345-7", 183.0, "mg/dL", D): 1})
    # 183 pairs exactly; 182.5 then pairs with 182; the third prediction has nothing left.
    pred = Counter({("2345-7", 183.0, "mg/dL", D): 1, ("2345-7", 182.5, "mg/dL", D): 2})
    assert matched(pred, truth) == 2


def _lab_bundle(*observations: Observation) -> dict:
    source = Source(
        path="/scans/x.pdf", doc_id="abc", sha256="0" * 64, size=1, media_type="image/png", pages=1
    )
    extraction = Extraction(document_date=D, observations=observations)
    return json.loads(emit_bundle(source, extraction, scan=None, cfg=FhirSettings()))


def _lab(value: float, ref: ReferenceRange | None, flag: str | None) -> Observation:
    return Observation(
        code="2345-7",
        display="Glucose",
        category="laboratory",
        quantity=Quantity(value=value, unit="mg/dL"),
        reference_range=ref,
        interpretation=flag,
        start=int(value),  # distinct evidence spans, distinct resource ids
        end=int(value) + 10,
    )


def test_reference_range_and_flag_on_matched_lab_values() -> None:
    mg = "mg/dL"
    range_70_99 = ReferenceRange(
        low=Quantity(value=70, unit=mg), high=Quantity(value=99, unit=mg), text="70-99"
    )
    truth = {
        "observations": [
            # a table row: range and flag printed
            {"code": "2345-7", "category": "laboratory", "value": 182.0, "unit": mg, "date": D,
             "reference_range": {"low": 70.0, "high": 99.0, "text": "70-99"},
             "interpretation": "H"},
            # a table row without a flag
            {"code": "2345-7", "category": "laboratory", "value": 88.0, "unit": mg, "date": D,
             "reference_range": {"low": 70.0, "high": 99.0, "text": "70-99"},
             "interpretation": None},
            # prose: neither printed
            {"code": "2345-7", "category": "laboratory", "value": 120.0, "unit": mg, "date": D},
            # never read: not matched, not counted
            {"code": "2345-7", "category": "laboratory", "value": 300.0, "unit": mg, "date": D},
        ]
    }  # fmt: skip
    bundle = _lab_bundle(
        _lab(182, range_70_99, "H"),  # right
        _lab(88, range_70_99, "N"),  # a flag the chart does not print: wrong
        _lab(120, None, None),  # right: nothing printed, nothing emitted
    )
    reads = bundle_lab_reads(bundle)
    assert reads[0] == (("2345-7", 182.0, mg, D), (70, 99, "H"))
    assert range_flag_counts(truth_lab_reads(truth), reads) == (2, 3)
    tally = Tally()
    tally.add_lab_reads(truth, reads)
    assert tally.figures()["lab_range_flag"] == 0.6667
    assert tally.figures()["lab_range_flag_matched"] == 3
    # A range off by more than 1 % in one bound is wrong.
    off = ReferenceRange(
        low=Quantity(value=70, unit=mg), high=Quantity(value=109, unit=mg), text="70-109"
    )
    assert range_flag_counts(
        truth_lab_reads(truth), bundle_lab_reads(_lab_bundle(_lab(182, off, "H")))
    ) == (0, 1)
