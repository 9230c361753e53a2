"""Users, passwords, sessions and roles of the review app.

Passwords are hashed with argon2id (argon2-cffi's defaults, salted per hash). A session is
a random token in an HttpOnly cookie; the database keeps only its SHA-256, so a copy of the
database signs nobody in. A session ends after ``idle_timeout_s`` without a request or
``max_session_s`` after sign-in, and when its user is disabled. Each session has its own
CSRF token, which every form posts back.

Least privilege: reviewers see and settle items; supervisors also read the audit log and
export bundles; admins see the user list and nothing of the charts (they manage users from
the command line, ``chart2fhir users``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update

from pipeline.settings import ReviewSettings
from pipeline.state.models import ROLES, Session, User
from pipeline.state.store import _now

# What each role may do. A route names the permission it needs.
PERMISSIONS: dict[str, frozenset[str]] = {
    "reviewer": frozenset({"review"}),
    "supervisor": frozenset({"review", "audit", "export"}),
    "admin": frozenset({"users"}),
}
MIN_PASSWORD = 12
_hasher = PasswordHasher()
# Verified against when a user name is unknown, so that the answer takes as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class UserError(ValueError):
    """A refused user change (the message is fixed text, safe to show)."""


@dataclass(frozen=True)
class SignedIn:
    """The user of a request's session."""

    username: str
    role: str
    csrf: str

    def may(self, permission: str) -> bool:
        """Whether the user's role grants ``permission``."""
        return permission in PERMISSIONS.get(self.role, frozenset())


def add_user(engine: Engine, username: str, password: str, role: str) -> None:
    """Create a user; UserError if the name is taken, the role unknown or the password short."""
    _check(username, password, role)
    with engine.begin() as c:
        if c.execute(select(User.username).where(User.username == username)).first():
            raise UserError("a user of that name exists")
        c.execute(
            insert(User).values(
                username=username,
                password_hash=_hasher.hash(password),
                role=role,
                active=True,
                created_at=_now(),
            )
        )


def set_password(engine: Engine, username: str, password: str) -> None:
    """Replace a user's password and end their sessions."""
    _check(username, password, "reviewer")
    _change(engine, username, password_hash=_hasher.hash(password))


def set_role(engine: Engine, username: str, role: str) -> None:
    """Change a user's role and end their sessions."""
    if role not in ROLES:
        raise UserError("the role must be reviewer, supervisor or admin")
    _change(engine, username, role=role)


def set_active(engine: Engine, username: str, active: bool) -> None:
    """Enable or disable a user; disabling ends their sessions."""
    _change(engine, username, active=active)


def list_users(engine: Engine) -> list[tuple[str, str, bool]]:
    """(username, role, active) of every user, by name."""
    with engine.connect() as c:
        rows = c.execute(select(User.username, User.role, User.active).order_by(User.username))
        return [(u, r, bool(a)) for u, r, a in rows]


def check_password(engine: Engine, username: str, password: str) -> str | None:
    """The role of ``username`` if the password is right and the user active, else None."""
    with engine.connect() as c:
        row = c.execute(
            select(User.password_hash, User.role, User.active).where(User.username == username)
        ).first()
    stored = row[0] if row else _DUMMY_HASH
    ok: bool
    try:
        ok = _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not (ok and row and row[2]):
        return None
    if _hasher.check_needs_rehash(stored):
        _change(engine, username, end_sessions=False, password_hash=_hasher.hash(password))
    return str(row[1])


def start_session(engine: Engine, username: str) -> str:
    """A new session for ``username``; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as c:
        c.execute(
            insert(Session).values(
                token_hash=_digest(token),
                username=username,
                csrf=secrets.token_urlsafe(32),
                created_at=now,
                last_seen_at=now,
            )
        )
    return token


def session_user(engine: Engine, token: str | None, cfg: ReviewSettings) -> SignedIn | None:
    """The signed-in user of ``token``, its idle time renewed; None when there is none.

    An expired session, or one whose user was disabled, is ended here.
    """
    if not token:
        return None
    now = _now()
    digest = _digest(token)
    with engine.begin() as c:
        row = c.execute(
            select(
                Session.username,
                Session.created_at,
                Session.last_seen_at,
                Session.csrf,
                User.role,
                User.active,
            )
            .join(User, User.username == Session.username)
            .where(Session.token_hash == digest)
        ).first()
        if row is None:
            return None
        username, created, seen, csrf, role, active = row
        if (
            not active
            or now - seen > timedelta(seconds=cfg.idle_timeout_s)
            or now - created > timedelta(seconds=cfg.max_session_s)
        ):
            c.execute(delete(Session).where(Session.token_hash == digest))
            return None
        # Renewed at most every few seconds: a page and its images are one visit.
        if now - seen > timedelta(seconds=5):
            c.execute(update(Session).where(Session.token_hash == digest).values(last_seen_at=now))
    return SignedIn(username=username, role=role, csrf=csrf)


def end_session(engine: Engine, token: str | None) -> None:
    """Sign out: the session's row is deleted."""
    if token:
        with engine.begin() as c:
            c.execute(delete(Session).where(Session.token_hash == _digest(token)))


def csrf_ok(user: SignedIn, posted: str | None) -> bool:
    """Whether a form posted the session's CSRF token (compared in constant time)."""
    return bool(posted) and hmac.compare_digest(user.csrf, posted or "")


def ended_before(engine: Engine, when: datetime) -> int:
    """Delete sessions last seen before ``when``; returns how many."""
    with engine.begin() as c:
        return c.execute(delete(Session).where(Session.last_seen_at < when)).rowcount or 0


def _check(username: str, password: str, role: str) -> None:
    if not (0 < len(username) <= 64 and all(ch.isalnum() or ch in "._-" for ch in username)):
        raise UserError("a user name is 1-64 letters, digits, dots, dashes or underscores")
    if role not in ROLES:
        raise UserError("the role must be reviewer, supervisor or admin")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password has at least {MIN_PASSWORD} characters")


def _change(engine: Engine, username: str, *, end_sessions: bool = True, **values: object) -> None:
    with engine.begin() as c:
        if not c.execute(update(User).where(User.username == username).values(**values)).rowcount:
            raise UserError("no such user")
        if end_sessions:
            c.execute(delete(Session).where(Session.username == username))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
