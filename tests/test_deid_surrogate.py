"""Surrogates, date shifts, the de-identified extraction and the Safe Harbor kinds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.deid.assets import DeidAssets, load_assets
from pipeline.deid.safe_harbor import kind_of, safe_harbor_report
from pipeline.deid.surrogate import (
    Surrogates,
    deidentify_extraction,
    load_or_create_key,
    patient_key,
    replace_with_surrogates,
    shift_date_text,
    shift_iso,
)
from pipeline.schema import (
    Extraction,
    Observation,
    Patient,
    PhiReport,
    Quantity,
    RedactionCheck,
    Span,
)
from pipeline.settings import DeidSettings

KEY = b"0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def assets() -> DeidAssets:
    return load_assets(DeidSettings().models_dir)


@pytest.fixture(scope="module")
def surrogates(assets: DeidAssets) -> Surrogates:
    return Surrogates(KEY, assets)


SHIFT_TEXT_CASES = [
    # numeric, month first: separators kept
    ("03/14/2023", 30, "02/12/2023"),
    ("03-14-2023", 30, "02-12-2023"),
    # ISO stays ISO
    ("2023-03-14", 1, "2023-03-13"),
    # a month name gives a month name; across a year boundary
    ("Jan 5, 2023", 10, "Dec 26, 2022"),
    ("5-Jan-2023", 10, "Dec 26, 2022"),
    # OCR look-alikes read as digits
    ("O3/14/2O23", 30, "02/12/2023"),
    # failing: not a full date, so nothing to shift (the caller prints [DATE])
    ("Feb 2023", 30, None),
    ("2023", 30, None),
    ("13/45/2023", 30, None),
]


@pytest.mark.parametrize(("value", "days", "expected"), SHIFT_TEXT_CASES)
def test_shift_date_text(assets: DeidAssets, value: str, days: int, expected: str | None) -> None:
    assert shift_date_text(value, days, assets.words) == expected


SHIFT_ISO_CASES = [
    ("2021-05-02", 2, "2021-04-30"),
    # the time of day is kept
    ("2021-05-02T08:15:00", 2, "2021-04-30T08:15:00"),
    # a year and month is cut to the year of its shifted first day
    ("2021-01", 2, "2020"),
    ("2021-05", 2, "2021"),
    ("2021", 2, "2020"),
]


@pytest.mark.parametrize(("value", "days", "expected"), SHIFT_ISO_CASES)
def test_shift_iso(value: str, days: int, expected: str) -> None:
    assert shift_iso(value, days) == expected


TEXT_CASES = [
    # a name keeps its shape: case, comma, title
    ("PERSON", "HARRISON, MARGARET", r"^[A-Z]+, [A-Z]+$"),
    ("PERSON", "Dr. Sarah Chen", r"^Dr\. [A-Z][a-z]+ [A-Z][a-z]+$"),
    # digits for digits, separators kept
    ("PHONE_NUMBER", "(217) 555-0100", r"^\(\d{3}\) \d{3}-\d{4}$"),
    ("MRN", "4829173", r"^\d{7}$"),
    ("ID", "L21-462199", r"^[A-Z]\d{2}-\d{6}$"),
    ("ZIP_CODE", "62704", r"^\d{5}$"),
    # the street suffix and the kind of facility are kept
    ("STREET_ADDRESS", "1200 Oak Street", r"^\d{4} [A-Z][a-z]+ Street$"),
    ("FACILITY", "Schultz Family Medicine Clinic", r"^[A-Z][a-z]+ Clinic$"),
    ("CITY", "SAINT LOUIS", r"^[A-Z]+ [A-Z]+$"),
    ("EMAIL_ADDRESS", "m.harrison@example.net", r"^user-[0-9a-f]{8}@example\.org$"),
    ("URL", "www.riverside.org", r"^https://example\.org/[0-9a-f]{8}$"),
    ("AGE", "93", r"^90\+$"),
    # a date that cannot be shifted is a placeholder
    ("DATE", "Feb 2023", r"^\[DATE\]$"),
]


@pytest.mark.parametrize(("label", "value", "shape"), TEXT_CASES)
def test_surrogate_text_has_the_shape_not_the_value(
    surrogates: Surrogates, label: str, value: str, shape: str
) -> None:
    out = surrogates.text_for(label, value, shift_days=30)
    assert re_fullmatch(shape, out), out
    distinctive = {w.lower() for w in value.replace(",", " ").split()} - {
        "dr.",
        "street",
        "clinic",
    }
    assert not distinctive & {w.lower() for w in out.replace(",", " ").split()}
    # The same value gets the same surrogate every time.
    assert surrogates.text_for(label, value, shift_days=30) == out


def re_fullmatch(pattern: str, value: str) -> bool:
    import re

    return re.fullmatch(pattern, value) is not None


NAME_CASES = [
    # a title with a full stop and credentials after a comma are kept
    ("Dr. Sarah Chen", r"^Dr\. [A-Z][a-z]+ [A-Z][a-z]+$"),
    ("Alan Whitfield, MD", r"^[A-Z][a-z]+ [A-Z][a-z]+, MD$"),
    # surnames that are also titles are names here
    ("Do, Minh", r"^(?!Do,)[A-Z][a-z]+, (?!Minh)[A-Z][a-z]+$"),
    ("Pa Vang", r"^(?!Pa )[A-Z][a-z]+ (?!Vang)[A-Z][a-z]+$"),
]


@pytest.mark.parametrize(("value", "shape"), NAME_CASES)
def test_name_titles_kept_only_as_titles(surrogates: Surrogates, value: str, shape: str) -> None:
    assert re_fullmatch(shape, surrogates.text_for("PERSON", value, shift_days=1))


def test_street_words_other_than_the_final_suffix_are_replaced(surrogates: Surrogates) -> None:
    out = surrogates.text_for("STREET_ADDRESS", "12 Spring Valley Road Suite 4", shift_days=1)
    words = out.split()
    assert words[3:5] == ["Road", "Suite"] and "Spring" not in words and "Valley" not in words


def test_a_code_is_never_the_value_itself(surrogates: Surrogates) -> None:
    for value in [str(d) for d in range(10)] + ["A", "7-3"]:
        assert surrogates.code("MRN", value) != value


def test_bundle_and_text_give_a_name_the_same_surrogate(surrogates: Surrogates) -> None:
    assert surrogates.name("O'Brien") == surrogates.text_for("PERSON", "O'Brien", shift_days=1)


def test_dates_out_of_the_calendar_are_dropped_not_raised(assets: DeidAssets) -> None:
    assert shift_iso("0001-01-02", 30) is None
    assert shift_iso("not a date", 30) is None
    assert shift_date_text("01/02/0001", 30, assets.words) is None


def test_another_key_gives_other_surrogates(assets: DeidAssets, surrogates: Surrogates) -> None:
    other = Surrogates(b"another key", assets)
    assert other.code("MRN", "4829173") != surrogates.code("MRN", "4829173")
    assert other.doc_id("abc") != surrogates.doc_id("abc")


def test_replace_keeps_line_breaks_and_names_agree(surrogates: Surrogates) -> None:
    text = "Patient: HARRISON,\nMARGARET seen 03/14/2023. HARRISON is stable."
    spans = [
        Span(start=9, end=27, label="PERSON"),
        Span(start=33, end=43, label="DATE"),
        Span(start=45, end=53, label="PERSON"),
    ]
    out = replace_with_surrogates(
        text, PhiReport(spans=tuple(spans)), surrogates=surrogates, shift_days=30
    )
    first, second = out.split("\n")
    family = first.removeprefix("Patient: ").rstrip(",")
    assert family.isupper() and family != "HARRISON"
    assert second.startswith(surrogates.name_word("MARGARET") + " seen 02/12/2023. ")
    # The repeat of the surname gets the same surrogate.
    assert second.endswith(f"{family} is stable.")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["PERSON", "MRN", "PHONE_NUMBER", "CITY", "STREET_ADDRESS", "ID"]),
        min_size=1,
        max_size=4,
    ),
    st.lists(st.from_regex(r"[A-Z][a-z]{4,9}|[0-9]{6,9}", fullmatch=True), min_size=4, max_size=4),
)
def test_no_replaced_value_survives(
    surrogates: Surrogates, labels: list[str], values: list[str]
) -> None:
    parts, spans, at = [], [], 0
    for label, value in zip(labels, values, strict=False):
        parts.append("note ")
        at += 5
        spans.append(Span(start=at, end=at + len(value), label=label))
        parts.append(value)
        at += len(value)
    text = "".join(parts)
    out = replace_with_surrogates(
        text, PhiReport(spans=tuple(spans)), surrogates=surrogates, shift_days=7
    )
    for value in values[: len(labels)]:
        assert value.lower() not in out.lower().split()


def _extraction(birth: str | None, date: str | None) -> Extraction:
    return Extraction(
        patient=Patient(mrn="4829173", family="Harrison", given=("Margaret",), birth_date=birth),
        document_date=date,
        observations=(
            Observation(
                code="2345-7",
                display="Glucose",
                category="laboratory",
                quantity=Quantity(value=182, unit="mg/dL"),
                effective="2021-05-01",
                start=0,
                end=5,
            ),
        ),
    )


def test_deidentified_extraction_shifts_every_date_alike(surrogates: Surrogates) -> None:
    deid = deidentify_extraction(
        _extraction("1948-03-14", "2021-05-02"), doc_id="d1", surrogates=surrogates, phi=PhiReport()
    )
    days = surrogates.shift_days("mrn:4829173")
    p, e = deid.extraction.patient, deid.extraction
    assert p.birth_date == (dt.date(1948, 3, 14) - dt.timedelta(days=days)).isoformat()
    assert e.document_date == (dt.date(2021, 5, 2) - dt.timedelta(days=days)).isoformat()
    assert (
        e.observations[0].effective == (dt.date(2021, 5, 1) - dt.timedelta(days=days)).isoformat()
    )
    assert e.observations[0].quantity == Quantity(value=182, unit="mg/dL")
    assert p.mrn != "4829173" and p.family != "Harrison" and p.given != ("Margaret",)
    assert not deid.ninety_or_older and deid.doc_id != "d1"
    # Another document of the same patient (same MRN) gets the same shift and surrogates.
    again = deidentify_extraction(
        _extraction("1948-03-14", "2022-01-01"), doc_id="d2", surrogates=surrogates, phi=PhiReport()
    )
    assert again.extraction.patient == p and again.doc_id != deid.doc_id


AGE_CASES = [
    # 89 on the document's date: the birth date is kept (shifted)
    ("1931-05-03", "2021-05-02", False, False),
    # 90 on the day: withheld, and flagged 90 or older
    ("1931-05-02", "2021-05-02", True, True),
    ("1920-01-01", "2021-05-02", True, True),
    # 89 on the document's date but 90 on a later observation's: the latest date counts
    ("1931-05-01", "2021-04-30", True, True),
    # no date to tell the age by: withheld, but nobody says 90 or older
    ("1980-01-01", None, True, False),
]


@pytest.mark.parametrize(("birth", "date", "withheld", "old"), AGE_CASES)
def test_birth_date_of_ninety_or_older_is_withheld(
    surrogates: Surrogates, birth: str, date: str | None, withheld: bool, old: bool
) -> None:
    extraction = _extraction(birth, date)  # its observation is dated 2021-05-01
    if date is None:
        extraction = extraction.model_copy(update={"observations": ()})
    deid = deidentify_extraction(extraction, doc_id="d1", surrogates=surrogates, phi=PhiReport())
    assert (deid.extraction.patient.birth_date is None) is withheld
    assert deid.birth_date_withheld is withheld
    assert deid.ninety_or_older is old


def test_surrogate_text_withholds_dates_that_tell_an_age_over_89(
    surrogates: Surrogates,
) -> None:
    deid = deidentify_extraction(
        _extraction("1920-03-14", "2021-05-02"), doc_id="d1", surrogates=surrogates, phi=PhiReport()
    )
    text = "DOB: 03/14/1920  Seen: 05/02/2021  Married: 06/01/1930"
    spans = tuple(
        Span(start=text.index(v), end=text.index(v) + 10, label="DATE")
        for v in ("03/14/1920", "05/02/2021", "06/01/1930")
    )
    out = replace_with_surrogates(
        text,
        PhiReport(spans=spans),
        surrogates=surrogates,
        shift_days=deid.shift_days,
        withhold_through=deid.withhold_through,
    )
    seen = dt.date(2021, 5, 2) - dt.timedelta(days=deid.shift_days)
    # The birth date and a date 90 years back are withheld; the visit is shifted.
    assert out == f"DOB: [DATE]  Seen: {seen:%m/%d/%Y}  Married: [DATE]"


def test_patient_key_prefers_the_mrn() -> None:
    assert patient_key(Patient(mrn="1", family="A", birth_date="2000-01-01"), "d") == "mrn:1"
    assert patient_key(Patient(family="A", given=("B",), birth_date="2000-01-01"), "d") == (
        "name:A|B|2000-01-01"
    )
    assert patient_key(Patient(family="A"), "d") == "doc:d"


def test_key_file_is_made_once_private_and_reused(tmp_path: Path) -> None:
    cfg = DeidSettings()
    key = load_or_create_key(tmp_path, cfg)
    assert len(key) == 64
    assert (tmp_path / "deid.key").stat().st_mode & 0o777 == 0o600
    assert load_or_create_key(tmp_path, cfg) == key
    assert [p.name for p in tmp_path.iterdir()] == ["deid.key"]
    from_settings = "a key from settings, 32 or more characters"
    assert load_or_create_key(tmp_path, DeidSettings(surrogate_key=from_settings)) == (
        from_settings.encode()
    )
    # An empty or short key file is refused: a short key could be searched.
    (tmp_path / "deid.key").write_text("short\n")
    with pytest.raises(ValueError):
        load_or_create_key(tmp_path, cfg)


def test_settings_refuse_short_keys_and_unknown_labels() -> None:
    with pytest.raises(ValueError, match="32"):
        DeidSettings(surrogate_key="short")
    with pytest.raises(ValueError, match="unknown PHI labels"):
        DeidSettings(keep_labels=frozenset({"FACILITIES"}))
    with pytest.raises(ValueError, match="unknown PHI labels"):
        DeidSettings(thresholds={"NAME": 0.5})


KIND_CASES = [
    ("PHONE_NUMBER", "Tel: ", "D"),
    ("PHONE_NUMBER", "Fax: ", "E"),
    ("PHONE_NUMBER", "F: ", "E"),
    ("ID", "Member ID: ", "I"),
    ("ID", "Policy # ", "I"),
    ("ID", "Account No. ", "J"),
    ("ID", "DEA #: ", "K"),
    ("ID", "Driver's License: ", "K"),
    ("ID", "VIN: ", "L"),
    ("ID", "Serial No: ", "M"),
    # an identifier after a label we cannot place is "any other unique number"
    ("ID", "Accession #: ", "R"),
    ("MRN", "MRN: ", "H"),
    ("AGE", "", "C"),
    ("FACILITY", "", "B"),
]


@pytest.mark.parametrize(("label", "before", "kind"), KIND_CASES)
def test_safe_harbor_kind(label: str, before: str, kind: str) -> None:
    assert kind_of(label, "Seen today.\n" + before) == kind


def _report(check: RedactionCheck, cfg: DeidSettings, **kw: int) -> dict:
    import json

    text = "Patient: HARRISON  Fax: 217-555-0101"
    spans = (Span(start=9, end=17, label="PERSON"), Span(start=24, end=36, label="PHONE_NUMBER"))
    return json.loads(
        safe_harbor_report(
            text,
            PhiReport(spans=spans),
            doc_id="d1",
            check=check,
            pages=1,
            unreliable_pages=kw.get("unreliable", 0),
            failed_pages=0,
            ninety_or_older=False,
            birth_date_withheld=False,
            cfg=cfg,
        )
    )


def test_safe_harbor_report_fails_on_residual_phi_and_says_what_policy_kept() -> None:
    passed = _report(RedactionCheck(performed=True, pages_reread=1), DeidSettings())
    found = {i["kind"]: i["found"] for i in passed["identifiers"]}
    assert found["A"] == 1 and found["E"] == 1 and found["D"] == 0
    assert passed["verification"]["result"] == "passed" and passed["checks_passed"] is True
    failed = _report(
        RedactionCheck(performed=True, pages_reread=1, residual_boxes=2), DeidSettings()
    )
    assert failed["verification"]["result"] == "failed" and failed["checks_passed"] is False
    assert any("found 2 item(s)" in r for r in failed["residual_risk"])
    kept = _report(
        RedactionCheck(performed=True, pages_reread=1),
        DeidSettings(keep_labels=frozenset({"FACILITY"})),
    )
    assert kept["kept_by_policy"] == ["FACILITY"] and kept["checks_passed"] is False
    assert any("Kept by policy, not removed: FACILITY" in r for r in kept["residual_risk"])
    skipped = _report(RedactionCheck(), DeidSettings(), unreliable=1)
    assert skipped["verification"]["result"] == "not performed"
    assert any("low OCR confidence" in r for r in skipped["residual_risk"])


def test_every_label_a_recognizer_gives_is_known_to_settings_and_the_report(
    assets: DeidAssets,
) -> None:
    from pipeline.deid import net
    from pipeline.deid.recognizers import PATIENT_NAME
    from pipeline.deid.registry import build_recognizers
    from pipeline.settings import PHI_LABELS

    labels = {
        "PERSON" if e == PATIENT_NAME else e
        for rec in build_recognizers(assets)
        for e in rec.supported_entities
    }
    assert labels | {net.LABEL} == PHI_LABELS
    # Each has its Safe Harbor kind; only an unlabelled ID is "any other number" (R).
    assert {label for label in labels if kind_of(label, "") == "R"} == {"ID"}
