"""The self-scoring benchmark: ``chart2fhir bench`` / ``make bench``.

It generates a synthetic set with ground truth, runs the pipeline and, in the same run and on
the same machine, a baseline (raw pytesseract on the undoctored page + presidio with its
default recognizers), then scores both against the truth and writes BENCHMARKS.md and a JSON
file beside it. Nothing here is a pass/fail test: timings are noisy, the ratios are the point.

Scoring rules (also printed in the report):
- CER/WER: Levenshtein distance over whitespace-normalised page text, summed per level.
- PHI recall: a truth PHI item counts as caught when none of its distinctive tokens survives
  anywhere in the document's de-identified text, exactly or as an OCR-near variant
  (normalised similarity ≥ 0.8 for tokens of ≥ 5 characters). Distinctive: ≥ 2 characters,
  not also in the document's non-PHI text, and not a bare 1-2 digit number (a day or month
  alone, which also turns up as OCR debris, identifies no one). A token left anywhere fails
  every item that holds it, so the figure is conservative. Replacement tags ("[PERSON]",
  "[STREET_ADDRESS]") are blanked out before the de-identified text is tokenised.
- Over-redaction: clinical tokens (truth tokens outside PHI spans) present in the OCR text but
  removed from the de-identified text, over clinical tokens present in the OCR text.
- PHI detection (section "PHI detection", ``pipeline/bench_deid.py``): recall and
  over-redaction of both detectors on the truth text (no OCR); recall over the items the OCR
  read (every distinctive token in the OCR text, exactly or OCR-near); span precision on the
  truth text (a span overlapping a truth item of its page) and on the OCR text (a span holding
  a token of a truth PHI item); PHI items readable in redacted.pdf re-read by bare tesseract
  ``--psm 11``; de-id stage seconds per page in one process. The module's docstring has the
  details.
- Observations: multiset match against the truth on LOINC, value within 1 % in either
  printed unit (the other side converted with the UCUM library, ``pipeline/ucum.py``; meq
  and mmol through the analyte's charge in ``labs.json``) and date; exact matches are paired
  first. Blood pressure is scored by its two components.
- Worker queues (section "Worker queues", ``pipeline/bench_workers.py``): pages/min of
  bare tesseract, the embedded mode and the queues with 1 and 2 worker processes on the
  same documents, scaling efficiency, queue overhead per page in a run and by parts.
- Reference range and flag: of the lab values matched so, the share whose printed range
  (low and high, within 1 %) and flag (v3-ObservationInterpretation code) equal the truth's;
  a result printed without them must have neither.
"""

from __future__ import annotations

import json
import multiprocessing
import platform
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import layout, ucum
from pipeline.schema import OcrDocument, OcrPage
from pipeline.settings import Settings

TOKEN = re.compile(r"[A-Za-z0-9]+")
# A replacement tag ("[STREET_ADDRESS]", presidio's "[MEDICAL_LICENSE]") is no text of the
# chart: its words would count as a leak of "3286 Mitchell Street" or "Bell Medical Center".
TAG = re.compile(r"\[[A-Z][A-Z0-9_]*\]")
LEVELS = ("clean", "moderate", "heavy")
VALUE_TOLERANCE = 0.01  # a value matches within 1 % of the truth


# --- scoring (pure) ---------------------------------------------------------------------


def normalise(text: str) -> str:
    """Collapse all whitespace (incl. form feeds) to single spaces."""
    return " ".join(text.split())


def edit_counts(hyp: str, ref: str) -> tuple[int, int, int, int]:
    """(character edits, reference characters, word edits, reference words)."""
    from rapidfuzz.distance import Levenshtein

    h, r = normalise(hyp), normalise(ref)
    hw, rw = h.split(), r.split()
    return Levenshtein.distance(h, r), len(r), Levenshtein.distance(hw, rw), len(rw)


def tokens(text: str) -> list[str]:
    """Lower-cased alphanumeric tokens."""
    return [t.lower() for t in TOKEN.findall(text)]


