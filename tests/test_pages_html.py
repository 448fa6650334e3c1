"""Every page a visitor or an organiser can reach is well-formed HTML with sound structure and
writes dates the one way (tests/html_checks.py): the pages are found by following links from the home page and from the
organiser home with the demo data, plus the personal pages and forms showing errors."""

from collections import Counter, deque

import pytest
from django.utils import timezone

from events.demo import seed_events
from events.models import Event, Registration
from events.services.registering import cancel_registration
from feedback.models import SurveyInvitation
from invitations.models import Invitation
from invitations.services import sendouts
from partners.models import Person
from tests.factories import InboundReplyFactory, SurveyFactory, SurveyQuestionFactory
from worker.models import UndeliverableAddress

from .html_checks import date_problems, page_problems, site_links

SKIP_PREFIXES = ("/admin/", "/api/", "/i18n/", "/static/", "/konto/logg-ut/", "/kalender/")
VISITS_PER_ROUTE = 4  # pages of one route (an event page per event, a list's pages) checked


def _walk(client, starts: list[str], language: str) -> dict[str, list[str]]:
    """Problems by page, for every HTML page reached from `starts` by links."""
    found: dict[str, list[str]] = {}
    visits: Counter = Counter()
    seen = set(starts)
    queue = deque(starts)
    while queue:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        problems = page_problems(html) + date_problems(html, language)
        if problems:
            found[url] = problems
        for link, _path, route in site_links(url, html, SKIP_PREFIXES):
            if link in seen or route is None or visits[route] >= VISITS_PER_ROUTE:
                continue
            visits[route] += 1
            seen.add(link)
            queue.append(link)
    return found


