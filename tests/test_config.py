"""Deployment settings and the health endpoint."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**extra: str) -> dict[str, str]:
    drop = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="partnerskap.example.org",
        SITE_URL="https://partnerskap.example.org",
        **extra,
    )
    return env


def test_check_deploy_is_clean_in_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secret_key():
    env = _production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_healthz_is_200_when_database_and_broker_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True}


def test_healthz_is_503_when_the_broker_is_unreachable(client, db, settings):
    from worker.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"] is False
    assert response.json()["database"] is True


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_language_switch_is_remembered(client, db, language):
    response = client.post(
        "/i18n/setlang/", {"language": language, "next": "/partnerskap/"}, follow=True
    )
    assert response.status_code in (200, 404)  # 404 only if the demo data is not loaded
    page = client.get("/")
    assert f'<html lang="{language}">' in page.content.decode()


def _settings_with(monkeypatch, tmp_path, **env: str) -> dict:
    """config/settings.py read afresh with these environment variables (others as the test run's)."""
    import runpy

    for name in ("EMAIL_URL", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "settings.py"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://smtp.example.org",
            {"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": 25, "EMAIL_USE_TLS": False},
        ),
        (
            "smtp://smtp.example.org:2525?tls=1",
            {"EMAIL_PORT": 2525, "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False},
        ),
        (
            "smtps://us%40er:p%2Bss%20w@smtp.example.org",
            {
                "EMAIL_PORT": 465,
                "EMAIL_USE_SSL": True,
                "EMAIL_USE_TLS": False,
                "EMAIL_HOST_USER": "us@er",
                "EMAIL_HOST_PASSWORD": "p+ss w",
            },
        ),
        (
            "submission://user:pw@smtp.example.org",
            {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False},
        ),
    ],
)
def test_email_url_smtp_schemes(monkeypatch, tmp_path, url, expected):
    settings = _settings_with(monkeypatch, tmp_path, EMAIL_URL=url)
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert {name: settings[name] for name in expected} == expected


@pytest.mark.parametrize(
    ("url", "backend", "file_path"),
    [
        ("file:/srv/mail", "worker.eml_backend.EmailBackend", "/srv/mail"),
        ("file:///srv/mail", "worker.eml_backend.EmailBackend", "/srv/mail"),
        ("console:", "django.core.mail.backends.console.EmailBackend", None),
        ("locmem:", "django.core.mail.backends.locmem.EmailBackend", None),
        ("", "worker.eml_backend.EmailBackend", "mail"),
    ],
)
def test_email_url_other_schemes_and_the_default(monkeypatch, tmp_path, url, backend, file_path):
    settings = _settings_with(monkeypatch, tmp_path, EMAIL_URL=url)
    assert settings["EMAIL_BACKEND"] == backend
    if file_path == "mail":
        assert settings["EMAIL_FILE_PATH"] == str(tmp_path / "mail")
    elif file_path:
        assert settings["EMAIL_FILE_PATH"] == file_path


def test_email_url_with_an_unknown_scheme_refuses_to_start(monkeypatch, tmp_path):
    with pytest.raises(Exception, match="EMAIL_URL"):
        _settings_with(monkeypatch, tmp_path, EMAIL_URL="pigeon://loft")


@pytest.mark.parametrize(
    ("value", "debug"),
    [("1", True), ("true", True), (" Yes ", True), ("on", True), ("0", False), ("no", False)],
)
def test_boolean_variables(monkeypatch, tmp_path, value, debug):
    settings = _settings_with(monkeypatch, tmp_path, DEBUG=value, SECRET_KEY="x" * 50)
    assert settings["DEBUG"] is debug


def test_lists_and_defaults(monkeypatch, tmp_path):
    settings = _settings_with(monkeypatch, tmp_path, ALLOWED_HOSTS=" a.example.org, ,b.example.org")
    assert settings["ALLOWED_HOSTS"] == ["a.example.org", "b.example.org"]
    settings = _settings_with(monkeypatch, tmp_path)
    assert settings["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]", "testserver"]
    assert settings["DATABASES"]["default"]["NAME"] == str(tmp_path / "partnerskap.sqlite3")
    assert settings["DATABASES"]["default"]["CONN_MAX_AGE"] == 60
    assert settings["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings["CELERY_BROKER_URL"] == "filesystem://"
    assert settings["CELERY_BROKER_TRANSPORT_OPTIONS"]["control_folder"] == str(
        tmp_path / "broker" / "control"
    )


def test_database_and_cache_urls(monkeypatch, tmp_path):
    settings = _settings_with(
        monkeypatch,
        tmp_path,
        DATABASE_URL="postgres://u:p%40x@db.example.org:5433/partnerskap?sslmode=require",
        DATABASE_CONN_MAX_AGE="none",
        DATABASE_CONN_HEALTH_CHECKS="0",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "config.postgresql"
    assert (database["USER"], database["PASSWORD"], database["HOST"], database["PORT"]) == (
        "u",
        "p@x",
        "db.example.org",
        5433,
    )
    assert database["NAME"] == "partnerskap"
    assert database["CONN_MAX_AGE"] is None
    assert database["CONN_HEALTH_CHECKS"] is False
    assert database["OPTIONS"] == {
        "sslmode": "require",
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
    assert settings["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert settings["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/3"


def test_the_mailbox_is_polled_only_when_inbound_mail_url_is_set(monkeypatch, tmp_path):
    monkeypatch.delenv("INBOUND_MAIL_URL", raising=False)
    monkeypatch.delenv("INBOUND_MAIL_POLL_SECONDS", raising=False)
    unset = _settings_with(monkeypatch, tmp_path)
    assert unset["INBOUND_MAIL_URL"] == "" and unset["INBOUND_MAIL_POLL_SECONDS"] == 60.0
    assert "poll-mailbox" not in unset["CELERY_BEAT_SCHEDULE"]

    url = "imaps://svar%40example.org:p%40ss@imap.example.org/INBOX"
    polled = _settings_with(
        monkeypatch, tmp_path, INBOUND_MAIL_URL=url, INBOUND_MAIL_POLL_SECONDS="30"
    )
    assert polled["INBOUND_MAIL_URL"] == url
    entry = polled["CELERY_BEAT_SCHEDULE"]["poll-mailbox"]
    assert (entry["task"], entry["schedule"]) == ("worker.poll_mailbox", 30.0)

    with pytest.raises(Exception, match="INBOUND_MAIL_URL"):
        _settings_with(monkeypatch, tmp_path, INBOUND_MAIL_URL="pop3://u:p@host/INBOX")
