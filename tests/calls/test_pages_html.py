"""The calls' pages are sound HTML and write dates the one way (tests/html_checks.py), in nb, nn
and en: the list, both demo calls, an invitation's form, the personal link's pages, the form
with errors, the opt-out of the call's network and its undo."""

import pytest

from calls.demo import OPEN_SLUG, SOURCE_SLUG, seed_calls
from calls.models import Answer, Call
from invitations.models import NetworkOptOut
from tests.factories import CallInvitationFactory
from tests.html_checks import date_problems, page_problems


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_calls_pages_are_sound_html(client, demo, language):
    seed_calls()
    client.cookies["django_language"] = language
    open_call = Call.objects.get(slug=OPEN_SLUG)
    answer = Answer.objects.filter(call__slug=SOURCE_SLUG).first()
    invited = CallInvitationFactory(call=open_call)
    opt_out = NetworkOptOut.objects.create(network=open_call.network, email="ola@example.org")
    mine = Answer.objects.create(call=open_call, name="Kari", email="kari@example.org")
    paths = [
        "/",
        "/innspill/",
        "/innspill/%s/" % SOURCE_SLUG,
        open_call.get_absolute_url(),
        open_call.network.get_absolute_url(),
        invited.get_absolute_url(),
        answer.get_absolute_url(),  # closed: no change
        mine.get_absolute_url(),
        "/innspill/svar/%s/endre/" % mine.token,
        "/innspill/svar/%s/trekk/" % mine.token,
        "/innspill/svar/%s/endre/" % answer.token,
        "/innspill/finnes-ikke/",
        "/innspill/invitasjon/%s/avmeld/" % invited.token,
        "/innspill/avmelding/%s/angre/" % opt_out.token,
        "/innspill/avmelding/finnes-ikke/angre/",
    ]
    problems = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        html = response.content.decode()
        if found := page_problems(html) + date_problems(html, language):
            problems[path] = found
    response = client.post(open_call.get_absolute_url(), {})
    assert response.status_code == 400
    if found := page_problems(response.content.decode()):
        problems["POST empty form"] = found
    response = client.post("/innspill/invitasjon/%s/avmeld/" % invited.token)
    assert response.status_code == 200
    if found := page_problems(response.content.decode()) + date_problems(
        response.content.decode(), language
    ):
        problems["POST opt-out"] = found
    assert problems == {}
