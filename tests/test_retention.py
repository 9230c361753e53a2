"""Retention, legal hold and purge (pipeline/retention.py), and the audit rows of exports."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline import retention
from pipeline.batch import read_manifest, write_manifest
from pipeline.cli import main
from pipeline.layout import deid_folder, identified
from pipeline.review import items
from pipeline.settings import Settings
from pipeline.state import audit
from pipeline.state.models import Item
from pipeline.state.store import open_for, register_batch
from pipeline.vault import PLAIN

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
IDENTIFIED = ("text.txt", "bundle.json", "ocr.json", "extraction.json", "searchable.pdf")
DEIDENTIFIED = ("deid.txt", "deid.json", "bundle.deid.json", "redacted.pdf", "safe_harbor.json")


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the hash of its bytes (not the state database's)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith("state.db")
    }


@pytest.fixture
def batch(samples_outdir: Path, tmp_path: Path, settings: Settings) -> tuple[Path, list[str]]:
    """A copy of the samples' OUTDIR whose documents finished 40, 40, 10 days ago, or undated.

    Returns (OUTDIR, doc_ids in that order: the first and third in review); review items
    are synced for it.
    """
    out = tmp_path / "out"
    shutil.copytree(samples_outdir, out, ignore=shutil.ignore_patterns("state.db*"))
    # Those in review first: one of them expires, with its review items.
    records = sorted(read_manifest(out), key=lambda r: r.status != "review")
    assert [r.status for r in records[:2]] == ["review", "review"]
    ages = [40, 10, 40, None, 10, 10]
    dated = [
        r.model_copy(update={"finished_at": NOW - timedelta(days=age) if age is not None else None})
        for r, age in zip(records, ages, strict=False)
    ]
    write_manifest(out, dated)
    engine = open_for(out, settings)
    register_batch(engine, out)
    assert items.sync(engine, settings, force=True) > 0
    ids = [r.doc_id for r in dated]
    return out, [ids[0], ids[2], ids[1], *ids[3:]]  # the two expired first


def test_purge_deletes_exactly_the_expired_identified_artifacts(
    batch: tuple[Path, list[str]], settings: Settings
) -> None:
    out, docs = batch
    engine = open_for(out, settings)
    retention.set_retention(engine, out, 30, actor="cli:test")
    before = {d: _snapshot(out / d) for d in docs}
    deid_before = _snapshot(out / "deidentified")
    done = retention.purge(out, engine=engine, vault=PLAIN, actor="cli:test", now=NOW)
    # What analysts keep is untouched, for every document.
    assert _snapshot(out / "deidentified") == deid_before

    expired, young = docs[:2], docs[2:]
    assert set(done.files) == set(expired)
    for d in expired:
        left = _snapshot(out / d)
        gone = set(before[d]) - set(left)
        assert gone == {f for f in before[d] if identified(Path(d) / f)}
        assert done.files[d] == len(gone)
        for name in IDENTIFIED:
            assert not (out / d / name).exists()
        assert not (out / d / "hocr").exists()
        for name in DEIDENTIFIED:
            assert (deid_folder(out, d) / name).is_file()
    for d in young:
        assert _snapshot(out / d) == before[d]
    assert done.plan.undated == (docs[3],)
    assert set(done.plan.kept) == {docs[2], docs[4], docs[5]}
    assert done.plan.kept[docs[2]] == NOW - timedelta(days=10) + timedelta(days=30)

    records = {r.doc_id: r for r in read_manifest(out)}
    for d in expired:
        assert records[d].source == "" and records[d].purged_at == NOW
    for d in young:
        assert records[d].source and records[d].purged_at is None

    rows = [r for r in audit.rows(engine) if r.action == "purge"]
    assert sorted(r.resource for r in rows) == sorted(f"document:{d}" for d in expired)
    assert {json.loads(r.detail)["files"] for r in rows} == {done.files[d] for d in expired}
    with engine.connect() as c:
        reviewed = set(c.execute(select(Item.doc_id).where(Item.doc_id.in_(docs))).scalars())
    assert reviewed and not reviewed & set(expired)  # the purged documents' items are gone
    assert items.sync(engine, settings, force=True) == 0  # and are not put to review again

    again = retention.purge(out, engine=engine, vault=PLAIN, actor="cli:test", now=NOW)
    assert again.files == {} and set(again.plan.purged_before) == set(expired)


def test_a_legal_hold_keeps_everything_until_released(
    batch: tuple[Path, list[str]], settings: Settings
) -> None:
    out, docs = batch
    engine = open_for(out, settings)
    retention.set_retention(engine, out, 30, actor="cli:test")
    retention.set_hold(engine, out, "MATTER-2026-17", actor="cli:legal")
    before = _snapshot(out)
    held = retention.purge(out, engine=engine, vault=PLAIN, actor="cli:test", now=NOW)
    assert held.files == {} and held.plan.due == () and set(held.plan.held) == set(docs[:2])
    assert set(held.plan.kept) == {docs[2], docs[4], docs[5]}  # not yet due either way
    assert _snapshot(out) == before
    released = retention.set_hold(engine, out, None, actor="cli:legal")
    assert not released.legal_hold
    done = retention.purge(out, engine=engine, vault=PLAIN, actor="cli:test", now=NOW)
    assert set(done.files) == set(docs[:2])
    actions = [r.action for r in reversed(audit.rows(engine))]
    assert actions[:3] == ["retention_set", "legal_hold", "legal_hold_released"]


def test_no_period_nothing_due_and_a_dry_run_deletes_nothing(
    batch: tuple[Path, list[str]], settings: Settings
) -> None:
    out, docs = batch
    engine = open_for(out, settings)
    before = _snapshot(out)
    none = retention.purge(out, engine=engine, vault=PLAIN, actor="cli:test", now=NOW)
    assert none.files == {} and none.plan.policy.retain_days is None
    retention.set_retention(engine, out, 30, actor="cli:test")
    dry = retention.purge(out, engine=engine, vault=PLAIN, actor="cli:test", now=NOW, dry_run=True)
    assert _snapshot(out) == before
    done = retention.purge(out, engine=engine, vault=PLAIN, actor="cli:test", now=NOW)
    assert dry.files == done.files and set(done.files) == set(docs[:2])


def test_the_commands_say_what_they_did_by_id(
    batch: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    out, docs = batch
    assert main(["retention", str(out), "--days", "30"]) == 0
    assert "retention 30 days; no legal hold" in capsys.readouterr().out
    # The records finished 40 days before NOW, which is before today: they are due.
    assert main(["purge", str(out), "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert f"would purge {docs[0]}:" in dry and f"would purge {docs[1]}:" in dry
    assert main(["purge", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"purged {docs[0]}:" in printed and f"kept {docs[3]}: no finished_at" in printed
    assert "2 documents purged, 0 held, 3 kept" in printed
    assert not (out / docs[0] / "bundle.json").exists()


def test_exports_and_loads_are_audited(
    batch: tuple[Path, list[str]],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, _ = batch
    monkeypatch.setenv("CHART2FHIR_FHIR_LOAD__MAX_ATTEMPTS", "1")
    assert main(["export", str(out), "--ndjson", str(tmp_path / "nd")]) == 0
    assert main(["load", str(out), "--fhir-url", "http://127.0.0.1:9/fhir"]) == 3  # refused
    rows = audit.rows(open_for(out, settings))
    load, export = rows[0], rows[1]
    assert (export.action, load.action) == ("export", "load")
    assert json.loads(export.detail)["Observation"] > 0
    assert json.loads(load.detail)["failed"] > 0
    assert "127.0.0.1" not in load.detail  # the server's URL can carry a password
