"""The organiser's answers: filters, handling, moderation (seen through the public page and
API), and attachments as downloads only to organisers of the call."""

import pytest

from calls.models import Answer, AnswerAttachment
from partners.models import Host, Network, OrganisationMembership
from tests.calls.organiser_data import klima_call

pytestmark = pytest.mark.usefixtures("private_storage")


def _names(response) -> list[str]:
    page = response.content.decode()
    return [n for n in ("Åse Ødegård", "Per Privat", "Olga Observatør") if n in page]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["Åse Ødegård", "Per Privat", "Olga Observatør"]),
        ("q=kystkultur", ["Åse Ødegård"]),
        ("q=per%40example", ["Per Privat"]),
        ("on_behalf=yes", ["Åse Ødegård"]),
        ("on_behalf=no", ["Per Privat", "Olga Observatør"]),
        ("role=member", ["Åse Ødegård"]),
        ("role=observer", ["Olga Observatør"]),
        ("status=answered", []),
        ("status=nonsense", ["Åse Ødegård", "Per Privat", "Olga Observatør"]),
    ],
)
def test_answer_filters(klima_client, query, expected):
    call = klima_call()
    response = klima_client.get("/arrangor/innspill/%d/svar/?%s" % (call.pk, query))
    assert response.status_code == 200
    assert _names(response) == expected


def test_filter_by_organisation_sector_and_network(klima_client):
    call = klima_call()
    ase = call.answers.get(name="Åse Ødegård")
    base = "/arrangor/innspill/%d/svar/?" % call.pk
    assert _names(klima_client.get(base + "organisation=%d" % ase.organisation_id)) == [
        "Åse Ødegård"
    ]
    sector = ase.organisation.sector
    expected = [
        a.name
        for a in call.answers.order_by("submitted_at", "id")
        if a.organisation and a.organisation.sector == sector
    ]
    assert _names(klima_client.get(base + "sector=" + sector)) == expected
    partnership = Network.objects.get(slug="baerekraftige-vestfold-og-telemark")
    in_partnership = set(
        OrganisationMembership.objects.filter(network=partnership).values_list(
            "organisation_id", flat=True
        )
    )
    expected = [
        a.name
        for a in call.answers.order_by("submitted_at", "id")
        if a.organisation_id in in_partnership
    ]
    assert _names(klima_client.get(base + "network=%d" % partnership.pk)) == expected


def test_withdrawn_answers_are_listed_only_under_their_filter(klima_client):
    from django.utils import timezone

    call = klima_call()
    Answer.objects.filter(name="Per Privat").update(withdrawn_at=timezone.now())
    base = "/arrangor/innspill/%d/svar/" % call.pk
    assert "Per Privat" not in _names(klima_client.get(base))
    assert _names(klima_client.get(base + "?status=withdrawn")) == ["Per Privat"]


