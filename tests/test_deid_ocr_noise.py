"""Table tests for the OCR-noise tolerances: what a faxed page does to each PHI shape.

Every value is synthetic. Each table has failing rows: the tolerance must not take clinical
text (vitals, times, lab values and ranges, doses, counts).
"""

from __future__ import annotations

import pytest
from presidio_analyzer import EntityRecognizer

from pipeline.deid import recognizers as r
from pipeline.deid.assets import DeidAssets, load_assets
from pipeline.settings import MODELS_DIR, DeidSettings, configure_process

configure_process()

THRESHOLD = DeidSettings().score_threshold


@pytest.fixture(scope="module")
def assets() -> DeidAssets:
    return load_assets(MODELS_DIR)


def found(recognizer: EntityRecognizer, text: str) -> list[tuple[int, int]]:
    """(start, end) of the results at or above the default threshold, in order."""
    results = recognizer.analyze(text, recognizer.supported_entities, None)
    return sorted((x.start, x.end) for x in results if x.score >= THRESHOLD)


CITY_CASES = [
    # a state code that is no state, then a ZIP
    ("Lakemont, QX 40217", [(0, 8)]),
    # a state code with a lower-case letter
    ("Port Elmwood, gA 40217", [(0, 12)]),
    # a ZIP with a letter and a "?" for digits
    ("Port Elmwood, RE SC402?", [(0, 12)]),
    # failing: no comma after the city
    ("Lakemont QX 40217", []),
    # failing: two lower-case letters are a word, not a state
    ("Glucose, mg 40217", []),
    # failing: the ZIP has too few digits
    ("Lakemont, QX ABCD1", []),
]


@pytest.mark.parametrize(("text", "spans"), CITY_CASES)
def test_city_garbled_state(assets: DeidAssets, text: str, spans: list[tuple[int, int]]) -> None:
    assert found(r.CityRecognizer(assets), text) == spans


ZIP_CASES = [
    # a state code that is no state
    ("Lakemont, QX 40217", [(13, 18)]),
    # a lower-case letter in the state
    ("Lakemont, fN 40217", [(13, 18)]),
    # look-alike characters in the ZIP
    ("Lakemont, RE SC402?", [(13, 19)]),
    # failing: no comma after the city
    ("Lakemont QX 40217", []),
    # failing: a lab value after a unit
    ("Platelets, mg 25000", []),
    # failing: a count after a real word and a comma, no state-shaped token
    ("Platelets, 25000", []),
]


@pytest.mark.parametrize(("text", "spans"), ZIP_CASES)
def test_zip_garbled_state(assets: DeidAssets, text: str, spans: list[tuple[int, int]]) -> None:
    assert found(r.ZipCodeRecognizer(assets), text) == spans


PHONE_CASES = [
    # commas for dots after a label
    ("Tel: 555,213,7514", [(5, 17)]),
    # a comma among the separators, unlabelled
    ("F:.555.213,0118", [(3, 15)]),
    # a speck next to a separator after a label
    ("Phone '555> 213-5721", [(7, 20)]),
    # failing: a count grouped by commas
    ("WBC 1,234,567 cells", []),
    # failing: a vital and a time
    ("BP 132/84 at 07:15", []),
    # failing: clean digits with mixed separators, no comma, no label
    ("555-123.4567", []),
    # failing: a decimal before the number
    ("3.555.213,0118", []),
]


@pytest.mark.parametrize(("text", "spans"), PHONE_CASES)
def test_phone_noise(assets: DeidAssets, text: str, spans: list[tuple[int, int]]) -> None:
    assert found(r.ChartPhoneRecognizer(assets), text) == spans


MRN_CASES = [
    # an "=" speck between label and value, a junk currency sign for a letter
    ("MRN: = £14118447 Reviewed", [(7, 16)]),
    # failing: a blank form
    ("MRN: = 0000000", []),
]


@pytest.mark.parametrize(("text", "spans"), MRN_CASES)
def test_mrn_noise(assets: DeidAssets, text: str, spans: list[tuple[int, int]]) -> None:
    assert found(r.MrnRecognizer(assets), text) == spans


DATE_CASES = [
    # a lower-case month between the day and a hyphen
    ("25 jul-2018 | 10 40", [(0, 11)]),
    # the month's first letter misread ("pec" for "Dec")
    ("28 pec-2018 | 16", [(0, 11)]),
    # a zero for the O of "Oct"
    ("12-0ct-2019 | 09", [(0, 11)]),
    # the first letter misread between hyphens
    ("24-dun-2020 | 08.46", [(0, 11)]),
    # failing: three letters two edits from any month
    ("25 xyz-2018", []),
    # failing: a day the month does not have
    ("30 feo-2018", []),
    # failing: a dose and a range
    ("25 mg-2018", []),
    # failing: no year
    ("25 jul-18", []),
]


@pytest.mark.parametrize(("text", "spans"), DATE_CASES)
def test_ocr_date_noise(assets: DeidAssets, text: str, spans: list[tuple[int, int]]) -> None:
    assert found(r.OcrDateRecognizer(assets), text) == spans


