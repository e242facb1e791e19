"""Accounts for group members and staff; passwords hashed with argon2."""

from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy import select

from coprod.extensions import db
from coprod.models import Group, Role, User
from coprod.operations import audit

STRONG = "RFC_9106_LOW_MEMORY"  # argon2-cffi's own default: 3 passes over 64 MiB


@cache
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def _hasher() -> PasswordHasher:
    """The hasher for the app's ARGON2_PROFILE, a profile from `argon2.profiles`.

    Production keeps the strong default; the tests name argon2's CHEAPEST, made for tests.
    A hash records its own parameters, so either hasher checks a hash the other made.
    """
    profile = current_app.config.get("ARGON2_PROFILE", STRONG) if has_app_context() else STRONG
    return _hasher_for(profile)


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher().hash(password)


def password_matches(user: User, password: str) -> bool:
    """True when the password is right (constant-time inside argon2)."""
    try:
        return _hasher().verify(user.password_hash, password)
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

    The count and the lock are written in one small transaction, so they hold across workers.
    """
    now = now or datetime.now(UTC)
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        _hasher().hash(password)  # spend the same time as a real check: no user enumeration
        return None
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(user.locked_until)
    if password_matches(user, password):
        user.failed_logins, user.locked_until = 0, None
        db.session.commit()
        return user
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILURES:
        until = now + LOCK_FOR
        user.failed_logins, user.locked_until = 0, until
        audit.record("account_locked", actor=user)
        db.session.commit()
        raise AccountLocked(until)
    db.session.commit()
    return None
