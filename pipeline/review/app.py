"""The review app's routes (FastAPI, server-rendered Jinja2 pages).

Every route but sign-in and the static files needs a session; a page asked for without one
is sent to sign in, anything else is refused (401). Routes name the permission they need
(auth.PERMISSIONS); every POST carries the session's CSRF token. URLs hold ids only (item
numbers, content-hash document ids), never PHI. Each view, change and export is an audit
row. Responses are never cached and carry a strict Content-Security-Policy.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, FastAPI, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, func, select

from pipeline.logs import fields, get_logger
from pipeline.review import auth, images, items
from pipeline.review.decide import (
    ACTIONS,
    DecisionRefused,
    decide,
    edit_page,
    get_item,
    next_open,
)
from pipeline.revise import (
    CORRECTABLE,
    REVIEWER_LABEL,
    loinc_codes,
    read_ocr,
    read_painted,
    rxnorm_codes,
)
from pipeline.schema import Box
from pipeline.settings import PHI_LABELS, Settings
from pipeline.state import audit
from pipeline.state.models import ITEM_STATES, Batch, Item
from pipeline.vault import Vault

HERE = Path(__file__).resolve().parent
COOKIE = "c2f_session"
LOGIN_COOKIE = "c2f_login"  # the sign-in form's CSRF token (no session yet)
PAGE_SIZE = 100
# Form fields that may repeat (none posted: None); one FieldInfo each, as FastAPI keeps
# a parameter's type on it.
_ADD = Form(None)
_REMOVE = Form(None)
log = get_logger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Not no-referrer: under it a browser sends "Origin: null" on its form posts, which the
    # origin check below refuses. Same-origin keeps the referrer off other sites.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SignIn(Exception):
    """Raised by a page's dependency when there is no session: redirect to sign in."""


