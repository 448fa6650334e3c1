"""Load the partnership's registry for production: organisations, hosts, networks; no people."""

from django.core.management.base import BaseCommand, CommandParser

from partners.demo import seed_partners
from partners.models import Host, Network, Organisation

PARTNERSHIP_SLUG = "baerekraftige-vestfold-og-telemark"


class Command(BaseCommand):
    help = (
        "Load Bærekraftige Vestfold og Telemark as its founding text names it: the member and "
        "observer organisations, the two counties as hosts, the partnership and its networks. "
        "No people, events or demo logins (seed_demo adds those). Once loaded, it changes "
        "nothing unless --update is given (which sets those rows back to the text's values)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help="set the rows back to the founding text's values (host addresses included)",
        )

    def handle(self, *args, **options) -> None:
        if Network.objects.filter(slug=PARTNERSHIP_SLUG).exists() and not options["update"]:
            self.stdout.write(
                "The registry is loaded already; nothing changed (--update resets it)."
            )
            return
        seed_partners(with_people=False)
        self.stdout.write(
            self.style.SUCCESS(
                "Registry loaded: %d organisations, %d hosts, %d networks."
                % (Organisation.objects.count(), Host.objects.count(), Network.objects.count())
            )
        )
        self.stdout.write(
            "Next: set each host's contact address (/admin/partners/host/), give organisers their "
            "roles (/admin/partners/organiserrole/), and import people per network: "
            "manage.py import_people FILE.csv --network SLUG"
        )
