"""A document after review: reviewers' decisions applied, its bundle issued again.

The pipeline writes ``OUTDIR/<doc_id>/extraction.json`` (what was read, with its source);
a reviewer accepts, corrects or rejects an item of it. ``reissue`` applies every decision
made so far to the extraction as read and writes the next version of bundle.json (the
previous one kept under ``history/``): same resource ids, each reviewed resource updated
in place or deleted, with a Provenance naming the reviewer and the value as read
(``fhir.Review``). ``settle`` moves a document whose items are all decided from
``review`` to ``done`` in the manifest.

Corrections are typed (``correct``): a number, a UCUM unit, an ISO date, a code from the
code tables in models/extract. A refused one raises CorrectionInvalid with fixed text.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np

from pipeline import layout, ucum
from pipeline.batch import read_manifest, write_manifest
from pipeline.codesystems import RXNORM
from pipeline.extract.data import ConditionsData, LabsData, MedicationsData, VitalsData, load
from pipeline.fhir import Change, Review, emit_bundle, emit_deid_bundle
from pipeline.schema import (
    ITEM_FIELDS,
    Box,
    CleanPage,
    Coding,
    Component,
    Extracted,
    Extraction,
    OcrDocument,
    OcrPage,
    PhiReport,
    Quantity,
    Source,
    Span,
)
from pipeline.settings import LoadSettings, Settings
from pipeline.vault import Vault, write_atomically

EXTRACTION_FILE = "extraction.json"
BUNDLE = "bundle.json"
Action = Literal["accept", "correct", "reject"]
# What a correction may set, by item field (the form's inputs).
CORRECTABLE: dict[str, tuple[str, ...]] = {
    "observations": ("value", "unit", "date", "code"),
    "medications": ("value", "unit", "date", "code"),
    "conditions": ("value", "code"),
    "allergies": ("value",),
}
_ICD10CM = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class CorrectionInvalid(ValueError):
    """A correction refused; the message is fixed text naming the field, never the value."""


@dataclass(frozen=True)
class Reading:
    """What the pipeline read from one document (extraction.json)."""

    source: Source
    extraction: Extraction


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on the item at ``index`` of ``field`` (``ITEM_FIELDS``)."""

    field: str
    index: int
    action: Action
    reviewer: str
    at: datetime  # aware UTC
    values: dict[str, str] | None = None  # a correction's fields, as ``correct`` takes them


def read(doc_dir: Path, vault: Vault) -> Reading:
    """The reading of the document in ``doc_dir``; OSError/ValueError if it has none."""
    body = json.loads(vault.read(doc_dir / EXTRACTION_FILE))
    return Reading(
        source=Source.model_validate(body["source"]),
        extraction=Extraction.model_validate(body["extraction"]),
    )


def item_at(extraction: Extraction, field: str, index: int) -> Extracted:
    """The item at ``index`` of ``field``; LookupError if there is none."""
    if field not in ITEM_FIELDS:
        raise LookupError("no such item")
    items = getattr(extraction, field)
    if not 0 <= index < len(items):
        raise LookupError("no such item")
    item: Extracted = items[index]
    return item


def describe(item: Extracted) -> str:
    """The item's value as a reviewer reads it: "Heart rate 88 /min", "I10 Hypertension"."""
    from pipeline.schema import Allergy, Condition, Medication, Observation

    if isinstance(item, Observation):
        if item.components:
            unit = item.components[0].quantity.unit
            value = "/".join(_number(c.quantity.value) for c in item.components)
            text = f"{item.display}: {value} {unit}"
        elif item.quantity is not None:
            text = f"{item.display}: {_number(item.quantity.value)} {item.quantity.unit}"
        else:
            text = item.display
        return f"{text} ({item.effective})" if item.effective else text
    if isinstance(item, Medication):
        dose = f" {_number(item.dose.value)} {item.dose.unit}" if item.dose else ""
        return f"{item.text}{dose}" + (f" {item.frequency}" if item.frequency else "")
    if isinstance(item, Condition):
        return f"{item.code.code} {item.text}"
    assert isinstance(item, Allergy)
    return item.text + (f" ({item.reaction})" if item.reaction else "")


