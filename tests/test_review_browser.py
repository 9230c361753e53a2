"""The review app end to end in a real headless browser, on a copy of the samples' ingest.

``chart2fhir review`` runs as a subprocess; tests/browser/review_e2e.mjs drives Debian's
chromium through it (playwright-core): sign in, the queue, an observation corrected from
the keyboard ("c", the value, Enter), then the next item accepted with one keystroke
("a"). The test then reads what that wrote: bundle.json issued again, the review items'
states, and the audit log, which must hold no PHI. ``make test`` installs the browser
(Debian's chromium) and tests/browser/node_modules (``npm ci``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
BROWSER_DIR = HERE / "browser"
SCRIPT = BROWSER_DIR / "review_e2e.mjs"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CLI = str(Path(sys.executable).parent / "chart2fhir")
USER = "rita"
PASSWORD = "a-long-password-12+"
ORIGINAL_VALUE_URL = "urn:chart2fhir:fhir:extension:original-value"
OBSERVATION_SYSTEM = "urn:chart2fhir:observation"
START_TIMEOUT_S = 60


def _env() -> dict[str, str]:
    """The environment of the app's processes: the state database is OUTDIR/state.db."""
    env = dict(os.environ)
    env.pop("CHART2FHIR_STATE__URL", None)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def review_dir(samples_outdir: Path, tmp_path: Path) -> Path:
    """A copy of the samples' OUTDIR (the shared one stays as ingested) with a reviewer."""
    out = tmp_path / "out"
    shutil.copytree(samples_outdir, out, ignore=shutil.ignore_patterns("state.db*"))
    added = subprocess.run(
        [CLI, "users", "add", USER, "--role", "reviewer", "--out", str(out), "--password-stdin"],
        input=f"{PASSWORD}\n",
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert added.returncode == 0, added.stderr
    return out


@pytest.fixture
def server(review_dir: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``chart2fhir review`` on a free port: (its URL, the file of its output)."""
    port = _free_port()
    log = tmp_path / "review.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [CLI, "review", "--out", str(review_dir), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_env(),
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chart2fhir review exited ({proc.returncode}): {log.read_text()}")
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"chart2fhir review did not answer in {START_TIMEOUT_S} s")
            time.sleep(0.3)
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _rows(db: Path, query: str, *args: Any) -> list[sqlite3.Row]:
    with closing(sqlite3.connect(db)) as c:
        c.row_factory = sqlite3.Row
        return c.execute(query, args).fetchall()


def _extraction(review_dir: Path, doc_id: str) -> dict[str, Any]:
    body = json.loads((review_dir / doc_id / "extraction.json").read_text(encoding="utf-8"))
    extraction: dict[str, Any] = body["extraction"]
    return extraction


def _observation_item(review_dir: Path) -> tuple[sqlite3.Row, dict[str, Any]]:
    """An open value item on an observation with a single number (Heart rate if there is one)."""
    found = []
    for row in _rows(
        review_dir / "state.db",
        "SELECT id, doc_id, ref, label FROM review_items WHERE kind = 'value' AND state = 'open'"
        " AND ref LIKE 'observations/%' AND box IS NOT NULL ORDER BY risk DESC, id",
    ):
        index = int(row["ref"].partition("/")[2])
        observation = _extraction(review_dir, row["doc_id"])["observations"][index]
        if observation["quantity"] is not None and not observation["components"]:
            found.append((row["label"] != "Heart rate", row, observation))
    assert found, "the samples' ingest has no open observation item to correct"
    _, row, observation = min(found, key=lambda f: f[0])
    return row, observation


@pytest.fixture(scope="session")
def browser_ready() -> None:
    """Fail (not skip) early when the browser is missing: `make test` installs it."""
    missing = [
        what
        for what, there in (
            (CHROMIUM, Path(CHROMIUM).is_file()),
            ("node", shutil.which("node") is not None),
            (
                "tests/browser/node_modules",
                (BROWSER_DIR / "node_modules" / "playwright-core").is_dir(),
            ),
        )
        if not there
    ]
    if missing:
        pytest.fail(
            f"the browser test needs {', '.join(missing)}: `make test` installs them "
            "(Debian's chromium, npm ci --prefix tests/browser)"
        )


def test_correct_then_accept_in_a_browser(
    browser_ready: None, review_dir: Path, server: tuple[str, Path], tmp_path: Path
) -> None:
    base, log = server
    item, observation = _observation_item(review_dir)
    old = observation["quantity"]["value"]
    new = old + 4
    shots = tmp_path / "shots"

    run = subprocess.run(
        ["node", str(SCRIPT), base, USER, PASSWORD, str(item["id"]), f"{new:g}", str(shots)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, f"{run.stderr}\nserver: {log.read_text()[-2000:]}"
    done = json.loads(run.stdout.strip().splitlines()[-1])
    assert done["ok"] and done["corrected"] == item["id"]
    accepted = done["accepted"]
    assert done["visited"][:2] == [item["id"], accepted] and accepted != item["id"]
    for name in ("queue.png", "item.png"):
        assert (shots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # bundle.json issued again: the observation updated in place, a Provenance naming the
    # reviewer and the value as read.
    doc_id = item["doc_id"]
    bundle = json.loads((review_dir / doc_id / "bundle.json").read_text(encoding="utf-8"))
    assert int(bundle["meta"]["versionId"]) >= 2
    assert (review_dir / doc_id / "history" / "bundle.v1.json").is_file()
    code = observation["code"]
    updated = [
        e
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == code
        and e["resource"].get("effectiveDateTime") == observation["effective"]
        and e.get("request", {}).get("url", "").startswith("Observation?identifier=")
    ]
    assert len(updated) == 1, f"{len(updated)} updated {code} observations"
    resource, request = updated[0]["resource"], updated[0]["request"]
    obs_id = resource["id"]
    assert request == {
        "method": "PUT",
        "url": f"Observation?identifier={OBSERVATION_SYSTEM}|{obs_id}",
    }
    assert resource["status"] == "final"
    assert resource["valueQuantity"]["value"] == new
    assert resource["valueQuantity"]["code"] == observation["quantity"]["unit"]
    revisions = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Provenance"
        and any(
            en.get("role") == "revision"
            and en.get("what", {}).get("identifier", {}).get("value") == obs_id
            for en in e["resource"].get("entity", [])
        )
    ]
    assert len(revisions) == 1
    provenance = revisions[0]
    assert provenance["agent"][0]["who"]["identifier"]["value"] == USER
    assert provenance["target"] == [{"reference": f"urn:uuid:{obs_id}"}]
    entity = provenance["entity"][0]
    assert entity["role"] == "revision"
    as_read = [x["valueString"] for x in entity["extension"] if x["url"] == ORIGINAL_VALUE_URL]
    assert len(as_read) == 1 and f"{old:g} {observation['quantity']['unit']}" in as_read[0]

    # The review items: the one corrected, the one accepted with a single "a".
    db = review_dir / "state.db"
    states = {
        r["id"]: (r["state"], r["resolved_by"])
        for r in _rows(db, "SELECT id, state, resolved_by FROM review_items")
    }
    assert states[item["id"]] == ("corrected", USER)
    assert states[accepted] == ("accepted", USER)
    if done["then"] is not None:
        assert states[done["then"]][0] == "open"

    # The audit log: each step, by the reviewer, and no PHI in any row.
    audit = _rows(db, "SELECT actor, action, resource, detail FROM review_audit ORDER BY seq")
    mine = {(r["action"], r["resource"]) for r in audit if r["actor"] == USER}
    for step in (
        ("login", f"user:{USER}"),
        ("view_queue", "queue"),
        ("view_item", f"item:{item['id']}"),
        ("correct", f"item:{item['id']}"),
        ("view_item", f"item:{accepted}"),
        ("accept", f"item:{accepted}"),
    ):
        assert step in mine, f"no audit row {step}"
    accepted_doc = _rows(db, "SELECT doc_id FROM review_items WHERE id = ?", accepted)[0][0]
    phi = set()
    for doc in {doc_id, accepted_doc}:
        patient = _extraction(review_dir, doc)["patient"]
        phi |= {patient["mrn"], patient["family"], *patient["given"], patient["birth_date"]}
    phi = {p.casefold() for p in phi if p}
    assert phi, "the documents' patients have no name or MRN to look for"
    for r in audit:
        text = f"{r['resource']} {r['detail']}".casefold()
        assert not [p for p in phi if p in text], f"PHI in the audit row {r['action']}"
    server_output = log.read_text(encoding="utf-8", errors="replace").casefold()
    assert not [p for p in phi if p in server_output], "PHI in the server's output"

    # The chain of the log still verifies.
    check = subprocess.run(
        [CLI, "audit", "verify", "--out", str(review_dir)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert check.returncode == 0 and "intact" in check.stdout, check.stdout + check.stderr