def create_app(engine: Engine, settings: Settings) -> FastAPI:
    """The app on the state database ``engine`` (batches registered with register_batch)."""
    cfg = settings.review
    vault = Vault.from_settings(settings.vault)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.monotonic()
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if cfg.secure_cookies:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        route = request.scope.get("route")
        log.info(
            "request",
            extra=fields(
                route=getattr(route, "path", "-"),  # the route's template, not the URL
                status=response.status_code,
                seconds=round(time.monotonic() - started, 4),
            ),
        )
        return response

    @app.exception_handler(SignIn)
    async def sign_in(request: Request, exc: SignIn) -> Response:
        return RedirectResponse("/login", status_code=303)

    def user(request: Request) -> auth.SignedIn:
        signed = auth.session_user(engine, request.cookies.get(COOKIE), cfg)
        if signed is None:
            if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                raise SignIn()
            raise HTTPException(401, "Sign in first.")
        return signed

    def needs(permission: str) -> Callable[[Request], auth.SignedIn]:
        def check(request: Request) -> auth.SignedIn:
            signed = user(request)
            if not signed.may(permission):
                audit.record(engine, signed.username, "denied", request.url.path[:200])
                raise HTTPException(403, "Your role does not allow this.")
            return signed

        return check

    def csrf(request: Request, signed: auth.SignedIn, token: str | None) -> None:
        origin = request.headers.get("origin")
        # The host only: behind a TLS proxy the app sees http:// for the browser's https://.
        if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
            raise HTTPException(403, "Cross-site request refused.")
        if not auth.csrf_ok(signed, token):
            audit.record(engine, signed.username, "csrf_refused", request.url.path[:200])
            raise HTTPException(403, "The form is stale or forged: reload the page.")

    def page(request: Request, name: str, signed: auth.SignedIn | None, **ctx: Any) -> Response:
        return templates.TemplateResponse(request, name, {"user": signed, **ctx})

    signed_in = Depends(user)
    reviewer = Depends(needs("review"))
    exporter = Depends(needs("export"))
    auditor = Depends(needs("audit"))
    admin = Depends(needs("users"))

    # --- sign-in ------------------------------------------------------------------------

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, failed: int = 0) -> Response:
        token = secrets.token_urlsafe(32)
        response = page(request, "login.html", None, csrf=token, failed=failed)
        _cookie(response, LOGIN_COOKIE, token, cfg.secure_cookies, max_age=3600)
        return response

    @app.post("/login")
    def login(
        request: Request,
        username: str = Form(..., max_length=64),
        password: str = Form(..., max_length=1024),
        csrf_token: str = Form(""),
    ) -> Response:
        expected = request.cookies.get(LOGIN_COOKIE, "")
        if not expected or not secrets.compare_digest(expected, csrf_token):
            raise HTTPException(403, "The form is stale or forged: reload the page.")
        locked = (
            audit.failed_logins(engine, username, timedelta(seconds=cfg.lockout_s))
            >= cfg.max_failed_logins
        )
        role = None if locked else auth.check_password(engine, username, password)
        if role is None:
            audit.record(engine, username, "login_refused", f"user:{username}", locked=locked)
            return RedirectResponse("/login?failed=1", status_code=303)
        token = auth.start_session(engine, username)
        audit.record(engine, username, "login", f"user:{username}")
        response = RedirectResponse("/users" if role == "admin" else "/queue", status_code=303)
        _cookie(response, COOKIE, token, cfg.secure_cookies)
        response.delete_cookie(LOGIN_COOKIE)
        return response

    @app.post("/logout")
    def logout(
        request: Request, csrf_token: str = Form(""), signed: auth.SignedIn = signed_in
    ) -> Response:
        csrf(request, signed, csrf_token)
        auth.end_session(engine, request.cookies.get(COOKIE))
        audit.record(engine, signed.username, "logout", f"user:{signed.username}")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    # --- the queue ----------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def home(signed: auth.SignedIn = signed_in) -> Response:
        return RedirectResponse("/users" if signed.role == "admin" else "/queue", 303)

    @app.get("/queue", response_class=HTMLResponse)
    def queue(
        request: Request,
        batch: str = "",
        doc: str = "",
        kind: str = "",
        state: str = "open",
        signed: auth.SignedIn = reviewer,
    ) -> Response:
        items.sync(engine, settings)
        where = {"batch_id": batch, "doc_id": doc, "kind": kind}
        query = select(
            Item.id, Item.doc_id, Item.kind, Item.label, Item.reason, Item.risk, Item.state,
            Item.page, Item.resolved_by,
        ).order_by(Item.risk.desc(), Item.id).limit(PAGE_SIZE)  # fmt: skip
        for key, value in {**where, "state": state}.items():
            if value:
                query = query.where(getattr(Item, key) == value)
        with engine.connect() as c:
            rows = c.execute(query).all()
            batch_rows = c.execute(
                select(Batch.id, Batch.out_dir, func.count(Item.id))
                .outerjoin(Item, (Item.batch_id == Batch.id) & (Item.state == "open"))
                .group_by(Batch.id, Batch.out_dir)
            ).all()
        audit.record(engine, signed.username, "view_queue", "queue", shown=len(rows))
        return page(
            request,
            "queue.html",
            signed,
            rows=rows,
            counts=items.counts(engine, **where),
            batches=[(b, Path(d).name, n) for b, d, n in batch_rows],
            kinds=items.KINDS,
            states=ITEM_STATES,
            filters={"batch": batch, "doc": doc, "kind": kind, "state": state},
        )

    @app.get("/next")
    def next_item(
        after: int | None = None,
        batch: str = "",
        doc: str = "",
        kind: str = "",
        signed: auth.SignedIn = reviewer,
    ) -> Response:
        found = next_open(engine, after=after, batch_id=batch, doc_id=doc, kind=kind)
        return RedirectResponse(f"/items/{found}" if found else "/queue", status_code=303)

    # --- an item ------------------------------------------------------------------------

    @app.get("/items/{item_id}", response_class=HTMLResponse)
    def item_view(
        request: Request, item_id: int, error: str = "", signed: auth.SignedIn = reviewer
    ) -> Response:
        item = _item(item_id)
        audit.record(engine, signed.username, "view_item", f"item:{item_id}", doc_id=item.doc_id)
        context = _context(item)
        field = item.ref.partition("/")[0]
        return page(
            request,
            "item.html",
            signed,
            item=item,
            actions=ACTIONS[item.kind],
            correctable=CORRECTABLE.get(field, ()) if item.kind == "value" else (),
            loinc=loinc_codes(settings) if field == "observations" else {},
            rxnorm=rxnorm_codes(settings) if field == "medications" else {},
            error=error,
            **context,
        )

    @app.post("/items/{item_id}")
    def item_decide(
        request: Request,
        item_id: int,
        action: str = Form(...),
        csrf_token: str = Form(""),
        value: str = Form(""),
        unit: str = Form(""),
        date: str = Form(""),
        code: str = Form(""),
        signed: auth.SignedIn = reviewer,
    ) -> Response:
        csrf(request, signed, csrf_token)
        values = {"value": value, "unit": unit, "date": date, "code": code}
        try:
            decide(
                engine, settings, item_id, reviewer=signed.username, action=action, values=values
            )
        except LookupError:
            raise HTTPException(404, "No such item.") from None
        except DecisionRefused as e:
            # The refusal's text is fixed (revise.CorrectionInvalid): it holds no value.
            return RedirectResponse(f"/items/{item_id}?error={quote(str(e))}", 303)
        return RedirectResponse(f"/next?after={item_id}", status_code=303)

    @app.get("/items/{item_id}/crop.png")
    def item_crop(item_id: int, signed: auth.SignedIn = reviewer) -> Response:
        item = _item(item_id)
        if item.page is None or item.box is None:
            raise HTTPException(404, "This item has no region on a page.")
        data = images.png(images.crop(_page_pixels(item, item.page), item.box))
        audit.record(engine, signed.username, "view_image", f"item:{item_id}", part="crop")
        return Response(data, media_type="image/png")

    @app.get("/items/{item_id}/page.png")
    def item_page_image(
        item_id: int, page_no: int | None = None, signed: auth.SignedIn = reviewer
    ) -> Response:
        item = _item(item_id)
        index = item.page if page_no is None else page_no
        if index is None:
            raise HTTPException(404, "This item has no page.")
        data = images.png(images.scaled(_page_pixels(item, index), 1100))
        audit.record(engine, signed.username, "view_image", f"item:{item_id}", page=index)
        return Response(data, media_type="image/png")

    # --- redaction review: a page's PHI boxes --------------------------------------------

    @app.get(
        "/documents/{batch_id}/{doc_id}/pages/{page_no}/redaction", response_class=HTMLResponse
    )
    def redaction_view(
        request: Request,
        batch_id: str,
        doc_id: str,
        page_no: int,
        result: str = "",
        signed: auth.SignedIn = reviewer,
    ) -> Response:
        doc_dir = _doc_dir(batch_id, doc_id)
        try:
            ocr = read_ocr(doc_dir, vault)
            painted = read_painted(doc_dir).get(page_no, [])
            page_ocr = ocr.pages[page_no]
        except (OSError, ValueError, IndexError):
            raise HTTPException(404, "No such page.") from None
        audit.record(engine, signed.username, "view_redaction", f"document:{doc_id}", page=page_no)
        return page(
            request,
            "redaction.html",
            signed,
            batch_id=batch_id,
            doc_id=doc_id,
            page_no=page_no,
            pages=len(ocr.pages),
            width=page_ocr.width,
            height=page_ocr.height,
            boxes=painted,
            labels=sorted(PHI_LABELS),
            result=result,
        )

    @app.post("/documents/{batch_id}/{doc_id}/pages/{page_no}/redaction")
    def redaction_edit(
        request: Request,
        batch_id: str,
        doc_id: str,
        page_no: int,
        csrf_token: str = Form(""),
        add: list[str] | None = _ADD,
        remove: list[int] | None = _REMOVE,
        label: str = Form(REVIEWER_LABEL),
        signed: auth.SignedIn = reviewer,
    ) -> Response:
        csrf(request, signed, csrf_token)
        if label not in PHI_LABELS:
            raise HTTPException(422, "Unknown PHI label.")
        try:
            boxes = [(_box(text), label) for text in add or [] if text]
            done = edit_page(
                engine,
                settings,
                batch_id,
                doc_id,
                page_no,
                reviewer=signed.username,
                add=boxes,
                remove=remove or [],
            )
        except LookupError:
            raise HTTPException(404, "No such page.") from None
        except ValueError:
            raise HTTPException(422, "A box is not four whole numbers.") from None
        images.forget(_batch_dir(batch_id), doc_id, pdf="redacted.pdf")
        outcome = "saved" if done.saved else f"refused-{done.residual}"
        url = f"/documents/{batch_id}/{doc_id}/pages/{page_no}/redaction?result={outcome}"
        return RedirectResponse(url, status_code=303)

    @app.get("/documents/{batch_id}/{doc_id}/pages/{page_no}/{which}.png")
    def document_page_image(
        batch_id: str, doc_id: str, page_no: int, which: str, signed: auth.SignedIn = reviewer
    ) -> Response:
        pdf = {"scan": "searchable.pdf", "redacted": "redacted.pdf"}.get(which)
        if pdf is None:
            raise HTTPException(404, "No such image.")
        _doc_dir(batch_id, doc_id)
        try:
            image = images.page_image(_batch_dir(batch_id), doc_id, page_no, settings, pdf=pdf)
        except LookupError:
            raise HTTPException(404, "No such page.") from None
        audit.record(
            engine, signed.username, "view_image", f"document:{doc_id}", page=page_no, part=which
        )
        return Response(images.png(images.scaled(image, 1100)), media_type="image/png")

    # --- supervisors: export and audit; admins: users -----------------------------------

    @app.get("/documents/{batch_id}/{doc_id}/bundle.json")
    def export_bundle(batch_id: str, doc_id: str, signed: auth.SignedIn = exporter) -> Response:
        out_dir = _batch_dir(batch_id)
        path = out_dir / doc_id / "bundle.json"
        if not doc_id.isalnum() or not path.is_file():
            raise HTTPException(404, "No such document.")
        audit.record(engine, signed.username, "export", f"document:{doc_id}", file="bundle.json")
        return Response(
            vault.read(path),  # an export leaves our custody plain, and is audited
            media_type="application/fhir+json",
            headers={"Content-Disposition": f'attachment; filename="{doc_id}.bundle.json"'},
        )

    @app.get("/audit", response_class=HTMLResponse)
    def audit_log(
        request: Request, before: int | None = None, signed: auth.SignedIn = auditor
    ) -> Response:
        audit.record(engine, signed.username, "view_audit", "audit")
        check = audit.verify(engine)
        return page(
            request, "audit.html", signed, rows=audit.rows(engine, before=before), check=check
        )

    @app.get("/users", response_class=HTMLResponse)
    def users(request: Request, signed: auth.SignedIn = admin) -> Response:
        audit.record(engine, signed.username, "view_users", "users")
        return page(request, "users.html", signed, users=auth.list_users(engine))

    # --- helpers ------------------------------------------------------------------------

    def _item(item_id: int) -> Any:
        try:
            return get_item(engine, item_id)
        except LookupError:
            raise HTTPException(404, "No such item.") from None

    def _batch_dir(batch_id: str) -> Path:
        with engine.connect() as c:
            out_dir = c.execute(select(Batch.out_dir).where(Batch.id == batch_id)).scalar()
        if out_dir is None:
            raise HTTPException(404, "No such batch.")
        return Path(out_dir)

    def _doc_dir(batch_id: str, doc_id: str) -> Path:
        doc_dir = _batch_dir(batch_id) / doc_id
        if not doc_id.isalnum() or not doc_dir.is_dir():
            raise HTTPException(404, "No such document.")
        return doc_dir

    def _page_pixels(item: Any, index: int, pdf: str = "searchable.pdf") -> Any:
        try:
            return images.page_image(item.out_dir, item.doc_id, index, settings, pdf=pdf)
        except LookupError:
            raise HTTPException(404, "No such page.") from None

    def _context(item: Any) -> dict[str, Any]:
        """The OCR line(s) around the item, and its document's pages."""
        import json

        doc_dir = item.out_dir / item.doc_id
        try:
            ocr = json.loads(vault.read(doc_dir / "ocr.json"))
        except (OSError, ValueError):
            return {"ocr_text": "", "pages": 0}
        pages = ocr.get("pages", [])
        text = ""
        if item.page is not None and item.page < len(pages):
            page_text = pages[item.page].get("text", "")
            if item.box is not None:
                x0, y0, x1, y1 = item.box
                lines = {
                    w["line"]
                    for w in pages[item.page].get("words", [])
                    if w["box"]["y0"] < y1 and w["box"]["y1"] > y0
                }
                split = page_text.split("\n")
                text = "\n".join(split[i] for i in sorted(lines) if i < len(split))
            else:
                text = page_text
        return {"ocr_text": text, "pages": len(pages)}

    return app


def _box(text: str) -> Box:
    """A box posted as "x0,y0,x1,y1" (OCR pixels); ValueError if it is not one."""
    x0, y0, x1, y1 = (int(v) for v in text.split(","))
    if x1 <= x0 or y1 <= y0 or min(x0, y0) < 0:
        raise ValueError("not a box")
    return Box(x0=x0, y0=y0, x1=x1, y1=y1)


def _cookie(
    response: Response, name: str, value: str, secure: bool, *, max_age: int | None = None
) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="strict", secure=secure, max_age=max_age, path="/"
    )
