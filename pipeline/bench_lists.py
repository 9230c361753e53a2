"""The benchmark's medication, problem and allergy figures (``chart2fhir bench``).

Each bundle's MedicationStatements, Conditions and AllergyIntolerances are matched against
the truth lists the sample generator writes (samples/README.md), per degradation level:

- a medication matches on its drug (the RxNorm ingredient when coded, else the printed
  name), its strength (value and UCUM unit) and its status (active or stopped); among the
  matched, the share whose route and frequency are right is reported too;
- a condition matches on its ICD-10-CM code;
- an allergy matches on its substance as printed (or on being a no-known-allergy
  statement); among the matched, the share whose reaction is right.

Scoring uses ``models/extract`` only to name the truth's drugs, routes and frequencies in
the bundle's terms (RxNorm, SNOMED CT, Timing); the truth itself is the generator's.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import layout
from pipeline.codesystems import UCUM
from pipeline.extract.data import AllergiesData, MedicationsData, load
from pipeline.extract.text import normalise_label
from pipeline.settings import Settings

LEVELS = ("clean", "moderate", "heavy")
KINDS = ("medications", "conditions", "allergies")
NO_KNOWN = "no-known"
_STRENGTH = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([A-Za-zµ%]+)")

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The terms of models/extract that name truth items as the bundle does."""

    rxnorm: dict[str, str]  # normalised drug name or synonym -> RxCUI
    units: dict[str, str]  # printed strength unit (lower case) -> UCUM
    routes: dict[str, str]  # printed route (normalised) -> SNOMED CT code
    timings: dict[str, tuple[int, float, str, str | None]]  # printed frequency -> repeat
    no_known: frozenset[str]  # SNOMED CT codes of no-known-allergy statements

    @classmethod
    def load(cls, models_dir: Path) -> Vocabulary:
        """Read the vocabulary from ``models_dir / "extract"``."""
        extract = models_dir / "extract"
        meds = load(extract, "medications.json", MedicationsData)
        allergies = load(extract, "allergies.json", AllergiesData)
        return cls(
            rxnorm={
                normalise_label(n): d.rxnorm for d in meds.drugs for n in (d.name, *d.synonyms)
            },
            units={k.lower(): v for k, v in meds.strength_units.items()},
            routes={normalise_label(p): r.code for r in meds.routes.values() for p in r.printed},
            timings={
                normalise_label(k): (f.frequency, f.period, f.unit, f.when)
                for k, f in meds.frequencies.items()
            },
            no_known=frozenset(allergies.no_known),
        )

    def drug(self, name: str) -> str:
        """The RxCUI of a drug name, or the normalised name when it is not listed."""
        key = normalise_label(name)
        return self.rxnorm.get(key, key)

    def strength(self, text: str | None) -> tuple[float, str] | None:
        """The first value and UCUM unit of a printed strength ("90 mcg 2 puffs")."""
        m = _STRENGTH.search(text or "")
        if m is None:
            return None
        return float(m.group(1)), self.units.get(m.group(2).lower(), m.group(2))


# --------------------------------------------------------------------------- keys
def truth_items(truth: dict[str, Any], vocab: Vocabulary) -> dict[str, dict[Key, Key]]:
    """Per kind, the truth items: match key -> detail key (route/frequency, reaction)."""
    meds: dict[Key, Key] = {}
    for m in truth.get("medications", []):
        key = (vocab.drug(m["name"]), vocab.strength(m["strength"]), m["status"])
        route = vocab.routes.get(normalise_label(m["route"])) if m["route"] else None
        # "q6h PRN pain": the as-needed part is not the frequency.
        frequency = re.split(r"\s+PRN\b", m["frequency"] or "")[0]
        timing = vocab.timings.get(normalise_label(frequency)) if frequency else None
        meds[key] = (route, timing)
    conditions: dict[Key, Key] = {(c["code"],): () for c in truth.get("conditions", [])}
    allergies: dict[Key, Key] = {}
    for a in truth.get("allergies", []):
        if a["no_known"]:
            allergies[(NO_KNOWN,)] = (None,)
        else:
            allergies[(normalise_label(a["substance"]),)] = (normalise_label(a["reaction"]),)
    return {"medications": meds, "conditions": conditions, "allergies": allergies}


