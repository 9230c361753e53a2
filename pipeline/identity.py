"""Patient identity across the documents of an output directory: flagged, never merged.

Every bundle names its Patient by MRN (``fhir.patient_resource_id``), so the documents of one MRN
share one Patient. That is right only when they are one person: a misread MRN, or two
charts filed under one number, would merge two patients' records. After each ``ingest``
run, ``check_identities`` compares the demographics of every document in OUTDIR:

- the same MRN with a different family name, first given name (an initial agrees with
  the name it starts) or birth date, where both documents print it, is a conflict (E405):
  every document of that MRN goes to ``review`` (twins filed under one number differ in
  the given name only);
- the same family name, given name and birth date under different MRNs is a possible
  duplicate chart (E406): those documents go to ``review`` too.

Nothing is merged or renamed; a reviewer decides. ``OUTDIR/identity.json`` lists the
groups by doc_id and the fields that differ, never the values, so it holds no PHI. The check
starts afresh each run, so a reason goes away once its cause has.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from pipeline import errors
from pipeline.schema import DocumentRecord
from pipeline.vault import Vault, write_atomically

IDENTITY_FILE = "identity.json"
_CODES = (errors.PatientIdentityConflict.code, errors.PossibleDuplicateChart.code)


def held(record: DocumentRecord) -> bool:
    """Whether ``record`` carries an identity conflict, which load and export hold back.

    Its Patient would share a server id (the MRN's) with another person's: loading or
    exporting it would merge the two. A reviewer settles it first.
    """
    return any(r.startswith(_CODES) for r in record.reasons)


def _demographics(bundle: dict[str, Any]) -> tuple[str | None, str | None, str | None, str | None]:
    """(MRN, family, given, birth date) of a bundle's Patient, names case-folded."""
    for entry in bundle.get("entry", []):
        r = entry["resource"]
        if r["resourceType"] != "Patient":
            continue
        mrn = next((i["value"] for i in r.get("identifier", [])), None)
        name = (r.get("name") or [{}])[0]
        family = " ".join(name["family"].casefold().split()) if name.get("family") else None
        given = " ".join(" ".join(name.get("given", [])).casefold().split()) or None
        return mrn, family, given, r.get("birthDate")
    return None, None, None, None


def check_identities(
    out_dir: Path, records: list[DocumentRecord], vault: Vault
) -> list[DocumentRecord]:
    """``records`` with identity conflicts flagged; writes ``OUTDIR/identity.json``.

    Reads each bundle.json through ``vault`` (sealed or not).
    """
    people: dict[str, tuple[str | None, str | None, str | None, str | None]] = {}
    for r in records:
        bundle = out_dir / r.doc_id / "bundle.json"
        if r.status in ("done", "review") and bundle.exists():
            try:
                people[r.doc_id] = _demographics(json.loads(vault.read(bundle)))
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue  # a damaged bundle: load and export refuse it; nothing to compare
    by_mrn: dict[str, list[str]] = defaultdict(list)
    by_person: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for doc_id, (mrn, family, given, birth) in sorted(people.items()):
        if mrn:
            by_mrn[mrn].append(doc_id)
        if family and given and birth:
            by_person[(family, given, birth)].append(doc_id)
    groups: list[dict[str, Any]] = []
    flagged: dict[str, str] = {}
    for docs in by_mrn.values():
        differ = [
            field
            for field, i in (("family", 1), ("given", 2), ("birth_date", 3))
            if _disagree([v for d in docs if (v := people[d][i])], initials=i == 2)
        ]
        if differ:
            groups.append({"kind": "mrn-conflict", "documents": docs, "fields": differ})
            flagged.update((d, errors.PatientIdentityConflict().record) for d in docs)
    for docs in by_person.values():
        docs = [d for d in docs if people[d][0]]  # no MRN: nothing to be a duplicate of
        if len({people[d][0] for d in docs}) > 1:
            groups.append(
                {"kind": "possible-duplicate-chart", "documents": docs, "fields": ["mrn"]}
            )
            for d in docs:
                flagged.setdefault(d, errors.PossibleDuplicateChart().record)
    write_atomically(
        out_dir / IDENTITY_FILE,
        json.dumps({"patients": len(by_mrn), "conflicts": groups}, indent=2) + "\n",
    )
    return [_flag(r, flagged.get(r.doc_id)) for r in records]


def _disagree(values: list[str], *, initials: bool) -> bool:
    """Whether printed values differ; with ``initials``, "m" agrees with "margaret"."""
    firsts = [v.split()[0].rstrip(".") for v in values] if initials else values
    for a in firsts:
        for b in firsts:
            if a == b or (initials and (len(a) == 1 or len(b) == 1) and a[0] == b[0]):
                continue
            return True
    return False


def _flag(record: DocumentRecord, reason: str | None) -> DocumentRecord:
    """``record`` with its identity reason set to ``reason`` (or cleared)."""
    if record.status == "failed":
        return record
    reasons = [x for x in record.reasons if not x.startswith(_CODES)]
    if reason is not None:
        reasons.append(reason)
    if tuple(reasons) == record.reasons:
        return record
    return record.model_copy(
        update={
            "reasons": tuple(reasons),
            "status": "review" if reasons else "done",
            "error": reasons[0] if reasons else None,
        }
    )
