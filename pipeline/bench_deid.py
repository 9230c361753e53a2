"""The PHI part of the benchmark: detection apart from OCR, precision, leaks, stage time.

Our detector (``find_phi`` + ``deidentify_text``) and stock presidio (``bench.baseline_*``)
are scored side by side, in the same run as the rest of ``chart2fhir bench``:

- Truth text: both run on the truth page texts joined by form feeds, as the pipeline joins
  OCR pages, so no OCR noise. PHI recall (``bench.phi_caught``) per type and overall, and
  over-redaction (``bench.over_redaction`` with the truth text as the OCR text). With the
  figures after OCR this separates what OCR loses from what detection misses.
- Items read: a truth PHI item counts as read when every one of its distinctive tokens is in
  that system's OCR text (``text.txt``; the baseline's own OCR text), exactly or OCR-near:
  the same tokens and the same matching rule as ``phi_caught``. Recall over read items only.
- Span precision, truth text: a predicted span is correct when it overlaps the
  ``[start, end)`` of a truth PHI item of the same page (offsets are exact there).
- Span precision, OCR text (token rule): a span of ``deid.json`` (for the baseline, what
  presidio finds in its own OCR text) is correct when one of its alphanumeric tokens is a
  truth PHI token of that document (a token of a truth PHI item that the document's non-PHI
  text lacks), exactly or OCR-near (the span token, ≥ 4 characters and not a clinical word,
  at normalised similarity ≥ 0.8 to a truth token of ≥ 5 characters). A span over a word
  that is both PHI and clinical text counts as wrong, so the figure is a lower bound.
- Readable in redacted.pdf: each page of each document's redacted.pdf is rendered in
  grayscale at 300 DPI (pdf2image) and read again with bare tesseract ``--oem 1 --psm 11``
  (sparse text: it picks up fragments); a truth PHI item is readable when ``phi_caught`` on
  that text says it is not caught. A re-read word lying on a word our OCR read as a clinical
  word of the document, and reading otherwise, is that word misread ("Fax" read as "Fox", a
  surname), not PHI (``without_misreadings``). Only ours: the baseline paints no images.
- De-id stage time: ``find_phi`` + ``deidentify_text`` over every document's OCR text, one
  document after the other in this one process (one core), against presidio's analyze and
  replace on the same text. Analyzers are built before the clock starts.

The patient's name is a PERSON item holding the patient's family or given name. Failed
documents have no OCR text (nothing read) and no redacted.pdf (not re-read).
"""

from __future__ import annotations

import json
import multiprocessing
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import layout
from pipeline.bench import (
    Vocabulary,
    _ratio,
    baseline_analyzer,
    baseline_spans,
    clinical_term_over_redaction,
    clinical_tokens,
    evaluable_items,
    over_redaction,
    phi_caught,
    replace_spans,
    tokens,
)
from pipeline.schema import OcrDocument, OcrPage
from pipeline.settings import Settings

# The targets, shown beside the figures (never compared here: no pass/fail).
TARGETS = {
    "read_recall": 0.995,
    "type_recall": 0.98,
    "patient_name_recall": 1.0,
    "readable_in_redacted": 0,
    "over_redaction": 0.02,
    "span_precision": 0.90,
    "seconds_per_page": 0.3,
}
REREAD_DPI = 300
REREAD_CONFIG = "--oem 1 --psm 11"
# What the analyzers read once before the clock starts (first-call set-up is not per page).
_WARM_UP = "Patient: HARRISON, MARGARET MRN: 4829173 DOB: 03/14/1952 Tel: 555-201-3344"

Spans = list[tuple[int, int, str]]
ReadWord = tuple[str, int, int, int, int]  # text, x0, y0, x1, y1


# --- scoring (pure) ---------------------------------------------------------------------


def truth_document(truth_doc: dict[str, Any]) -> OcrDocument:
    """The truth page texts as an OcrDocument, joined by form feeds as OCR pages are."""
    pages = tuple(
        OcrPage(index=i, width=0, height=0, dpi=300, text=p["text"])
        for i, p in enumerate(truth_doc["pages"])
    )
    return OcrDocument(doc_id=truth_doc.get("name", "truth"), pages=pages)


