"""Group accounts: signing up into a new or existing group, and one-time password links."""

import re
import secrets
import unicodedata

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from coprod.accounts.operations import create_user, hash_password
from coprod.extensions import db
from coprod.models import Group, User
from coprod.operations import audit

# A link handed over by an organiser may take a day to reach the person.
RESET_MAX_AGE = 24 * 3600


class SignUpError(Exception):
    """A sign-up that cannot go ahead; `code` says why ('email_taken' or 'group_taken')."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def email_taken(email: str) -> bool:
    """True when an account already uses this email address."""
    found = db.session.scalar(select(User.id).where(User.email == email.strip().lower()))
    return found is not None


def group_named(name: str) -> Group | None:
    """The group with this name, ignoring case and spaces at the ends."""
    return db.session.scalar(
        select(Group).where(func.lower(Group.name) == name.strip().lower()).limit(1)
    )


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "group"
    slug, n = base, 1
    while db.session.scalar(select(Group.id).where(Group.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def sign_up(
    name: str,
    email: str,
    password: str,
    *,
    lang: str,
    group: Group | None = None,
    new_group_name: str = "",
) -> User:
    """Make a member's account in an existing group or in a new one (the caller commits)."""
    if email_taken(email):
        raise SignUpError("email_taken")
    is_new = group is None
    if group is not None:
        group.invite_nonce = None  # the invitation link that brought them works once
    if group is None:
        if group_named(new_group_name) is not None:
            raise SignUpError("group_taken")
        group = Group(name=new_group_name.strip(), slug=_slug(new_group_name))
        db.session.add(group)
    user = create_user(email, name.strip(), password, group=group, lang=lang)
    try:
        db.session.flush()
    except IntegrityError as clash:
        # Two sign-ups with one email at the same moment: the database lets one through.
        db.session.rollback()
        raise SignUpError("email_taken") from clash
    audit.record("member_signed_up", actor=user, group=group.name, new_group=is_new)
    db.session.flush()
    return user


def _serializer(secret: str, user: User) -> URLSafeTimedSerializer:
    # Salted with the current password hash: it changes when the link is used, and with it
    # the key that checks the link, so a link works once.
    return URLSafeTimedSerializer(secret, salt="password-reset:" + user.password_hash)


def reset_token(secret: str, user: User) -> str:
    """A signed token for a new password; signed with the current hash, so it works once."""
    return _serializer(secret, user).dumps(user.id)


def user_for_token(
    secret: str, user_id: int, token: str, *, max_age: int = RESET_MAX_AGE
) -> User | None:
    """The user a reset token belongs to, or None when it is wrong, used or too old."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    try:
        found = _serializer(secret, user).loads(token, max_age=max_age)
    except BadSignature:  # also when too old: SignatureExpired is a BadSignature
        return None
    return user if found == user.id else None


def issue_reset_link(user: User, *, actor: User | None) -> None:
    """Record that a password link was made (by an organiser, or by email when actor is None)."""
    audit.record("password_link_made", actor=actor, user_id=user.id, by_email=actor is None)
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """Give a user a new password, which also makes every earlier reset link stop working."""
    user.password_hash = hash_password(password)
    audit.record("password_changed", actor=user)
    db.session.flush()


def waiting_groups() -> list[Group]:
    """Groups a moderator has not approved yet, oldest first."""
    return list(
        db.session.scalars(select(Group).where(Group.approved.is_(False)).order_by(Group.id))
    )


def approve(group: Group, *, actor: User) -> None:
    """Let a group send its ideas for a check (the request commits)."""
    group.approved = True
    audit.record("group_approved", actor=actor, group_id=group.id, name=group.name)
    db.session.flush()


# A member hands their group's invitation link to a friend; it may take a while to be opened.
GROUP_INVITE_MAX_AGE = 7 * 24 * 3600


def _group_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="group-invite")


def group_invite_token(secret: str, group: Group, *, actor: User) -> str:
    """A signed link token to join `group`; it replaces the group's earlier link."""
    group.invite_nonce = secrets.token_hex(16)
    audit.record("group_invite_made", actor=actor, group_id=group.id, name=group.name)
    db.session.flush()
    return _group_serializer(secret).dumps([group.id, group.invite_nonce])


def group_for_invite(secret: str, token: str) -> Group | None:
    """The group an invitation token is for, or None when it is wrong, used or too old."""
    try:
        group_id, nonce = _group_serializer(secret).loads(token, max_age=GROUP_INVITE_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    group = db.session.get(Group, group_id) if isinstance(group_id, int) else None
    if group is None or not group.invite_nonce or group.invite_nonce != nonce:
        return None
    return group
