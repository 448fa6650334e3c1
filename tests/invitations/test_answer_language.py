"""The invitee's pages open in the language their invitation email was written in; the
language switch still decides when used."""

import pytest

from invitations.models import Invitation
from worker.models import OutgoingMessage

from .helpers import send_out

pytestmark = pytest.mark.django_db

NORWEGIAN_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "nb-NO,nb;q=0.9"}


@pytest.fixture
def invite(event, klima, make_person):
    def make(language: str) -> Invitation:
        person = make_person(network=klima, language=language, email="%s@example.org" % language)
        send_out(event=event, person_ids=[person.pk])
        return Invitation.objects.get(person=person)

    return make


@pytest.mark.parametrize("suffix", ["", "avsla/", "avmeld/"])
def test_invitee_with_english_email_gets_english_pages(client, invite, suffix):
    invitation = invite("en")
    [email] = OutgoingMessage.objects.filter(to_email=invitation.email)
    assert email.language == "en"
    response = client.get("/invitasjon/%s/%s" % (invitation.token, suffix), **NORWEGIAN_BROWSER)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html and "Skip to main content" in html
    assert response["Content-Language"] == "en"


def test_invitee_in_nynorsk_gets_nynorsk_whatever_the_browser_asks(client, invite):
    invitation = invite("nn")
    html = client.get(
        "/invitasjon/%s/" % invitation.token, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<html lang="nn">' in html
    assert "Språk i e-postane" in html  # bokmål: "Språk i e-poster"


def test_language_switch_still_wins_over_the_invitation(client, invite):
    invitation = invite("en")
    url = "/invitasjon/%s/" % invitation.token
    response = client.post("/i18n/setlang/", {"language": "nb", "next": url}, **NORWEGIAN_BROWSER)
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url, **NORWEGIAN_BROWSER).content.decode()
    assert '<html lang="nb">' in html


def test_a_registration_made_from_an_english_invitation_is_english(client, invite):
    invitation = invite("en")
    page = client.get("/invitasjon/%s/" % invitation.token, **NORWEGIAN_BROWSER)
    assert '<option value="en" selected>' in page.content.decode()
