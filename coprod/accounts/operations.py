"""Accounts for group members and staff; passwords hashed with argon2.

Like every operation, these flush and never commit: the request or command commits once.
"""

import secrets
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy import func, select

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


# --- Staff: the first organiser, invitations, roles, removal -----------------------------

# An invitation link handed over or emailed may take a while to be opened.
INVITE_MAX_AGE = 7 * 24 * 3600
STAFF_ROLES = (Role.ORGANISER, Role.MODERATOR, Role.COMMISSIONER, Role.COUNCILLOR)


class StaffError(Exception):
    """A change to a staff account that cannot go ahead; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == email.strip().lower())) is not None


def create_staff(email: str, name: str, password: str, role: Role, *, actor: User | None) -> User:
    """A staff account with a password already chosen (the first organiser, from the CLI)."""
    if _email_taken(email):
        raise StaffError("email_taken")
    user = create_user(email, name.strip(), password, role=role)
    db.session.flush()
    audit.record("staff_created", actor=actor or user, user_id=user.id, name=user.name, role=role)
    db.session.flush()
    return user


def invite_staff(email: str, name: str, role: Role, *, actor: User, lang: str = "en") -> User:
    """An account with no usable password yet: the invited person chooses one by the link."""
    if _email_taken(email):
        raise StaffError("email_taken")
    # Nobody knows this password; the invitation link replaces it.
    user = create_user(email, name.strip(), secrets.token_urlsafe(32), role=role, lang=lang)
    db.session.flush()
    audit.record("staff_invited", actor=actor, user_id=user.id, name=user.name, role=role)
    db.session.flush()
    return user


def _active_organisers() -> int:
    found = select(func.count(User.id)).where(User.role == Role.ORGANISER, User.active.is_(True))
    return db.session.scalar(found) or 0


def _check_not_last_organiser(user: User) -> None:
    if user.role == Role.ORGANISER and user.active and _active_organisers() <= 1:
        raise StaffError("last_organiser")


def change_role(user: User, role: Role, *, actor: User) -> None:
    """Give a member of staff another role; the last organiser keeps theirs."""
    if role == user.role:
        return
    if role != Role.ORGANISER:
        _check_not_last_organiser(user)
    before = user.role
    user.role = role
    audit.record(
        "role_changed", actor=actor, user_id=user.id, name=user.name, before=before, role=role
    )
    db.session.flush()


def deactivate(user: User, *, actor: User) -> None:
    """Remove an account: it can no longer sign in. The last organiser cannot be removed."""
    _check_not_last_organiser(user)
    user.active = False
    audit.record("staff_removed", actor=actor, user_id=user.id, name=user.name, role=user.role)
    db.session.flush()
