"""Configuration read from the environment, with safe defaults for a laptop."""

import os
import secrets
from pathlib import Path


def secret_key(instance_path: str) -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept, owner-only."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        # Create with 0600 from the start so the key is never readable by others.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def database_url(instance_path: str) -> str:
    """Return DATABASE_URL, defaulting to a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'coprod.db'}"
    # Heroku-style URLs name the old driver; we use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the configuration for `create_app`; `overrides` (a test config) wins."""
    overrides = overrides or {}
    redis_url = os.environ.get("REDIS_URL")
    settings = {
        "SECRET_KEY": overrides.get("SECRET_KEY") or secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # pre_ping lets workers recover by themselves after the database restarts.
        # hide_parameters keeps values (a code's hash, a ballot's id) out of the error
        # messages that reach the logs when a statement fails.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "REDIS_URL": redis_url,
        # Where citizens reach the site: used in printed letters and their QR codes.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # X-RateLimit headers on every limited response would cost two more Redis round
        # trips each time; a refusal still says when to come back (Retry-After).
        "RATELIMIT_HEADERS_ENABLED": False,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Europe/London"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SECURE_COOKIES", "") == "1",
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        # Email is optional: without MAIL_SERVER, staff hand out reset links and contact lists.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "") == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_FROM": os.environ.get("MAIL_FROM"),
        "WTF_CSRF_TIME_LIMIT": None,
        # Staff passwords: a profile from argon2.profiles. Tests name "CHEAPEST".
        "ARGON2_PROFILE": "RFC_9106_LOW_MEMORY",
    }
    return settings | overrides
