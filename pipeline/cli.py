"""The ``chart2fhir`` command line: a thin adapter over pipeline.batch.

Exit codes: 0 every document done or in review; 2 usage error; 3 at least one document
failed (see manifest.json; for load, load.json); 1 an unexpected crash of the run itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipeline.errors import SealedUnreadable
from pipeline.schema import DocumentRecord


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``chart2fhir`` console script."""
    parser = argparse.ArgumentParser(
        prog="chart2fhir",
        description="Scanned medical charts to FHIR R4 bundles, de-identified text and "
        "redacted PDFs.",
        epilog="Exit codes: 0 all documents done or in review; 1 crash; 2 usage error; "
        "3 at least one document failed (see OUTDIR/manifest.json, or OUTDIR/load.json).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="OCR, extract, de-identify and emit FHIR bundles.")
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of scans")
    ingest.add_argument("--out", required=True, type=Path, metavar="OUTDIR")
    ingest.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes for pages (default: number of cores)",
    )
    _engine_option(ingest)
    ingest.add_argument(
        "--force",
        action="store_true",
        help="process documents again even if OUTDIR already has them",
    )

    bench = sub.add_parser(
        "bench",
        help="Generate synthetic charts and score the pipeline "
        "against ground truth and a baseline.",
    )
    bench.add_argument("--out", type=Path, default=Path("out/bench"))
    bench.add_argument("--n", type=int, default=18, help="synthetic documents to generate")
    bench.add_argument("--seed", type=int, default=11)
    bench.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    bench.add_argument(
        "--report",
        type=Path,
        default=Path("BENCHMARKS.md"),
        help="markdown report to write (JSON beside it)",
    )

    export = sub.add_parser(
        "export", help="Write the bundles of OUTDIR as FHIR Bulk Data NDJSON (one file per type)."
    )
    export.add_argument("out", type=Path, metavar="OUTDIR", help="a folder ingest wrote")
    export.add_argument("--ndjson", required=True, type=Path, metavar="DIR")
    export.add_argument(
        "--deid",
        action="store_true",
        help="export the de-identified bundles (bundle.deid.json) instead",
    )
    export.add_argument(
        "--include-identity-conflicts",
        action="store_true",
        help="also export documents held for a patient identity conflict (E405/E406), "
        "once a reviewer has settled it",
    )

    load = sub.add_parser(
        "load",
        help="POST the bundles of OUTDIR to a FHIR server as transactions, with retries; "
        "report per document in OUTDIR/load.json.",
    )
    load.add_argument("out", type=Path, metavar="OUTDIR", help="a folder ingest wrote")
    load.add_argument("--fhir-url", required=True, metavar="URL", help="the server's base URL")
    load.add_argument(
        "--deid",
        action="store_true",
        help="load the de-identified bundles (bundle.deid.json) instead",
    )
    load.add_argument(
        "--include-identity-conflicts",
        action="store_true",
        help="also load documents flagged E405/E406 (held back by default: their Patient "
        "would merge with another person's by MRN); use once a reviewer has settled them",
    )

    submit = sub.add_parser(
        "submit",
        help="Queue documents for dramatiq workers (dramatiq workers.actors); prints the job id.",
    )
    submit.add_argument("paths", nargs="+", metavar="PATH", help="files or folders of scans")
    submit.add_argument("--out", required=True, type=Path, metavar="OUTDIR")
    submit.add_argument("--force", action="store_true", help="redo documents already done")
    submit.add_argument(
        "--urgent",
        action="store_true",
        help="on the urgent queues, which workers take before the bulk (a reviewer's re-run)",
    )
    worker = sub.add_parser(
        "worker",
        help="Run dramatiq workers on the queues; SIGTERM or Ctrl-C finishes the current "
        "messages, then stops.",
    )
    worker.add_argument(
        "--processes", type=int, default=os.cpu_count() or 1, help="default: one per core"
    )
    worker.add_argument(
        "--threads", type=int, default=1, help="per process (default 1: OCR is CPU-bound)"
    )
    worker.add_argument(
        "--queues",
        nargs="+",
        choices=("ocr", "document"),
        default=["ocr", "document"],
        help="the stages to take (each with its urgent queue); default both",
    )
    worker.add_argument(
        "--metrics-port",
        type=int,
        default=9191,
        help="Prometheus metrics on 127.0.0.1:PORT (dramatiq_prom_host to listen elsewhere)",
    )
    status = sub.add_parser("status", help="Progress of a submitted job.")
    status.add_argument("job", metavar="JOB", help="the id chart2fhir submit printed")
    status.add_argument("--watch", action="store_true", help="print again every 2 s until done")
    status.add_argument(
        "--documents", action="store_true", help="also a line per document: stage, pages, code"
    )

    review = sub.add_parser(
        "review",
        help="Serve the reviewers' web app on the state database (sign in, queue, items).",
    )
    review.add_argument(
        "--out",
        action="append",
        required=True,
        type=Path,
        metavar="OUTDIR",
        help="an ingest or job OUTDIR to review (repeat for more); the state database is "
        "CHART2FHIR_STATE__URL, else the first OUTDIR's state.db",
    )
    review.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (this machine)")
    review.add_argument("--port", type=int, default=8080)
    users = sub.add_parser("users", help="Manage the review app's users (admins).")
    users.add_argument("action", choices=("add", "list", "password", "role", "disable", "enable"))
    users.add_argument("username", nargs="?", metavar="NAME")
    users.add_argument("role", nargs="?", choices=("reviewer", "supervisor", "admin"))
    users.add_argument("--role", dest="role_option", choices=("reviewer", "supervisor", "admin"))
    users.add_argument("--out", type=Path, metavar="OUTDIR", help="whose state.db (see review)")
    users.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    audit = sub.add_parser("audit", help="Check the review audit log's hash chain.")
    audit.add_argument("action", choices=("verify",))
    audit.add_argument("--out", type=Path, metavar="OUTDIR", help="whose state.db (see review)")

    from pipeline import cli_records

    cli_records.add_parsers(sub)

    args = parser.parse_args(argv)
    if getattr(args, "jobs", 1) < 1:
        parser.error("--jobs must be at least 1")

    from pipeline.logs import configure_logging
    from pipeline.settings import SettingsInvalid, configure_process, load_settings

    configure_process()
    try:
        settings = load_settings()
    except SettingsInvalid as e:
        for line in str(e).splitlines():
            print(f"chart2fhir: {line}", file=sys.stderr)
        return 2
    if getattr(args, "ocr_engine", None):
        settings = settings.model_copy(
            update={"ocr": settings.ocr.model_copy(update={"engine": args.ocr_engine})}
        )
    configure_logging(settings.log_level)

    try:
        return _run(args, settings)
    except SealedUnreadable as e:
        # A sealed file without its key (or altered): said once, nothing overwritten.
        print(f"chart2fhir {args.command}: {e.record}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, settings) -> int:  # type: ignore[no-untyped-def]
    """The command of ``args``."""
    from pipeline import cli_records

    if args.command == "ingest":
        return _ingest(args, settings)
    if args.command == "export":
        return _export(args, settings)
    if args.command == "load":
        return _load(args, settings)
    if args.command in ("submit", "status", "worker"):
        return _queue(args, settings)
    if args.command in ("keys", "retention", "purge", "report"):
        return cli_records.run(args, settings)
    if args.command in ("review", "users", "audit"):
        from pipeline.review.cli import run

        return run(args, settings)
    from pipeline.bench import run_bench

    return run_bench(
        out=args.out,
        n=args.n,
        seed=args.seed,
        jobs=args.jobs,
        report=args.report,
        settings=settings,
    )


def _export(args: argparse.Namespace, settings) -> int:  # type: ignore[no-untyped-def]
    from pipeline.ndjson import export_ndjson
    from pipeline.vault import Vault

    try:
        done = export_ndjson(
            args.out,
            args.ndjson,
            deid=args.deid,
            include_conflicts=args.include_identity_conflicts,
            vault=Vault.from_settings(settings.vault),
        )
    except FileNotFoundError:
        print("chart2fhir export: OUTDIR has no manifest.json (run ingest first)", file=sys.stderr)
        return 2
    _audit(args.out, settings, "export", deid=args.deid, held=len(done.held), **done.counts)
    for resource_type, n in done.counts.items():
        print(f"{resource_type}.ndjson: {n}")
    if done.held:
        print(
            f"held back (E810, patient identity conflict, see identity.json): "
            f"{len(done.held)} documents: {' '.join(done.held)}"
        )
    return 0


def _load(args: argparse.Namespace, settings) -> int:  # type: ignore[no-untyped-def]
    from pipeline.fhir_load import LoadResult, load_bundles, safe_url, totals
    from pipeline.vault import Vault

    try:
        safe_url(args.fhir_url)
    except ValueError:
        # Not echoed: a URL can carry a password or a query.
        print("chart2fhir load: --fhir-url must be an http or https URL", file=sys.stderr)
        return 2

    def show(r: LoadResult) -> None:
        # Ids, statuses, counts and codes only: never a file name or what the server said.
        print(
            f"{r.doc_id}  {r.status:<7}  http {r.http_status or '-'}  attempts {r.attempts}  "
            f"created {r.entries.get('201', 0)}  existing {r.entries.get('200', 0)}"
            + (f"  {r.error[:4]}" if r.error else ""),
            flush=True,
        )

    try:
        results = load_bundles(
            args.out,
            url=args.fhir_url,
            cfg=settings.fhir_load,
            deid=args.deid,
            include_conflicts=args.include_identity_conflicts,
            on_done=show,
            vault=Vault.from_settings(settings.vault),
        )
    except FileNotFoundError:
        print("chart2fhir load: OUTDIR has no manifest.json (run ingest first)", file=sys.stderr)
        return 2
    t = totals(results)
    _audit(args.out, settings, "load", deid=args.deid, **t)
    print(
        f"{t['documents']} documents: {t['loaded']} loaded, {t['failed']} failed, "
        f"{t['skipped']} skipped; {t['created']} entries created, {t['existing']} existing. "
        f"Report: {args.out / 'load.json'}"
    )
    return 3 if t["failed"] else 0


def _audit(out_dir: Path, settings, action: str, **detail: object) -> None:  # type: ignore[no-untyped-def]
    """An audit row for an export of OUTDIR's bundles (ids and counts only)."""
    from pipeline.cli_records import actor
    from pipeline.state import audit
    from pipeline.state.store import batch_id, open_for

    audit.record(
        open_for(out_dir, settings), actor(), action, f"batch:{batch_id(out_dir)}", **detail
    )


def _queue(args: argparse.Namespace, settings) -> int:  # type: ignore[no-untyped-def]
    """chart2fhir submit / status: the worker queues (workers/)."""
    import time

    if settings.worker.broker_url is None or settings.state.url is None:
        print(
            f"chart2fhir {args.command}: set CHART2FHIR_WORKER__BROKER_URL (redis:// or amqp://) "
            "and CHART2FHIR_STATE__URL (sqlite:///PATH or postgresql+psycopg://...)",
            file=sys.stderr,
        )
        return 2
    if args.command == "submit":
        from workers.jobs import submit

        job = submit(
            args.paths, out_dir=args.out, settings=settings, force=args.force, urgent=args.urgent
        )
        print(job)
        return 0
    if args.command == "worker":
        return _worker(args)
    from pipeline import state
    from pipeline.vault import Vault
    from workers.jobs import status_line

    engine = state.open_state(
        settings.state.url.get_secret_value(), Vault.from_settings(settings.vault)
    )
    while True:
        progress = state.progress(engine, args.job)
        if progress is None:
            print("chart2fhir status: no such job", file=sys.stderr)
            return 2
        print(status_line(progress), flush=True)
        if args.documents:
            from workers.jobs import document_lines

            documents = state.store.document_progress(engine, args.job)
            print("\n".join(document_lines(documents)), flush=True)
        if not args.watch or progress.written:
            return 3 if progress.by_stage.get("failed") else 0
        time.sleep(2)


def _worker(args: argparse.Namespace) -> int:
    """The dramatiq command line on workers.actors, with our choice of queues and port."""
    from workers.broker import DOCUMENT_QUEUE, OCR_QUEUE, URGENT

    os.environ.setdefault("dramatiq_prom_host", "127.0.0.1")
    os.environ["dramatiq_prom_port"] = str(args.metrics_port)
    from dramatiq import cli as dramatiq_cli

    stages = {"ocr": OCR_QUEUE, "document": DOCUMENT_QUEUE}
    queues = [q for name in args.queues for q in (stages[name], stages[name] + URGENT)]
    argv = ["workers.actors", "--processes", str(args.processes), "--threads", str(args.threads)]
    code = dramatiq_cli.main(
        dramatiq_cli.make_argument_parser().parse_args([*argv, "--queues", *queues])
    )
    return int(code or 0)


def _engine_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ocr-engine",
        choices=("tesseract", "rapidocr", "auto"),
        default=None,
        help="OCR engine (default: auto, tesseract with RapidOCR on the pages it cannot "
        "read; or CHART2FHIR_OCR__ENGINE)",
    )


