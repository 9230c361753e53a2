"""The review app through FastAPI's test client, on a copy of the samples' real ingest.

Sign-in, sessions, CSRF, roles, the audit log's chain, typed corrections and what a
decision writes (bundle version, Provenance, history, the manifest), PHI kept out of logs
and audit rows, and the re-emitted bundle loaded into a real FHIR server.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select, text, update

from pipeline.layout import deid_folder
from pipeline.logs import LOGGER_NAME
from pipeline.review import auth, items
from pipeline.settings import ReviewSettings, Settings
from pipeline.state import audit, open_state
from pipeline.state.models import Item
from pipeline.state.store import batch_id, default_url, register_batch
from pipeline.vault import PLAIN

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note on httpx's future
    from fastapi.testclient import TestClient

from pipeline.review.app import create_app  # noqa: E402

PASSWORD = "correct horse battery staple"


@pytest.fixture
def review_dir(samples_outdir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(samples_outdir, out, ignore=shutil.ignore_patterns("state.db*"))
    return out


@pytest.fixture
def engine(review_dir: Path) -> Engine:
    e = open_state(default_url(review_dir))
    for name, role in (("rita", "reviewer"), ("sam", "supervisor"), ("ada", "admin")):
        auth.add_user(e, name, PASSWORD, role)
    return e


@pytest.fixture
def app_for(engine: Engine, review_dir: Path, settings: Settings) -> Any:
    register_batch(engine, review_dir)

    def make(**review: Any) -> TestClient:
        s = settings.model_copy(update={"review": ReviewSettings(**review)})
        return TestClient(create_app(engine, s))

    return make


@pytest.fixture
def client(app_for: Any) -> TestClient:
    return app_for()


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> httpx.Response:
    page = client.get("/login")
    token = _csrf(page.text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the form"
    return found.group(1)


def _item(engine: Engine, **where: str) -> tuple[int, str, str]:
    """(id, doc_id, ref) of the first open item matching ``where``, by risk."""
    query = select(Item.id, Item.doc_id, Item.ref).where(Item.state == "open")
    for key, value in where.items():
        query = query.where(getattr(Item, key).like(value))
    with engine.connect() as c:
        row = c.execute(query.order_by(Item.risk.desc(), Item.id)).first()
    assert row is not None, f"no open item {where}"
    return int(row[0]), str(row[1]), str(row[2])


def _patient(review_dir: Path, doc_id: str) -> dict[str, Any]:
    body = json.loads((review_dir / doc_id / "extraction.json").read_text())
    return body["extraction"]["patient"]


@pytest.fixture
def reviewer(client: TestClient, engine: Engine) -> Iterator[TestClient]:
    assert sign_in(client, "rita").headers["location"] == "/queue"
    assert client.get("/queue").status_code == 200  # syncs the items
    yield client


# --- sign-in, sessions ------------------------------------------------------------------


def test_every_route_but_sign_in_refuses_a_request_without_a_session(
    client: TestClient, engine: Engine
) -> None:
    from fastapi.routing import APIRoute

    values = {"item_id": "1", "batch_id": "b" * 16, "doc_id": "d" * 16, "page_no": "0"}
    checked = 0
    for route in client.app.routes:
        if not isinstance(route, APIRoute) or route.path == "/login":
            continue
        path = route.path.replace("{which}", "scan")
        for key, value in values.items():
            path = path.replace("{" + key + "}", value)
        for method in route.methods:
            page = client.request(method, path, headers={"accept": "text/html"},
                                  follow_redirects=False)  # fmt: skip
            api = client.request(method, path, follow_redirects=False)
            if method == "GET":
                assert page.status_code == 303 and page.headers["location"] == "/login", path
            else:
                assert page.status_code == 401, path
            assert api.status_code in (401, 303), path
            assert "rita" not in api.text
            checked += 1
    assert checked >= 14  # every route of the app was tried
    # Only the sign-in page and the static files answer without a session.
    assert client.get("/login").status_code == 200
    assert client.get("/static/review.css").status_code == 200


def test_passwords_are_argon2_hashes_and_a_wrong_one_is_refused_and_audited(
    client: TestClient, engine: Engine
) -> None:
    with engine.connect() as c:
        stored = c.execute(text("SELECT password_hash FROM review_users")).scalars().all()
    assert all(h.startswith("$argon2id$") for h in stored) and PASSWORD not in "".join(stored)
    refused = sign_in(client, "rita", "not the password at all")
    assert refused.headers["location"] == "/login?failed=1"
    assert client.get("/queue", follow_redirects=False).status_code == 401
    assert [r.action for r in audit.rows(engine)][:1] == ["login_refused"]
    assert sign_in(client, "nobody-here").headers["location"] == "/login?failed=1"


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    app_for: Any, engine: Engine
) -> None:
    client = app_for(max_failed_logins=3)
    for _ in range(3):
        sign_in(client, "rita", "wrong password guess")
    assert sign_in(client, "rita").headers["location"] == "/login?failed=1"
    locked = audit.rows(engine)[0]
    assert (locked.action, json.loads(locked.detail)) == ("login_refused", {"locked": True})


def test_a_session_ends_when_idle_on_sign_out_and_when_its_user_is_disabled(
    app_for: Any, engine: Engine
) -> None:
    idle = app_for(idle_timeout_s=0.0)
    sign_in(idle, "rita")
    assert idle.get("/queue", follow_redirects=False).status_code == 401
    client = app_for()
    sign_in(client, "rita")
    page = client.get("/queue")
    assert page.status_code == 200
    token = _csrf(page.text)
    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM review_sessions")).scalar() == 0
    sign_in(client, "rita")
    auth.set_active(engine, "rita", False)
    assert client.get("/queue", follow_redirects=False).status_code == 401
    assert sign_in(client, "rita").headers["location"] == "/login?failed=1"


def test_the_login_form_needs_its_csrf_token(client: TestClient) -> None:
    client.get("/login")
    forged = client.post(
        "/login", data={"username": "rita", "password": PASSWORD, "csrf_token": "guess"}
    )
    assert forged.status_code == 403
    assert client.get("/queue", follow_redirects=False).status_code == 401


def test_responses_carry_the_security_headers(reviewer: TestClient) -> None:
    page = reviewer.get("/queue")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "same-origin"
    cookie = reviewer.cookies.jar
    assert [c.name for c in cookie] == ["c2f_session"]
    login = TestClient(reviewer.app).get("/login")
    assert "httponly" in login.headers["set-cookie"].lower()
    assert "samesite=strict" in login.headers["set-cookie"].lower()


# --- roles ------------------------------------------------------------------------------


def test_roles_grant_least_privilege(app_for: Any, engine: Engine, review_dir: Path) -> None:
    bid = batch_id(review_dir)
    doc = next(p.name for p in review_dir.iterdir() if (p / "bundle.json").exists())
    export = f"/documents/{bid}/{doc}/bundle.json"
    expected = {
        # path: (reviewer, supervisor, admin)
        "/queue": (200, 200, 403),
        "/audit": (403, 200, 403),
        "/users": (403, 403, 200),
        export: (403, 200, 403),
    }
    for i, user in enumerate(("rita", "sam", "ada")):
        client = app_for()
        sign_in(client, user)
        for path, codes in expected.items():
            assert client.get(path).status_code == codes[i], (user, path)
    denied = [r for r in audit.rows(engine) if r.action == "denied"]
    assert {(r.actor, r.resource) for r in denied} >= {("rita", "/audit"), ("ada", "/queue")}
    exported = [r for r in audit.rows(engine) if r.action == "export"]
    assert [(r.actor, r.resource) for r in exported] == [("sam", f"document:{doc}")]


def test_an_admin_sees_no_chart(app_for: Any, engine: Engine) -> None:
    client = app_for()
    assert sign_in(client, "ada").headers["location"] == "/users"
    item_id, _, _ = _item(engine, kind="value") if _has_items(engine) else (1, "", "")
    assert client.get(f"/items/{item_id}").status_code == 403
    assert client.get(f"/items/{item_id}/crop.png").status_code == 403


def _has_items(engine: Engine) -> bool:
    from pipeline.settings import Settings as S

    items.sync(engine, S(), force=True)
    with engine.connect() as c:
        return bool(c.execute(text("SELECT count(*) FROM review_items")).scalar())


# --- the queue, an item, a correction ---------------------------------------------------


def test_the_queue_lists_items_by_risk_with_counts_and_filters(
    reviewer: TestClient, engine: Engine
) -> None:
    page = reviewer.get("/queue")
    ids = [int(i) for i in re.findall(r'href="/items/(\d+)"', page.text)]
    with engine.connect() as c:
        risks = dict(c.execute(text("SELECT id, risk FROM review_items")).all())
        open_count = c.execute(
            text("SELECT count(*) FROM review_items WHERE state = 'open'")
        ).scalar()
    assert ids and [risks[i] for i in ids] == sorted((risks[i] for i in ids), reverse=True)
    assert f"open <b>{open_count}</b>" in page.text
    kinds = set(re.findall(r"<td>(value|page|phi|redaction|identity|document)</td>", page.text))
    assert "value" in kinds and "page" in kinds  # the faxed samples' doubtful values and pages
    only_pages = reviewer.get("/queue?kind=page").text
    assert set(re.findall(r"<td>(value|page|phi|redaction)</td>", only_pages)) == {"page"}


def test_an_item_view_shows_the_crop_the_value_and_its_ocr_line(
    reviewer: TestClient, engine: Engine, review_dir: Path
) -> None:
    item_id, doc_id, ref = _item(engine, kind="value", ref="observations/%")
    page = reviewer.get(f"/items/{item_id}")
    assert page.status_code == 200
    reading = json.loads((review_dir / doc_id / "extraction.json").read_text())
    index = int(ref.split("/")[1])
    observation = reading["extraction"]["observations"][index]
    assert observation["display"] in page.text
    assert f'src="/items/{item_id}/crop.png"' in page.text
    crop = reviewer.get(f"/items/{item_id}/crop.png")
    assert crop.headers["content-type"] == "image/png" and crop.content[:4] == b"\x89PNG"
    whole = reviewer.get(f"/items/{item_id}/page.png")
    assert whole.content[:4] == b"\x89PNG" and len(whole.content) > len(crop.content)
    actions = [r.action for r in audit.rows(engine)][:3]
    assert actions == ["view_image", "view_image", "view_item"]


def test_a_correction_without_the_csrf_token_is_refused_and_changes_nothing(
    reviewer: TestClient, engine: Engine, review_dir: Path
) -> None:
    item_id, doc_id, _ = _item(engine, kind="value", ref="observations/%")
    before = (review_dir / doc_id / "bundle.json").read_bytes()
    for token in ("", "forged-token"):
        refused = reviewer.post(f"/items/{item_id}", data={"action": "accept", "csrf_token": token})
        assert refused.status_code == 403
    with engine.connect() as c:
        assert c.execute(select(Item.state).where(Item.id == item_id)).scalar() == "open"
    assert (review_dir / doc_id / "bundle.json").read_bytes() == before
    assert [r.action for r in audit.rows(engine)][:2] == ["csrf_refused", "csrf_refused"]


def test_a_correction_issues_bundle_version_2_with_the_value_and_a_provenance(
    reviewer: TestClient,
    engine: Engine,
    review_dir: Path,
    fhir_schema_errors: Any,
) -> None:
    item_id, doc_id, ref = _item(engine, kind="value", ref="observations/%")
    index = int(ref.split("/")[1])
    doc_dir = review_dir / doc_id
    v1 = json.loads((doc_dir / "bundle.json").read_text())
    obs = json.loads((doc_dir / "extraction.json").read_text())["extraction"]["observations"]
    target = obs[index]
    old_ids = {e["resource"]["id"] for e in v1["entry"] if "resource" in e}
    page = reviewer.get(f"/items/{item_id}")
    new_value = "123.5" if target["quantity"] else "121/79"
    answer = reviewer.post(
        f"/items/{item_id}",
        data={"action": "correct", "value": new_value, "csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"/next?after={item_id}"
    v2 = json.loads((doc_dir / "bundle.json").read_text())
    assert fhir_schema_errors(v2) == []
    assert v2["meta"]["versionId"] == "2" and v2["id"] == v1["id"]
    assert json.loads((doc_dir / "history" / "bundle.v1.json").read_text()) == v1
    corrected = [
        e
        for e in v2["entry"]
        if e.get("request", {}).get("method") == "PUT"
        and e["request"]["url"].startswith("Observation?identifier=")
    ]
    assert len(corrected) == 1
    resource = corrected[0]["resource"]
    assert resource["id"] in old_ids  # same id as version 1
    assert resource["status"] == "final"
    if target["quantity"]:
        assert resource["valueQuantity"]["value"] == 123.5
        assert resource["valueQuantity"]["code"] == target["quantity"]["unit"]
    else:
        assert [c["valueQuantity"]["value"] for c in resource["component"]] == [121, 79]
    provenance = [
        e["resource"]
        for e in v2["entry"]
        if e.get("resource", {}).get("resourceType") == "Provenance"
        and e["resource"]["entity"][0]["role"] == "revision"
    ]
    assert len(provenance) == 1
    p = provenance[0]
    assert p["target"] == [{"reference": f"urn:uuid:{resource['id']}"}]
    assert p["agent"][0]["who"]["identifier"]["value"] == "rita"
    original = p["entity"][0]["extension"][0]
    assert original["url"] == "urn:chart2fhir:fhir:extension:original-value"
    as_read = target["quantity"]["value"] if target["quantity"] else None
    if as_read is not None:
        assert f"{as_read:g}" in original["valueString"]
    # Everything else is as version 1 had it.
    untouched = [e for e in v1["entry"] if e["resource"]["id"] != resource["id"]]
    assert all(e in v2["entry"] for e in untouched)
    with engine.connect() as c:
        row = c.execute(
            select(Item.state, Item.resolved_by, Item.corrected).where(Item.id == item_id)
        ).one()
    assert (row[0], row[1], json.loads(row[2])) == ("corrected", "rita", {"value": new_value})
    corrected_row = audit.rows(engine)[0]
    assert (corrected_row.actor, corrected_row.action) == ("rita", "correct")
    detail = json.loads(corrected_row.detail)
    assert detail == {"doc_id": doc_id, "fields": ["value"], "kind": "value", "version": 2}


@pytest.mark.parametrize(
    "values, message",
    [
        ({"value": "ninety"}, "the value is not a number"),
        ({"unit": "furlongs/fortnight"}, "the unit is not a UCUM code"),
        ({"date": "2024-13-45"}, "the date is not a date"),
        ({"code": "0000-0"}, "the code is not a LOINC code"),
        ({}, "A correction needs at least one field."),
    ],
)
def test_a_refused_correction_says_why_and_leaves_the_item_open(
    reviewer: TestClient, engine: Engine, review_dir: Path, values: dict, message: str
) -> None:
    item_id, doc_id, _ = _item(engine, kind="value", ref="observations/%")
    before = (review_dir / doc_id / "bundle.json").read_bytes()
    page = reviewer.get(f"/items/{item_id}")
    answer = reviewer.post(
        f"/items/{item_id}",
        data={"action": "correct", "csrf_token": _csrf(page.text), **values},
    )
    assert message in answer.text
    with engine.connect() as c:
        assert c.execute(select(Item.state).where(Item.id == item_id)).scalar() == "open"
    assert (review_dir / doc_id / "bundle.json").read_bytes() == before


def test_a_rejected_value_is_deleted_on_the_server_and_an_accepted_one_made_final(
    reviewer: TestClient, engine: Engine, review_dir: Path, fhir_server: str
) -> None:
    item_id, doc_id, _ = _item(engine, kind="value", ref="observations/%")
    doc_dir = review_dir / doc_id
    space = f"{fhir_server}/space/{uuid.uuid4().hex}"

    def load() -> None:
        answer = httpx.post(
            space,
            content=(doc_dir / "bundle.json").read_bytes(),
            headers={"content-type": "application/fhir+json"},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text[:300]

    load()  # version 1, as the pipeline wrote it
    csrf = _csrf(reviewer.get(f"/items/{item_id}").text)
    reviewer.post(f"/items/{item_id}", data={"action": "reject", "csrf_token": csrf})
    accepted, _, _ = _item(engine, kind="value", doc_id=doc_id, ref="observations/%")
    reviewer.post(f"/items/{accepted}", data={"action": "accept", "csrf_token": csrf})
    v3 = json.loads((doc_dir / "bundle.json").read_text())
    assert v3["meta"]["versionId"] == "3"
    deletes = [e["request"]["url"] for e in v3["entry"] if e["request"]["method"] == "DELETE"]
    assert len(deletes) == 1 and deletes[0].startswith("Observation?identifier=")
    load()  # version 3 over version 1
    identifier = deletes[0].partition("=")[2]
    gone = httpx.get(f"{space}/Observation", params={"identifier": identifier}).json()
    assert not gone.get("entry")
    observations = httpx.get(f"{space}/Observation", params={"_count": 1000}).json()["entry"]
    final = [e["resource"] for e in observations if e["resource"]["status"] == "final"]
    v1_final = sum(
        1
        for e in json.loads((doc_dir / "history" / "bundle.v1.json").read_text())["entry"]
        if e["resource"]["resourceType"] == "Observation" and e["resource"]["status"] == "final"
    )
    assert len(final) == v1_final + 1  # the accepted value, updated in place
    reviewed = [
        e["resource"]
        for e in httpx.get(f"{space}/Provenance", params={"_count": 1000}).json()["entry"]
        if e["resource"]["entity"][0].get("role") == "revision"
    ]
    assert sorted(p["activity"]["text"] for p in reviewed) == ["review: accept", "review: reject"]


def test_a_document_with_no_open_item_left_is_done_in_the_manifest(
    reviewer: TestClient, engine: Engine, review_dir: Path
) -> None:
    from pipeline.batch import read_manifest

    _, doc_id, _ = _item(engine, kind="value")
    # Its PHI and redaction items are settled by SQL here: each is a re-OCR of a page
    # through the app, which the redaction test does.
    with engine.begin() as c:
        c.execute(
            update(Item)
            .where(Item.doc_id == doc_id, Item.kind.in_(("phi", "redaction")))
            .values(state="accepted", resolved_by="rita")
        )
        open_ids = (
            c.execute(select(Item.id).where(Item.doc_id == doc_id, Item.state == "open"))
            .scalars()
            .all()
        )
    csrf = _csrf(reviewer.get("/queue").text)
    for i in open_ids:
        reviewer.post(f"/items/{i}", data={"action": "accept", "csrf_token": csrf})
    record = next(r for r in read_manifest(review_dir) if r.doc_id == doc_id)
    assert (record.status, record.error, record.reasons) == ("done", None, ())
    done = [r for r in audit.rows(engine) if r.action == "document_done"]
    assert [(r.actor, r.resource) for r in done] == [("rita", f"document:{doc_id}")]


# --- the audit log ----------------------------------------------------------------------


def test_the_audit_log_is_append_only_and_its_chain_shows_a_change(
    reviewer: TestClient, engine: Engine
) -> None:
    item_id, _, _ = _item(engine, kind="value")
    reviewer.get(f"/items/{item_id}")
    check = audit.verify(engine)
    assert check.broken_at is None and check.rows >= 3
    for statement in ("UPDATE review_audit SET actor = 'x'", "DELETE FROM review_audit"):
        with pytest.raises(Exception, match="append-only"):
            with engine.begin() as c:
                c.execute(text(statement))
    # Someone with the database file drops the trigger and edits a row: the chain breaks.
    with engine.begin() as c:
        c.execute(text("DROP TRIGGER review_audit_no_update"))
        c.execute(text("UPDATE review_audit SET actor = 'mallory' WHERE seq = 2"))
    assert audit.verify(engine).broken_at == 2


def test_a_supervisor_reads_the_audit_log_with_its_chain_state(
    app_for: Any, engine: Engine
) -> None:
    client = app_for()
    sign_in(client, "sam")
    page = client.get("/audit")
    assert "Hash chain intact" in page.text and audit.verify(engine).head[:12] in page.text


def test_no_phi_in_logs_audit_rows_or_urls(
    reviewer: TestClient, engine: Engine, review_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Our logger's own level too: a command run earlier in this process (chart2fhir's main)
    # set it to the configured WARNING.
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    item_id, doc_id, _ = _item(engine, kind="value", ref="observations/%")
    page = reviewer.get(f"/items/{item_id}")
    reviewer.get(f"/items/{item_id}/crop.png")
    reviewer.post(
        f"/items/{item_id}",
        data={"action": "correct", "value": "77", "csrf_token": _csrf(page.text)},
    )
    reviewer.post(f"/items/{item_id + 1}", data={"action": "correct", "value": "oops",
                                                 "csrf_token": _csrf(page.text)})  # fmt: skip
    patient = _patient(review_dir, doc_id)
    planted = [v for v in (patient["mrn"], patient["family"], *patient["given"]) if v]
    assert planted
    logged = "\n".join(r.getMessage() + str(getattr(r, "safe", "")) for r in caplog.records)
    assert "route" in logged  # the request lines were captured
    rows = "\n".join(f"{r.actor} {r.action} {r.resource} {r.detail}" for r in audit.rows(engine))
    urls = " ".join(re.findall(r'(?:href|src|action)="([^"]+)"', page.text))
    for value in planted:
        assert value not in logged and value not in rows and value not in urls, value


# --- pure helpers -----------------------------------------------------------------------


def test_a_word_still_read_under_a_box_is_counted_and_one_elsewhere_is_not() -> None:
    from pipeline.revise import _still_legible
    from pipeline.schema import Box, OcrPage, Word

    def page(*words: tuple[str, Box]) -> OcrPage:
        return OcrPage(
            index=0, width=100, height=100, dpi=300, text=" ".join(w for w, _ in words),
            words=tuple(Word(text=t, box=b, conf=90, line=0, start=0, end=len(t))
                        for t, b in words),
        )  # fmt: skip

    name, other = Box(x0=10, y0=10, x1=40, y1=20), Box(x0=60, y0=60, x1=90, y1=70)
    boxes = [Box(x0=8, y0=8, x1=42, y1=22)]
    before = page(("Harrison,", name), ("Glucose", other))
    # Re-read: the name again where the box is not (a box too small elsewhere on the page).
    assert _still_legible(before, page(("HARRISON", other)), boxes) == 1
    # The name read under the paint is the paint itself; an unpainted word is no residue.
    assert _still_legible(before, page(("Harrison", name), ("Glucose", other)), boxes) == 0
    # The same word left unpainted elsewhere on the page (the reviewer's choice) is not.
    twice = page(("Harrison", name), ("Harrison", other))
    assert _still_legible(twice, page(("Harrison", other)), boxes) == 0


# --- redaction review -------------------------------------------------------------------


def test_a_box_added_on_a_page_is_painted_verified_and_reaches_the_deid_outputs(
    reviewer: TestClient, engine: Engine, review_dir: Path, settings: Settings
) -> None:
    from pipeline.ocr.engine import get_engine
    from pipeline.ocr.page import read_clean
    from pipeline.revise import page_pixels, read_ocr, read_painted
    from pipeline.schema import CleanPage

    item_id, doc_id, _ = _item(engine, kind="value", ref="observations/%")
    doc_dir = review_dir / doc_id
    ocr = read_ocr(doc_dir, PLAIN)
    # A word no detector took for PHI, on the first page: a reviewer says it is.
    painted = read_painted(doc_dir).get(0, [])
    word = next(
        w
        for w in ocr.pages[0].words
        if len(w.text) >= 6 and w.text.isalpha() and w.conf > 80
        and ocr.text.count(w.text) == 1
        and not any(b.x0 <= w.box.x0 and w.box.x1 <= b.x1 and b.y0 <= w.box.y0 <= b.y1
                    for b in painted)
    )  # fmt: skip
    deid_dir = deid_folder(doc_dir.parent, doc_dir.name)
    assert word.text in (deid_dir / "deid.txt").read_text()
    bid = batch_id(review_dir)
    view = reviewer.get(f"/documents/{bid}/{doc_id}/pages/0/redaction")
    assert view.status_code == 200 and view.text.count('class="box"') == len(painted)
    b = word.box
    answer = reviewer.post(
        f"/documents/{bid}/{doc_id}/pages/0/redaction",
        data={
            "csrf_token": _csrf(view.text),
            "add": [f"{b.x0 - 6},{b.y0 - 6},{b.x1 + 6},{b.y1 + 6}"],
            "label": "PERSON",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"].endswith("redaction?result=saved")
    assert len(read_painted(doc_dir)[0]) == len(painted) + 1
    assert word.text not in (deid_dir / "deid.txt").read_text()
    spans = json.loads((deid_dir / "deid.json").read_text())["spans"]
    start = ocr.page_starts()[0] + word.start
    assert any(s["start"] <= start < s["end"] and s["label"] == "PERSON" for s in spans)
    assert (deid_dir / "history" / "redacted.v1.pdf").exists()
    # Read redacted.pdf again, here, independently of the app's own check.
    page = ocr.pages[0]
    image = page_pixels(deid_dir / "redacted.pdf", page, settings.load, PLAIN)
    reread = read_clean(
        CleanPage(index=0, image=image, dpi=page.dpi),
        engine=get_engine(settings.ocr.engine),
        cfg=settings.ocr,
    )
    assert word.text not in reread.text
    edit = audit.rows(engine)[0]
    assert (edit.action, json.loads(edit.detail)) == (
        "redaction_edit",
        {"added": 1, "page": 0, "removed": 0, "residual": 0},
    )
    del item_id


def test_a_redaction_item_is_accepted_only_after_every_page_was_opened(
    reviewer: TestClient, engine: Engine, review_dir: Path
) -> None:
    with engine.connect() as c:
        row = c.execute(
            select(Item.id, Item.doc_id).where(Item.kind == "redaction", Item.state == "open")
        ).first()
    if row is None:
        pytest.skip("the samples' ingest left no unverified redaction")
    item_id, doc_id = row
    csrf = _csrf(reviewer.get(f"/items/{item_id}").text)
    refused = reviewer.post(f"/items/{item_id}", data={"action": "accept", "csrf_token": csrf})
    assert "Open the redaction of every page" in refused.text
    bid = batch_id(review_dir)
    pages = json.loads((review_dir / doc_id / "ocr.json").read_text())["pages"]
    for i in range(len(pages)):
        reviewer.get(f"/documents/{bid}/{doc_id}/pages/{i}/redaction")
    reviewer.post(f"/items/{item_id}", data={"action": "accept", "csrf_token": csrf})
    with engine.connect() as c:
        assert c.execute(select(Item.state).where(Item.id == item_id)).scalar() == "accepted"


def test_next_goes_down_the_queue_from_the_item_just_decided(
    engine: Engine, review_dir: Path
) -> None:
    from pipeline.review.decide import next_open

    register_batch(engine, review_dir)
    items.sync(engine, Settings(), force=True)
    with engine.connect() as c:
        order = (
            c.execute(
                select(Item.id).where(Item.state == "open").order_by(Item.risk.desc(), Item.id)
            )
            .scalars()
            .all()
        )
    assert next_open(engine) == order[0]
    assert next_open(engine, after=order[0]) == order[1]
    with engine.begin() as c:
        c.execute(update(Item).where(Item.id == order[1]).values(state="accepted"))
    # Decided, it is no longer in the queue: "after" still goes on from its place.
    assert next_open(engine, after=order[1]) == order[2]
    assert next_open(engine, after=order[-1]) == order[0]  # round to the top


def test_a_phi_detection_near_its_threshold_rejected_is_unpainted_and_dropped(
    app_for: Any, engine: Engine, review_dir: Path, settings: Settings
) -> None:
    from pipeline.batch import read_manifest
    from pipeline.revise import read_painted, span_boxes

    doc_id = next(r.doc_id for r in read_manifest(review_dir) if r.status == "review")
    deid = deid_folder(review_dir, doc_id) / "deid.json"
    body = json.loads(deid.read_text())
    # A detection on page 1 that a painted box covers, made to score just over its threshold.
    span = next(
        s
        for s in body["spans"]
        if s["page"] == 0 and span_boxes(review_dir / doc_id, s["start"], s["end"], settings)[1]
    )
    span["score"] = settings.deid.score_threshold + 0.01
    deid.write_text(json.dumps(body))
    client = app_for()
    sign_in(client, "rita")
    client.get("/queue")
    item_id, _, ref = _item(engine, kind="phi", doc_id=doc_id)
    assert ref == f"phi/{span['start']}-{span['end']}"
    painted = len(read_painted(review_dir / doc_id)[0])
    csrf = _csrf(client.get(f"/items/{item_id}").text)
    client.post(f"/items/{item_id}", data={"action": "reject", "csrf_token": csrf})
    with engine.connect() as c:
        assert c.execute(select(Item.state).where(Item.id == item_id)).scalar() == "rejected"
    spans = json.loads(deid.read_text())["spans"]
    assert (span["start"], span["end"]) not in {(s["start"], s["end"]) for s in spans}
    assert len(read_painted(review_dir / doc_id)[0]) < painted
    detail = json.loads(next(r for r in audit.rows(engine) if r.action == "reject").detail)
    assert detail["kind"] == "phi" and detail["boxes_removed"] >= 1


def test_a_page_rejected_takes_its_values_out_of_the_bundle(
    reviewer: TestClient, engine: Engine, review_dir: Path
) -> None:
    item_id, doc_id, ref = _item(engine, kind="page")
    page = int(ref.split("/")[1])
    with engine.connect() as c:
        on_page = c.execute(
            select(Item.id).where(
                Item.doc_id == doc_id, Item.kind == "value", Item.page == page,
                Item.state == "open",
            )
        ).scalars().all()  # fmt: skip
    assert on_page
    csrf = _csrf(reviewer.get(f"/items/{item_id}").text)
    reviewer.post(f"/items/{item_id}", data={"action": "reject", "csrf_token": csrf})
    with engine.connect() as c:
        states = c.execute(select(Item.state).where(Item.id.in_([item_id, *on_page]))).scalars()
        assert set(states) == {"rejected"}
    bundle = json.loads((review_dir / doc_id / "bundle.json").read_text())
    deletes = [e for e in bundle["entry"] if e["request"]["method"] == "DELETE"]
    assert len(deletes) == len(on_page)
