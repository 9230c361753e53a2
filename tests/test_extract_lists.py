"""Medication, problem and allergy lists: sections, lines as printed and as OCR damages them.

Rows give a chart fragment and what must be read from it, down to codes, doses, timing and
the exact evidence text; fragments that must yield nothing (negated problems, family
history, vitals in an allergy line) are rows too.
"""

# One expected item per line reads better than wrapped tuples in these tables.
# ruff: noqa: E501

from __future__ import annotations

import pytest
from spacy.language import Language

from pipeline.extract.conditions import repair_code
from pipeline.schema import Extraction
from pipeline.settings import ExtractSettings
from tests.extract_helpers import run

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ORAL, SUBCUT, INHALED = "26643006", "34206005", "447694001"

# text -> [(RxCUI or None, printed name, dose value, dose UCUM, route, frequency, timing
#          (frequency, period, unit, when) or None, as_needed, status, date)]
MEDICATION_ROWS = [
    (
        "CURRENT MEDICATIONS\n- Metformin 500 mg PO BID\n- Lisinopril 20 mg PO daily\n",
        [
            ("6809", "Metformin", 500.0, "mg", ORAL, "BID", (2, 1.0, "d", None), None, "active", None),
            ("29046", "Lisinopril", 20.0, "mg", ORAL, "daily", (1, 1.0, "d", None), None, "active", None),
        ],
    ),
    (
        # Inline, semicolons, an item wrapped onto the next line, as-needed with a reason.
        "Current Medications\nApixaban 2.5 mg PO BID; Hydrochlorothiazide 12.5\nmg PO daily; "
        "Acetaminophen 500 mg PO q6h PRN pain.\nALLERGIES\nNKDA\n",
        [
            ("1364430", "Apixaban", 2.5, "mg", ORAL, "BID", (2, 1.0, "d", None), None, "active", None),
            ("5487", "Hydrochlorothiazide", 12.5, "mg", ORAL, "daily", (1, 1.0, "d", None), None, "active", None),
            ("161", "Acetaminophen", 500.0, "mg", ORAL, "q6h", (1, 6.0, "h", None), "pain", "active", None),
        ],
    ),
    (
        # A table with a start date column, and a discontinued table with stop dates.
        "ACTIVE MEDICATIONS\nMedication Dose Route Frequency Indication Started\n"
        "Levothyroxine 75 mcg PO daily before breakfast Hypothyroidism 2018-01-15\n"
        "Insulin glargine 18 units SC nightly Diabetes 03/02/2019\n"
        "DISCONTINUED MEDICATIONS\nMedication Dose Stopped Reason\n"
        "Furosemide 40 mg 2017-06-04 No longer indicated\n",
        [
            ("10582", "Levothyroxine", 75.0, "ug", ORAL, "daily before breakfast", (1, 1.0, "d", "ACM"), None, "active", "2018-01-15"),
            ("274783", "Insulin glargine", 18.0, "[IU]", SUBCUT, "nightly", (1, 1.0, "d", "HS"), None, "active", "2019-03-02"),
            ("4603", "Furosemide", 40.0, "mg", None, None, None, None, "stopped", "2017-06-04"),
        ],
    ),
    (
        # Puffs are the dose; OCR damage in a listed name ("l" for "i") still codes it.
        "Medications:\n- Albuterol HFA 90 mcg 2 puffs INH q4h PRN wheeze\n- Atorvastatln 40 mg PO nightly\n",
        [
            ("435", "Albuterol HFA", 2.0, "{puff}", INHALED, "q4h", (1, 4.0, "h", None), "wheeze", "active", None),
            ("83367", "Atorvastatln", 40.0, "mg", ORAL, "nightly", (1, 1.0, "d", "HS"), None, "active", None),
        ],
    ),
    (
        # A drug we do not list is kept, uncoded, at low confidence (checked below).
        "MEDICATIONS\n- Zanubrutinib 160 mg PO BID\n",
        [(None, "Zanubrutinib", 160.0, "mg", ORAL, "BID", (2, 1.0, "d", None), None, "active", None)],
    ),
    # A look-alike of a listed drug is not coded as it: Prednisolone is no Prednisone.
    # "in the morning" is no nasal route; a digit in a name ("Vitamin D3").
    (
        "MEDICATIONS\n- Prednisolone 5 mg PO daily\n- Insulin lispro 10 units in the morning\n- Vitamin D3 1000 units PO daily\n",
        [
            (None, "Prednisolone", 5.0, "mg", ORAL, "daily", (1, 1.0, "d", None), None, "active", None),
            ("86009", "Insulin lispro", 10.0, "[IU]", None, None, None, None, "active", None),
            ("2418", "Vitamin D3", 1000.0, "[IU]", ORAL, "daily", (1, 1.0, "d", None), None, "active", None),
        ],
    ),
    # Lower-case lists; a blank line ends the list; a concentration is a lab result.
    (
        "MEDICATIONS\nlisinopril 20 mg PO daily\nmetformin 500 mg PO BID\n\nSodium 140 mEq/L\n",
        [
            ("29046", "lisinopril", 20.0, "mg", ORAL, "daily", (1, 1.0, "d", None), None, "active", None),
            ("6809", "metformin", 500.0, "mg", ORAL, "BID", (2, 1.0, "d", None), None, "active", None),
        ],
    ),
    # Outside a medication section, "Continue metformin 500 mg" is a plan, not a list entry.
    ("ASSESSMENT AND PLAN\nContinue Metformin 500 mg PO BID.\n", []),
]  # fmt: skip