def phi_caught(truth_doc: dict[str, Any], deid_text: str) -> list[tuple[str, bool]]:
    """(label, caught) for every evaluable truth PHI item of one document."""
    clinical = clinical_tokens(truth_doc)
    left = Vocabulary(without_tags(deid_text), clinical)
    return [
        (item["type"], not any(left.holds(t) for t in distinctive))
        for item, distinctive in evaluable_items(truth_doc, clinical)
    ]


def without_tags(deid_text: str) -> str:
    """``deid_text`` with its replacement tags ("[PERSON]") blanked out."""
    return TAG.sub(" ", deid_text)


def clinical_tokens(truth_doc: dict[str, Any]) -> set[str]:
    """The tokens of the document's non-PHI truth text."""
    clinical: set[str] = set()
    for page in truth_doc["pages"]:
        clinical.update(tokens(_without_phi(page)))
    return clinical


def distinctive_tokens(text: str, clinical: set[str]) -> list[str]:
    """Tokens of ``text`` that identify: ≥ 2 characters, not clinical, not a bare day/month."""
    return [
        t
        for t in tokens(text)
        if len(t) >= 2 and t not in clinical and not (t.isdigit() and len(t) <= 2)
    ]


def evaluable_items(
    truth_doc: dict[str, Any], clinical: set[str] | None = None
) -> list[tuple[dict[str, Any], list[str]]]:
    """(item, distinctive tokens) for every truth PHI item that has distinctive tokens."""
    if clinical is None:
        clinical = clinical_tokens(truth_doc)
    found = []
    for page in truth_doc["pages"]:
        for item in page["phi"]:
            distinctive = distinctive_tokens(item["text"], clinical)
            if distinctive:
                found.append((item, distinctive))
    return found


class Vocabulary:
    """The tokens of a text, asked whether a truth token is there, exactly or OCR-near."""

    def __init__(self, text: str, clinical: set[str]) -> None:
        self.exact = set(tokens(text))
        # A clinical word that survives is no leak, however close it is to a name
        # ("weight" is one letter from "Wright").
        self.long = [t for t in self.exact if len(t) >= 4 and t not in clinical]

    def holds(self, token: str) -> bool:
        """``token`` is in the text, or (≥ 5 characters) has a near variant there (≥ 0.8)."""
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        if token in self.exact:
            return True
        if len(token) < 5 or not self.long:
            return False
        match = process.extractOne(
            token, self.long, scorer=Levenshtein.normalized_similarity, score_cutoff=0.8
        )
        return match is not None


def over_redaction(truth_doc: dict[str, Any], ocr_text: str, deid_text: str) -> tuple[int, int]:
    """(clinical tokens wrongly removed, clinical tokens present in the OCR text)."""
    clinical: Counter[str] = Counter()
    phi: set[str] = set()
    for page in truth_doc["pages"]:
        clinical.update(tokens(_without_phi(page)))
        for item in page["phi"]:
            phi.update(tokens(item["text"]))
    ocr, deid = Counter(tokens(ocr_text)), Counter(tokens(without_tags(deid_text)))
    removed = ocr - deid
    present = sum(min(n, clinical[t]) for t, n in ocr.items() if t in clinical)
    wrong = sum(min(n, clinical[t]) for t, n in removed.items() if t in clinical and t not in phi)
    return wrong, present


def clinical_term_over_redaction(
    truth_doc: dict[str, Any], ocr_text: str, deid_text: str
) -> tuple[int, int]:
    """(clinical-term tokens removed, present) where the truth lists its ``clinical_terms``.

    The words of the drugs, problems, allergens, labs and devices printed outside PHI (three
    letters or more, not numbers), counted where OCR read them, as ``../shared/charts-x``'s
    scorer counts its over-redaction of clinical words. (0, 0) for a truth without the list.
    """
    vocab = {
        t
        for term in truth_doc.get("clinical_terms", [])
        for t in tokens(term)
        if len(t) >= 3 and not t[0].isdigit()
    }
    if not vocab:
        return 0, 0
    expected: Counter[str] = Counter()
    for page in truth_doc["pages"]:
        expected.update(t for t in tokens(_without_phi(page)) if t in vocab)
    ocr, deid = Counter(tokens(ocr_text)), Counter(tokens(without_tags(deid_text)))
    should = {t: min(ocr[t], n) for t, n in expected.items()}
    present = sum(should.values())
    survived = sum(min(deid[t], n) for t, n in should.items())
    return present - survived, present


