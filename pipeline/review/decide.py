"""A reviewer's decision on an item: stored, applied to the outputs, audited.

Applying means (pipeline/revise.py): a value accepted, corrected or rejected issues the
document's bundle again with every decision so far; a page rejected takes the values read
on it out of the bundle (their items are rejected with it); a PHI detection rejected, or a
box added or removed on a page, paints redacted.pdf again (pipeline/review/redaction.py).
When a document has no open item left it moves from ``review`` to ``done`` (a rejected
document to ``failed``, E504). Each change is an audit row; none holds a value.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

from pipeline import errors
from pipeline.batch import read_manifest, write_manifest
from pipeline.revise import (
    CORRECTABLE,
    CorrectionInvalid,
    Decision,
    Repainted,
    edit_redaction,
    reissue,
    settle,
    span_boxes,
)
from pipeline.schema import Box
from pipeline.settings import Settings
from pipeline.state import audit
from pipeline.state.models import Batch, Item
from pipeline.state.store import _now
from pipeline.vault import Vault

# The actions each kind of item takes.
ACTIONS: dict[str, tuple[str, ...]] = {
    "value": ("accept", "correct", "reject"),
    "page": ("accept", "reject"),
    "phi": ("accept", "reject"),
    "redaction": ("accept",),
    "identity": ("accept",),
    "document": ("accept", "reject"),
}
_doc_locks: dict[tuple[str, str], threading.Lock] = {}
_guard = threading.Lock()


class DecisionRefused(ValueError):
    """The decision cannot be made (fixed text, safe to show and log)."""


@dataclass(frozen=True)
class ItemRow:
    """An item as the app shows it."""

    id: int
    batch_id: str
    doc_id: str
    kind: str
    ref: str
    reason: str
    label: str
    page: int | None
    box: tuple[int, int, int, int] | None
    risk: float
    state: str
    original: dict[str, Any]
    corrected: dict[str, Any] | None
    resolved_by: str | None
    out_dir: Path


def get_item(engine: Engine, item_id: int) -> ItemRow:
    """The item ``item_id``; LookupError if there is none."""
    with engine.connect() as c:
        row = c.execute(
            select(*Item.__table__.c, Batch.out_dir)
            .join(Batch, Batch.id == Item.batch_id)
            .where(Item.id == item_id)
        ).first()
    if row is None:
        raise LookupError("no such item")
    m = row._mapping
    return ItemRow(
        id=m["id"],
        batch_id=m["batch_id"],
        doc_id=m["doc_id"],
        kind=m["kind"],
        ref=m["ref"],
        reason=m["reason"],
        label=m["label"],
        page=m["page"],
        box=tuple(int(v) for v in m["box"].split(",")) if m["box"] else None,  # type: ignore[arg-type]
        risk=m["risk"],
        state=m["state"],
        original=json.loads(m["original"]),
        corrected=json.loads(m["corrected"]) if m["corrected"] else None,
        resolved_by=m["resolved_by"],
        out_dir=Path(m["out_dir"]),
    )


def decide(
    engine: Engine,
    settings: Settings,
    item_id: int,
    *,
    reviewer: str,
    action: str,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Make ``action`` on the item; returns what changed (for the audit row and the page).

    Raises LookupError (no such item), DecisionRefused (not open, action not allowed, a
    refused correction).
    """
    item = get_item(engine, item_id)
    if item.state != "open":
        raise DecisionRefused("This item was decided already.")
    if action not in ACTIONS[item.kind]:
        raise DecisionRefused("This kind of item cannot take that action.")
    vault = Vault.from_settings(settings.vault)
    if item.kind == "redaction" and not _every_page_checked(engine, item, reviewer, vault):
        raise DecisionRefused("Open the redaction of every page before accepting it.")
    with _doc_lock(item.batch_id, item.doc_id):
        now = datetime.now(UTC)
        changed: dict[str, Any] = {"doc_id": item.doc_id, "kind": item.kind}
        given: dict[str, str] = {}
        also: list[int] = []  # items decided with this one (the values of a rejected page)
        if item.kind == "value":
            field, _, index = item.ref.partition("/")
            given = {k: v for k, v in (values or {}).items() if k in CORRECTABLE[field] and v}
            if action == "correct" and not given:
                raise DecisionRefused("A correction needs at least one field.")
            this = Decision(field, int(index), action, reviewer, now, given or None)  # type: ignore[arg-type]
            changed["fields"] = sorted(given)
            changed["version"] = _reissue(engine, settings, item, [this])
        elif item.kind == "page" and action == "reject":
            on_page = _values_on_page(engine, item)
            also = [i for i, _ in on_page]
            extra = [Decision(*_field_index(ref), "reject", reviewer, now) for _, ref in on_page]
            changed["version"] = _reissue(engine, settings, item, extra)
            changed["values_rejected"] = len(also)
        elif item.kind == "phi" and action == "reject":
            start, _, end = item.ref.partition("/")[2].partition("-")
            page, hits = span_boxes(item.out_dir / item.doc_id, int(start), int(end), settings)
            result = edit_redaction(
                item.out_dir,
                item.doc_id,
                page,
                add=[],
                remove=hits,
                decisions=_decided_values(engine, item),
                settings=settings,
                not_phi=((int(start), int(end)),),
            )
            if not result.saved:
                raise DecisionRefused("Unpainting it left other PHI legible: edit the page.")
            changed["boxes_removed"] = len(hits)
        elif item.kind == "document" and action == "reject":
            _fail(item.out_dir, item.doc_id, vault)
        state = {"accept": "accepted", "correct": "corrected", "reject": "rejected"}[action]
        _resolve(engine, [item.id, *also], state, reviewer, given or None)
        audit.record(engine, reviewer, action, f"item:{item.id}", **changed)
        if not _open_left(engine, item.batch_id, item.doc_id):
            if item.kind == "document" and action == "reject":
                changed["document"] = "failed"
            elif settle(item.out_dir, item.doc_id, vault):
                changed["document"] = "done"
                audit.record(engine, reviewer, "document_done", f"document:{item.doc_id}")
    return changed


