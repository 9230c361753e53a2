"""chart2fhir load: the samples' bundles into a real FHIR R4 server, with faults injected.

The server is the session's (tests/fhir/server.mjs); each test loads into a space of its own
(/space/NAME) and injects faults there (PUT /_test/NAME), so counts do not leak between tests.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from pipeline.batch import read_manifest, write_manifest
from pipeline.fhir_load import backoff, load_bundles, post_bundle, retry_after
from pipeline.layout import output
from pipeline.schema import DocumentRecord
from pipeline.settings import FhirLoadSettings

SAMPLES = Path(__file__).parent.parent / "samples"
TRUTHS = [json.loads(p.read_text()) for p in sorted((SAMPLES / "truth").glob("*.json"))]
FAST = FhirLoadSettings(max_attempts=3, base_delay_s=0.001, max_delay_s=0.05, timeout_s=30)
FAILED = DocumentRecord(
    source="bad.pdf", doc_id="x0badc0ffee00000", status="failed", error="E103: ..."
)


@pytest.fixture
def outdir(samples_outdir: Path, tmp_path: Path) -> Path:
    """A copy of the samples' OUTDIR whose manifest also lists a document ingest failed on."""
    out = tmp_path / "out"
    shutil.copytree(samples_outdir, out)
    write_manifest(out, [*read_manifest(out), FAILED])
    return out


def _smallest(out: Path, n: int) -> list[str]:
    """Keep in the manifest the ``n`` documents with the fewest entries, and FAILED.

    The in-memory server takes seconds a bundle of sixty values: tests that do not need
    every sample load fewer. Returns their doc_ids, in manifest order.
    """
    records = [r for r in read_manifest(out) if r.status != "failed"]
    keep = sorted(records, key=lambda r: _entries(out, r.doc_id))[:n]
    write_manifest(out, [r for r in records if r in keep] + [FAILED])
    return [r.doc_id for r in records if r in keep]


@pytest.fixture
def space(fhir_server: str) -> str:
    """A fresh space of the session's server: its base URL."""
    return f"{fhir_server}/space/{uuid.uuid4().hex}"


def _fault(space: str, **fault: object) -> None:
    base, name = space.split("/space/")
    httpx.put(f"{base}/_test/{name}", json=fault).raise_for_status()


def _posts(space: str) -> int:
    base, name = space.split("/space/")
    return httpx.get(f"{base}/_test/{name}").json()["posts"]


def _counts(space: str, types: set[str]) -> dict[str, int]:
    return {
        t: len(httpx.get(f"{space}/{t}?_count=1000", timeout=60).json().get("entry", []))
        for t in sorted(types)
    }


def _bundle(out: Path, doc_id: str, name: str = "bundle.json") -> list[dict]:
    return json.loads(output(out, doc_id, name).read_text())["entry"]


def _entries(out: Path, doc_id: str, name: str = "bundle.json") -> int:
    return len(_bundle(out, doc_id, name))


def _created_first(entries: dict[str, int], out: Path, doc_id: str, name: str = "bundle.json"):
    """Whether a first load's counts fit the bundle: every entry made a resource.

    A conditional create (POST) that made one answers 201; an update that made one (PUT,
    Provenance under its id) answers 201 by the spec and 200 from Medplum.
    """
    methods = Counter(e["request"]["method"] for e in _bundle(out, doc_id, name))
    made = entries.get("201", 0)
    return (
        set(entries) <= {"200", "201"}
        and sum(entries.values()) == methods.total()
        and methods["POST"] <= made <= methods["POST"] + methods["PUT"]
    )


def _cli(out: Path, url: str, *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "load", str(out), "--fhir-url", url, *extra],
        capture_output=True,
        text=True,
        env={**os.environ, **{f"CHART2FHIR_FHIR_LOAD__{k}": v for k, v in env.items()}},
        timeout=300,
    )


def _phi() -> set[str]:
    """What of the samples' truth must never come out of a load: names, MRNs, file names."""
    found = set()
    for truth in TRUTHS:
        found |= {truth["patient"]["family"], *truth["patient"]["given"], truth["patient"]["mrn"]}
        found.add(Path(truth["file"]).stem)
    return found