def bundle_items(bundle: dict[str, Any], vocab: Vocabulary) -> dict[str, Counter[Key]]:
    """Per kind, the bundle's items as (match key, detail key) pairs, counted."""
    out: dict[str, Counter[Key]] = {kind: Counter() for kind in KINDS}
    for entry in bundle.get("entry", []):
        r = entry["resource"]
        kind = r["resourceType"]
        if kind == "MedicationStatement":
            concept = r["medicationCodeableConcept"]
            coding = concept.get("coding") or []
            drug = coding[0]["code"] if coding else vocab.drug(concept.get("text", ""))
            dosage = (r.get("dosage") or [{}])[0]
            key = (drug, vocab.strength(dosage.get("text")), r["status"])
            route = (dosage.get("route") or {}).get("coding", [{}])[0].get("code")
            repeat = (dosage.get("timing") or {}).get("repeat")
            timing = (
                (
                    repeat["frequency"],
                    float(repeat["period"]),
                    repeat["periodUnit"],
                    (repeat.get("when") or [None])[0],
                )
                if repeat
                else None
            )
            out["medications"][(key, (route, timing))] += 1
        elif kind == "Condition":
            out["conditions"][((r["code"]["coding"][0]["code"],), ())] += 1
        elif kind == "AllergyIntolerance":
            codes = {c.get("code") for c in r["code"].get("coding", [])}
            if codes & vocab.no_known:
                out["allergies"][((NO_KNOWN,), (None,))] += 1
                continue
            reaction = None
            if r.get("reaction"):
                reaction = normalise_label(r["reaction"][0]["manifestation"][0].get("text", ""))
            out["allergies"][((normalise_label(r["code"].get("text", "")),), (reaction,))] += 1
    return out


# --------------------------------------------------------------------------- tally
@dataclass
class ListTally:
    """Counts per kind and level: [tp, predicted, true, detail right among tp]."""

    counts: dict[str, dict[str, list[int]]] = field(
        default_factory=lambda: {k: {lv: [0, 0, 0, 0] for lv in LEVELS} for k in KINDS}
    )

    def add(
        self, level: str, truth: dict[str, dict[Key, Key]], predicted: dict[str, Counter[Key]]
    ) -> None:
        """Score one document's items."""
        for kind in KINDS:
            expected = dict(truth[kind])
            row = self.counts[kind][level]
            row[1] += sum(predicted[kind].values())
            row[2] += len(expected)
            for (key, detail), n in sorted(predicted[kind].items(), key=repr):
                for _ in range(n):
                    if key in expected:
                        row[0] += 1
                        row[3] += int(expected.pop(key) == detail)

    def figures(self) -> dict[str, Any]:
        """Precision, recall, F1 and detail share per kind, per level and overall."""
        out: dict[str, Any] = {}
        for kind in KINDS:
            levels = {lv: _prf(*row) for lv, row in self.counts[kind].items() if row[2] or row[1]}
            total = [sum(row[i] for row in self.counts[kind].values()) for i in range(4)]
            out[kind] = {"all": _prf(*total), "by_level": levels}
        return out


def _prf(tp: int, predicted: int, true: int, detail: int) -> dict[str, Any]:
    p = tp / predicted if predicted else 0.0
    r = tp / true if true else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "detail_right": round(detail / tp, 4) if tp else 0.0,
        "true": true,
        "predicted": predicted,
        "tp": tp,
    }


