"""Calls for input in a real browser: answering without JavaScript, with a file, then changing
and withdrawing through the personal link; axe over the calls' pages."""

import pytest

from calls.demo import OPEN_SLUG, SOURCE_SLUG
from calls.models import Answer, Call

from .test_accessibility import AXE_OPTIONS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_calls(tmp_path, settings):
    from calls.demo import seed_calls
    from partners.demo import seed_partners

    settings.PRIVATE_UPLOAD_ROOT = tmp_path / "private"
    seed_partners()
    seed_calls()
    return Call.objects.get(slug=OPEN_SLUG)


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


def test_answer_change_and_withdraw_without_javascript(
    live_server, nojs_page, demo_calls, tmp_path
):
    page = nojs_page
    page.context.add_cookies([{"name": "django_language", "value": "nn", "url": live_server.url}])
    page.goto(live_server.url + "/innspill/")
    page.locator("a", has_text=demo_calls.title).first.click()
    form = page.locator("form:has(#id_email)")
    form.locator("#id_name").fill("Sigrid Lunde")
    form.locator("#id_email").fill("sigrid.e2e@example.org")
    form.locator("textarea").first.fill("Fleire ladestasjonar i distrikta.")
    memo = tmp_path / "notat.pdf"
    memo.write_bytes(b"%PDF-1.4\n%%EOF\n")
    form.locator("#id_attachments").set_input_files(str(memo))
    form.locator("#id_language").select_option("nn")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/innspill/svar/" in page.url, page.locator("main").inner_text()
    answer = Answer.objects.get(email="sigrid.e2e@example.org")
    assert answer.language == "nn" and answer.attachments.get().original_name == "notat.pdf"
    assert "Fleire ladestasjonar" in page.locator("main").inner_text()

    page.locator(f"a[href$='/svar/{answer.token}/endre/']").click()
    page.locator("textarea").first.fill("Fleire ladestasjonar, og sykkelvegar.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "sykkelvegar" in page.locator("main").inner_text()

    page.locator(f"a[href$='/svar/{answer.token}/trekk/']").click()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    answer.refresh_from_db()
    assert answer.withdrawn_at is not None
    assert page.locator("#status").is_visible()


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_calls_pages_have_no_axe_violations(live_server, page, demo_calls, language):
    from invitations.models import NetworkOptOut
    from tests.factories import CallInvitationFactory

    mine = Answer.objects.create(call=demo_calls, name="Kari", email="kari.e2e@example.org")
    closed = Answer.objects.filter(call__slug=SOURCE_SLUG).first()
    invitation = CallInvitationFactory(call=demo_calls)
    opt_out = NetworkOptOut.objects.create(network=demo_calls.network, email="ola.e2e@example.org")
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    paths = [
        "/innspill/",
        f"/innspill/{SOURCE_SLUG}/",
        demo_calls.get_absolute_url(),
        mine.get_absolute_url(),
        f"/innspill/svar/{mine.token}/endre/",
        f"/innspill/svar/{mine.token}/trekk/",
        closed.get_absolute_url(),
        f"/innspill/invitasjon/{invitation.token}/avmeld/",
        f"/innspill/avmelding/{opt_out.token}/angre/",
    ]
    problems = {}
    for path in paths:
        page.goto(live_server.url + path)
        if found := _violations(page):
            problems[path] = found
    page.goto(live_server.url + demo_calls.get_absolute_url())
    page.locator("form:has(#id_email) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    if found := _violations(page):
        problems["answer form with errors"] = found
    page.goto(live_server.url + f"/innspill/invitasjon/{invitation.token}/avmeld/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert NetworkOptOut.objects.filter(email__iexact=invitation.email).exists()
    if found := _violations(page):
        problems["opt-out done"] = found
    assert problems == {}
