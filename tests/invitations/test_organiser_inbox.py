"""What an organiser sees of the answers that come back: per invitation, per send-out, and the
inbox of replies that need a person, with "mark as handled"."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from invitations.models import InboundReply, Invitation
from tests.factories import InboundReplyFactory, InvitationFactory, oslo
from worker.models import OutgoingMessage, UndeliverableAddress

from .helpers import send_out
from .page_reading import by_class, by_id, one_by_class, parse, text

BASE = "/arrangor/invitasjoner/"


@pytest.fixture
def sent(event, klima):
    """Klima's three invited (Sigrid, Jonas, Emma), their invitations sent; Sigrid accepted in a
    calendar, Jonas declined on the web, Emma's address bounced."""
    sendout = send_out(event=event, network_ids=[klima.pk])
    answered_at = oslo(2026, 11, 3, 14, 5)
    Invitation.objects.filter(email="sigrid.lunde@example.org").update(
        state=Invitation.State.ACCEPTED,
        channel=Invitation.Channel.CALENDAR,
        answered_at=answered_at,
    )
    Invitation.objects.filter(email="jonas.berg@example.org").update(
        state=Invitation.State.DECLINED, channel=Invitation.Channel.WEB, answered_at=answered_at
    )
    emma = Invitation.objects.exclude(
        email__in=["sigrid.lunde@example.org", "jonas.berg@example.org"]
    ).get()
    messages = OutgoingMessage.objects.filter(sendout_ref=sendout.pk)
    messages.update(state=OutgoingMessage.State.SENT, sent_at=timezone.now())
    messages.filter(to_email=emma.email).update(state=OutgoingMessage.State.BOUNCED)
    UndeliverableAddress.objects.create(email_key=emma.email.lower(), status="5.1.1")
    return sendout


def test_invitation_list_shows_answer_channel_time_and_undeliverable(klima_client, event, sent):
    page = parse(klima_client.get(BASE + "arrangement/%d/" % event.pk))
    rows = {
        text(one_by_class(row, "invitation-email")).split()[0]: row
        for row in page.iter("tr")
        if by_class(row, "invitation-email")
    }
    sigrid, jonas = rows["sigrid.lunde@example.org"], rows["jonas.berg@example.org"]
    assert text(one_by_class(sigrid, "invitation-answer")) == (
        "Accepted in calendar, registration not complete"
    )
    assert text(one_by_class(sigrid, "invitation-channel")) == "Calendar"
    assert text(one_by_class(sigrid, "invitation-answered")) == "3 November 2026, 14:05"
    assert text(one_by_class(jonas, "invitation-answer")) == "Declined"
    assert text(one_by_class(jonas, "invitation-channel")) == "Web"
    (emma,) = [row for email, row in rows.items() if row not in (sigrid, jonas)]
    assert by_class(emma, "undeliverable") and text(one_by_class(emma, "invitation-channel")) == ""
    assert not by_class(sigrid, "undeliverable") and not by_class(jonas, "undeliverable")


def test_sendout_page_counts_sent_bounced_answered_and_auto_replies(klima_client, event, sent):
    sigrid = Invitation.objects.get(email="sigrid.lunde@example.org")
    InboundReplyFactory(event=event, invitation=sigrid, kind="auto_reply", needs_attention=False)
    InboundReplyFactory(event=event, invitation=sigrid, kind="auto_reply", needs_attention=False)
    InboundReplyFactory(event=event, invitation=sigrid, kind="human")
    page = parse(klima_client.get(BASE + "utsending/%d/" % sent.pk))
    counts = {
        name: text(by_id(page, "progress-" + name))
        for name in ("total", "sent", "bounced", "answered", "auto-replies", "failed")
    }
    assert counts == {
        "total": "3",
        "sent": "2",
        "bounced": "1",
        "answered": "2",
        "auto-replies": "2",
        "failed": "0",
    }


