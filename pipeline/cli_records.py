"""The records-management commands: ``keys``, ``retention``, ``purge`` and ``report``.

A thin adapter over pipeline/vault.py, pipeline/retention.py and pipeline/report.py. Each
change is an audit row in OUTDIR's state database under the actor ``cli:USER`` (the
operating system's user name). Output is ids, counts and dates: never a path or a value.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC
from pathlib import Path

from pipeline.settings import Settings


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The commands' arguments, on ``chart2fhir``'s subparsers."""
    keys = sub.add_parser(
        "keys", help="Encryption at rest: make a key, or reseal OUTDIR under the current one."
    )
    keys.add_argument("action", choices=("new", "rotate"))
    keys.add_argument("out", nargs="?", type=Path, metavar="OUTDIR", help="rotate: whose files")
    keys.add_argument(
        "--leave-plain",
        action="store_true",
        help="rotate: do not seal identified files written before a key was set",
    )
    retention = sub.add_parser(
        "retention", help="Show or set a batch's retention period and legal hold."
    )
    retention.add_argument("out", type=Path, metavar="OUTDIR")
    retention.add_argument(
        "--days", type=int, help="keep identified artifacts this many days after each document"
    )
    hold = retention.add_mutually_exclusive_group()
    hold.add_argument("--hold", metavar="REFERENCE", help="legal hold, under a matter number")
    hold.add_argument("--release", action="store_true", help="release the legal hold")
    purge = sub.add_parser(
        "purge",
        help="Delete the identified artifacts of documents past the batch's retention period "
        "(never on legal hold); the de-identified outputs stay.",
    )
    purge.add_argument("out", type=Path, metavar="OUTDIR")
    purge.add_argument("--dry-run", action="store_true", help="say what would go; delete nothing")
    report = sub.add_parser(
        "report", help="The batch acceptance report: OUTDIR/report/report.html and .json."
    )
    report.add_argument("out", type=Path, metavar="OUTDIR")
    report.add_argument(
        "--inputs",
        nargs="+",
        metavar="PATH",
        help="the files or folders given to ingest: reconcile every input against the manifest",
    )
    report.add_argument("--dest", type=Path, metavar="DIR", help="default OUTDIR/report")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the command in ``args``; the exit code (2 usage, 3 not accepted / refused)."""
    if args.command == "keys" and args.action == "new":
        from pipeline.vault import new_key

        print(new_key())
        return 0
    if args.out is None:
        print(f"chart2fhir {args.command} {args.action}: name an OUTDIR", file=sys.stderr)
        return 2
    if not args.out.is_dir() or not (args.out / "manifest.json").exists():
        print(f"chart2fhir {args.command}: OUTDIR has no manifest.json", file=sys.stderr)
        return 2
    commands = {"keys": _rotate, "retention": _retention, "purge": _purge, "report": _report}
    return commands[args.command](args, settings)  # E702 is the caller's (cli.main)


def actor() -> str:
    """Who runs the command, for audit rows."""
    return f"cli:{getpass.getuser()}"


def _rotate(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.state import audit
    from pipeline.state.store import open_for, reseal
    from pipeline.vault import Vault, reseal_files

    vault = Vault.from_settings(settings.vault)
    if not vault.sealing:
        print("chart2fhir keys rotate: set CHART2FHIR_VAULT__KEY to the new key", file=sys.stderr)
        return 2
    counts = reseal_files(args.out, vault, seal_plain=not args.leave_plain)
    engine = open_for(args.out, settings)
    counts["database_values"] = reseal(engine)
    audit.record(engine, actor(), "key_rotated", "vault", key=vault.current_id, **counts)
    print(
        f"key {vault.current_id}: {counts['resealed']} files resealed, {counts['sealed']} "
        f"sealed (were plain), {counts['current']} already current, {counts['plain']} left "
        f"plain; {counts['database_values']} database values resealed"
    )
    return 0


def _retention(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline import retention
    from pipeline.state.store import open_for

    engine = open_for(args.out, settings)
    rule = retention.policy(engine, args.out)
    if args.days is not None:
        if args.days < 0:
            print("chart2fhir retention: --days is 0 or more", file=sys.stderr)
            return 2
        rule = retention.set_retention(engine, args.out, args.days, actor=actor())
    if args.hold is not None or args.release:
        if args.hold is not None and not 0 < len(args.hold) <= 100:
            print("chart2fhir retention: --hold takes 1 to 100 characters", file=sys.stderr)
            return 2
        rule = retention.set_hold(engine, args.out, args.hold, actor=actor())
    period = f"{rule.retain_days} days" if rule.retain_days is not None else "none (kept)"
    hold = f"on legal hold ({rule.hold_reference})" if rule.legal_hold else "no legal hold"
    print(f"batch {rule.batch_id}: retention {period}; {hold}")
    return 0


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline import retention
    from pipeline.state.store import open_for
    from pipeline.vault import Vault

    done = retention.purge(
        args.out,
        engine=open_for(args.out, settings),
        vault=Vault.from_settings(settings.vault),
        actor=actor(),
        dry_run=args.dry_run,
    )
    plan = done.plan
    verb = "would purge" if args.dry_run else "purged"
    for doc_id, n in done.files.items():
        print(f"{verb} {doc_id}: {n} identified files")
    for doc_id in plan.held:
        print(f"held {doc_id}: past its period, on legal hold")
    for doc_id, until in sorted(plan.kept.items()):
        print(f"kept {doc_id} until {until.astimezone(UTC).date().isoformat()}")
    for doc_id in plan.undated:
        print(f"kept {doc_id}: no finished_at (written before retention was recorded)")
    if plan.policy.legal_hold:
        print(f"batch {plan.policy.batch_id} is on legal hold ({plan.policy.hold_reference})")
    elif plan.policy.retain_days is None:
        print(f"batch {plan.policy.batch_id} has no retention period: nothing is due")
    print(
        f"{len(done.files)} documents {verb}, {len(plan.held)} held, {len(plan.kept)} kept, "
        f"{len(plan.purged_before)} purged before"
    )
    return 0


def _report(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.report import build_report, write_report
    from pipeline.state import audit
    from pipeline.state.store import open_for
    from pipeline.vault import Vault

    engine = open_for(args.out, settings)
    report = build_report(
        args.out, vault=Vault.from_settings(settings.vault), engine=engine, inputs=args.inputs
    )
    data, html = write_report(report, args.dest or args.out / "report")
    audit.record(engine, actor(), "report", f"batch:{report['batch']['id']}")
    verdict = "ACCEPTED" if report["accepted"] else "NOT ACCEPTED: " + "; ".join(report["blocking"])
    print(f"{verdict}\n{html}\n{data}")
    return 0 if report["accepted"] else 3
