"""The organiser attendee page and the API share one search (events.selectors.organiser):
the same words and status find the same registrations both ways."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from events.models import Registration
from partners.models import Organisation

from .conftest import Api


class _RowNames(HTMLParser):
    """The names in the attendee table: the text of each <th scope="row">."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self._in_row_header = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "th" and ("scope", "row") in attrs:
            self._in_row_header = True
            self.names.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._in_row_header = False

    def handle_data(self, data: str) -> None:
        if self._in_row_header:
            self.names[-1] += data.strip()


@pytest.fixture
def attendees(world):
    usn = Organisation.objects.create(
        name="Universitetet i Sørøst-Norge", short_name="USN", sector="research"
    )
    event = world.published
    rows = [
        ("Kari Nordmann", "kari@sorost.no", {"organisation": usn}),
        ("Per Hansen", "per@example.org", {"organisation_name": "Skien kommune"}),
        ("Anne Berg", "anne@example.org", {"organisation": world.kommune}),
        ("Ola Usnes", "ola@example.org", {}),
        ("Eva Lund", "eva@sorost.no", {"organisation": usn, "checked_in_at": timezone.now()}),
        ("Dag Dahl", "dag@example.org", {"status": Registration.Status.WAITLISTED}),
        ("Siri Strand", "siri@example.org", {"status": Registration.Status.CANCELLED}),
    ]
    for name, email, fields in rows:
        fields.setdefault("status", Registration.Status.CONFIRMED)
        Registration.objects.create(event=event, name=name, email=email, **fields)
    return event


def _page_names(world, event, params: dict[str, str]) -> set[str]:
    client = Client()
    client.force_login(world.organiser)
    response = client.get("/arrangor/arrangementer/%d/deltakere/" % event.pk, params)
    assert response.status_code == 200
    parser = _RowNames()
    parser.feed(response.content.decode())
    return set(parser.names)


def _api_names(world, event, params: dict[str, str]) -> set[str]:
    api = Api(world.token(world.organiser))
    query = {"limit": "200"}
    if params.get("q"):
        query["search"] = params["q"]
    if params.get("status"):
        query["status"] = params["status"]
    response = api.get("/events/%d/registrations" % event.pk, query)
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["items"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # An organisation's short name (the API had not searched it before).
        ({"q": "USN"}, {"Kari Nordmann", "Eva Lund", "Ola Usnes"}),
        ({"q": "usn"}, {"Kari Nordmann", "Eva Lund", "Ola Usnes"}),
        # A typed organisation name and a linked one.
        ({"q": "Skien"}, {"Per Hansen", "Anne Berg"}),
        # Every word must match something.
        ({"q": "kommune Anne"}, {"Anne Berg"}),
        ({"q": "example.org"}, {"Per Hansen", "Anne Berg", "Ola Usnes", "Dag Dahl", "Siri Strand"}),
        ({"q": "USN", "status": "checked_in"}, {"Eva Lund"}),
        ({"q": "USN", "status": "not_checked_in"}, {"Kari Nordmann", "Ola Usnes"}),
        ({"status": "waitlisted"}, {"Dag Dahl"}),
        ({"q": "nobody-at-all"}, set()),
    ],
)
def test_the_same_search_finds_the_same_registrations_on_the_page_and_in_the_api(
    world, attendees, params, expected
):
    assert _page_names(world, attendees, params) == expected
    assert _api_names(world, attendees, params) == expected
