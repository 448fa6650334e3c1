"""The organiser's pages for calls: list, create, edit with questions, publish, unpublish."""

import datetime as dt

import pytest
from django.utils import timezone

from calls.models import AnswerText, Call, CallQuestion
from partners.models import Host, Network
from tests.calls.organiser_data import klima_call

pytestmark = pytest.mark.usefixtures("private_storage")


def _form(**overrides) -> dict:
    host = Host.objects.get(slug="telemark")
    network = Network.objects.get(slug="klima-og-miljo")
    data = {
        "title": "Innspill om nettverk og partnerskap",
        "host": str(host.pk),
        "network": str(network.pk),
        "introduction": "Vi ønsker innspill.\n\nSe https://example.org.",
        "opens_at": "2030-12-01T09:00",
        "closes_at": "2030-12-27T23:59",
        "audience": "anyone",
        "publishes_answers": "on",
        "contact_name": "Tom Omnes Lia",
        "contact_title": "Rådgiver",
        "contact_email": "tom@example.org",
        "contact_phone": "",
        "reminder_days": "3",
        "questions-TOTAL_FORMS": "2",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "30",
        "questions-0-text": "Hvilke nettverk bør fylkeskommunen ha?",
        "questions-0-order": "1",
        "questions-0-required": "on",
        "questions-1-text": "",
    }
    data.update(overrides)
    return data


def test_create_call_in_oslo_time_with_its_questions(klima_client):
    response = klima_client.post("/arrangor/innspill/ny/", _form())
    call = Call.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/arrangor/innspill/%d/" % call.pk
    assert call.status == Call.Status.DRAFT
    assert call.slug == "innspill-om-nettverk-og-partnerskap"
    # 23.59 in Oslo in December is 22.59 UTC.
    assert call.closes_at == dt.datetime(2030, 12, 27, 22, 59, tzinfo=dt.UTC)
    assert [(q.text, q.required) for q in call.questions.all()] == [
        ("Hvilke nettverk bør fylkeskommunen ha?", True)
    ]
    assert call.reminder_days == 3
    page = klima_client.get(response["Location"])
    assert "Hvilke nettverk bør fylkeskommunen ha?" in page.content.decode()


