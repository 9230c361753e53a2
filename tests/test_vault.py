"""Encryption at rest (pipeline/vault.py): sealed identified artifacts, plain de-identified
ones, private permissions, key rotation, sealed state database columns."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import warnings
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from pipeline.batch import ingest, read_manifest
from pipeline.errors import SealedUnreadable
from pipeline.layout import identified
from pipeline.review import auth
from pipeline.settings import Settings, VaultSettings
from pipeline.state import audit, open_state
from pipeline.state.store import (
    NewDocument,
    create_job,
    default_url,
    document_source,
    register_batch,
    reseal,
)
from pipeline.vault import (
    MAGIC,
    PLAIN,
    Vault,
    decode_key,
    key_id,
    new_key,
    reseal_files,
)
from tests.conftest import CHART_LINES, render_page

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note on httpx's future
    from fastapi.testclient import TestClient

KEY = new_key()
NEXT_KEY = new_key()
# Planted in the scan and its file name: must not be readable in any sealed file.
PHI = (b"HARRISON", b"MARGARET", b"4829173", b"03/14/1948")
SEALED_FILES = (
    "manifest.json",
    "deid.key",
    "{doc}/text.txt",
    "{doc}/bundle.json",
    "{doc}/ocr.json",
    "{doc}/extraction.json",
    "{doc}/searchable.pdf",
    "{doc}/hocr/page-0001.hocr",
)
PLAIN_FILES = (
    "deidentified/{doc}/deid.txt",
    "deidentified/{doc}/deid.json",
    "deidentified/{doc}/redacted.pdf",
    "deidentified/{doc}/bundle.deid.json",
    "deidentified/{doc}/safe_harbor.json",
    "deidentified/DEIDENTIFIED.txt",
)


def keyed(settings: Settings, key: str, *old: str) -> Settings:
    """``settings`` with a vault key (and old keys)."""
    vault = VaultSettings(key=SecretStr(key), old_keys=tuple(SecretStr(k) for k in old))
    return settings.model_copy(update={"vault": vault})


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> tuple[Path, str]:
    """An OUTDIR ingested with a key from a chart whose name and text carry PHI."""
    folder = tmp_path_factory.mktemp("in")
    render_page(CHART_LINES).save(folder / "HARRISON_MARGARET_4829173.png", dpi=(300, 300))
    out = tmp_path_factory.mktemp("sealed")
    (record,) = ingest([str(folder)], out_dir=out, settings=keyed(settings, KEY), jobs=1)
    assert record.status in ("done", "review")
    return out, record.doc_id


def test_identified_files_are_sealed_and_read_only_with_the_key(
    sealed: tuple[Path, str], settings: Settings
) -> None:
    out, doc = sealed
    vault = Vault.from_settings(keyed(settings, KEY).vault)
    stranger = Vault(decode_key(NEXT_KEY))
    for name in SEALED_FILES:
        raw = (out / name.format(doc=doc)).read_bytes()
        assert raw.startswith(MAGIC), name
        assert vault.sealed_by(raw) == key_id(decode_key(KEY))
        assert not any(p in raw for p in PHI), name
        for wrong in (PLAIN, stranger):
            with pytest.raises(SealedUnreadable) as refused:
                wrong.open(raw)
            assert refused.value.code == "E702"
    text = vault.read_text(out / doc / "text.txt")
    assert "HARRISON, MARGARET" in text and "4829173" in text
    bundle = json.loads(vault.read(out / doc / "bundle.json"))
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert patient["identifier"][0]["value"] == "4829173"
    assert vault.read(out / doc / "searchable.pdf").startswith(b"%PDF-")
    (record,) = read_manifest(out, vault)
    assert Path(record.source).name == "HARRISON_MARGARET_4829173.png"
    with pytest.raises(SealedUnreadable):
        read_manifest(out)  # never read as "no manifest": a run would redo everything


def test_a_changed_byte_fails_the_tag(sealed: tuple[Path, str], settings: Settings) -> None:
    out, doc = sealed
    vault = Vault.from_settings(keyed(settings, KEY).vault)
    raw = bytearray((out / doc / "bundle.json").read_bytes())
    raw[-1] ^= 1
    with pytest.raises(SealedUnreadable):
        vault.open(bytes(raw))
    header = bytearray((out / doc / "bundle.json").read_bytes())
    header[len(MAGIC) + 9] ^= 1  # the nonce is authenticated too
    with pytest.raises(SealedUnreadable):
        vault.open(bytes(header))


def test_deidentified_outputs_stay_plain_and_every_output_is_private(
    sealed: tuple[Path, str],
) -> None:
    out, doc = sealed
    for name in PLAIN_FILES:
        raw = (out / name.format(doc=doc)).read_bytes()
        assert not raw.startswith(MAGIC), name
        assert not any(p in raw for p in (b"HARRISON", b"4829173")), name
    deid = out / "deidentified" / doc
    assert "[PERSON]" in (deid / "deid.txt").read_text()
    assert json.loads((deid / "bundle.deid.json").read_text())["resourceType"] == "Bundle"
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            assert mode == 0o700, path.relative_to(out)
        else:
            assert mode == 0o600, path.relative_to(out)


def test_identified_names_what_is_sealed() -> None:
    assert identified(Path("manifest.json"))
    assert identified(Path("d1/bundle.json")) and identified(Path("d1/hocr/page-0001.hocr"))
    assert identified(Path("d1/history/bundle.v1.json"))
    assert not identified(Path("deidentified/d1/history/bundle.v1.deid.json"))
    assert not identified(Path("deidentified/d1/bundle.deid.json"))
    assert not identified(Path("deidentified/d1/deid.txt"))
    assert not identified(Path("d1/redaction.json")) and not identified(Path("identity.json"))
    assert identified(Path(".review-cache/d1/searchable-0000.png"))


def test_a_run_without_the_key_refuses_a_sealed_outdir(
    sealed: tuple[Path, str], settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(sealed[0], out)
    folder = tmp_path / "in"
    folder.mkdir()
    render_page(CHART_LINES).save(folder / "chart.png", dpi=(300, 300))
    before = (out / "manifest.json").read_bytes()
    with pytest.raises(SealedUnreadable):
        ingest([str(folder)], out_dir=out, settings=settings, jobs=1)
    assert (out / "manifest.json").read_bytes() == before


def test_rotation_reseals_everything_under_the_new_key(
    sealed: tuple[Path, str], settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(sealed[0], out)
    (out / "legacy").mkdir()
    (out / "legacy" / "text.txt").write_text("HARRISON, MARGARET")  # written before a key
    rotated = Vault.from_settings(keyed(settings, NEXT_KEY, KEY).vault)
    counts = reseal_files(out, rotated)
    sealed_count = sum(
        1 for p in out.rglob("*") if p.is_file() and p.read_bytes().startswith(MAGIC)
    )
    assert counts == {"resealed": sealed_count - 1, "sealed": 1, "current": 0, "plain": 0}
    new_only = Vault(decode_key(NEXT_KEY))
    old_only = Vault(decode_key(KEY))
    for name in SEALED_FILES:
        raw = (out / name.format(doc=sealed[1])).read_bytes()
        assert new_only.sealed_by(raw) == key_id(decode_key(NEXT_KEY))
        new_only.open(raw)
        with pytest.raises(SealedUnreadable):
            old_only.open(raw)
    assert new_only.read_text(out / "legacy" / "text.txt") == "HARRISON, MARGARET"
    again = reseal_files(out, rotated)
    assert again == {"resealed": 0, "sealed": 0, "current": sealed_count, "plain": 0}


def test_state_database_identified_columns_are_sealed(tmp_path: Path) -> None:
    url = default_url(tmp_path)
    vault = Vault(decode_key(KEY))
    engine = open_state(url, vault)
    source = "/scans/HARRISON_MARGARET_4829173.pdf"
    create_job(engine, "j1", tmp_path, [NewDocument("d1", source, 2)], storage=tmp_path / "s")
    assert document_source(engine, "j1", "d1") == (source, 2)
    with sqlite3.connect(tmp_path / "state.db") as db:
        (raw,) = db.execute("SELECT source FROM documents").fetchone()
    assert raw.startswith("sealed:v1:") and "HARRISON" not in raw
    with pytest.raises(SealedUnreadable):
        document_source(open_state(url), "j1", "d1")  # no key
    rotated = open_state(url, Vault(decode_key(NEXT_KEY), (decode_key(KEY),)))
    assert reseal(rotated) == 1
    assert document_source(open_state(url, Vault(decode_key(NEXT_KEY))), "j1", "d1")[0] == source
    with pytest.raises(SealedUnreadable):
        document_source(engine, "j1", "d1")  # the old key alone no longer opens it


def test_a_key_setting_is_checked_and_never_echoed() -> None:
    with pytest.raises(ValidationError) as bad:
        VaultSettings(key=SecretStr("too-short-to-be-a-key"))
    assert "32 bytes" in str(bad.value)
    assert len(decode_key(new_key())) == 32
    assert new_key() != new_key()


def test_the_review_app_works_on_a_sealed_outdir(
    sealed: tuple[Path, str], settings: Settings, tmp_path: Path
) -> None:
    from pipeline.review.app import create_app

    out = tmp_path / "out"
    shutil.copytree(sealed[0], out)
    doc = sealed[1]
    s = keyed(settings, KEY)
    engine = open_state(default_url(out), Vault.from_settings(s.vault))
    auth.add_user(engine, "sam", "correct horse battery staple", "supervisor")
    batch = register_batch(engine, out)
    client = TestClient(create_app(engine, s))
    login = client.get("/login")
    token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(
        "/login",
        data={"username": "sam", "password": "correct horse battery staple", "csrf_token": token},
    )
    page = client.get(f"/documents/{batch}/{doc}/pages/0/scan.png")
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
    cached = next((out / ".review-cache" / doc).iterdir())
    assert cached.read_bytes().startswith(MAGIC)  # the rendered scan is sealed too
    exported = client.get(f"/documents/{batch}/{doc}/bundle.json")
    assert exported.status_code == 200
    assert b"4829173" in exported.content  # an export is the plain bundle, audited
    assert audit.rows(engine)[0].action == "export"  # newest first


def test_keys_rotate_reseals_an_outdir_and_is_audited(
    sealed: tuple[Path, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pipeline.cli import main

    out = tmp_path / "out"
    shutil.copytree(sealed[0], out)
    assert main(["keys", "new"]) == 0
    assert len(decode_key(capsys.readouterr().out)) == 32
    monkeypatch.setenv("CHART2FHIR_VAULT__KEY", NEXT_KEY)
    assert main(["keys", "rotate", str(out)]) == 2  # the old key is not in the ring
    assert "E702" in capsys.readouterr().err
    monkeypatch.setenv("CHART2FHIR_VAULT__OLD_KEYS", json.dumps([KEY]))
    assert main(["keys", "rotate", str(out)]) == 0
    printed = capsys.readouterr().out
    new_id = key_id(decode_key(NEXT_KEY))
    assert printed.startswith(f"key {new_id}: ") and " 0 left plain" in printed
    raw = (out / sealed[1] / "bundle.json").read_bytes()
    assert Vault(decode_key(NEXT_KEY)).sealed_by(raw) == new_id
    engine = open_state(default_url(out), Vault(decode_key(NEXT_KEY)))
    row = audit.rows(engine)[0]
    assert row.action == "key_rotated" and json.loads(row.detail)["key"] == new_id
    assert KEY not in row.detail and NEXT_KEY not in row.detail


def test_a_bad_key_setting_is_named_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    monkeypatch.setenv("CHART2FHIR_VAULT__KEY", "hunter2-is-not-a-key")
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "CHART2FHIR_VAULT__KEY" in err and "32 bytes" in err
    assert "hunter2" not in err


def test_every_command_refuses_a_sealed_outdir_without_its_key(
    sealed: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    out = tmp_path / "out"
    shutil.copytree(sealed[0], out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for argv in (
        ["export", str(out), "--ndjson", str(tmp_path / "nd")],
        ["report", str(out)],
        ["purge", str(out)],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "E702" in err and "Traceback" not in err, argv
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and p in before}
    assert after == before  # nothing sealed was overwritten


def test_settings_refused_are_named_without_their_values(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.settings import SettingsInvalid, load_settings

    monkeypatch.setenv("CHART2FHIR_VAULT__KEY", "hunter2-is-not-a-key")
    monkeypatch.setenv("CHART2FHIR_VAULT__OLD_KEYS", '["swordfish-neither"]')
    with pytest.raises(SettingsInvalid) as refused:
        load_settings()  # what workers.actors builds its settings with, at import
    text = str(refused.value)
    assert "CHART2FHIR_VAULT__KEY:" in text and "CHART2FHIR_VAULT__OLD_KEYS:" in text
    assert "hunter2" not in text and "swordfish" not in text
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
