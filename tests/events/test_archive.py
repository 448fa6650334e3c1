"""The archive (/arrangementer/tidligere/ and the network pages' previous meetings) lists earlier
meetings with their public documents, at a fixed number of queries; the partnership page names
its founding decision and contact, which its organisers edit."""

import datetime as dt

import pytest
from django.utils import timezone

from events.models import EventDocument
from partners.models import Network
from tests.factories import EventFactory


@pytest.fixture
def klima(demo):
    return Network.objects.get(slug="klima-og-miljo")


def _past_meetings(network, count):
    now = timezone.now()
    events = []
    for n in range(count):
        start = now - dt.timedelta(days=30 + n)
        event = EventFactory(
            network=network,
            title="Tidligere møte %d" % n,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
        )
        for visibility in EventDocument.Visibility.values:
            EventDocument.objects.create(
                event=event,
                title="Referat %d %s" % (n, visibility),
                kind=EventDocument.Kind.MINUTES,
                visibility=visibility,
                url="https://example.org/%d/%s" % (n, visibility),
            )
        events.append(event)
    return events


@pytest.mark.parametrize("count", [1, 5])
def test_the_archive_lists_public_documents_at_a_fixed_cost(
    client, klima, count, django_assert_num_queries
):
    _past_meetings(klima, count)
    with django_assert_num_queries(4):
        page = client.get("/arrangementer/tidligere/").content.decode()
    for n in range(count):
        assert "Referat %d public" % n in page
        assert 'href="https://example.org/%d/public"' % n in page
    assert "participants" not in page.replace("Participants", "")
    assert "organisers</a>" not in page


@pytest.mark.parametrize("count", [1, 5])
def test_the_network_page_lists_previous_meetings_with_documents(
    client, klima, count, django_assert_num_queries
):
    _past_meetings(klima, count)
    with django_assert_num_queries(QUERIES_NETWORK_PAGE):
        page = client.get("/nettverk/klima-og-miljo/").content.decode()
    for n in range(count):
        assert "Referat %d public" % n in page
    assert "Referat 0 participants" not in page and "Referat 0 organisers" not in page


QUERIES_NETWORK_PAGE = 8


def test_the_partnership_page_links_the_founding_decision_and_names_the_contact(client, demo):
    page = client.get("/partnerskap/").content.decode()
    assert (
        '<a href="https://www.vestfoldfylke.example.org/politikk/fylkestinget/sak-25-20">'
        "Fylkestingets sak 25/20, 31.03.2020" in page
    )
    assert "Tom Omnes Lia<br>Rådgiver" in page


def test_the_partnerships_organiser_edits_them(client, demo, make_organiser):
    client.force_login(make_organiser("partnerskap", network=demo))
    home = client.get("/arrangor/").content.decode()
    url = "/arrangor/nettverk/%s/om/" % demo.slug
    assert 'href="%s"' % url in home
    response = client.post(
        url,
        {
            "founding_decision": "Fylkestingets sak 25/20",
            "founding_decision_url": "https://example.org/sak-25-20",
            "contact_name": "Kari Nordmann",
            "contact_title": "Seniorrådgiver",
            "contact_email": "kari@example.org",
        },
    )
    assert response.status_code == 302
    page = client.get("/partnerskap/").content.decode()
    assert '<a href="https://example.org/sak-25-20">Fylkestingets sak 25/20</a>' in page
    assert "Kari Nordmann<br>Seniorrådgiver" in page and "mailto:kari@example.org" in page


def test_a_bad_link_is_refused_and_nothing_changes(client, demo, make_organiser):
    client.force_login(make_organiser("partnerskap", network=demo))
    response = client.post(
        "/arrangor/nettverk/%s/om/" % demo.slug,
        {"founding_decision": "Ny tekst", "founding_decision_url": "ikke en lenke"},
    )
    assert response.status_code == 200 and "Enter a valid URL." in response.content.decode()
    demo.refresh_from_db()
    assert demo.founding_decision.startswith("Fylkestingets sak 25/20, 31.03.2020")


def test_another_networks_organiser_cannot_edit_the_partnership_page(
    client, demo, klima, make_organiser
):
    client.force_login(make_organiser("klima", network=klima))
    response = client.post("/arrangor/nettverk/%s/om/" % demo.slug, {"contact_name": "X"})
    assert response.status_code == 404
    demo.refresh_from_db()
    assert demo.contact_name == "Tom Omnes Lia"


def test_the_demo_conferences_are_their_records(client, demo, django_capture_on_commit_callbacks):
    from events.demo import seed_events
    from events.models import Event, EventReport

    seed_events()
    seed_events()  # a second run adds nothing
    assert EventReport.objects.count() == 2 and EventDocument.objects.count() == 2
    archive = client.get("/arrangementer/tidligere/").content.decode()
    assert "Opptak av konferansen" in archive
    assert "Referat fra partnerskapskonferansen 2021" in archive
    conference = Event.objects.get(title="Partnerskapskonferansen 2021")
    page = client.get(conference.get_absolute_url()).content.decode()
    assert "Fagnettverkene legger fram hvert sitt forslag" in page
    assert "Participants by sector" in page
    document = conference.documents.get()
    download = client.get("/arrangementer/%d/dokumenter/%d/" % (conference.pk, document.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
