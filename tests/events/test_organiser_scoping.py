"""Every organiser event URL: anonymous -> login, non-organiser -> 403, other network -> 404."""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, get_resolver, reverse

from events.models import Event, EventDocument, Question, Registration, Session
from events.uploads import PDF
from partners.models import Host, Network
from tests.factories import EventFactory, RegistrationFactory, oslo


def _event_patterns() -> list[URLPattern]:
    resolver = get_resolver()
    patterns = []
    for entry in resolver.url_patterns:
        if getattr(entry, "namespace", None) == "events_organiser":
            patterns.extend(p for p in entry.url_patterns if "pk" in p.pattern.converters)
    return patterns


@pytest.fixture
def foreign_event(demo):
    folkehelse = Network.objects.get(slug="folkehelse")
    event = EventFactory(
        minimal=True,
        network=folkehelse,
        starts_at=oslo(2027, 5, 1, 9),
        ends_at=oslo(2027, 5, 1, 15),
    )
    session = Session.objects.create(
        event=event,
        title="S",
        starts_at=oslo(2027, 5, 1, 10),
        ends_at=oslo(2027, 5, 1, 11),
        requires_signup=True,  # so its list and its check-in have pages too
        capacity=10,
    )
    question = Question.objects.create(event=event, label="Q", kind="short_text")
    registration = RegistrationFactory(event=event, status=Registration.Status.WAITLISTED)
    document = EventDocument(event=event, title="D", original_name="d.pdf", content_type=PDF)
    document.file.save("d.pdf", ContentFile(b"%PDF-1.4"))
    return event, {
        "session_id": session.pk,
        "question_id": question.pk,
        "registration_id": registration.pk,
        "document_id": document.pk,
    }


def _urls(event: Event, ids: dict[str, int]) -> list[str]:
    urls = []
    for pattern in _event_patterns():
        kwargs = {"pk": event.pk}
        kwargs.update({k: v for k, v in ids.items() if k in pattern.pattern.converters})
        urls.append(reverse(f"events_organiser:{pattern.name}", kwargs=kwargs))
    return urls


def test_organiser_urls_cover_every_event_page(foreign_event):
    event, ids = foreign_event
    assert len(_urls(event, ids)) >= 18
    assert all(url.startswith("/arrangor/") for url in _urls(event, ids))


def test_organiser_urls_other_network_organiser_gets_404(client, make_organiser, foreign_event):
    event, ids = foreign_event
    client.force_login(make_organiser("klima", network=Network.objects.get(slug="klima-og-miljo")))
    for url in _urls(event, ids):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"message": "x", "ticket_code": "x"}).status_code == 404, url
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    assert Session.objects.filter(pk=ids["session_id"]).exists()
    assert Question.objects.filter(pk=ids["question_id"]).exists()


def test_organiser_urls_anonymous_redirected_to_login(client, foreign_event):
    event, ids = foreign_event
    for url in _urls(event, ids):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/konto/logg-inn/"), url


def test_organiser_urls_non_organiser_gets_403(client, make_organiser, foreign_event):
    event, ids = foreign_event
    client.force_login(make_organiser("nobody"))
    for url in _urls(event, ids):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("who", ["network", "host", "superuser"])
def test_organiser_urls_allowed_organisers_get_pages(client, make_organiser, foreign_event, who):
    event, ids = foreign_event
    if who == "network":
        user = make_organiser("f", network=event.network)
    elif who == "host":
        user = make_organiser("h", host=Host.objects.get(slug="telemark"))
    else:
        user = make_organiser("root", superuser=True)
    client.force_login(user)
    for url in _urls(event, ids):
        status = client.get(url).status_code
        assert status in (200, 405), (url, status)


def test_organiser_sub_objects_of_other_event_are_404(client, make_organiser, foreign_event):
    """An organiser cannot reach another event's session through their own event's URL."""
    event, ids = foreign_event
    klima = Network.objects.get(slug="klima-og-miljo")
    own = EventFactory(minimal=True, network=klima)
    client.force_login(make_organiser("klima", network=klima))
    assert (
        client.get(f"/arrangor/arrangementer/{own.pk}/program/{ids['session_id']}/").status_code
        == 404
    )
    assert (
        client.post(
            f"/arrangor/arrangementer/{own.pk}/sporsmal/{ids['question_id']}/slett/"
        ).status_code
        == 404
    )
    assert Question.objects.filter(pk=ids["question_id"]).exists()