def patient_names(truth_doc: dict[str, Any]) -> list[bool]:
    """For every evaluable item (``phi_caught``'s order): does it hold the patient's name."""
    patient = truth_doc.get("patient") or {}
    names = {t for n in [patient.get("family") or "", *patient.get("given", [])] for t in tokens(n)}
    return [
        item["type"] == "PERSON" and bool(names & set(tokens(item["text"])))
        for item, _ in evaluable_items(truth_doc)
    ]


def phi_read(truth_doc: dict[str, Any], ocr_text: str) -> list[tuple[str, bool]]:
    """(label, read) for every evaluable item: all its distinctive tokens are in the OCR text."""
    clinical = clinical_tokens(truth_doc)
    ocr = Vocabulary(ocr_text, clinical)
    return [
        (item["type"], all(ocr.holds(t) for t in distinctive))
        for item, distinctive in evaluable_items(truth_doc, clinical)
    ]


def phi_readable(truth_doc: dict[str, Any], reread_text: str) -> list[tuple[str, bool]]:
    """(label, readable) for every evaluable item, in the re-OCR text of the redacted pages."""
    return [(label, not caught) for label, caught in phi_caught(truth_doc, reread_text)]


def span_hits(truth_doc: dict[str, Any], spans: Spans) -> list[tuple[str, bool]]:
    """(label, correct) per span, offsets into ``truth_document(truth_doc).text``.

    A span is correct when it overlaps a truth PHI item; items are placed at their page's
    start in the joined text, so only items of the page a span lies on can match.
    """
    starts = truth_document(truth_doc).page_starts()
    items = [
        (at + item["start"], at + item["end"])
        for at, page in zip(starts, truth_doc["pages"], strict=True)
        for item in page["phi"]
    ]
    return [(label, any(s < ie and i_s < e for i_s, ie in items)) for s, e, label in spans if e > s]


def token_span_hits(truth_doc: dict[str, Any], text: str, spans: Spans) -> list[tuple[str, bool]]:
    """(label, correct) per span of ``text``: one of its tokens is a truth PHI token.

    A truth PHI token is a token of a truth PHI item that is not in the document's non-PHI
    text; a span token matches one exactly, or, when it has ≥ 4 characters and is not a
    clinical word, as an OCR-near variant of one of ≥ 5 (normalised similarity ≥ 0.8).
    """
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    clinical = clinical_tokens(truth_doc)
    # Every token of a truth item that the non-PHI text lacks: an age of 92 or a day alone
    # is PHI here, though too short to score recall by.
    phi = {
        t
        for page in truth_doc["pages"]
        for item in page["phi"]
        for t in tokens(item["text"])
        if t not in clinical
    }
    long_phi = [t for t in phi if len(t) >= 5]

    def is_phi(token: str) -> bool:
        if token in phi:
            return True
        if len(token) < 4 or token in clinical or not long_phi:
            return False
        match = process.extractOne(
            token, long_phi, scorer=Levenshtein.normalized_similarity, score_cutoff=0.8
        )
        return match is not None

    return [(label, any(is_phi(t) for t in tokens(text[s:e]))) for s, e, label in spans if e > s]


@dataclass
class Recall:
    """Items caught (or read, or readable) over items, per truth type and for the patient."""

    by_type: dict[str, list[int]] = field(default_factory=dict)  # label -> [hits, items]
    patient: list[int] = field(default_factory=lambda: [0, 0])

    def add(
        self, rows: Iterable[tuple[str, bool]], patient: Iterable[bool], keep: Iterable[bool]
    ) -> None:
        """Count ``rows`` whose ``keep`` flag is set; ``patient`` marks the patient's name."""
        for (label, hit), is_patient, kept in zip(rows, patient, keep, strict=True):
            if not kept:
                continue
            row = self.by_type.setdefault(label, [0, 0])
            row[0] += int(hit)
            row[1] += 1
            if is_patient:
                self.patient[0] += int(hit)
                self.patient[1] += 1

    def figures(self) -> dict[str, Any]:
        """Overall and per-type ratios with their counts."""
        hits = sum(h for h, _ in self.by_type.values())
        items = sum(n for _, n in self.by_type.values())
        return {
            "recall": _ratio(hits, items),
            "hits": hits,
            "items": items,
            "by_type": {
                k: {"recall": _ratio(h, n), "hits": h, "items": n}
                for k, (h, n) in sorted(self.by_type.items())
            },
            "patient_name": {
                "recall": _ratio(*self.patient),
                "hits": self.patient[0],
                "items": self.patient[1],
            },
        }


