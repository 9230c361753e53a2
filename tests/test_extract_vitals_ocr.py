"""Flowsheets read off faxed scans: OCR noise in the header and the rows.

Each row of a table gives a flowsheet text and every value expected from it as
(code, value, unit, effective date, whether the confidence is below review's 0.5).
Failing cases are included: noise that must not turn into a value.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from pipeline.schema import Observation
from pipeline.settings import ExtractSettings
from tests.extract_helpers import run

BP, SYS, DIA = "85354-9", "8480-6", "8462-4"
HR, RR, TEMP, SPO2, WT = "8867-4", "9279-1", "8310-5", "2708-6", "29463-7"

HEADER = "Date Time BP (mmHg) HR RR Temp (F) SpO2 (%) Wt (lb)\n"
# The header as a fax reads it: "Time" as "Tithe", a brace for a parenthesis, a stray
# quote, "lb" as "1b".
NOISY_HEADER = "Date Tithe BP (mmHg} “ HR RR Temp (F) SpO2 (%) wt (1b)\n"

Row = tuple[str, float | tuple[float, float], str, str, bool]


def rows(obs: tuple[Observation, ...]) -> list[Row]:
    out: list[Row] = []
    for o in obs:
        if o.quantity is not None:
            value: float | tuple[float, float] = o.quantity.value
            unit = o.quantity.unit
        else:
            value = (o.components[0].quantity.value, o.components[1].quantity.value)
            unit = o.components[0].quantity.unit
        out.append((o.code, value, unit, o.effective or "", o.confidence < 0.5))
    return out


def day(date: str, bp: tuple[float, float], hr: float, rr: float) -> list[Row]:
    return [
        (BP, bp, "mm[Hg]", date, False),
        (HR, hr, "/min", date, False),
        (RR, rr, "/min", date, False),
    ]


D18, D19 = "2023-02-18", "2023-02-19"

CASES: list[tuple[str, list[Row]]] = [
    # the damaged header still gives every column; a clean row under it reads in full
    (
        NOISY_HEADER + "Feb 18, 2023 22:15 114/68 106 17 100.6 94 266\n",
        [
            *day(D18, (114, 68), 106, 17),
            (TEMP, 100.6, "[degF]", D18, False),
            (SPO2, 94, "%", D18, False),
            (WT, 266, "[lb_av]", D18, False),
        ],
    ),
    # a period glued to the BP and a quote before a number are noise, not cells
    (
        HEADER + 'Feb 19, 2023 07:14 121/66. 84 12 "98.0 92 --\n',
        [
            *day(D19, (121, 66), 84, 12),
            (TEMP, 98.0, "[degF]", D19, False),
            (SPO2, 92, "%", D19, False),
        ],
    ),
    # a lone degree sign between cells is dropped; the row stays positional
    (
        HEADER + "Feb 18, 2023 19:05 120/60 89 16 ° 100.4 94 --\n",
        [
            *day(D18, (120, 60), 89, 16),
            (TEMP, 100.4, "[degF]", D18, False),
            (SPO2, 94, "%", D18, False),
        ],
    ),
    # times with ",", "." or "'" for the colon are the time cell, not values
    (
        HEADER
        + "Feb 19, 2023 07,14 121/66 84 12 98.0 92 --\n"
        + "Feb 19, 2023 11.11 113/80 100 21 99.3 98 --\n"
        + "Feb 19, 2023 15'10 128/73 63 16 98.5 97 --\n",
        [
            *day(D19, (121, 66), 84, 12),
            (TEMP, 98.0, "[degF]", D19, False),
            (SPO2, 92, "%", D19, False),
            *day(D19, (113, 80), 100, 21),
            (TEMP, 99.3, "[degF]", D19, False),
            (SPO2, 98, "%", D19, False),
            *day(D19, (128, 73), 63, 16),
            (TEMP, 98.5, "[degF]", D19, False),
            (SPO2, 97, "%", D19, False),
        ],
    ),
    # a garbled time ("93:18", hour 93) is still the time cell
    (
        HEADER + "Feb 19, 2023 93:18 129/82 65 16 98.3 98 264\n",
        [
            *day(D19, (129, 82), 65, 16),
            (TEMP, 98.3, "[degF]", D19, False),
            (SPO2, 98, "%", D19, False),
            (WT, 264, "[lb_av]", D19, False),
        ],
    ),
    # "99 3": the point read as a space, one cell too many: 99.3, sent to review
    (
        HEADER + "Feb 18, 2023 03:14 122/77 66 16 99 3 99 266\n",
        [
            *day(D18, (122, 77), 66, 16),
            (TEMP, 99.3, "[degF]", D18, True),
            (SPO2, 99, "%", D18, False),
            (WT, 266, "[lb_av]", D18, False),
        ],
    ),
    # "100 4" with the weight cell left off: "4" cannot be a SpO2, so it is the tenth; 94
    # then fits SpO2 and Wt (lb) alike, and a value that could be either is not emitted
    (
        HEADER + "Feb 18, 2023 19:05 110/60 89 16 100 4 94\n",
        [
            *day(D18, (110, 60), 89, 16),
            (TEMP, 100.4, "[degF]", D18, True),
        ],
    ),
    # failing: "98 95" is a temperature of 98 and a SpO2 of 95, never 98.95 or 98.9
    (
        HEADER + "Feb 18, 2023 19:05 110/60 89 16 98 95 --\n",
        [
            *day(D18, (110, 60), 89, 16),
            (TEMP, 98, "[degF]", D18, False),
            (SPO2, 95, "%", D18, False),
        ],
    ),
    # failing: "90 7" is not joined, 90.7 being no typical temperature; 7 is no SpO2, so the
    # row stops there, and 90 (atypical, just before the break) is dropped too
    (
        HEADER + "Feb 18, 2023 19:05 110/60 89 16 90 7 266\n",
        day(D18, (110, 60), 89, 16),
    ),
    # a month one letter off is read when it is the previous row's date
    (
        HEADER
        + "Feb 19, 2023 07:14 121/66 84 12 98.0 92 --\n"
        + "Fep 19, 2023 11:11 113/80 100 21 99.3 98 --\n",
        [
            *day(D19, (121, 66), 84, 12),
            (TEMP, 98.0, "[degF]", D19, False),
            (SPO2, 92, "%", D19, False),
            *day(D19, (113, 80), 100, 21),
            (TEMP, 99.3, "[degF]", D19, False),
            (SPO2, 98, "%", D19, False),
        ],
    ),
    # failing: a damaged month giving another day than the row before is not guessed;
    # the row is skipped and the table goes on
    (
        HEADER
        + "Feb 19, 2023 07:14 121/66 84 12 98.0 92 --\n"
        + "Feo 20, 2023 11:11 113/80 100 21 99.3 98 --\n"
        + "Feb 20, 2023 15:10 128/73 63 16 98.5 97 --\n",
        [
            *day(D19, (121, 66), 84, 12),
            (TEMP, 98.0, "[degF]", D19, False),
            (SPO2, 92, "%", D19, False),
            *day("2023-02-20", (128, 73), 63, 16),
            (TEMP, 98.5, "[degF]", "2023-02-20", False),
            (SPO2, 97, "%", "2023-02-20", False),
        ],
    ),
    # failing: an unreadable row date ("418") drops that row, never borrowing the last date
    (
        HEADER
        + "Feb 18, 2023 07:14 121/66 84 12 98.0 92 --\n"
        + "Feb 418, 2023 11:05 124/91 79 17 98.9 95 --\n"
        + "Feb 18, 2023 15:20 128/82 104 21 98.1 91 --\n",
        [
            *day(D18, (121, 66), 84, 12),
            (TEMP, 98.0, "[degF]", D18, False),
            (SPO2, 92, "%", D18, False),
            *day(D18, (128, 82), 104, 21),
            (TEMP, 98.1, "[degF]", D18, False),
            (SPO2, 91, "%", D18, False),
        ],
    ),
    # failing: a cell that cannot be its column's value ("1.3" as a temperature) stops the
    # row there: the cells after it may have shifted (400 is no weight here)
    (
        HEADER + "Feb 20, 2023 15:15 124/61 87 16 1.3 100 400\n",
        day("2023-02-20", (124, 61), 87, 16),
    ),
    # failing: a decimal is no pulse, respiration or SpO2 ("92.9" in the SpO2 column)
    (
        HEADER + "Feb 20, 2023 19:16 113/78 104 17 98.9 92.9 --\n",
        [*day("2023-02-20", (113, 78), 104, 17), (TEMP, 98.9, "[degF]", "2023-02-20", False)],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_noisy_flowsheet(
    nlp: Language, cfg: ExtractSettings, text: str, expected: list[Row]
) -> None:
    assert rows(run(nlp, cfg, text).observations) == expected


HEADER_WORDS: list[tuple[str, str | None]] = [
    # one letter read as two ("m" as "th")
    ("Tithe", "@time"),
    # one letter changed
    ("Ternp", "temp"),
    # one letter dropped
    ("Weigt", "weight"),
    # failing: two slips away from any label
    ("Tribe", None),
    # failing: short words are never guessed ("Wk" is no "Wt")
    ("Wk", None),
    # failing: two slips from "Date" and "Time" alike
    ("Dome", None),
]


@pytest.mark.parametrize(("word", "key"), HEADER_WORDS)
def test_header_word_one_slip_away(nlp: Language, word: str, key: str | None) -> None:
    column = nlp.get_pipe("chart2fhir_vitals_v1")._header_word(word)
    assert (column.key if column else None) == key
