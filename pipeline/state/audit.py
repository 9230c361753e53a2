"""The audit log: who did what to which resource, when; append-only and hash-chained.

Every sign-in (and refused one), sign-out, view, change and export is a row. A row's
``hash`` is SHA-256 over the previous row's hash and its own fields, so changing or
removing a row breaks every hash after it, which ``verify`` finds; the database refuses
UPDATE and DELETE outright (triggers, migration 0003). The chain cannot show rows cut off
its end: a supervisor who writes down the head hash (the audit page shows it) can.

Rows hold ids, action names and field names, never values: the log can go to a SIEM.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from pipeline.state.models import AuditEntry
from pipeline.state.store import _now

GENESIS = "0" * 64  # the prev_hash of the first row


@dataclass(frozen=True)
class Row:
    """An audit row as read back."""

    seq: int
    at: datetime
    actor: str
    action: str
    resource: str
    detail: str
    prev_hash: str
    hash: str


def record(engine: Engine, actor: str, action: str, resource: str, **detail: object) -> str:
    """Append a row; returns its hash. ``detail``: ids, counts and field names only."""
    text = json.dumps(detail, sort_keys=True, separators=(",", ":")) if detail else ""
    for _ in range(20):
        at = _now()
        with engine.connect() as c:
            prev = c.execute(
                select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
            ).scalar()
        prev = prev or GENESIS
        digest = _hash(prev, at, actor, action, resource, text)
        try:
            with engine.begin() as c:
                c.execute(
                    insert(AuditEntry).values(
                        at=at,
                        actor=actor,
                        action=action,
                        resource=resource,
                        detail=text,
                        prev_hash=prev,
                        hash=digest,
                    )
                )
            return digest
        except IntegrityError:
            continue  # another writer extended the same row first: chain onto theirs
    raise RuntimeError("audit log busy")


def rows(engine: Engine, *, limit: int = 200, before: int | None = None) -> list[Row]:
    """The newest rows first (``before``: older than that seq)."""
    query = select(*AuditEntry.__table__.c).order_by(AuditEntry.seq.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    with engine.connect() as c:
        return [Row(*r) for r in c.execute(query)]


def rows_of(engine: Engine, actor: str, action: str, resource: str) -> list[Row]:
    """Every row of ``actor`` doing ``action`` to ``resource``, oldest first."""
    query = (
        select(*AuditEntry.__table__.c)
        .where(
            AuditEntry.actor == actor,
            AuditEntry.action == action,
            AuditEntry.resource == resource,
        )
        .order_by(AuditEntry.seq)
    )
    with engine.connect() as c:
        return [Row(*r) for r in c.execute(query)]


@dataclass(frozen=True)
class Verification:
    """What checking the whole chain found."""

    rows: int
    head: str  # the newest row's hash
    broken_at: int | None  # the first row whose hash or link is wrong


def verify(engine: Engine) -> Verification:
    """Recompute every hash in order; the first row that does not match breaks the chain."""
    prev, count = GENESIS, 0
    with engine.connect() as c:
        for r in c.execute(select(*AuditEntry.__table__.c).order_by(AuditEntry.seq)):
            row = Row(*r)
            count += 1
            expected = _hash(prev, row.at, row.actor, row.action, row.resource, row.detail)
            if row.prev_hash != prev or row.hash != expected:
                return Verification(rows=count, head=prev, broken_at=row.seq)
            prev = row.hash
    return Verification(rows=count, head=prev, broken_at=None)


def failed_logins(engine: Engine, username: str, since: timedelta) -> int:
    """Refused sign-ins of ``username`` within ``since`` (after its last sign-in)."""
    start = _now() - since
    resource = f"user:{username}"
    with engine.connect() as c:
        last_ok = c.execute(
            select(func.max(AuditEntry.seq)).where(
                AuditEntry.action == "login", AuditEntry.resource == resource
            )
        ).scalar()
        query = select(func.count()).where(
            AuditEntry.action == "login_refused",
            AuditEntry.resource == resource,
            AuditEntry.at >= start,
        )
        if last_ok is not None:
            query = query.where(AuditEntry.seq > last_ok)
        return int(c.execute(query).scalar() or 0)


def _hash(prev: str, at: datetime, actor: str, action: str, resource: str, detail: str) -> str:
    fields = [prev, at.isoformat(timespec="microseconds"), actor, action, resource, detail]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()