@dataclass
class Precision:
    """Correct spans over predicted spans, with the labels of the wrong ones."""

    correct: int = 0
    predicted: int = 0
    wrong: Counter[str] = field(default_factory=Counter)

    def add(self, hits: Iterable[tuple[str, bool]]) -> None:
        """Count spans scored by ``span_hits`` or ``token_span_hits``."""
        for label, ok in hits:
            self.predicted += 1
            self.correct += int(ok)
            if not ok:
                self.wrong[label] += 1

    def figures(self) -> dict[str, Any]:
        """Precision with its counts."""
        return {
            "precision": _ratio(self.correct, self.predicted),
            "correct": self.correct,
            "spans": self.predicted,
            "wrong_by_label": dict(self.wrong.most_common()),
        }


@dataclass
class DeidTally:
    """Everything scored for one system (ours or stock presidio)."""

    truth_recall: Recall = field(default_factory=Recall)
    truth_over: list[int] = field(default_factory=lambda: [0, 0])
    truth_precision: Precision = field(default_factory=Precision)
    read_recall: Recall = field(default_factory=Recall)
    ocr_precision: Precision = field(default_factory=Precision)
    ocr_over: list[int] = field(default_factory=lambda: [0, 0])
    clinical_over: list[int] = field(default_factory=lambda: [0, 0])

    def add_truth_text(self, truth_doc: dict[str, Any], spans: Spans, deid_text: str) -> None:
        """Score detection on the truth text: ``spans`` and ``deid_text`` of its joined text."""
        caught = phi_caught(truth_doc, deid_text)
        self.truth_recall.add(caught, patient_names(truth_doc), [True] * len(caught))
        wrong, present = over_redaction(truth_doc, truth_document(truth_doc).text, deid_text)
        self.truth_over[0] += wrong
        self.truth_over[1] += present
        self.truth_precision.add(span_hits(truth_doc, spans))

    def add_ocr_text(
        self, truth_doc: dict[str, Any], ocr_text: str, spans: Spans, deid_text: str
    ) -> None:
        """Score detection after OCR: recall over items read, token-rule span precision."""
        read = [r for _, r in phi_read(truth_doc, ocr_text)]
        self.read_recall.add(phi_caught(truth_doc, deid_text), patient_names(truth_doc), read)
        self.ocr_precision.add(token_span_hits(truth_doc, ocr_text, spans))

    def add_over_redaction(self, truth_doc: dict[str, Any], ocr_text: str, deid_text: str) -> None:
        """Count the non-PHI words OCR read that de-id removed, and the clinical terms among them.

        ``bench.over_redaction`` and ``bench.clinical_term_over_redaction``.
        """
        wrong, present = over_redaction(truth_doc, ocr_text, deid_text)
        self.ocr_over[0] += wrong
        self.ocr_over[1] += present
        wrong, present = clinical_term_over_redaction(truth_doc, ocr_text, deid_text)
        self.clinical_over[0] += wrong
        self.clinical_over[1] += present

    def figures(self) -> dict[str, Any]:
        """The tally as report figures."""
        return {
            "over_redaction": _ratio(*self.ocr_over),
            "clinical_over_redaction": _ratio(*self.clinical_over),
            "truth_text": {
                **self.truth_recall.figures(),
                "over_redaction": _ratio(*self.truth_over),
                "span_precision": self.truth_precision.figures(),
            },
            "read_items": self.read_recall.figures(),
            "ocr_span_precision": self.ocr_precision.figures(),
        }


