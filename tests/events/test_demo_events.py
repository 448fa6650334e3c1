"""The demo events: past conferences, an upcoming conference and meetings open now; idempotent."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from events.demo import seed_events
from events.models import Answer, Event, Question, Registration, Session, SessionChoice
from partners.demo import seed_partners
from partners.models import Network


def _snapshot():
    return {
        "events": sorted(
            Event.objects.values_list(
                "uid",
                "title",
                "starts_at",
                "ends_at",
                "status",
                "seats_taken",
                "sequence",
                "registration_opens_at",
                "registration_closes_at",
            )
        ),
        "sessions": sorted(Session.objects.values_list("event__uid", "title", "seats_taken")),
        "questions": sorted(Question.objects.values_list("event__uid", "label", "position")),
        "registrations": sorted(
            Registration.objects.values_list(
                "event__uid",
                "email",
                "status",
                "checked_in_at",
                "ticket_code",
                "token",
                "created_at",
            )
        ),
        "choices": SessionChoice.objects.count(),
        "answers": Answer.objects.count(),
    }


@pytest.mark.django_db
def test_demo_seed_twice_changes_nothing():
    seed_partners()
    seed_events()
    first = _snapshot()
    seed_partners()
    seed_events()
    assert _snapshot() == first
    assert len(first["events"]) >= 10


@pytest.mark.django_db
def test_demo_seed_demo_command_loads_events():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert Event.objects.filter(kind=Event.Kind.CONFERENCE).count() == 3


@pytest.fixture
def seeded(db):
    seed_partners()
    seed_events()


def test_demo_past_conferences_hosted_by_the_county_mayor(seeded):
    for year in (2020, 2021):
        event = Event.objects.get(title=f"Partnerskapskonferansen {year}")
        assert event.is_past
        assert event.kind == Event.Kind.CONFERENCE
        assert event.network.slug == "baerekraftige-vestfold-og-telemark"
        assert "Terje Riis Johansen" in event.organiser_name
        assert event.starts_at.year == year


def test_demo_upcoming_conference_is_open_with_workshops_and_questions(seeded):
    now = timezone.now()
    event = Event.objects.get(kind=Event.Kind.CONFERENCE, starts_at__gt=now)
    assert event.status == Event.Status.PUBLISHED
    assert event.capacity == 250 and event.serves_food and event.offers_assistance
    assert event.registration_opens_at < now < event.registration_closes_at
    workshops = event.sessions.filter(requires_signup=True)
    assert workshops.count() == 4
    assert {w.capacity for w in workshops} == {60}
    # Parallel: all four workshops run at the same time.
    assert len({(w.starts_at, w.ends_at) for w in workshops}) == 1
    assert 2 <= event.questions.count() <= 3
    assert event.title == "Partnerskapskonferansen %s" % event.starts_at.year


def test_demo_meetings_open_now_for_every_thematic_network(seeded):
    now = timezone.now()
    meetings = Event.objects.filter(
        kind=Event.Kind.NETWORK_MEETING,
        starts_at__gt=now,
        status=Event.Status.PUBLISHED,
        registration_opens_at__lt=now,
        registration_closes_at__gt=now,
    )
    slugs = set(meetings.values_list("network__slug", flat=True))
    thematic = set(
        Network.objects.filter(kind=Network.Kind.THEMATIC).values_list("slug", flat=True)
    )
    assert thematic <= slugs
    modes = set()
    for meeting in meetings:
        modes.add(
            "hybrid"
            if meeting.venue_name and meeting.meeting_url
            else "digital"
            if meeting.meeting_url
            else "physical"
        )
    assert modes == {"digital", "hybrid", "physical"}


def test_demo_seat_counters_match_the_rows(seeded):
    holding = [Registration.Status.CONFIRMED, Registration.Status.OFFERED]
    for event in Event.objects.annotate(
        held=Count("registrations", filter=Q(registrations__status__in=holding))
    ):
        assert event.seats_taken == event.held, event.title
    full = Event.objects.get(network__slug="folkehelse", capacity=4)
    assert full.seats_left == 0
    assert full.registrations.filter(status=Registration.Status.WAITLISTED).count() == 1


def test_demo_organiser_sees_demo_catering_list(client, seeded, make_organiser):
    event = Event.objects.get(kind=Event.Kind.CONFERENCE, starts_at__gt=timezone.now())
    client.force_login(make_organiser("root", superuser=True))
    html = client.get(
        f"/arrangor/arrangementer/{event.pk}/servering-og-tilrettelegging/"
    ).content.decode()
    assert "Glutenfri" in html and "Trenger teleslynge" in html