def test_cli_loads_every_bundle_retrying_then_a_second_load_creates_nothing(
    outdir: Path, space: str
) -> None:
    done = [r.doc_id for r in read_manifest(outdir) if r.status != "failed"]
    assert len(done) == len(TRUTHS)
    # The server is unavailable for the first two POSTs; the first document gets through on
    # its third attempt. The URL carries a password and a query that must not be shown.
    _fault(space, count=2, status=503, retryAfter="0")
    url = space.replace("http://", "http://loader:s3cret-pw@") + "?tenant=q-private"
    first = _cli(outdir, url, BASE_DELAY_S="0.001")
    assert first.returncode == 0, first.stderr
    report = json.loads((outdir / "load.json").read_text())
    rows = {r["doc_id"]: r for r in report["documents"]}
    assert list(rows) == [*done, FAILED.doc_id]  # manifest order, one row per document
    for doc_id in done:
        row = rows[doc_id]
        assert row["status"] == "loaded" and row["http_status"] == 200 and row["error"] is None
        # Every entry made its resource.
        assert _created_first(row["entries"], outdir, doc_id), row["entries"]
        assert row["attempts"] == (3 if doc_id == done[0] else 1)
    assert rows[FAILED.doc_id] == {
        "doc_id": FAILED.doc_id,
        "status": "skipped",
        "http_status": None,
        "attempts": 0,
        "entries": {},
        "error": "E809: The document has no bundle to load (ingest failed on it).",
        "seconds": 0.0,
    }
    created = sum(r["entries"].get("201", 0) for r in rows.values())
    entries = sum(_entries(outdir, d) for d in done)
    assert report["totals"] == {
        "documents": len(done) + 1,
        "loaded": len(done),
        "failed": 0,
        "skipped": 1,
        "created": created,
        "existing": entries - created,
    }
    assert report["fhir_url"] == space and report["bundle"] == "bundle.json"
    assert _posts(space) == len(done) + 2
    lines = first.stdout.splitlines()
    assert len(lines) == len(done) + 2  # a line per document, then the totals
    assert lines[0].startswith(f"{done[0]}  loaded   http 200  attempts 3  created ")
    assert lines[-2] == f"{FAILED.doc_id}  skipped  http -  attempts 0  created 0  existing 0  E809"
    assert lines[-1].startswith(f"{len(done) + 1} documents: {len(done)} loaded, 0 failed, 1 ")
    types = {e["resource"]["resourceType"] for d in done for e in _bundle(outdir, d)}
    counts = _counts(space, types)
    # Every sample has its own patient (MRN), document and values.
    assert counts["Patient"] == counts["DocumentReference"] == len(done)
    assert sum(counts.values()) == entries

    again = _cli(outdir, space)
    assert again.returncode == 0, again.stderr
    report = json.loads((outdir / "load.json").read_text())
    for row in report["documents"][:-1]:
        # Every conditional create found its twin, every PUT its resource: nothing new.
        assert row["status"] == "loaded" and row["attempts"] == 1
        assert row["entries"] == {"200": _entries(outdir, row["doc_id"])}
    assert report["totals"]["created"] == 0 and report["totals"]["existing"] == entries
    assert _counts(space, types) == counts

    shown = first.stdout + first.stderr + again.stdout + again.stderr
    shown += (outdir / "load.json").read_text()
    for secret in (*_phi(), "s3cret-pw", "loader", "q-private"):
        assert secret not in shown, secret
    assert not [p for p in outdir.iterdir() if p.name.startswith(".")]  # no temporary files


def test_deid_loads_the_deidentified_bundles(outdir: Path, space: str) -> None:
    ids = _smallest(outdir, 2)
    results = load_bundles(outdir, url=space, cfg=FAST, deid=True)
    assert [r.status for r in results] == ["loaded", "loaded", "skipped"]
    for r, doc_id in zip(results, ids, strict=False):
        assert _created_first(r.entries, outdir, doc_id, "bundle.deid.json"), r.entries
    report = json.loads((outdir / "load.json").read_text())
    assert report["bundle"] == "bundle.deid.json"
    families = {
        p["resource"]["name"][0]["family"]
        for p in httpx.get(f"{space}/Patient?_count=1000").json()["entry"]
    }
    # Surrogate names only: each loaded Patient is its bundle's, and no surrogate is its own
    # patient's true name. (A surrogate is a real surname, so it may be another sample's.)
    sources = {r.doc_id: Path(r.source).name for r in read_manifest(outdir)}
    true = {t["file"].split("/")[-1]: t["patient"]["family"] for t in TRUTHS}
    surrogate = {}
    for doc_id in ids:
        bundle = _bundle(outdir, doc_id, "bundle.deid.json")
        patient = next(e["resource"] for e in bundle if e["resource"]["resourceType"] == "Patient")
        surrogate[doc_id] = patient["name"][0]["family"]
        assert surrogate[doc_id].casefold() != true[sources[doc_id]].casefold()
    assert families == set(surrogate.values())


