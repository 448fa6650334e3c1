"""Check-in at the door: by code, by name, twice, undo, and the refusals."""

import pytest
from django.utils import timezone

from events.models import Event, Registration
from events.services.check_in import CheckInOutcome, check_in, undo_check_in
from tests.factories import EventFactory, RegistrationFactory, oslo


@pytest.fixture
def event(klima):
    return EventFactory(minimal=True, network=klima)


@pytest.fixture
def url(event):
    return f"/arrangor/arrangementer/{event.pk}/innsjekk/"


def _messages(response) -> str:
    return response.content.decode().split('<div class="messages"')[1].split("</div>")[0]


def test_checkin_by_code_sets_time_and_user(logged_in, url, event, organiser):
    anne = RegistrationFactory(event=event, name="Anne Berg", organisation_name="USN")
    response = logged_in.post(
        url, {"ticket_code": anne.ticket_code}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    anne.refresh_from_db()
    assert anne.checked_in_at is not None
    assert anne.checked_in_by == organiser
    assert "Anne Berg (USN)" in _messages(response)
    assert "1 of 1 checked in" in response.content.decode()


def test_checkin_code_typed_loosely_is_accepted(logged_in, url, event):
    anne = RegistrationFactory(event=event, name="Anne")
    code = anne.ticket_code
    loose = " %s-%s " % (code[:5].lower(), code[5:].lower())
    logged_in.post(url, {"ticket_code": loose})
    anne.refresh_from_db()
    assert anne.checked_in_at is not None


def test_checkin_second_time_reports_first_time_and_changes_nothing(logged_in, url, event):
    first = oslo(2027, 4, 20, 8, 47)
    anne = RegistrationFactory(event=event, name="Anne", checked_in_at=first)
    response = logged_in.post(
        url, {"ticket_code": anne.ticket_code}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    anne.refresh_from_db()
    assert anne.checked_in_at == first
    assert "Anne was already checked in at 08:47." in _messages(response)
    assert "Anne" in _messages(response)
    assert "08:47" in _messages(response)  # Oslo time, not UTC (07:47)


def test_checkin_page_shows_times_as_the_message_does(logged_in, url, event):
    """One time format (events/dates.py): the page's lines and the message agree, in Oslo time."""
    anne = RegistrationFactory(
        event=event, name="Anne Berg", checked_in_at=oslo(2027, 4, 20, 8, 47)
    )
    page = logged_in.get(url, {"last": anne.ticket_code, "q": "Anne"}, HTTP_ACCEPT_LANGUAGE="nb")
    html = page.content.decode()
    assert "Sist: Anne Berg, sjekket inn kl. 08.47." in html
    assert html.count("sjekket inn kl. 08.47") == 2  # the last one, and the search's match


def test_checkin_undo_clears_it(logged_in, url, event):
    anne = RegistrationFactory(event=event, name="Anne", checked_in_at=timezone.now())
    response = logged_in.post(url, {"ticket_code": anne.ticket_code, "action": "undo"}, follow=True)
    anne.refresh_from_db()
    assert anne.checked_in_at is None
    assert anne.checked_in_by is None
    assert "Anne" in _messages(response)


def test_checkin_after_code_offers_undo_of_the_last(logged_in, url, event):
    anne = RegistrationFactory(event=event, name="Anne")
    response = logged_in.post(url, {"ticket_code": anne.ticket_code}, follow=True)
    html = response.content.decode()
    last = html.split('<div class="checkin-last">')[1].split("</div>")[0]
    assert anne.ticket_code in last and 'value="undo"' in last


def test_checkin_unknown_code_says_so(logged_in, url, event, klima):
    other = RegistrationFactory(
        event=EventFactory(minimal=True, network=klima), name="Annen Person"
    )
    for code in ("ZZZZZZZZZZ", other.ticket_code):  # another event's ticket is unknown here
        response = logged_in.post(url, {"ticket_code": code}, follow=True)
        assert response.status_code == 200
        assert 'class="message error"' in _messages(response)
        assert "Annen Person" not in _messages(response)
    other.refresh_from_db()
    assert other.checked_in_at is None


def test_checkin_empty_code_shows_field_error(logged_in, url):
    response = logged_in.post(url, {"ticket_code": ""})
    assert response.status_code == 200
    assert 'id="id_ticket_code_error"' in response.content.decode()


@pytest.mark.parametrize(
    "status",
    [Registration.Status.CANCELLED, Registration.Status.WAITLISTED, Registration.Status.OFFERED],
)
def test_checkin_not_confirmed_is_refused_with_status(logged_in, url, event, status):
    row = RegistrationFactory(event=event, name="Vera Venter", status=status)
    response = logged_in.post(url, {"ticket_code": row.ticket_code}, follow=True)
    row.refresh_from_db()
    assert row.checked_in_at is None
    text = _messages(response)
    assert "Vera Venter" in text
    assert 'class="message error"' in text
    assert row.get_status_display().lower() in text


def test_checkin_name_search_lists_matches_with_buttons(logged_in, url, event):
    anne = RegistrationFactory(event=event, name="Anne Berg")
    RegistrationFactory(event=event, name="Anne Avmeldt", status=Registration.Status.CANCELLED)
    RegistrationFactory(event=event, name="Bjørn Dahl")
    html = logged_in.get(url, {"q": "anne"}).content.decode()
    matches = html.split('<ul class="checkin-matches">')[1].split("</ul>")[0]
    assert "Anne Berg" in matches
    assert "Anne Avmeldt" not in matches and "Bjørn" not in matches
    assert f'value="{anne.ticket_code}"' in matches
    response = logged_in.post(url, {"ticket_code": anne.ticket_code, "q": "anne"})
    assert response["Location"].endswith("q=anne&last=" + anne.ticket_code)
    anne.refresh_from_db()
    assert anne.checked_in_at is not None
    html = logged_in.get(url, {"q": "anne"}).content.decode()
    assert 'value="undo"' in html.split('<ul class="checkin-matches">')[1]


def test_checkin_counts_on_the_page(logged_in, url, event):
    RegistrationFactory(event=event, checked_in_at=timezone.now())
    RegistrationFactory(event=event)
    RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)
    html = logged_in.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 of 3 checked in" in html
    assert "2 still to come" in html


def test_checkin_page_has_camera_script_and_works_without_it(logged_in, url):
    html = logged_in.get(url).content.decode()
    assert "js/checkin.js" in html
    assert 'id="checkin-scan" hidden' in html  # the script reveals it only where scanning works
    assert '<form method="post" id="checkin-code-form"' in html


def test_checkin_service_outcomes(event, organiser):
    anne = RegistrationFactory(event=event)
    assert (
        check_in(event=event, ticket_code=anne.ticket_code, by_user=organiser).outcome
        == CheckInOutcome.CHECKED_IN
    )
    assert (
        check_in(event=event, ticket_code=anne.ticket_code, by_user=organiser).outcome
        == CheckInOutcome.ALREADY_CHECKED_IN
    )
    assert (
        undo_check_in(event=event, ticket_code=anne.ticket_code, by_user=organiser).outcome
        == CheckInOutcome.UNDONE
    )
    assert (
        undo_check_in(event=event, ticket_code=anne.ticket_code, by_user=organiser).outcome
        == CheckInOutcome.NOT_CHECKED_IN
    )
    assert (
        check_in(event=event, ticket_code="", by_user=organiser).outcome == CheckInOutcome.UNKNOWN
    )
    assert Event.objects.get(pk=event.pk).seats_taken == 1  # check-in never touches seats