def leak_figures(readable: Recall, documents: int, pages: int) -> dict[str, Any]:
    """The redacted.pdf figures: items readable there, overall and per type."""
    f = readable.figures()
    return {
        "documents": documents,
        "pages": pages,
        "readable": f["hits"],
        "items": f["items"],
        "by_type": {k: v["hits"] for k, v in f["by_type"].items()},
        "patient_name": f["patient_name"]["hits"],
    }


# --- the run ----------------------------------------------------------------------------


def _reread_page(args: tuple[str, int]) -> list[ReadWord]:
    """Worker: one page of a redacted.pdf, rendered and read by bare tesseract (sparse text)."""
    import pytesseract
    from pdf2image import convert_from_path

    from pipeline.settings import configure_process

    configure_process()
    path, index = args
    image = convert_from_path(
        path, dpi=REREAD_DPI, grayscale=True, first_page=index + 1, last_page=index + 1
    )[0]
    data = pytesseract.image_to_data(
        image, config=REREAD_CONFIG, output_type=pytesseract.Output.DICT
    )
    return [
        (str(text), int(x), int(y), int(x) + int(w), int(y) + int(h))
        for text, x, y, w, h in zip(
            data["text"], data["left"], data["top"], data["width"], data["height"], strict=True
        )
        if str(text).strip()
    ]


def without_misreadings(
    reread: list[ReadWord], page: dict[str, Any], clinical: set[str], *, scale: float
) -> str:
    """The re-read page's text, less the words that misread a clinical word our OCR read there.

    Tesseract's sparse mode read the printed "Fax" as "Fox", a provider's surname: a word
    whose centre lies in the box of an ``ocr.json`` word (``page``) whose tokens are all
    clinical words of the document (the truth text outside PHI), and which reads otherwise,
    is that word misread, not PHI left legible. ``scale`` maps ``ocr.json`` pixels to the
    re-read rendering's.
    """
    boxes = []
    for w in page.get("words", []):
        toks = tokens(w["text"])
        if toks and all(t in clinical for t in toks):
            b = w["box"]
            boxes.append((b["x0"] * scale, b["y0"] * scale, b["x1"] * scale, b["y1"] * scale, toks))
    kept = []
    for text, x0, y0, x1, y1 in reread:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        under = [t for bx0, by0, bx1, by1, t in boxes if bx0 <= cx < bx1 and by0 <= cy < by1]
        if under and tokens(text) != under[0]:
            continue
        kept.append(text)
    return " ".join(kept)


def _page_count(path: Path) -> int:
    from pdf2image import pdfinfo_from_path

    return int(pdfinfo_from_path(str(path))["Pages"])


def run_deid_bench(
    truths: dict[str, dict[str, Any]],
    doc_dirs: dict[str, Path | None],
    base_texts: dict[str, list[str]],
    *,
    jobs: int,
    settings: Settings,
) -> dict[str, Any]:
    """Score both detectors on the truth text and after OCR, re-read redacted.pdf, time them.

    Args:
        truths: truth documents by name.
        doc_dirs: each document's output folder (``OUTDIR/<doc_id>``), None when it failed.
        base_texts: the baseline's OCR text per page, by document name.
        jobs: worker processes for re-reading the redacted pages.
        settings: the pipeline's settings (``deid`` builds our analyzer).

    """
    from pipeline.deid.detect import find_phi
    from pipeline.deid.registry import build_analyzer
    from pipeline.deid.text import deidentify_text

    ours_analyzer = build_analyzer(settings.deid)
    base_analyzer = baseline_analyzer()
    ours, base = DeidTally(), DeidTally()

    ocr_texts: dict[str, str] = {}
    for name, truth in truths.items():
        doc = truth_document(truth)
        report = find_phi(doc, analyzer=ours_analyzer, cfg=settings.deid)
        spans = [(s.start, s.end, s.label) for s in report.spans]
        ours.add_truth_text(truth, spans, deidentify_text(doc.text, report))
        spans = baseline_spans(doc.text, base_analyzer)
        base.add_truth_text(truth, spans, replace_spans(doc.text, spans))

        doc_dir = doc_dirs.get(name)
        if doc_dir is None:
            ours.add_ocr_text(truth, "", [], "")
        else:
            text = (doc_dir / "text.txt").read_text(encoding="utf-8")
            ocr_texts[name] = text
            deid_dir = layout.deid_folder(doc_dir.parent, doc_dir.name)
            deid = json.loads((deid_dir / "deid.json").read_text(encoding="utf-8"))
            spans = [(s["start"], s["end"], s["label"]) for s in deid["spans"]]
            ours.add_ocr_text(
                truth, text, spans, (deid_dir / "deid.txt").read_text(encoding="utf-8")
            )
        text = "\f".join(base_texts[name])
        spans = baseline_spans(text, base_analyzer)
        base.add_ocr_text(truth, text, spans, replace_spans(text, spans))

    leaks = _reread_redacted(truths, doc_dirs, jobs=jobs)
    timing = _time_stage(ocr_texts, ours_analyzer, base_analyzer, settings)
    return {
        "targets": TARGETS,
        "pipeline": ours.figures(),
        "baseline": base.figures(),
        "redacted_pdf": leaks,
        "timing": timing,
    }


