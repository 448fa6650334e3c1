"""Included from config/urls.py at /arrangor/api-tokens/."""

from django.urls import path

from . import views_api_tokens

app_name = "api_tokens"
urlpatterns = [
    path("", views_api_tokens.api_tokens, name="list"),
    path("<int:token_id>/trekk-tilbake/", views_api_tokens.revoke, name="revoke"),
]
