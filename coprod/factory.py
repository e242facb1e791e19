"""The application factory."""

from functools import cached_property
from pathlib import Path

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer
from sqlalchemy import event

from coprod import cli, config, converters, i18n, templating
from coprod.extensions import babel, csrf, db, limiter, login, migrate
from coprod.participate import copies

ROOT = Path(__file__).resolve().parent.parent
# Everything comes from this site; nothing inline, so injected markup cannot run or restyle.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, locale, blueprints and CLI commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["TRANSLATIONS_DIR"] = str(ROOT / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    app.config.update(config.from_environment(app.instance_path, test_config))
    app.session_interface = SignedCookieSessions()

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).parent / "migrations"),
        render_as_batch=True,
        render_item=_plain_types,
    )
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    login.init_app(app)
    limiter.init_app(app)
    converters.init_app(app)

    from coprod.accounts import bp as accounts_bp
    from coprod.admin import bp as admin_bp
    from coprod.api import bp as api_bp
    from coprod.council import bp as council_bp
    from coprod.moderate import bp as moderate_bp
    from coprod.participate import bp as participate_bp
    from coprod.propose import bp as propose_bp
    from coprod.public import bp as public_bp
    from coprod.results import bp as results_bp
    from coprod.translate import bp as translate_bp

    for blueprint in (
        public_bp,
        accounts_bp,
        participate_bp,
        api_bp,
        admin_bp,
        propose_bp,
        moderate_bp,
        council_bp,
        translate_bp,
        results_bp,
    ):
        app.register_blueprint(blueprint)
    login.login_view = "accounts.sign_in"
    login.login_message = _l("Please sign in to see this page.")

    templating.init_app(app)
    cli.init_app(app)
    copies.init_app(app)

    @app.after_request
    def headers(response):
        if not 300 <= response.status_code < 400:  # a redirect has no page of ours
            response.headers.setdefault("Content-Language", i18n.html_lang(str(get_locale())))
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    return app


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, with the serializer built once per key, not twice a
    request (see `_SessionSerializer`)."""

    _built: tuple | None = None  # (keys, serializer), swapped whole: threads share it

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        built = self._built
        if built is None or built[0] != keys:
            serializer = _SessionSerializer(
                [*keys[1], keys[0]],  # itsdangerous expects the current key last
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={
                    "key_derivation": self.key_derivation,
                    "digest_method": self.digest_method,
                },
            )
            built = self._built = (keys, serializer)
        return built[1]


class _Signer(TimestampSigner):
    """itsdangerous's signer, deriving each key once instead of on every sign and check."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        if (key := self._derived.get(secret_key)) is None:
            key = self._derived[secret_key] = super().derive_key(secret_key)
        return key


class _SessionSerializer(URLSafeTimedSerializer):
    """Flask's session cookies, byte for byte the format it reads, made with less work.

    Every request of a voter reads the cookie and most write it: itsdangerous built a new
    signer each time, derived its key again, and zlib-compressed a few short strings to save
    some 60 bytes of a 220-byte cookie. Here one signer serves every request and nothing is
    compressed. Cookies made by Flask's own serializer still load (compressed or not), and
    these load in Flask's: a deploy logs no one out and loses no voter's choices.
    """

    default_signer = _Signer

    @cached_property
    def _signer(self) -> _Signer:
        return super().make_signer()

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        return self._signer if salt in (None, self.salt) else super().make_signer(salt)

    def dump_payload(self, obj) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


def _plain_types(type_: str, obj, _context) -> str | bool:
    # Migrations name only SQLAlchemy's own types, so they never import the models.
    from coprod.models import AwareDateTime

    if type_ == "type" and isinstance(obj, AwareDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets pages be read while a ballot is written; the busy timeout makes concurrent
    # casts wait their turn instead of failing; SQLite checks foreign keys only when asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