def _reread_redacted(
    truths: dict[str, dict[str, Any]], doc_dirs: dict[str, Path | None], *, jobs: int
) -> dict[str, Any]:
    """Re-OCR every page of every redacted.pdf in a worker pool; count readable PHI items."""
    tasks: list[tuple[str, int]] = []
    keys: list[str] = []
    for name, doc_dir in doc_dirs.items():
        if doc_dir is None:
            continue
        pdf = layout.output(doc_dir.parent, doc_dir.name, "redacted.pdf")
        if not pdf.exists():
            continue
        for i in range(_page_count(pdf)):
            tasks.append((str(pdf), i))
            keys.append(name)
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        words = list(pool.map(_reread_page, tasks))
    pages: dict[str, list[str]] = {}
    models: dict[str, tuple[list[dict[str, Any]], set[str]]] = {}  # ocr.json pages, clinical
    for name, page_words in zip(keys, words, strict=True):
        if name not in models:
            doc_dir = doc_dirs[name]
            assert doc_dir is not None
            ocr = doc_dir / "ocr.json"
            ocr_pages = json.loads(ocr.read_text())["pages"] if ocr.exists() else []
            models[name] = (ocr_pages, clinical_tokens(truths[name]))
        ocr_pages, clinical = models[name]
        i = len(pages.setdefault(name, []))
        page = ocr_pages[i] if i < len(ocr_pages) else {}
        scale = REREAD_DPI / page["dpi"] if page.get("dpi") else 1.0
        pages[name].append(without_misreadings(page_words, page, clinical, scale=scale))
    readable = Recall()
    for name, page_texts in pages.items():
        rows = phi_readable(truths[name], "\f".join(page_texts))
        readable.add(rows, patient_names(truths[name]), [True] * len(rows))
    return leak_figures(readable, len(pages), len(tasks))


def _time_stage(
    texts: dict[str, str], ours_analyzer: Any, base_analyzer: Any, settings: Settings
) -> dict[str, Any]:
    """Seconds per page of each de-id stage, every document in turn in this one process."""
    from pipeline.deid.detect import find_phi
    from pipeline.deid.text import deidentify_text

    docs = [
        OcrDocument(
            doc_id=name,
            pages=tuple(
                OcrPage(index=i, width=0, height=0, dpi=300, text=t)
                for i, t in enumerate(text.split("\f"))
            ),
        )
        for name, text in texts.items()
    ]
    pages = sum(len(d.pages) for d in docs)

    def ours(doc: OcrDocument) -> None:
        deidentify_text(doc.text, find_phi(doc, analyzer=ours_analyzer, cfg=settings.deid))

    def presidio(doc: OcrDocument) -> None:
        replace_spans(doc.text, baseline_spans(doc.text, base_analyzer))

    warm = OcrDocument(
        doc_id="warm", pages=(OcrPage(index=0, width=0, height=0, dpi=300, text=_WARM_UP),)
    )
    out: dict[str, Any] = {"pages": pages}
    for system, fn in (("pipeline", ours), ("baseline", presidio)):
        fn(warm)
        started, cpu = time.perf_counter(), time.process_time()
        for doc in docs:
            fn(doc)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        out[system] = {
            "seconds": round(seconds, 3),
            "seconds_per_page": _ratio(seconds, pages),
            "cpu_seconds_per_page": _ratio(cpu, pages),
        }
    out["ratio_to_baseline"] = _ratio(
        out["pipeline"]["seconds_per_page"], out["baseline"]["seconds_per_page"]
    )
    return out


