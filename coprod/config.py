"""Configuration read from the environment, with safe defaults for a laptop."""

import os
import secrets
from datetime import timedelta
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


def trusted_proxies(value: str) -> int:
    """The number of proxy hops to believe, from TRUSTED_PROXIES ("" or "0": none)."""
    try:
        hops = int(value.strip() or "0")
    except ValueError:
        hops = -1
    if hops < 0:
        raise ValueError(
            f"TRUSTED_PROXIES must be the number of proxies in front of Coprod (0, 1, 2...), "
            f"not {value!r}"
        )
    return hops


def secure_cookies(public_url: str) -> bool:
    """SECURE_COOKIES=1 or 0 when set; otherwise on when citizens reach the site over https."""
    setting = os.environ.get("SECURE_COOKIES", "").strip().lower()
    if setting:
        return setting in ("1", "true", "yes", "on")
    return public_url.lower().startswith("https://")


def from_environment(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the configuration for `create_app`; `overrides` (a test config) wins."""
    overrides = overrides or {}
    redis_url = os.environ.get("REDIS_URL")
    public_url = overrides.get("PUBLIC_URL") or os.environ.get(
        "PUBLIC_URL", "http://127.0.0.1:5000"
    )
    settings = {
        "SECRET_KEY": overrides.get("SECRET_KEY") or secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # pre_ping lets workers recover by themselves after the database restarts.
        # hide_parameters keeps values (a code's hash, a ballot's id) out of the error
        # messages that reach the logs when a statement fails.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "REDIS_URL": redis_url,
        # Where citizens reach the site: used in printed letters and their QR codes.
        "PUBLIC_URL": public_url.rstrip("/"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Redis down must not turn code entry, casting or sign-in into errors: count in
        # each worker's memory meanwhile (the log says so), and give up on a dead Redis fast.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}
        if redis_url
        else {},
        # How many proxies in front of the app add X-Forwarded-For (and -Proto); without
        # it the header is ignored, so no one can pick the address limits count against.
        "TRUSTED_PROXIES": trusted_proxies(os.environ.get("TRUSTED_PROXIES", "")),
        # X-RateLimit headers on every limited response would cost two more Redis round
        # trips each time; a refusal still says when to come back (Retry-After).
        "RATELIMIT_HEADERS_ENABLED": False,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Europe/London"),
        # Sessions live on the server (Flask-Session): the cookie holds only a random id.
        # In the database even when Redis is set: a session must not fail when Redis does.
        "SESSION_TYPE": "sqlalchemy",
        # The cookie ends with the browser's session, as Flask's own did.
        "SESSION_PERMANENT": False,
        # A session is stored when it changes, not again on every page it is read.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # How long the server keeps a session after its last change: a voter who walks
        # away from a ballot leaves nothing kept for longer than this.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        # Expired sessions in the database are deleted on average once every so many
        # requests; 0 instead gives the command `flask session_cleanup`, to schedule.
        "SESSION_CLEANUP_N_REQUESTS": int(os.environ.get("SESSION_CLEANUP_N_REQUESTS", "1000"))
        or None,
        # Flask-Login's "basic" protection only marks a session not fresh when the visitor's
        # address or browser changes, and nothing here asks for a fresh sign-in
        # (fresh_login_required): it would write every voter's session once more for nothing.
        # Signing in and out, and casting, give the session a new id (coprod.sessions).
        "SESSION_PROTECTION": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Over https a cookie sent on a plain-http request could be read on the way: the
        # session (a voter's code and choices) and the sign-in go over https only.
        "SESSION_COOKIE_SECURE": secure_cookies(public_url),
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        # Email is optional: without MAIL_SERVER, staff hand out reset links and contact lists.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "") == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_FROM": os.environ.get("MAIL_FROM"),
        # GOV.UK Notify, for messages to people who follow an idea, remedy, theme or round:
        # used instead of SMTP when the key is set. Each template in Notify holds only
        # ((subject)) and ((body)) (email) or ((body)) (text): the words are ours, per language.
        "NOTIFY_API_KEY": os.environ.get("NOTIFY_API_KEY"),
        "NOTIFY_BASE_URL": os.environ.get(
            "NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
        ),
        "NOTIFY_EMAIL_TEMPLATE_ID": os.environ.get("NOTIFY_EMAIL_TEMPLATE_ID", ""),
        "NOTIFY_SMS_TEMPLATE_ID": os.environ.get("NOTIFY_SMS_TEMPLATE_ID", ""),
        "WTF_CSRF_TIME_LIMIT": None,
        # Jobs (coprod/jobs.py): Redis when REDIS_URL is set, else a SQLite file here.
        # HUEY_IMMEDIATE runs each job at once, inside the caller (tests).
        "HUEY_SQLITE_PATH": str(Path(instance_path) / "jobs.db"),
        "HUEY_IMMEDIATE": False,
        # A failed email is tried again after 1, 2, 4 ... minutes: about 4 hours in all.
        "MAIL_RETRIES": 8,
        "MAIL_RETRY_DELAY": 60,
        # Rounds with more ballots than this are counted by a job, not in the request.
        "COUNT_IN_JOB_OVER": int(os.environ.get("COUNT_IN_JOB_OVER", "2000")),
        # A panel drawn from more volunteers than this is drawn by a job (maximin: ~2 s for
        # 60 volunteers, ~35 s for 500).
        "PANEL_IN_JOB_OVER": int(os.environ.get("PANEL_IN_JOB_OVER", "100")),
        # Conversations with more marks than this are grouped by a job and the result kept;
        # smaller ones are grouped in the request (0.06 s for the demo's 60 people).
        "GROUP_IN_JOB_OVER": int(os.environ.get("GROUP_IN_JOB_OVER", "20000")),
        # Staff passwords: a profile from argon2.profiles. Tests name "CHEAPEST".
        "ARGON2_PROFILE": "RFC_9106_LOW_MEMORY",
    }
    return settings | overrides
