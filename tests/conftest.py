"""Fixtures in the flaskr style: an app from a test config, a client, a CLI runner.

Tests that use `app` run on SQLite and, when TEST_DATABASE_URL names a reachable
PostgreSQL, on PostgreSQL too.

The schema is made once per test session, not once per test: on SQLite it is built once
into a template file that each test gets a copy of; on PostgreSQL it is built once, and
every table is emptied after each test (sequences restart, so ids start at 1 again).
Tests still commit for real, so live servers and concurrent requests see each other's
writes. A test that runs DDL (a migration) gets the schema rebuilt after it; so does one
whose PostgreSQL went away. `app_on(url)` gives any test the same, on any URL.

Cheap in tests only: argon2's CHEAPEST profile (ARGON2_PROFILE), commits that do not wait
for fsync, templates and URL builders compiled once per process instead of once per app.

Under pytest-xdist (`-n 2`, as .ci/run does) each worker works on its own PostgreSQL
database, test_x_gw0, test_x_gw1, made on first use beside the one TEST_DATABASE_URL names.
"""

import atexit
import os
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from hypothesis import settings
from jinja2 import FileSystemBytecodeCache
from werkzeug.routing import Rule

from coprod.extensions import db
from coprod.factory import create_app

# CI draws the same examples on every run, so a red run can be repeated and a green one
# does not depend on luck; a developer's run still searches afresh each time.
# No example has a time limit: Hypothesis's default (200 ms an example) failed tests on a
# machine busy with other work, and a test must not depend on the speed of the machine.
settings.register_profile("coprod", deadline=None)
settings.register_profile("ci", settings.get_profile("coprod"), derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "coprod")


def _own_database(url: str) -> str:
    """Under pytest-xdist, each worker's own database beside the named one (test_x_gw0),
    made on first use; else the named one. Also what subprocesses of the worker get."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    where = sa.engine.make_url(url)
    mine = where.set(database=f"{where.database}_{worker}")
    engine = sa.create_engine(where, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": mine.database}
            ).first()
            if not found:
                quoted = conn.dialect.identifier_preparer.quote(mine.database)
                conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
    except sa.exc.OperationalError:
        return url  # unreachable: the PostgreSQL tests skip
    finally:
        engine.dispose()
    os.environ["TEST_DATABASE_URL"] = mine.render_as_string(hide_password=False)
    return os.environ["TEST_DATABASE_URL"]


PG_URL = _own_database(os.environ.get("TEST_DATABASE_URL", ""))


def _postgres_reachable() -> bool:
    if not PG_URL:
        return False
    try:
        with sa.create_engine(PG_URL, poolclass=sa.pool.NullPool).connect():
            return True
    except sa.exc.OperationalError:
        return False


DATABASES = ["sqlite"] + (["postgres"] if _postgres_reachable() else [])


def pytest_generate_tests(metafunc):
    if "database" in metafunc.fixturenames:
        metafunc.parametrize("database", DATABASES, indirect=True)


@pytest.fixture
def database(request):
    """Which database the test runs on: 'sqlite' or 'postgres'."""
    return request.param


@pytest.fixture
def postgres_url():
    """A PostgreSQL URL for tests that need real row locks; skips when there is none."""
    if "postgres" not in DATABASES:
        pytest.skip("PostgreSQL not reachable: set TEST_DATABASE_URL to run this test")
    return PG_URL


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production, not the test's own `g`."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _session_folder(name: str) -> Path:
    """A folder for this test process, removed when it ends."""
    folder = Path(tempfile.mkdtemp(prefix=f"coprod-{name}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


# Each test's app has its own Jinja environment, which compiled every template it rendered
# anew: a third of a short test's time. Jinja's bytecode cache, shared by the session's
# apps (all configured alike by create_app), compiles each template once.
_compiled_templates = FileSystemBytecodeCache(str(_session_folder("jinja")))


# Each app compiled two URL builders for each of its hundred routes, as Python code: most
# of building an app (50 ms), and a suite builds thousands. Werkzeug binds each builder to
# its rule when it is called (`self._converters`), so the code depends only on the rule's
# shape, and the session's apps share it. If Werkzeug renames the method, this fails loudly.
_builders: dict = {}
_compile_builder = Rule._compile_builder


def _shared_builder(rule: Rule, append_unknown: bool = True):
    defaults = sorted((name, repr(value)) for name, value in (rule.defaults or {}).items())
    key = (rule.rule, rule.host, rule.subdomain, tuple(rule._trace), tuple(defaults))
    key += (tuple(sorted((n, type(c)) for n, c in rule._converters.items())), append_unknown)
    if (built := _builders.get(key)) is None:
        built = _builders[key] = _compile_builder(rule, append_unknown)
    return built


Rule._compile_builder = _shared_builder


@sa.event.listens_for(sa.engine.Engine, "connect")
def _no_waiting_for_the_disk(dbapi_connection, _record) -> None:
    """Commits do not wait for the disk: tests never survive a power cut anyway.

    A commit is still a commit (other connections see it, a restarted PostgreSQL keeps it:
    it writes its log before a clean shutdown); only the wait for fsync goes, which on a
    busy machine was most of a short test's time.
    """
    cursor = dbapi_connection.cursor()
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor.execute("PRAGMA synchronous=OFF")
    else:
        cursor.execute("SET synchronous_commit = off")
        dbapi_connection.commit()
    cursor.close()


def make_app(url: str, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Huey's testing mode: jobs (emails, big counts) run at once, inside the request.
        "HUEY_IMMEDIATE": True,
        # argon2's profile made for tests: a staff password hashes in microseconds, not
        # the 50 ms or more the strong default takes (several sign-ins a test add up).
        "ARGON2_PROFILE": "CHEAPEST",
    }
    app = create_app(config | overrides)
    app.test_client_class = FreshContextClient
    app.jinja_env.bytecode_cache = _compiled_templates
    return app


def app_on(url: str, **overrides):
    """An app on an empty database at `url`, inside its app context; emptied again after.

    `overrides` go to the app's config, as in `make_app`.
    """
    copied = _copy_sqlite_schema(url)
    app = make_app(url, **overrides)
    with app.app_context():
        if not copied:
            _prepare_schema()
        try:
            yield app
        finally:
            db.session.remove()
            _empty_after(copied)
            db.engine.dispose()


@pytest.fixture
def app(database, tmp_path):
    url = PG_URL if database == "postgres" else f"sqlite:///{tmp_path / 'test.db'}"
    yield from app_on(url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """Fetch a page as a browser would and read the CSRF token from its form."""
    page = client.get(url)
    found = CSRF.search(page.get_data(as_text=True))
    assert found, f"no CSRF token in the form at {url}"
    return found.group(1)


# --- The schema, made once per session ----------------------------------------------------

_sqlite_template: Path | None = None
# PostgreSQL URLs whose schema this session built and has not seen changed since.
_postgres_built: set[str] = set()
_ddl_seen = False  # DDL ran (a migration test): the schema is built again after the test


@sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _watch_for_ddl(_conn, _cursor, statement, *_rest) -> None:
    global _ddl_seen
    if not _ddl_seen and statement.lstrip()[:5].upper() in ("CREAT", "ALTER", "DROP "):
        _ddl_seen = True


def _sqlite_file(url: str) -> Path | None:
    where = sa.engine.make_url(url)
    if where.get_backend_name() != "sqlite" or where.database in (None, "", ":memory:"):
        return None
    return Path(where.database)


def _copy_sqlite_schema(url: str) -> bool:
    """Give a SQLite file that does not exist yet the schema, as a copy; True if done."""
    global _sqlite_template
    path = _sqlite_file(url)
    if path is None or path.exists():
        return False
    if _sqlite_template is None:
        template = _session_folder("schema") / "schema.db"
        with make_app(f"sqlite:///{template}").app_context():
            db.create_all()
            db.engine.dispose()  # the last connection out folds the WAL into the file
        _sqlite_template = template
    shutil.copyfile(_sqlite_template, path)
    return True


def _prepare_schema() -> None:
    """Make the app's database an empty schema: on PostgreSQL, once per session."""
    global _ddl_seen
    engine = db.engine
    key = engine.url.render_as_string(hide_password=False)
    # Built earlier and untouched since: a fixture of a test's own may have dropped tables
    # without going through `app_on`, so any DDL seen meanwhile means build it again.
    if engine.dialect.name == "postgresql" and key in _postgres_built and not _ddl_seen:
        _ddl_seen = False
        return
    db.drop_all()
    db.create_all()
    _ddl_seen = False
    if engine.dialect.name == "postgresql":
        _postgres_built.add(key)


