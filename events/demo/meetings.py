"""The network meetings: one upcoming per network, open for registration now, and the archive."""

from datetime import date, datetime, timedelta

from partners.models import Host, Network

from ..models import Event
from .building import at, demo_event


def seed_meetings(
    *, telemark: Host, vestfold: Host, networks: dict[str, Network], today: date, now: datetime
) -> tuple[dict[str, Event], dict[str, Event]]:
    """The upcoming and the earlier meetings, each by network slug."""
    # Network meetings: one of each kind, registration open now.
    meetings = [
        (
            "klima-og-miljo",
            14,
            dict(
                title="Nettverksmøte klima og miljø: klimabudsjett i kommunene",
                meeting_url="https://teams.example.org/klima-og-miljo",
                starts=(9, 0),
                ends=(11, 0),
                host=vestfold,
            ),
        ),
        (
            "samferdsel-og-mobilitet",
            21,
            dict(
                title="Nettverksmøte samferdsel og mobilitet: kollektivtilbudet over fylkesgrensen",
                venue_name="Fylkeshuset i Tønsberg",
                venue_address="Svend Foyns gate 9, 3126 Tønsberg",
                meeting_url="https://teams.example.org/samferdsel-og-mobilitet",
                capacity=30,
                starts=(12, 0),
                ends=(15, 0),
                host=vestfold,
            ),
        ),
        (
            "verdiskaping-og-kompetanse",
            28,
            dict(
                title="Nettverksmøte verdiskaping og kompetanse: kompetanse for grønn industri",
                venue_name="Universitetet i Sørøst-Norge, campus Porsgrunn",
                venue_address="Kjølnes ring 56, 3918 Porsgrunn",
                capacity=40,
                serves_food=True,
                starts=(10, 0),
                ends=(14, 0),
                host=telemark,
            ),
        ),
        (
            "folkehelse",
            10,
            dict(
                title="Nettverksmøte folkehelse: frivilligheten som inkluderingsarena",
                venue_name="Fylkeshuset i Skien",
                venue_address="Fylkesbakken 1, 3715 Skien",
                capacity=4,
                serves_food=True,
                offers_assistance=True,
                starts=(12, 0),
                ends=(15, 0),
                host=telemark,
            ),
        ),
        (
            "digitv",
            35,
            dict(
                title="DigiTV: styringsgruppemøte",
                venue_name="Tønsberg rådhus",
                venue_address="Halfdan Wilhelmsens allé 1, 3116 Tønsberg",
                meeting_url="https://teams.example.org/digitv",
                starts=(13, 0),
                ends=(15, 0),
                host=vestfold,
            ),
        ),
    ]
    upcoming: dict[str, Event] = {}
    for slug, days_ahead, spec in meetings:
        day = today + timedelta(days=days_ahead)
        starts, ends = spec.pop("starts"), spec.pop("ends")
        assert isinstance(starts, tuple) and isinstance(ends, tuple)
        upcoming[slug] = demo_event(
            "meeting-%s-next" % slug,
            kind=Event.Kind.NETWORK_MEETING,
            network=networks[slug],
            starts_at=at(day, *starts),
            ends_at=at(day, *ends),
            registration_opens_at=now - timedelta(days=1),
            registration_closes_at=at(day - timedelta(days=2), 12),
            status=Event.Status.PUBLISHED,
            waiting_list_mode=Event.WaitingListMode.OFFER,
            description="Møte i fagnettverket %s." % networks[slug].name,
            **spec,
        )

    # Earlier meetings, for the archive ("Tidligere møter").
    past: dict[str, Event] = {}
    for slug, days_ago in (("klima-og-miljo", 70), ("folkehelse", 45)):
        day = today - timedelta(days=days_ago)
        past[slug] = demo_event(
            "meeting-%s-previous" % slug,
            title="Nettverksmøte %s: oppstart og arbeidsplan" % networks[slug].name.lower(),
            kind=Event.Kind.NETWORK_MEETING,
            host=telemark,
            network=networks[slug],
            starts_at=at(day, 10),
            ends_at=at(day, 13),
            venue_name="Fylkeshuset i Skien",
            venue_address="Fylkesbakken 1, 3715 Skien",
            status=Event.Status.PUBLISHED,
        )
    return upcoming, past
