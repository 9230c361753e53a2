r"""PHI detection re-run on an ingest's own OCR, scored by an external scorer, beside baselines.

``chart2fhir ingest`` reads the pages once; this re-runs only detection on each document's
``ocr.json``, so that the detectors of ``bench_detectors`` (ours, the recognizers alone,
the allowlist alone, stock presidio, with and without the NER) are compared on exactly the
same OCR text in one run.

Each variant gets an OUTDIR of its own beside the run (links to the run's text.txt and
bundle.json, its own deid.txt) and the scorer of an independent chart set reads it, e.g.
``../shared/charts-x/score.py`` (PHI recall over OCR-visible items, per type, over-redaction
of clinical words). Image recall needs ``redacted.pdf`` and so a full ingest: score the
ingest's OUTDIR itself for that.

    .venv/bin/python -m pipeline.bench_redetect OUTDIR --truth ../shared/charts-x \\
        --work /tmp/redetect [--variants ours,no-net,allowlist,presidio]

De-id stage time is ``find_phi`` + ``deidentify_text`` per page, one document after the
other in this one process (one core).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pipeline.bench_detectors import Detector, default_variants, detectors
from pipeline.schema import OcrDocument
from pipeline.settings import Settings, configure_process


def redetect(run: Path, work: Path, name: str, detect: Detector) -> dict[str, float]:
    """Write ``work/name``, an OUTDIR whose deid.txt files come from ``detect``."""
    target = work / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    seconds, pages = 0.0, 0
    for entry in manifest["documents"]:
        doc_id = entry.get("doc_id")
        src = run / str(doc_id)
        if entry.get("status") == "failed" or not (src / "ocr.json").exists():
            continue
        doc = OcrDocument.model_validate_json((src / "ocr.json").read_text(encoding="utf-8"))
        dst = target / str(doc_id)
        dst.mkdir()
        for name_ in ("text.txt", "bundle.json"):
            if (src / name_).exists():
                (dst / name_).symlink_to((src / name_).resolve())
        started = time.perf_counter()
        _, text = detect(doc)
        seconds += time.perf_counter() - started
        pages += len(doc.pages)
        (dst / "deid.txt").write_text(text, encoding="utf-8")
    return {"seconds": seconds, "pages": pages}


def score(scorer: Path, truth: Path, outdir: Path) -> dict[str, Any]:
    """The external scorer's JSON report of ``outdir``, text only (no image re-OCR)."""
    save = outdir.with_suffix(".report.json")
    subprocess.run(
        [sys.executable, str(scorer), "--truth", str(truth), "--out", str(outdir)]
        + ["--no-image", "--json", "--save", str(save)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return dict(json.loads(save.read_text(encoding="utf-8")))


def summary(report: dict[str, Any], timing: dict[str, float]) -> dict[str, Any]:
    """The figures of one variant: recall (visible items, per type, names), over-redaction."""
    docs = [d for d in report["documents"] if not d["expected_failure"] and "phi" in d]
    rows = [r for d in docs for r in d["phi"] if "leaked" in r and r["visible"]]
    by_type: dict[str, list[int]] = {}
    for r in rows:
        caught = by_type.setdefault(r["type"], [0, 0])
        caught[0] += not r["leaked"]
        caught[1] += 1
    over = report["over_redaction"]
    return {
        "recall_visible": _ratio(sum(not r["leaked"] for r in rows), len(rows)),
        "visible_items": len(rows),
        "by_type": {
            t: {"caught": c, "items": n, "recall": _ratio(c, n)} for t, (c, n) in by_type.items()
        },
        "over_redaction": over.get("over_redaction_rate"),
        "seconds_per_page": _ratio(timing["seconds"], timing["pages"]),
    }


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def render(figures: dict[str, dict[str, Any]]) -> str:
    """A table: variants as columns, overall then per-type recall, over-redaction, time."""
    names = list(figures)
    types = sorted({t for f in figures.values() for t in f["by_type"]})
    lines = ["| figure | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]

    def row(label: str, values: list[Any]) -> None:
        lines.append(
            f"| {label} | " + " | ".join("—" if v is None else str(v) for v in values) + " |"
        )

    row("PHI recall, OCR-visible items", [f["recall_visible"] for f in figures.values()])
    for t in types:
        cells = []
        for f in figures.values():
            c = f["by_type"].get(t)
            cells.append(None if c is None else f"{c['recall']} ({c['caught']}/{c['items']})")
        row(f"  {t}", cells)
    row("over-redaction of clinical words", [f["over_redaction"] for f in figures.values()])
    row("de-id s/page (one core)", [f["seconds_per_page"] for f in figures.values()])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: re-run detection on an OUTDIR, score every variant, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="an ingest OUTDIR (unsealed)")
    parser.add_argument("--truth", type=Path, required=True, help="the chart set (truth.json)")
    parser.add_argument("--scorer", type=Path, help="score.py (default: TRUTH/score.py)")
    parser.add_argument("--work", type=Path, required=True, help="where the variants go")
    parser.add_argument("--variants", default=",".join(default_variants()))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--update", type=Path, help="rewrite this file's section for the set")
    args = parser.parse_args(argv)
    configure_process()
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    figures = {}
    for name, detect in detectors(Settings(), names).items():
        timing = redetect(args.run, args.work, name, detect)
        figures[name] = summary(
            score(args.scorer or args.truth / "score.py", args.truth, args.work / name), timing
        )
    table = render(figures)
    print(table)
    if args.update:
        from pipeline.bench_families import replace_section

        replace_section(
            args.update,
            f"redetect-{args.truth.name}",
            f"## PHI detection on {args.truth.name} (its own scorer)\n\n"
            f"Generated by `python -m pipeline.bench_redetect OUTDIR --truth {args.truth}` on the "
            "OCR of one `chart2fhir ingest` of the set; every detector on the same text.\n\n"
            + table,
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
