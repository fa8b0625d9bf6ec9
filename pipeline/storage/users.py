"""Workbench users, roles and API tokens; passwords hashed with argon2id (memory-hard).

Roles: ``viewer`` reads, ``analyst`` also reviews, corrects, merges and edits case
files, ``admin`` also manages users. Tokens are random 32-byte strings shown once;
only their SHA-256 is stored, so a copy of the database does not let anyone in.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pipeline.storage.db import Database
from pipeline.storage.models import ApiToken, Setting, User

ROLES = ("viewer", "analyst", "admin")
MIN_PASSWORD = 12
TOKEN_PREFIX = "atk_"
_hasher = PasswordHasher()  # argon2id, 64 MiB, 3 passes: the library's RFC 9106 low-memory profile


@functools.cache
def dummy_hash() -> str:
    """Verified against when the user does not exist, so a wrong name costs as long as a
    wrong password. Made on first use, not at import: every ``atrisk`` command imports this
    module, and one hash costs ~0.3 s of CPU and 64 MiB."""
    return _hasher.hash("not a password of anyone" * 2)


class UserError(ValueError):
    """A bad user name, role or password, or an unknown user; the message says which."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user's id, name and role."""

    id: int
    name: str
    role: str
    epoch: int = 0

    def may(self, role: str) -> bool:
        """Does this user have ``role`` or a higher one?"""
        return ROLES.index(self.role) >= ROLES.index(role)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def check_password(password: str) -> str:
    password = password.rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    return password


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or any(c.isspace() or not c.isprintable() for c in name):
        raise UserError("a user name has 1 to 100 characters, without spaces")
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    return role


def _get(s: Session, name: str) -> User:
    user = s.scalar(select(User).where(User.name == name))
    if user is None:
        raise UserError(f"no user named {name!r}; see `atrisk users list`")
    return user


def add_user(db: Database, name: str, role: str, password: str) -> Principal:
    name, role, password = _check_name(name), _check_role(role), check_password(password)
    with db.session() as s:
        if s.scalar(select(User.id).where(User.name == name)) is not None:
            raise UserError(f"a user named {name!r} exists already; use `atrisk users passwd`")
        user = User(name=name, role=role, password_hash=_hasher.hash(password), disabled=False,
                    session_epoch=0, created_at=utcnow())
        s.add(user)
        s.flush()
        return Principal(user.id, user.name, user.role)


def set_password(db: Database, name: str, password: str) -> None:
    """A new password; sessions signed in with the old one end."""
    password = check_password(password)
    with db.session() as s:
        user = _get(s, name)
        user.password_hash = _hasher.hash(password)
        user.session_epoch += 1


def set_disabled(db: Database, name: str, disabled: bool = True) -> None:
    """A disabled user can neither sign in nor use a token; their sessions end."""
    with db.session() as s:
        user = _get(s, name)
        user.disabled = disabled
        user.session_epoch += 1


def set_role(db: Database, name: str, role: str) -> None:
    with db.session() as s:
        user = _get(s, name)
        user.role = _check_role(role)
        user.session_epoch += 1


def list_users(db: Database) -> list[dict]:
    with db.sessions() as s:
        tokens = dict(s.execute(
            select(ApiToken.user_id, func.count()).where(ApiToken.revoked_at.is_(None))
            .group_by(ApiToken.user_id)).tuples().all())
        return [{"name": u.name, "role": u.role, "disabled": u.disabled, "tokens": int(tokens.get(u.id, 0)),
                 "created_at": u.created_at.isoformat(timespec="seconds"),
                 "last_login_at": u.last_login_at.isoformat(timespec="seconds") if u.last_login_at else None}
                for u in s.scalars(select(User).order_by(User.name))]


def authenticate(db: Database, name: str, password: str) -> Principal | None:
    """The user when the name and password match an enabled account, else None."""
    with db.session() as s:
        user = s.scalar(select(User).where(User.name == name.strip()))
        try:
            _hasher.verify(user.password_hash if user else dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or user.disabled:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = utcnow()
        return Principal(user.id, user.name, user.role, user.session_epoch)


def session_user(db: Database, user_id: int, epoch: int) -> Principal | None:
    """The signed-in user of a session, while the account is enabled and the epoch current."""
    with db.sessions() as s:
        user = s.get(User, user_id)
        if user is None or user.disabled or user.session_epoch != epoch:
            return None
        return Principal(user.id, user.name, user.role, user.session_epoch)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(db: Database, name: str) -> str:
    """A new API token for ``name``, returned once (only its hash is kept)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.session() as s:
        user = _get(s, name)
        if user.disabled:
            raise UserError(f"user {name!r} is disabled")
        s.add(ApiToken(user_id=user.id, token_hash=_digest(token), prefix=token[:10], created_at=utcnow()))
    return token


def revoke_tokens(db: Database, name: str, prefix: str | None = None) -> int:
    """Revoke the user's tokens (all, or the one starting with ``prefix``); returns how many."""
    with db.session() as s:
        user = _get(s, name)
        q = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        if prefix:
            q = q.where(ApiToken.prefix == prefix[:10])
        return int(s.execute(q.values(revoked_at=utcnow())).rowcount or 0)  # type: ignore[attr-defined]


def token_user(db: Database, token: str) -> Principal | None:
    """The user a bearer token belongs to, if it is valid, not revoked, and the user enabled."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = _digest(token)
    with db.session() as s:
        row = s.execute(
            select(ApiToken, User).join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == digest)
        ).first()
        if row is None:
            return None
        tok, user = row
        if not hmac.compare_digest(tok.token_hash, digest) or tok.revoked_at or user.disabled:
            return None
        now = utcnow()
        if tok.last_used_at is None or (now - tok.last_used_at).total_seconds() > 60:
            tok.last_used_at = now
        return Principal(user.id, user.name, user.role, user.session_epoch)


def secret_key(db: Database, env: str | None = None) -> str:
    """The session signing key: ``env`` when given, else the one in the database (made once)."""
    if env:
        return env
    with db.session() as s:
        row = s.get(Setting, "session_key")
        if row is not None:
            return row.value
    candidate = secrets.token_urlsafe(48)
    try:
        with db.session() as s:
            s.add(Setting(key="session_key", value=candidate))
    except Exception:  # noqa: BLE001 - another process made it first: use theirs
        pass
    with db.sessions() as s:
        row = s.get(Setting, "session_key")
        assert row is not None
        return row.value
