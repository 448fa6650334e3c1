import datetime as dt
from email import message_from_string
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.html import escape
from icalendar import Calendar

from events import dates
from events.calendar.components import event_uid
from events.models import ReplyToken
from invitations.models import Invitation, NetworkOptOut, SendOut
from invitations.services import errors, sendouts
from partners.models import Network, OrganisationMembership, Person
from tests.factories import RegistrationFactory
from worker.models import OutgoingMessage

from .helpers import send_out


def _invited_emails(event):
    return set(Invitation.objects.filter(event=event).values_list("email", flat=True))


def test_sendout_to_network_invites_exactly_its_people(event, klima):
    sendout = send_out(event=event, network_ids=[klima.pk])
    expected = set(klima.people.values_list("email", flat=True))
    assert len(expected) == 3
    assert _invited_emails(event) == expected
    assert sendout.state == SendOut.State.DONE
    assert sendout.invited_count == 3
    assert OutgoingMessage.objects.filter(sendout_ref=sendout.pk).count() == 3


def test_sendout_to_member_organisations_reaches_their_contacts(event, make_person):
    partnership = Network.objects.get(kind=Network.Kind.PARTNERSHIP)
    members = OrganisationMembership.objects.filter(
        network=partnership, role=OrganisationMembership.Role.MEMBER
    )
    observer = OrganisationMembership.objects.filter(
        network=partnership, role=OrganisationMembership.Role.OBSERVER
    ).first()
    outsider = make_person(organisation=observer.organisation)
    send_out(event=event, organisation_roles=[(partnership.pk, "member")])
    expected = set(
        Person.objects.filter(organisation__in=[m.organisation for m in members]).values_list(
            "email", flat=True
        )
    )
    assert expected and _invited_emails(event) == expected
    assert outsider.email not in _invited_emails(event)


def test_sendout_to_observers_reaches_only_observer_contacts(event, make_person):
    partnership = Network.objects.get(kind=Network.Kind.PARTNERSHIP)
    observer = OrganisationMembership.objects.filter(
        network=partnership, role=OrganisationMembership.Role.OBSERVER
    ).first()
    contact = make_person(organisation=observer.organisation)
    send_out(event=event, organisation_roles=[(partnership.pk, "observer")])
    assert contact.email in _invited_emails(event)
    members = Person.objects.filter(
        organisation__memberships__network=partnership,
        organisation__memberships__role="member",
    ).exclude(organisation__memberships__role="observer")
    assert not _invited_emails(event) & set(members.values_list("email", flat=True))


def test_sendout_to_chosen_organisations_and_single_people(event, organisations, make_person):
    usn_contacts = set(
        Person.objects.filter(organisation=organisations["USN"]).values_list("email", flat=True)
    )
    assert usn_contacts
    single = make_person(email="Single.Person@Example.org")
    send_out(
        event=event,
        organisation_ids=[organisations["USN"].pk],
        person_emails=["single.person@example.org"],
    )
    assert _invited_emails(event) == usn_contacts | {single.email}


def test_sendout_unknown_single_email_is_refused(event):
    with pytest.raises(errors.InvitationError):
        sendouts.create_sendout(event=event, created_by=None, person_emails=["nobody@x.org"])
    assert not SendOut.objects.exists()


def test_sendout_leaves_out_invited_registered_and_opted_out_and_counts_them(
    event, klima, make_person
):
    people = list(klima.people.order_by("pk"))
    send_out(event=event, person_ids=[people[0].pk])
    RegistrationFactory(
        event=event, status="confirmed", name=people[1].name, email=people[1].email.upper()
    )
    NetworkOptOut.objects.create(network=klima, email=people[2].email.upper())
    newcomer = make_person(network=klima)
    sendout = send_out(event=event, network_ids=[klima.pk])
    assert sendout.invited_count == 1
    assert sendout.skipped_existing_count == 2
    assert sendout.skipped_opted_out_count == 1
    assert _invited_emails(event) == {people[0].email, newcomer.email}