def correct(item: Extracted, field: str, values: dict[str, str], settings: Settings) -> Extracted:
    """``item`` with the reviewer's typed corrections; confidence 1 (a person read it).

    ``values``: any of CORRECTABLE[field] ("value", "unit", "date", "code"); blank ones
    are left as read. Raises CorrectionInvalid.
    """
    given = {k: v.strip() for k, v in values.items() if v and v.strip()}
    unknown = set(given) - set(CORRECTABLE[field])
    if unknown:
        raise CorrectionInvalid("this item has no such field")
    update: dict[str, Any] = {"confidence": 1.0}
    if "date" in given:
        when = _iso_date(given["date"])
        update["effective" if field == "observations" else "date"] = when
    if field == "observations":
        update.update(_observation(item, given, settings))
    elif field == "medications":
        update.update(_medication(item, given, settings))
    elif field == "conditions":
        if "code" in given:
            code = given["code"].upper()
            if not _ICD10CM.fullmatch(code):
                raise CorrectionInvalid("the code is not an ICD-10-CM code")
            titles = load(
                settings.extract.models_dir / "extract", "conditions.json", ConditionsData
            ).codes
            update["code"] = item.code.model_copy(  # type: ignore[union-attr]
                update={"code": code, "display": titles.get(code)}
            )
        if "value" in given:
            update["text"] = given["value"]
    elif "value" in given:
        update["text"] = given["value"]
    return item.model_copy(update=update)


def reissue(
    out_dir: Path,
    doc_id: str,
    decisions: list[Decision],
    settings: Settings,
    *,
    phi: Phi | None = None,
) -> tuple[int, str]:
    """Write the next version of ``doc_id``'s outputs with every decision applied.

    bundle.json from the extraction as read and ``decisions``; bundle.deid.json and
    deid.txt from the reviewed extraction and the PHI as it stands (``phi``, when a
    reviewer changed it: then deid.json, redaction.json and redacted.pdf too). Each file
    is replaced atomically; the bundles and redacted.pdf before are kept under
    ``history/`` with their version. Returns (the new version, bundle.json's text).
    Raises CorrectionInvalid (a decision's correction), OSError, ValueError.
    """
    from pipeline.run import Context, deid_json, surrogate_outputs

    vault = Vault.from_settings(settings.vault)
    doc_dir = out_dir / doc_id
    reading = read(doc_dir, vault)
    original = reading.extraction
    changes: dict[tuple[str, int], Change] = {}
    lists: dict[str, list[Extracted]] = {f: list(getattr(original, f)) for f in ITEM_FIELDS}
    for d in decisions:
        before = item_at(original, d.field, d.index)
        if d.action == "correct":
            lists[d.field][d.index] = correct(before, d.field, d.values or {}, settings)
        elif d.action == "accept":
            lists[d.field][d.index] = before.model_copy(update={"confidence": 1.0})
        changes[(d.field, d.index)] = Change(
            action=d.action,
            reviewer=d.reviewer,
            at=d.at.astimezone(UTC).isoformat(timespec="seconds"),
            original=describe(before),
        )
    reviewed = original.model_copy(update={f: tuple(v) for f, v in lists.items()})
    current = _bundle(doc_dir, vault)
    version = _version(current) + 1
    bundle = emit_bundle(
        reading.source,
        reviewed,
        scan=_scan(current),
        cfg=settings.fhir,
        review=Review(original=original, changes=changes, version=version),
    )
    ocr = read_ocr(doc_dir, vault)
    deid_dir = layout.deid_folder(out_dir, doc_id)
    report = phi.report if phi else read_phi(deid_dir)
    redacted = phi.redacted_pdf if phi else (deid_dir / "redacted.pdf").read_bytes()
    ctx = Context(settings=settings, map_pages=lambda fn, items: [fn(i) for i in items])
    deid, deid_text = surrogate_outputs(ocr, report, reviewed, reading.source, out_dir, ctx)
    deid_bundle = emit_deid_bundle(
        deid, redacted_pdf=redacted, pages=reading.source.pages, cfg=settings.fhir
    )
    files: dict[str, bytes] = {
        "bundle.deid.json": deid_bundle.encode(),
        "deid.txt": deid_text.encode(),
    }
    if phi is not None:
        from pipeline.run import redaction_json

        files["deid.json"] = deid_json(ocr, report).encode()
        files["redacted.pdf"] = redacted
        files["redaction.json"] = redaction_json(phi.painted).encode()
    history = [f for f in HISTORY_FILES if f in files or f == BUNDLE]
    _keep_history(out_dir, doc_id, version - 1, history)
    vault.write(doc_dir / BUNDLE, bundle)  # identified: sealed
    for name, data in files.items():
        write_atomically(layout.output(out_dir, doc_id, name), data)  # de-identified: plain
    return version, bundle


