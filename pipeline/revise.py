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
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pipeline import ucum
from pipeline.batch import read_manifest, write_atomically, write_manifest
from pipeline.codesystems import RXNORM
from pipeline.extract.data import ConditionsData, LabsData, MedicationsData, VitalsData, load
from pipeline.fhir import Change, Review, emit_bundle
from pipeline.schema import (
    ITEM_FIELDS,
    Coding,
    Component,
    Extracted,
    Extraction,
    Quantity,
    Source,
)
from pipeline.settings import Settings

EXTRACTION_FILE = "extraction.json"
HISTORY = "history"
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


def read(doc_dir: Path) -> Reading:
    """The reading of the document in ``doc_dir``; OSError/ValueError if it has none."""
    body = json.loads((doc_dir / EXTRACTION_FILE).read_text(encoding="utf-8"))
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
    out_dir: Path, doc_id: str, decisions: list[Decision], settings: Settings
) -> tuple[int, str]:
    """Write the next version of ``doc_id``'s bundle.json with every decision applied.

    The version before is kept as ``history/bundle.v<N>.json``. Returns (the new version,
    the bundle's text). Raises CorrectionInvalid (a decision's correction), OSError.
    """
    doc_dir = out_dir / doc_id
    reading = read(doc_dir)
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
    history = doc_dir / HISTORY
    history.mkdir(exist_ok=True)
    version = _version(doc_dir) + 1
    bundle = emit_bundle(
        reading.source,
        reviewed,
        scan=_scan(doc_dir / "bundle.json"),
        cfg=settings.fhir,
        review=Review(original=original, changes=changes, version=version),
    )
    previous = history / f"bundle.v{version - 1}.json"
    if not previous.exists():
        shutil.copyfile(doc_dir / "bundle.json", previous)
    write_atomically(doc_dir / "bundle.json", bundle)
    return version, bundle


def settle(out_dir: Path, doc_id: str) -> bool:
    """Record ``doc_id`` as ``done`` in the manifest (its review is over); False if absent."""
    records = read_manifest(out_dir)
    found = False
    for i, r in enumerate(records):
        if r.doc_id == doc_id and r.status == "review":
            records[i] = r.model_copy(update={"status": "done", "error": None, "reasons": ()})
            found = True
    if found:
        write_manifest(out_dir, records)
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
    unit = given.get("unit")
    if unit is not None and not ucum.is_valid(unit):
        raise CorrectionInvalid("the unit is not a UCUM code")
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
        old = item.quantity
        if old is None and "value" not in given:
            raise CorrectionInvalid("a unit needs a value")
        value = _parse_number(given["value"]) if "value" in given else old.value
        update["quantity"] = Quantity(value=value, unit=unit or (old.unit if old else "1"))
    return update


def _medication(item: Any, given: dict[str, str], settings: Settings) -> dict[str, Any]:
    update: dict[str, Any] = {}
    if "code" in given:
        names = rxnorm_codes(settings)
        if given["code"] not in names:
            raise CorrectionInvalid("the code is not the RxNorm code of a drug we list")
        update["code"] = Coding(system=RXNORM, code=given["code"], display=names[given["code"]])
        update["text"] = names[given["code"]]
    unit = given.get("unit")
    if unit is not None and not ucum.is_valid(unit):
        raise CorrectionInvalid("the unit is not a UCUM code")
    if "value" in given or unit is not None:
        old = item.dose
        if old is None and "value" not in given:
            raise CorrectionInvalid("a unit needs a value")
        value = _parse_number(given["value"]) if "value" in given else old.value
        update["dose"] = Quantity(value=value, unit=unit or (old.unit if old else "1"))
    return update


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


def _version(doc_dir: Path) -> int:
    """The version of the bundle.json there: 1 as the pipeline wrote it."""
    try:
        meta = json.loads((doc_dir / "bundle.json").read_text(encoding="utf-8")).get("meta", {})
        return int(meta.get("versionId", 1))
    except (OSError, ValueError):
        return 1


def _scan(bundle_path: Path) -> bytes | None:
    """The scan embedded in the bundle's DocumentReference (None: referenced by URL)."""
    try:
        bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for entry in bundle.get("entry", []):
        resource = entry.get("resource", {})
        if resource.get("resourceType") == "DocumentReference":
            for content in resource.get("content", []):
                data = content.get("attachment", {}).get("data")
                if data:
                    return base64.b64decode(data)
    return None