@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"closes_at": "2030-11-01T09:00"}, "The deadline must be after the call opens."),
        ({"title": ""}, "This field is required."),
        ({"reminder_days": "90"}, "Ensure this value is less than or equal to 60."),
        ({"closes_at": "not a date"}, "Enter a valid date/time."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_stored(
    klima_client, overrides, field_message
):
    response = klima_client.post("/arrangor/innspill/ny/", _form(**overrides))
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert not Call.objects.exists()


def test_bad_input_message_is_translated(klima_client):
    response = klima_client.post(
        "/arrangor/innspill/ny/",
        _form(closes_at="2030-11-01T09:00"),
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert "Fristen må være etter at innspillet åpner." in response.content.decode()


def test_network_organiser_cannot_create_for_another_network(klima_client):
    folkehelse = Network.objects.get(slug="folkehelse")
    response = klima_client.post("/arrangor/innspill/ny/", _form(network=str(folkehelse.pk)))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Call.objects.exists()


def test_edit_changes_questions_and_refuses_removing_an_answered_one(klima_client):
    call = klima_call()
    first, second = call.questions.all()
    base = _form(
        title=call.title,
        **{
            "questions-TOTAL_FORMS": "3",
            "questions-INITIAL_FORMS": "2",
            "questions-0-id": str(first.pk),
            "questions-0-text": first.text,
            "questions-0-order": "1",
            "questions-1-id": str(second.pk),
            "questions-1-text": "Hva mer vil du si oss?",
            "questions-1-order": "2",
            "questions-2-text": "Et nytt spørsmål?",
            "questions-2-order": "3",
        },
    )
    response = klima_client.post("/arrangor/innspill/%d/rediger/" % call.pk, base)
    assert response.status_code == 302
    assert list(call.questions.values_list("text", flat=True)) == [
        first.text,
        "Hva mer vil du si oss?",
        "Et nytt spørsmål?",
    ]
    removed = {**base, "questions-0-text": ""}
    response = klima_client.post("/arrangor/innspill/%d/rediger/" % call.pk, removed)
    assert response.status_code == 200
    assert "A question that has been answered cannot be removed." in response.content.decode()
    assert CallQuestion.objects.filter(pk=first.pk).exists()
    assert AnswerText.objects.filter(question=first).count() == call.answers.count() == 3


def test_publish_needs_a_question_and_unpublish_hides_the_call(klima_client, client):
    call = klima_call(status=Call.Status.DRAFT)
    empty = klima_call(status=Call.Status.DRAFT, slug="tomt-innspill", title="Tomt")
    CallQuestion.objects.filter(call=empty).delete()
    response = klima_client.post("/arrangor/innspill/%d/publiser/" % empty.pk, follow=True)
    assert "Add at least one question before publishing." in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == Call.Status.DRAFT

    klima_client.post("/arrangor/innspill/%d/publiser/" % call.pk)
    call.refresh_from_db()
    assert call.status == Call.Status.PUBLISHED
    assert client.get(call.get_absolute_url()).status_code == 200
    klima_client.post("/arrangor/innspill/%d/avpubliser/" % call.pk)
    call.refresh_from_db()
    assert call.status == Call.Status.DRAFT
    assert client.get(call.get_absolute_url()).status_code == 404


def test_publish_is_post_only_and_needs_csrf(klima_organiser):
    from django.test import Client

    call = klima_call(status=Call.Status.DRAFT)
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    strict.force_login(klima_organiser)
    assert strict.get("/arrangor/innspill/%d/publiser/" % call.pk).status_code == 405
    assert strict.post("/arrangor/innspill/%d/publiser/" % call.pk).status_code == 403
    call.refresh_from_db()
    assert call.status == Call.Status.DRAFT


def test_list_shows_own_calls_only_with_answer_counts(
    klima_client, django_assert_num_queries, make_organiser
):
    klima_call()
    other = klima_call(network=Network.objects.get(slug="folkehelse"), slug="folkehelse-innspill")
    page = klima_client.get("/arrangor/innspill/").content.decode()
    assert "Innspill om klima og miljø" in page
    assert "/arrangor/innspill/%d/" % other.pk not in page
    assert "Calls for input" in page  # the menu entry


def test_list_costs_the_same_queries_for_one_or_many(klima_client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    klima_call()
    klima_client.get("/arrangor/innspill/")
    with CaptureQueriesContext(connection) as one:
        klima_client.get("/arrangor/innspill/")
    for n in range(3):
        klima_call(slug="flere-%d" % n)
    with django_assert_num_queries(len(one.captured_queries)):
        klima_client.get("/arrangor/innspill/")


def test_host_role_covers_the_hosts_calls_and_networks(demo, client, make_organiser):
    """As for events: a host role covers the host's own calls and its networks' calls."""
    own = klima_call(network=None, slug="telemarks-eget")
    networked = klima_call()  # klima-og-miljo is run by both Telemark and Vestfold
    client.force_login(make_organiser("telemark", host=Host.objects.get(slug="telemark")))
    assert client.get("/arrangor/innspill/%d/" % own.pk).status_code == 200
    client.force_login(make_organiser("vestfold", host=Host.objects.get(slug="vestfold")))
    assert client.get("/arrangor/innspill/%d/" % own.pk).status_code == 404
    assert client.get("/arrangor/innspill/%d/" % networked.pk).status_code == 200


def test_deadline_is_shown_in_oslo_time(klima_client):
    call = klima_call(closes_at=timezone.make_aware(dt.datetime(2030, 12, 27, 23, 59)))
    page = klima_client.get("/arrangor/innspill/%d/" % call.pk).content.decode()
    assert "27 December 2030" in page