@dataclass(frozen=True)
class Phi:
    """The PHI of a document after a reviewer changed it: spans, boxes, the painted PDF."""

    report: PhiReport
    painted: dict[int, list[Box]]
    redacted_pdf: bytes


@dataclass(frozen=True)
class Repainted:
    """What repainting a page found: saved only when nothing painted is legible again."""

    saved: bool
    residual: int  # words under the boxes that re-reading the painted page still read
    boxes: int  # boxes on the page now


# The label a reviewer's new PHI box takes when none is chosen.
REVIEWER_LABEL = "PERSON"


def read_ocr(doc_dir: Path, vault: Vault) -> OcrDocument:
    """The document's OCR reading (ocr.json, sealed or not)."""
    return OcrDocument.model_validate_json(vault.read(doc_dir / "ocr.json"))


def read_phi(deid_dir: Path) -> PhiReport:
    """The document's PHI spans (deid.json, in its de-identified folder)."""
    body = json.loads((deid_dir / "deid.json").read_text(encoding="utf-8"))
    return PhiReport(
        spans=tuple(
            Span(start=s["start"], end=s["end"], label=s["label"], score=s["score"])
            for s in body["spans"]
        )
    )


def read_painted(doc_dir: Path) -> dict[int, list[Box]]:
    """The boxes painted on each page of redacted.pdf (redaction.json)."""
    body = json.loads((doc_dir / "redaction.json").read_text(encoding="utf-8"))
    return {
        int(i): [Box(x0=b[0], y0=b[1], x1=b[2], y1=b[3]) for b in boxes]
        for i, boxes in body["pages"].items()
    }


def page_pixels(pdf: Path, page: OcrPage, cfg: LoadSettings, vault: Vault) -> np.ndarray:
    """Page ``page.index`` of the PDF at ``pdf``, in the pixels its OCR boxes are in."""
    import cv2

    from pipeline.ocr.load import load_page

    with vault.plain_file(pdf) as path:
        source = Source(
            path=str(path),
            doc_id="page",
            sha256="",
            size=path.stat().st_size,
            media_type="application/pdf",
            pages=page.index + 1,
        )
        image = load_page(source, page.index, cfg=cfg).image
    if page.width and page.height and image.shape[:2] != (page.height, page.width):
        image = cv2.resize(image, (page.width, page.height), interpolation=cv2.INTER_AREA)
    return image


