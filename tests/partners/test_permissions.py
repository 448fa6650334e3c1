"""Every URL under /arrangor/, in any app, found by walking the URL configuration.

A URL added later is covered automatically. If a new URL takes a keyword this test cannot fill
with an object of network A, add it to `_object_kwargs` below: the walk refuses to guess,
because a 404 for an object that does not exist would prove nothing about scoping.
"""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from partners.models import PersonMembership
from tests.factories import EventFactory, RegistrationFactory

LOGIN_PREFIX = "/konto/logg-inn/?next="
MIN_ORGANISER_URLS = 25
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def organiser_routes() -> list[str]:
    routes = []
    for route, _pattern in _walk(get_resolver().url_patterns):
        bare = route.lstrip("^")
        if bare.startswith("arrangor/"):
            assert "(?P" not in bare, "use path() for organiser URLs: %s" % route
            routes.append(bare.rstrip("$"))
    return sorted(set(routes))


# Which object a bare `pk` means, by the route's prefix (longest prefix wins).
PK_BY_PREFIX = {
    "arrangor/arrangementer/": "event_id",
    "arrangor/innspill/": "call_id",
    "arrangor/tilbakemelding/": "event_id",
}
# Keywords that name another object under a prefix: a feedback survey's question_id.
KEYWORD_BY_PREFIX = {"arrangor/tilbakemelding/": {"question_id": "survey_question_id"}}


def _object_kwargs(network, organiser) -> dict[str, str]:
    """Values for URL keywords: objects that belong to network A (and its organiser)."""
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Event, Question, Session

    membership = PersonMembership.objects.filter(network=network).order_by("pk").first()
    start = timezone.now() + timedelta(days=30)
    event = EventFactory(
        title="Walk event",
        host=network.hosts.first(),
        network=network,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        capacity=1,
        status=Event.Status.PUBLISHED,
        venue_name="",
        venue_address="",
        organiser_name="",
        organiser_email="",
    )
    session = Session.objects.create(
        event=event,
        title="Walk session",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        requires_signup=True,  # so its list and its check-in have pages too
        capacity=10,
    )
    question = Question.objects.create(event=event, label="Walk question?", kind="short_text")
    RegistrationFactory(
        event=event, status="confirmed", name="A", email="a@example.org", person=membership.person
    )
    waiting = RegistrationFactory(
        event=event,
        status="waitlisted",
        name="B",
        email="b@example.org",
        waitlisted_at=timezone.now(),
    )
    from invitations.services.sendouts import create_sendout
    from partners.api_tokens import create_api_token
    from worker.models import OutgoingMessage

    message = OutgoingMessage.objects.create(
        message_id="<walk@example.org>",
        from_email="a@example.org",
        to_email="b@example.org",
        subject="Walk",
        text_body="Walk",
        state="sent",
        event_ref=event.pk,
    )
    sendout = create_sendout(event=event, created_by=organiser, network_ids=[network.pk])
    token = create_api_token(user=organiser, name="walk")
    from tests.factories import InboundReplyFactory
    from worker.models import UndeliverableAddress

    reply = InboundReplyFactory(event=event, sender="b@example.org")
    address = UndeliverableAddress.objects.create(
        email_key="b@example.org", status="5.1.1", diagnostic="User unknown", message=message
    )
    from tests.calls.organiser_data import attach
    from tests.factories import AnswerFactory, CallFactory, CallQuestionFactory

    call = CallFactory(host=network.hosts.first(), network=network, publishes_answers=True)
    CallQuestionFactory(call=call, text="Walk question?")
    answer = AnswerFactory(call=call, name="Walk answer", consent_to_publish=True)
    attachment = attach(answer)
    from calls.models import CallSendOut

    call_sendout = CallSendOut.objects.create(call=call, state=CallSendOut.State.DONE)
    from django.core.files.base import ContentFile

    from events.models import EventDocument

    document = EventDocument(event=event, title="Walk agenda", original_name="a.pdf")
    document.file.save("a.pdf", ContentFile(b"%PDF-1.4 walk"))
    from tests.factories import SurveyFactory, SurveyQuestionFactory

    survey_question = SurveyQuestionFactory(survey=SurveyFactory(event=event))
    return {
        "survey_question_id": str(survey_question.pk),
        "document_id": str(document.pk),
        "call_id": str(call.pk),
        "call_sendout_id": str(call_sendout.pk),
        "answer_id": str(answer.pk),
        "attachment_id": str(attachment.pk),
        "slug": network.slug,
        "sendout_id": str(sendout.pk),
        "message_id": str(message.pk),
        "token_id": str(token.token.pk),
        "person_id": str(membership.person_id),
        "event_id": str(event.pk),
        "session_id": str(session.pk),
        "question_id": str(question.pk),
        "registration_id": str(waiting.pk),
        "token": waiting.token,
        "reply_id": str(reply.pk),
        "address_id": str(address.pk),
    }


