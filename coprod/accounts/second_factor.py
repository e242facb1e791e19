"""Two-step sign-in: a code from an authenticator app (TOTP, RFC 6238) after the password."""

import hmac
import time

import pyotp
import segno

from coprod import slowdown
from coprod.extensions import db
from coprod.models import User
from coprod.operations import audit

ISSUER = "Coprod"


def new_secret() -> str:
    """A fresh shared secret (160 bits, base32), as authenticator apps expect."""
    return pyotp.random_base32(32)


def spaced(secret: str) -> str:
    """The secret in groups of four, easier to type by hand into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code(user: User, secret: str) -> str:
    """An SVG data URI of the QR code an authenticator app scans."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=4)


def matches(user_id: int, secret: str, typed: str, now: float | None = None) -> bool:
    """True when `typed` is the app's code now (or 30 seconds either side), not used before."""
    code = "".join(ch for ch in typed if ch.isdigit())
    if len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            step = totp.timecode(now) + offset
            # A code seen on the way (over a shoulder, in a proxy's log) cannot be used again.
            return slowdown.first_use(f"totp/{user_id}/{step}", 3 * totp.interval)
    return False


def turn_on(user: User, secret: str) -> None:
    """Ask for an app's code at every sign-in from now on (the request commits)."""
    user.totp_secret = secret
    audit.record("two_step_on", actor=user)
    db.session.flush()


def turn_off(user: User) -> None:
    """Sign in with the password alone again (the request commits)."""
    user.totp_secret = None
    audit.record("two_step_off", actor=user)
    db.session.flush()
