"""The organiser's overview of one event: registrations received per day (cumulative) and
confirmed registrations per member organisation of the event's network (or, for an event of no
network, of its host's partnership), members without any shown with 0. Two queries each way,
however many registrations."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate

from partners.models import Network, Organisation, OrganisationMembership

from ..calendar.vtimezone import OSLO
from ..models import Event, Registration

MAX_DAYS = 120  # the chart's longest run of days; earlier days are summed into the first


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    new: int
    total: int


@dataclass(frozen=True)
class MemberCount:
    organisation: Organisation
    role: str
    confirmed: int


@dataclass(frozen=True)
class MemberCounts:
    network: Network | None
    members: list[MemberCount]
    others: int  # confirmed registrations of no member organisation


def registrations_per_day(event: Event) -> list[DayCount]:
    """Every day (Oslo) from the first registration to the last, with that day's new
    registrations (any status, later cancellations too) and the running total."""
    rows = (
        Registration.objects.filter(event=event)
        .annotate(day=TruncDate("created_at", tzinfo=OSLO))
        .values("day")
        .annotate(new=Count("pk"))
        .order_by("day")
    )
    per_day = {row["day"]: row["new"] for row in rows}
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    start = max(first, last - dt.timedelta(days=MAX_DAYS - 1))
    total = sum(new for day, new in per_day.items() if day < start)
    days = []
    day = start
    while day <= last:
        total += per_day.get(day, 0)
        days.append(DayCount(day=day, new=per_day.get(day, 0), total=total))
        day += dt.timedelta(days=1)
    return days


def members_network(event: Event) -> Network | None:
    if event.network_id is not None:
        return event.network
    return (
        Network.objects.filter(kind=Network.Kind.PARTNERSHIP, hosts=event.host_id)
        .order_by("pk")
        .first()
    )


def registrations_per_member(event: Event) -> MemberCounts:
    network = members_network(event)
    counts = {
        row["organisation"]: row["n"]
        for row in Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
        .values("organisation")
        .annotate(n=Count("pk"))
    }
    memberships = (
        list(
            OrganisationMembership.objects.filter(network=network)
            .select_related("organisation")
            .order_by("position", "organisation__name")
        )
        if network is not None
        else []
    )
    members = [
        MemberCount(
            organisation=m.organisation,
            role=m.get_role_display(),
            confirmed=counts.get(m.organisation_id, 0),
        )
        for m in memberships
    ]
    member_ids = {m.organisation_id for m in memberships}
    others = sum(n for pk, n in counts.items() if pk not in member_ids)
    return MemberCounts(network=network, members=members, others=others)