def _without_phi(page: dict[str, Any]) -> str:
    text = page["text"]
    for item in sorted(page["phi"], key=lambda i: i["start"], reverse=True):
        text = text[: item["start"]] + " " + text[item["end"] :]
    return text


def truth_observation_keys(truth_doc: dict[str, Any]) -> Counter[tuple[Any, ...]]:
    """Scoring keys (code, value, unit, date) of the truth observations."""
    keys: Counter[tuple[Any, ...]] = Counter()
    for o in truth_doc["observations"]:
        if o.get("components"):
            for c in o["components"]:
                keys[(c["code"], round(float(c["value"]), 2), c["unit"], o.get("date"))] += 1
        elif o.get("value") is not None:
            keys[(o["code"], round(float(o["value"]), 2), o["unit"], o.get("date"))] += 1
    return keys


def bundle_observation_keys(bundle: dict[str, Any]) -> Counter[tuple[Any, ...]]:
    """Scoring keys of the Observations in a FHIR bundle."""
    keys: Counter[tuple[Any, ...]] = Counter()
    for entry in bundle.get("entry", []):
        r = entry["resource"]
        if r["resourceType"] != "Observation":
            continue
        date = (r.get("effectiveDateTime") or "")[:10] or None
        parts = [(c["code"], c["valueQuantity"]) for c in r.get("component", [])]
        if "valueQuantity" in r:
            parts.append((r["code"], r["valueQuantity"]))
        for code, q in parts:
            keys[(code["coding"][0]["code"], round(float(q["value"]), 2), q["code"], date)] += 1
    return keys


def extraction_keys(observations: Any) -> Counter[tuple[Any, ...]]:
    """Scoring keys of schema Observations (used for the baseline)."""
    keys: Counter[tuple[Any, ...]] = Counter()
    for o in observations:
        date = (o.effective or "")[:10] or None
        for c in o.components:
            keys[(c.code, round(c.quantity.value, 2), c.quantity.unit, date)] += 1
        if o.quantity is not None:
            keys[(o.code, round(o.quantity.value, 2), o.quantity.unit, date)] += 1
    return keys


def matched(
    predicted: Counter[tuple[Any, ...]],
    expected: Counter[tuple[Any, ...]],
    charges: Mapping[str, int] | None = None,
) -> int:
    """How many ``predicted`` keys pair with an ``expected`` key, each key used once.

    Keys are (code, value, unit, ...): the code and the rest must be equal, the values
    agree by ``same_value``. Exact keys pair first, then each truth key in turn takes the
    first prediction left that agrees with it. ``charges`` (LOINC -> ionic charge) lets
    meq/L and mmol/L be compared.
    """
    exact = predicted & expected
    left = list((predicted - exact).elements())
    tp = sum(exact.values())
    for key in sorted((expected - exact).elements(), key=repr):
        i = next((i for i, p in enumerate(left) if _pairs(p, key, charges or {})), None)
        if i is not None:
            del left[i]
            tp += 1
    return tp


def same_value(
    value: float, unit: str, truth: float, truth_unit: str, *, charge: int | None = None
) -> bool:
    """Whether ``value`` is within 1 % of ``truth``, in the truth's unit or in its own."""
    if unit == truth_unit:
        return _close(value, truth)
    try:
        return _close(ucum.convert(value, unit, truth_unit, charge=charge), truth) or _close(
            value, ucum.convert(truth, truth_unit, unit, charge=charge)
        )
    except ucum.UcumError:
        return False  # not commensurable (or not UCUM): not the same value


def _close(value: float, truth: float) -> bool:
    return abs(value - truth) <= VALUE_TOLERANCE * abs(truth)


def _pairs(key: tuple[Any, ...], truth: tuple[Any, ...], charges: Mapping[str, int]) -> bool:
    code, value, unit, *rest = key
    t_code, t_value, t_unit, *t_rest = truth
    return (code, rest) == (t_code, t_rest) and same_value(
        value, unit, t_value, t_unit, charge=charges.get(code)
    )