def test_sendout_expansion_twice_creates_each_invitation_and_message_once(event, klima):
    sendout = send_out(event=event, network_ids=[klima.pk])
    # A redelivered task, or the beat re-enqueueing it, must change nothing.
    SendOut.objects.filter(pk=sendout.pk).update(state=SendOut.State.SENDING)
    sendouts.expand_sendout(sendout_id=sendout.pk)
    sendouts.expand_sendout(sendout_id=sendout.pk)
    sendout.refresh_from_db()
    assert Invitation.objects.filter(event=event).count() == 3
    assert OutgoingMessage.objects.filter(kind="invitation").count() == 3
    assert (sendout.invited_count, sendout.skipped_existing_count) == (3, 0)


def test_sendout_resumes_from_its_cursor_after_a_crash(event, klima, make_person, monkeypatch):
    for _ in range(5):
        make_person(network=klima)
    monkeypatch.setattr(sendouts, "BATCH_SIZE", 3)
    sendout = sendouts.create_sendout(event=event, created_by=None, network_ids=[klima.pk])
    sendouts.schedule_sendout(sendout_id=sendout.pk)
    SendOut.objects.filter(pk=sendout.pk).update(state=SendOut.State.SENDING)
    assert sendouts._expand_batch(sendout_id=sendout.pk)  # first batch, then "the worker dies"
    sendouts.expand_sendout(sendout_id=sendout.pk)
    sendout.refresh_from_db()
    assert sendout.state == SendOut.State.DONE
    assert sendout.invited_count == 8 == Invitation.objects.count()
    assert sendout.skipped_existing_count == 0
    assert OutgoingMessage.objects.filter(kind="invitation").count() == 8


def _when(event, language):
    """The event card's time (events/dates.py), which differs between the languages."""
    with translation.override(language), timezone.override(ZoneInfo("Europe/Oslo")):
        return dates.format_when(event)


def test_sendout_emails_each_in_the_recipients_language(event, klima, eager_celery):
    # The Norwegian catalogues for these new strings come with the translation round
    # (locale/ is not edited here), so the language shows in the rendering itself: the
    # html lang, and dates formatted by Django's own nb/nn/en formats and month names.
    send_out(event=event, network_ids=[klima.pk], message="Velkommen!")
    rows = {row.to_email: row for row in OutgoingMessage.objects.all()}
    by_language = {p.language: rows[p.email] for p in klima.people.all()}
    assert set(by_language) == {"nb", "nn", "en"}
    for language, row in by_language.items():
        assert row.language == language
        assert '<html lang="%s">' % language in row.html_body
        assert _when(event, language) in row.text_body
    assert _when(event, "en") != _when(event, "nb")
    assert "Klimamøte" in by_language["en"].subject
    for row in rows.values():
        assert "Velkommen!" in row.text_body
        invitation = Invitation.objects.get(email=row.to_email)
        assert "/invitasjon/%s/" % invitation.token in row.text_body
        assert "/invitasjon/%s/avmeld/" % invitation.token in row.text_body
        assert row.language == invitation.language
        assert row.invitation_ref == invitation.pk and row.person_ref == invitation.person_id


def test_sendout_email_carries_calendar_request_needs_action(
    event, klima, eager_celery, mailbox_read
):
    with_eager = send_out(event=event, network_ids=[klima.pk])
    assert with_eager.invited_count == 3
    row = OutgoingMessage.objects.filter(to_email="emma.wilson@example.org").get()
    calendar = Calendar.from_ical(row.calendar)
    assert calendar["METHOD"] == "REQUEST"
    vevent = calendar.walk("VEVENT")[0]
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == "mailto:emma.wilson@example.org"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"
    assert str(vevent["UID"]) == event_uid(event)
    token = ReplyToken.objects.get(event=event, email_key="emma.wilson@example.org").token
    assert str(vevent["ORGANIZER"]) == "mailto:partnerskap+%s@vtfk.example" % token


def test_sendout_without_a_mailbox_asks_no_answer_in_calendar(event, klima, eager_celery):
    """No mailbox is read: no Accept button that leads nowhere, and the plain organiser."""
    send_out(event=event, network_ids=[klima.pk])
    row = OutgoingMessage.objects.filter(to_email="emma.wilson@example.org").get()
    vevent = Calendar.from_ical(row.calendar).walk("VEVENT")[0]
    assert vevent["ATTENDEE"].params["RSVP"] == "FALSE"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert str(vevent["ORGANIZER"]) == "mailto:" + settings.ORGANISER_MAILBOX
    assert not ReplyToken.objects.exists()


