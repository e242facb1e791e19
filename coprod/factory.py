"""The application factory."""

from pathlib import Path

from flask import Flask, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from coprod import cli, config, converters, i18n, jobs, sessions, templating
from coprod.extensions import babel, csrf, db, limiter, login, migrate

ROOT = Path(__file__).resolve().parent.parent
# Everything comes from this site; nothing inline, so injected markup cannot run or restyle.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


FONT_MAX_AGE = 365 * 24 * 3600


class Coprod(Flask):
    """Flask, with the web fonts kept by browsers for a year."""

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """A year for a font (its address names its content: tools/fonts.py), so a phone
        fetches each once; Flask's default for the rest (the browser asks if it changed)."""
        if filename and filename.startswith("fonts/") and filename.endswith(".woff2"):
            return FONT_MAX_AGE
        return super().get_send_file_max_age(filename)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, locale, blueprints and CLI commands."""
    app = Coprod(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["TRANSLATIONS_DIR"] = str(ROOT / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    app.config.update(config.from_environment(app.instance_path, test_config))
    if hops := app.config["TRUSTED_PROXIES"]:
        # Believe only the last `hops` entries of X-Forwarded-For: those our proxies added.
        # Flask's documented way to add WSGI middleware; mypy sees a method being replaced
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
    sessions.init_app(app)  # before the other extensions: see its hook
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
    from coprod.conversation import bp as conversation_bp
    from coprod.council import bp as council_bp
    from coprod.delivery import bp as delivery_bp
    from coprod.easyread import bp as easyread_bp
    from coprod.following import bp as following_bp
    from coprod.ideas import bp as ideas_bp
    from coprod.map import bp as map_bp
    from coprod.moderate import bp as moderate_bp
    from coprod.offers import bp as offers_bp
    from coprod.panels import bp as panels_bp
    from coprod.participate import bp as participate_bp
    from coprod.propose import bp as propose_bp
    from coprod.public import bp as public_bp
    from coprod.results import bp as results_bp
    from coprod.toolkit import bp as toolkit_bp
    from coprod.translate import bp as translate_bp
    from coprod.workshop import bp as workshop_bp
    from coprod.workshop import room as room_bp

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
        conversation_bp,
        offers_bp,
        workshop_bp,
        room_bp,
        panels_bp,
        ideas_bp,
        following_bp,
        delivery_bp,
        map_bp,
        toolkit_bp,
        easyread_bp,
    ):
        app.register_blueprint(blueprint)
    login.login_view = "accounts.sign_in"
    login.login_message = _l("Please sign in to see this page.")

    templating.init_app(app)
    cli.init_app(app)
    jobs.init_app(app)

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
