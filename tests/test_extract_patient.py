"""Demographics, document kind, document date and effective dates, on the blank pipeline."""

from __future__ import annotations

import pytest
from spacy.language import Language

from pipeline.schema import Patient
from pipeline.settings import ExtractSettings
from tests.extract_helpers import run

PATIENTS = [
    # LAST, FIRST M on a header line with other fields after it
    (
        "Patient: SMITH, JOHN A    DOB: 04/12/1956    MRN: 00123456\nSex: M",
        Patient(
            mrn="00123456",
            family="Smith",
            given=("John", "A"),
            birth_date="1956-04-12",
            gender="male",
        ),
    ),
    # First Last, single spaces as OCR prints them, the next field's two-word label after it
    (
        "Name: Kenneth Powell Admission Date: Apr 21, 2024\nMRN: 59601545\nDate of Birth: "
        "Oct 25, 1933 Attending: Richard Barker, PA-C\nSex: M",
        Patient(
            mrn="59601545",
            family="Powell",
            given=("Kenneth",),
            birth_date="1933-10-25",
            gender="male",
        ),
    ),
    # Med Rec #, a day-first date of birth, Gender spelt out
    (
        "Patient Name: Doe, Jane Report Date: 20-Apr-2020\nMed Rec #: 97629647\n"
        "DOB: 06-May-1922 Gender: Female",
        Patient(
            mrn="97629647",
            family="Doe",
            given=("Jane",),
            birth_date="1922-05-06",
            gender="female",
        ),
    ),
    # separate Last Name / First Name fields of an intake form; the emergency contact's
    # "Name:" under its heading is someone else's
    (
        "Last Name: Sanchez First Name: Michael\nDate of Birth: 08-Jun-1944 Sex: Male\n"
        "Emergency Contact:\nName: John Maldonado Relationship: Son\nMRN (office use): 9991209",
        Patient(
            mrn="9991209",
            family="Sanchez",
            given=("Michael",),
            birth_date="1944-06-08",
            gender="male",
        ),
    ),
    # a provider's name is not the patient's; the MRN only in the footer; two-digit DOB year
    (
        "Provider Name: Dr. Taylor Adams\nPatient: O'BRIEN, MARY\n"
        "O'BRIEN, MARY MRN 7654321 DOB: 3/4/48 Page 1 of 1",
        Patient(
            mrn="7654321",
            family="O'Brien",
            given=("Mary",),
            birth_date="1948-03-04",
        ),
    ),
    # mixed case as printed is kept (McDonald); Medical Record No. with letters in the MRN
    (
        "Patient: McDonald, Ann\nMedical Record No.: E2217293",
        Patient(mrn="E2217293", family="McDonald", given=("Ann",)),
    ),
    # OCR: a misread sex value and a stray period after the label
    ("Sex:.Maie", Patient(gender="male")),
    ("Sex: Fr", Patient(gender="female")),
    # a report heading ending in a colon does not make the patient someone else
    (
        "LABORATORY REPORT -:\nPatient Name: Martin, Daniel - Collected: 12/14/2020",
        Patient(family="Martin", given=("Daniel",)),
    ),
    # failing: a field label read into the sex value is not a sex ("First" is not F)
    ("Sex: First Name: Gregory", Patient(given=("Gregory",))),
    # failing: "Patient is a ..." is not a name; too few digits for an MRN
    ("Patient is a 45 year old man. MRN: ABC", Patient()),
    # failing: a sex label with a word that is no sex
    ("Sex: unremarkable history", Patient()),
]


@pytest.mark.parametrize(("text", "patient"), PATIENTS)
def test_patient(nlp: Language, cfg: ExtractSettings, text: str, patient: Patient) -> None:
    assert run(nlp, cfg, text).patient == patient


KINDS = [
    # the title a few lines down, under the letterhead
    ("Riverside Clinic\n123 Main St\nPROGRESS NOTE\nPatient: DOE, JANE", "progress-note"),
    ("Hill Medical Center\nLAB RESULTS REPORT\n", "lab-report"),
    ("Nursing Services\nVital Signs Record\n", "vitals-flowsheet"),
    ("VITALS FLOWSHEET\n", "vitals-flowsheet"),
    ("Discharge Summary\n", "discharge-summary"),
    ("NEW PATIENT INTAKE FORM\n", "intake-form"),
    ("Patient Registration Form\n", "intake-form"),
    ("MEDICATION LIST\n", "medication-list"),
    ("Active Medications\n", "medication-list"),
    ("OFFICE VISIT NOTE\n", "progress-note"),
    # the earliest title line wins over a later one
    ("Discharge Summary\nProgress notes reviewed.\n", "discharge-summary"),
    # failing: a kind word far down the body is no title
    ("A\nB\nC\nD\nE\nF\nG\nH\nI\nSee the attached lab report.", None),
    # failing: no title at all
    ("Riverside Clinic\nPatient: DOE, JANE", None),
]