def test_answer_list_costs_the_same_queries_for_one_or_many(klima_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AnswerFactory

    call = klima_call()
    url = "/arrangor/innspill/%d/svar/" % call.pk
    klima_client.get(url)
    with CaptureQueriesContext(connection) as few:
        klima_client.get(url)
    for n in range(5):
        AnswerFactory(call=call, name="Flere %d" % n)
    with CaptureQueriesContext(connection) as many:
        klima_client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_status_and_internal_note_are_saved(klima_client):
    call = klima_call()
    answer = call.answers.get(name="Per Privat")
    url = "/arrangor/innspill/%d/svar/%d/" % (call.pk, answer.pk)
    response = klima_client.post(
        url, {"status": "under_consideration", "internal_note": "Ta opp i styret."}
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.status, answer.internal_note) == ("under_consideration", "Ta opp i styret.")
    assert "Ta opp i styret." in klima_client.get(url).content.decode()


def test_bad_status_changes_nothing(klima_client):
    call = klima_call()
    answer = call.answers.get(name="Per Privat")
    response = klima_client.post(
        "/arrangor/innspill/%d/svar/%d/" % (call.pk, answer.pk),
        {"status": "deleted", "internal_note": "x"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    answer.refresh_from_db()
    assert (answer.status, answer.internal_note) == ("received", "")


def test_moderation_only_published_answers_show_publicly(klima_client, client):
    call = klima_call()
    ase = call.answers.get(name="Åse Ødegård")
    attachment = ase.attachments.get()
    public = call.get_absolute_url()
    api = "/api/v1/calls/%s" % call.slug
    assert "kystkultur" not in client.get(public).content.decode()
    assert client.get(api).json()["published_answers"] == []

    url = "/arrangor/innspill/%d/svar/%d/publisering/" % (call.pk, ase.pk)
    klima_client.post(url, {"publish": "1", "attachments": [str(attachment.pk)]})
    ase.refresh_from_db()
    attachment.refresh_from_db()
    assert ase.published and attachment.published
    assert "kystkultur" in client.get(public).content.decode()
    assert [a["id"] for a in client.get(api).json()["published_answers"]] == [ase.pk]
    assert "Mer kollektivtrafikk" not in client.get(public).content.decode()

    klima_client.post(url, {"publish": "0"})
    ase.refresh_from_db()
    attachment.refresh_from_db()
    assert not ase.published and not attachment.published
    assert "kystkultur" not in client.get(public).content.decode()
    assert client.get(api).json()["published_answers"] == []


def test_an_answer_without_consent_cannot_be_published(klima_client, client):
    call = klima_call()
    per = call.answers.get(name="Per Privat")
    response = klima_client.post(
        "/arrangor/innspill/%d/svar/%d/publisering/" % (call.pk, per.pk),
        {"publish": "1"},
        follow=True,
    )
    assert "The person did not consent to publication" in response.content.decode()
    per.refresh_from_db()
    assert not per.published
    assert "Mer kollektivtrafikk" not in client.get(call.get_absolute_url()).content.decode()


def test_a_call_that_does_not_publish_refuses_publishing(klima_client):
    call = klima_call(publishes_answers=False)
    ase = call.answers.get(name="Åse Ødegård")
    klima_client.post(
        "/arrangor/innspill/%d/svar/%d/publisering/" % (call.pk, ase.pk), {"publish": "1"}
    )
    ase.refresh_from_db()
    assert not ase.published


def test_another_answers_attachment_cannot_be_published_with_this_one(klima_client):
    call = klima_call()
    ase = call.answers.get(name="Åse Ødegård")
    olga = call.answers.get(name="Olga Observatør")
    from tests.calls.organiser_data import attach

    foreign = attach(olga, "olga.pdf")
    klima_client.post(
        "/arrangor/innspill/%d/svar/%d/publisering/" % (call.pk, ase.pk),
        {"publish": "1", "attachments": [str(foreign.pk)]},
    )
    ase.refresh_from_db()
    assert not ase.published
    assert not AnswerAttachment.objects.filter(published=True).exists()


def test_attachment_is_a_download_for_organisers_of_the_call_only(
    klima_client, client, folkehelse_organiser, make_organiser
):
    call = klima_call()
    ase = call.answers.get(name="Åse Ødegård")
    attachment = ase.attachments.get()
    url = "/arrangor/innspill/%d/svar/%d/vedlegg/%d/" % (call.pk, ase.pk, attachment.pk)
    response = klima_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="innspill.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    client.force_login(folkehelse_organiser)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    # The attachment under another call's URL is not found either.
    other = klima_call(slug="annet-innspill")
    klima_client.force_login(make_organiser("both", host=Host.objects.get(slug="telemark")))
    wrong = "/arrangor/innspill/%d/svar/%d/vedlegg/%d/" % (other.pk, ase.pk, attachment.pk)
    assert klima_client.get(wrong).status_code == 404
