"""The participant's flow in a real browser without JavaScript, and axe over every kind of page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client

from events.models import Event, Registration

from .test_accessibility import AXE_OPTIONS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_site():
    from events.demo import seed_events
    from partners.demo import seed_partners

    seed_partners()
    seed_events()
    return Event.objects.filter(status=Event.Status.PUBLISHED, kind=Event.Kind.CONFERENCE).latest(
        "starts_at"
    )


def _violations(page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


def _open_meeting():
    return (
        Event.objects.filter(
            status=Event.Status.PUBLISHED, kind=Event.Kind.NETWORK_MEETING, capacity__isnull=False
        )
        .exclude(invitation_only=True)
        .order_by("starts_at")
        .first()
    )


def test_participant_registers_and_cancels_without_javascript(live_server, nojs_page, demo_site):
    event = demo_site
    page = nojs_page
    page.context.add_cookies([{"name": "django_language", "value": "nn", "url": live_server.url}])
    page.goto(live_server.url + event.get_absolute_url())
    assert page.locator("html").get_attribute("lang") == "nn"
    form = page.locator("form:has(#id_email)")
    form.locator("#id_name").fill("Sigrid Lunde")
    form.locator("#id_email").fill("sigrid.e2e@example.org")
    form.locator("#id_organisation_name").fill("Telemark fylkeskommune")
    form.locator("#id_language").select_option("nn")
    for checkbox in form.locator("input[type=checkbox][required]").all():
        checkbox.check()
    # Required questions and session choices the demo conference asks.
    for radio_group in form.locator("fieldset:has(input[type=radio])").all():
        radio_group.locator("input[type=radio]").first.check()
    for textbox in form.locator("input[type=text][required], textarea[required]").all():
        if not textbox.input_value():
            textbox.fill("Svar")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/arrangementer/p/" in page.url, page.locator("main").inner_text()
    registration = Registration.objects.get(email="sigrid.e2e@example.org")
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.language == "nn"
    assert registration.ticket_code in page.locator("#status").inner_text()

    page.locator(f"a[href$='/p/{registration.token}/avmeld/']").click()
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert page.locator("#status").is_visible()


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_participant_pages_have_no_axe_violations(live_server, page, demo_site, language):
    from events.participants import ParticipantDetails
    from events.services.registering import register_participant

    meeting = _open_meeting()
    registration = register_participant(
        event=meeting, details=ParticipantDetails(name="Ola Hansen", email="ola.e2e@example.org")
    )
    from events.services.registering import cancel_registration

    cancelled = register_participant(
        event=meeting,
        details=ParticipantDetails(name="Kari Hansen", email="kari.e2e@example.org"),
    )
    cancel_registration(registration_id=cancelled.pk)
    from invitations.models import Invitation
    from invitations.services import sendouts

    sendout = sendouts.create_sendout(
        event=demo_site, created_by=None, network_ids=[meeting.network_id]
    )
    sendouts.schedule_sendout(sendout_id=sendout.pk)
    sendouts.expand_sendout(sendout_id=sendout.pk)
    invitation = Invitation.objects.filter(event=demo_site).first()
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    paths = [
        f"/invitasjon/{invitation.token}/",
        f"/invitasjon/{invitation.token}/avsla/",
        f"/invitasjon/{invitation.token}/avmeld/",
        "/",  # with the demo's upcoming conference featured
        "/arrangementer/",
        "/arrangementer/tidligere/",
        demo_site.get_absolute_url(),
        # A past event's record: report, participants per sector, documents.
        Event.objects.get(title="Partnerskapskonferansen 2021").get_absolute_url(),
        meeting.get_absolute_url(),
        registration.get_absolute_url(),
        f"/arrangementer/p/{registration.token}/endre/",
        f"/arrangementer/p/{registration.token}/avmeld/",
        f"/arrangementer/p/{cancelled.token}/endre/",
        "/finnes-ikke/",
    ]
    problems = {}
    for path in paths:
        page.goto(live_server.url + path)
        found = _violations(page)
        if found:
            problems[path] = found
    # A form with errors: submit the registration form empty.
    page.goto(live_server.url + demo_site.get_absolute_url())
    page.locator("form:has(#id_email) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".errorlist, [aria-invalid=true]").count() > 0
    found = _violations(page)
    if found:
        problems["registration form with errors"] = found
    assert problems == {}


def test_organiser_pages_have_no_axe_violations(
    live_server, page, demo_site, django_user_model, private_storage
):
    from calls.models import CallSendOut
    from tests.calls.organiser_data import klima_call

    call = klima_call()
    answer = call.answers.order_by("pk").first()
    sendout = CallSendOut.objects.create(call=call, state=CallSendOut.State.DONE, invited_count=3)
    user = django_user_model.objects.create_superuser("axe", "axe@example.org", "not-used-here")
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
    event = demo_site
    from tests.factories import InboundReplyFactory
    from worker.models import UndeliverableAddress

    registration = Registration.objects.filter(event=event).order_by("pk").first()
    InboundReplyFactory(event=event, sender=registration.email, registration=registration)
    InboundReplyFactory(
        event=event,
        kind="calendar_counter",
        proposed_start=event.starts_at,
        proposed_end=event.ends_at,
    )
    address = UndeliverableAddress.objects.create(
        email_key=registration.email.lower(), status="5.1.1", diagnostic="User unknown"
    )
    from tests.factories import SurveyFactory, SurveyQuestionFactory

    survey = SurveyFactory(event=event)
    rating = SurveyQuestionFactory(survey=survey, text="Hvordan var konferansen?")
    SurveyQuestionFactory(survey=survey, kind="multiple_choice", choices=["Foredrag", "Mingling"])
    SurveyQuestionFactory(survey=survey, kind="free_text")
    past = Event.objects.get(title="Partnerskapskonferansen 2021")  # its documents and report
    paths = [
        "/arrangor/",
        "/arrangor/nettverk/klima-og-miljo/",
        "/arrangor/nettverk/klima-og-miljo/importer/",
        "/arrangor/arrangementer/",
        "/arrangor/arrangementer/ny/",
        f"/arrangor/arrangementer/{event.pk}/",
        f"/arrangor/arrangementer/{event.pk}/rediger/",
        f"/arrangor/arrangementer/{event.pk}/program/",
        f"/arrangor/arrangementer/{event.pk}/sporsmal/",
        f"/arrangor/arrangementer/{event.pk}/deltakere/",
        f"/arrangor/arrangementer/{event.pk}/deltakere/utskrift/",
        f"/arrangor/arrangementer/{event.pk}/servering-og-tilrettelegging/",
        f"/arrangor/arrangementer/{event.pk}/innsjekk/",
        f"/arrangor/arrangementer/{event.pk}/innsjekk/pa-doren/",
        f"/arrangor/arrangementer/{event.pk}/navneskilt-og-lister/",
        f"/arrangor/arrangementer/{event.pk}/meldinger/",
        f"/arrangor/tilbakemelding/{event.pk}/",
        f"/arrangor/tilbakemelding/{event.pk}/resultater/",
        f"/arrangor/tilbakemelding/{event.pk}/sporsmal/{rating.pk}/endre/",  # edited in place
        f"/arrangor/arrangementer/{past.pk}/dokumenter/",
        f"/arrangor/arrangementer/{past.pk}/dokumenter/{past.documents.get().pk}/",
        f"/arrangor/arrangementer/{past.pk}/rapport/",
        "/arrangor/nettverk/baerekraftige-vestfold-og-telemark/om/",
        "/arrangor/invitasjoner/",
        f"/arrangor/invitasjoner/arrangement/{event.pk}/",
        f"/arrangor/invitasjoner/arrangement/{event.pk}/utsending/ny/",
        f"/arrangor/invitasjoner/arrangement/{event.pk}/melding/",
        f"/arrangor/invitasjoner/arrangement/{event.pk}/innboks/",
        "/arrangor/invitasjoner/innboks/",
        "/arrangor/invitasjoner/innboks/?vis=handterte",
        "/arrangor/invitasjoner/adresser/",
        f"/arrangor/invitasjoner/adresser/{address.pk}/",
        "/arrangor/api-tokens/",
        "/arrangor/organisasjoner/",
        "/arrangor/organisasjoner/ny/",
        "/arrangor/innspill/",
        "/arrangor/innspill/ny/",
        f"/arrangor/innspill/{call.pk}/",
        f"/arrangor/innspill/{call.pk}/rediger/",
        f"/arrangor/innspill/{call.pk}/svar/",
        f"/arrangor/innspill/{call.pk}/svar/{answer.pk}/",
        f"/arrangor/innspill/{call.pk}/sammendrag/",
        f"/arrangor/innspill/{call.pk}/inviter/",
        f"/arrangor/innspill/{call.pk}/inviter/{sendout.pk}/",
    ]
    problems = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        found = _violations(page)
        if found:
            problems[path] = found
    assert problems == {}


def _log_in_organiser(page, live_server, django_user_model, language="nb"):
    user = django_user_model.objects.create_superuser("axe2", "axe2@example.org", "not-used")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": language, "url": live_server.url},
        ]
    )


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_new_organisation_pages_have_no_axe_violations(
    live_server, page, demo_site, django_user_model, tmp_path, language
):
    """The organisation form with errors, the import preview of new organisations and the
    send-out's confirmation of them: the pages reached only by submitting a form."""
    _log_in_organiser(page, live_server, django_user_model, language)
    problems = {}
    page.goto(live_server.url + "/arrangor/organisasjoner/ny/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    problems["organisation form with errors"] = _violations(page)

    csv = tmp_path / "people.csv"
    csv.write_text("navn;e-post;organisasjon\nSiri;siri@skien.example.org;Skien kommune\n")
    page.goto(live_server.url + "/arrangor/nettverk/klima-og-miljo/importer/")
    page.locator("input[type=file]").set_input_files(str(csv))
    page.locator("main form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#new-organisations").count() == 1
    problems["import preview"] = _violations(page)
    page.locator("#new-organisations button, main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1  # no sector chosen
    problems["import preview with errors"] = _violations(page)

    page.goto(
        live_server.url + "/arrangor/invitasjoner/arrangement/%d/utsending/ny/" % demo_site.pk
    )
    page.locator("#id_new_people").fill(
        "navn;e-post;organisasjon\nPer;per@porsgrunn.example.org;Porsgrunn kommune\n"
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#new-organisations").count() == 1
    problems["send-out confirmation of new organisations"] = _violations(page)
    assert {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_door_pages_have_no_axe_violations(live_server, page, django_user_model, language):
    """At the door: check-in with the walk-in form, a full event's choices, a session's
    check-in, badges and lists."""
    from partners.demo import seed_partners
    from tests.factories import EventFactory, RegistrationFactory, SessionFactory

    seed_partners()
    event = EventFactory(capacity=1, title="Partnerskapskonferansen")
    session = SessionFactory(event=event, title="Verksted")
    anne = RegistrationFactory(event=event, name="Anne Čáhcesuolu")
    anne.session_choices.create(session=session)
    user = django_user_model.objects.create_superuser("door", "door@example.org", "not-used")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": language, "url": live_server.url},
        ]
    )
    base = f"{live_server.url}/arrangor/arrangementer/{event.pk}"
    problems = {}
    for path in [
        "/innsjekk/",
        "/innsjekk/pa-doren/",
        f"/innsjekk/okt/{session.pk}/",
        "/navneskilt-og-lister/",
    ]:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        if found := _violations(page):
            problems[path] = found
    page.goto(base + "/innsjekk/pa-doren/")
    page.fill("#id_name", "Sara Ærø")
    page.fill("#id_email", "sara@example.org")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator("button[name=when_full]").count() == 2  # full: the two choices
    if found := _violations(page):
        problems["walk-in, event full"] = found
    assert problems == {}