# --- the report -------------------------------------------------------------------------


def render_deid(d: dict[str, Any], over_ocr: tuple[float, float] | None = None) -> list[str]:
    """The PHI detection section of BENCHMARKS.md.

    Args:
        d: ``run_deid_bench``'s figures.
        over_ocr: over-redaction on the OCR text (ours, baseline), from the main table.

    """
    t = d["targets"]
    p, b = d["pipeline"], d["baseline"]
    leak, timing = d["redacted_pdf"], d["timing"]

    def counted(f: dict[str, Any]) -> str:
        return f"{f['recall']:.3f} ({f['hits']}/{f['items']})"

    def lowest(f: dict[str, Any]) -> str:
        if not f["by_type"]:
            return "—"
        low = min(row["recall"] for row in f["by_type"].values())
        labels = [k for k, row in f["by_type"].items() if row["recall"] == low]
        named = "all types" if len(labels) == len(f["by_type"]) else ", ".join(labels)
        return f"{low:.3f} ({named})"

    def precision(f: dict[str, Any]) -> str:
        return f"{f['precision']:.3f} ({f['correct']}/{f['spans']})"

    lines = [
        "## PHI detection",
        "",
        "Our detector (`find_phi` + `deidentify_text`) beside stock presidio (the baseline's "
        "default recognizers), scored in the same run. *Truth text* rows run both on the "
        "generator's page texts joined by form feeds, so they measure detection alone; "
        "*items read* rows count only the truth PHI items whose every distinctive token is in "
        "that system's OCR text (exactly or OCR-near, the rule of PHI recall above), so OCR "
        "loss is left out. Span precision on the truth text: a span overlapping a truth PHI "
        "item of its page is correct. On the OCR text (token rule): a span of `deid.json` "
        "(presidio: on its own OCR text) is correct when one of its tokens is a truth PHI "
        "token of the document (one its non-PHI text lacks), exactly or OCR-near. "
        "redacted.pdf is rendered at "
        f"{REREAD_DPI} DPI and read again by bare tesseract `{REREAD_CONFIG}` (sparse text); "
        "an item is readable when one of its distinctive tokens is in that text. The de-id "
        "stage is timed in one process over every document's OCR text, one after the other "
        "(one core); presidio's time is analyze + replace on the same text.",
        "",
        f"Targets (from the issue): recall ≥ {t['read_recall']:.1%} of the PHI items the OCR "
        f"read, every type ≥ {t['type_recall']:.0%}, patient names {t['patient_name_recall']:.0%}; "
        f"{t['readable_in_redacted']} items readable in redacted images; over-redaction ≤ "
        f"{t['over_redaction']:.0%} of clinical words; span precision ≥ "
        f"{t['span_precision']:.0%}; de-id stage ≤ {t['seconds_per_page']} s per page on one "
        "core. The target column repeats them; nothing here passes or fails.",
        "",
        "| figure | target | chart2fhir | presidio |",
        "|---|---|---|---|",
        f"| PHI recall, truth text | — | {counted(p['truth_text'])} | {counted(b['truth_text'])} |",
        f"| lowest type recall, truth text | — | {lowest(p['truth_text'])} | "
        f"{lowest(b['truth_text'])} |",
        f"| patient-name recall, truth text | — | {counted(p['truth_text']['patient_name'])} | "
        f"{counted(b['truth_text']['patient_name'])} |",
        f"| PHI items the OCR read | — | {p['read_items']['items']} of "
        f"{p['truth_text']['items']} | {b['read_items']['items']} of {b['truth_text']['items']} |",
        f"| PHI recall, items the OCR read | ≥ {t['read_recall']} | "
        f"{counted(p['read_items'])} | {counted(b['read_items'])} |",
        f"| lowest type recall, items read | ≥ {t['type_recall']} | "
        f"{lowest(p['read_items'])} | {lowest(b['read_items'])} |",
        f"| patient-name recall, items read | {t['patient_name_recall']:.3f} | "
        f"{counted(p['read_items']['patient_name'])} | "
        f"{counted(b['read_items']['patient_name'])} |",
        f"| over-redaction, truth text | ≤ {t['over_redaction']} | "
        f"{p['truth_text']['over_redaction']:.3f} | {b['truth_text']['over_redaction']:.3f} |",
    ]
    if over_ocr is not None:
        lines.append(
            f"| over-redaction, OCR text (as above) | ≤ {t['over_redaction']} | "
            f"{over_ocr[0]:.3f} | {over_ocr[1]:.3f} |"
        )
    lines += [
        f"| span precision, truth text (overlap) | ≥ {t['span_precision']} | "
        f"{precision(p['truth_text']['span_precision'])} | "
        f"{precision(b['truth_text']['span_precision'])} |",
        f"| span precision, OCR text (token rule) | ≥ {t['span_precision']} | "
        f"{precision(p['ocr_span_precision'])} | {precision(b['ocr_span_precision'])} |",
        f"| PHI items readable in redacted.pdf | {t['readable_in_redacted']} | "
        f"{leak['readable']} of {leak['items']} ({leak['pages']} pages) | — |",
        f"| de-id stage seconds per page, one core (wall / CPU) | ≤ {t['seconds_per_page']} | "
        f"{timing['pipeline']['seconds_per_page']:.3f} / "
        f"{timing['pipeline']['cpu_seconds_per_page']:.3f} | "
        f"{timing['baseline']['seconds_per_page']:.3f} / "
        f"{timing['baseline']['cpu_seconds_per_page']:.3f} |",
        f"| de-id stage time / presidio | — | {timing['ratio_to_baseline']:.2f}x | 1.00x |",
        "",
        "By type: recall on the truth text, then over the items each system's OCR read "
        "(items read in brackets), then items readable in redacted.pdf. PATIENT_NAME is the "
        "PERSON items that hold the patient's family or given name.",
        "",
        "| type | items | truth text: ours | truth text: presidio | read: ours | "
        "read: presidio | readable in redacted.pdf |",
        "|---|---|---|---|---|---|---|",
    ]

    def cell(f: dict[str, Any], label: str) -> str:
        row = f["patient_name"] if label == "PATIENT_NAME" else f["by_type"].get(label)
        if not row or not row["items"]:
            return "—"
        return f"{row['recall']:.3f}"

    def read_cell(f: dict[str, Any], label: str) -> str:
        row = f["patient_name"] if label == "PATIENT_NAME" else f["by_type"].get(label)
        if not row or not row["items"]:
            return "— (0)"
        return f"{row['recall']:.3f} ({row['items']})"

    for label in [*p["truth_text"]["by_type"], "PATIENT_NAME"]:
        truth_row = (
            p["truth_text"]["patient_name"]
            if label == "PATIENT_NAME"
            else p["truth_text"]["by_type"][label]
        )
        readable = (
            leak["patient_name"] if label == "PATIENT_NAME" else leak["by_type"].get(label, 0)
        )
        lines.append(
            f"| {label} | {truth_row['items']} | {cell(p['truth_text'], label)} | "
            f"{cell(b['truth_text'], label)} | {read_cell(p['read_items'], label)} | "
            f"{read_cell(b['read_items'], label)} | {readable} |"
        )
    wrong = p["truth_text"]["span_precision"]["wrong_by_label"]
    if wrong:
        lines += [
            "",
            "Our wrong spans on the truth text, by label: "
            + ", ".join(f"{k} {v}" for k, v in wrong.items())
            + ".",
        ]
    lines.append("")
    return lines
