"""A person sees, downloads and erases everything held about their address, through HTTP."""

import json

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.db.models.functions import Cast

from events.models import Registration
from personaldata.models import AccessGrant, ErasureRecord
from worker.delivery import deliver_queued
from worker.models import OutgoingMessage

from .conftest import COWORKER, COWORKER_EMAIL, EMAIL, NAME, WAITING, data_link, sent_mail

pytestmark = pytest.mark.usefixtures("eager_celery")
TEXT_FIELDS = (models.CharField, models.TextField, models.EmailField, models.JSONField)


def test_the_personal_page_only_offers_to_mail_a_data_link(client, world):
    page = client.get(world.registration.get_absolute_url()).content.decode()
    assert "/mine-data/be-om/pamelding/%s/" % world.registration.token in page
    ask = client.get("/mine-data/be-om/pamelding/%s/" % world.registration.token)
    assert "Email me the link" in ask.content.decode()
    assert AccessGrant.objects.count() == 0  # a GET writes nothing


def test_the_export_holds_everything_about_the_person_and_nothing_else(
    client, world, django_capture_on_commit_callbacks
):
    link = data_link(client, world.registration, django_capture_on_commit_callbacks)
    response = client.get(link + "data.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    raw = response.content.decode()
    data = json.loads(raw)

    registrations = {r["event"]: r for r in data["registrations"]}
    assert set(registrations) == {"Klimasamling", "Vårmøtet", "Høstmøtet"}
    future = registrations["Klimasamling"]
    assert future["name"] == NAME and future["phone"] == "+4790011223"
    assert future["dietary_needs"] == "Glutenfri"
    assert future["answers"] == ["Hva vil du lære?: Sirkulært"]
    assert future["language"] == "Norwegian Nynorsk"
    assert [i["event"] for i in data["invitations"]] == ["Klimasamling"]
    assert [o["email"] for o in data["network_opt_outs"]] == [EMAIL]
    assert [r["text"] for r in data["inbound_replies"]] == ["Hilsen Siri Sletteby"]
    [answer] = data["call_answers"]
    assert answer["texts"] == ["Hva bør planen si?: Mer samarbeid. Hilsen Siri Sletteby"]
    assert answer["attachments"] == ["siris-innspill.pdf"]
    # Surveys: both invitations; answers only to the survey that was not anonymous.
    surveys = {s["event"]: s for s in data["survey_invitations"]}
    assert set(surveys) == {"Vårmøtet", "Høstmøtet"}
    assert surveys["Vårmøtet"]["answered"] is True and surveys["Vårmøtet"]["note"] is None
    assert surveys["Høstmøtet"]["anonymous"] is True
    assert "cannot be found by your address" in surveys["Høstmøtet"]["note"]
    assert data["survey_responses"] == [
        {
            "event": "Vårmøtet",
            "answers": ["Hvordan var møtet?: 4", "Noe mer?: Bra møte. Hilsen Siri Sletteby"],
        }
    ]
    assert "Anonymt og fint" not in raw
    [person] = data["people"]
    assert person["organisation"] == "Sletteby kommune" and len(person["networks"]) == 1
    subjects = {m["subject"]: m for m in data["messages"]}
    assert subjects["Velkommen"]["state"] == "Sent" and subjects["Velkommen"]["sent_at"]
    assert "Lenkja di til opplysningane vi har om deg" in subjects  # in her language
    # Nobody else's data: not the co-worker at the same organisation and event, not the queue.
    for other in (
        COWORKER,
        COWORKER_EMAIL,
        WAITING,
        "Kollegaens innspill",
        "Til kollegaen",
        "Kollegaens svar",
    ):
        assert other not in raw

    page = client.get(link)
    html = page.content.decode()
    assert page.status_code == 200
    for shown in (
        "Klimasamling",
        "Vårmøtet",
        "Glutenfri",
        "siris-innspill.pdf",
        "Velkommen",
        "Bra møte. Hilsen Siri Sletteby",
        "Surveys after events",
    ):
        assert shown in html
    for other in (COWORKER, COWORKER_EMAIL, WAITING):
        assert other not in html


def _everything_naming(text: str) -> list[str]:
    """Every row of every model's text columns (JSON as text) that holds `text`."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            rows = model._default_manager.annotate(
                _as_text=Cast(field.name, models.TextField())
            ).filter(_as_text__icontains=text)
            found += [
                "%s.%s #%s" % (model.__name__, field.name, pk)
                for pk in rows.values_list("pk", flat=True)
            ]
    return found


def test_erasure_cancels_hands_on_the_seat_anonymises_and_leaves_nothing(
    client, world, django_capture_on_commit_callbacks
):
    link = data_link(client, world.registration, django_capture_on_commit_callbacks)
    assert _everything_naming(EMAIL) and _everything_naming(NAME)  # the search finds them
    past_count = Registration.objects.filter(event=world.past).count()
    old_token = world.registration.token
    from feedback.models import SurveyInvitation

    [old_survey_link] = [
        i.get_absolute_url()
        for i in SurveyInvitation.objects.filter(registration=world.past_registration)
    ]
    assert client.get(old_survey_link).status_code == 200

    # GET asks; it erases nothing. A POST without the box ticked says so and changes nothing.
    assert client.get(link + "slett/").status_code == 200
    refused = client.post(link + "slett/", {})
    assert refused.status_code == 400
    assert "Tick the box to confirm" in refused.content.decode()
    world.registration.refresh_from_db()
    assert world.registration.status == "confirmed" and world.registration.name == NAME

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link + "slett/", {"confirm": "on"})
    assert response.status_code == 200
    assert "Your data has been deleted" in response.content.decode()
    deliver_queued()

    # The future seat went to the first in line; the counts hold.
    world.future.refresh_from_db()
    world.registration.refresh_from_db()
    world.waiting.refresh_from_db()
    assert world.registration.status == "cancelled" and world.registration.name == "–"
    assert world.waiting.status == "confirmed"
    holding = Registration.objects.filter(event=world.future, status="confirmed").count()
    assert world.future.seats_taken == holding == 2
    # The past registration is still counted, without the person.
    world.past_registration.refresh_from_db()
    assert world.past_registration.status == "confirmed"
    assert world.past_registration.name == "–" and EMAIL not in world.past_registration.email
    assert Registration.objects.filter(event=world.past).count() == past_count
    # The co-worker's data is untouched.
    world.coworker_registration.refresh_from_db()
    assert (
        world.coworker_registration.name == COWORKER
        and world.coworker_registration.status == "confirmed"
    )

    # The confirmation reached the person, in their language (nynorsk), and was then forgotten.
    confirmations = [m for m in sent_mail() if m[1] == "Opplysningane dine er sletta"]
    assert len(confirmations) == 1
    assert confirmations[0][0].lower() == EMAIL
    assert "Påmeldingar avmelde: 1" in confirmations[0][2]
    row = OutgoingMessage.objects.get(kind="personal_data_erased")
    assert (
        row.state == "sent" and row.to_email == "anonymised@invalid.invalid" and not row.text_body
    )

    # The record holds the day and the counts only.
    [record] = ErasureRecord.objects.all()
    assert record.counts["registrations_cancelled"] == 1
    assert record.counts["registrations_anonymised"] == 3
    assert record.counts["survey_invitations_anonymised"] == 2
    assert record.counts["survey_responses_unlinked"] == 1
    assert record.counts["people_deleted"] == 1

    # The surveys' counts hold: asked and answered as before, the answers still counted; her
    # response is no longer hers, her name is gone from her text; the others' are untouched.
    from feedback.results import survey_results

    world.survey_response.refresh_from_db()
    assert world.survey_response.registration_id is None
    results = survey_results(world.survey_response.survey)
    assert (results.invited, results.answered) == (2, 2)
    assert results.questions[0].answered == 2
    assert sorted(results.questions[1].texts) == ["Bra møte. Hilsen –", "Kollegaens svar"]
    world.coworker_response.refresh_from_db()
    assert world.coworker_response.registration.name == COWORKER
    world.anonymous_response.refresh_from_db()
    assert world.anonymous_response.answers.get().text == "Anonymt og fint"
    assert SurveyInvitation.objects.filter(anonymised_at__isnull=False).count() == 2

    # Nothing anywhere names the person any more.
    assert _everything_naming(EMAIL) == []
    assert _everything_naming(NAME) == []
    assert _everything_naming("Sletteby") == _everything_naming("Sletteby kommune")  # the org stays

    # The used links lead to a clear page, not a 500.
    for used in (link, link + "data.json", link + "slett/"):
        page = client.get(used)
        assert page.status_code == 404
        assert "has expired or has been used" in page.content.decode()
    old_personal_link = "/mine-data/be-om/pamelding/%s/" % old_token
    assert client.get(old_personal_link).status_code == 404
    assert client.get(old_survey_link).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/mine-data/finnes-ikke/",
        "/mine-data/finnes-ikke/data.json",
        "/mine-data/finnes-ikke/slett/",
        "/mine-data/be-om/pamelding/finnes-ikke/",
        "/mine-data/be-om/ukjent/finnes-ikke/",
        "/mine-data/be-om/innspill/finnes-ikke/",
    ],
)
def test_an_unknown_link_gives_a_clear_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Link not valid" in response.content.decode()
    assert client.post(path, {"confirm": "on"}).status_code in (404, 405)  # GET-only pages: 405


def test_the_link_pages_speak_the_visitors_language(client, world):
    client.cookies["django_language"] = "nn"
    page = client.get("/mine-data/be-om/pamelding/%s/" % world.registration.token)
    assert "Send meg lenkja" in page.content.decode()


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_data_pages_are_sound_html(client, world, language, django_capture_on_commit_callbacks):
    from tests.html_checks import date_problems, page_problems

    link = data_link(client, world.registration, django_capture_on_commit_callbacks)
    client.cookies["django_language"] = language
    pages = {
        "ask": client.get("/mine-data/be-om/pamelding/%s/" % world.registration.token),
        "data": client.get(link),
        "confirm": client.get(link + "slett/"),
        "refused": client.post(link + "slett/", {}),
    }
    with django_capture_on_commit_callbacks(execute=True):
        pages["erased"] = client.post(link + "slett/", {"confirm": "on"})
    pages["used"] = client.get(link)
    problems = {
        name: found
        for name, response in pages.items()
        if (
            found := page_problems(html := response.content.decode())
            + date_problems(html, language)
        )
    }
    assert problems == {}


def test_a_call_invitation_offers_the_data_link(client, db):
    from tests.factories import CallInvitationFactory

    invitation = CallInvitationFactory()
    page = client.get("/innspill/invitasjon/%s/" % invitation.token).content.decode()
    assert "/mine-data/be-om/innspill-invitasjon/%s/" % invitation.token in page
    ask = client.get("/mine-data/be-om/innspill-invitasjon/%s/" % invitation.token)
    assert ask.status_code == 200
    assert "Email me the link" in ask.content.decode()


def test_at_most_three_data_links_an_hour_per_address(
    client, world, django_capture_on_commit_callbacks
):
    """Four asks for one address (from two personal pages, the address written two ways): three
    links mailed, the fourth page reads the same and mails nothing; another address still gets
    its link."""
    from tests.factories import InvitationFactory

    invitation = InvitationFactory(event=world.past, name=NAME, email=EMAIL.upper())
    asks = [
        "/mine-data/be-om/pamelding/%s/" % world.registration.token,
        "/mine-data/be-om/invitasjon/%s/" % invitation.token,
        "/mine-data/be-om/pamelding/%s/" % world.registration.token,
        "/mine-data/be-om/invitasjon/%s/" % invitation.token,
    ]
    pages = []
    for ask in asks:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(ask)
        assert response.status_code == 200
        pages.append(response.content.decode())
    assert all("Check your email" in page for page in pages)  # the same answer, limit or not
    links = [m for m in sent_mail() if "/mine-data/" in m[2]]
    assert len(links) == 3
    assert {to.lower() for to, _subject, _text in links} == {EMAIL}
    assert AccessGrant.objects.count() == 3
    assert OutgoingMessage.objects.filter(kind="personal_data_data_link").count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/mine-data/be-om/pamelding/%s/" % world.coworker_registration.token)
    assert [m[0] for m in sent_mail() if "/mine-data/" in m[2]][3:] == [COWORKER_EMAIL]
