"""The data pages under /mine-data/ (no login: a personal link, then a data link by email)."""

from django.urls import path

from . import views

app_name = "personaldata"
urlpatterns = [
    path("be-om/<slug:kind>/<str:token>/", views.request_link, name="request_link"),
    path("<str:token>/", views.overview, name="overview"),
    path("<str:token>/data.json", views.download, name="download"),
    path("<str:token>/slett/", views.erase, name="erase"),
]
