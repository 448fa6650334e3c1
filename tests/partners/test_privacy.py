"""The privacy page every email's footer links to."""

import pytest
from django.utils import timezone

from partners.models import Host

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading"), [("nb", "Personvern"), ("nn", "Personvern"), ("en", "Privacy")]
)
def test_privacy_page_names_the_hosts_in_the_visitors_language(client, language, heading):
    Host.objects.create(name="Telemark fylkeskommune", slug="telemark", email="post@tfk.example")
    client.cookies["django_language"] = language
    response = client.get("/personvern/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in html
    assert 'href="mailto:post@tfk.example"' in html and "Telemark fylkeskommune" in html


def test_every_page_links_to_the_privacy_page(client):
    assert 'href="/personvern/"' in client.get("/").content.decode()


# The privacy notice per host ------------------------------------------------------------------


@pytest.fixture
def telemark(db):
    return Host.objects.create(
        name="Telemark fylkeskommune",
        slug="telemark",
        email="post@tfk.example",
        privacy_email="personvern@tfk.example",
        dpo_name="Ola Ombud",
        dpo_email="ombud@tfk.example",
        retention_days=200,
    )


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("nb", "Personvernerklæring for Telemark fylkeskommune"),
        ("nn", "Personvernerklæring for Telemark fylkeskommune"),
        ("en", "Privacy notice of Telemark fylkeskommune"),
    ],
)
def test_a_hosts_notice_gives_its_facts_from_the_data_and_settings(
    client, settings, telemark, language, heading
):
    settings.SPECIAL_NEEDS_RETENTION_DAYS = 14
    settings.DATA_ACCESS_LOG_RETENTION_DAYS = 365
    client.cookies["django_language"] = language
    response = client.get("/personvern/telemark/")
    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in html
    assert 'href="mailto:personvern@tfk.example"' in html
    assert "Ola Ombud" in html and 'href="mailto:ombud@tfk.example"' in html
    if language == "en":
        assert "anonymised 200 days after the event" in html
        assert "deleted 14 days after the event" in html
        assert "participant lists: 365 days" in html
        assert "9(2)(a)" in html and "personal link" in html
    else:
        assert "200 dag" in html and "14 dag" in html and "365 dag" in html


def test_a_notice_follows_a_change_of_the_host(client, telemark):
    Host.objects.filter(pk=telemark.pk).update(
        retention_days=90, dpo_name="Kari Ombud", privacy_email=""
    )
    html = " ".join(client.get("/personvern/telemark/").content.decode().split())
    assert "anonymised 90 days after the event" in html and "Kari Ombud" in html
    # Without a privacy address, the organisers' mailbox is the contact.
    assert 'href="mailto:post@tfk.example"' in html


def test_an_unknown_host_has_no_notice(client, db):
    assert client.get("/personvern/finnes-ikke/").status_code == 404


def test_the_overview_links_to_each_hosts_notice(client, telemark):
    html = client.get("/personvern/").content.decode()
    assert 'href="/personvern/telemark/"' in html


def test_every_form_that_collects_personal_data_links_to_the_hosts_notice(
    client, demo, make_organiser, private_storage
):
    from events.demo import seed_events
    from events.models import Event, Registration
    from tests.calls.organiser_data import klima_call
    from tests.factories import InvitationFactory, PersonFactory

    seed_events()
    event = (
        Event.objects.filter(status=Event.Status.PUBLISHED, ends_at__gt=timezone.now())
        .exclude(invitation_only=True)
        .order_by("starts_at")
        .first()
    )
    registration = Registration.objects.filter(event=event, status="confirmed").first()
    invitation = InvitationFactory(event=event, person=PersonFactory())
    call = klima_call()
    notice = f'href="/personvern/{event.host.slug}/"'
    pages = {
        "registration form": event.get_absolute_url(),
        "change form": f"/arrangementer/p/{registration.token}/endre/",
        "invitation answer": f"/invitasjon/{invitation.token}/",
    }
    for name, url in pages.items():
        html = client.get(url).content.decode()
        assert 'method="post"' in html and notice in html, name
    call_html = client.get(f"/innspill/{call.slug}/").content.decode()
    assert 'enctype="multipart/form-data"' in call_html
    assert f'href="/personvern/{call.host.slug}/"' in call_html
    client.force_login(make_organiser("root", superuser=True))
    import_html = client.get("/arrangor/nettverk/klima-og-miljo/importer/").content.decode()
    assert 'href="/personvern/telemark/"' in import_html


# The accessibility statement ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("nb", "Tilgjengelighetserklæring"),
        ("nn", "Tilgjengelegheitserklæring"),
        ("en", "Accessibility statement"),
    ],
)
def test_the_accessibility_statement_links_the_countys_on_uustatus(
    client, settings, telemark, language, heading
):
    settings.ACCESSIBILITY_STATEMENT_URL = "https://uustatus.no/nb/erklaringer/publisert/abc"
    client.cookies["django_language"] = language
    response = client.get("/tilgjengelighet/")
    html = response.content.decode()
    assert response.status_code == 200 and f"<h1>{heading}</h1>" in html
    assert 'href="https://uustatus.no/nb/erklaringer/publisert/abc"' in html
    assert "(WCAG) 2.1" in html and 'href="mailto:post@tfk.example"' in html


def test_every_page_links_to_the_accessibility_statement(client, db):
    for url in ["/", "/personvern/", "/finnes-ikke/"]:
        assert 'href="/tilgjengelighet/"' in client.get(url).content.decode(), url