def _ingest(args: argparse.Namespace, settings) -> int:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from pipeline.batch import discover, exit_code, ingest

    err = Console(stderr=True)
    total = len(discover(args.paths, exclude=args.out))
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    )
    with progress:
        task = progress.add_task("documents", total=total)
        records = ingest(
            args.paths,
            out_dir=args.out,
            settings=settings,
            jobs=args.jobs,
            force=args.force,
            on_done=lambda _r: progress.advance(task),
        )
    print_summary(records, out_dir=args.out)
    return exit_code(records)


def print_summary(records: list[DocumentRecord], *, out_dir: Path) -> None:
    """The table a run ends with: ids, statuses, counts; never file names or text."""
    from rich.console import Console
    from rich.table import Table

    from pipeline.batch import summary

    table = Table(title=f"chart2fhir ingest -> {out_dir}")
    for name in ("#", "doc_id", "status", "pages", "observations", "phi spans", "seconds", "error"):
        table.add_column(
            name,
            justify="right"
            if name in ("#", "pages", "observations", "phi spans", "seconds")
            else "left",
        )
    style = {"done": "green", "review": "yellow", "failed": "red"}
    for i, r in enumerate(records, start=1):
        table.add_row(
            str(i),
            r.doc_id,
            f"[{style[r.status]}]{r.status}[/]",
            str(r.pages),
            str(r.observations),
            str(r.phi_spans),
            f"{r.seconds:.1f}",
            (r.error or "")[:4],
        )
    console = Console(width=max(100, Console().width))
    console.print(table)
    s = summary(records)
    console.print(
        f"{s['documents']} documents: {s['done']} done, {s['review']} review, "
        f"{s['failed']} failed; {s['pages']} pages, {s['observations']} observations, "
        f"{s['phi_spans']} PHI spans. Manifest: {out_dir / 'manifest.json'}"
    )


if __name__ == "__main__":
    sys.exit(main())