# A lab value as scored for its range and flag: (code, value, unit, date) and
# (low, high, flag), the bounds in the value's unit.
LabRead = tuple[tuple[Any, ...], tuple[float | None, float | None, str | None]]


def truth_lab_reads(truth_doc: dict[str, Any]) -> list[LabRead]:
    """The truth lab values with their printed range and flag (None where not printed)."""
    reads: list[LabRead] = []
    for o in truth_doc["observations"]:
        if o.get("category") != "laboratory" or o.get("value") is None:
            continue
        ref = o.get("reference_range") or {}
        key = (o["code"], round(float(o["value"]), 2), o["unit"], o.get("date"))
        reads.append((key, (ref.get("low"), ref.get("high"), o.get("interpretation"))))
    return reads


def bundle_lab_reads(bundle: dict[str, Any]) -> list[LabRead]:
    """The laboratory Observations of a FHIR bundle with their referenceRange and flag."""
    reads: list[LabRead] = []
    for entry in bundle.get("entry", []):
        r = entry["resource"]
        if r["resourceType"] != "Observation" or "valueQuantity" not in r:
            continue
        categories = {c["code"] for cat in r.get("category", []) for c in cat.get("coding", [])}
        if "laboratory" not in categories:
            continue
        q, ref = r["valueQuantity"], (r.get("referenceRange") or [{}])[0]
        flag = r["interpretation"][0]["coding"][0]["code"] if r.get("interpretation") else None
        date = (r.get("effectiveDateTime") or "")[:10] or None
        key = (r["code"]["coding"][0]["code"], round(float(q["value"]), 2), q["code"], date)
        bounds = tuple(ref[b]["value"] if b in ref else None for b in ("low", "high"))
        reads.append((key, (bounds[0], bounds[1], flag)))
    return reads


def extraction_lab_reads(observations: Any) -> list[LabRead]:
    """The laboratory schema Observations (the baseline's) with their range and flag."""
    reads: list[LabRead] = []
    for o in observations:
        if o.category != "laboratory" or o.quantity is None:
            continue
        ref = o.reference_range
        low = ref.low.value if ref is not None and ref.low is not None else None
        high = ref.high.value if ref is not None and ref.high is not None else None
        date = (o.effective or "")[:10] or None
        key = (o.code, round(o.quantity.value, 2), o.quantity.unit, date)
        reads.append((key, (low, high, o.interpretation)))
    return reads


def lab_charges(models_dir: Path) -> dict[str, int]:
    """LOINC -> ionic charge of the analytes ``labs.json`` lists in both meq and mmol."""
    from pipeline.extract.data import LabsData, load

    labs = load(models_dir / "extract", "labs.json", LabsData)
    return {a.code: a.charge for a in labs.analytes if a.charge is not None}


def range_flag_counts(
    truth: list[LabRead], predicted: list[LabRead], charges: Mapping[str, int] | None = None
) -> tuple[int, int]:
    """(matched lab values whose range and flag equal the truth's, matched lab values).

    Values pair as in ``matched``: exact keys first, then by ``same_value``.
    """
    charges = charges or {}
    left, todo = list(predicted), list(truth)
    right = pairs = 0
    for exact in (True, False):
        for t in list(todo):
            for i, p in enumerate(left):
                if p[0] == t[0] if exact else _pairs(p[0], t[0], charges):
                    pairs += 1
                    right += _same_range_flag(p, t, charges.get(t[0][0]))
                    del left[i]
                    todo.remove(t)
                    break
    return right, pairs


def _same_range_flag(read: LabRead, truth: LabRead, charge: int | None) -> bool:
    (_, _, unit, _), (low, high, flag) = read
    (_, _, t_unit, _), (t_low, t_high, t_flag) = truth
    if flag != t_flag:
        return False
    return all(
        (b is None) == (t is None)
        and (b is None or t is None or same_value(b, unit, t, t_unit, charge=charge))
        for b, t in ((low, t_low), (high, t_high))
    )