def edit_redaction(
    out_dir: Path,
    doc_id: str,
    index: int,
    *,
    add: list[tuple[Box, str]],
    remove: list[int],
    decisions: list[Decision],
    settings: Settings,
    not_phi: tuple[tuple[int, int], ...] = (),
) -> Repainted:
    """Add PHI boxes to (label each) or remove boxes from page ``index``, then repaint it.

    A box added makes PHI spans of the words under it; a box removed takes out the spans
    of the words only it covered (a reviewer found they are not PHI). The page is painted
    again from the scan (searchable.pdf) and read again by OCR: when a word under the
    boxes is still read, nothing is saved. Else redacted.pdf, deid.json, deid.txt and
    bundle.deid.json are issued again (``reissue``, with ``decisions``). ``not_phi``:
    spans (start, end) a reviewer found are not PHI, taken out whatever the boxes.
    """
    from pipeline.deid.image import paint
    from pipeline.ocr.engine import get_engine
    from pipeline.ocr.page import read_clean
    from pipeline.pdf import encode_page, write_pdf

    vault = Vault.from_settings(settings.vault)
    doc_dir = out_dir / doc_id
    ocr = read_ocr(doc_dir, vault)
    if not 0 <= index < len(ocr.pages):
        raise LookupError("no such page")
    page = ocr.pages[index]
    painted = read_painted(doc_dir)
    before = list(painted.get(index, []))
    removed = [b for i, b in enumerate(before) if i in set(remove)]
    boxes = [b for i, b in enumerate(before) if i not in set(remove)] + [b for b, _ in add]
    detected = read_phi(layout.deid_folder(out_dir, doc_id))
    detected = PhiReport(spans=tuple(s for s in detected.spans if (s.start, s.end) not in not_phi))
    report = _edited_spans(ocr, detected, index, boxes, removed, add)
    image = paint(page_pixels(doc_dir / "searchable.pdf", page, settings.load, vault), boxes)
    clean = CleanPage(index=index, image=image, dpi=page.dpi, speckled=page.speckled)
    reread = read_clean(clean, engine=get_engine(settings.ocr.engine), cfg=settings.ocr)
    residual = _still_legible(page, reread, boxes)
    if residual:
        return Repainted(saved=False, residual=residual, boxes=len(boxes))
    painted[index] = boxes
    redacted = layout.output(out_dir, doc_id, "redacted.pdf")
    pages = []
    for p in ocr.pages:
        pixels = image if p.index == index else page_pixels(redacted, p, settings.load, vault)
        pages.append(encode_page(pixels, p.dpi))
    phi = Phi(report=report, painted=painted, redacted_pdf=write_pdf(pages))
    reissue(out_dir, doc_id, decisions, settings, phi=phi)
    return Repainted(saved=True, residual=0, boxes=len(boxes))


def span_boxes(doc_dir: Path, start: int, end: int, settings: Settings) -> tuple[int, list[int]]:
    """(page, indexes of the painted boxes on it) that cover the words of a PHI span."""
    from pipeline.deid.boxes import redaction_boxes

    ocr = read_ocr(doc_dir, Vault.from_settings(settings.vault))
    page = ocr.page_of(start)
    span = PhiReport(spans=(Span(start=start, end=end, label="ID"),))
    words = redaction_boxes(ocr, span, pad=0).get(page, [])
    painted = read_painted(doc_dir).get(page, [])
    hits = [i for i, b in enumerate(painted) if any(_overlap(b, w) > 0.5 for w in words)]
    return page, hits


def _edited_spans(
    ocr: OcrDocument,
    report: PhiReport,
    index: int,
    boxes: list[Box],
    removed: list[Box],
    added: list[tuple[Box, str]],
) -> PhiReport:
    """The PHI spans after a reviewer's boxes.

    Words under a new box are PHI; a span whose words on this page no box covers any more
    is not.
    """
    page = ocr.pages[index]
    start = ocr.page_starts()[index]
    spans = list(report.spans)
    if removed:
        kept = []
        for s in spans:
            words = [w for w in page.words if start + w.start < s.end and start + w.end > s.start]
            gone = words and all(
                any(_overlap(r, w.box) > 0.5 for r in removed)
                and not any(_overlap(b, w.box) > 0.5 for b in boxes)
                for w in words
            )
            if not gone:
                kept.append(s)
        spans = kept
    for box, label in added:
        for w in page.words:
            if _overlap(box, w.box) > 0.5:
                spans.append(Span(start=start + w.start, end=start + w.end, label=label, score=1.0))
    return PhiReport(spans=_merged(spans))


