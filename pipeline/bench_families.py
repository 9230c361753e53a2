"""PHI detection per chart family, worst family first, beside baselines in the same run.

Our bench's charts come from the generator the recognizers were written from; a figure on
them alone says little about charts from elsewhere. This scores every family ``samples/``
can draw, each on its own, and leads with the worst:

- ``samples``: the original generator (``python -m samples.generate``);
- ``registration``, ``nursing``, ``dictation``, ``notes``: families written clean-room
  (``samples/families/``) by authors who had not read ``pipeline/`` or the original
  templates.

Each family's set is generated, ingested once, and then scored for four detectors on the
same OCR text (``bench_detectors``): ``ours`` (recognizers, pairing, propagation, safety
net), ``no-net`` (safety net off), ``allowlist`` (the safety net alone) and ``presidio``
(stock presidio's predefined recognizers). Figures per family and detector:

- recall over OCR-visible items (``bench_deid.phi_read``: every distinctive token of the
  item is in text.txt), per type and for the patient's name;
- over-redaction: non-PHI words of the page that OCR read and de-id removed, and of those
  the words of the truth's clinical terms (drugs, problems, labs, devices; families that
  list them), as charts-x's scorer counts it;
- span precision by the token rule (``bench_deid.token_span_hits``);
- for ``ours``, items still readable when ``redacted.pdf`` is re-read by bare tesseract;
- de-id seconds per page, one document after another in this one process.

    .venv/bin/python -m pipeline.bench_families --out out/families [--n 8] [--seed 5]
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

from pipeline.bench_deid import DeidTally, _reread_redacted
from pipeline.bench_detectors import Detector, detectors
from pipeline.schema import OcrDocument
from pipeline.settings import Settings, configure_process

FAMILIES = {
    "samples": "samples.generate",
    "registration": "samples.families.registration",
    "nursing": "samples.families.nursing",
    "dictation": "samples.families.dictation",
    "notes": "samples.families.notes",
}
VARIANTS = ("ours", "no-net", "allowlist", "presidio")


def generate(family: str, out: Path, n: int, seed: int) -> dict[str, dict[str, Any]]:
    """Draw ``n`` charts of ``family`` into ``out``; their truths by name."""
    if out.exists():
        shutil.rmtree(out)
    module = FAMILIES[family]
    subprocess.run(
        [sys.executable, "-m", module, "--n", str(n), "--seed", str(seed), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return {p.stem: json.loads(p.read_text()) for p in sorted((out / "truth").glob("*.json"))}


def score_family(
    family: str,
    out: Path,
    *,
    n: int,
    seed: int,
    jobs: int,
    settings: Settings,
    detect: dict[str, Detector],
    reuse: bool = False,
) -> dict[str, Any]:
    """Generate, ingest and score one family for every variant.

    ``reuse``: score again the set and ingest already under ``out`` (detection only, on the
    same OCR; no image figures), as after a change to detection.
    """
    from pipeline.batch import ingest

    run = out / "run"
    if reuse:
        truths = {
            p.stem: json.loads(p.read_text())
            for p in sorted((out / "set" / "truth").glob("*.json"))
        }
        ingest_seconds = None
        doc_dirs = _ingested(run, {name: out / "set" / t["file"] for name, t in truths.items()})
    else:
        truths = generate(family, out / "set", n, seed)
        scans = {name: str(out / "set" / t["file"]) for name, t in truths.items()}
        started = time.monotonic()
        records = ingest(
            list(scans.values()), out_dir=run, settings=settings, jobs=jobs, force=True
        )
        ingest_seconds = round(time.monotonic() - started, 1)
        by_source = {r.source: r for r in records}
        doc_dirs = {}
        for name in truths:
            record = by_source[scans[name]]
            doc_dirs[name] = None if record.status == "failed" else run / record.doc_id
    tallies = {v: DeidTally() for v in VARIANTS}
    seconds = dict.fromkeys(VARIANTS, 0.0)
    pages = 0
    for name, truth in truths.items():
        doc_dir = doc_dirs[name]
        if doc_dir is None:
            for tally in tallies.values():
                tally.add_ocr_text(truth, "", [], "")
            continue
        doc = OcrDocument.model_validate_json((doc_dir / "ocr.json").read_text(encoding="utf-8"))
        pages += len(doc.pages)
        for variant, detector in detect.items():
            started = time.perf_counter()
            spans, text = detector(doc)
            seconds[variant] += time.perf_counter() - started
            tallies[variant].add_ocr_text(truth, doc.text, spans, text)
            tallies[variant].add_over_redaction(truth, doc.text, text)
    # A reused run's redacted.pdf is the one its ingest painted, not this code's.
    image = None if reuse else _reread_redacted(truths, doc_dirs, jobs=jobs)
    return {
        "family": family,
        "documents": len(truths),
        "pages": pages,
        "failed": sum(d is None for d in doc_dirs.values()),
        "ingest_seconds": ingest_seconds,
        "variants": {
            v: {**tallies[v].figures(), "seconds_per_page": _ratio(seconds[v], pages)}
            for v in VARIANTS
        },
        "redacted_pdf": image,
    }


def _ingested(run: Path, scans: dict[str, Path]) -> dict[str, Path | None]:
    """Each document's folder in an earlier ingest ``run``, by name; None where it failed."""
    from pipeline.batch import read_manifest

    by_source = {Path(r.source).resolve(): r for r in read_manifest(run)}
    found: dict[str, Path | None] = {}
    for name, scan in scans.items():
        record = by_source[scan.resolve()]
        found[name] = None if record.status == "failed" else run / record.doc_id
    return found


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def render(results: list[dict[str, Any]]) -> str:
    """Markdown: the worst family's figures first, then a table per family."""
    lines = []
    worst = min(results, key=lambda r: r["variants"]["ours"]["read_items"]["recall"] or 0)
    w = worst["variants"]["ours"]
    lines.append(
        f"Worst family: **{worst['family']}**, PHI recall over OCR-visible items "
        f"{w['read_items']['recall']} ({w['read_items']['hits']}/{w['read_items']['items']}), "
        f"patient names {w['read_items']['patient_name']['recall']}."
    )
    for r in results:
        lines += ["", f"### {r['family']} ({r['documents']} documents, {r['pages']} pages)", ""]
        lines.append("| figure | " + " | ".join(VARIANTS) + " |")
        lines.append("|---" * (len(VARIANTS) + 1) + "|")
        v = r["variants"]

        def row(label: str, cells: list[Any], lines: list[str] = lines) -> None:
            lines.append(
                f"| {label} | " + " | ".join("—" if c is None else str(c) for c in cells) + " |"
            )

        row("recall, OCR-visible items", [v[x]["read_items"]["recall"] for x in VARIANTS])
        row("patient names", [v[x]["read_items"]["patient_name"]["recall"] for x in VARIANTS])
        types = sorted({t for x in VARIANTS for t in v[x]["read_items"]["by_type"]})
        for t in types:
            cells = []
            for x in VARIANTS:
                c = v[x]["read_items"]["by_type"].get(t)
                cells.append(None if c is None else f"{c['recall']} ({c['hits']}/{c['items']})")
            row(f"  {t}", cells)
        row("over-redaction (non-PHI words)", [v[x]["over_redaction"] for x in VARIANTS])
        row(
            "over-redaction (clinical terms)",
            [v[x].get("clinical_over_redaction") for x in VARIANTS],
        )
        row(
            "span precision (token rule)",
            [v[x]["ocr_span_precision"]["precision"] for x in VARIANTS],
        )
        row("de-id s/page (one core)", [v[x]["seconds_per_page"] for x in VARIANTS])
        img = r["redacted_pdf"]
        if img is not None:
            readable = f"{img['readable']} of {img['items']} items readable in redacted.pdf"
            lines += ["", f"Image (ours): {readable} (re-OCR at 300 DPI)."]
    return "\n".join(lines)


