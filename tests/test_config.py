"""Configuration from the environment, with no secret in the code."""

import os
import stat

from coprod import config


def test_secret_key_is_generated_once_and_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key(str(tmp_path))
    assert len(first) >= 40
    assert config.secret_key(str(tmp_path)) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert config.secret_key(str(tmp_path)) == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_database_defaults_to_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert config.database_url(str(tmp_path)) == f"sqlite:///{tmp_path / 'coprod.db'}"


def test_postgres_urls_use_psycopg_3(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/coprod")
    assert config.database_url(str(tmp_path)) == "postgresql+psycopg://u@db/coprod"


def test_redis_backs_rate_limits_when_configured(tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SECRET_KEY", "x")
    assert config.from_environment(str(tmp_path))["RATELIMIT_STORAGE_URI"].startswith("redis://")
    monkeypatch.delenv("REDIS_URL")
    assert config.from_environment(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"


def test_cookies_are_secure_by_default_when_the_site_is_on_https(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("SECURE_COOKIES", raising=False)
    for url, secure in [
        ("https://vote.example.gov.uk", True),
        ("HTTPS://vote.example.gov.uk/", True),
        ("http://127.0.0.1:5000", False),
    ]:
        monkeypatch.setenv("PUBLIC_URL", url)
        assert config.from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is secure, url
    monkeypatch.delenv("PUBLIC_URL")
    assert config.from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is False
    overridden = config.from_environment(str(tmp_path), {"PUBLIC_URL": "https://x.example"})
    assert overridden["SESSION_COOKIE_SECURE"] is True


def test_secure_cookies_setting_wins_over_the_address(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("PUBLIC_URL", "https://vote.example.gov.uk")
    monkeypatch.setenv("SECURE_COOKIES", "0")
    assert config.from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("PUBLIC_URL", "http://10.0.0.5:8000")  # TLS ended at a proxy
    monkeypatch.setenv("SECURE_COOKIES", "1")
    assert config.from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is True


def test_on_https_the_session_and_language_cookies_are_secure(tmp_path, monkeypatch):
    from coprod.extensions import db
    from tests.conftest import make_app

    monkeypatch.delenv("SECURE_COOKIES", raising=False)
    app = make_app(f"sqlite:///{tmp_path / 'x.db'}", PUBLIC_URL="https://vote.example.gov.uk")
    with app.app_context():
        db.create_all()
    client = app.test_client()
    chosen = client.get("/language/ur", base_url="https://vote.example.gov.uk")
    cookies = chosen.headers.getlist("Set-Cookie")
    assert any(c.startswith("lang=ur") and "Secure" in c for c in cookies), cookies
    page = client.get("/sign-in", base_url="https://vote.example.gov.uk")
    cookies = page.headers.getlist("Set-Cookie")
    assert any(c.startswith("session=") and "Secure" in c for c in cookies), cookies
