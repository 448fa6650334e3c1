"""The event's fields are listed once (events.services.organising.EVENT_FIELDS): the organiser's
forms read them, and the API's schemas are held to them here, naming what they leave out."""

import types
import typing

import pytest

from events.api.organising import NOT_NULL_FIELDS
from events.models import Event, Question, Session
from events.organiser.forms import EventForm, QuestionForm, SessionForm
from events.schemas import EVENT_FIELDS_NOT_IN_API, EVENT_FIELDS_NOT_IN_PATCH, EventIn, EventPatch
from events.services.organising import EVENT_FIELDS, QUESTION_FIELDS, SESSION_FIELDS

from .conftest import assert_error_shape
from .test_events_api import NEW_EVENT


def _without_none(annotation: object) -> set[object]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return set(typing.get_args(annotation)) - {type(None)}
    return {annotation}


@pytest.mark.parametrize(
    ("model", "names"),
    [(Event, EVENT_FIELDS), (Session, SESSION_FIELDS), (Question, QUESTION_FIELDS)],
)
def test_event_fields_are_model_fields(model, names):
    concrete = {f.name for f in model._meta.concrete_fields}
    assert set(names) <= concrete
    assert len(set(names)) == len(names)


def test_event_fields_drive_the_organiser_forms():
    assert set(EventForm.field_names) == set(EVENT_FIELDS) - {"all_day"}
    assert SessionForm.field_names == list(SESSION_FIELDS)
    assert QuestionForm.field_names == list(QUESTION_FIELDS)


def test_event_fields_are_the_api_schemas_fields_but_those_named():
    assert EVENT_FIELDS_NOT_IN_API <= set(EVENT_FIELDS)
    assert set(EventIn.model_fields) == set(EVENT_FIELDS) - EVENT_FIELDS_NOT_IN_API
    assert set(EventPatch.model_fields) == set(EventIn.model_fields) - EVENT_FIELDS_NOT_IN_PATCH


@pytest.mark.parametrize("name", list(EventPatch.model_fields))
def test_event_patch_field_has_the_type_and_limits_of_event_in(name):
    patch, new = EventPatch.model_fields[name], EventIn.model_fields[name]
    assert _without_none(patch.annotation) == _without_none(new.annotation)
    assert patch.metadata == new.metadata
    assert patch.default is None


@pytest.mark.parametrize("name", list(EventPatch.model_fields))
def test_event_patch_null_is_refused_or_stored_never_a_crash(world, as_superuser, name):
    created = as_superuser.post("/events", NEW_EVENT)
    assert created.status_code == 201, created.content
    path = "/events/%d" % created.json()["id"]
    response = as_superuser.patch(path, {name: None})
    if name in NOT_NULL_FIELDS:
        assert_error_shape(response, 422, "validation_error")
    else:
        assert response.status_code == 200, response.content
        stored = getattr(Event.objects.get(pk=response.json()["id"]), name)
        assert stored in (None, "")