@pytest.fixture
def replies(event, sent, make_event, folkehelse):
    sigrid = Invitation.objects.get(email="sigrid.lunde@example.org")
    jonas = Invitation.objects.get(email="jonas.berg@example.org")
    other = make_event(title="Folkehelsemøte", network=folkehelse)
    return {
        "human": InboundReplyFactory(
            event=event,
            invitation=jonas,
            sender="jonas.berg@example.org",
            excerpt="Jeg er på ferie.",
        ),
        "counter": InboundReplyFactory(
            event=event,
            invitation=sigrid,
            kind="calendar_counter",
            sender="sigrid.lunde@example.org",
            # 09:00 UTC in January: 10.00 in Oslo
            proposed_start=dt.datetime(2027, 1, 14, 9, 0, tzinfo=dt.UTC),
            proposed_end=dt.datetime(2027, 1, 14, 11, 0, tzinfo=dt.UTC),
        ),
        "unmatched": InboundReplyFactory(
            event=event,
            kind="unmatched",
            sender="forger@evil.example",
            excerpt="Videresendt",
            outcome="sender_mismatch",
        ),
        "bounce": InboundReplyFactory(
            event=event, kind="bounce", sender="MAILER-DAEMON@example.org"
        ),
        "applied": InboundReplyFactory(
            event=event, invitation=sigrid, kind="calendar_reply", needs_attention=False
        ),
        "auto": InboundReplyFactory(event=event, kind="auto_reply", needs_attention=False),
        "other_network": InboundReplyFactory(event=other, excerpt="Folkehelse"),
        "no_event": InboundReplyFactory(event=None, kind="unmatched", excerpt="Ingen"),
    }


def _shown(page) -> set[int]:
    return {int(li.get("id").removeprefix("reply-")) for li in by_class(page, "reply")}


def test_event_inbox_lists_what_needs_a_person_with_person_event_and_excerpt(
    klima_client, event, replies
):
    page = parse(klima_client.get(BASE + "arrangement/%d/innboks/" % event.pk))
    wanted = {replies[k].pk for k in ("human", "counter", "unmatched", "bounce")}
    assert _shown(page) == wanted
    human = by_id(page, "reply-%d" % replies["human"].pk)
    assert text(one_by_class(human, "reply-kind")) == "Reply from a person"
    assert text(one_by_class(human, "reply-person")) == "Jonas Berg <jonas.berg@example.org>"
    assert text(one_by_class(human, "reply-event")) == event.title
    assert text(one_by_class(human, "reply-excerpt")) == "Jeg er på ferie."
    counter = by_id(page, "reply-%d" % replies["counter"].pk)
    assert text(one_by_class(counter, "reply-proposed")) == (
        "Thursday 14 January 2027, 10:00 – Thursday 14 January 2027, 12:00"
    )
    unmatched = by_id(page, "reply-%d" % replies["unmatched"].pk)
    assert text(one_by_class(unmatched, "reply-sender")) == "forger@evil.example"
    assert text(one_by_class(unmatched, "reply-outcome")) == "Sent from another address"
    forms = human.findall(".//form")
    assert len(forms) == 1 and forms[0].get("method") == "post"
    assert forms[0].find(".//input[@name='csrfmiddlewaretoken']") is not None


def test_inbox_of_all_events_is_in_the_menu_and_scoped(
    client, klima_client, replies, make_organiser
):
    response = klima_client.get("/arrangor/")
    menu = [a.get("href") for a in parse(response).iter("a")]
    assert BASE + "innboks/" in menu
    page = parse(klima_client.get(BASE + "innboks/"))
    assert replies["other_network"].pk not in _shown(page)
    assert replies["no_event"].pk not in _shown(page)
    assert replies["human"].pk in _shown(page)
    client.force_login(make_organiser("root", superuser=True))
    everything = _shown(parse(client.get(BASE + "innboks/")))
    assert {replies["other_network"].pk, replies["no_event"].pk} <= everything


def test_mark_handled_moves_the_reply_to_the_handled_filter(
    klima_client, klima_organiser, event, replies
):
    human = replies["human"]
    url = BASE + "innboks/%d/handtert/" % human.pk
    inbox = BASE + "arrangement/%d/innboks/" % event.pk
    assert klima_client.get(url).status_code == 405
    human.refresh_from_db()
    assert human.handled_at is None  # a GET never writes
    response = klima_client.post(url, {"next": inbox})
    assert response.status_code == 302 and response["Location"] == inbox
    human.refresh_from_db()
    assert human.handled_by == klima_organiser and human.handled_at is not None
    assert human.pk not in _shown(parse(klima_client.get(inbox)))
    handled = parse(klima_client.get(inbox + "?vis=handterte"))
    assert _shown(handled) == {human.pk}
    row = by_id(handled, "reply-%d" % human.pk)
    assert "klima-arrangor" in text(one_by_class(row, "reply-handled"))
    assert row.find(".//form") is None
    # A second organiser's click changes nothing: the first name and time stay.
    first = human.handled_at
    klima_client.post(url)
    human.refresh_from_db()
    assert human.handled_at == first


