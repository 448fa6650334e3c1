"""Organiser attendee list: search, filter, sort, paginate, counts, fixed query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Registration
from partners.models import Network, Organisation
from tests.factories import EventFactory, RegistrationFactory, bulk_registrations


@pytest.fixture
def klima(demo):
    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def logged_in(client, make_organiser, klima):
    client.force_login(make_organiser("kari", network=klima))
    return client


@pytest.fixture
def event(klima):
    return EventFactory(minimal=True, network=klima, capacity=None)


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""
    return [row.split('<th scope="row">')[1].split("</th>")[0] for row in body.split("<tr>")[1:]]


def test_attendee_list_shows_counts_by_status(logged_in, event):
    RegistrationFactory(event=event, name="Anne")
    RegistrationFactory(event=event, name="Bjørn", checked_in_at=timezone.now())
    RegistrationFactory(event=event, name="Cecilie", status=Registration.Status.WAITLISTED)
    RegistrationFactory(event=event, name="Dag", status=Registration.Status.OFFERED)
    RegistrationFactory(event=event, name="Eva", status=Registration.Status.CANCELLED)
    html = logged_in.get(f"/arrangor/arrangementer/{event.pk}/deltakere/").content.decode()
    counts = html.split('<dl class="counts">')[1].split("</dl>")[0]
    numbers = [part.split("</dd>")[0].strip() for part in counts.split("<dd>")[1:]]
    assert numbers == [
        "2",
        "1",
        "1",
        "1",
        "1",
    ]  # confirmed, waiting, offered, cancelled, checked in
    assert _rows(html) == ["Anne", "Bjørn", "Cecilie", "Dag", "Eva"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("anne", ["Anne Berg"]),
        ("per@nho", ["Per Dahl"]),
        ("Universitetet", ["Anne Berg"]),
        ("USN", ["Anne Berg"]),
        ("Frivillig lag", ["Kim Fri"]),
        ("berg anne", ["Anne Berg"]),
        ("ingen treff", []),
    ],
)
def test_attendee_list_search_by_name_email_organisation(logged_in, event, query, expected):
    RegistrationFactory(
        event=event,
        name="Anne Berg",
        email="anne@usn.example.org",
        organisation=Organisation.objects.get(short_name="USN"),
    )
    RegistrationFactory(event=event, name="Per Dahl", email="per@nho.example.org")
    RegistrationFactory(event=event, name="Kim Fri", organisation_name="Frivillig lag Skien")
    html = logged_in.get(
        f"/arrangor/arrangementer/{event.pk}/deltakere/", {"q": query}
    ).content.decode()
    assert _rows(html) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("confirmed", ["Anne", "Bjørn"]),
        ("waitlisted", ["Cecilie"]),
        ("cancelled", ["Eva"]),
        ("checked_in", ["Bjørn"]),
        ("not_checked_in", ["Anne"]),
        ("nonsense", ["Anne", "Bjørn", "Cecilie", "Eva"]),
    ],
)
def test_attendee_list_filter_by_status(logged_in, event, status, expected):
    RegistrationFactory(event=event, name="Anne")
    RegistrationFactory(event=event, name="Bjørn", checked_in_at=timezone.now())
    RegistrationFactory(event=event, name="Cecilie", status=Registration.Status.WAITLISTED)
    RegistrationFactory(event=event, name="Eva", status=Registration.Status.CANCELLED)
    url = f"/arrangor/arrangementer/{event.pk}/deltakere/"
    assert _rows(logged_in.get(url, {"status": status}).content.decode()) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Anne", "Bjørn", "Cecilie"]),
        ("-name", ["Cecilie", "Bjørn", "Anne"]),
        ("organisation", ["Cecilie", "Anne", "Bjørn"]),
        ("registered", ["Bjørn", "Cecilie", "Anne"]),
        ("-registered", ["Anne", "Cecilie", "Bjørn"]),
        ("status", ["Anne", "Cecilie", "Bjørn"]),
    ],
)
def test_attendee_list_sort(logged_in, event, sort, expected):
    now = timezone.now()
    rows = [
        RegistrationFactory(event=event, name="Anne", organisation_name="Bølgen"),
        RegistrationFactory(
            event=event, name="Bjørn", organisation_name="Cirkus", status="waitlisted"
        ),
        RegistrationFactory(event=event, name="Cecilie", organisation_name="Asker"),
    ]
    for row, minutes in zip(rows, [30, 10, 20]):
        Registration.objects.filter(pk=row.pk).update(
            created_at=now - timedelta(minutes=100 - minutes)
        )
    url = f"/arrangor/arrangementer/{event.pk}/deltakere/"
    html = logged_in.get(url, {"sort": sort}).content.decode()
    assert _rows(html) == expected
    assert 'aria-sort="' in html


def test_attendee_list_paginates_50_a_page_keeping_filters(logged_in, event):
    bulk_registrations(event, 120)
    url = f"/arrangor/arrangementer/{event.pk}/deltakere/"
    first = logged_in.get(url, {"status": "confirmed"}).content.decode()
    assert len(_rows(first)) == 50
    assert "status=confirmed&amp;sort=name&amp;page=2" in first
    third = logged_in.get(url, {"status": "confirmed", "page": 3}).content.decode()
    assert _rows(third)[0] == "Bulk Deltaker 0100"
    assert len(_rows(third)) == 20
    assert len(_rows(logged_in.get(url, {"page": "999"}).content.decode())) == 20


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return len(ctx.captured_queries)


def test_attendee_list_query_count_same_for_1_and_1000(logged_in, klima):
    small = EventFactory(minimal=True, network=klima, capacity=None)
    bulk_registrations(small, 1)
    big = EventFactory(minimal=True, network=klima, capacity=None)
    bulk_registrations(big, 1000)
    for params in ({}, {"q": "bulk", "status": "confirmed", "sort": "-organisation"}):
        one = _queries(logged_in, f"/arrangor/arrangementer/{small.pk}/deltakere/", params)
        many = _queries(logged_in, f"/arrangor/arrangementer/{big.pk}/deltakere/", params)
        assert one == many


def test_attendee_print_lists_confirmed_with_ticket_codes(logged_in, event):
    anne = RegistrationFactory(event=event, name="Anne", organisation_name="USN")
    RegistrationFactory(event=event, name="Bjørn", status=Registration.Status.WAITLISTED)
    html = logged_in.get(f"/arrangor/arrangementer/{event.pk}/deltakere/utskrift/").content.decode()
    assert _rows(html) == ["Anne"]
    assert anne.ticket_code in html
    assert "☐" in html


def test_attendee_list_without_promote_service_has_no_promote_button(logged_in, event):
    from events.organiser.views import attendees

    RegistrationFactory(event=event, name="Cecilie", status=Registration.Status.WAITLISTED)
    html = logged_in.get(f"/arrangor/arrangementer/{event.pk}/deltakere/").content.decode()
    has_service = attendees.promote_from_waiting_list is not None
    assert ("flytt-opp" in html) == has_service


def test_attendee_promote_with_service_offers_the_seat(logged_in, event):

    waiting = RegistrationFactory(
        event=event, name="Cecilie", status=Registration.Status.WAITLISTED
    )
    url = f"/arrangor/arrangementer/{event.pk}/deltakere/{waiting.pk}/flytt-opp/"
    assert logged_in.post(url).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status in (Registration.Status.OFFERED, Registration.Status.CONFIRMED)


@pytest.mark.parametrize("status", ["waitlisted", "offered", "confirmed", "cancelled"])
@pytest.mark.parametrize("event_status", ["published", "cancelled"])
def test_promote_view_and_service_agree_with_can_be_promoted(
    logged_in, event, status, event_status
):
    """One rule (Registration.can_be_promoted): the organiser page promotes exactly whom the
    service (and so the API) promotes. The page used to refuse someone holding an offer."""
    from events.models import Event
    from events.services.errors import RegistrationError
    from events.services.waiting_list import promote_from_waiting_list

    Event.objects.filter(pk=event.pk).update(status=event_status)
    event.refresh_from_db()
    by_page, by_service = (RegistrationFactory(event=event, status=status) for _ in range(2))
    allowed = by_page.can_be_promoted(timezone.now())
    url = f"/arrangor/arrangementer/{event.pk}/deltakere/{by_page.pk}/flytt-opp/"
    assert logged_in.post(url).status_code == 302
    by_page.refresh_from_db()
    try:
        promote_from_waiting_list(registration_id=by_service.pk)
    except RegistrationError:
        service_promoted = False
    else:
        service_promoted = True
    page_promoted = status != "confirmed" and by_page.status == Registration.Status.CONFIRMED
    assert page_promoted == service_promoted == allowed
    assert allowed == (status in ("waitlisted", "offered") and event_status == "published")
