"""python manage.py create_api_token USERNAME [--name NAME]: prints the new token once."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.api_tokens import create_api_token


class Command(BaseCommand):
    help = "Create a personal API token for an organiser and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="manage.py create_api_token")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: options["username"]})
        except User.DoesNotExist:
            raise CommandError("No user %r." % options["username"]) from None
        try:
            new = create_api_token(user=user, name=options["name"])
        except PermissionDenied:
            raise CommandError(
                "%s is neither an organiser nor a superuser." % options["username"]
            ) from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(new.raw)
