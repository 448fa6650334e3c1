import pytest

from .conftest import Api, assert_error_shape


@pytest.mark.parametrize(
    ("language", "required"),
    [
        ("nb", "Dette feltet må fylles ut."),
        ("en", "This field is required."),
        ("nn", "Dette feltet må fyllast ut."),
    ],
)
def test_validation_errors_have_one_shape_with_field_errors_in_the_asked_language(
    world, language, required
):
    api = Api(world.token(world.organiser), language=language)
    response = api.post("/events", {"network": "klima", "starts_at": "i morgen"})
    body = assert_error_shape(response, 422, "validation_error")
    by_field = {e["field"]: e["message"] for e in body["errors"]}
    assert by_field["title"] == required
    assert by_field["ends_at"] == required
    assert by_field["starts_at"] in {
        "Oppgi gyldig dato og tidspunkt.",
        "Enter a valid date/time.",
        "Oppgje gyldig dato og tidspunkt.",
        "Oppgi en gyldig dato og et gyldig klokkeslett.",
        "Skriv inn ein gyldig dato og eit gyldig klokkeslett.",
    }


def test_the_default_language_is_bokmal(world):
    response = Api(world.token(world.organiser)).post("/events", {})
    body = assert_error_shape(response, 422, "validation_error")
    assert {e["message"] for e in body["errors"]} == {"Dette feltet må fylles ut."}


def test_naive_datetimes_are_refused(world):
    api = Api(world.token(world.organiser), language="en")
    response = api.post(
        "/events",
        {
            "title": "Naiv",
            "network": "klima",
            "starts_at": "2031-05-02T09:00:00",
            "ends_at": "2031-05-02T15:00:00+02:00",
        },
    )
    body = assert_error_shape(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["starts_at"]
    assert "UTC offset" in body["errors"][0]["message"]


def test_a_body_that_is_not_json_is_400(world):
    api = Api(world.token(world.organiser))
    assert_error_shape(api.post("/events", "{not json"), 400, "bad_request")


def test_unknown_event_is_404_with_the_error_shape(world, anon):
    assert_error_shape(anon.get("/events/999999"), 404, "not_found")


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999"])
def test_bad_path_and_query_values_are_4xx_never_500(world, anon, value):
    assert anon.get("/events/%s" % value).status_code in (404, 422)
    assert anon.get("/events", {"limit": value}).status_code == 422
    assert anon.get("/events", {"offset": value}).status_code in (200, 422)


def test_service_rule_errors_come_back_as_field_errors(world, as_organiser):
    response = as_organiser.post(
        "/events",
        {
            "title": "Baklengs",
            "network": "klima",
            "starts_at": "2031-05-02T15:00:00+02:00",
            "ends_at": "2031-05-02T09:00:00+02:00",
        },
    )
    body = assert_error_shape(response, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["ends_at"]


def test_state_conflicts_are_409(world, as_organiser):
    response = as_organiser.post("/events/%d/publish" % world.published.pk)
    body = assert_error_shape(response, 409, "conflict")
    assert body["message"]


@pytest.mark.parametrize("text", ["kl\u0000ima", "Møte\u0000"])
def test_text_with_a_nul_character_is_422_and_changes_nothing(world, text):
    from invitations.models import SendOut

    api = Api(world.token(world.organiser), language="en")
    response = api.post("/events/%d/sendouts" % world.published.pk, {"networks": [text]})
    body = assert_error_shape(response, 422, "invalid")
    assert "NUL" in body["message"]
    response = api.post("/events", {"title": text, "network": "klima"})
    assert_error_shape(response, 422, "invalid")
    assert not SendOut.objects.exists()


def test_an_escaped_backslash_before_u0000_is_text_not_nul(world):
    api = Api(world.token(world.organiser), language="en")
    response = api.post("/events/%d/sendouts" % world.published.pk, {"networks": ["x\\u0000"]})
    assert response.status_code != 422 or "NUL" not in response.json()["message"]
