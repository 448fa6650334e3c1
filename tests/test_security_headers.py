"""Every route of the URL configuration answers with the security headers, whatever its status:
the routes are walked from config.urls' resolver, so a route added later is checked too. Path
parameters are filled with real objects of the demo data (an event, a call, a registration's
token, ...), so most answers are the page itself rather than a 404."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

from calls.models import Answer, CallSendOut
from events.demo import seed_events
from events.models import Event, Registration, Session
from invitations.models import NetworkOptOut, SendOut
from partners.api_tokens import create_api_token
from partners.models import Person
from tests.calls.organiser_data import attach, klima_call
from tests.factories import InvitationFactory, QuestionFactory, SessionFactory
from worker.models import OutgoingMessage

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)
STRICTER = "default-src 'none'; sandbox"


def _routes() -> list[tuple[str, list, str]]:
    """(namespaced name, the patterns from the root to the route, the view's name) of every route."""
    found: list[tuple[str, list, str]] = []

    def walk(patterns, prefix: list, namespaces: list[str]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                spaces = namespaces + ([pattern.namespace] if pattern.namespace else [])
                walk(pattern.url_patterns, [*prefix, pattern.pattern], spaces)
            elif isinstance(pattern, URLPattern):
                name = ":".join([*namespaces, pattern.name or "(unnamed)"])
                found.append((name, [*prefix, pattern.pattern], pattern.lookup_str))

    walk(get_resolver().url_patterns, [], [])
    return found


def _url(patterns: list, values: dict[str, str]) -> str:
    """The path the patterns spell with `values` for their parameters (Django's own reading of
    a pattern into a format string, as reverse() does; a choice of alternatives takes the first)."""
    path = ""
    for pattern in patterns:
        template, params = normalize(pattern.regex.pattern)[0]
        path += template % {name: values.get(name, "1") for name in params}
    return "/" + path


@pytest.fixture
def objects(demo, make_organiser, private_storage):
    seed_events()
    superuser = make_organiser("root", superuser=True)
    event = (
        Event.objects.filter(status=Event.Status.PUBLISHED, network__isnull=False)
        .order_by("-starts_at")
        .first()
    )
    session = Session.objects.filter(event=event).first() or SessionFactory(event=event)
    question = QuestionFactory(event=event)
    registration = Registration.objects.filter(event=event).first()
    person = Person.objects.create(name="Ina Invitert", email="ina@example.org")
    invitation = InvitationFactory(event=event, person=person)
    sendout = SendOut.objects.create(event=event, created_by=superuser)
    call = klima_call()
    answer = Answer.objects.filter(call=call).first()
    attachment = attach(answer)
    opt_out = NetworkOptOut.objects.create(network=event.network, email=person.email)
    message = OutgoingMessage.objects.filter(event_ref=event.pk).first()
    call_sendout = CallSendOut.objects.create(call=call, created_by=superuser)
    token = create_api_token(user=superuser, name="headers").raw
    return {
        "superuser": superuser,
        "api_token": token,
        "values": {
            "pk": str(event.pk),
            "event_id": str(event.pk),
            "slug": event.network.slug,
            "token": registration.token,
            "session_id": str(session.pk),
            "question_id": str(question.pk),
            "registration_id": str(registration.pk),
            "message_id": str(message.pk) if message else "1",
            "person_id": str(person.pk),
            "sendout_id": str(sendout.pk),
            "reply_id": "1",
            "address_id": "1",
            "token_id": "1",
            "answer_id": str(answer.pk),
            "attachment_id": str(attachment.pk),
            "call_sendout_id": str(call_sendout.pk),
            "object_id": str(superuser.pk),
            "id": str(superuser.pk),
            "content_type_id": "1",
            "app_label": "events",
            "url": "finnes-ikke/",
        },
        # Routes whose parameters name other objects than the same name elsewhere.
        "by_namespace": {
            "calls": {"token": answer.token, "slug": call.slug, "pk": str(attachment.pk)},
            "calls_organiser": {"pk": str(call.pk)},
            "invitations": {"token": invitation.token},
            "feeds": {"token": registration.token},
            "api": {"slug": call.slug},
        },
        "by_route": {
            "calls:invited": {"token": invitation.token},
            "calls:opt_out_undo": {"token": opt_out.token},
        },
    }


def _all_urls(objects) -> list[tuple[str, str]]:
    urls = []
    for name, patterns, _view in _routes():
        values = dict(objects["values"])
        values.update(objects["by_namespace"].get(name.split(":")[0], {}))
        values.update(objects["by_route"].get(name, {}))
        urls.append((name, _url(patterns, values)))
    return urls


def test_the_walk_finds_every_kind_of_route(objects):
    names = {name for name, _url in _all_urls(objects)}
    # The site's pages, the organiser area, the admin and the API are all in the walk.
    assert {
        "partners:home",
        "events_organiser:check_in",
        "calls:answer",
        "admin:index",
        "admin:events_event_change",
        "api:list_registrations",
        "healthz",
    } <= names
    for name, url in _all_urls(objects):
        try:
            resolve(url)
        except Resolver404:
            pytest.fail(f"{name}: {url} does not resolve")


@pytest.mark.parametrize("who", ["anonymous", "superuser"])
def test_every_route_answers_with_the_security_headers(client, objects, who):
    if who == "superuser":
        client.force_login(objects["superuser"])
    headers = {"HTTP_AUTHORIZATION": "Bearer " + objects["api_token"]} if who == "superuser" else {}
    missing = {}
    statuses = []
    for name, url in _all_urls(objects):
        response = client.get(url, **headers)
        statuses.append(response.status_code)
        expected = {
            # Uploaded files are sent with a stricter policy of their own (calls/downloads.py).
            "Content-Security-Policy": STRICTER
            if response.get("Content-Disposition", "").startswith("attachment")
            and name.endswith("attachment")
            else CSP,
            "Cross-Origin-Opener-Policy": "same-origin",
            "Referrer-Policy": "same-origin",
            "X-Content-Type-Options": "nosniff",
        }
        problems = [h for h, value in expected.items() if response.headers.get(h) != value]
        policy = response.headers.get("Permissions-Policy", "")
        camera = "camera=(self)" if name == "events_organiser:check_in" else "camera=()"
        if camera not in policy or "microphone=()" not in policy or "geolocation=()" not in policy:
            problems.append("Permissions-Policy: " + policy)
        if problems:
            missing[f"{name} {url} ({response.status_code})"] = problems
    assert missing == {}
    if who == "superuser":
        # The objects are real: most routes answer with their page, not a 404.
        assert statuses.count(200) > len(statuses) / 2, statuses


def test_the_check_in_page_alone_may_use_the_camera(client, objects):
    client.force_login(objects["superuser"])
    pk = objects["values"]["pk"]
    check_in = client.get(f"/arrangor/arrangementer/{pk}/innsjekk/")
    attendees = client.get(f"/arrangor/arrangementer/{pk}/deltakere/")
    assert check_in.status_code == attendees.status_code == 200
    assert check_in.headers["Permissions-Policy"].startswith("camera=(self), ")
    assert attendees.headers["Permissions-Policy"].startswith("camera=(), ")


def test_static_files_and_error_pages_carry_the_policy_too(client, db):
    for url in ["/static/css/site.css", "/finnes-ikke/"]:
        response = client.get(url)
        assert response.headers["Content-Security-Policy"] == CSP, url