def test_sendout_delivered_email_is_one_per_recipient(
    event, klima, eager_celery, django_capture_on_commit_callbacks
):
    sendout = sendouts.create_sendout(event=event, created_by=None, network_ids=[klima.pk])
    with django_capture_on_commit_callbacks(execute=True):
        sendouts.schedule_sendout(sendout_id=sendout.pk)
    # Expansion queued the messages; deliver them as the worker would.
    from worker.delivery import deliver

    for row in OutgoingMessage.objects.all():
        deliver(message_id=row.pk)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in klima.people.all())
    parsed = message_from_string(mail.outbox[0].message().as_string())
    assert any(part.get_content_type() == "text/calendar" for part in parsed.walk())


def test_sendout_request_enqueues_one_task_after_commit(
    event, klima, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr(sendouts, "_enqueue_expansion", lambda sendout_id: calls.append(sendout_id))
    sendout = sendouts.create_sendout(event=event, created_by=None, network_ids=[klima.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sendouts.schedule_sendout(sendout_id=sendout.pk)
    assert calls == [] and len(callbacks) == 1
    callbacks[0]()
    assert calls == [sendout.pk]
    assert not Invitation.objects.exists()  # the request itself invites nobody


def test_sendout_scheduled_later_is_started_by_the_beat_when_due(event, klima, monkeypatch):
    calls = []
    monkeypatch.setattr(sendouts, "_enqueue_expansion", lambda sendout_id: calls.append(sendout_id))
    later = timezone.now() + dt.timedelta(hours=2)
    sendout = sendouts.create_sendout(event=event, created_by=None, network_ids=[klima.pk])
    sendouts.schedule_sendout(sendout_id=sendout.pk, send_at=later)
    assert sendouts.start_due_sendouts() == 0
    sendouts.expand_sendout(sendout_id=sendout.pk)  # too early: does nothing
    assert not Invitation.objects.exists()
    assert sendouts.start_due_sendouts(now=later + dt.timedelta(minutes=1)) == 1
    assert calls == [sendout.pk]


def test_sendout_preview_renders_in_three_languages(klima_client, event, klima):
    sendout = sendouts.create_sendout(
        event=event, created_by=None, network_ids=[klima.pk], message="Hjertelig velkommen"
    )
    emma = Person.objects.get(email="emma.wilson@example.org")
    response = klima_client.get(
        "/arrangor/invitasjoner/utsending/%d/?person=%d" % (sendout.pk, emma.pk)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="nb"' in html and 'lang="nn"' in html and 'lang="en"' in html
    for language in ("nb", "nn", "en"):
        section = html.split('lang="%s" aria-labelledby' % language)[1].split("</section>")[0]
        assert escape(_when(event, language)) in section
        assert "Emma Wilson" in section
    assert html.count("Hjertelig velkommen") >= 3
    assert not Invitation.objects.exists()


def test_sendout_page_refreshes_while_running_and_counts_outbox_states(klima_client, event, klima):
    sendout = send_out(event=event, network_ids=[klima.pk])
    rows = list(OutgoingMessage.objects.filter(sendout_ref=sendout.pk))
    OutgoingMessage.objects.filter(pk=rows[0].pk).update(state="sent")
    OutgoingMessage.objects.filter(pk=rows[1].pk).update(state="failed")
    SendOut.objects.filter(pk=sendout.pk).update(state=SendOut.State.SENDING)
    html = klima_client.get("/arrangor/invitasjoner/utsending/%d/" % sendout.pk).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in html
    assert '<dd id="progress-total">3</dd>' in html
    assert '<dd id="progress-queued">1</dd>' in html
    assert '<dd id="progress-sent">1</dd>' in html
    assert '<dd id="progress-failed">1</dd>' in html
    SendOut.objects.filter(pk=sendout.pk).update(state=SendOut.State.DONE)
    html = klima_client.get("/arrangor/invitasjoner/utsending/%d/" % sendout.pk).content.decode()
    assert "http-equiv" not in html


def test_sendout_form_creates_draft_then_send_now_enqueues(
    klima_client, event, klima, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(sendouts, "_enqueue_expansion", lambda sendout_id: calls.append(sendout_id))
    response = klima_client.post(
        "/arrangor/invitasjoner/arrangement/%d/utsending/ny/" % event.pk,
        {"networks": [klima.pk], "message": "Hei alle"},
    )
    sendout = SendOut.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/arrangor/invitasjoner/utsending/%d/" % sendout.pk
    assert sendout.state == SendOut.State.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        klima_client.post("/arrangor/invitasjoner/utsending/%d/send/" % sendout.pk, {"now": "1"})
    sendout.refresh_from_db()
    assert sendout.state == SendOut.State.SCHEDULED and calls == [sendout.pk]


def test_sendout_form_with_csv_new_people_imports_and_invites_them(klima_client, event, klima):
    pytest.importorskip("partners.services.people_import")
    csv = "navn;e-post;språk\nNy Person;ny.person@example.org;nn\nAnnen Ny;annen@example.org;en\n"
    response = klima_client.post(
        "/arrangor/invitasjoner/arrangement/%d/utsending/ny/" % event.pk, {"new_people": csv}
    )
    assert response.status_code == 302
    sendout = SendOut.objects.get()
    sendouts.schedule_sendout(sendout_id=sendout.pk)
    sendouts.expand_sendout(sendout_id=sendout.pk)
    invitations = {i.email: i.language for i in Invitation.objects.all()}
    assert invitations == {"ny.person@example.org": "nn", "annen@example.org": "en"}
    assert klima.people.filter(email="ny.person@example.org").exists()


def test_sendout_form_with_bad_csv_imports_nothing_and_reports_rows(klima_client, event):
    pytest.importorskip("partners.services.people_import")
    csv = "name,email\nGood Person,good@example.org\nBad Person,not-an-email\n"
    response = klima_client.post(
        "/arrangor/invitasjoner/arrangement/%d/utsending/ny/" % event.pk, {"new_people": csv}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "not-an-email" in html
    assert not Person.objects.filter(email="good@example.org").exists()
    assert not SendOut.objects.exists()


def test_sendout_organiser_cannot_invite_another_networks_people(
    event, klima, folkehelse, klima_organiser, organisations
):
    with pytest.raises(errors.InvitationError):
        sendouts.create_sendout(
            event=event, created_by=klima_organiser, network_ids=[folkehelse.pk]
        )
    outsider = folkehelse.people.exclude(memberships__network=klima).first()
    with pytest.raises(errors.InvitationError) as refused:
        sendouts.create_sendout(
            event=event, created_by=klima_organiser, person_emails=[outsider.email]
        )
    assert "No person is registered" in str(refused.value.message)  # same as an unknown address
    # Chosen organisations reach only their people in networks the organiser organises.
    sendout = send_out(
        event=event, user=klima_organiser, organisation_ids=[o.pk for o in organisations.values()]
    )
    invited = set(Invitation.objects.filter(sendout=sendout).values_list("email", flat=True))
    assert invited and invited <= set(klima.people.values_list("email", flat=True))


def test_sendout_api_refuses_a_network_the_token_does_not_organise(
    client, event, folkehelse, klima_organiser
):
    from partners.api_tokens import create_api_token

    token = create_api_token(user=klima_organiser, name="test").raw
    response = client.post(
        f"/api/v1/events/{event.pk}/sendouts",
        {"networks": [folkehelse.slug]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert not SendOut.objects.exists()


def test_sendout_refused_after_new_people_imports_nobody(klima_client, event, klima):
    members_before = klima.person_memberships.count()
    response = klima_client.post(
        f"/arrangor/invitasjoner/arrangement/{event.pk}/utsending/ny/",
        {
            "new_people": "navn;e-post\nNy Person;ny.person@example.org\n",
            "people": "finnes.ikke@example.org",
        },
    )
    assert response.status_code == 200
    assert not SendOut.objects.exists()
    assert klima.person_memberships.count() == members_before
    assert not Person.objects.filter(email="ny.person@example.org").exists()
