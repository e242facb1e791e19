"""Fixtures in the flaskr style: an app from a test config, a client, a CLI runner.

Tests that use `app` run on SQLite and, when TEST_DATABASE_URL names a reachable
PostgreSQL, on PostgreSQL too.
"""

import os
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from coprod.extensions import db
from coprod.factory import create_app

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def _postgres_reachable() -> bool:
    if not PG_URL:
        return False
    try:
        with sa.create_engine(PG_URL).connect():
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


def make_app(url: str, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Huey's testing mode: jobs (emails, big counts) run at once, inside the request.
        "HUEY_IMMEDIATE": True,
    }
    app = create_app(config | overrides)
    app.test_client_class = FreshContextClient
    return app


def app_on(url: str):
    """An app on an empty database at `url`, inside its app context; emptied again after."""
    app = make_app(url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
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
