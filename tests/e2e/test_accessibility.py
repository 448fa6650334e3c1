"""Every public page and the organiser area pass axe's WCAG 2.1 AA rules (and 2.2 AA where axe has them)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}

PUBLIC_PATHS = [
    "/",
    "/partnerskap/",
    "/nettverk/klima-og-miljo/",
    "/nettverk/digitv/",
    "/konto/logg-inn/",
    "/konto/logg-inn/avvist/?r=cancelled",
    "/personvern/",
    "/personvern/telemark/",
    "/tilgjengelighet/",
]


def _violations(page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_public_pages_have_no_axe_violations(live_server, page, language):
    from partners.demo import seed_partners

    seed_partners()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    problems = {}
    for path in PUBLIC_PATHS:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        found = _violations(page)
        if found:
            problems[path] = found
    assert problems == {}


@pytest.mark.django_db(transaction=True)
def test_skip_link_moves_focus_to_main_content(live_server, page):
    from partners.demo import seed_partners

    seed_partners()
    page.goto(live_server.url + "/partnerskap/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_personal_data_pages_have_no_axe_violations(live_server, page, language):
    """The data pages (personaldata/): asking for the link, the data, the erasure's question."""
    import datetime as dt

    from django.utils import timezone

    from personaldata.models import AccessGrant
    from tests.factories import RegistrationFactory

    registration = RegistrationFactory(name="Siri Sletteby", email="siri@example.org")
    grant = AccessGrant.objects.create(
        email=registration.email,
        language=language,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    problems = {}
    for path in [
        "/mine-data/be-om/pamelding/%s/" % registration.token,
        "/mine-data/%s/" % grant.token,
        "/mine-data/%s/slett/" % grant.token,
        "/mine-data/finnes-ikke/",
    ]:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status in (200, 404), path
        if found := _violations(page):
            problems[path] = found
    assert problems == {}
