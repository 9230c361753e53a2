"""Vital signs on a blank spaCy pipeline plus our components: label/value, prose, flowsheets.

Each row gives the text and every observation expected from it as (code, value, unit,
evidence). The value is a number, or (systolic, diastolic) for a blood pressure; the
evidence is the exact text the observation's span must cover, found in the text, so the
offsets are asserted exactly.
"""

from __future__ import annotations

import re

import pytest
from spacy.language import Language

from pipeline.schema import Extraction, Observation
from pipeline.settings import ExtractSettings
from tests.extract_helpers import run

BP, SYS, DIA = "85354-9", "8480-6", "8462-4"
HR, RR, TEMP, SPO2, WT, HT, BMI = (
    "8867-4",
    "9279-1",
    "8310-5",
    "2708-6",
    "29463-7",
    "8302-2",
    "39156-5",
)

Expected = tuple[str, float | tuple[float, float], str, str]


def summary(obs: Observation) -> tuple[str, float | tuple[float, float], str]:
    if obs.quantity is not None:
        return obs.code, obs.quantity.value, obs.quantity.unit
    sys_, dia = obs.components
    assert (sys_.code, dia.code) == (SYS, DIA)
    assert sys_.quantity.unit == dia.quantity.unit
    return obs.code, (sys_.quantity.value, dia.quantity.value), sys_.quantity.unit


def assert_found(text: str, ex: Extraction, expected: list[Expected]) -> None:
    got = [(*summary(o), text[o.start : o.end]) for o in ex.observations]
    assert got == expected
    for obs, (_code, _value, _unit, evidence) in zip(ex.observations, expected, strict=True):
        start = text.index(evidence)
        assert (obs.start, obs.end) == (start, start + len(evidence))
        assert obs.category == "vital-signs"


