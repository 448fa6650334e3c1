"""The privacy page every email's footer links to."""

import pytest

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