@pytest.fixture
def site(demo, make_organiser):
    seed_events()
    organiser = make_organiser("checker", superuser=True)
    # A demo participant of an upcoming event in a network, whose personal pages are checked.
    registration = (
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED,
            event__status=Event.Status.PUBLISHED,
            event__network__isnull=False,
            event__ends_at__gt=timezone.now(),
        )
        .select_related("event")
        .order_by("event__starts_at", "pk")
        .first()
    )
    event = registration.event
    invitee = Person.objects.create(name="Ina Invitert", email="ina@example.org")
    sendout = sendouts.create_sendout(
        event=event, created_by=organiser, network_ids=[event.network_id], person_ids=[invitee.pk]
    )
    sendouts.schedule_sendout(sendout_id=sendout.pk)
    sendouts.expand_sendout(sendout_id=sendout.pk)
    cancelled = (
        Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED)
        .exclude(pk=registration.pk)
        .first()
    )
    cancel_registration(registration_id=cancelled.pk)
    # What came back from the mailbox: a reply from a person, a proposed new time, a bounce.
    invitation = Invitation.objects.get(event=event, person=invitee)
    InboundReplyFactory(event=event, invitation=invitation, sender=invitee.email)
    InboundReplyFactory(
        event=event,
        invitation=invitation,
        kind="calendar_counter",
        proposed_start=event.starts_at,
        proposed_end=event.ends_at,
    )
    InboundReplyFactory(event=None, kind="unmatched", excerpt="")
    address = UndeliverableAddress.objects.create(
        email_key=invitee.email, status="5.1.1", diagnostic="User unknown"
    )
    # A feedback survey sent for the event, with a question of each kind (the personal page and
    # the organiser's results are checked).
    survey = SurveyFactory(event=event, sent_at=timezone.now())
    for kind, choices in [("rating", []), ("single_choice", ["A", "B"]), ("free_text", [])]:
        SurveyQuestionFactory(survey=survey, kind=kind, choices=choices, required=True)
    survey_invitation = SurveyInvitation.objects.create(survey=survey, registration=registration)
    return {
        "survey_invitation": survey_invitation,
        "address": address,
        "cancelled": cancelled,
        "organiser": organiser,
        "event": event,
        "invitation": Invitation.objects.get(event=event, person=invitee),
        "registration": registration,
    }


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_public_and_personal_pages_are_sound_html(client, site, language):
    client.cookies["django_language"] = language
    registration: Registration = site["registration"]
    invitation: Invitation = site["invitation"]
    personal = [
        registration.get_absolute_url(),
        "/arrangementer/p/%s/endre/" % registration.token,
        "/arrangementer/p/%s/avmeld/" % registration.token,
        "/arrangementer/p/%s/endre/" % site["cancelled"].token,
        "/invitasjon/%s/" % invitation.token,
        "/invitasjon/%s/avsla/" % invitation.token,
        "/invitasjon/%s/avmeld/" % invitation.token,
        site["survey_invitation"].get_absolute_url(),
        "/finnes-ikke/",
        "/konto/logg-inn/",
    ]
    conference = Event.objects.get(title="Partnerskapskonferansen 2021")  # a past event's record
    problems = _walk(client, ["/", conference.get_absolute_url(), *personal], language)
    # Forms showing errors: the registration form sent empty, the change form without a title.
    event = site["event"]
    for url, data in [
        (event.get_absolute_url(), {}),
        ("/arrangementer/p/%s/endre/" % registration.token, {"title": ""}),
        (site["survey_invitation"].get_absolute_url(), {}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 400, url
        if found := page_problems(response.content.decode()):
            problems["POST " + url] = found
    assert problems == {}


def test_organiser_pages_are_sound_html(client, site, private_storage):
    from tests.calls.organiser_data import klima_call

    call = klima_call()  # a call for input with answers, an attachment and a summary
    client.force_login(site["organiser"])
    client.cookies["django_language"] = "nb"
    conference = Event.objects.get(title="Partnerskapskonferansen 2021")  # documents, report
    documents = "/arrangor/arrangementer/%d/dokumenter/" % conference.pk
    event = site["event"]
    results = "/arrangor/tilbakemelding/%d/resultater/" % event.pk
    problems = _walk(client, ["/arrangor/", documents, results], "nb")
    for url in [
        documents,
        "/arrangor/nettverk/baerekraftige-vestfold-og-telemark/om/",
        "/arrangor/invitasjoner/arrangement/%d/utsending/ny/" % event.pk,
        "/arrangor/arrangementer/ny/",
        "/arrangor/arrangementer/%d/innsjekk/pa-doren/" % event.pk,
        "/arrangor/arrangementer/%d/navneskilt-og-lister/" % event.pk,
        "/arrangor/invitasjoner/adresser/%d/" % site["address"].pk,
        "/arrangor/innspill/ny/",
        "/arrangor/innspill/%d/inviter/" % call.pk,
        "/arrangor/innspill/%d/svar/%d/" % (call.pk, call.answers.first().pk),
        "/arrangor/tilbakemelding/%d/" % event.pk,
        "/arrangor/tilbakemelding/%d/sporsmal/" % event.pk,
    ]:
        response = client.post(url, {})
        assert response.status_code in (200, 400, 422), url
        if found := page_problems(response.content.decode()):
            problems["POST " + url] = found
    assert problems == {}


# The checks themselves --------------------------------------------------------------------------

PAGE = '<!DOCTYPE html><html lang="nb"><head><title>t</title></head><body>%s</body></html>'


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<h1>A</h1><h3>B</h3>", "h3 'B' follows h1: a level is skipped"),
        ("<h2>A</h2>", "the first heading is h2 'A', not h1"),
        ("<h1>A</h1><h1>B</h1>", "more than one h1: ['A', 'B']"),
        ('<h1>A</h1><input aria-describedby="x_help">', "no element has that id"),
        ('<h1>A</h1><label for="missing">L</label>', "no element has that id"),
        ('<h1 id="a">A</h1><p id="a">p</p>', "id 'a' is used 2 times"),
        ("<h1>A</h1><label>Begrunnelse (valgfritt) (valgfritt)</label>", "said twice"),
        ("<h1>A</h1><p><div>x</div></p>", "parse error"),
    ],
)
def test_page_problems_finds(body, problem):
    assert any(problem in found for found in page_problems(PAGE % body))


def test_page_problems_passes_a_sound_page():
    body = (
        '<h1>A</h1><h2>B</h2><h3>C</h3><h2>D</h2><label for="f">F (valgfritt)</label>'
        '<input id="f" aria-describedby="f_helptext"><span id="f_helptext">hjelp</span>'
    )
    assert page_problems(PAGE % body) == []


@pytest.mark.parametrize(
    ("body", "language", "found"),
    [
        ("<p>11. Des 2026</p>", "nb", True),
        ("<p>20. januar 2027 10:00 – 20. januar 2027 15:00</p>", "nb", True),
        ("<p>onsdag 20. januar 2027 kl. 10.00–15.00</p>", "nn", False),
        ("<p>Wednesday 20 January 2027, 10:00–15:00</p>", "en", False),
        ("<pre>DTSTART:20270120T100000 10:00</pre>", "nb", False),
    ],
)
def test_date_problems_finds_the_old_formats(body, language, found):
    assert bool(date_problems(PAGE % body, language)) is found
