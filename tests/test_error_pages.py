import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language,text",
    [("nb", "Fant ikke siden"), ("nn", "Fann ikkje sida"), ("en", "Page not found")],
)
def test_unknown_page_is_a_friendly_404_in_the_users_language(client, language, text):
    client.cookies["django_language"] = language
    response = client.get("/finnes-ikke/")
    assert response.status_code == 404
    assert text in response.content.decode()


@pytest.mark.django_db
def test_organiser_area_without_a_role_is_a_friendly_403(client, django_user_model):
    user = django_user_model.objects.create_user("besoker", "b@example.org", "x")
    client.force_login(user)
    client.cookies["django_language"] = "nb"
    response = client.get("/arrangor/")
    assert response.status_code == 403
    assert "Ingen tilgang" in response.content.decode()
