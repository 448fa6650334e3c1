from django.core.management.base import BaseCommand

from events.services.retention import apply_retention


class Command(BaseCommand):
    help = "Delete dietary/assistance needs and anonymise participants whose retention period has passed."

    def handle(self, *args, **options):
        result = apply_retention()
        self.stdout.write(
            "Special needs deleted: %d; registrations anonymised: %d"
            % (result.special_needs_deleted, result.anonymised)
        )
