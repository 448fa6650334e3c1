"""Recompute the seat counters from the registration rows and report any drift."""

from django.core.management.base import BaseCommand, CommandError

from events.services.waiting_list import recount_seats


class Command(BaseCommand):
    help = (
        "Compare events' and sessions' seat counters with the registrations; --fix corrects them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Set the counters to the counts.")

    def handle(self, *args, fix: bool = False, **options):
        drift = recount_seats(fix=fix)
        for d in drift:
            self.stdout.write(
                "%s %d (%s): counter %d, registrations %d, drift %+d"
                % (d.kind, d.pk, d.title, d.stored, d.actual, d.stored - d.actual)
            )
        if not drift:
            self.stdout.write(self.style.SUCCESS("No drift: every seat counter matches the rows."))
        elif fix:
            self.stdout.write(self.style.SUCCESS("Fixed %d counter(s)." % len(drift)))
        else:
            raise CommandError("%d counter(s) drift; run with --fix to correct them." % len(drift))
