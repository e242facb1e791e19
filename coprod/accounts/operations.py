"""Accounts for group members and staff; passwords hashed with argon2.

Like every operation, these flush and never commit: the request or command commits once.
"""

from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from coprod.extensions import db
from coprod.models import Group, Role, User
from coprod.operations import audit

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    """True when the password is right (constant-time inside argon2)."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    email: str,
    name: str,
    password: str,
    *,
    role: Role = Role.MEMBER,
    group: Group | None = None,
    lang: str = "en",
) -> User:
    """Add a user to the session (the caller commits)."""
    user = User(
        email=email.strip().lower(),
        name=name,
        password_hash=hash_password(password),
        role=role,
        group=group,
        lang=lang,
    )
    db.session.add(user)
    return user


MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)


class AccountLocked(Exception):
    """Too many wrong passwords: the account waits until `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


def authenticate(email: str, password: str, now: datetime | None = None) -> User | None:
    """The user when the password is right; None when not; AccountLocked after 5 misses.

    The count and the lock are flushed into the caller's transaction, which must commit them
    whatever the outcome (AccountLocked included), so they hold across workers.
    """
    now = now or datetime.now(UTC)
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        _hasher.hash(password)  # spend the same time as a real check: no user enumeration
        return None
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(user.locked_until)
    if password_matches(user, password):
        user.failed_logins, user.locked_until = 0, None
        db.session.flush()
        return user
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILURES:
        until = now + LOCK_FOR
        user.failed_logins, user.locked_until = 0, until
        audit.record("account_locked", actor=user)
        db.session.flush()
        raise AccountLocked(until)
    db.session.flush()
    return None