def run_lists_bench(
    truths: dict[str, dict[str, Any]],
    doc_dirs: dict[str, Path | None],
    base_extractions: dict[str, Any],
    *,
    settings: Settings,
) -> dict[str, Any]:
    """Lists P/R per level (ours and the baseline), bundle validity, UCUM share.

    ``doc_dirs`` maps a truth name to its output directory (None for a failed document);
    ``base_extractions`` holds the baseline's Extraction per name (our extractor on bare
    tesseract text), made into bundles here the way ingest makes them.
    """
    from fhir.resources.R4B.bundle import Bundle

    from pipeline import fhir_check
    from pipeline.fhir import emit_bundle
    from pipeline.schema import Source
    from pipeline.ucum import is_valid

    vocab = Vocabulary.load(Path(settings.extract.models_dir))
    ours, base = ListTally(), ListTally()
    checked = fhir_check.available()
    schema_errors = fhir_check.schema_validator() if checked else None
    valid: dict[str, Any] = {"bundles": 0, "r4b_valid": 0, "schema_valid": None}
    if checked:
        valid["schema_valid"] = 0
    bundles: dict[str, list[dict[str, Any]]] = {"bundle.json": [], "bundle.deid.json": []}
    units = [0, 0]  # quantities with a valid UCUM code, quantities
    for name, truth in truths.items():
        level = truth["degradation"]
        expected = truth_items(truth, vocab)
        doc_dir = doc_dirs.get(name)
        predicted: dict[str, Counter[Key]] = {k: Counter() for k in KINDS}
        if doc_dir is not None:
            for file in ("bundle.json", "bundle.deid.json"):
                bundle = json.loads(layout.output(doc_dir.parent, doc_dir.name, file).read_text())
                valid["bundles"] += 1
                bundles[file].append(bundle)
                try:
                    Bundle.model_validate(bundle)
                    valid["r4b_valid"] += 1
                except ValueError:
                    pass
                if schema_errors is not None and not schema_errors(bundle):
                    valid["schema_valid"] += 1
                if file == "bundle.json":
                    predicted = bundle_items(bundle, vocab)
                    for q in _quantities(bundle):
                        units[1] += 1
                        units[0] += int(q.get("system") == UCUM and is_valid(q.get("code", "")))
        ours.add(level, expected, predicted)
        source = Source(
            path=f"{name}.pdf",
            doc_id=name,
            sha256="0" * 64,
            size=0,
            media_type="application/pdf",
            pages=len(truth["pages"]),
        )
        bundle = json.loads(
            emit_bundle(source, base_extractions[name], scan=None, cfg=settings.fhir)
        )
        base.add(level, expected, bundle_items(bundle, vocab))
    valid["server"] = server_load(bundles) if checked else None
    return {
        "pipeline": ours.figures(),
        "baseline": base.figures(),
        "validity": valid,
        "ucum_valid": round(units[0] / units[1], 4) if units[1] else 0.0,
        "quantities": units[1],
    }


