"""The organisers' calls API: POST /calls, PATCH /calls/{slug}, GET /calls/{slug}/answers."""

import datetime as dt

import pytest

from calls.models import Call
from tests.factories import AnswerFactory, CallFactory, CallQuestionFactory

NEW = {
    "title": "Innspill om nettverk",
    "network": "klima",
    "opens_at": "2030-12-01T09:00:00+01:00",
    "closes_at": "2030-12-27T23:59:00+01:00",
    "publishes_answers": True,
    "questions": [{"text": "Hvilke nettverk bør vi ha?", "required": True, "order": 1}],
}


@pytest.fixture
def klima_call(world):
    call = CallFactory(host=world.vestfold, network=world.klima, publishes_answers=True)
    CallQuestionFactory(call=call, order=1, text="Hva tenker du?")
    AnswerFactory(call=call, name="Kari Kommune", organisation=world.kommune, on_behalf=True)
    AnswerFactory(call=call, name="Per Privat", text="Busser i distriktet.")
    return call


def test_create_a_call_as_a_draft_with_questions(as_organiser, world):
    response = as_organiser.post("/calls", NEW)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["host"] == "vestfold"  # the network's one host
    assert [q["text"] for q in body["questions"]] == ["Hvilke nettverk bør vi ha?"]
    call = Call.objects.get(slug=body["slug"])
    assert call.closes_at == dt.datetime(2030, 12, 27, 22, 59, tzinfo=dt.UTC)


def test_create_is_idempotent_with_a_key(as_organiser):
    headers = {"Idempotency-Key": "call-1"}
    first = as_organiser.post("/calls", NEW, headers=headers)
    second = as_organiser.post("/calls", NEW, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["slug"] == second.json()["slug"]
    assert Call.objects.count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"closes_at": "2030-11-01T09:00:00+01:00"}, "closes_at"),
        ({"title": ""}, "title"),
        ({"reminder_days": 99}, "reminder_days"),
        ({"network": "nowhere"}, "network"),
    ],
)
def test_create_refuses_bad_input_with_the_error_shape(as_organiser, change, field):
    response = as_organiser.post("/calls", {**NEW, **change})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in [e["field"] for e in body["errors"]]
    assert not Call.objects.exists()


def test_create_message_follows_accept_language(as_organiser):
    response = as_organiser.post(
        "/calls",
        {**NEW, "closes_at": "2030-11-01T09:00:00+01:00"},
        headers={"Accept-Language": "nn"},
    )
    assert response.json()["errors"][0]["message"] == "Fristen må vere etter at innspelet opnar."


def test_create_for_a_network_of_another_organiser_is_forbidden(as_other, anon):
    assert as_other.post("/calls", NEW).status_code == 403
    assert anon.post("/calls", NEW).status_code == 401
    assert not Call.objects.exists()


def test_patch_changes_only_what_is_sent_and_publishes(as_organiser, anon):
    slug = as_organiser.post("/calls", NEW).json()["slug"]
    assert anon.get("/calls/%s" % slug).status_code == 404
    response = as_organiser.patch("/calls/%s" % slug, {"title": "Nytt navn", "status": "published"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["status"], body["publishes_answers"]) == (
        "Nytt navn",
        "published",
        True,
    )
    assert anon.get("/calls/%s" % slug).json()["title"] == "Nytt navn"


def test_patch_refuses_null_and_keeps_the_call(as_organiser):
    slug = as_organiser.post("/calls", NEW).json()["slug"]
    response = as_organiser.patch("/calls/%s" % slug, {"title": None})
    assert response.status_code == 422
    assert Call.objects.get(slug=slug).title == NEW["title"]


def test_patch_scoping(as_other, klima_call, world):
    draft = CallFactory(host=world.vestfold, network=world.klima, status="draft")
    # Published: the other organiser can see it but not change it; a draft is not found.
    assert as_other.patch("/calls/%s" % klima_call.slug, {"title": "x"}).status_code == 403
    assert as_other.patch("/calls/%s" % draft.slug, {"title": "x"}).status_code == 404
    assert as_other.patch("/calls/nowhere", {"title": "x"}).status_code == 404


def test_answers_are_listed_paginated_and_filtered(as_organiser, klima_call, world):
    response = as_organiser.get("/calls/%s/answers" % klima_call.slug)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [a["name"] for a in body["items"]] == ["Kari Kommune", "Per Privat"]
    assert body["items"][0]["sector"] == "public"
    page = as_organiser.get("/calls/%s/answers" % klima_call.slug, {"limit": 1, "offset": 1})
    assert [a["name"] for a in page.json()["items"]] == ["Per Privat"]
    for params, names in [
        ({"on_behalf": "true"}, ["Kari Kommune"]),
        ({"search": "busser"}, ["Per Privat"]),
        ({"sector": "public"}, ["Kari Kommune"]),
        ({"role": "member"}, ["Kari Kommune"]),
        ({"network": "klima"}, ["Kari Kommune"]),
        ({"organisation": world.kommune.pk}, ["Kari Kommune"]),
        ({"status": "answered"}, []),
    ]:
        got = as_organiser.get("/calls/%s/answers" % klima_call.slug, params).json()
        assert [a["name"] for a in got["items"]] == names, params


def test_answers_refused_to_others(as_other, anon, klima_call):
    assert as_other.get("/calls/%s/answers" % klima_call.slug).status_code == 403
    assert anon.get("/calls/%s/answers" % klima_call.slug).status_code == 401


def test_answer_list_costs_the_same_queries_for_one_or_many(
    as_organiser, klima_call, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = "/calls/%s/answers" % klima_call.slug
    as_organiser.get(url)
    with CaptureQueriesContext(connection) as few:
        as_organiser.get(url)
    for _n in range(4):
        AnswerFactory(call=klima_call)
    with CaptureQueriesContext(connection) as many:
        assert as_organiser.get(url).json()["count"] == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_patch_that_cannot_publish_changes_nothing(as_organiser):
    slug = as_organiser.post("/calls", {**NEW, "questions": []}).json()["slug"]
    response = as_organiser.patch("/calls/%s" % slug, {"title": "Nytt", "status": "published"})
    # A refusal by the call's state, not by a field: 409, as publishing an event.
    assert response.status_code == 409
    assert response.json()["message"] == "Legg til minst ett spørsmål før du publiserer."
    call = Call.objects.get(slug=slug)
    assert (call.title, call.status) == (NEW["title"], "draft")
