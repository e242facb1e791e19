"""The real-browser harness: Debian's Chromium driven by Playwright, against a live server.

The server runs in a thread on a temporary SQLite file with the demo loaded and CSRF on.
Browser tests skip (not fail) when /usr/bin/chromium is missing.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from coprod.extensions import db
from coprod.factory import create_app

CHROMIUM = "/usr/bin/chromium"

if not Path(CHROMIUM).exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def browser_app(folder: Path, secret: str):
    """An app for a live server in a browser test: its own SQLite file in `folder`."""
    return create_app(
        {
            "SECRET_KEY": secret,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.db'}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "ARGON2_PROFILE": "CHEAPEST",  # argon2's profile for tests, as in make_app
        }
    )


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app with the demo loaded, and the lines the demo printed (logins and codes)."""
    app = browser_app(tmp_path_factory.mktemp("live"), "browser-tests")
    from coprod.demo import load

    with app.app_context():
        db.create_all()
        app.demo_lines = list(load(app.config))
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def base_url(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def demo_codes(live_app):
    """Unused voter codes the demo printed for the round that is voting."""
    return [
        line.strip()
        for line in live_app.demo_lines
        if line.startswith("  ") and line.strip().count("-") == 2 and " " not in line.strip()
    ]


@pytest.fixture(scope="session")
def demo_logins(live_app):
    """{role: (email, password)} for the accounts the demo printed."""
    found = {}
    for line in live_app.demo_lines:
        parts = line.split()
        if len(parts) == 3 and "@" in parts[1]:
            found.setdefault(parts[0], (parts[1], parts[2]))
    return found


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{base_url}/sign-in")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)
            # With pytest-xdist's --dist loadgroup, a group's tests share one worker, one
            # Chromium and one demo. Three groups of about equal length, spread over CI's
            # workers, so none waits long at the end: every page's check; the walks
            # through every language and every printed sheet; the journeys.
            item.add_marker(
                pytest.mark.xdist_group(GROUPS.get(Path(str(item.fspath)).name, "browser-journeys"))
            )


GROUPS = {
    "test_pages.py": "browser-pages",
    **dict.fromkeys(
        [
            "test_every_language.py",
            "test_map.py",
            "test_zoom_focus.py",
            "test_ideas_delivery.py",
            "test_workshop.py",
            "test_offers.py",
        ],
        "browser-walks",
    ),
}
