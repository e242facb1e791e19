"""Accounts for group members and staff; passwords hashed with argon2.

Like every operation, these flush and never commit: the request or command commits once.
"""

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy import select

from coprod.extensions import db
from coprod.models import Group, Role, User

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


def authenticate(email: str, password: str) -> User | None:
    """The user when the password is right; None when not.

    Nothing is locked here: wrong passwords slow down one account at one address (see
    `coprod.slowdown`), so a stranger's guesses never keep the real person out.
    """
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        _hasher().hash(password)  # spend the same time as a real check: no user enumeration
        return None
    return user if password_matches(user, password) else None