LABELLED: list[tuple[str, list[Expected]]] = [
    # a label/value block: units printed, several on one line
    (
        "BP: 132/84 mmHg   HR: 72 bpm",
        [(BP, (132, 84), "mm[Hg]", "BP: 132/84 mmHg"), (HR, 72, "/min", "HR: 72 bpm")],
    ),
    # pulse without a unit: /min is the only unit a pulse has
    ("Pulse 72", [(HR, 72, "/min", "Pulse 72")]),
    # Fahrenheit with a bare F
    ("Temp 98.6 F", [(TEMP, 98.6, "[degF]", "Temp 98.6 F")]),
    # the one-letter label T, Celsius
    ("T 37.1 C", [(TEMP, 37.1, "Cel", "T 37.1 C")]),
    # degree sign glued to the value
    ("Temp: 98.6°F", [(TEMP, 98.6, "[degF]", "Temp: 98.6°F")]),
    # SpO2 with a glued percent sign
    ("SpO2: 97%", [(SPO2, 97, "%", "SpO2: 97%")]),
    # "O2 sat", a spaced percent sign, and "RA" (room air) left out of the evidence
    ("O2 sat 97 % RA", [(SPO2, 97, "%", "O2 sat 97 %")]),
    # weight in pounds
    ("Wt: 182 lb", [(WT, 182, "[lb_av]", "Wt: 182 lb")]),
    # weight in kilograms, "lbs" is not needed to tell
    ("Weight 82.5 kg", [(WT, 82.5, "kg", "Weight 82.5 kg")]),
    # feet and inches become inches
    ("Height: 5' 10\"", [(HT, 70, "[in_i]", "Height: 5' 10\"")]),
    # feet and inches without spaces, curly quotes
    ("Ht 5’4”", [(HT, 64, "[in_i]", "Ht 5’4”")]),
    # centimetres
    ("Ht 178 cm", [(HT, 178, "cm", "Ht 178 cm")]),
    # BMI with its unit
    ("BMI 26.1 kg/m2", [(BMI, 26.1, "kg/m2", "BMI 26.1 kg/m2")]),
    # respiratory rate with breaths/min
    ("RR: 16 breaths/min", [(RR, 16, "/min", "RR: 16 breaths/min")]),
    # prose, labels in lower case, values joined by "and"
    (
        "Blood pressure 128/76, heart rate 88 and respiratory rate 16.",
        [
            (BP, (128, 76), "mm[Hg]", "Blood pressure 128/76"),
            (HR, 88, "/min", "heart rate 88"),
            (RR, 16, "/min", "respiratory rate 16"),
        ],
    ),
    # prose with "was" and "of" between label and value
    (
        "Heart rate was 64 and temperature of 99.1 F.",
        [(HR, 64, "/min", "Heart rate was 64"), (TEMP, 99.1, "[degF]", "temperature of 99.1 F")],
    ),
    # "mm Hg" spelt with a space
    ("BP 120/80 mm Hg", [(BP, (120, 80), "mm[Hg]", "BP 120/80 mm Hg")]),
    # colons missing throughout
    ("HR 72 RR 16", [(HR, 72, "/min", "HR 72"), (RR, 16, "/min", "RR 16")]),
    # a qualifier in parentheses between label and value
    ("BP (sitting): 118/76", [(BP, (118, 76), "mm[Hg]", "BP (sitting): 118/76")]),
    # OCR: stray marks between label and value
    (
        "Temp:.98.6 F  BP; 159/67",
        [
            (TEMP, 98.6, "[degF]", "Temp:.98.6 F"),
            (BP, (159, 67), "mm[Hg]", "BP; 159/67"),
        ],
    ),
    # OCR: prose wrapped in the middle of a label and before a unit
    (
        "On arrival, BP 135/68, heart\nrate 100, weight 192\nlb.",
        [
            (BP, (135, 68), "mm[Hg]", "BP 135/68"),
            (HR, 100, "/min", "heart\nrate 100"),
            (WT, 192, "[lb_av]", "weight 192\nlb"),
        ],
    ),
    # a comma as the decimal point
    ("Temp 98,6 F", [(TEMP, 98.6, "[degF]", "Temp 98,6 F")]),
    # "Pulse ox" is an oxygen saturation, not a pulse
    ("Pulse ox 95%", [(SPO2, 95, "%", "Pulse ox 95%")]),
    # failing: a follow-up date is not a blood pressure
    ("Follow up on 12/08.", []),
    # failing: a date after a BP label is not a plausible blood pressure
    ("BP 12/08", []),
    # failing: a full date after a BP label runs on into its year
    ("BP 12/08/2021", []),
    # failing: systolic must be above diastolic
    ("BP 80/120", []),
    # failing: implausible values are dropped, not kept
    ("HR 720", []),
    ("Temp 150 F", []),
    ("SpO2 45%", []),
    # failing: T4 is a thyroid test, not a temperature
    ("T4 1.2", []),
    # failing: a label with no value
    ("Vitals reviewed; BP stable, HR normal.", []),
    # failing: a time is not a pulse
    ("Pulse 08:00", []),
    # failing: the words after the label are not a value
    ("Weight loss 10 lb over a year.", []),
    # failing: a label/value line followed by prose is no flowsheet header
    (
        "BP 120/80 HR 72\nFollow up in 2 weeks.",
        [
            (BP, (120, 80), "mm[Hg]", "BP 120/80"),
            (HR, 72, "/min", "HR 72"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), LABELLED)
def test_labelled_vitals(
    nlp: Language, cfg: ExtractSettings, text: str, expected: list[Expected]
) -> None:
    assert_found(text, run(nlp, cfg, text), expected)


CONFIDENCE = [
    # printed as is: full confidence
    ("BP: 132/84 mmHg", 1.0),
    # OCR: l for 1 in the value is repaired, at a cost
    ("BP: l32/84 mmHg", 0.7),
    # OCR: a zero read as the letter O
    ("HR: 7O", 0.7),
    # OCR: the label itself damaged (0 for O in SpO2)
    ("Sp02: 97%", 0.9),
    # outside the typical range but plausible
    ("HR 38", 0.8),
    # no unit and both units fit: the one where the value is typical, with doubt
    ("Wt 182", 0.85),
    # the value alone decides Celsius from Fahrenheit: no doubt
    ("Temp 37.2", 1.0),
    # a decimal point OCR lost is put back, at a confidence that asks for review
    ("Temp 986 F", 0.45),
]


@pytest.mark.parametrize(("text", "confidence"), CONFIDENCE)
def test_confidence(nlp: Language, cfg: ExtractSettings, text: str, confidence: float) -> None:
    (obs,) = run(nlp, cfg, text).observations
    assert obs.confidence == pytest.approx(confidence)


def test_repaired_values(nlp: Language, cfg: ExtractSettings) -> None:
    ex = run(nlp, cfg, "BP: l32/84 mmHg HR: 7O Temp 986 F")
    assert [summary(o) for o in ex.observations] == [
        (BP, (132, 84), "mm[Hg]"),
        (HR, 70, "/min"),
        (TEMP, 98.6, "[degF]"),
    ]


FLOWSHEET = """VITAL SIGNS FLOWSHEET
Date Time BP HR RR Temp SpO2 Wt
03/14/2021 08:00 132/84 72 16 98.6 97 182
03/14/2021 14:00 128/80 -- 18 99.1 96 --
12/08/2021 08:00 120/80 70 98.4 98 181 lb
Recorded by: A. Nurse, RN"""


def test_flowsheet_rows_take_their_columns_and_dates(nlp: Language, cfg: ExtractSettings) -> None:
    ex = run(nlp, cfg, FLOWSHEET)
    row1 = FLOWSHEET.index("03/14/2021 08:00")
    row2 = FLOWSHEET.index("03/14/2021 14:00")
    row3 = FLOWSHEET.index("12/08/2021")
    expected = [
        # row 1: every column filled
        (BP, (132, 84), "mm[Hg]", "132/84", row1, "2021-03-14", 1.0),
        (HR, 72, "/min", "72", row1, "2021-03-14", 1.0),
        (RR, 16, "/min", "16", row1, "2021-03-14", 1.0),
        (TEMP, 98.6, "[degF]", "98.6", row1, "2021-03-14", 1.0),
        (SPO2, 97, "%", "97", row1, "2021-03-14", 1.0),
        # a weight without a unit: pounds, where 182 is typical, with some doubt
        (WT, 182, "[lb_av]", "182", row1, "2021-03-14", 0.85),
        # row 2: "--" cells keep the columns aligned and give nothing
        (BP, (128, 80), "mm[Hg]", "128/80", row2, "2021-03-14", 1.0),
        (RR, 18, "/min", "18", row2, "2021-03-14", 1.0),
        (TEMP, 99.1, "[degF]", "99.1", row2, "2021-03-14", 1.0),
        (SPO2, 96, "%", "96", row2, "2021-03-14", 1.0),
        # row 3: the date 12/08 is the row's date, not a BP; one cell is missing without a
        # placeholder, so 70 is placed where it fits best (a pulse, not a respiration),
        # with a penalty; the weight's printed unit joins its cell
        (BP, (120, 80), "mm[Hg]", "120/80", row3, "2021-12-08", 0.8),
        (HR, 70, "/min", "70", row3, "2021-12-08", 0.8),
        (TEMP, 98.4, "[degF]", "98.4", row3, "2021-12-08", 0.8),
        (SPO2, 98, "%", "98", row3, "2021-12-08", 0.8),
        (WT, 181, "[lb_av]", "181 lb", row3, "2021-12-08", 0.8),
    ]
    got = [
        (*summary(o), FLOWSHEET[o.start : o.end], o.effective, o.confidence)
        for o in ex.observations
    ]
    assert got == [(c, v, u, ev, eff, conf) for c, v, u, ev, _row, eff, conf in expected]
    for obs, (_c, _v, _u, evidence, row, _eff, _conf) in zip(
        ex.observations, expected, strict=True
    ):
        # the cell itself, not the same digits inside another cell ("98" of "98.4")
        cell = re.compile(rf"(?<![\S]){re.escape(evidence)}(?![\S])")
        match = cell.search(FLOWSHEET, row)
        assert match is not None
        assert (obs.start, obs.end) == match.span()


def test_flowsheet_header_units_and_time_only_rows(nlp: Language, cfg: ExtractSettings) -> None:
    text = (
        "Date: 05/02/2022\n"
        "Time BP (mmHg) Pulse Temp (C) Weight (kg)\n"
        "08:00 118/72 64 36.9 70.2\n"
        "16:00 121/75 70 37.4 --\n"
    )
    ex = run(nlp, cfg, text)
    assert [(*summary(o), o.effective) for o in ex.observations] == [
        (BP, (118, 72), "mm[Hg]", "2022-05-02"),
        (HR, 64, "/min", "2022-05-02"),
        # the header's (C) and (kg) give the units
        (TEMP, 36.9, "Cel", "2022-05-02"),
        (WT, 70.2, "kg", "2022-05-02"),
        (BP, (121, 75), "mm[Hg]", "2022-05-02"),
        (HR, 70, "/min", "2022-05-02"),
        (TEMP, 37.4, "Cel", "2022-05-02"),
    ]


def test_flowsheet_goes_on_after_a_page_break(nlp: Language, cfg: ExtractSettings) -> None:
    page1 = "Date Time BP HR\n03/14/2021 08:00 132/84 72\nDOE, JANE MRN: 1234567 Page 1 of 2"
    page2 = "Doe, Jane MRN 1234567 (continued)\n03/15/2021 08:00 126/78 70\nEnd of record"
    ex = run(nlp, cfg, page1, page2)
    assert [(*summary(o), o.effective) for o in ex.observations] == [
        (BP, (132, 84), "mm[Hg]", "2021-03-14"),
        (HR, 72, "/min", "2021-03-14"),
        (BP, (126, 78), "mm[Hg]", "2021-03-15"),
        (HR, 70, "/min", "2021-03-15"),
    ]


def test_flowsheet_ocr_damage(nlp: Language, cfg: ExtractSettings) -> None:
    text = (
        # a heading merged into the header line by OCR; "Ib" for "lb" in the unit
        "VITAL Date SIGNS: Time BP (mmHg) HR Temp (F) Wt (Ib)\n"
        # a decimal point read as a colon; a table rule "|" read from the ruling
        "| 2020-01-25 06:19 | 121/81 89 99:3 150\n"
    )
    ex = run(nlp, cfg, text)
    assert [(*summary(o), o.effective, o.confidence) for o in ex.observations] == [
        (BP, (121, 81), "mm[Hg]", "2020-01-25", 1.0),
        (HR, 89, "/min", "2020-01-25", 1.0),
        (TEMP, 99.3, "[degF]", "2020-01-25", 0.7),
        (WT, 150, "[lb_av]", "2020-01-25", 1.0),
    ]


def test_flowsheet_header_merged_with_its_first_row(nlp: Language, cfg: ExtractSettings) -> None:
    # On a skewed scan OCR merged the header with the first row: the labels still give the
    # columns; the interleaved first row is not read rather than read wrong.
    text = (
        "2020-08-05 Date 08:12 Time BP 145/84 (mmHg) 84 HR RR 12 98.9 Temp (F) 93 SpO2 (%)\n"
        "2020-09-26 12:22 158/86 59 20 97.9 92\n"
        "2020-12-01 08:44 146/59 56 19 100.4 96\n"
    )
    ex = run(nlp, cfg, text)
    assert [(*summary(o), o.effective) for o in ex.observations] == [
        (BP, (158, 86), "mm[Hg]", "2020-09-26"),
        (HR, 59, "/min", "2020-09-26"),
        (RR, 20, "/min", "2020-09-26"),
        (TEMP, 97.9, "[degF]", "2020-09-26"),
        (SPO2, 92, "%", "2020-09-26"),
        (BP, (146, 59), "mm[Hg]", "2020-12-01"),
        (HR, 56, "/min", "2020-12-01"),
        (RR, 19, "/min", "2020-12-01"),
        (TEMP, 100.4, "[degF]", "2020-12-01"),
        (SPO2, 96, "%", "2020-12-01"),
    ]


def test_no_flowsheet_without_rows(nlp: Language, cfg: ExtractSettings) -> None:
    # A line of labels with prose after it is no table, and the prose is still read.
    text = "BP HR RR\nPatient reports feeling well. HR 66 today."
    assert [summary(o) for o in run(nlp, cfg, text).observations] == [(HR, 66, "/min")]


def test_components_are_recorded_on_the_spacy_doc(nlp: Language) -> None:
    doc = nlp("BP: 132/84 mmHg\nGlucose 182 mg/dL 70-99 H\nDOB: 01/02/1950")
    labels = sorted((s.label_, s.text) for s in doc.spans["chart2fhir"])
    assert labels == [
        ("DATE", "01/02/1950"),
        ("LAB_RESULT", "Glucose 182 mg/dL"),
        ("VITAL_SIGN", "BP: 132/84 mmHg"),
    ]
