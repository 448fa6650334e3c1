"""The organiser's event overview: registrations over time (SVG, cumulative per day, the
numbers in a table), the counts, and registrations per member organisation (0 for none)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Registration
from tests.factories import (
    EventFactory,
    HostFactory,
    NetworkFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    RegistrationFactory,
    oslo,
)
from tests.html_checks import page_problems


@pytest.fixture
def overview(db, client, make_organiser):
    host = HostFactory()
    network = NetworkFactory(name="Klima og miljø")
    network.hosts.add(host)
    members = [
        OrganisationFactory(name=n) for n in ("Skien kommune", "Bane NOR", "Porsgrunn kommune")
    ]
    for position, organisation in enumerate(members):
        OrganisationMembershipFactory(network=network, organisation=organisation, position=position)
    event = EventFactory(network=network, capacity=None)
    client.force_login(make_organiser("kari", network=network))
    return event, members


def _registered(event, on: dt.datetime, **kwargs):
    registration = RegistrationFactory(event=event, **kwargs)
    Registration.objects.filter(pk=registration.pk).update(created_at=on)
    return registration


def test_the_overview_shows_counts_per_day_and_per_member(client, overview):
    event, (skien, bane, porsgrunn) = overview
    _registered(event, oslo(2027, 3, 1, 10), organisation=skien)
    _registered(event, oslo(2027, 3, 1, 23, 30), organisation=skien)  # still 1 March in Oslo
    _registered(event, oslo(2027, 3, 3, 9), organisation=bane, status=Registration.Status.CANCELLED)
    _registered(event, oslo(2027, 3, 3, 12), organisation_name="Frivilligsentralen")
    response = client.get("/arrangor/arrangementer/%d/" % event.pk)
    html = response.content.decode()
    assert page_problems(html) == []
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img" ' in svg and 'aria-label="Registrations received, cumulative per day"' in svg
    assert svg.count("<rect") == 3  # 1, 2 and 3 March
    assert "<title>1 March 2027: 2</title>" in svg and "<title>3 March 2027: 4</title>" in svg
    assert '<td class="num">2</td><td class="num">2</td>' in html  # 1 March: 2 new, 2 in total
    rows = html.split('id="registrations-per-member"', 1)[1]
    assert '<th scope="row">Skien kommune</th><td>Member</td><td class="num">2</td>' in rows
    assert '<th scope="row">Bane NOR</th><td>Member</td><td class="num">0</td>' in rows  # cancelled
    assert '<th scope="row">Porsgrunn kommune</th><td>Member</td><td class="num">0</td>' in rows
    assert '<th scope="row">Others (not members)</th><td>–</td><td class="num">1</td>' in rows
    assert "<dt>Cancelled</dt><dd>1</dd>" in html.replace("\n", "").replace("  ", "")


def test_the_overview_costs_the_same_queries_with_one_or_many_registrations(
    client, overview, django_assert_num_queries
):
    event, members = overview
    _registered(event, oslo(2027, 3, 1, 10), organisation=members[0])
    url = "/arrangor/arrangementer/%d/" % event.pk
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    for day in range(2, 20):
        _registered(event, oslo(2027, 3, day, 10), organisation=members[day % 3])
    with django_assert_num_queries(len(queries)):
        client.get(url)