# Faults the server injects on a document's first POSTs, and what loading it then does.
# FAST: 3 attempts, backoff 0.001 s doubling with jitter, no wait beyond 0.05 s.
FAULTS = [
    # Unavailable twice, Retry-After honoured (it is longer than the backoff), then loaded.
    (
        {"count": 2, "status": 503, "retryAfter": "1"},
        FAST.model_copy(update={"max_delay_s": 5.0}),
        "loaded",
        3,
        None,
        200,
    ),
    # Too many requests once, with a Retry-After in whole seconds beyond the cap: the cap wins.
    ({"count": 1, "status": 429, "retryAfter": "7"}, FAST, "loaded", 2, None, 200),
    # Gateway errors and a request timeout without Retry-After: the jittered backoff.
    ({"count": 2, "status": 502}, FAST, "loaded", 3, None, 200),
    ({"count": 1, "status": 504}, FAST, "loaded", 2, None, 200),
    ({"count": 1, "status": 408}, FAST, "loaded", 2, None, 200),
    # The server answers too late once: a timeout, tried again.
    (
        # The second attempt is the server's real work on a small bundle: well inside 2.5 s.
        {"count": 1, "status": 503, "delayMs": 5000},
        FAST.model_copy(update={"timeout_s": 2.5}),
        "loaded",
        2,
        None,
        200,
    ),
    # Unavailable on every attempt: failed with the last attempt's status and code.
    ({"count": 9, "status": 503}, FAST, "failed", 3, "E803", 503),
    # Too slow on every attempt: failed with the timeout code and no status.
    (
        {"count": 9, "status": 503, "delayMs": 1000},
        FAST.model_copy(update={"timeout_s": 0.2, "max_attempts": 2}),
        "failed",
        2,
        "E802",
        None,
    ),
    # Permanent answers: not tried again.
    ({"count": 1, "status": 400}, FAST, "failed", 1, "E804", 400),
    ({"count": 1, "status": 422}, FAST, "failed", 1, "E804", 422),
    ({"count": 1, "status": 500}, FAST, "failed", 1, "E805", 500),
]


@pytest.mark.parametrize(("fault", "cfg", "status", "attempts", "code", "http"), FAULTS)
def test_faults_of_a_real_server(
    samples_outdir: Path, space: str, fault, cfg, status, attempts, code, http
) -> None:
    # The smallest bundle: the faults are the point, not the server's speed.
    record = min(
        (r for r in read_manifest(samples_outdir) if r.status != "failed"),
        key=lambda r: (samples_outdir / r.doc_id / "bundle.json").stat().st_size,
    )
    _fault(space, **fault)
    waits: list[float] = []
    with httpx.Client() as client:
        result = post_bundle(
            record.doc_id,
            samples_outdir / record.doc_id / "bundle.json",
            client=client,
            url=space,
            cfg=cfg,
            sleep=waits.append,
        )
    assert (result.status, result.attempts, result.http_status) == (status, attempts, http)
    assert (result.error or "")[:4] == (code or "")
    assert _posts(space) == attempts  # what the server saw, not only what the client says
    assert len(waits) == attempts - 1
    assert all(0 < w <= cfg.max_delay_s for w in waits)
    if "retryAfter" in fault:
        assert waits == [min(float(fault["retryAfter"]), cfg.max_delay_s)] * (attempts - 1)
    if status == "loaded":
        assert _created_first(result.entries, samples_outdir, record.doc_id), result.entries


def _corrupt(bundle: dict, how: str) -> dict:
    if how == "type":
        bundle["type"] = "document"
    elif how == "entry":
        bundle["entry"][-1]["resource"]["resourceType"] = "Nonsense"
    return bundle