def prf(tp: int, n_pred: int, n_true: int) -> dict[str, float]:
    """Precision, recall and F1 from counts."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_true if n_true else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


@dataclass
class Tally:
    """Accumulated counts for one system (pipeline or baseline)."""

    cer: dict[str, list[int]] = field(default_factory=lambda: {lv: [0, 0, 0, 0] for lv in LEVELS})
    phi: dict[str, list[int]] = field(default_factory=dict)  # label -> [caught, total]
    phi_level: dict[str, list[int]] = field(default_factory=lambda: {lv: [0, 0] for lv in LEVELS})
    over: list[int] = field(default_factory=lambda: [0, 0])
    obs: list[int] = field(default_factory=lambda: [0, 0, 0])  # tp, predicted, true
    obs_nodate: list[int] = field(default_factory=lambda: [0, 0, 0])
    obs_level: dict[str, list[int]] = field(
        default_factory=lambda: {lv: [0, 0, 0] for lv in LEVELS}
    )
    lab_range: list[int] = field(default_factory=lambda: [0, 0])  # right, matched lab values
    charges: dict[str, int] = field(default_factory=dict)  # LOINC -> ionic charge (labs.json)
    seconds: float = 0.0
    pages: int = 0

    def add_document(
        self,
        truth: dict[str, Any],
        page_texts: list[str],
        deid_text: str,
        predicted: Counter[tuple[Any, ...]],
    ) -> None:
        """Score one document."""
        level = truth["degradation"]
        for page, hyp in zip(truth["pages"], page_texts, strict=False):
            for i, v in enumerate(edit_counts(hyp, page["text"])):
                self.cer[level][i] += v
        for label, caught in phi_caught(truth, deid_text):
            row = self.phi.setdefault(label, [0, 0])
            row[0] += int(caught)
            row[1] += 1
            self.phi_level[level][0] += int(caught)
            self.phi_level[level][1] += 1
        wrong, present = over_redaction(truth, "\f".join(page_texts), deid_text)
        self.over[0] += wrong
        self.over[1] += present
        expected = truth_observation_keys(truth)
        tp = matched(predicted, expected, self.charges)
        for row in (self.obs, self.obs_level[level]):
            row[0] += tp
            row[1] += sum(predicted.values())
            row[2] += sum(expected.values())
        nodate, nodate_true = drop_date(predicted), drop_date(expected)
        self.obs_nodate[0] += matched(nodate, nodate_true, self.charges)
        self.obs_nodate[1] += sum(nodate.values())
        self.obs_nodate[2] += sum(nodate_true.values())

    def add_lab_reads(self, truth: dict[str, Any], reads: list[LabRead]) -> None:
        """Score the reference ranges and flags of one document's lab values."""
        right, pairs = range_flag_counts(truth_lab_reads(truth), reads, self.charges)
        self.lab_range[0] += right
        self.lab_range[1] += pairs

    def figures(self) -> dict[str, Any]:
        """The tally as report figures."""
        total_caught = sum(c for c, _ in self.phi.values())
        total_items = sum(n for _, n in self.phi.values())
        return {
            "cer": {lv: _ratio(v[0], v[1]) for lv, v in self.cer.items() if v[1]},
            "wer": {lv: _ratio(v[2], v[3]) for lv, v in self.cer.items() if v[3]},
            "phi_recall": _ratio(total_caught, total_items),
            "phi_recall_by_level": {lv: _ratio(c, n) for lv, (c, n) in self.phi_level.items() if n},
            "phi_recall_by_type": {
                k: {"recall": _ratio(c, n), "items": n} for k, (c, n) in sorted(self.phi.items())
            },
            "over_redaction": _ratio(self.over[0], self.over[1]),
            "observations": prf(*self.obs),
            "observations_ignoring_date": prf(*self.obs_nodate),
            "observations_by_level": {lv: prf(*v) for lv, v in self.obs_level.items() if v[2]},
            "lab_range_flag": _ratio(*self.lab_range),
            "lab_range_flag_matched": self.lab_range[1],
            "observation_counts": {
                "true": self.obs[2],
                "predicted": self.obs[1],
                "tp": self.obs[0],
            },
            "pages": self.pages,
            "seconds": round(self.seconds, 2),
            "seconds_per_page": _ratio(self.seconds, self.pages),
        }


