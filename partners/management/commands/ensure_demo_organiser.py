"""Create the demo organiser on first run with a generated password, and print the login."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from partners.demo import demo_organiser_logins


class Command(BaseCommand):
    help = "Create (once) a superuser 'arrangor' with a generated password; print the login."

    def handle(self, *args, **options):
        User = get_user_model()
        secret_file = Path(settings.VAR_DIR) / "organiser-login.txt"
        user = User.objects.filter(username="arrangor").first()
        generated = user is None or not secret_file.exists()
        if generated:
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_superuser("arrangor", "arrangor@example.org", password)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            secret_file.write_text(password)
            secret_file.chmod(0o600)
        password = secret_file.read_text().strip()
        self.stdout.write("Organiser login: arrangor / %s" % password)
        # The scoped demo organisers (seed_demo) share the password; each sees only its role.
        logins = demo_organiser_logins(password=password, reset=generated)
        if logins:
            self.stdout.write("Scoped organisers (the same password), each sees only its role:")
            width = max(len(username) for username, _scope in logins)
            for username, scope in logins:
                self.stdout.write("  %s  %s" % (username.ljust(width), scope))
