"""Load the demo partnership and its events. Safe to run again: it changes nothing the second time."""

from django.core.management.base import BaseCommand

from calls.demo import seed_calls
from events.demo import seed_events
from feedback.demo import seed_feedback
from partners.demo import seed_organisers, seed_partners


class Command(BaseCommand):
    help = (
        "Load the demo partnership (from the seed text), events relative to today and the "
        "calls for input, and the surveys after the past conferences."
    )

    def handle(self, *args, **options):
        seed_partners()
        self.stdout.write(self.style.SUCCESS("Demo partnership loaded."))
        seed_organisers()
        self.stdout.write(self.style.SUCCESS("Demo organisers loaded."))
        seed_events()
        self.stdout.write(self.style.SUCCESS("Demo events loaded."))
        seed_calls()
        self.stdout.write(self.style.SUCCESS("Demo calls for input loaded."))
        seed_feedback()
        self.stdout.write(self.style.SUCCESS("Demo surveys loaded."))
