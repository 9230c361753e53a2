"""Lab results on a blank spaCy pipeline plus our components: report rows and results in notes.

Each row gives the text and every observation expected as (code, value, unit, evidence);
the evidence is the exact text the span must cover.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from pipeline.schema import Extraction
from pipeline.settings import ExtractSettings
from tests.extract_helpers import run

GLUCOSE, BUN, CREAT, NA, K, CL, CO2 = (
    "2345-7",
    "3094-0",
    "2160-0",
    "2951-2",
    "2823-3",
    "2075-0",
    "2028-9",
)
CA, ALB, ALT, AST = "17861-6", "1751-7", "1742-6", "1920-8"
HGB, HCT, WBC, PLT = "718-7", "4544-3", "6690-2", "777-3"
CHOL, LDL, HDL, TG, A1C, TSH = "2093-3", "13457-7", "2085-9", "2571-8", "4548-4", "3016-3"
MCV, MG, INR, FT4 = "787-2", "19123-9", "6301-6", "3024-7"

Expected = tuple[str, float, str, str]


def found(text: str, ex: Extraction) -> list[Expected]:
    out = []
    for obs in ex.observations:
        assert obs.quantity is not None and obs.category == "laboratory"
        out.append((obs.code, obs.quantity.value, obs.quantity.unit, text[obs.start : obs.end]))
    return out


ROWS: list[tuple[str, list[Expected]]] = [
    # the classic row: result, units, reference range, flag; the range is not a result
    ("Glucose 182 mg/dL 70-99 H", [(GLUCOSE, 182, "mg/dL", "Glucose 182 mg/dL")]),
    ("Sodium 138 mmol/L 135-145", [(NA, 138, "mmol/L", "Sodium 138 mmol/L")]),
    # K/uL is 10*3/uL, and its "K" is not potassium
    ("WBC 7.2 K/uL 4.0-11.0", [(WBC, 7.2, "10*3/uL", "WBC 7.2 K/uL")]),
    # the longer name wins: Hemoglobin A1c is not Hemoglobin
    ("Hemoglobin A1c 7.9 % 4.0-5.6 H", [(A1C, 7.9, "%", "Hemoglobin A1c 7.9 %")]),
    ("Hemoglobin 13.2 g/dL 12.0-16.0", [(HGB, 13.2, "g/dL", "Hemoglobin 13.2 g/dL")]),
    # uIU/mL in UCUM
    ("TSH 2.10 uIU/mL 0.40-4.50", [(TSH, 2.1, "u[IU]/mL", "TSH 2.10 uIU/mL")]),
    # mEq/L is kept as printed, in UCUM
    ("Potassium 4.1 mEq/L 3.5-5.1", [(K, 4.1, "meq/L", "Potassium 4.1 mEq/L")]),
    # x10^3/uL and x10E3/uL
    ("Platelets 250 x10^3/uL 150-400", [(PLT, 250, "10*3/uL", "Platelets 250 x10^3/uL")]),
    ("Platelet Count 301 x10E3/uL 150-400", [(PLT, 301, "10*3/uL", "Platelet Count 301 x10E3/uL")]),
    # reference ranges with comparators
    ("LDL Cholesterol 130 mg/dL <100 H", [(LDL, 130, "mg/dL", "LDL Cholesterol 130 mg/dL")]),
    ("HDL 45 mg/dL >40", [(HDL, 45, "mg/dL", "HDL 45 mg/dL")]),
    # "Cholesterol, Total" is total cholesterol; LDL/HDL lines are not
    ("Cholesterol, Total 210 mg/dL <200 H", [(CHOL, 210, "mg/dL", "Cholesterol, Total 210 mg/dL")]),
    ("Triglycerides 175 mg/dL <150 H", [(TG, 175, "mg/dL", "Triglycerides 175 mg/dL")]),
    # a name with a parenthesised synonym
    ("ALT (SGPT) 25 U/L 7-56", [(ALT, 25, "U/L", "ALT (SGPT) 25 U/L")]),
    ("AST 22 U/L 10-40", [(AST, 22, "U/L", "AST 22 U/L")]),
    (
        "Carbon Dioxide, Total 24 mmol/L 22-29",
        [(CO2, 24, "mmol/L", "Carbon Dioxide, Total 24 mmol/L")],
    ),
    # a specimen qualifier after the name
    ("Glucose, Serum 81 mg/dL 70-99", [(GLUCOSE, 81, "mg/dL", "Glucose, Serum 81 mg/dL")]),
    # the reference range printed before the result; the flag between result and unit
    ("Glucose 70-99 182 H mg/dL", [(GLUCOSE, 182, "mg/dL", "Glucose 70-99 182 H mg/dL")]),
    # the units printed after the reference range: found, not part of the evidence
    ("BUN 18 7-20 mg/dL", [(BUN, 18, "mg/dL", "BUN 18")]),
    # a flag glued to the result
    ("Creatinine 1.4H mg/dL 0.6-1.2", [(CREAT, 1.4, "mg/dL", "Creatinine 1.4H mg/dL")]),
    # a table with ruling read as "|"
    ("| Chloride | 101 | mmol/L | 98-107 |", [(CL, 101, "mmol/L", "Chloride | 101 | mmol/L")]),
    # INR is printed without a unit, as usual
    ("INR 1.1 0.8-1.2", [(INR, 1.1, "{INR}", "INR 1.1")]),
    # more analytes
    ("MCV 88 fL 80-100", [(MCV, 88, "fL", "MCV 88 fL")]),
    ("Free T4 1.2 ng/dL 0.8-1.8", [(FT4, 1.2, "ng/dL", "Free T4 1.2 ng/dL")]),
    ("Magnesium 2.0 mg/dL 1.7-2.2", [(MG, 2.0, "mg/dL", "Magnesium 2.0 mg/dL")]),
    ("Hct 40.1 % 36-46", [(HCT, 40.1, "%", "Hct 40.1 %")]),
    # results quoted in a note, short names, no units
    (
        "Labs: Na 138, K 4.1, Cr 1.0, Ca 9.4, Alb 4.2",
        [
            (NA, 138, "mmol/L", "Na 138"),
            (K, 4.1, "mmol/L", "K 4.1"),
            (CREAT, 1.0, "mg/dL", "Cr 1.0"),
            (CA, 9.4, "mg/dL", "Ca 9.4"),
            (ALB, 4.2, "g/dL", "Alb 4.2"),
        ],
    ),
    # prose with a filler word; the percent sign glued
    ("Her A1c was 7.9% last month.", [(A1C, 7.9, "%", "A1c was 7.9%")]),
    # prose wrapped before the unit
    (
        "notable for sodium 143\nmmol/L, glucose 77 mg/dL.",
        [
            (NA, 143, "mmol/L", "sodium 143\nmmol/L"),
            (GLUCOSE, 77, "mg/dL", "glucose 77 mg/dL"),
        ],
    ),
    # OCR: stray marks after the name, lower-case mg/dl, a stray quote before the value
    ("Chloride’ 102 * mmol/L 98-107", [(CL, 102, "mmol/L", "Chloride’ 102 * mmol/L")]),
    ('co2 "20 mmol/L 22-29', [(CO2, 20, "mmol/L", 'co2 "20 mmol/L')]),
    ("glucose 182 mg/dl", [(GLUCOSE, 182, "mg/dL", "glucose 182 mg/dl")]),
    # OCR: "t" for "1" in the name, a listed variant
    ("Hemoglobin Atc 4.1 % 4.0-5.6", [(A1C, 4.1, "%", "Hemoglobin Atc 4.1 %")]),
    # OCR: l for 1 and O for 0 in the result
    ("Sodium l4O mmol/L", [(NA, 140, "mmol/L", "Sodium l4O mmol/L")]),
    # failing: a range with no result
    ("Glucose 70-99 mg/dL", []),
    # failing: a result with a comparator has no plain value
    ("TSH <0.01 uIU/mL 0.40-4.50 L", []),
    # failing: a unit that belongs to another LOINC code (glucose in mmol/L is 15074-8)
    ("Glucose 10.1 mmol/L 3.9-5.5", []),
    # failing: implausible for the analyte (and sodium is not printed with decimals)
    ("Sodium 1380 mmol/L", []),
    # failing: medications named after analytes
    ("Calcium carbonate 500 mg PO daily", []),
    ("Potassium chloride 20 mEq PO daily", []),
    # failing: a tumour marker is not calcium
    ("CA 19-9 35 U/mL", []),
    # failing: a ratio, not the analyte
    ("BUN/Creatinine ratio 18", []),
    # failing: a panel title without values
    ("COMPREHENSIVE METABOLIC PANEL", []),
    # failing: a number after other words is not the result
    ("Glucose meter checks 3 times daily", []),
]


@pytest.mark.parametrize(("text", "expected"), ROWS)
def test_lab_rows(nlp: Language, cfg: ExtractSettings, text: str, expected: list[Expected]) -> None:
    ex = run(nlp, cfg, text)
    assert found(text, ex) == expected
    for obs, (*_rest, evidence) in zip(ex.observations, expected, strict=True):
        start = text.index(evidence)
        assert (obs.start, obs.end) == (start, start + len(evidence))


CONFIDENCE = [
    # printed with its unit: full confidence
    ("Glucose 182 mg/dL", 1.0),
    # no unit printed for an analyte that normally has one
    ("Glucose 182", 0.85),
    # no unit, but mmol/L and meq/L are one scale for sodium: still only the missing unit
    ("Na 138", 0.85),
    # OCR-repaired digits
    ("Sodium l4O mmol/L", 0.7),
    # outside the typical range but plausible
    ("Glucose 900 mg/dL", 0.8),
    # a decimal point OCR lost ("Potassium 41" is 4.1): kept, for review
    ("Potassium 41 mmol/L", 0.45),
]


@pytest.mark.parametrize(("text", "confidence"), CONFIDENCE)
def test_confidence(nlp: Language, cfg: ExtractSettings, text: str, confidence: float) -> None:
    (obs,) = run(nlp, cfg, text).observations
    assert obs.confidence == pytest.approx(confidence)


def test_lost_decimal_point_is_restored_only_for_fractional_analytes(
    nlp: Language, cfg: ExtractSettings
) -> None:
    ex = run(nlp, cfg, "Potassium 41 mmol/L\nPlatelets 3909 K/uL")
    # 41 is 4.1 mmol/L; a platelet count is a whole number, so 3909 is not 390.9.
    assert found("Potassium 41 mmol/L", ex) == [(K, 4.1, "mmol/L", "Potassium 41 mmol/L")]


REPORT = """ACME LABORATORIES
LAB REPORT
Patient: DOE, JANE   DOB: 03/04/1948
Collected: 03/15/2021 07:45   Reported: 03/16/2021
Test Result Units Reference Range Flag
Glucose 182 mg/dL 70-99 H
WBC 7.2 K/uL 4.0-11.0
Hemoglobin A1c 7.9 % 4.0-5.6 H
H = above reference range; L = below reference range."""


def test_lab_report(nlp: Language, cfg: ExtractSettings) -> None:
    ex = run(nlp, cfg, REPORT)
    assert ex.document_kind == "lab-report"
    # The report date dates the document; the collection date dates the results.
    assert ex.document_date == "2021-03-16"
    assert [(o.code, o.effective) for o in ex.observations] == [
        (GLUCOSE, "2021-03-15"),
        (WBC, "2021-03-15"),
        (A1C, "2021-03-15"),
    ]
    # The flag legend's "H" and "L" are not results; nothing came from the header row.
    assert len(ex.observations) == 3


# Reference range and flag: (text, (low, high, printed text) or None, v3 interpretation code).
# The bounds are in the result's unit; a flag is only what the lab printed.
RangeFlag = tuple[tuple[float | None, float | None, str] | None, str | None]

RANGES: list[tuple[str, RangeFlag]] = [
    # the classic row: range after the unit, flag last
    ("Glucose 182 mg/dL 70-99 H", ((70, 99, "70-99"), "H")),
    # a range and no flag: the value is inside, and no flag is worked out from the range
    ("Sodium 138 mmol/L 135-145", ((135, 145, "135-145"), None)),
    # out of range but no flag printed: still none (the lab decides what is abnormal)
    ("Sodium 149 mmol/L 136-145", ((136, 145, "136-145"), None)),
    # upper bound only, flagged
    ("LDL Cholesterol 130 mg/dL <100 H", ((None, 100, "<100"), "H")),
    # lower bound only, with a space after the comparator
    ("HDL 45 mg/dL > 40", ((40, None, "> 40"), None)),
    # bracketed range: brackets are not part of the text
    ("TSH 2.10 uIU/mL (0.40-4.50)", ((0.4, 4.5, "0.40-4.50"), None)),
    # spaces around the dash, mEq/L kept as meq/L
    ("Potassium 4.1 mEq/L 3.5 - 5.1", ((3.5, 5.1, "3.5 - 5.1"), None)),
    # low
    ("Hemoglobin 10.1 g/dL 12.0-16.0 L", ((12.0, 16.0, "12.0-16.0"), "L")),
    # an asterisk beside H marks it out of range, not critical
    ("Potassium 5.9 mmol/L 3.5-5.1 H*", ((3.5, 5.1, "3.5-5.1"), "H")),
    # critical high
    ("Potassium 6.9 mmol/L 3.5-5.1 HH", ((3.5, 5.1, "3.5-5.1"), "HH")),
    # the range before the result, the flag between result and unit
    ("Glucose 70-99 182 H mg/dL", ((70, 99, "70-99"), "H")),
    # the flag glued to the result
    ("Creatinine 1.4H mg/dL 0.6-1.2", ((0.6, 1.2, "0.6-1.2"), "H")),
    # the flag before the range
    ("Glucose 182 mg/dL H 70-99", ((70, 99, "70-99"), "H")),
    # the unit after the range
    ("BUN 24 7-20 mg/dL H", ((7, 20, "7-20"), "H")),
    # a ruled table row
    ("| Chloride | 101 | mmol/L | 98-107 |", ((98, 107, "98-107"), None)),
    ("| Sodium | 131 | mmol/L | 136-145 | L |", ((136, 145, "136-145"), "L")),
    # no range printed: a flag alone is kept
    ("Glucose 182 mg/dL H", (None, "H")),
    # OCR: a stray mark between cells before the range
    ("Glucose, Serum 95 mg/dL . 70-99", ((70, 99, "70-99"), None)),
    # OCR: a misread unit before the range (the unit is inferred, the range still read)
    ("Creatinine 0.66 ing/dL 0.60-1.30", ((0.6, 1.3, "0.60-1.30"), None)),
    # OCR: letters for digits in the range are repaired, in the text too
    ("Sodium 132 mmol/L l36-l45 L", ((136, 145, "136-145"), "L")),
    # OCR: a stray "*" the range contradicts (102 is inside 98-107) is no flag
    ("Chloride’ 102 * mmol/L 98-107", ((98, 107, "98-107"), None)),
    # failing: "A" of the next name is not a flag
    ("Na 138 A1c 7.9", (None, None)),
    # failing: a date after the result is not a range
    ("Glucose 182 mg/dL 03-15-2021", (None, None)),
    # failing: bounds in the wrong order, or beyond what the analyte can measure
    ("Glucose 182 mg/dL 99-70 H", (None, "H")),
    ("Glucose 182 mg/dL 70-9900", (None, None)),
    # failing: "H." of "H. pylori" after a comma is not a flag
    ("Na 138, H. pylori negative", (None, None)),
]


@pytest.mark.parametrize(("text", "expected"), RANGES)
def test_reference_range_and_flag(
    nlp: Language, cfg: ExtractSettings, text: str, expected: RangeFlag
) -> None:
    obs = run(nlp, cfg, text).observations[0]
    assert obs.quantity is not None
    ref = obs.reference_range
    got = None
    if ref is not None:
        for bound in (ref.low, ref.high):
            assert bound is None or bound.unit == obs.quantity.unit
        got = (
            None if ref.low is None else ref.low.value,
            None if ref.high is None else ref.high.value,
            ref.text,
        )
    assert (got, obs.interpretation) == expected


def test_every_printed_flag_maps_to_an_interpretation_code(
    nlp: Language, cfg: ExtractSettings
) -> None:
    # Each row of a report carries its own range and flag; none leaks into the next row.
    text = (
        "Glucose 182 mg/dL 70-99 H\n"
        "Sodium 140 mmol/L 136-145\n"
        "Potassium 2.9 mmol/L 3.5-5.1 LL\n"
        "WBC 14.2 K/uL 4.5-11.0 High\n"
        "Hemoglobin A1c 7.9 % 4.0-5.6 (H)"
    )
    got = [(o.code, o.interpretation) for o in run(nlp, cfg, text).observations]
    assert got == [(GLUCOSE, "H"), (NA, None), (K, "LL"), (WBC, "H"), (A1C, "H")]
