"""Catering and assistance list: consented needs only, organisers of that event only."""

import csv
import io

import pytest

from events.models import Registration
from partners.models import Host, Network
from tests.factories import EventFactory, RegistrationFactory


@pytest.fixture
def klima(demo):
    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def event(klima):
    event = EventFactory(minimal=True, network=klima, serves_food=True, offers_assistance=True)
    RegistrationFactory(
        event=event, name="Glutenfri Gunn", dietary_consent=True, dietary_needs="Glutenfri"
    )
    RegistrationFactory(
        event=event,
        name="Rullestol Roy",
        assistance_consent=True,
        assistance_needs="Rullestolplass",
    )
    # Needs written down without consent must never show.
    RegistrationFactory(
        event=event, name="Uten Samtykke", dietary_consent=False, dietary_needs="Halal"
    )
    RegistrationFactory(event=event, name="Ingen Behov")
    RegistrationFactory(
        event=event,
        name="Avmeldt Anne",
        status=Registration.Status.CANCELLED,
        dietary_consent=True,
        dietary_needs="Vegansk",
    )
    RegistrationFactory(
        event=event,
        name="Slettet Sara",
        dietary_consent=True,
        dietary_needs="Laktosefri",
        special_needs_deleted_at=event.starts_at,
    )
    return event


def test_special_needs_page_shows_only_consented_active_needs(client, make_organiser, event, klima):
    client.force_login(make_organiser("kari", network=klima))
    html = client.get(
        f"/arrangor/arrangementer/{event.pk}/servering-og-tilrettelegging/"
    ).content.decode()
    assert "Glutenfri Gunn" in html and "Glutenfri" in html
    assert "Rullestol Roy" in html and "Rullestolplass" in html
    for hidden in (
        "Uten Samtykke",
        "Halal",
        "Ingen Behov",
        "Avmeldt Anne",
        "Vegansk",
        "Laktosefri",
    ):
        assert hidden not in html


def test_special_needs_csv_has_the_same_rows(client, make_organiser, event, klima):
    client.force_login(make_organiser("kari", network=klima))
    response = client.get(f"/arrangor/arrangementer/{event.pk}/servering-og-tilrettelegging.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [(r[0], r[3], r[4]) for r in rows[1:]] == [
        ("Glutenfri Gunn", "Glutenfri", ""),
        ("Rullestol Roy", "", "Rullestolplass"),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("other_network", 404),
        ("nobody", 403),
        ("anonymous", 302),
        ("host", 200),
        ("superuser", 200),
    ],
)
@pytest.mark.parametrize(
    "suffix", ["servering-og-tilrettelegging/", "servering-og-tilrettelegging.csv"]
)
def test_special_needs_access(client, make_organiser, event, who, status, suffix):
    if who == "other_network":
        client.force_login(make_organiser("f", network=Network.objects.get(slug="folkehelse")))
    elif who == "nobody":
        client.force_login(make_organiser("n"))
    elif who == "host":
        client.force_login(make_organiser("h", host=Host.objects.get(slug="vestfold")))
    elif who == "superuser":
        client.force_login(make_organiser("root", superuser=True))
    response = client.get(f"/arrangor/arrangementer/{event.pk}/{suffix}")
    assert response.status_code == status
    if status != 200:
        assert b"Glutenfri" not in response.content