def test_mark_handled_refuses_an_unsafe_next_and_goes_to_the_inbox(klima_client, replies):
    url = BASE + "innboks/%d/handtert/" % replies["human"].pk
    response = klima_client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == BASE + "innboks/"


def test_mark_handled_needs_the_csrf_token(klima_organiser, replies):
    client = Client(enforce_csrf_checks=True)
    client.force_login(klima_organiser)
    reply = replies["human"]
    assert client.post(BASE + "innboks/%d/handtert/" % reply.pk).status_code == 403
    reply.refresh_from_db()
    assert reply.handled_at is None


def test_inbox_scoping_other_network_404_and_anonymous_to_login(
    client, folkehelse_organiser, event, replies
):
    handled = BASE + "innboks/%d/handtert/" % replies["human"].pk
    inbox = BASE + "arrangement/%d/innboks/" % event.pk
    for url in (handled, inbox):
        response = client.get(url)
        assert response.status_code == 302 and "/konto/logg-inn/" in response["Location"]
    client.force_login(folkehelse_organiser)
    assert client.get(inbox).status_code == 404
    assert client.post(handled).status_code == 404
    assert InboundReply.objects.get(pk=replies["human"].pk).handled_at is None
    assert replies["human"].pk not in _shown(parse(client.get(BASE + "innboks/")))


def test_inbox_costs_the_same_queries_for_one_reply_and_many(
    klima_client, event, sent, django_assert_num_queries
):
    url = BASE + "arrangement/%d/innboks/" % event.pk
    sigrid = Invitation.objects.get(email="sigrid.lunde@example.org")
    InboundReplyFactory(event=event, invitation=sigrid)
    klima_client.get(url)  # the session and the caches warm
    with CaptureQueriesContext(connection) as one:
        assert klima_client.get(url).status_code == 200
    for _ in range(5):
        InboundReplyFactory(event=event, invitation=sigrid, kind="calendar_counter")
        InboundReplyFactory(event=event, kind="unmatched", handled_by=None)
    with django_assert_num_queries(len(one)):
        page = parse(klima_client.get(url))
    assert len(by_class(page, "reply")) == 11


def test_invitation_without_answer_shows_no_channel(klima_client, event):
    invitation = InvitationFactory(event=event, name="Uten Svar", email="uten@example.org")
    page = parse(klima_client.get(BASE + "arrangement/%d/" % event.pk))
    row = by_id(page, "invitation-%d" % invitation.pk)
    assert text(one_by_class(row, "invitation-answer")) == "No answer yet"
    assert text(one_by_class(row, "invitation-channel")) == ""
    assert text(one_by_class(row, "invitation-answered")) == ""


@pytest.mark.parametrize(
    ("language", "accepted", "channel"),
    [
        ("nb", "Godtatt i kalenderen, påmeldingen ikke fullført", "Kalender"),
        ("nn", "Godteke i kalenderen, påmeldinga ikkje fullført", "Kalender"),
    ],
)
def test_invitation_list_speaks_norwegian(klima_client, event, sent, language, accepted, channel):
    klima_client.cookies["django_language"] = language
    page = parse(klima_client.get(BASE + "arrangement/%d/" % event.pk))
    sigrid = by_id(
        page, "invitation-%d" % Invitation.objects.get(email="sigrid.lunde@example.org").pk
    )
    assert text(one_by_class(sigrid, "invitation-answer")) == accepted
    assert text(one_by_class(sigrid, "invitation-channel")) == channel


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("innboks/", [("Inbox", "page")]),
        ("adresser/", [("Inbox", "true")]),
        ("", [("Invitations", "page")]),
    ],
)
def test_the_menu_marks_one_section_current(klima_client, path, current):
    page = parse(klima_client.get(BASE + path))
    nav = page.find(".//nav[@aria-label='Organiser menu']")
    marked = [(text(a), a.get("aria-current")) for a in nav.iter("a") if a.get("aria-current")]
    assert marked == current
