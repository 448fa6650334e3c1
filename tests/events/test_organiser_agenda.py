"""Organiser: agenda sessions and registration questions."""

import pytest

from events.models import Answer, Question, Session
from tests.factories import EventFactory, RegistrationFactory, oslo


@pytest.fixture
def klima(demo):
    from partners.models import Network

    return Network.objects.get(slug="klima-og-miljo")


@pytest.fixture
def logged_in(client, make_organiser, klima):
    client.force_login(make_organiser("kari", network=klima))
    return client


@pytest.fixture
def event(klima):
    return EventFactory(
        minimal=True, network=klima, starts_at=oslo(2027, 4, 20, 9), ends_at=oslo(2027, 4, 20, 16)
    )


def _session(**overrides):
    data = {
        "title": "Verksted: klimatilpasning",
        "description": "",
        "starts_at": "2027-04-20T13:00",
        "ends_at": "2027-04-20T14:30",
        "room": "Sal B",
        "speakers": "Sigrid Lunde",
        "requires_signup": "on",
        "capacity": "30",
    }
    data.update(overrides)
    return data


def test_session_add_appears_in_agenda(logged_in, event):
    url = f"/arrangor/arrangementer/{event.pk}/program/"
    response = logged_in.post(url, _session())
    assert response.status_code == 302
    session = Session.objects.get(event=event)
    assert (session.starts_at, session.capacity, session.requires_signup) == (
        oslo(2027, 4, 20, 13),
        30,
        True,
    )
    html = logged_in.get(url).content.decode()
    assert "Verksted: klimatilpasning" in html
    assert "13:00–14:30" in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": "2027-04-20T12:00"}, "ends_at"),
        ({"starts_at": "2027-04-20T07:00"}, "starts_at"),
        ({"ends_at": "2027-04-20T18:00"}, "ends_at"),
        ({"requires_signup": ""}, "capacity"),
        ({"title": ""}, "title"),
    ],
)
def test_session_add_invalid_shows_field_error(logged_in, event, overrides, field):
    data = {k: v for k, v in _session(**overrides).items() if v != ""}
    response = logged_in.post(f"/arrangor/arrangementer/{event.pk}/program/", data)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Session.objects.exists()


def test_session_edit_capacity_below_signups_is_refused(logged_in, event):
    session = Session.objects.create(
        event=event,
        title="Verksted",
        starts_at=oslo(2027, 4, 20, 13),
        ends_at=oslo(2027, 4, 20, 14),
        requires_signup=True,
        capacity=10,
        seats_taken=5,
    )
    url = f"/arrangor/arrangementer/{event.pk}/program/{session.pk}/"
    response = logged_in.post(url, _session(capacity="4"))
    assert response.status_code == 200
    assert 'id="id_capacity_error"' in response.content.decode()
    response = logged_in.post(url, _session(capacity="5", title="Nytt navn"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.title, session.capacity) == ("Nytt navn", 5)


def test_session_delete_asks_then_deletes(logged_in, event):
    session = Session.objects.create(
        event=event, title="Lunsj", starts_at=oslo(2027, 4, 20, 12), ends_at=oslo(2027, 4, 20, 13)
    )
    url = f"/arrangor/arrangementer/{event.pk}/program/{session.pk}/slett/"
    page = logged_in.get(url)
    assert "Lunsj" in page.content.decode()
    assert Session.objects.filter(pk=session.pk).exists()
    assert logged_in.post(url).status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()


def test_question_add_choice_question_keeps_choices_in_order(logged_in, event):
    url = f"/arrangor/arrangementer/{event.pk}/sporsmal/"
    data = {
        "label": "Hvilket verksted vil du helst delta på?",
        "help_text": "",
        "kind": Question.Kind.SINGLE_CHOICE,
        "choices": "Klima\r\n\r\nMobilitet\r\nKlima\r\nFolkehelse\r\n",
        "required": "on",
    }
    assert logged_in.post(url, data).status_code == 302
    question = Question.objects.get(event=event)
    assert question.choices == ["Klima", "Mobilitet", "Folkehelse"]
    assert question.required is True
    html = logged_in.get(url).content.decode()
    assert "Hvilket verksted vil du helst delta på?" in html
    assert "Klima, Mobilitet, Folkehelse" in html


def test_question_choice_kind_with_one_choice_is_refused(logged_in, event):
    url = f"/arrangor/arrangementer/{event.pk}/sporsmal/"
    data = {"label": "Velg", "kind": Question.Kind.MULTIPLE_CHOICE, "choices": "Bare én"}
    response = logged_in.post(url, data)
    assert response.status_code == 200
    assert 'id="id_choices_error"' in response.content.decode()
    assert not Question.objects.exists()


def test_question_text_kind_drops_choices(logged_in, event):
    url = f"/arrangor/arrangementer/{event.pk}/sporsmal/"
    data = {"label": "Stilling", "kind": Question.Kind.SHORT_TEXT, "choices": "a\nb"}
    assert logged_in.post(url, data).status_code == 302
    assert Question.objects.get().choices == []


def test_question_edit_and_delete_with_answers(logged_in, event):
    question = Question.objects.create(event=event, label="Stilling", kind=Question.Kind.SHORT_TEXT)
    Answer.objects.create(
        registration=RegistrationFactory(event=event), question=question, value="Rådgiver"
    )
    edit = f"/arrangor/arrangementer/{event.pk}/sporsmal/{question.pk}/"
    assert logged_in.post(edit, {"label": "Din stilling", "kind": "short_text"}).status_code == 302
    question.refresh_from_db()
    assert question.label == "Din stilling"
    delete = edit + "slett/"
    assert "1" in logged_in.get(delete).content.decode()
    assert logged_in.post(delete).status_code == 302
    assert not Question.objects.exists()
    assert not Answer.objects.exists()


def test_question_move_up_and_down_reorders(logged_in, event):
    a, b, c = (
        Question.objects.create(event=event, label=label, kind="short_text", position=i)
        for i, label in enumerate(["A", "B", "C"])
    )
    base = f"/arrangor/arrangementer/{event.pk}/sporsmal/"
    logged_in.post(f"{base}{c.pk}/flytt/", {"direction": "up"})
    assert [q.label for q in Question.objects.filter(event=event)] == ["A", "C", "B"]
    logged_in.post(f"{base}{a.pk}/flytt/", {"direction": "down"})
    assert [q.label for q in Question.objects.filter(event=event)] == ["C", "A", "B"]
    logged_in.post(f"{base}{b.pk}/flytt/", {"direction": "down"})  # already last: nothing moves
    assert [q.label for q in Question.objects.filter(event=event)] == ["C", "A", "B"]
    html = logged_in.get(base).content.decode()
    assert html.index('scope="row">C') < html.index('scope="row">A') < html.index('scope="row">B')