def medications(ex: Extraction) -> list[tuple]:
    out = []
    for m in ex.medications:
        timing = (
            (m.timing.frequency, m.timing.period, m.timing.period_unit, m.timing.when)
            if m.timing
            else None
        )
        assert m.dose is not None
        out.append(
            (
                m.code.code if m.code else None,
                m.text,
                m.dose.value,
                m.dose.unit,
                m.route.code if m.route else None,
                m.frequency,
                timing,
                m.as_needed,
                m.status,
                m.date,
            )
        )
    return out


@pytest.mark.parametrize(("text", "expected"), MEDICATION_ROWS)
def test_medication_lines(nlp: Language, cfg: ExtractSettings, text: str, expected: list) -> None:
    ex = run(nlp, cfg, text)
    assert medications(ex) == expected
    for m in ex.medications:
        assert text[m.start : m.end].startswith(m.text.split()[0])
        assert m.code is None or m.code.system == RXNORM
        assert (m.confidence < cfg.min_confidence) == (m.code is None)


def test_medication_evidence_and_sig(nlp: Language, cfg: ExtractSettings) -> None:
    text = "DISCHARGE MEDICATIONS\n- Metformin 500 mg PO daily with breakfast\nFOLLOW-UP\n"
    (m,) = run(nlp, cfg, text).medications
    assert text[m.start : m.end] == "Metformin 500 mg PO daily with breakfast"
    assert m.sig == "500 mg PO daily with breakfast"
    assert m.timing is not None and m.timing.when == "CM"