FLOWSHEET_CASES = [
    # year first, a month out of range (a misread digit), then a time
    ("2017-16-07 14:21 158/89 61", [(0, 10)]),
    # a space for the first hyphen
    ("2018 07-01 11:48 - 155/73", [(0, 10)]),
    # failing: not at the start of the line
    ("Date 2018-07-01 11:48", []),
    # failing: no time after it
    ("2018-07-01 BP 155/73", []),
    # failing: a lab row with values, no year
    ("1530 07-01 11:48", []),
    # garbled beyond reading, but a vitals row: the date cell before a time and a BP
    ("20:Mar-2021.. 07.05 36/61 60 20", [(0, 13)]),
    ("23-Mat 2021 1105 107-67 52", [(0, 11)]),
    ("42/28/2023 11.03 100/64 98.1", [(0, 10)]),
    # failing: a year then a dose, no blood pressure after
    ("Since 2019 1200 mg daily", []),
    # failing: a year in prose, the BP comes later in the sentence
    ("In 2019 she had BP 150/90", []),
]


@pytest.mark.parametrize(("text", "spans"), FLOWSHEET_CASES)
def test_flowsheet_year_first(text: str, spans: list[tuple[int, int]]) -> None:
    assert found(r.FlowsheetRowDateRecognizer(), text) == spans


STREET_CASES = [
    # a garbled suffix, an apartment number
    ("707 Vaughn Falis Apt. 428, Port Elmwood", [(0, 25)]),
    # a suite, no suffix at all
    ("11107 Chavez Vavleys Suite 7B", [(0, 29)]),
    # failing: no house number
    ("Vaughn Falis Apt. 428", []),
    # failing: a dose and a lot number
    ("2 Tablets Daily Lot 428", []),
    # failing: lower-case words
    ("707 tablets daily Apt. 428", []),
]


@pytest.mark.parametrize(("text", "spans"), STREET_CASES)
def test_street_garbled_suffix(assets: DeidAssets, text: str, spans: list[tuple[int, int]]) -> None:
    assert found(r.StreetAddressRecognizer(assets), text) == spans


EMAIL_SPLIT_CASES = [
    # after a label: a space before the dot splits the local part
    ("Email: amber .jones69@example.net", [(7, 33)]),
    # after a label: a space after the dot
    ("E-mail: amber. jones@example.org", [(8, 32)]),
    # after a label, mid-line after another field
    ("Phone: 555-0100 Email: kim .lee@example.com", [(23, 43)]),
    # unlabelled: "word ." glued to the local part
    ("write to amber .jones@example.net", [(9, 33)]),
    # failing: unlabelled "word. " ends the sentence before the address
    ("call me. jones@example.org", [(9, 26)]),
    # failing: a label with an unsplit address takes nothing before it
    ("Email: jones@example.org", [(7, 24)]),
]


@pytest.mark.parametrize(("text", "spans"), EMAIL_SPLIT_CASES)
def test_email_split_local_part(text: str, spans: list[tuple[int, int]]) -> None:
    assert found(r.ChartEmailRecognizer(), text) == spans


LOWER_FIRST_NAME_CASES = [
    # a signer with a credential after a comma
    (r.LabelledPersonRecognizer, "Recorded by: whitney Cain, RN", [(13, 25)]),
    # a provider field, the name ends the line
    (r.LabelledPersonRecognizer, "Attending: sarah Chen", [(11, 21)]),
    # a patient field followed by the next label
    (r.PatientNameRecognizer, "Patient: amber Jones DOB: 01/02/1950", [(9, 20)]),
    # a line-start name label, a wide gap before the next column
    (r.PatientNameRecognizer, "Name: eric Hill   Relationship: Friend", [(6, 15)]),
    # an ordinary leading word is trimmed off
    (r.LabelledPersonRecognizer, "Recorded by: nurse Cain, RN", [(19, 23)]),
    # failing: the field goes on after the capitalised word
    (r.LabelledPersonRecognizer, "Reviewed by: pharmacy Staff today", []),
    # failing: ordinary words only
    (r.LabelledPersonRecognizer, "Provider: family Medicine", []),
    # failing: no label
    (r.LabelledPersonRecognizer, "vitals by whitney Cain, RN", []),
]


@pytest.mark.parametrize(("cls", "text", "spans"), LOWER_FIRST_NAME_CASES)
def test_lower_case_first_name(
    assets: DeidAssets, cls: type, text: str, spans: list[tuple[int, int]]
) -> None:
    assert found(cls(assets), text) == spans


SPACED_DATE_CASES = [
    # a space before the second hyphen, at the start of a flowsheet row
    ("25-Mar -2018 09:42 172/89", [(0, 12)]),
    # a space after the first hyphen
    ("25- Mar-2018", [(0, 12)]),
    # spaces on both sides of a hyphen
    ("25 - Mar - 2018", [(0, 15)]),
    # numeric with spaced slashes and a four-digit year
    ("DOB 03/ 14/1948", [(4, 15)]),
    ("DOB 03 /14 / 1948", [(4, 17)]),
    # failing: a blood pressure
    ("BP 120/ 80", []),
    # failing: a reference range
    ("Glucose 70 -99", []),
    # failing: a spaced numeric date without a four-digit year
    ("seen 03/ 14/48", []),
    # failing: a month word that is no month
    ("25-Mzr -2018", []),
    # failing: mixed separators
    ("03/14 -2020", []),
]


@pytest.mark.parametrize(("text", "spans"), SPACED_DATE_CASES)
def test_date_spaced_separators(
    assets: DeidAssets, text: str, spans: list[tuple[int, int]]
) -> None:
    assert found(r.ChartDateRecognizer(assets), text) == spans
