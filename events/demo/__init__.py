"""Demo events: the partnership's past conferences and meetings, and upcoming ones open for
registration now. Idempotent: every row is keyed (events by a fixed UID), created once and
never moved, so running the seed again changes nothing.

Depends on partners.demo.seed_partners having run (hosts, networks and people).
"""

from django.db import transaction
from django.utils import timezone

from partners.models import Host, Network

from .building import recount
from .conferences import seed_conferences
from .meetings import seed_meetings
from .records import seed_records
from .registrations import seed_registrations


@transaction.atomic
def seed_events() -> None:
    telemark = Host.objects.get(slug="telemark")
    vestfold = Host.objects.get(slug="vestfold")
    partnership = Network.objects.get(slug="baerekraftige-vestfold-og-telemark")
    networks = {n.slug: n for n in Network.objects.all()}
    today = timezone.localdate()
    now = timezone.now()
    conferences = seed_conferences(
        telemark=telemark, vestfold=vestfold, partnership=partnership, today=today, now=now
    )
    upcoming, past = seed_meetings(
        telemark=telemark, vestfold=vestfold, networks=networks, today=today, now=now
    )
    seed_registrations(conferences=conferences, upcoming=upcoming, past=past)
    seed_records(conferences=conferences)
    for event in [*conferences.values(), *upcoming.values(), *past.values()]:
        recount(event)
