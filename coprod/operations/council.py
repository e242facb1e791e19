"""The council's settings: one row, read by every page and written by organisers."""

from coprod.extensions import db
from coprod.models import CouncilSettings, User
from coprod.operations import audit

# What can be set by name (the form and `flask settings --set`), in the order shown.
FIELDS = ("name", "email", "phone", "address", "controller", "accessibility_tested")
LOGO_TYPES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
LOGO_MAX_BYTES = 200 * 1024


class LogoError(ValueError):
    """The file is not a PNG or JPEG, or is too big."""


def current() -> CouncilSettings:
    """The settings row, or an unsaved empty one before an organiser has filled them."""
    return db.session.get(CouncilSettings, 1) or CouncilSettings(
        id=1, name="", email="", phone="", address="", controller="", logo_mimetype=""
    )


def logo_type(data: bytes) -> str:
    """The mimetype of a logo, read from its first bytes (not from what the browser said)."""
    if len(data) > LOGO_MAX_BYTES:
        raise LogoError("too big")
    for mimetype, magic in LOGO_TYPES.items():
        if data.startswith(magic):
            return mimetype
    raise LogoError("not a PNG or JPEG")


def update(
    values: dict, *, logo: bytes | None = None, remove_logo: bool = False, actor: User | None = None
) -> CouncilSettings:
    """Change the given settings (and the logo), note it in the audit log; the caller commits."""
    settings = current()
    db.session.add(settings)
    changed = sorted(k for k in FIELDS if k in values and getattr(settings, k) != values[k])
    for key in changed:
        setattr(settings, key, values[key])
    if logo is not None:
        settings.logo_mimetype = logo_type(logo)
        settings.logo = logo
        changed.append("logo")
    elif remove_logo and settings.logo is not None:
        settings.logo, settings.logo_mimetype = None, ""
        changed.append("logo")
    audit.record("council_settings_changed", actor=actor, fields=changed)
    db.session.flush()
    return settings
