from django.core.management.base import BaseCommand

from events.services.retention import apply_retention
from invitations.services.retention import anonymise_invitations


class Command(BaseCommand):
    help = (
        "Delete dietary/assistance needs, and anonymise participants, invitations and sent "
        "emails whose retention period has passed (also run daily by Celery beat)."
    )

    def handle(self, *args, **options):
        result = apply_retention()
        invitations = anonymise_invitations()
        self.stdout.write(
            "Special needs deleted: %d; registrations anonymised: %d; invitations anonymised: %d; "
            "API idempotency records deleted: %d"
            % (
                result.special_needs_deleted,
                result.anonymised,
                invitations,
                result.idempotency_records_deleted,
            )
        )
