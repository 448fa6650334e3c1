import pytest

from partners.demo import MEMBERS, OBSERVERS, seed_partners
from partners.models import Network, Organisation, OrganisationMembership, Person


def _counts():
    return (
        Organisation.objects.count(),
        Network.objects.count(),
        Person.objects.count(),
        OrganisationMembership.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    seed_partners()
    first = _counts()
    seed_partners()
    assert _counts() == first
    assert first[1] == 6  # the partnership, four thematic networks, DigiTV


def test_partnership_page_lists_members_and_observers_under_their_headings(client, demo):
    response = client.get("/partnerskap/")
    assert response.status_code == 200
    html = response.content.decode()
    members_part = html.split('id="members"')[1].split("</ul>")[0]
    observers_part = html.split('id="observers"')[1].split("</ul>")[0]
    assert len(MEMBERS) == 11 and len(OBSERVERS) == 7
    for name, *_ in MEMBERS:
        assert f"<li>{name}</li>" in members_part
        assert name not in observers_part
    for name, *_ in OBSERVERS:
        assert f"<li>{name}</li>" in observers_part
    assert members_part.count("<li>") == 11
    assert observers_part.count("<li>") == 7


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.json()["database"] is True
    assert response.status_code in (200, 503)
