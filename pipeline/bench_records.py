"""What encryption at rest costs: ``python -m pipeline.bench_records [PATH...]``.

Ingests the same inputs (default: samples/scans) twice in one run, plain (the baseline)
and sealed under a fresh vault key, alternating which goes first over ``--rounds`` rounds,
and times each; then times the raw AES-GCM seal and open of the sealed run's identified
files, a key rotation of the sealed OUTDIR, a purge of every document, and the acceptance
report. Writes a markdown table to stdout and JSON to ``--json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from pipeline import layout, retention
from pipeline.batch import ingest, read_manifest, write_manifest
from pipeline.report import build_report
from pipeline.settings import Settings, VaultSettings, configure_process
from pipeline.state.store import open_for, reseal
from pipeline.vault import Vault, new_key, reseal_files

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "scans"


def run(paths: list[str], *, rounds: int, jobs: int) -> dict[str, Any]:
    """The figures of ``rounds`` plain and sealed ingests of ``paths`` (see the docstring)."""
    configure_process()
    plain = Settings()
    key = new_key()
    sealed = plain.model_copy(update={"vault": VaultSettings(key=SecretStr(key))})
    work = Path(tempfile.mkdtemp(prefix="records-bench-"))
    seconds: dict[str, list[float]] = {"plain": [], "sealed": []}
    try:
        for i in range(rounds):
            order = ("plain", "sealed") if i % 2 == 0 else ("sealed", "plain")
            for name in order:
                out = work / f"{name}-{i}"
                started = time.perf_counter()
                ingest(
                    paths, out_dir=out, settings={"plain": plain, "sealed": sealed}[name], jobs=jobs
                )
                seconds[name].append(time.perf_counter() - started)
        out = work / "sealed-0"
        vault = Vault.from_settings(sealed.vault)
        files = [p for p in out.rglob("*") if p.is_file() and layout.identified(p.relative_to(out))]
        blobs = [vault.read(p) for p in files]
        size = sum(len(b) for b in blobs)
        started = time.perf_counter()
        sealed_blobs = [vault.seal(b) for b in blobs]
        seal_s = time.perf_counter() - started
        started = time.perf_counter()
        for b in sealed_blobs:
            vault.open(b)
        open_s = time.perf_counter() - started

        rotated = sealed.model_copy(
            update={"vault": VaultSettings(key=SecretStr(new_key()), old_keys=(SecretStr(key),))}
        )
        started = time.perf_counter()
        counts = reseal_files(out, Vault.from_settings(rotated.vault))
        reseal(open_for(out, rotated))
        rotate_s = time.perf_counter() - started

        rvault = Vault.from_settings(rotated.vault)
        started = time.perf_counter()
        report = build_report(out, vault=rvault, engine=open_for(out, rotated))
        report_s = time.perf_counter() - started

        long_ago = datetime.now(UTC) - timedelta(days=2)
        write_manifest(
            out,
            [r.model_copy(update={"finished_at": long_ago}) for r in read_manifest(out, rvault)],
            rvault,
        )
        engine = open_for(out, rotated)
        retention.set_retention(engine, out, 1, actor="bench")
        started = time.perf_counter()
        purged = retention.purge(out, engine=engine, vault=rvault, actor="bench")
        purge_s = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    median = {k: statistics.median(v) for k, v in seconds.items()}
    return {
        "documents": report["documents"]["in"]["doc_ids"],
        "pages": report["documents"]["pages"],
        "rounds": rounds,
        "ingest_s": {k: [round(x, 2) for x in v] for k, v in seconds.items()},
        "ingest_median_s": {k: round(v, 2) for k, v in median.items()},
        "sealed_over_plain": round(median["sealed"] / median["plain"], 3),
        "identified_files": len(files),
        "identified_mib": round(size / 2**20, 2),
        "seal_mib_per_s": round(size / 2**20 / seal_s, 1),
        "open_mib_per_s": round(size / 2**20 / open_s, 1),
        "rotate_s": round(rotate_s, 3),
        "rotated_files": counts["resealed"],
        "report_s": round(report_s, 3),
        "purge_s": round(purge_s, 3),
        "purged_files": sum(purged.files.values()),
    }


def markdown(r: dict[str, Any]) -> str:
    """The figures as a markdown table."""
    rows = [
        ("inputs", f"{r['documents']} documents, {r['pages']} pages, {r['rounds']} rounds"),
        ("ingest, plain (baseline), median s", r["ingest_median_s"]["plain"]),
        ("ingest, sealed, median s", r["ingest_median_s"]["sealed"]),
        ("sealed / plain", r["sealed_over_plain"]),
        ("identified files, MiB", f"{r['identified_files']}, {r['identified_mib']}"),
        ("AES-GCM seal, MiB/s", r["seal_mib_per_s"]),
        ("AES-GCM open, MiB/s", r["open_mib_per_s"]),
        ("keys rotate (files + database), s", f"{r['rotate_s']} ({r['rotated_files']} files)"),
        ("acceptance report, s", r["report_s"]),
        ("purge of every document, s", f"{r['purge_s']} ({r['purged_files']} files)"),
    ]
    return "\n".join(["| figure | value |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)])


def main() -> None:
    """Command line: run, print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench_records")
    parser.add_argument("paths", nargs="*", default=[str(SAMPLES)])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.paths, rounds=args.rounds, jobs=args.jobs)
    print(markdown(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
