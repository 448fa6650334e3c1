"""The Content-Security-Policy in a real browser: no page reports a violation (nothing inline is
refused, so nothing the page needs is missing), the admin's and the check-in page's scripts
run, and only the check-in page may ask for the camera."""

import pytest
from django.test import Client

from events.models import Event, Registration

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded before any of the page's own scripts run; Playwright's init script is not itself
# subject to the page's policy.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") +
    " at " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.fixture
def site(private_storage):
    from events.demo import seed_events
    from partners.demo import seed_partners
    from tests.calls.organiser_data import klima_call

    seed_partners()
    seed_events()
    call = klima_call()
    event = Event.objects.filter(status=Event.Status.PUBLISHED, kind=Event.Kind.CONFERENCE).latest(
        "starts_at"
    )
    return {
        "event": event,
        "call": call,
        "registration": Registration.objects.filter(event=event).order_by("pk").first(),
    }


@pytest.fixture
def watched_page(page):
    page.add_init_script(LISTEN)
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text or "Permissions policy" in message.text
            else None
        ),
    )
    page.csp_console = console
    return page


def _problems(page, live_server, paths: list[str]) -> dict[str, list[str]]:
    problems = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("load")
        found = page.evaluate("window.__cspViolations") + page.csp_console
        page.csp_console.clear()
        if found:
            problems[path] = found
    return problems


def _log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": "nb", "url": live_server.url},
        ]
    )


def test_public_pages_report_no_csp_violations(live_server, watched_page, site):
    registration = site["registration"]
    paths = [
        "/",
        "/partnerskap/",
        "/arrangementer/",
        site["event"].get_absolute_url(),
        registration.get_absolute_url(),
        f"/arrangementer/p/{registration.token}/endre/",
        "/innspill/",
        f"/innspill/{site['call'].slug}/",
        "/personvern/",
        "/tilgjengelighet/",
        "/konto/logg-inn/",
        "/admin/login/",
        "/api/v1/docs",
    ]
    assert _problems(watched_page, live_server, paths) == {}
    # An inline script is refused, and the refusal is heard: the check above can fail.
    watched_page.goto(live_server.url + "/")
    watched_page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.inlineRan = true'; document.body.append(s);"
        " document.body.setAttribute('style', 'color: red'); }"
    )
    watched_page.wait_for_function("window.__cspViolations.length >= 2")
    assert watched_page.evaluate("window.inlineRan") is None
    # Swagger UI is drawn by its scripts: they ran.
    watched_page.goto(live_server.url + "/api/v1/docs")
    watched_page.wait_for_selector(".swagger-ui .info", timeout=15000)


def test_organiser_and_admin_pages_report_no_csp_violations(
    live_server, watched_page, site, django_user_model
):
    user = django_user_model.objects.create_superuser("csp", "csp@example.org", "not-used")
    _log_in(watched_page, live_server, user)
    event = site["event"]
    registration = site["registration"]
    paths = [
        "/arrangor/",
        f"/arrangor/arrangementer/{event.pk}/",
        f"/arrangor/arrangementer/{event.pk}/rediger/",
        f"/arrangor/arrangementer/{event.pk}/deltakere/",
        f"/arrangor/arrangementer/{event.pk}/servering-og-tilrettelegging/",
        f"/arrangor/arrangementer/{event.pk}/innsjekk/",
        f"/arrangor/innspill/{site['call'].pk}/",
        "/admin/",
        "/admin/events/event/",
        f"/admin/events/event/{event.pk}/change/",
        f"/admin/events/registration/{registration.pk}/change/",
        "/admin/auth/user/add/",
        f"/admin/auth/user/{user.pk}/change/",
        "/admin/partners/host/",
    ]
    assert _problems(watched_page, live_server, paths) == {}


def test_the_admins_scripts_run(live_server, watched_page, site, django_user_model):
    """The admin's JavaScript is loaded and works: the changelist's select-all checkbox
    (actions.js) and the date shortcuts of a change form (DateTimeShortcuts.js)."""
    user = django_user_model.objects.create_superuser("csp", "csp@example.org", "not-used")
    _log_in(watched_page, live_server, user)
    page = watched_page
    page.goto(live_server.url + "/admin/events/event/")
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select:checked").count() == Event.objects.count()
    assert page.locator(".action-counter").inner_text().startswith(str(Event.objects.count()))
    page.goto(live_server.url + f"/admin/events/event/{site['event'].pk}/change/")
    assert page.locator(".datetimeshortcuts").count() > 0
    assert page.evaluate("window.__cspViolations") == []


def test_only_the_check_in_page_may_use_the_camera(
    live_server, watched_page, site, django_user_model
):
    user = django_user_model.objects.create_superuser("csp", "csp@example.org", "not-used")
    _log_in(watched_page, live_server, user)
    page = watched_page
    event = site["event"]
    allowed = "document.featurePolicy.allowsFeature('camera')"
    page.goto(live_server.url + f"/arrangor/arrangementer/{event.pk}/innsjekk/")
    # checkin.js ran (it reads the form) and the page may ask for the camera.
    assert page.evaluate(allowed) is True
    assert page.evaluate("document.featurePolicy.allowsFeature('microphone')") is False
    page.goto(live_server.url + f"/arrangor/arrangementer/{event.pk}/deltakere/")
    assert page.evaluate(allowed) is False
    page.goto(live_server.url + "/")
    assert page.evaluate(allowed) is False
    assert page.evaluate("window.__cspViolations") == []
