"""Every organiser page can be found by following links from /arrangor/.

A superuser organiser starts at the organiser home with the demo data and walks the site
breadth first, following every `<a href>` (and noting every `<form action>`: a button is how a
person reaches a POST-only page, such as publishing an event). Every route under /arrangor/,
enumerated from the URL configuration, must be reached at least once.
"""

import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from django.urls import get_resolver

from events.demo import seed_events
from events.models import Event, Question
from invitations.services import sendouts
from tests.factories import CallFactory, EventFactory

from ..html_checks import post_actions, route_of, site_links
from .test_permissions import _object_kwargs, organiser_routes
from .test_permissions import _walk as _all_routes

# Links that differ only by their query (pages of a list, filters) are followed at most this many
# times per route; every distinct path is followed.
QUERY_VISITS_PER_ROUTE = 3
SKIP_PREFIXES = ("/admin/", "/api/", "/i18n/", "/static/", "/konto/logg-ut/")


def _walk(client, start: str = "/arrangor/") -> tuple[set[str], Counter]:
    reached: set[str] = set()
    visits: Counter = Counter()
    seen = {start}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        response = client.get(url)
        route = route_of(urlsplit(url).path)
        if route is not None:
            reached.add(route)
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        reached.update(route for route in post_actions(url, html) if route is not None)
        for link, path, link_route in site_links(url, html, SKIP_PREFIXES):
            if link in seen or link_route is None:
                continue
            if not path.startswith("/arrangor/"):
                reached.add(link_route)  # a public page: reached, but the walk stays inside
                continue
            if "?" in link:
                if visits[link_route] >= QUERY_VISITS_PER_ROUTE:
                    continue
                visits[link_route] += 1
            seen.add(link)
            queue.append(link)
    return reached, visits


@pytest.fixture
def walked_site(demo, klima, make_organiser, private_storage):
    seed_events()
    organiser = make_organiser("walker", superuser=True)
    # A draft send-out, a message, a token, a waiting list, a session and a question.
    values = _object_kwargs(klima, organiser)
    event = Event.objects.get(pk=values["event_id"])
    Question.objects.create(event=event, label="Second question?", kind="short_text")
    EventFactory(
        title="Draft to publish",
        host=event.host,
        network=klima,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        status=Event.Status.DRAFT,
        venue_name="",
        venue_address="",
        organiser_name="",
        organiser_email="",
        capacity=None,
    )
    # A survey with questions to edit, move and delete, and the demo's sent surveys (results,
    # and questions to copy from).
    from feedback.demo import seed_feedback
    from feedback.models import Survey
    from tests.factories import SurveyQuestionFactory

    seed_feedback()
    SurveyQuestionFactory(survey=Survey.objects.get(event=event), kind="free_text")
    # A draft call for input, so its publish button is there to reach.
    CallFactory(host=event.host, network=klima, status="draft", slug="walk-draft")
    # One send-out that went out, so the invitation pages have invited people to link to.
    sent = sendouts.create_sendout(event=event, created_by=organiser, network_ids=[klima.pk])
    sendouts.schedule_sendout(sendout_id=sent.pk)
    sendouts.expand_sendout(sendout_id=sent.pk)
    return organiser


def test_organiser_only_views_all_live_under_arrangor():
    """So the routes under /arrangor/ are every organiser page the walk below must reach."""
    outside = [
        route
        for route, pattern in _all_routes(get_resolver().url_patterns)
        if getattr(pattern.callback, "organiser_only", False) and not route.startswith("arrangor/")
    ]
    assert outside == []


def test_every_organiser_route_is_reached_by_links_from_the_organiser_home(client, walked_site):
    client.force_login(walked_site)
    reached, _visits = _walk(client)
    routes = organiser_routes()
    assert len(routes) > 30
    missing = [route for route in routes if route not in reached]
    assert missing == []


def test_organiser_pages_mark_the_current_section_in_a_nav_landmark(client, walked_site):
    client.force_login(walked_site)
    for path, label in [
        ("/arrangor/", "Overview"),
        ("/arrangor/arrangementer/", "Events"),
        ("/arrangor/invitasjoner/", "Invitations"),
        ("/arrangor/organisasjoner/", "Organisations"),
        ("/arrangor/api-tokens/", "API tokens"),
        ("/arrangor/innspill/", "Calls for input"),
    ]:
        html = client.get(path).content.decode()
        nav = re.search(r'<nav [^>]*aria-label="Organiser menu"[^>]*>(.*?)</nav>', html, re.S)
        assert nav is not None, path
        assert re.findall(r'aria-current="page">([^<]+)<', nav[1]) == [label], path
    # Deeper pages mark their section without claiming to be its first page.
    html = client.get("/arrangor/organisasjoner/ny/").content.decode()
    assert 'aria-current="true">Organisations<' in html