# text -> [(code, printed text, category, clinical status, confidence below review?)]
CONDITION_ROWS = [
    (
        "PROBLEM LIST\n- Essential (primary) hypertension (I10)\n- Anemia, unspecified (D64.9)\n",
        [
            ("I10", "Essential (primary) hypertension", "problem-list-item", "active", False),
            ("D64.9", "Anemia, unspecified", "problem-list-item", "active", False),
        ],
    ),
    (
        # OCR reads I as 1 and the point as a comma; the repaired codes are listed ones.
        "DISCHARGE DIAGNOSES\n1. Unspecified atrial fibrillation (148,91)\n"
        "2. Essential (primary) hypertension (110)\n",
        [
            ("I48.91", "Unspecified atrial fibrillation", "encounter-diagnosis", "active", False),
            ("I10", "Essential (primary) hypertension", "encounter-diagnosis", "active", False),
        ],
    ),
    (
        "A/P\n1. Type 2 diabetes mellitus without complications (E11.9): Continue metformin.\n"
        "2. Hyperlipidemia, unspecified (E78.5): Continue atorvastatin.\n",
        [
            ("E11.9", "Type 2 diabetes mellitus without complications", "encounter-diagnosis", "active", False),
            ("E78.5", "Hyperlipidemia, unspecified", "encounter-diagnosis", "active", False),
        ],
    ),
    # Code first, and a resolved problem.
    (
        "Problem List:\nJ18.9 Pneumonia, unspecified organism - resolved\n",
        [("J18.9", "Pneumonia, unspecified organism - resolved", "problem-list-item", "resolved", False)],
    ),
    # An unlisted, well-formed code is kept with the printed text, for review.
    ("PROBLEM LIST\n- Sickle-cell trait (D57.3)\n", [("D57.3", "Sickle-cell trait", "problem-list-item", "active", True)]),
    # The text names another problem than the (listed) code: review.
    ("PROBLEM LIST\n- Essential (primary) hypertension (E11.9)\n", [("E11.9", "Essential (primary) hypertension", "problem-list-item", "active", True)]),
    # Negated, family history, and a parenthesised number in prose: nothing.
    ("ASSESSMENT\nRuled out: Other pulmonary embolism without acute cor pulmonale (I26.99)\n", []),
    ("PROBLEM LIST\nNo Essential (primary) hypertension (I10)\n", []),
    ("FAMILY HISTORY\nFather: Essential (primary) hypertension (I10)\n", []),
    ("HPI\nHeart rate was high (110) at triage.\n", []),
    # A cue inside the name is no negation; one in another clause does not reach.
    ("A/P\n1. Type 2 diabetes mellitus, no complications (E11.9)\n", [("E11.9", "Type 2 diabetes mellitus, no complications", "encounter-diagnosis", "active", False)]),
    ("A/P\nDenies chest pain; Essential (primary) hypertension (I10)\n", [("I10", "Essential (primary) hypertension", "encounter-diagnosis", "active", False)]),
    # U codes are ICD-10-CM too (unlisted here: kept for review).
    ("PROBLEM LIST\n- COVID-19 (U07.1)\n", [("U07.1", "COVID-19", "problem-list-item", "active", True)]),
    # A repaired code must be a listed one; phone numbers are no codes, whatever the dash.
    ("PROBLEM LIST\n- BP elevated today (150)\n- Pharmacy (660)-591-0228\n", []),
    # "resolved" belongs to its own problem only.
    ("PROBLEM LIST\nPneumonia, unspecified organism (J18.9) - resolved; Essential (primary) hypertension (I10)\n", [("J18.9", "Pneumonia, unspecified organism", "problem-list-item", "resolved", False), ("I10", "Essential (primary) hypertension", "problem-list-item", "active", False)]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CONDITION_ROWS)
def test_condition_lines(nlp: Language, cfg: ExtractSettings, text: str, expected: list) -> None:
    ex = run(nlp, cfg, text)
    got = [
        (c.code.code, c.text, c.category, c.clinical_status, c.confidence < cfg.min_confidence)
        for c in ex.conditions
    ]
    assert got == expected
    for c in ex.conditions:
        assert c.code.system == ICD10CM
        evidence = text[c.start : c.end]
        assert c.text.split()[0] in evidence and ")" in evidence or evidence.startswith(c.code.code)


def test_a_listed_code_carries_its_official_title(nlp: Language, cfg: ExtractSettings) -> None:
    (c,) = run(nlp, cfg, "PROBLEM LIST\n- Obstructive sleep apnea (G47.33)\n").conditions
    assert c.code.display == "Obstructive sleep apnea (adult) (pediatric)"
    assert c.text == "Obstructive sleep apnea"


@pytest.mark.parametrize(
    ("printed", "code"),
    [
        ("110", "I10"),
        ("148.91", "I48.91"),
        ("E11,9", "E11.9"),
        ("lI0", "I10"),
        ("N18.3O", "N18.30"),
    ],
)
def test_repair_code(printed: str, code: str) -> None:
    assert repair_code(printed) == code


# text -> [(printed, code, category, reaction, reaction code, no_known)]
ALLERGY_ROWS = [
    (
        "ALLERGIES\nPenicillin - rash; Codeine - nausea\nASSESSMENT/PLAN\n",
        [
            ("Penicillin", "70618", "medication", "rash", "271807003", False),
            ("Codeine", "2670", "medication", "nausea", "422587007", False),
        ],
    ),
    (
        # Inline in a field row: the vitals field after it is not an allergy.
        "Allergies: Shellfish - anaphylaxis; Sulfa drugs - hives Wt: 215 lb\nHt: 6'2\"\n",
        [
            ("Shellfish", None, "food", "anaphylaxis", "39579001", False),
            ("Sulfa drugs", "387406002", "medication", "hives", "126485001", False),
        ],
    ),
    ("Allergies: NKDA\n", [("NKDA", "409137002", None, None, None, True)]),
    ("ALLERGIES\nNo known allergies.\n", [("No known allergies", "716186003", None, None, None, True)]),
    ("ALLERGIES\nLatex (contact dermatitis)\n", [("Latex", "111088007", "environment", "contact dermatitis", "40275004", False)]),
    # OCR damage in a listed substance still codes it.
    ("ALLERGIES\nPeniciIlin - hives\n", [("PeniciIlin", "70618", "medication", "hives", "126485001", False)]),
    # Items in capitals are items, not headings; "None" says no allergy.
    ("ALLERGIES\nPENICILLIN - HIVES\nSULFA - RASH\nPLAN\n", [("PENICILLIN", "70618", "medication", "HIVES", "126485001", False), ("SULFA", "387406002", "medication", "RASH", "271807003", False)]),
    ("Allergies: None\n", [("None", "716186003", None, None, None, True)]),
    ("Allergies: No known drug allergies (NKDA)\n", [("No known drug allergies (NKDA)", "409137002", None, None, None, True)]),
    # "Codeine: nausea" after a separator is an item, not another field.
    ("Allergies: Penicillin - rash; Codeine: nausea\n", [("Penicillin", "70618", "medication", "rash", "271807003", False), ("Codeine", "2670", "medication", "nausea", "422587007", False)]),
    # A page break or a footer ends the list.
    ("ALLERGIES\nMorphine - itching\f\nSMITH, JOHN MRN: 123456 Page 2 of 2\n", [("Morphine", "7052", "medication", "itching", "418290006", False)]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), ALLERGY_ROWS)
def test_allergy_items(nlp: Language, cfg: ExtractSettings, text: str, expected: list) -> None:
    ex = run(nlp, cfg, *text.split("\f"))
    got = [
        (
            a.text,
            a.code.code if a.code else None,
            a.category,
            a.reaction,
            a.reaction_code.code if a.reaction_code else None,
            a.no_known,
        )
        for a in ex.allergies
    ]
    assert got == expected


def test_an_unlisted_allergen_is_kept_for_review(nlp: Language, cfg: ExtractSettings) -> None:
    (a,) = run(nlp, cfg, "ALLERGIES\nKiwi fruit - swelling\n").allergies
    assert (a.text, a.code, a.reaction_code and a.reaction_code.code) == (
        "Kiwi fruit",
        None,
        "65124004",
    )
    assert a.confidence < cfg.min_confidence


def test_lists_leave_observations_alone(nlp: Language, cfg: ExtractSettings) -> None:
    """A medication line holds no lab result; the vitals beside an allergy line still read."""
    text = (
        "MEDICATIONS\n- Potassium chloride 20 mEq PO daily\n"
        "Allergies: Codeine - nausea Wt: 182 lb\n"
    )
    ex = run(nlp, cfg, text)
    assert [(m.text, m.dose and m.dose.unit) for m in ex.medications] == [
        ("Potassium chloride", "meq")
    ]
    assert [(o.code, o.quantity and o.quantity.value) for o in ex.observations] == [
        ("29463-7", 182.0)
    ]


def test_evidence_is_the_box_of_the_words_under_the_value(
    nlp: Language, cfg: ExtractSettings
) -> None:
    from pipeline.extract import extract_entities
    from pipeline.schema import Box, OcrDocument, Word
    from tests.extract_helpers import page

    text = "ALLERGIES\nCodeine - nausea"
    words, x = [], 100
    for i, token in enumerate(text.split()):
        start = text.index(token, words[-1].end if words else 0)
        line = 0 if i == 0 else 1
        box = Box(x0=x, y0=100 + 50 * line, x1=x + 20 * len(token), y1=140 + 50 * line)
        words.append(
            Word(text=token, box=box, conf=90.0 - i, line=line, start=start, end=start + len(token))
        )
        x += 20 * len(token) + 15
    doc = OcrDocument(doc_id="t", pages=(page("x"), page(text, 1, tuple(words))))
    (a,) = extract_entities(doc, nlp=nlp, cfg=cfg).allergies
    assert a.evidence is not None
    assert a.evidence.page == 1
    assert a.evidence.box == words[1].box.union(words[2].box).union(words[3].box)
    assert a.evidence.ocr_confidence == 87.0
