"""The participant's survey page in a browser: no axe violations in nb and nn, and answered on
a phone with JavaScript off; a second visit says it is already answered."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from feedback.models import SurveyInvitation, SurveyResponse
from tests.factories import HostFactory, NetworkFactory, RegistrationFactory, SurveyFactory
from tests.feedback.conftest import add_questions, past_event

from .test_accessibility import AXE_OPTIONS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def invitation() -> SurveyInvitation:
    network = NetworkFactory(name="Klima og miljø")
    network.hosts.add(HostFactory())
    event = past_event(network, ended=dt.timedelta(hours=3), title="Klimasamling")
    registration = RegistrationFactory(event=event, language="nn", checked_in_at=timezone.now())
    survey = SurveyFactory(event=event, sent_at=timezone.now())
    add_questions(survey)
    return SurveyInvitation.objects.create(survey=survey, registration=registration, language="nn")


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_survey_page_has_no_axe_violations(live_server, page, invitation, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    for data in (None, {}):
        response = page.goto(live_server.url + invitation.get_absolute_url())
        assert response is not None and response.status == 200
        if data is not None:  # the form sent empty: the errors shown
            page.get_by_role("button").last.click()
            assert page.locator(".error-summary").is_visible()
        results = Axe().run(page, options=AXE_OPTIONS)
        assert [v["id"] for v in results.response["violations"]] == []


def test_the_survey_is_answered_without_javascript(live_server, nojs_page, invitation):
    page = nojs_page
    page.goto(live_server.url + invitation.get_absolute_url())
    page.get_by_role("group", name="Hvordan var samlingen?").get_by_label("4").check()
    page.get_by_label("Verkstedene").check()
    page.get_by_label("Mingling").check()
    page.get_by_label("Annet du vil si? (valfritt)").fill("Meir tid til samtalar.")
    page.get_by_role("button", name="Send svara").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Takk for svara"
    assert SurveyResponse.objects.count() == 1
    page.goto(live_server.url + invitation.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == "Alt svart på"