def drop_date(keys: Counter[tuple[Any, ...]]) -> Counter[tuple[Any, ...]]:
    """The same keys without their date, counts summed."""
    out: Counter[tuple[Any, ...]] = Counter()
    for key, n in keys.items():
        out[key[:3]] += n
    return out


def _ratio(a: float, b: float) -> float:
    return round(a / b, 4) if b else 0.0


# --- the baseline -----------------------------------------------------------------------


def _baseline_pages(args: tuple[str, int]) -> list[str]:
    """Worker: raw pytesseract (``--oem 1 --psm 3``) on every undoctored page of one file."""
    import pytesseract

    from pipeline.ocr.load import inspect_source, load_page
    from pipeline.settings import LoadSettings, configure_process

    configure_process()
    path, dpi = args
    cfg = LoadSettings(dpi=dpi)
    source = inspect_source(path, cfg=cfg)
    texts = []
    for i in range(source.pages):
        raw = load_page(source, i, cfg=cfg)
        texts.append(pytesseract.image_to_string(raw.image, config="--oem 1 --psm 3").strip())
    return texts


def baseline_analyzer() -> Any:
    """Presidio with its default (predefined) recognizers, without a downloaded model."""
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    class BlankEngine(SpacyNlpEngine):
        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]

    engine = BlankEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.load()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=engine)
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


def baseline_spans(text: str, analyzer: Any) -> list[tuple[int, int, str]]:
    """(start, end, type) of what default presidio finds, overlaps dropped: earliest, longest."""
    results = sorted(analyzer.analyze(text=text, language="en"), key=lambda r: (r.start, -r.end))
    kept, at = [], 0
    for r in results:
        if r.start < at:
            continue
        kept.append((r.start, r.end, r.entity_type))
        at = r.end
    return kept


def baseline_deid(text: str, analyzer: Any) -> str:
    """Replace what default presidio finds with [TYPE], longest/highest first."""
    return replace_spans(text, baseline_spans(text, analyzer))