def test_bad_bundles_fail_with_their_code_without_retries_and_the_rest_load(
    outdir: Path, space: str
) -> None:
    ids = _smallest(outdir, 4)
    # Rows: which document, how its bundle.json is damaged, the code and status it ends with.
    damage = [
        # Not a transaction the server accepts: HTTP 400, the whole bundle refused.
        (ids[0], "type", "E804", 400, 1),
        # The server takes the transaction but refuses one entry (Medplum's in-memory
        # repository answers 200 with that entry 400 where a database server would refuse
        # the whole transaction): failed all the same.
        (ids[1], "entry", "E807", 200, 1),
        # Truncated on disk: never sent.
        (ids[2], "truncate", "E808", None, 0),
    ]
    for doc_id, how, *_ in damage:
        path = outdir / doc_id / "bundle.json"
        if how == "truncate":
            path.write_bytes(path.read_bytes()[:100])
        else:
            path.write_text(json.dumps(_corrupt(json.loads(path.read_text()), how)))
    results = {r.doc_id: r for r in load_bundles(outdir, url=space, cfg=FAST)}
    for doc_id, _how, code, http, attempts in damage:
        r = results[doc_id]
        assert (r.status, r.error[:4], r.http_status, r.attempts) == (
            "failed",
            code,
            http,
            attempts,
        )
    assert results[ids[1]].entries["400"] == 1
    assert [results[d].status for d in ids[3:]] == ["loaded"] * (len(ids) - 3)
    assert results[FAILED.doc_id].status == "skipped"
    assert _posts(space) == len(ids) - 1  # one POST each, none for the truncated file


def test_unreachable_server_fails_every_document_after_max_attempts(outdir: Path) -> None:
    # Every sample: nothing is sent, so it is quick, and each document is tried in turn.
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    done = _cli(outdir, f"http://127.0.0.1:{port}/fhir", MAX_ATTEMPTS="3", BASE_DELAY_S="0.001")
    assert done.returncode == 3
    assert time.monotonic() - start < 60
    report = json.loads((outdir / "load.json").read_text())
    for row in report["documents"][:-1]:
        assert (row["status"], row["attempts"], row["http_status"]) == ("failed", 3, None)
        assert row["error"] == "E801: The FHIR server could not be reached."
    assert report["totals"]["failed"] == len(TRUTHS)
    # Two warnings a document (attempts 1 and 2), ids and codes only.
    warnings = [json.loads(line) for line in done.stderr.splitlines()]
    assert len(warnings) == 2 * len(TRUTHS)
    assert {tuple(sorted(w)) for w in warnings} == {
        ("code", "count", "doc_id", "level", "logger", "msg")
    }
    for secret in _phi():
        assert secret not in done.stdout + done.stderr


def test_usage_errors(tmp_path: Path, outdir: Path) -> None:
    missing = _cli(tmp_path / "nothing", "http://127.0.0.1:1")
    assert missing.returncode == 2 and "no manifest.json" in missing.stderr
    bad = _cli(outdir, "ftp://user:pw@example.org/fhir")
    assert bad.returncode == 2 and "http or https" in bad.stderr and "pw" not in bad.stderr
    assert not (outdir / "load.json").exists()


NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("1", 1.0),  # delay-seconds
        (" 7 ", 7.0),  # surrounding space
        ("0", 0.0),  # try again now
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),  # an HTTP-date
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),  # already past
        ("0.02", None),  # not an integer: RFC 9110 delay-seconds are digits
        ("-5", None),  # negative
        ("soon", None),  # neither
        (None, None),  # no header
    ],
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    assert retry_after(header, now=NOW) == seconds


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    import random

    cfg = FhirLoadSettings(base_delay_s=1.0, max_delay_s=10.0)
    rng = random.Random(7)
    for attempt in (1, 2, 3):
        for _ in range(50):
            wait = backoff(attempt, retry_after=None, cfg=cfg, rng=rng)
            assert 2 ** (attempt - 1) / 2 <= wait <= 2 ** (attempt - 1)
    assert backoff(9, retry_after=None, cfg=cfg, rng=rng) == 10.0  # capped
    assert backoff(99999, retry_after=None, cfg=cfg, rng=rng) == 10.0  # no overflow
    assert backoff(1, retry_after=5.0, cfg=cfg, rng=rng) == 5.0  # Retry-After wins
    assert backoff(1, retry_after=3600.0, cfg=cfg, rng=rng) == 10.0  # within the cap