def _empty_after(copied: bool) -> None:
    engine = db.engine
    if copied:  # the copy is the test's alone; it goes with its tmp_path
        return
    if engine.dialect.name != "postgresql":
        db.drop_all()
        return
    key = engine.url.render_as_string(hide_password=False)
    _postgres_built.discard(key)
    if _ddl_seen:
        return  # the test changed the schema: the next test builds it again
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(_empty_all())
    except sa.exc.DBAPIError:
        return  # the server went away (a fault test): the next test builds it again
    _postgres_built.add(key)


def _empty_all() -> str:
    """One statement that empties every table and sets every sequence back to 1.

    DELETE, children before parents, rather than TRUNCATE: TRUNCATE makes new files for
    every table and index, some 25 ms each with fsync on; DELETE on a few rows is nothing.
    Tables the models do not know (a library's own) are emptied first.
    """
    quote = db.engine.dialect.identifier_preparer.quote
    known = [table.name for table in reversed(db.metadata.sorted_tables)]
    names = ", ".join("'" + name.replace("'", "''") + "'" for name in known)
    deletes = "".join(f"DELETE FROM {quote(name)};\n" for name in known)
    return f"""
DO $$
DECLARE other text;
BEGIN
    FOR other IN SELECT quote_ident(tablename) FROM pg_tables
        WHERE schemaname = current_schema() AND tablename NOT IN ({names})
    LOOP
        EXECUTE 'DELETE FROM ' || other;
    END LOOP;
{deletes}
    PERFORM setval(c.oid, 1, false) FROM pg_class c
        WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace;
END $$"""


# The longest tests outside the browser, started first (just after the browser groups, which
# are longer still): started last, as their file names put them, each ran on alone at the end
# while the other workers sat idle.
LONG_FIRST = ("test_soak.py", "test_hostile_paths.py", "test_benches.py", "test_limits.py")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    def when(item) -> tuple[int, int]:
        path = Path(str(item.fspath))
        if path.parent.name == "e2e":
            return (0, 0)
        if path.name in LONG_FIRST:
            return (1, LONG_FIRST.index(path.name))
        return (2, 0)

    items.sort(key=when)  # stable: the order within each part is kept
