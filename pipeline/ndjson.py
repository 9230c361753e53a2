"""FHIR Bulk Data NDJSON: every document's bundle as one file per resource type.

``chart2fhir export OUTDIR --ndjson DIR`` reads the bundles of the documents that ingest
finished (``done`` or ``review`` in the manifest) and writes ``DIR/Patient.ndjson``,
``DIR/Observation.ndjson``, ... with one resource per line, as the FHIR Bulk Data format
(https://hl7.org/fhir/uv/bulkdata/) and bulk loaders expect. A bundle's references are
transaction-local ("urn:uuid:..."); in NDJSON they become "Type/id". A resource in more than
one bundle (the same id) is written once. Each file is written under a temporary name and
renamed into place.

``deid=True`` exports bundle.deid.json instead, into a folder that should hold nothing
identified.

A document with a patient identity conflict (E405/E406, pipeline/identity.py) is held back,
as ``chart2fhir load`` holds it: its Patient shares the MRN's id with another person's, and
one Patient line per id would silently keep one of the two. ``include_conflicts`` exports
it once a reviewer has settled the conflict.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline import layout
from pipeline.batch import read_manifest
from pipeline.identity import held
from pipeline.schema import DocumentRecord, Model
from pipeline.vault import PLAIN, Vault, write_atomically


class Export(Model):
    """What ``export_ndjson`` wrote: resources per type, and the documents it held back."""

    counts: dict[str, int]
    held: tuple[str, ...] = ()  # doc_ids with an identity conflict (E810)


def bundle_files(
    out_dir: Path, *, deid: bool = False, vault: Vault = PLAIN
) -> list[tuple[DocumentRecord, Path | None]]:
    """Every manifest record with its bundle file; None where ingest left none (``failed``).

    ``deid`` names bundle.deid.json instead of bundle.json. Also used by chart2fhir load.

    Raises:
        FileNotFoundError: ``out_dir`` has no manifest (nothing was ingested there).

    """
    if not (out_dir / "manifest.json").exists():
        raise FileNotFoundError("OUTDIR has no manifest.json")
    name = "bundle.deid.json" if deid else "bundle.json"
    found: list[tuple[DocumentRecord, Path | None]] = []
    for record in read_manifest(out_dir, vault):
        path = layout.output(out_dir, record.doc_id, name)
        found.append((record, None if record.status == "failed" or not path.exists() else path))
    return found


def export_ndjson(
    out_dir: Path,
    dest: Path,
    *,
    deid: bool = False,
    include_conflicts: bool = False,
    vault: Vault = PLAIN,
) -> Export:
    """Write the NDJSON files; returns the resources written per type and who was held back.

    The files are plain (an export is for a loader: it leaves our custody, and is audited),
    0600 in a 0700 folder; bundles sealed by ``vault`` are opened for it.

    Raises:
        FileNotFoundError: ``out_dir`` has no manifest (nothing was ingested there).

    """
    lines: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    held_back: list[str] = []
    for record, path in bundle_files(out_dir, deid=deid, vault=vault):
        if path is None:
            continue
        if not include_conflicts and held(record):
            held_back.append(record.doc_id)
            continue
        bundle = json.loads(vault.read(path))
        local = {
            e["fullUrl"]: f"{e['resource']['resourceType']}/{e['resource']['id']}"
            for e in bundle.get("entry", [])
        }
        for entry in bundle.get("entry", []):
            resource = _resolved(entry["resource"], local)
            key = (resource["resourceType"], resource["id"])
            if key in seen:
                continue
            seen.add(key)
            line = json.dumps(resource, separators=(",", ":"), ensure_ascii=False)
            lines.setdefault(resource["resourceType"], []).append(line)
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    for resource_type, rows in sorted(lines.items()):
        write_atomically(dest / f"{resource_type}.ndjson", "".join(r + "\n" for r in rows))
    counts = {t: len(rows) for t, rows in sorted(lines.items())}
    return Export(counts=counts, held=tuple(dict.fromkeys(held_back)))


def _resolved(value: Any, local: dict[str, str]) -> Any:
    """``value`` with every ``reference`` to a bundle entry's fullUrl made "Type/id"."""
    if isinstance(value, dict):
        out = {k: _resolved(v, local) for k, v in value.items()}
        ref = out.get("reference")
        if isinstance(ref, str) and ref in local:
            out["reference"] = local[ref]
        return out
    if isinstance(value, list):
        return [_resolved(v, local) for v in value]
    return value