def _fill(route: str, values: dict[str, str]) -> str:
    prefixes = sorted((p for p in PK_BY_PREFIX if route.startswith(p)), key=len, reverse=True)

    def replace(match: re.Match) -> str:
        name, converter = match["name"], match["converter"] or "str"
        if name == "pk" and prefixes:
            return values[PK_BY_PREFIX[prefixes[0]]]
        for prefix, keywords in KEYWORD_BY_PREFIX.items():
            if route.startswith(prefix) and name in keywords:
                return values[keywords[name]]
        if name in values:
            return values[name]
        # Unknown keywords get a value of the right shape; the organiser-of-A check below
        # fails loudly if that value does not point at a real object of network A.
        return {
            "int": values["person_id"],
            "slug": values["slug"],
            "uuid": str(uuid.uuid4()),
        }.get(converter, "x")

    return "/" + CONVERTER.sub(replace, route)


@pytest.fixture
def urls(klima, klima_organiser, private_storage):
    values = _object_kwargs(klima, klima_organiser)
    routes = organiser_routes()
    return [(_fill(route, values), bool(CONVERTER.search(route))) for route in routes]


def test_permission_walk_finds_the_organiser_urls(urls):
    assert len(urls) >= MIN_ORGANISER_URLS, urls
    assert "/arrangor/" in [url for url, _has_object in urls]


@pytest.mark.parametrize("method", ["get", "post"])
def test_permission_walk_anonymous_is_sent_to_login(client, urls, method):
    for url, _has_object in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url, response.status_code)
        assert response["Location"].startswith(LOGIN_PREFIX), (method, url)


@pytest.mark.parametrize("method", ["get", "post"])
def test_permission_walk_user_without_roles_gets_403(client, django_user_model, urls, method):
    client.force_login(django_user_model.objects.create_user("no-roles", password="x"))
    for url, _has_object in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url, response.status_code)


@pytest.mark.parametrize("method", ["get", "post"])
def test_permission_walk_organiser_of_other_network_is_refused(
    client, folkehelse_organiser, urls, method
):
    client.force_login(folkehelse_organiser)
    object_urls = [url for url, has_object in urls if has_object]
    assert len(object_urls) >= MIN_ORGANISER_URLS - 1
    for url in object_urls:
        response = getattr(client, method)(url)
        assert response.status_code in (403, 404), (method, url, response.status_code)


def test_permission_walk_values_reach_real_objects_for_the_organiser(klima_client, urls):
    """The refusals above mean something only if the same URLs work for network A's organiser."""
    for url, _has_object in urls:
        response = klima_client.get(url)
        assert response.status_code in (200, 405), (
            "%s gave %s for the organiser of network A; add a value for its keyword to "
            "_object_kwargs" % (url, response.status_code)
        )


def test_host_role_covers_the_hosts_networks(client, make_organiser, klima, folkehelse):
    from partners.models import Host

    client.force_login(make_organiser("vestfold-arrangor", host=Host.objects.get(slug="vestfold")))
    for network in (klima, folkehelse):
        assert client.get("/arrangor/nettverk/%s/" % network.slug).status_code == 200


def test_person_of_another_network_is_404_under_own_network(klima_client, klima, folkehelse):
    outsider = PersonMembership.objects.filter(network=folkehelse).first().person
    assert not PersonMembership.objects.filter(network=klima, person=outsider).exists()
    for action in ("endre", "fjern"):
        url = "/arrangor/nettverk/%s/personer/%d/%s/" % (klima.slug, outsider.pk, action)
        assert klima_client.get(url).status_code == 404
        assert klima_client.post(url).status_code == 404
    assert PersonMembership.objects.filter(network=folkehelse, person=outsider).exists()