def edit_page(
    engine: Engine,
    settings: Settings,
    batch_id: str,
    doc_id: str,
    page: int,
    *,
    reviewer: str,
    add: list[tuple[Box, str]],
    remove: list[int],
) -> Repainted:
    """A reviewer's boxes added to or removed from a page of redacted.pdf, audited.

    Raises LookupError (no such batch, document or page).
    """
    with engine.connect() as c:
        out_dir = c.execute(select(Batch.out_dir).where(Batch.id == batch_id)).scalar()
    if out_dir is None or not doc_id.isalnum():
        raise LookupError("no such document")
    item = ItemRow(0, batch_id, doc_id, "redaction", "", "", "", page, None, 0, "", {}, None,
                   None, Path(out_dir))  # fmt: skip
    with _doc_lock(batch_id, doc_id):
        try:
            result = edit_redaction(
                Path(out_dir),
                doc_id,
                page,
                add=add,
                remove=remove,
                decisions=_decided_values(engine, item),
                settings=settings,
            )
        except (OSError, ValueError) as e:
            raise LookupError("no such document") from e
    audit.record(
        engine,
        reviewer,
        "redaction_edit" if result.saved else "redaction_refused",
        f"document:{doc_id}",
        page=page,
        added=len(add),
        removed=len(remove),
        residual=result.residual,
    )
    return result


def next_open(engine: Engine, *, after: int | None = None, **where: str) -> int | None:
    """The open item of highest risk, by the filters.

    With ``after``: the first one after that item in queue order (risk high to low, then
    id), wrapping round to the top, so that an item skipped with "next" comes back only
    once the queue has gone round.
    """
    query = select(Item.id).where(Item.state == "open")
    for key, value in where.items():
        if value:
            query = query.where(getattr(Item, key) == value)
    ordered = query.order_by(Item.risk.desc(), Item.id)
    with engine.connect() as c:
        if after is not None:
            risk = c.execute(select(Item.risk).where(Item.id == after)).scalar()
            if risk is not None:
                later = ordered.where(
                    (Item.risk < risk) | ((Item.risk == risk) & (Item.id > after))
                )
                found = c.execute(later.limit(1)).scalar()
                if found is not None:
                    return int(found)
        first = c.execute(ordered.limit(1)).scalar()
    return int(first) if first is not None and first != after else None