def replace_section(path: Path, name: str, body: str) -> None:
    """Write ``body`` into ``path`` between the markers of section ``name``, or append it.

    ``chart2fhir bench`` writes BENCHMARKS.md whole; the family and external-set figures are
    kept in marked sections that their own commands rewrite.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command line: score every family, print the report, write it as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--n", type=int, default=8, help="charts per family")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--update", type=Path, help="rewrite this file's families section")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="score again the sets and ingests already under --out (detection only)",
    )
    args = parser.parse_args(argv)
    if args.reuse and args.update:
        parser.error("--reuse has no image figures; --update needs a full run")
    configure_process()
    settings = Settings()
    detect = detectors(settings, list(VARIANTS))
    results = [
        score_family(
            f,
            args.out / f,
            n=args.n,
            seed=args.seed,
            jobs=args.jobs,
            settings=settings,
            detect=detect,
            reuse=args.reuse,
        )
        for f in args.families.split(",")
    ]
    report = render(results)
    print(report)
    (args.out / "families.md").write_text(report + "\n", encoding="utf-8")
    (args.out / "families.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.update:
        command = f"python -m pipeline.bench_families --n {args.n} --seed {args.seed}"
        replace_section(
            args.update,
            "families",
            f"## PHI detection per chart family\n\nGenerated by `{command}`.\n\n{report}",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
