"""Create the demo organiser on first run with a generated password, and print the login.

The logins are kept per database, in ``VAR_DIR/organiser-logins/<database>.txt`` (one
``username password`` line each), so a checkout that points at several databases keeps the
login of each: one database's run never overwrites another's.
"""

import os
import re
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection

from partners.demo import SUPERUSER, demo_organiser_logins


def login_file() -> Path:
    """The file for the database this process uses: named after its engine, host, port and
    name (never its user or password)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        identity = "sqlite-%s" % os.path.abspath(str(db["NAME"]))
    else:
        identity = "%s-%s-%s-%s" % (
            connection.vendor,
            db.get("HOST") or "local",
            db.get("PORT") or "default",
            db["NAME"],
        )
    slug = re.sub(r"[^A-Za-z0-9_.]+", "-", identity).strip("-.")
    return Path(settings.VAR_DIR) / "organiser-logins" / ("%s.txt" % slug)


def read_logins(path: Path) -> dict[str, str]:
    logins = {}
    if path.exists():
        for line in path.read_text().splitlines():
            fields = line.split()
            if len(fields) == 2 and not line.startswith("#"):
                logins[fields[0]] = fields[1]
    return logins


def write_logins(path: Path, logins: dict[str, str]) -> None:
    """Only its owner may read it, from the first byte on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(
            "# Demo organiser logins for %s (username password), written by\n"
            "# manage.py ensure_demo_organiser.\n" % connection.settings_dict["NAME"]
        )
        for username, password in logins.items():
            handle.write("%s %s\n" % (username, password))
    os.replace(temporary, path)


class Command(BaseCommand):
    help = "Create (once) a superuser 'arrangor' with a generated password; print the login."

    def handle(self, *args, **options):
        User = get_user_model()
        secret_file = login_file()
        user = User.objects.filter(username=SUPERUSER).first()
        password = read_logins(secret_file).get(SUPERUSER, "")
        # A new database, no file yet, or a password changed since: a new one that works.
        generated = user is None or not password or not user.check_password(password)
        if generated:
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_superuser(SUPERUSER, "arrangor@example.org", password)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
        self.stdout.write("Organiser login: %s / %s" % (SUPERUSER, password))
        self.stdout.write(
            "(a superuser: at the first login it sets up two-step verification, with any"
            " authenticator app; the scoped organisers below need none)"
        )
        # The scoped demo organisers (seed_demo) share the password; each sees only its role.
        logins = demo_organiser_logins(password=password, reset=generated)
        if generated or set(read_logins(secret_file)) != {SUPERUSER, *(u for u, _s in logins)}:
            write_logins(secret_file, {SUPERUSER: password, **{u: password for u, _s in logins}})
        if logins:
            self.stdout.write("Scoped organisers (the same password), each sees only its role:")
            width = max(len(username) for username, _scope in logins)
            for username, scope in logins:
                self.stdout.write("  %s  %s" % (username.ljust(width), scope))
        self.stdout.write("(kept in %s)" % _shown(secret_file))


def _shown(path: Path) -> str:
    base = Path(settings.BASE_DIR)
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