def _merged(spans: list[Span]) -> tuple[Span, ...]:
    """Sorted, without overlaps (a span inside another, or equal, is dropped)."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and s.start < out[-1].end:
            if s.end > out[-1].end:
                out[-1] = out[-1].model_copy(update={"end": s.end})
            continue
        out.append(s)
    return tuple(out)


def _still_legible(page: OcrPage, reread: OcrPage, boxes: list[Box]) -> int:
    """Words that were under the boxes and that re-reading the painted page read again.

    A word read where the same word stands unpainted on the page (the reviewer left that
    one) is not one of them.
    """

    def token(text: str) -> str:
        return text.strip(".,:;()[]").casefold()

    def under(box: Box) -> bool:
        return any(_overlap(b, box) > 0.5 for b in boxes)

    hidden = {token(w.text) for w in page.words if under(w.box)}
    hidden = {t for t in hidden if len(t) >= 3 and any(c.isalnum() for c in t)}
    left = [w.box for w in page.words if token(w.text) in hidden and not under(w.box)]

    def where_left(box: Box) -> bool:
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        return any(b.x0 - 10 <= cx <= b.x1 + 10 and b.y0 - 10 <= cy <= b.y1 + 10 for b in left)

    return sum(
        1
        for w in reread.words
        if token(w.text) in hidden and not under(w.box) and not where_left(w.box)
    )


def _overlap(outer: Box, inner: Box) -> float:
    """The fraction of ``inner`` that lies inside ``outer``."""
    w = min(outer.x1, inner.x1) - max(outer.x0, inner.x0)
    h = min(outer.y1, inner.y1) - max(outer.y0, inner.y0)
    area = max(1, (inner.x1 - inner.x0) * (inner.y1 - inner.y0))
    return max(0, w) * max(0, h) / area


HISTORY_FILES = ("bundle.json", "bundle.deid.json", "redacted.pdf")


def _keep_history(out_dir: Path, doc_id: str, version: int, names: list[str]) -> None:
    """Copy the files of ``version`` into history/ beside them (once) before they change.

    The identified bundle's history is in the document's folder, the de-identified files'
    in its de-identified folder (pipeline/layout.py); copies keep their seal (0600).
    """
    for name in names:
        current = layout.output(out_dir, doc_id, name)
        history = current.parent / layout.HISTORY
        history.mkdir(mode=0o700, exist_ok=True)
        stem, dot, ext = name.partition(".")
        kept = history / f"{stem}.v{version}{dot}{ext}"
        if not kept.exists() and current.exists():
            write_atomically(kept, current.read_bytes())


def settle(out_dir: Path, doc_id: str, vault: Vault) -> bool:
    """Record ``doc_id`` as ``done`` in the manifest (its review is over); False if absent."""
    records = read_manifest(out_dir, vault)
    found = False
    for i, r in enumerate(records):
        if r.doc_id == doc_id and r.status == "review":
            records[i] = r.model_copy(update={"status": "done", "error": None, "reasons": ()})
            found = True
    if found:
        write_manifest(out_dir, records, vault)
    return found


def loinc_codes(settings: Settings) -> dict[str, str]:
    """LOINC code -> display of every vital sign and lab we read (a correction's choices)."""
    return dict(_loinc(settings.extract.models_dir / "extract"))


def rxnorm_codes(settings: Settings) -> dict[str, str]:
    """RxNorm ingredient code -> name of every drug listed in models/extract."""
    drugs = load(settings.extract.models_dir / "extract", "medications.json", MedicationsData).drugs
    return {d.rxnorm: d.name for d in drugs}


@cache
def _loinc(models_dir: Path) -> tuple[tuple[str, str], ...]:
    vitals = load(models_dir, "vitals.json", VitalsData).analytes
    labs = load(models_dir, "labs.json", LabsData).analytes
    return tuple((a.code, a.display) for a in (*vitals, *labs))


def _observation(item: Any, given: dict[str, str], settings: Settings) -> dict[str, Any]:
    update: dict[str, Any] = {}
    if "code" in given:
        codes = loinc_codes(settings)
        if given["code"] not in codes:
            raise CorrectionInvalid("the code is not a LOINC code of a vital sign or lab we read")
        update.update(code=given["code"], display=codes[given["code"]])
    unit = _unit(given)
    if item.components:
        unit = unit or item.components[0].quantity.unit
        if "value" in given or "unit" in given:
            parts = given.get("value", "/".join(_number(c.quantity.value) for c in item.components))
            numbers = parts.split("/")
            if len(numbers) != len(item.components):
                raise CorrectionInvalid("the value needs one number per part (120/80)")
            update["components"] = tuple(
                Component(
                    code=c.code,
                    display=c.display,
                    quantity=Quantity(value=_parse_number(n), unit=unit),
                )
                for c, n in zip(item.components, numbers, strict=True)
            )
    elif "value" in given or "unit" in given:
        update["quantity"] = _quantity(item.quantity, given, unit)
    return update


def _medication(item: Any, given: dict[str, str], settings: Settings) -> dict[str, Any]:
    update: dict[str, Any] = {}
    if "code" in given:
        names = rxnorm_codes(settings)
        if given["code"] not in names:
            raise CorrectionInvalid("the code is not the RxNorm code of a drug we list")
        update["code"] = Coding(system=RXNORM, code=given["code"], display=names[given["code"]])
        update["text"] = names[given["code"]]
    unit = _unit(given)
    if "value" in given or unit is not None:
        update["dose"] = _quantity(item.dose, given, unit)
    return update


def _unit(given: dict[str, str]) -> str | None:
    """The corrected UCUM unit, if one was given; CorrectionInvalid if it is not UCUM."""
    unit = given.get("unit")
    if unit is not None and not ucum.is_valid(unit):
        raise CorrectionInvalid("the unit is not a UCUM code")
    return unit


def _quantity(old: Quantity | None, given: dict[str, str], unit: str | None) -> Quantity:
    """``old`` with the corrected value and/or unit."""
    if old is None and "value" not in given:
        raise CorrectionInvalid("a unit needs a value")
    value = _parse_number(given["value"]) if "value" in given else old.value  # type: ignore[union-attr]
    return Quantity(value=value, unit=unit or (old.unit if old else "1"))


def _parse_number(text: str) -> float:
    if not _NUMBER.fullmatch(text.strip()):
        raise CorrectionInvalid("the value is not a number")
    return float(text)


def _iso_date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise CorrectionInvalid("the date is not a date (YYYY-MM-DD)") from None


def _number(value: float) -> str:
    return f"{value:g}"


def _bundle(doc_dir: Path, vault: Vault) -> dict[str, Any]:
    """The bundle.json there (opened by ``vault``); empty when there is none or not JSON."""
    try:
        body = json.loads(vault.read(doc_dir / BUNDLE))
    except (OSError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


def _version(bundle: dict[str, Any]) -> int:
    """The version of ``bundle``: 1 as the pipeline wrote it."""
    try:
        return int(bundle.get("meta", {}).get("versionId", 1))
    except ValueError:
        return 1


def _scan(bundle: dict[str, Any]) -> bytes | None:
    """The scan embedded in the bundle's DocumentReference (None: referenced by URL)."""
    for entry in bundle.get("entry", []):
        resource = entry.get("resource", {})
        if resource.get("resourceType") == "DocumentReference":
            for content in resource.get("content", []):
                data = content.get("attachment", {}).get("data")
                if data:
                    return base64.b64decode(data)
    return None
