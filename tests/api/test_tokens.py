import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from api.models import ApiToken

from .conftest import Api, assert_error_shape


def test_create_api_token_command_prints_the_token_once_and_stores_only_its_hash(world):
    out = StringIO()
    call_command("create_api_token", "kari", stdout=out)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=world.organiser)
    assert raw.startswith("psk_") and len(raw) > 40
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {token.token_hash, token.prefix, token.name}
    response = Api(raw).get("/events/%d/registrations" % world.published.pk)
    assert response.status_code == 200


def test_create_api_token_command_refuses_a_user_without_organiser_role(world):
    with pytest.raises(CommandError):
        call_command("create_api_token", "per", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("create_api_token", "nosuchuser", stdout=StringIO())
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["Bearer psk_wrong", "Bearer ", "Basic a2FyaTp4", "psk_no_scheme", "Bearer " + "x" * 5000],
)
def test_bad_tokens_get_401_with_the_error_shape(world, header):
    response = Api().get(
        "/events/%d/registrations" % world.published.pk, headers={"Authorization": header}
    )
    body = assert_error_shape(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert body["errors"] == []


def test_a_revoked_token_stops_working(world, client):
    api = Api(world.token(world.organiser))
    path = "/events/%d/registrations" % world.published.pk
    assert api.get(path).status_code == 200
    client.force_login(world.organiser)
    token = ApiToken.objects.get(user=world.organiser)
    response = client.post("/arrangor/api-tokens/%d/trekk-tilbake/" % token.pk)
    assert response.status_code == 302
    assert_error_shape(api.get(path), 401, "not_authenticated")


def test_a_token_of_an_inactive_user_stops_working(world):
    api = Api(world.token(world.organiser))
    world.organiser.is_active = False
    world.organiser.save()
    assert api.get("/events/%d/registrations" % world.published.pk).status_code == 401


def test_the_token_page_creates_a_token_shown_once_and_lists_it(world, client):
    client.force_login(world.organiser)
    response = client.post("/arrangor/api-tokens/", {"name": "Fylkets CRM"})
    assert response.status_code == 200
    raw = response.context["new_token"].raw
    assert raw in response.content.decode()
    assert Api(raw).get("/events?status=draft").json()["count"] == 1
    listing = client.get("/arrangor/api-tokens/").content.decode()
    assert "Fylkets CRM" in listing
    assert raw not in listing


def test_the_token_page_is_for_organisers_only(world, client):
    assert client.get("/arrangor/api-tokens/").status_code == 302  # to the login page
    client.force_login(world.nobody)
    assert client.get("/arrangor/api-tokens/").status_code == 403


def test_an_organiser_cannot_revoke_someone_elses_token(world, client):
    Api(world.token(world.other_organiser))
    token = ApiToken.objects.get(user=world.other_organiser)
    client.force_login(world.organiser)
    assert client.post("/arrangor/api-tokens/%d/trekk-tilbake/" % token.pk).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_token_page_asks_for_a_name(world, client):
    client.force_login(world.organiser)
    response = client.post("/arrangor/api-tokens/", {"name": "  "})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_a_superuser_can_add_a_token_in_the_admin_and_sees_it_once(world, client):
    client.force_login(world.superuser)
    response = client.post(
        "/admin/api/apitoken/add/",
        {"user": world.organiser.pk, "name": "Fra admin"},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Fra admin")
    shown = [str(m) for m in response.context["messages"]]
    raw = shown[0].rsplit(" ", 1)[-1]
    assert hashlib.sha256(raw.encode()).hexdigest() == token.token_hash
    assert Api(raw).get("/events?status=draft").json()["count"] == 1


def test_a_site_login_is_no_way_into_the_api(world):
    """The API knows callers by their token only: an organiser signed in on the site, with the
    session cookie in the same browser, is anonymous to it (drafts hidden, organiser-only
    operations 401), and the API's answers set no session or message cookie."""
    api = Api()
    api.client.force_login(world.organiser)
    assert api.client.get("/arrangor/api-tokens/").status_code == 200  # signed in on the site
    events = api.get("/events")
    assert events.status_code == 200
    assert {e["title"] for e in events.json()["items"]} == {
        "Klimasamling",
        "Mobilitetsdag",
        "I fjor",
    }
    assert api.get("/events/%d" % world.draft.pk).status_code == 404
    response = api.get("/events/%d/registrations" % world.published.pk)
    assert_error_shape(response, 401, "not_authenticated")
    answer = api.post(
        "/events/%d/registrations" % world.published.pk,
        {"name": "Kari Nordmann", "email": "kari.n@example.org"},
    )
    assert answer.status_code == 201
    assert not {"sessionid", "messages"} & set(answer.cookies)
    # With the organiser's token the same client sees the draft.
    assert Api(world.token(world.organiser)).get("/events/%d" % world.draft.pk).status_code == 200