@pytest.mark.parametrize(("text", "kind"), KINDS)
def test_document_kind(nlp: Language, cfg: ExtractSettings, text: str, kind: str | None) -> None:
    assert run(nlp, cfg, text).document_kind == kind


def test_document_kind_only_from_the_first_page(nlp: Language, cfg: ExtractSettings) -> None:
    assert run(nlp, cfg, "Riverside Clinic", "LAB REPORT").document_kind is None


DATES = [
    # the visit date dates the vitals; the DOB before it never does
    ("DOB: 01/02/1950\nDate of Service: 03/14/2021\nBP 120/80", "2021-03-14", ["2021-03-14"]),
    # DOS and a two-digit year
    ("DOS: 3/14/21\nHR 72", "2021-03-14", ["2021-03-14"]),
    # a bare "Date:" near the top of the page is the document date
    ("Clinic\nDate: Mar 14, 2021\nHR 72", "2021-03-14", ["2021-03-14"]),
    # failing: a bare "Date:" by the signature at the bottom is not
    ("HR 72\n" + "text\n" * 15 + "Signed: Dr. A Date: 03/20/2021", None, [None]),
    # failing: only a DOB printed: no document date and no effective date
    ("DOB: 01/02/1950\nHR 72", None, [None]),
    # a lab report that prints only the collection date: it dates the document too
    ("Collected: 03/15/2021 07:45\nGlucose 182 mg/dL", "2021-03-15", ["2021-03-15"]),
    # labs take the collection date, vitals the visit date
    (
        "Visit Date: 03/20/2021\nBP 120/80\nLabs drawn 03/10/2021: Na 138",
        "2021-03-20",
        ["2021-03-20", "2021-03-10"],
    ),
    # two visits in one document: each value takes the visit date printed before it
    (
        "Visit Date: 01/05/2021\nHR 70\nVisit Date: 02/05/2021\nHR 80",
        "2021-01-05",
        ["2021-01-05", "2021-02-05"],
    ),
    # a discharge summary: values "on arrival" take the admission date, the rest the
    # discharge date
    (
        "Admission Date: 04/21/2024\nDischarge Date: 04/27/2024\nHOSPITAL COURSE:\n"
        "On arrival, BP 146/75, pulse 65.\nDISCHARGE VITALS:\nBP 130/70, pulse 72.",
        "2024-04-27",
        ["2024-04-21", "2024-04-21", "2024-04-27", "2024-04-27"],
    ),
    # a cue wrapped onto the next line in prose: "On\narrival"
    (
        "Admission Date: 09/27/2023\nDischarge Date: 09/30/2023\nHOSPITAL COURSE\n"
        "He presented with COPD exacerbation. On\narrival, BP 159/87, HR 81.",
        "2023-09-30",
        ["2023-09-27", "2023-09-27"],
    ),
    # OCR: a stray period before the date
    ("Discharge Date: .04/26/2022\nHR 65", "2022-04-26", ["2022-04-26"]),
    # OCR: a word of the cue broken in two ("Admissio n labs")
    (
        "Admission Date: 11/18/2020\nDischarge Date: 11/20/2020\n"
        "Admissio n labs were notable for sodium 141 mmol/L.",
        "2020-11-20",
        ["2020-11-18"],
    ),
    # a date printed right after the value dates it, over the visit date
    (
        "Date of Service: 09/02/2023\nMost recent HbA1c 9.2% on Aug 6, 2023. HR 72 (09/01/2023)",
        "2023-09-02",
        ["2023-08-06", "2023-09-01"],
    ),
]


@pytest.mark.parametrize(("text", "document_date", "effective"), DATES)
def test_dates(
    nlp: Language,
    cfg: ExtractSettings,
    text: str,
    document_date: str | None,
    effective: list[str | None],
) -> None:
    ex = run(nlp, cfg, text)
    assert ex.document_date == document_date
    assert [o.effective for o in ex.observations] == effective


def test_dob_value_is_never_read_as_a_measurement(nlp: Language, cfg: ExtractSettings) -> None:
    # "DOB 12/08/1950" holds "12/08" and "1950": neither is a BP nor anything else.
    ex = run(nlp, cfg, "BP DOB 12/08/1950\nWeight DOB: 1/2/50")
    assert ex.observations == ()
    assert ex.patient.birth_date == "1950-12-08"
