"""Accounts (Argon2id password hashes), Bearer tokens that expire and can be revoked, and the audit log.

Roles: ``officer`` works the cases of its agency; ``supervisor`` also assigns them and sees what is overdue;
``admin`` sees every agency and manages accounts. Functions run in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import ApiToken, AuditEntry, User

ROLES = ("officer", "supervisor", "admin")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
_UNKNOWN = _hasher.hash(secrets.token_urlsafe(16))  # verified against when the user does not exist (same time)


class AccountError(ValueError):
    """An account that cannot be created or changed as asked (the message says why)."""


@dataclass(frozen=True)
class Officer:
    """Who is acting, as routes see it (detached from any session)."""

    id: int
    username: str
    role: str
    agency: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def supervises(self) -> bool:
        return self.role in ("supervisor", "admin")

    def sees(self, agency: str) -> bool:
        return self.is_admin or self.agency == agency


def officer(user: User) -> Officer:
    return Officer(user.id, user.username, user.role, user.agency)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters")


def add_user(session: Session, *, username: str, role: str, agency: str | None, password: str,
             agencies: list[str]) -> User:
    username = username.strip().lower()
    if not username or len(username) > 60 or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise AccountError("a username is 1-60 letters, digits, '.', '-' or '_'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if role != "admin" and not agency:
        raise AccountError(f"--agency is required for the role {role}")
    if agency is not None and agency not in agencies:
        raise AccountError(f"unknown agency {agency}; known: {', '.join(agencies)}")
    check_password(password)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"the username {username} already exists")
    user = User(username=username, role=role, agency=agency,
                password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, username: str, password: str, now: datetime) -> User:
    """Reset a password: every token the user had is revoked."""
    check_password(password)
    user = _existing(session, username)
    user.password_hash, user.password_changed_at = _hasher.hash(password), now
    revoke_all(session, user.id, now)
    return user


def set_active(session: Session, username: str, active: bool, now: datetime) -> User:
    user = _existing(session, username)
    user.active = active
    if not active:
        revoke_all(session, user.id, now)
    return user


def _existing(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise AccountError(f"no user {username}")
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user whose password this is, else None (the same work either way)."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user is not None else _UNKNOWN, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, now: datetime, hours: int) -> str:
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=_digest(token), user_id=user.id, created_at=now,
                         expires_at=now + timedelta(hours=hours)))
    return token


def user_for_token(session: Session, token: str, now: datetime) -> Officer | None:
    found = session.execute(
        select(User).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None), ApiToken.expires_at > now,
               User.active.is_(True))).scalar_one_or_none()
    return officer(found) if found is not None else None


def revoke(session: Session, token: str, now: datetime) -> bool:
    done = session.execute(update(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
                           .values(revoked_at=now))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def revoke_all(session: Session, user_id: int, now: datetime) -> None:
    session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=now))


def audit(session: Session, *, who: Officer | None, action: str, object_type: str, object_id: str | None,
          address: str | None = None, detail: dict[str, Any] | None = None, actor: str | None = None) -> None:
    """One line of the append-only audit log (never personal data in ``detail``)."""
    session.add(AuditEntry(user_id=who.id if who else None, actor=actor or (who.username if who else "sistem"),
                           action=action, object_type=object_type, object_id=object_id,
                           address=(address or "")[:64] or None, detail=detail))


def set_role(session: Session, username: str, *, role: str, agency: str | None, agencies: list[str],
             now: datetime) -> User:
    """Change what an account may do (its tokens are revoked: the next sign-in carries the new role)."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if role != "admin" and not agency:
        raise AccountError(f"an agency is required for the role {role}")
    if agency is not None and agency not in agencies:
        raise AccountError(f"unknown agency {agency}")
    user = _existing(session, username)
    user.role, user.agency = role, agency
    revoke_all(session, user.id, now)
    return user


def users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def find_id(session: Session, username: str) -> int:
    return _existing(session, username).id


def page_session(session: Session, token: str, now: datetime, *, idle: timedelta, longest: timedelta) -> Officer | None:
    """A signed-in page's session: valid while used at least every ``idle`` (each use moves its end, at most
    ``longest`` after sign-in); an idle one has ended, and the officer signs in again."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None),
                                                ApiToken.expires_at > now))
    if row is None:
        return None
    end = min(now + idle, row.created_at + longest)
    if end - row.expires_at > timedelta(minutes=1) or row.expires_at > end:  # not a write for every request
        row.expires_at = end
    return user_for_token(session, token, now)
