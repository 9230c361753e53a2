"""find_phi on whole documents: the analyzer, context words, propagation and precision."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from presidio_analyzer import RecognizerResult

from pipeline.deid.detect import find_phi
from pipeline.deid.recognizers import PATIENT_NAME
from pipeline.deid.registry import PhiAnalyzer, build_analyzer
from pipeline.deid.text import deidentify_text
from pipeline.errors import DeidFailed
from pipeline.schema import OcrDocument, OcrPage, PhiReport
from pipeline.settings import DeidSettings, configure_process

configure_process()

CFG = DeidSettings()
# The recognizers alone: tests of what a recognizer's context words or scores decide, which
# the safety net (tests/test_deid_net.py) would otherwise cover over.
RECOGNIZERS = DeidSettings(safety_net=False)

LETTERHEAD = (
    "RIVERSIDE MEDICAL CENTER\n"
    "1200 Oak Street, Springfield, IL 62704\n"
    "Tel: (217) 555-0100 Fax: (217) 555-0101\n"
    "Patient: HARRISON, MARGARET   MRN: 4829173   DOB: 03/14/1948\n"
)


@pytest.fixture(scope="module")
def analyzer() -> PhiAnalyzer:
    return build_analyzer(CFG)


def doc_of(*pages: str) -> OcrDocument:
    return OcrDocument(
        doc_id="d1",
        pages=tuple(
            OcrPage(index=i, width=2550, height=3300, dpi=300, text=t) for i, t in enumerate(pages)
        ),
    )


def labelled(doc: OcrDocument, report: PhiReport) -> list[tuple[str, int, int]]:
    return [(s.label, s.start, s.end) for s in report.spans]


def expect(text: str, items: list[tuple[str, str]]) -> list[tuple[str, int, int]]:
    """(label, start, end) for each (label, value), each value searched after the last."""
    out, at = [], 0
    for label, value in items:
        start = text.index(value, at)
        out.append((label, start, start + len(value)))
        at = start + len(value)
    return out


def test_letterhead_and_patient_line(analyzer: PhiAnalyzer) -> None:
    doc = doc_of(LETTERHEAD)
    report = find_phi(doc, analyzer=analyzer, cfg=CFG)
    assert labelled(doc, report) == expect(
        doc.text,
        [
            ("FACILITY", "RIVERSIDE MEDICAL CENTER"),
            ("STREET_ADDRESS", "1200 Oak Street"),
            ("CITY", "Springfield"),
            ("ZIP_CODE", "62704"),
            ("PHONE_NUMBER", "(217) 555-0100"),
            ("PHONE_NUMBER", "(217) 555-0101"),
            ("PERSON", "HARRISON, MARGARET"),
            ("MRN", "4829173"),
            ("DATE", "03/14/1948"),
        ],
    )


def test_spans_are_sorted_and_disjoint(analyzer: PhiAnalyzer) -> None:
    # Several recognizers find "Sarah Chen" here (label, title, credential): one span remains.
    doc = doc_of("Attending: Dr. Sarah Chen, MD\nSigned by Sarah Chen, MD")
    spans = find_phi(doc, analyzer=analyzer, cfg=CFG).spans
    assert [(s.label, doc.text[s.start : s.end]) for s in spans] == [
        ("PERSON", "Sarah Chen"),
        ("PERSON", "Sarah Chen"),
    ]
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


@pytest.mark.parametrize(
    ("text", "values"),
    [
        # a date without a year counts with a context word ("seen", "on") before it
        ("Patient was seen on Mar 14 for follow-up.", [("DATE", "Mar 14")]),
        # ... and without one: a month and day is a date element whatever stands before it
        # (recall first; PrintedDateRecognizer)
        ("Vial Mar 14 lot expired.", [("DATE", "Mar 14")]),
        # ten bare digits are a phone number next to "call"
        ("Please call daughter at 2175550102 after discharge.", [("PHONE_NUMBER", "2175550102")]),
        # ... and nothing after "order"
        ("Order 2175550102 was cancelled.", []),
        # an NPI needs its check digit and a context word
        ("Prescriber NPI 1234567893 on file.", [("ID", "1234567893")]),
        ("Lot 1234567893 on file.", []),
        # presidio's SSN recognizer: nine bare digits only next to "SSN"
        ("SSN 321549876", [("US_SSN", "321549876")]),
        ("Ref 321549876", []),
        # a numeric date with spaces for separators (a faxed page) needs a context word
        ("DOB 08 17 1949", [("DATE", "08 17 1949")]),
        ("born 1971 08. 06", [("DATE", "1971 08. 06")]),
        ("Wt 08 17 1949", []),
    ],
)
def test_context_words(analyzer: PhiAnalyzer, text: str, values: list[tuple[str, str]]) -> None:
    doc = doc_of(text)
    assert labelled(doc, find_phi(doc, analyzer=analyzer, cfg=RECOGNIZERS)) == expect(text, values)


def test_propagation_across_pages_and_ocr_variants(analyzer: PhiAnalyzer) -> None:
    header = "Patient: JOHNSON, EMILY   MRN: 4829173   DOB: 03/14/1948\n"
    prose = (
        "Mrs. Johnson reports less pain. emily walked 200 feet with PT.\n"
        "Plan discussed with Emily and her son.\n"
    )
    footer = "J0HNSON, EMILY  MRN 4829178  Page 2 of 2"
    doc = doc_of(header + prose, "Johnsen tolerated the exam; MRN 4829173 on the label.\n" + footer)
    report = find_phi(doc, analyzer=analyzer, cfg=CFG)
    found = [(s.label, doc.text[s.start : s.end]) for s in report.spans]
    assert found == [
        ("PERSON", "JOHNSON, EMILY"),
        ("MRN", "4829173"),
        ("DATE", "03/14/1948"),
        ("PERSON", "Johnson"),  # titled, and propagated
        ("PERSON", "emily"),  # lower case: propagation ignores case
        ("PERSON", "Emily"),
        ("PERSON", "Johnsen"),  # edit distance 1, capitalised: an OCR variant
        ("MRN", "4829173"),  # the MRN without its label
        ("PERSON", "J0HNSON, EMILY"),  # "0" for "O": an OCR variant, and before its MRN
        ("MRN", "4829178"),  # one digit misread
    ]
    text = deidentify_text(doc.text, report)
    assert "JOHNSON" not in text.upper().replace("[PERSON]", "")
    assert "\f" in text


def test_propagation_leaves_ordinary_words(analyzer: PhiAnalyzer) -> None:
    # "Rose" is a word as well as a name, and "bones" is one edit from "Jones".
    doc = doc_of(
        "Patient: Rose Jones   MRN: 5512345\n"
        "BP rose to 160 overnight. X-ray of the bones is unremarkable. Ms. Jones is stable."
    )
    spans = find_phi(doc, analyzer=analyzer, cfg=CFG).spans
    assert [(s.label, doc.text[s.start : s.end]) for s in spans] == [
        ("PERSON", "Rose Jones"),
        ("MRN", "5512345"),
        ("PERSON", "Jones"),
    ]


def test_ordinary_name_words_propagate_only_beside_the_name(analyzer: PhiAnalyzer) -> None:
    # "Amber" is a colour as well as the patient's first name.
    doc = doc_of(
        "Patient: KELLER, AMBER   MRN: 5512345\nUrine amber and clear.",
        "KELLER, Amber MRN 5512345 (continued)\nSeen with Amber Keller today. amber urine.",
    )
    spans = find_phi(doc, analyzer=analyzer, cfg=CFG).spans
    found = [(s.label, doc.text[s.start : s.end]) for s in spans]
    assert ("PERSON", "Amber") in found  # beside the surname on the continuation header
    words = deidentify_text(doc.text, PhiReport(spans=spans))
    assert "Amber" not in words and "AMBER" not in words  # every use as the name is gone
    assert "Urine amber and clear." in words and "amber urine." in words  # the colour stays


CLINICAL_NOTE = """HISTORY OF PRESENT ILLNESS
Pt is a 67 yo male with CAD s/p PCI, HFrEF (EF 35%), CKD stage 3b, Type 2 DM on Insulin Glargine
20 units qHS, and COPD on Tiotropium. He Will Follow up with Cardiology. Grace Period noted.
Presents with 3 days of Dyspnea on exertion and 2+ Pitting Edema. Denies chest pain.
Physical Exam: General: Alert, oriented x3, NAD. Lungs: Bibasilar Crackles. CV: RRR, 2/6 Murmur.
Vitals: BP 145/82, HR 96, RR 22, T 37.8 C, SpO2 91% on 2L NC, Wt 98.4 kg, Pain 3/10.
BP: 132/84 mmHg HR: 72 bpm Temp: 98.6 F SpO2: 97 %
BP 120/80 at home.
Test            Result   Units     Reference   Flag
Sodium          138      mmol/L    135-145
Potassium       4.5      mmol/L    3.5-5.1
Glucose         182      mg/dL     70-99       H
Creatinine      1.1      mg/dL     0.6-1.2
ALT             45       U/L       7-56
Hemoglobin A1c  8.2      %         4.0-5.6     H
BNP 1840, Troponin I 0.04 ng/mL, WBC 9.8, Hgb 10.9, Plt 187, INR 1.2, PT 13.4, PTT 31.
CBC, CMP, BMP, Lipid Panel, TSH 2.35 mIU/L. GLUCOSE, FASTING 182. CHEST, PA AND LATERAL.
ICD-10: E11.9, I50.22, N18.32, E11.65, J44.9, Z79.4. LOINC 2345-7, 2160-0, 4548-4.
Medications: Metformin 1000 mg PO BID, Lisinopril 20 mg PO daily, Atorvastatin 40 mg PO nightly,
Aspirin 81 mg PO daily, Apixaban 5 mg PO BID, Albuterol 2 puffs q4h PRN, Sertraline 50 mg daily.
Allergies: Penicillin (Rash). Code Status: Full Code. Follow up in Heart Failure Clinic in 2 weeks.
Mental Health referral declined. Brief Hospital Course: uneventful. 6 Minute Walk Test 350 m.
Room 412 West Wing. Unit 4 North. Ratio 1:1000. May 2 puffs. Take 1-2 tabs b.i.d.
"""

CLINICAL_WORDS = [
    "145/82", "132/84", "120/80", "138", "4.5", "182", "70-99", "135-145", "daily", "BID",
    "Sodium", "Potassium", "Glucose", "Creatinine", "ALT", "Metformin", "Lisinopril",
    "Atorvastatin", "Apixaban", "E11.9", "I50.22", "2345-7", "4548-4", "Heart Failure Clinic",
    "Insulin Glargine", "Grace Period", "CBC, CMP", "GLUCOSE, FASTING", "CHEST, PA",
]  # fmt: skip


def test_clinical_content_survives(analyzer: PhiAnalyzer) -> None:
    doc = doc_of(CLINICAL_NOTE)
    report = find_phi(doc, analyzer=analyzer, cfg=CFG)
    assert [(s.label, doc.text[s.start : s.end]) for s in report.spans] == []
    text = deidentify_text(doc.text, report)
    for word in CLINICAL_WORDS:
        assert word in text


def test_threshold_drops_weaker_results(analyzer: PhiAnalyzer) -> None:
    doc = doc_of("Attending: Dr. Sarah Chen\nTel: (217) 555-0100")
    strict = DeidSettings(score_threshold=0.95, safety_net=False)
    found = [
        (s.label, doc.text[s.start : s.end])
        for s in find_phi(doc, analyzer=analyzer, cfg=strict).spans
    ]
    # The phone number is boosted to 1.0 by "Tel"; the labelled name scores 0.85.
    assert found == [("PHONE_NUMBER", "(217) 555-0100")]


def found_in(doc: OcrDocument, analyzer: PhiAnalyzer, cfg: DeidSettings) -> list[tuple[str, str]]:
    return [
        (s.label, doc.text[s.start : s.end])
        for s in find_phi(doc, analyzer=analyzer, cfg=cfg).spans
    ]


POLICY_DOC = (
    "RIVERSIDE MEDICAL CENTER\n"
    "Patient: HARRISON, MARGARET   MRN: 4829173\n"
    "Seen at Riverside Medical Center by Dr. Sarah Chen on 03/14/2023.\n"
    "Follow-up with HARRISON in Springfield, IL 62704.\n"
)


def test_label_threshold_overrides_the_default_for_that_label_only(
    analyzer: PhiAnalyzer,
) -> None:
    doc = doc_of("Attending: Dr. Sarah Chen\nTel: (217) 555-0100")
    # The labelled name scores 0.85: a PERSON bar above it drops the name, not the phone.
    strict = DeidSettings(thresholds={"PERSON": 0.9}, safety_net=False)
    assert found_in(doc, analyzer, strict) == [("PHONE_NUMBER", "(217) 555-0100")]
    # A per-label bar below the default lets that label's weaker results through.
    lenient = DeidSettings(score_threshold=0.95, thresholds={"PERSON": 0.5}, safety_net=False)
    assert ("PERSON", "Sarah Chen") in found_in(doc, analyzer, lenient)


def test_kept_labels_stay_in_the_text_everything_else_goes(analyzer: PhiAnalyzer) -> None:
    doc = doc_of(POLICY_DOC)
    everything = found_in(doc, analyzer, CFG)
    assert ("FACILITY", "RIVERSIDE MEDICAL CENTER") in everything
    kept = found_in(doc, analyzer, DeidSettings(keep_labels=frozenset({"FACILITY"})))
    assert [f for f in kept if f[0] == "FACILITY"] == []
    assert kept == [f for f in everything if f[0] != "FACILITY"]
    # The patient's name is still found everywhere, propagated repeat included.
    assert ("PERSON", "HARRISON, MARGARET") in kept
    assert ("PERSON", "HARRISON") in kept


def test_allow_listed_text_is_not_phi_wherever_it_is_found(analyzer: PhiAnalyzer) -> None:
    doc = doc_of(POLICY_DOC)
    cfg = DeidSettings(allow_list=("Riverside  medical center", "springfield"))
    found = found_in(doc, analyzer, cfg)
    texts = [t.casefold() for _, t in found]
    assert "riverside medical center" not in texts
    assert "springfield" not in texts
    # Only exact (case- and space-insensitive) matches are allowed: the rest is still PHI.
    assert ("PERSON", "Sarah Chen") in found
    assert ("ZIP_CODE", "62704") in found
    assert ("DATE", "03/14/2023") in found


def test_facility_name_words_are_found_wherever_they_turn_up(analyzer: PhiAnalyzer) -> None:
    # A footer abbreviates the letterhead; its distinctive word is found there too.
    doc = doc_of(
        "Hughes Family Medicine Clinic\n"
        "Family history: mother with diabetes.\n"
        "Printed by HUGHES FAM MED  page 1\n"
    )
    found = found_in(doc, analyzer, CFG)
    assert ("FACILITY", "Hughes Family Medicine Clinic") in found
    assert ("FACILITY", "HUGHES FAM") in found
    # Only the distinctive word: "Family" elsewhere is ordinary text.
    assert not [f for f in found if f[1] == "Family"]


def test_empty_document(analyzer: PhiAnalyzer) -> None:
    assert find_phi(doc_of("", " \n"), analyzer=analyzer, cfg=CFG) == PhiReport()


class _RaisingAnalyzer:
    def analyze(self, **kwargs: object) -> list[RecognizerResult]:
        # presidio's context enhancer raises messages like this one, quoting the text.
        raise ValueError("Did not find word 'HARRISON' in the list of tokens")


def test_analyzer_failure_carries_no_text() -> None:
    with pytest.raises(DeidFailed) as info:
        find_phi(doc_of("Patient: HARRISON, MARGARET"), analyzer=_RaisingAnalyzer(), cfg=CFG)  # type: ignore[arg-type]
    err = info.value
    assert str(err) == "E501: PHI detection failed."
    assert err.__cause__ is None and err.__suppress_context__
    assert "HARRISON" not in repr(err)


class _FixedAnalyzer:
    """A plain analyzer stand-in: find_phi then reads the word lists from cfg.models_dir."""

    def analyze(self, **kwargs: object) -> list[RecognizerResult]:
        return [RecognizerResult(PATIENT_NAME, 9, 19, 0.9)]


def test_propagation_with_a_plain_analyzer() -> None:
    doc = doc_of("Patient: Ann Okafor\nOkafor is stable.")
    spans = find_phi(doc, analyzer=_FixedAnalyzer(), cfg=CFG).spans  # type: ignore[arg-type]
    assert [(s.label, doc.text[s.start : s.end]) for s in spans] == [
        ("PERSON", "Ann Okafor"),
        ("PERSON", "Okafor"),
    ]


def test_no_phi_in_logs(analyzer: PhiAnalyzer, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        find_phi(doc_of(LETTERHEAD), analyzer=analyzer, cfg=CFG)
    for secret in ("HARRISON", "MARGARET", "4829173", "03/14/1948", "555-0100", "Springfield"):
        assert secret not in caplog.text


FRAGMENTS = st.sampled_from(
    [
        "Patient: HARRISON, MARGARET",
        "MRN: 4829173",
        "DOB 03/14/1948",
        "(217) 555-0100",
        "Dr. Chen",
        "Springfield, IL 62704",
        "BP 120/80",
        "Sodium 138",
        "J0HNSON",
        "harrison",
        "\n",
        "\f",
        "  ",
        ", ",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.one_of(FRAGMENTS, st.text(alphabet="aAbZ09 .,:/-\n\f", max_size=12)), max_size=12)
)
def test_spans_stay_inside_the_text(analyzer: PhiAnalyzer, parts: list[str]) -> None:
    doc = doc_of(*"".join(parts).split("\f"))
    spans = find_phi(doc, analyzer=analyzer, cfg=CFG).spans
    n = len(doc.text)
    assert all(0 <= s.start < s.end <= n for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


def test_name_label_at_the_top_of_a_later_page(analyzer: PhiAnalyzer) -> None:
    # "Name:" counts at the start of a line, and a page starts a line.
    doc = doc_of("INTAKE FORM", "Name: Margaret Harrison\nRelationship: Self")
    spans = find_phi(doc, analyzer=analyzer, cfg=CFG).spans
    assert [(s.label, doc.text[s.start : s.end]) for s in spans] == [
        ("PERSON", "Margaret Harrison")
    ]


PROPAGATION_OCR_CASES = [
    # the date of birth in a footer, separators lost and one digit misread; not zero-padded,
    # so only propagation (not OcrDateRecognizer) finds it
    (
        "DOB: 08/07/1949\nMRN 5512340 PO 8 17 1949",
        [("DATE", "08/07/1949"), ("MRN", "5512340"), ("DATE", "8 17 1949")],
    ),
    # ... written year first, with a look-alike letter for a digit
    ("DOB: 08/07/1949\nfooter 1949.O8.07", [("DATE", "08/07/1949"), ("DATE", "1949.O8.07")]),
    # ... after a month-name date of birth
    ("DOB: May 24, 1964\nfooter 5 24 1964", [("DATE", "May 24, 1964"), ("DATE", "5 24 1964")]),
    # an MRN with look-alike letters for digits, found from the labelled one
    ("MRN: 5512340\nfooter 55l234O", [("MRN", "5512340"), ("MRN", "55l234O")]),
    # failing: numbers two digits away from the date of birth stay
    ("DOB: 08/07/1949\nrow 8 21 1950 132/84", [("DATE", "08/07/1949")]),
    # failing: without a date-of-birth label nothing is propagated
    ("Seen 08/07/1949\nfooter 8 17 1950", [("DATE", "08/07/1949")]),
]


@pytest.mark.parametrize(("text", "values"), PROPAGATION_OCR_CASES)
def test_propagation_of_ocr_variants(
    analyzer: PhiAnalyzer, text: str, values: list[tuple[str, str]]
) -> None:
    doc = doc_of(text)
    assert labelled(doc, find_phi(doc, analyzer=analyzer, cfg=RECOGNIZERS)) == expect(text, values)


def test_importing_the_detector_keeps_tldextract_offline() -> None:
    """tldextract reads its suffix-list URLs once, at import: ours must be set before then."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"}
    probe = (
        "import pipeline.bench, pipeline.deid.detect, tldextract.tldextract as t;"
        "print(repr(t.TLD_EXTRACTOR.suffix_list_urls))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "()"


def test_the_context_enhancer_finds_the_same_token_by_bisection() -> None:
    """Our enhancer's token lookup agrees with presidio's linear walk at every offset."""
    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

    from pipeline.deid.registry import IndexedContextEnhancer, blank_pipeline

    text = "Pt: HARRISON, MARGARET  DOB:03/14/1948 tel (217) 555-0100; seen 3/8."
    doc = blank_pipeline()(text)
    indices = [t.idx for t in doc]
    ours = IndexedContextEnhancer(context_matching_mode="whole_word")
    for start in range(len(text)):
        if text[start].isspace():
            continue
        expected = LemmaContextAwareEnhancer._find_index_of_match_token("w", start, doc, indices)
        assert ours._find_index_of_match_token("w", start, doc, indices) == expected
    with pytest.raises(ValueError):
        ours._find_index_of_match_token("w", len(text) + 5, doc, indices)
