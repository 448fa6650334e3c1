"""Organiser CRUD for events: list, create, edit, publish, cancel."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from events import emails
from events.models import Event
from partners.models import Host, Network
from tests.factories import EventFactory, RegistrationFactory, oslo


@pytest.fixture
def klima(demo):
    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def organiser(make_organiser, klima):
    return make_organiser("kari", network=klima)


@pytest.fixture
def logged_in(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def recorded_notices(monkeypatch):
    """The notification module belongs to the calendar colleague; record what we hand it."""
    notices: list[tuple[str, int, object]] = []

    def changed(*, event, changes):
        notices.append(("changed", Event.objects.get(pk=event.pk).sequence, list(changes)))

    def cancelled(*, event, message):
        notices.append(("cancelled", Event.objects.get(pk=event.pk).sequence, message))

    monkeypatch.setattr(emails, "notify_event_changed", changed)
    monkeypatch.setattr(emails, "notify_event_cancelled", cancelled)
    return notices


def _form_data(klima, **overrides):
    data = {
        "title": "Klimamøte i Skien",
        "kind": Event.Kind.NETWORK_MEETING,
        "host": Host.objects.get(slug="telemark").pk,
        "network": klima.pk,
        "description": "Utslippskutt i kommunene.",
        "starts_at": "2027-03-10T09:00",
        "ends_at": "2027-03-10T12:00",
        "venue_name": "Ibsenhuset",
        "venue_address": "Henrik Ibsens gate 2, 3724 Skien",
        "meeting_url": "",
        "capacity": "40",
        "registration_opens_at": "",
        "registration_closes_at": "2027-03-08T23:59",
        "waiting_list_mode": Event.WaitingListMode.OFFER,
        "offer_hours": "48",
        "organiser_name": "Sigrid Lunde",
        "organiser_email": "sigrid@example.org",
    }
    data.update(overrides)
    return data


def test_event_list_anonymous_redirects_to_login(client, db):
    response = client.get("/arrangor/arrangementer/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logg-inn/")


def test_event_list_non_organiser_gets_403(client, make_organiser):
    client.force_login(make_organiser("nobody"))
    assert client.get("/arrangor/arrangementer/").status_code == 403


def test_event_list_shows_only_events_of_organised_networks(logged_in, klima):
    EventFactory(minimal=True, network=klima, title="Klimamøte")
    EventFactory(
        minimal=True, network=Network.objects.get(slug="folkehelse"), title="Folkehelsemøte"
    )
    html = logged_in.get("/arrangor/arrangementer/").content.decode()
    assert "Klimamøte" in html
    assert "Folkehelsemøte" not in html


@pytest.mark.parametrize(
    ("when", "shown"),
    [
        ("upcoming", {"Kommende", "Utkast"}),
        ("past", {"Tidligere"}),
        ("draft", {"Utkast"}),
        ("cancelled", {"Avlyst"}),
        ("all", {"Kommende", "Tidligere", "Utkast", "Avlyst"}),
    ],
)
def test_event_list_filter_shows_matching_events(logged_in, klima, when, shown):
    past = timezone.now() - timedelta(days=10)
    EventFactory(minimal=True, network=klima, title="Kommende")
    EventFactory(
        minimal=True,
        network=klima,
        title="Tidligere",
        starts_at=past,
        ends_at=past + timedelta(hours=2),
    )
    EventFactory(minimal=True, network=klima, title="Utkast", status=Event.Status.DRAFT)
    EventFactory(minimal=True, network=klima, title="Avlyst", status=Event.Status.CANCELLED)
    html = logged_in.get("/arrangor/arrangementer/", {"when": when}).content.decode()
    for title in {"Kommende", "Tidligere", "Utkast", "Avlyst"}:
        assert (f">{title}</a>" in html) == (title in shown), title


def test_event_list_filter_by_network_for_host_organiser(client, make_organiser, klima):
    client.force_login(make_organiser("host", host=Host.objects.get(slug="telemark")))
    EventFactory(minimal=True, network=klima, title="Klimamøte")
    EventFactory(
        minimal=True, network=Network.objects.get(slug="folkehelse"), title="Folkehelsemøte"
    )
    html = client.get("/arrangor/arrangementer/", {"network": klima.pk}).content.decode()
    assert "Klimamøte" in html
    assert "Folkehelsemøte" not in html


def test_event_create_stores_oslo_time_as_utc_draft(logged_in, klima):
    response = logged_in.post("/arrangor/arrangementer/ny/", _form_data(klima))
    event = Event.objects.get(title="Klimamøte i Skien")
    assert response.status_code == 302
    assert response["Location"] == f"/arrangor/arrangementer/{event.pk}/"
    assert event.status == Event.Status.DRAFT
    assert event.starts_at == oslo(2027, 3, 10, 9, 0)
    assert event.starts_at.astimezone(UTC).hour == 8  # CET is UTC+1 in March
    page = logged_in.get(response["Location"]).content.decode()
    assert "Klimamøte i Skien" in page
    assert "09:00" in page


def test_event_edit_form_shows_oslo_time_in_datetime_local(logged_in, klima):
    event = EventFactory(
        minimal=True, network=klima, starts_at=oslo(2027, 6, 1, 10), ends_at=oslo(2027, 6, 1, 15)
    )
    html = logged_in.get(f"/arrangor/arrangementer/{event.pk}/rediger/").content.decode()
    assert 'type="datetime-local" name="starts_at" value="2027-06-01T10:00"' in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": "2027-03-10T08:00"}, "ends_at", "The event must end after it starts."),
        (
            {"registration_closes_at": "2027-03-11T10:00"},
            "registration_closes_at",
            "Registration cannot close after the event has ended.",
        ),
        (
            {
                "registration_opens_at": "2027-03-09T10:00",
                "registration_closes_at": "2027-03-09T09:00",
            },
            "registration_closes_at",
            "Registration must close after it opens.",
        ),
        ({"starts_at": "not a date"}, "starts_at", None),
        ({"title": ""}, "title", None),
        ({"capacity": "-1"}, "capacity", None),
        ({"meeting_url": "not a link"}, "meeting_url", None),
    ],
)
def test_event_create_invalid_input_shows_error_at_field(
    logged_in, klima, overrides, field, message, settings
):
    settings.LANGUAGE_CODE = "en"
    response = logged_in.post(
        "/arrangor/arrangementer/ny/", _form_data(klima, **overrides), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert (
        'aria-describedby="' in html
        and f"id_{field}_error" in html.split(f'name="{field}"')[1].split(">")[0]
    )
    if message:
        assert message in html
    assert not Event.objects.exists()


def test_event_create_for_network_not_organised_is_refused(logged_in, klima):
    folkehelse = Network.objects.get(slug="folkehelse")
    response = logged_in.post(
        "/arrangor/arrangementer/ny/", _form_data(klima, network=folkehelse.pk)
    )
    assert response.status_code == 200
    assert 'id="id_network_error"' in response.content.decode()
    assert not Event.objects.exists()


def test_event_create_without_network_refused_for_network_organiser(logged_in, klima):
    response = logged_in.post("/arrangor/arrangementer/ny/", _form_data(klima, network=""))
    assert response.status_code == 200
    assert 'id="id_network_error"' in response.content.decode()
    assert not Event.objects.exists()


def test_event_edit_capacity_below_taken_seats_is_refused(logged_in, klima):
    event = EventFactory(minimal=True, network=klima, capacity=10)
    for _ in range(3):
        RegistrationFactory(event=event)
    data = _form_data(klima, capacity="2", title=event.title)
    response = logged_in.post(f"/arrangor/arrangementer/{event.pk}/rediger/", data)
    assert response.status_code == 200
    assert 'id="id_capacity_error"' in response.content.decode()
    event.refresh_from_db()
    assert event.capacity == 10


def test_event_edit_published_time_change_bumps_sequence_and_notifies(
    logged_in, klima, recorded_notices, django_capture_on_commit_callbacks
):
    event = EventFactory(
        minimal=True, network=klima, starts_at=oslo(2027, 3, 10, 9), ends_at=oslo(2027, 3, 10, 12)
    )
    data = _form_data(
        klima,
        title=event.title,
        starts_at="2027-03-10T10:00",
        ends_at="2027-03-10T13:00",
        venue_name=event.venue_name,
        venue_address="",
    )
    response = logged_in.post(f"/arrangor/arrangementer/{event.pk}/rediger/", data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.sequence == 1
    assert event.starts_at == oslo(2027, 3, 10, 10)
    # Told in the same transaction, after the bump: the notice carries the new SEQUENCE.
    assert recorded_notices == [("changed", 1, ["starts_at", "ends_at"])]


def test_event_edit_published_meeting_link_change_is_a_calendar_change(
    logged_in, klima, recorded_notices
):
    event = EventFactory(
        minimal=True, network=klima, starts_at=oslo(2027, 3, 10, 9), ends_at=oslo(2027, 3, 10, 12)
    )
    data = _form_data(
        klima,
        title=event.title,
        starts_at="2027-03-10T09:00",
        ends_at="2027-03-10T12:00",
        venue_name=event.venue_name,
        venue_address="",
        meeting_url="https://teams.example.org/klima",
    )
    logged_in.post(f"/arrangor/arrangementer/{event.pk}/rediger/", data)
    event.refresh_from_db()
    assert event.sequence == 1
    assert recorded_notices == [("changed", 1, ["meeting_url"])]


def test_event_edit_title_only_keeps_sequence(logged_in, klima, recorded_notices):
    event = EventFactory(
        minimal=True, network=klima, starts_at=oslo(2027, 3, 10, 9), ends_at=oslo(2027, 3, 10, 12)
    )
    data = _form_data(
        klima,
        title="Nytt navn",
        starts_at="2027-03-10T09:00",
        ends_at="2027-03-10T12:00",
        venue_name=event.venue_name,
        venue_address="",
    )
    assert logged_in.post(f"/arrangor/arrangementer/{event.pk}/rediger/", data).status_code == 302
    event.refresh_from_db()
    assert (event.title, event.sequence) == ("Nytt navn", 0)
    assert recorded_notices == []


def test_event_edit_draft_time_change_keeps_sequence(logged_in, klima, recorded_notices):
    event = EventFactory(minimal=True, network=klima, status=Event.Status.DRAFT)
    data = _form_data(klima, title=event.title)
    assert logged_in.post(f"/arrangor/arrangementer/{event.pk}/rediger/", data).status_code == 302
    event.refresh_from_db()
    assert event.sequence == 0
    assert recorded_notices == []


def test_event_publish_draft_makes_it_public(logged_in, klima):
    event = EventFactory(
        minimal=True, network=klima, status=Event.Status.DRAFT, title="Snart offentlig"
    )
    response = logged_in.post(f"/arrangor/arrangementer/{event.pk}/publiser/", follow=True)
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert "Snart offentlig" in response.content.decode()


def test_event_publish_past_draft_is_refused_with_message(logged_in, klima, settings):
    past = timezone.now() - timedelta(days=3)
    event = EventFactory(
        minimal=True,
        network=klima,
        status=Event.Status.DRAFT,
        starts_at=past,
        ends_at=past + timedelta(hours=1),
    )
    response = logged_in.post(
        f"/arrangor/arrangementer/{event.pk}/publiser/", follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT


def test_event_publish_get_is_not_allowed(logged_in, klima):
    event = EventFactory(minimal=True, network=klima, status=Event.Status.DRAFT)
    assert logged_in.get(f"/arrangor/arrangementer/{event.pk}/publiser/").status_code == 405


def test_event_cancel_sets_status_bumps_sequence_and_notifies(logged_in, klima, recorded_notices):
    event = EventFactory(minimal=True, network=klima)
    RegistrationFactory(event=event)
    response = logged_in.post(
        f"/arrangor/arrangementer/{event.pk}/avlys/", {"message": "Møtet utgår på grunn av uvær."}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert event.cancellation_message == "Møtet utgår på grunn av uvær."
    assert event.sequence == 1
    assert recorded_notices == [("cancelled", 1, "Møtet utgår på grunn av uvær.")]
    page = logged_in.get(f"/arrangor/arrangementer/{event.pk}/").content.decode()
    assert "Møtet utgår på grunn av uvær." in page


def test_event_cancel_without_message_shows_error(logged_in, klima, recorded_notices):
    event = EventFactory(minimal=True, network=klima)
    response = logged_in.post(f"/arrangor/arrangementer/{event.pk}/avlys/", {"message": "  "})
    assert response.status_code == 200
    assert 'id="id_message_error"' in response.content.decode()
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert recorded_notices == []


def test_event_cancelled_cannot_be_edited_or_cancelled_again(logged_in, klima, recorded_notices):
    event = EventFactory(
        minimal=True, network=klima, status=Event.Status.CANCELLED, title="Avlyst møte"
    )
    response = logged_in.post(f"/arrangor/arrangementer/{event.pk}/rediger/", _form_data(klima))
    assert response.status_code == 302
    response = logged_in.post(f"/arrangor/arrangementer/{event.pk}/avlys/", {"message": "Igjen"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.sequence) == ("Avlyst møte", 0)
    assert recorded_notices == []


def test_event_detail_shows_counts_and_details(logged_in, klima):
    event = EventFactory(minimal=True, network=klima, title="Klimamøte", capacity=5)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status="waitlisted")
    html = logged_in.get(f"/arrangor/arrangementer/{event.pk}/").content.decode()
    assert "<h1>Klimamøte</h1>" in html
    assert "1 / 5" in html


def test_event_create_time_in_dst_gap_is_a_field_error(logged_in, klima):
    # 02:30 on the last Sunday of March does not exist in Oslo.
    data = _form_data(klima, starts_at="2027-03-28T02:30", ends_at="2027-03-28T05:00")
    response = logged_in.post("/arrangor/arrangementer/ny/", data)
    assert response.status_code == 200
    assert 'id="id_starts_at_error"' in response.content.decode()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"host": "999999"},
        {"network": "abc"},
        {"kind": "party"},
        {"capacity": "99999999999999999999"},
        {"offer_hours": "-5"},
        {"waiting_list_mode": ""},
    ],
)
def test_event_create_bogus_values_never_500(logged_in, klima, data):
    response = logged_in.post("/arrangor/arrangementer/ny/", _form_data(klima, **data))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "params",
    [{"when": "later"}, {"network": "x"}, {"network": "99999"}, {"page": "abc"}, {"page": "-1"}],
)
def test_event_list_bogus_params_fall_back(logged_in, klima, params):
    EventFactory(minimal=True, network=klima, title="Klimamøte")
    response = logged_in.get("/arrangor/arrangementer/", params)
    assert response.status_code == 200
    assert "Klimamøte" in response.content.decode()


def test_event_dates_outside_sane_years_are_refused_not_a_500(logged_in, klima):
    from events.models import Event

    before = Event.objects.count()
    response = logged_in.post(
        "/arrangor/arrangementer/ny/",
        {
            "title": "Langt tilbake",
            "kind": "network_meeting",
            "network": klima.pk,
            "starts_at": "0001-01-01T00:00",
            "ends_at": "0001-01-01T02:00",
            "waiting_list_mode": "offer",
            "offer_hours": "48",
        },
    )
    assert response.status_code == 200
    assert Event.objects.count() == before


def test_raising_the_capacity_offers_the_new_seat_to_the_waiting_list(organiser, klima):
    from events.models import Event, Registration
    from events.participants import ParticipantDetails
    from events.services.registering import register_participant

    event = EventFactory(
        title="Fullt møte",
        host=klima.hosts.first(),
        network=klima,
        starts_at=timezone.now() + timedelta(days=20),
        ends_at=timezone.now() + timedelta(days=20, hours=2),
        status=Event.Status.PUBLISHED,
        capacity=1,
        venue_name="",
        venue_address="",
        organiser_name="",
        organiser_email="",
    )
    register_participant(
        event=event, details=ParticipantDetails(name="Først", email="forst@example.org")
    )
    waiting = register_participant(
        event=event, details=ParticipantDetails(name="Neste", email="neste@example.org")
    )
    assert waiting.status == Registration.Status.WAITLISTED
    from events.services import organising

    organising.change_event(event=event, by_user=organiser, values={"capacity": 2})
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.OFFERED