def replace_spans(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` with each of the sorted, non-overlapping ``spans`` replaced by [TYPE]."""
    out, at = [], 0
    for start, end, label in spans:
        out.append(text[at:start])
        out.append(f"[{label}]")
        at = end
    out.append(text[at:])
    return "".join(out)


# --- the run ----------------------------------------------------------------------------


def run_bench(*, out: Path, n: int, seed: int, jobs: int, report: Path, settings: Settings) -> int:
    """Generate, run pipeline and baseline, score, write the report. Returns an exit code."""
    from pipeline.batch import ingest
    from pipeline.extract import extract_entities
    from pipeline.extract.nlp import build_nlp
    from samples.bad import make_bad_inputs

    set_dir = out / "set"
    if set_dir.exists():
        shutil.rmtree(set_dir)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "samples.generate",
            "--n",
            str(n),
            "--seed",
            str(seed),
            "--out",
            str(set_dir),
        ],
        check=True,
    )
    truths = {p.stem: json.loads(p.read_text()) for p in sorted((set_dir / "truth").glob("*.json"))}
    scans = {name: str(set_dir / t["file"]) for name, t in truths.items()}
    pdf = next((Path(s) for s in scans.values() if s.endswith(".pdf")), None)
    bad_dir = out / "bad"
    expected_bad = make_bad_inputs(bad_dir, pdf) if pdf else {}
    bad_before = {f: (bad_dir / f).read_bytes() for f in expected_bad}

    # The pipeline.
    charges = lab_charges(Path(settings.extract.models_dir))
    ours = Tally(charges=charges)
    run_dir = out / "run"
    started = time.monotonic()
    records = ingest(
        list(scans.values()) + [str(bad_dir / f) for f in expected_bad],
        out_dir=run_dir,
        settings=settings,
        jobs=jobs,
        force=True,
    )
    ours.seconds = time.monotonic() - started
    by_source = {r.source: r for r in records}
    statuses = Counter(r.status for r in records)
    for name, truth in truths.items():
        record = by_source[scans[name]]
        ours.pages += len(truth["pages"])
        if record.status == "failed":
            ours.add_document(truth, [""] * len(truth["pages"]), "", Counter())
            continue
        doc_dir = run_dir / record.doc_id
        text = (doc_dir / "text.txt").read_text()
        bundle = json.loads((doc_dir / "bundle.json").read_text())
        ours.add_document(
            truth,
            text.split("\f"),
            layout.output(run_dir, record.doc_id, "deid.txt").read_text(),
            bundle_observation_keys(bundle),
        )
        ours.add_lab_reads(truth, bundle_lab_reads(bundle))
    bad_ok = sum(
        1
        for f, code in expected_bad.items()
        if (r := by_source.get(str(bad_dir / f))) is not None
        and r.status == "failed"
        and (r.error or "").startswith(code)
        and (bad_dir / f).read_bytes() == bad_before[f]
    )

    # The baseline, same machine, same run, same parallelism.
    base = Tally(charges=charges)
    started = time.monotonic()
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        base_texts = dict(
            zip(
                truths,
                pool.map(_baseline_pages, [(scans[k], settings.load.dpi) for k in truths]),
                strict=True,
            )
        )
    analyzer = baseline_analyzer()
    base_deid = {k: baseline_deid("\f".join(v), analyzer) for k, v in base_texts.items()}
    base.seconds = time.monotonic() - started
    nlp = build_nlp(settings.extract)
    base_extractions: dict[str, Any] = {}
    for name, truth in truths.items():
        base.pages += len(truth["pages"])
        pages = tuple(
            OcrPage(index=i, width=0, height=0, dpi=300, text=t)
            for i, t in enumerate(base_texts[name])
        )
        extraction = extract_entities(
            OcrDocument(doc_id=name, pages=pages), nlp=nlp, cfg=settings.extract
        )
        base.add_document(
            truth, base_texts[name], base_deid[name], extraction_keys(extraction.observations)
        )
        base.add_lab_reads(truth, extraction_lab_reads(extraction.observations))
        base_extractions[name] = extraction

    # Every OCR engine side by side on the same pages.
    from pipeline.bench_ocr import run_ocr_bench

    ocr = run_ocr_bench(truths, scans, jobs=jobs, settings=settings)

    # PHI detection apart from OCR, span precision, leaks in redacted.pdf, stage time.
    from pipeline.bench_deid import run_deid_bench

    doc_dirs = {
        name: None if (r := by_source[scans[name]]).status == "failed" else run_dir / r.doc_id
        for name in truths
    }
    deid = run_deid_bench(truths, doc_dirs, base_texts, jobs=jobs, settings=settings)

    # Medications, problems, allergies; bundle validity; the review queue.
    from pipeline.bench_lists import run_lists_bench

    lists = run_lists_bench(truths, doc_dirs, base_extractions, settings=settings)

    # Pages/min embedded, through the worker queues with 1 and 2 processes, bare tesseract.
    from pipeline.bench_workers import run_workers_bench

    workers = run_workers_bench(list(scans.values()), settings=settings, out=out / "workers")

    levels = Counter(t["degradation"] for t in truths.values())
    result = {
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": multiprocessing.cpu_count(),
            "tesseract": _tesseract_version(),
        },
        "set": {"n": n, "seed": seed, "documents": len(truths), "levels": dict(levels)},
        "jobs": jobs,
        "pipeline": ours.figures(),
        "baseline": base.figures(),
        "statuses": dict(statuses),
        "bad_inputs": {"handled": bad_ok, "total": len(expected_bad)},
        "ocr": ocr,
        "deid": deid,
        "lists": lists,
        "workers": workers,
    }
    report.write_text(render(result), encoding="utf-8")
    report.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(render(result))
    return 0


def _tesseract_version() -> str:
    try:
        done = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
        return done.stdout.splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def render(r: dict[str, Any]) -> str:
    """The markdown report."""
    p, b = r["pipeline"], r["baseline"]
    lines = [
        "# Benchmark",
        "",
        f"Generated by `make bench` (`chart2fhir bench --n {r['set']['n']} --seed "
        f"{r['set']['seed']}`): {r['set']['documents']} synthetic documents "
        f"({', '.join(f'{v} {k}' for k, v in sorted(r['set']['levels'].items()))}), "
        f"{p['pages']} pages, --jobs {r['jobs']}.",
        f"Machine: {r['machine']['platform']}, {r['machine']['cpus']} CPUs, Python "
        f"{r['machine']['python']}, {r['machine']['tesseract']}.",
        "Baseline: raw pytesseract (`--oem 1 --psm 3`, no cleanup) + presidio's default "
        "recognizers; its observations come from our extractor run on the baseline text.",
        "",
        "| metric | chart2fhir | baseline |",
        "|---|---|---|",
    ]
    for lv in LEVELS:
        if lv in p["cer"]:
            lines.append(f"| CER {lv} | {p['cer'][lv]:.3f} | {b['cer'].get(lv, 0):.3f} |")
    for lv in LEVELS:
        if lv in p["wer"]:
            lines.append(f"| WER {lv} | {p['wer'][lv]:.3f} | {b['wer'].get(lv, 0):.3f} |")
    lines += [
        f"| PHI recall (all items) | {p['phi_recall']:.3f} | {b['phi_recall']:.3f} |",
        *(
            f"| PHI recall {lv} | {p['phi_recall_by_level'][lv]:.3f} | "
            f"{b['phi_recall_by_level'].get(lv, 0):.3f} |"
            for lv in LEVELS
            if lv in p["phi_recall_by_level"]
        ),
        f"| over-redaction (clinical words removed) | {p['over_redaction']:.3f} | "
        f"{b['over_redaction']:.3f} |",
    ]
    for k in ("precision", "recall", "f1"):
        lines.append(
            f"| observation {k} | {p['observations'][k]:.3f} | {b['observations'][k]:.3f} |"
        )
    for lv in LEVELS:
        if lv in p.get("observations_by_level", {}):
            o, ob = p["observations_by_level"][lv], b["observations_by_level"].get(lv, {})
            lines.append(
                f"| observation F1 {lv} (P / R) | {o['f1']:.3f} ({o['precision']:.3f} / "
                f"{o['recall']:.3f}) | {ob.get('f1', 0.0):.3f} |"
            )
    lines += [
        f"| observation F1 ignoring date | {p['observations_ignoring_date']['f1']:.3f} | "
        f"{b['observations_ignoring_date']['f1']:.3f} |",
        f"| reference range and flag right on matched lab values "
        f"(of {p['lab_range_flag_matched']} / {b['lab_range_flag_matched']}) | "
        f"{p['lab_range_flag']:.3f} | {b['lab_range_flag']:.3f} |",
        f"| seconds per page | {p['seconds_per_page']:.2f} | {b['seconds_per_page']:.2f} |",
        f"| bad inputs refused with the right code, input untouched | "
        f"{r['bad_inputs']['handled']}/{r['bad_inputs']['total']} | — |",
        "",
        "PHI recall by type (items):",
        "",
        "| type | items | chart2fhir | baseline |",
        "|---|---|---|---|",
    ]
    for label, row in p["phi_recall_by_type"].items():
        base_row = b["phi_recall_by_type"].get(label, {"recall": 0.0})
        lines.append(
            f"| {label} | {row['items']} | {row['recall']:.3f} | {base_row['recall']:.3f} |"
        )
    lines += [
        "",
        f"Document statuses: {', '.join(f'{k} {v}' for k, v in sorted(r['statuses'].items()))}"
        " (bad inputs included).",
        "",
        "Scoring: see the docstring of `pipeline/bench.py`. Seconds per page include redaction "
        "verification (a second OCR pass over the painted pages).",
        "",
    ]
    if r.get("lists"):
        from pipeline.bench_lists import render_lists

        lines += render_lists(r["lists"], r["statuses"])
    if r.get("deid"):
        from pipeline.bench_deid import render_deid

        lines += render_deid(r["deid"], (p["over_redaction"], b["over_redaction"]))
    if r.get("ocr"):
        from pipeline.bench_ocr import render_ocr

        lines += render_ocr(r["ocr"])
    if r.get("workers"):
        from pipeline.bench_workers import render_workers

        lines += render_workers(r["workers"])
    return "\n".join(lines)
