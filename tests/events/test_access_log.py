"""The audit log of who saw or exported participants' data: one row per look or export, through
the organiser pages, the admin and the API; superusers alone read it; a year, then gone."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.models import DataAccess
from partners.api_tokens import create_api_token
from partners.models import Network
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def klima(demo):
    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def event(klima):
    event = EventFactory(minimal=True, network=klima, serves_food=True, offers_assistance=True)
    RegistrationFactory(
        event=event, name="Glutenfri Gunn", dietary_consent=True, dietary_needs="Glutenfri"
    )
    return event


@pytest.fixture
def kari(make_organiser, klima):
    return make_organiser("kari", network=klima)


@pytest.mark.parametrize(
    ("path", "kind", "detail"),
    [
        ("servering-og-tilrettelegging/", DataAccess.Kind.SPECIAL_NEEDS_VIEWED, ""),
        ("servering-og-tilrettelegging.csv", DataAccess.Kind.SPECIAL_NEEDS_EXPORTED, "CSV"),
        ("deltakere.csv", DataAccess.Kind.ATTENDEES_EXPORTED, "CSV"),
        ("deltakere.xlsx", DataAccess.Kind.ATTENDEES_EXPORTED, "XLSX"),
        ("deltakere/utskrift/", DataAccess.Kind.ATTENDEES_PRINTED, ""),
    ],
)
def test_viewing_or_exporting_writes_one_row(client, kari, event, path, kind, detail):
    client.force_login(kari)
    before = timezone.now()
    response = client.get(f"/arrangor/arrangementer/{event.pk}/{path}", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    row = DataAccess.objects.get()
    assert (row.user, row.username, row.kind, row.event, row.detail) == (
        kari,
        "kari",
        kind,
        event,
        detail,
    )
    assert row.ip_address == "198.51.100.7" and row.at >= before


def test_the_invitation_export_is_logged(client, kari, event):
    client.force_login(kari)
    response = client.get(f"/arrangor/invitasjoner/arrangement/{event.pk}/eksport.xlsx")
    assert response.status_code == 200
    assert DataAccess.objects.get().kind == DataAccess.Kind.INVITATIONS_EXPORTED


def test_an_organiser_of_another_network_gets_404_and_no_row(client, make_organiser, event, demo):
    other = Network.objects.exclude(slug="klima-og-miljo").exclude(pk=demo.pk).first()
    client.force_login(make_organiser("per", network=other))
    response = client.get(f"/arrangor/arrangementer/{event.pk}/servering-og-tilrettelegging/")
    assert response.status_code == 404
    assert not DataAccess.objects.exists()


def test_the_api_registration_list_is_logged(client, kari, event):
    token = create_api_token(user=kari, name="test").raw
    response = client.get(
        f"/api/v1/events/{event.pk}/registrations", HTTP_AUTHORIZATION="Bearer " + token
    )
    assert response.status_code == 200 and response.json()["count"] == 1
    row = DataAccess.objects.get()
    assert (row.user, row.kind, row.event) == (kari, DataAccess.Kind.ATTENDEES_READ_BY_API, event)
    assert row.ip_address == "127.0.0.1"


def test_a_registration_with_needs_seen_in_the_admin_is_logged(client, make_organiser, event):
    root = make_organiser("root", superuser=True)
    client.force_login(root)
    registration = event.registrations.get()
    response = client.get(f"/admin/events/registration/{registration.pk}/change/")
    assert response.status_code == 200 and "Glutenfri" in response.content.decode()
    row = DataAccess.objects.get()
    assert (row.user, row.kind, row.detail) == (root, DataAccess.Kind.SPECIAL_NEEDS_VIEWED, "admin")


def test_superusers_read_the_log_in_the_admin(client, make_organiser, kari, event):
    client.force_login(kari)
    client.get(f"/arrangor/arrangementer/{event.pk}/servering-og-tilrettelegging.csv")
    client.force_login(make_organiser("root", superuser=True))
    response = client.get("/admin/events/dataaccess/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "kari" in html and "Exported catering and assistance needs" in html
    # Read-only: no way to add, change or delete a record.
    row = DataAccess.objects.get()
    assert client.get("/admin/events/dataaccess/add/").status_code == 403
    assert client.get(f"/admin/events/dataaccess/{row.pk}/delete/").status_code == 403
    change = client.get(f"/admin/events/dataaccess/{row.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()


@pytest.mark.parametrize("who", ["organiser", "staff with every permission"])
def test_a_non_superuser_cannot_see_the_log(client, kari, event, who, django_user_model):
    from django.contrib.auth.models import Permission

    client.force_login(kari)
    client.get(f"/arrangor/arrangementer/{event.pk}/servering-og-tilrettelegging/")
    user = kari
    if who != "organiser":
        user = django_user_model.objects.create_user("staff", is_staff=True)
        user.user_permissions.set(Permission.objects.all())
        client.force_login(user)
    listing = client.get("/admin/events/dataaccess/")
    detail = client.get("/admin/events/dataaccess/%d/change/" % DataAccess.objects.get().pk)
    assert listing.status_code in (302, 403) and detail.status_code in (302, 403)
    if who != "organiser":
        assert listing.status_code == 403
        assert "dataaccess" not in client.get("/admin/").content.decode()


def test_rows_older_than_a_year_are_removed_by_the_retention(client, kari, event):
    client.force_login(kari)
    for _ in range(2):
        client.get(f"/arrangor/arrangementer/{event.pk}/deltakere.csv")
    old, recent = DataAccess.objects.order_by("pk")
    DataAccess.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=366))
    DataAccess.objects.filter(pk=recent.pk).update(at=timezone.now() - timedelta(days=364))
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert list(DataAccess.objects.all()) == [recent]
    assert "access log records deleted: 1" in out.getvalue()
