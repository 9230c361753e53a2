"""The review app's commands: ``chart2fhir review``, ``users`` and ``audit``."""

from __future__ import annotations

import argparse
import getpass
import sys
import threading
from pathlib import Path

from sqlalchemy import Engine

from pipeline.review import auth, items
from pipeline.settings import Settings
from pipeline.state import audit
from pipeline.state.store import register_batch


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the command in ``args``; the exit code (2: usage, 1: refused)."""
    outs: list[Path] = args.out if isinstance(args.out, list) else [args.out] if args.out else []
    engine = _engine(settings, outs[0] if outs else None)
    if engine is None:
        print(
            f"chart2fhir {args.command}: name an OUTDIR (--out) or set CHART2FHIR_STATE__URL",
            file=sys.stderr,
        )
        return 2
    if args.command == "users":
        return _users(args, engine)
    if args.command == "audit":
        check = audit.verify(engine)
        if check.broken_at is not None:
            print(f"audit log BROKEN at row {check.broken_at} ({check.rows} rows read)")
            return 1
        print(f"audit log intact: {check.rows} rows, head {check.head}")
        return 0
    return _serve(args, engine, settings, outs)


def _serve(args: argparse.Namespace, engine: Engine, settings: Settings, outs: list[Path]) -> int:
    import uvicorn

    from pipeline.review.app import create_app

    for out in outs:
        if not out.is_dir():
            print("chart2fhir review: an OUTDIR does not exist", file=sys.stderr)
            return 2
        register_batch(engine, out)
    added = items.sync(engine, settings, force=True)
    # The first view of a page renders it from searchable.pdf (~0.3 s); render the pages
    # with open items now, in the background, so reviewers get the cached image.
    threading.Thread(target=_warm, args=(engine, settings), daemon=True).start()
    if not auth.list_users(engine):
        print("chart2fhir review: no users yet; add one with chart2fhir users add", file=sys.stderr)
    print(f"chart2fhir review: {added} new items; http://{args.host}:{args.port}/", flush=True)
    # Our PHI-safe formatter logs each request (route template, status, time); uvicorn's
    # own access log, which prints query strings, stays off.
    uvicorn.run(
        create_app(engine, settings),
        host=args.host,
        port=args.port,
        access_log=False,
        log_config=None,
        server_header=False,
    )
    return 0


def _warm(engine: Engine, settings: Settings) -> None:
    from sqlalchemy import select

    from pipeline.review import images
    from pipeline.state.models import Batch, Item

    with engine.connect() as c:
        pages = c.execute(
            select(Batch.out_dir, Item.doc_id, Item.page)
            .join(Batch, Batch.id == Item.batch_id)
            .where(Item.state == "open", Item.page.is_not(None))
            .distinct()
        ).all()
    for out_dir, doc_id, page in pages:
        assert page is not None  # the query asks for pages
        try:
            images.page_image(Path(out_dir), doc_id, page, settings)
        except LookupError:
            continue


def _users(args: argparse.Namespace, engine: Engine) -> int:
    if args.action == "list":
        for name, role, active in auth.list_users(engine):
            print(f"{name}\t{role}\t{'active' if active else 'disabled'}")
        return 0
    if not args.username:
        print("chart2fhir users: name the user", file=sys.stderr)
        return 2
    role = args.role_option or args.role
    try:
        if args.action == "add":
            if role is None:
                print("chart2fhir users add: give --role", file=sys.stderr)
                return 2
            auth.add_user(engine, args.username, _password(args), role)
        elif args.action == "password":
            auth.set_password(engine, args.username, _password(args))
        elif args.action == "role":
            if role is None:
                print("chart2fhir users role: give the role", file=sys.stderr)
                return 2
            auth.set_role(engine, args.username, role)
        else:
            auth.set_active(engine, args.username, args.action == "enable")
    except auth.UserError as e:
        print(f"chart2fhir users: {e}", file=sys.stderr)
        return 1
    audit.record(engine, "cli", f"user_{args.action}", f"user:{args.username}", role=role or "")
    print(f"{args.username}: {args.action} done")
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise auth.UserError("the passwords differ")
    return first


def _engine(settings: Settings, out: Path | None) -> Engine | None:
    from pipeline.state.store import open_for

    if settings.state.url is None and out is None:
        return None
    return open_for(out or Path("."), settings)