def server_load(bundles: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Load each bundle twice into a real FHIR R4 server (``fhir_check.fhir_server``).

    Each bundle goes to a repository of its own: the in-memory server answers a conditional
    create by scanning every resource of its type, so a shared repository of the whole set
    makes each load slower than the last (a 500-entry flowsheet bundle took 120 s there, 20 s
    alone). Across documents, one Patient per MRN on a shared server is the test suite's
    (tests/test_samples_e2e.py). A bundle is accepted when the server answers its
    transaction with a Bundle whose every entry succeeded (200 or 201); the second load
    should create nothing (no 201). A request that fails (timeout, refused) is not accepted.
    """
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from pipeline.fhir_check import fhir_server
    from pipeline.fhir_load import HEADERS

    out: dict[str, Any] = {
        "bundles": 0,
        "accepted": 0,
        "second_load_created": 0,
        "second_load_accepted": 0,
        "request_errors": 0,
    }
    started = time.monotonic()

    def load(file: str, group: list[dict[str, Any]]) -> None:
        # One server process for each kind of bundle, in parallel: node runs one thread.
        with fhir_server() as url, httpx.Client(timeout=300) as client:
            for n, bundle in enumerate(group):
                space = f"{url}/space/bench-{file.split('.')[1]}-{n}"
                with lock:
                    out["bundles"] += 1
                for round_ in ("first", "second"):
                    try:
                        reply = client.post(space, content=json.dumps(bundle), headers=HEADERS)
                        body = reply.json()
                    except (httpx.HTTPError, ValueError):
                        with lock:
                            out["request_errors"] += 1
                        continue
                    statuses = [
                        e.get("response", {}).get("status", "")[:3] for e in body.get("entry", [])
                    ]
                    ok = (
                        reply.status_code == 200
                        and body.get("resourceType") == "Bundle"
                        and len(statuses) == len(bundle.get("entry", []))
                        and all(s in ("200", "201") for s in statuses)
                    )
                    with lock:
                        if round_ == "first":
                            out["accepted"] += ok
                        else:
                            out["second_load_accepted"] += ok
                            out["second_load_created"] += statuses.count("201")

    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=len(bundles) or 1) as pool:
        for done in [pool.submit(load, f, g) for f, g in bundles.items()]:
            done.result()
    out["seconds"] = round(time.monotonic() - started, 1)
    return out


def _quantities(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Quantity of the bundle's Observations and MedicationStatements."""
    out = []
    for entry in bundle.get("entry", []):
        r = entry["resource"]
        if "valueQuantity" in r:
            out.append(r["valueQuantity"])
        out += [c["valueQuantity"] for c in r.get("component", []) if "valueQuantity" in c]
        for ref in r.get("referenceRange", []):
            out += [ref[b] for b in ("low", "high") if b in ref]
        for dosage in r.get("dosage", []):
            out += [d["doseQuantity"] for d in dosage.get("doseAndRate", []) if "doseQuantity" in d]
    return out


def _validity_lines(v: dict[str, Any]) -> list[str]:
    """The bundle validity paragraph: each validator's count."""
    n = v["bundles"]
    lines = [
        f"Bundles (identified and de-identified) valid by fhir.resources R4B: {v['r4b_valid']}/{n}."
    ]
    if v.get("schema_valid") is None:
        lines.append("HL7's JSON schema and the FHIR server were not installed (make install).")
        return lines
    s = v["server"]
    lines += [
        f"Valid by HL7's FHIR R4 JSON schema (jsonschema): {v['schema_valid']}/{n}.",
        f"Accepted by a FHIR R4 server (Medplum fhir-router 4.5.2, in memory; "
        f"`pipeline/fhir_check.py`): {s['accepted']}/{s['bundles']}; loaded a second time: "
        f"{s['second_load_accepted']}/{s['bundles']} accepted, "
        f"{s['second_load_created']} resources created ({s['request_errors']} requests failed; "
        f"{s['seconds']} s, each bundle in a repository of its own).",
    ]
    return lines


def render_lists(r: dict[str, Any], statuses: dict[str, int]) -> list[str]:
    """Markdown for BENCHMARKS.md: lists beside the baseline, validity, review share."""
    ours, base = r["pipeline"], r["baseline"]
    detail = {
        "medications": "route and frequency right",
        "conditions": "",
        "allergies": "reaction right",
    }
    v = r["validity"]
    clinical = sum(n for k, n in statuses.items() if k in ("done", "review"))
    lines = [
        "## Medications, problems, allergies",
        "",
        "Matched against the truth lists (`pipeline/bench_lists.py`); the baseline is our "
        "extractor on bare tesseract text.",
        "",
        "| list | level | precision | recall | F1 (tp/true) | detail right (of matched) "
        "| baseline F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        rows = [("all", ours[kind]["all"], base[kind]["all"])]
        rows += [
            (lv, ours[kind]["by_level"][lv], base[kind]["by_level"].get(lv, {}))
            for lv in LEVELS
            if lv in ours[kind]["by_level"]
        ]
        for level, o, b in rows:
            right = f"{o['detail_right']:.3f} ({detail[kind]})" if detail[kind] else "-"
            lines.append(
                f"| {kind} | {level} | {o['precision']:.3f} | {o['recall']:.3f} | {o['f1']:.3f}"
                f" ({o['tp']}/{o['true']}) | {right} | {b.get('f1', 0.0):.3f} |"
            )
    lines += [
        "",
        *_validity_lines(v),
        f"Quantities with a valid UCUM code (ucumvert): {r['ucum_valid']:.3f} of "
        f"{r['quantities']}.",
        f"Review queue: {statuses.get('review', 0)} of {clinical} documents read "
        f"({statuses.get('review', 0) / clinical if clinical else 0.0:.3f}).",
        "",
    ]
    return lines