def _reissue(engine: Engine, settings: Settings, item: ItemRow, new: list[Decision]) -> int:
    """Issue the bundle again with every value decision of the document plus ``new``."""
    decisions = [*_decided_values(engine, item), *new]
    try:
        version, _ = reissue(item.out_dir, item.doc_id, decisions, settings)
    except CorrectionInvalid as e:
        raise DecisionRefused(str(e)) from None
    except (OSError, ValueError) as e:
        raise DecisionRefused("The document's outputs could not be read or written.") from e
    return version


def _decided_values(engine: Engine, item: ItemRow) -> list[Decision]:
    with engine.connect() as c:
        rows = c.execute(
            select(Item.ref, Item.state, Item.corrected, Item.resolved_by, Item.resolved_at)
            .where(
                Item.batch_id == item.batch_id,
                Item.doc_id == item.doc_id,
                Item.kind == "value",
                Item.state != "open",
            )
            .order_by(Item.resolved_at, Item.id)
        ).all()
    actions = {"accepted": "accept", "corrected": "correct", "rejected": "reject"}
    return [
        Decision(
            *_field_index(ref),
            actions[state],  # type: ignore[arg-type]
            by or "",
            (at or _now()).replace(tzinfo=UTC),
            json.loads(corrected) if corrected else None,
        )
        for ref, state, corrected, by, at in rows
    ]


def _values_on_page(engine: Engine, item: ItemRow) -> list[tuple[int, str]]:
    """(id, ref) of the open value items read on the item's page."""
    with engine.connect() as c:
        return [
            (int(i), str(r))
            for i, r in c.execute(
                select(Item.id, Item.ref).where(
                    Item.batch_id == item.batch_id,
                    Item.doc_id == item.doc_id,
                    Item.kind == "value",
                    Item.page == item.page,
                    Item.state == "open",
                )
            ).all()
        ]


def _field_index(ref: str) -> tuple[str, int]:
    field, _, index = ref.partition("/")
    return field, int(index)


def _resolve(
    engine: Engine, ids: list[int], state: str, reviewer: str, values: dict[str, str] | None
) -> None:
    with engine.begin() as c:
        c.execute(
            update(Item)
            .where(Item.id.in_(ids), Item.state == "open")
            .values(
                state=state,
                corrected=json.dumps(values) if values else None,
                resolved_by=reviewer,
                resolved_at=_now(),
            )
        )


def _open_left(engine: Engine, batch_id: str, doc_id: str) -> bool:
    with engine.connect() as c:
        return (
            c.execute(
                select(Item.id)
                .where(Item.batch_id == batch_id, Item.doc_id == doc_id, Item.state == "open")
                .limit(1)
            ).first()
            is not None
        )


def _fail(out_dir: Path, doc_id: str, vault: Vault) -> None:
    records = read_manifest(out_dir, vault)
    error = errors.RejectedInReview().record
    for i, r in enumerate(records):
        if r.doc_id == doc_id:
            records[i] = r.model_copy(update={"status": "failed", "error": error, "reasons": ()})
    write_manifest(out_dir, records, vault)


def _every_page_checked(engine: Engine, item: ItemRow, reviewer: str, vault: Vault) -> bool:
    """Whether ``reviewer`` opened the redaction view of every page of the document."""
    from pipeline.revise import read_ocr

    try:
        pages = len(read_ocr(item.out_dir / item.doc_id, vault).pages)
    except (OSError, ValueError):
        return False
    seen = {
        json.loads(r.detail).get("page")
        for r in audit.rows_of(engine, reviewer, "view_redaction", f"document:{item.doc_id}")
    }
    return seen >= set(range(pages))


def _doc_lock(batch_id: str, doc_id: str) -> threading.Lock:
    with _guard:
        return _doc_locks.setdefault((batch_id, doc_id), threading.Lock())
