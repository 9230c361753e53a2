"""The per-document Safe Harbor report (safe_harbor.json): what was removed, how it was checked.

HIPAA's Safe Harbor method (45 CFR 164.514(b)(2)) lists 18 kinds of identifier, A to R. The
report counts the spans found of each kind, says which labels policy kept
(``DeidSettings.keep_labels``), whether the redacted pages were re-read and what that found,
and notes the risks that remain. It holds counts and fixed text only: no PHI, no offsets.

A span's label does not always say its kind: a phone number is a fax number (E) after
"Fax", and a labelled identifier (``ID``) is a health plan (I), account (J), licence (K),
vehicle (L) or device (M) number by the label printed before it.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import regex as re

from pipeline.schema import PhiReport, RedactionCheck
from pipeline.settings import DeidSettings

STANDARD = "HIPAA Safe Harbor, 45 CFR 164.514(b)(2)"
KINDS = {
    "A": "names",
    "B": "geographic subdivisions smaller than a state (street, city, ZIP code, facility)",
    "C": "all elements of dates except the year, and ages over 89",
    "D": "telephone numbers",
    "E": "fax numbers",
    "F": "email addresses",
    "G": "social security numbers",
    "H": "medical record numbers",
    "I": "health plan beneficiary numbers",
    "J": "account numbers",
    "K": "certificate and licence numbers",
    "L": "vehicle identifiers and serial numbers, licence plates",
    "M": "device identifiers and serial numbers",
    "N": "web URLs",
    "O": "IP addresses",
    "P": "biometric identifiers",
    "Q": "full-face photographs and comparable images",
    "R": "any other unique identifying number, characteristic or code",
}
_BY_LABEL = {
    "PERSON": "A",
    "STREET_ADDRESS": "B",
    "CITY": "B",
    "ZIP_CODE": "B",
    "FACILITY": "B",
    "DATE": "C",
    "AGE": "C",
    "PHONE_NUMBER": "D",
    "EMAIL_ADDRESS": "F",
    "US_SSN": "G",
    "MRN": "H",
    "URL": "N",
    "IP_ADDRESS": "O",
}
# The label printed before an ID, as the end of the 40 characters before it, gives its kind.
_ID_KINDS = [
    (
        "I",
        re.compile(
            r"(?i)(member|subscriber|policy|group|insurance|ins|plan|medicare|medicaid|mbi)\W*(id|#|no|number)?\W*$"
        ),
    ),
    (
        "K",
        re.compile(
            r"(?i)(licen[cs]e|lic|dea|npi|certificate|clia|passport|badge|employee|dl)\W*(id|#|no|number)?\W*$"
        ),
    ),
    ("L", re.compile(r"(?i)(vin|plate|tag)\W*(id|#|no|number)?\W*$")),
    ("M", re.compile(r"(?i)(serial|device)\W*(id|#|no|number)?\W*$")),
    ("J", re.compile(r"(?i)(account|acct|claim|fin|csn)\W*(id|#|no|number)?\W*$")),
]
_FAX = re.compile(r"(?i)\b(fax|facsimile|f)\W{0,3}$")


def kind_of(label: str, before: str) -> str:
    """The Safe Harbor kind (A-R) of a span labelled ``label`` with ``before`` ahead of it."""
    if label == "PHONE_NUMBER":
        return "E" if _FAX.search(before[-12:]) else "D"
    if label == "ID":
        for kind, pattern in _ID_KINDS:
            if pattern.search(before[-40:]):
                return kind
        return "R"
    return _BY_LABEL.get(label, "R")


def safe_harbor_report(
    text: str,
    report: PhiReport,
    *,
    doc_id: str,
    check: RedactionCheck,
    pages: int,
    unreliable_pages: int,
    failed_pages: int,
    ninety_or_older: bool,
    birth_date_withheld: bool,
    cfg: DeidSettings,
) -> str:
    """safe_harbor.json for one document, as JSON text.

    Args:
        text: the document text the spans of ``report`` index.
        report: the PHI spans removed.
        doc_id: the document id.
        check: what re-reading the redacted pages found (``run._redact``).
        pages: pages in the document.
        unreliable_pages: pages OCR read with low confidence (they go to review).
        failed_pages: pages that could not be read (blacked out whole in redacted.pdf).
        ninety_or_older: the patient was 90 or older on the document's latest date.
        birth_date_withheld: bundle.deid.json has no birth date (90 or older, or age unknown).
        cfg: the settings the document was de-identified under.

    """
    kinds: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    for span in report.spans:
        labels[span.label] += 1
        kinds[kind_of(span.label, text[max(0, span.start - 40) : span.start])] += 1
    if not check.performed:
        result = "not performed"
    elif check.residual_boxes or check.pages_unread:
        result = "failed"
    else:
        result = "passed"
    risks = _risks(check, result, unreliable_pages, failed_pages, cfg)
    body: dict[str, Any] = {
        "doc_id": doc_id,
        "standard": STANDARD,
        "identifiers": [
            {"kind": k, "name": name, "found": kinds.get(k, 0)} for k, name in KINDS.items()
        ],
        "labels": dict(sorted(labels.items())),
        "kept_by_policy": sorted(cfg.keep_labels),
        "allow_list_entries": len(cfg.allow_list),
        "replacement": cfg.replacement,
        "dates": {
            "shifted_in_deid_bundle": True,
            "ninety_or_older": ninety_or_older,
            "birth_date_withheld": birth_date_withheld,
        },
        "verification": {
            "result": result,
            "pages": pages,
            "pages_reread": check.pages_reread,
            "pages_not_reread": check.pages_unread,
            "residual_items_painted": check.residual_boxes,
            "low_confidence_words_painted": check.doubtful_words_painted,
        },
        "residual_risk": risks,
        # Of deid.txt and redacted.pdf; bundle.deid.json is pseudonymized (see the risks).
        "checks_passed": result == "passed"
        and not cfg.keep_labels
        and not unreliable_pages
        and not failed_pages,
    }
    return json.dumps(body, indent=1) + "\n"


def _risks(
    check: RedactionCheck, result: str, unreliable: int, failed: int, cfg: DeidSettings
) -> list[str]:
    risks = []
    if result == "failed":
        risks.append(
            f"Re-reading the redacted pages found {check.residual_boxes} item(s) the first "
            f"pass missed and {check.pages_unread} page(s) could not be re-read; what was "
            "found is painted too, and the document is in review."
        )
    elif result == "not performed":
        risks.append("The redacted pages were not re-read (verify_redaction is off).")
    if unreliable:
        risks.append(
            f"{unreliable} page(s) were read with low OCR confidence: PHI in text the OCR "
            "misread may have gone undetected in deid.txt; redacted.pdf paints only what "
            "was read."
        )
    if failed:
        risks.append(f"{failed} page(s) could not be read and are blacked out whole.")
    if cfg.keep_labels:
        risks.append(
            "Kept by policy, not removed: " + ", ".join(sorted(cfg.keep_labels)) + ". Safe "
            "Harbor needs them removed unless an expert determination covers them."
        )
    if cfg.allow_list:
        risks.append(f"{len(cfg.allow_list)} allow-list entries were not treated as PHI.")
    risks.append(
        "Handwriting, signatures, photographs and other images on the page (kinds P and Q) "
        "are not detected: pages that have them need a person to look."
    )
    risks.append(
        "bundle.deid.json (and deid.txt with surrogates) is pseudonymized, not Safe Harbor: "
        "dates are shifted, not cut to the year, and surrogate codes are keyed hashes of the "
        "patient's own identifiers. Release it under an expert determination or a data use "
        "agreement, and keep deid.key with the identified data."
    )
    risks.append(
        "A patient keeps the same surrogates and date shift in every document: a name or "
        "date left readable in one of them undoes them in all."
    )
    return risks
