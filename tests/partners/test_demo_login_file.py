"""The demo login `make run` prints is kept per database, with its user name."""

import io
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _run(settings, tmp_path) -> tuple[str, str]:
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("ensure_demo_organiser", stdout=out)
    password = re.search(r"Organiser login: arrangor / (\S+)", out.getvalue())
    kept = re.search(r"\(kept in (.+)\)", out.getvalue())
    assert password and kept, out.getvalue()
    return password[1], kept[1]


def test_the_login_file_names_the_user_and_only_its_owner_reads_it(db, settings, tmp_path):
    password, kept = _run(settings, tmp_path)
    (path,) = (tmp_path / "organiser-logins").iterdir()
    assert str(path) == kept
    assert "arrangor %s" % password in path.read_text().splitlines()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not (tmp_path / "organiser-login.txt").exists()


def test_a_password_changed_since_is_replaced_by_one_that_works(db, settings, tmp_path):
    first, _kept = _run(settings, tmp_path)
    user = get_user_model().objects.get(username="arrangor")
    user.set_password("changed-in-the-admin")
    user.save()
    second, _kept = _run(settings, tmp_path)
    assert second != first
    assert Client().login(username="arrangor", password=second)
    again, _kept = _run(settings, tmp_path)
    assert again == second


def _manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    ).stdout


def _logs_in(database: Path, password: str) -> bool:
    with sqlite3.connect(database) as conn:
        (encoded,) = conn.execute(
            "SELECT password FROM auth_user WHERE username = 'arrangor'"
        ).fetchone()
    return PBKDF2PasswordHasher().verify(password, encoded)  # the subprocesses' default


def test_two_databases_in_one_checkout_keep_their_own_login(tmp_path):
    var = tmp_path / "var"
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    base["VAR_DIR"] = str(var)
    first = {**base, "DATABASE_URL": "sqlite:///%s" % (tmp_path / "first.sqlite3")}
    second = {**base, "DATABASE_URL": "sqlite:///%s" % (tmp_path / "second.sqlite3")}
    _manage(first, "migrate", "--noinput", "-v0")
    shutil.copy(tmp_path / "first.sqlite3", tmp_path / "second.sqlite3")  # migrated, no users

    def login(env: dict[str, str]) -> str:
        match = re.search(
            r"Organiser login: arrangor / (\S+)", _manage(env, "ensure_demo_organiser")
        )
        assert match
        return match[1]

    on_first = login(first)
    on_second = login(second)
    assert on_first != on_second
    assert login(first) == on_first  # the second database's run did not overwrite it
    assert _logs_in(tmp_path / "first.sqlite3", on_first)
    assert _logs_in(tmp_path / "second.sqlite3", on_second)
    assert len(list((var / "organiser-logins").iterdir())) == 2
