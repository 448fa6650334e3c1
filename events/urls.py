"""Public and participant routes under /arrangementer/ (organiser routes: organiser/urls.py)."""

from django.urls import path, register_converter

from . import views, views_documents


class IdConverter:
    """Primary keys: digits that fit a bigint, so an absurd number is a 404 and never a 500."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("tidligere/", views.past_event_list, name="past"),
    path("nettverk/<slug:slug>/tidligere/", views.past_event_list, name="network_past"),
    path("<id:pk>/", views.event_detail, name="detail"),
    path("<id:pk>/send-lenke/", views.resend_link, name="resend_link"),
    path(
        "<id:pk>/dokumenter/<id:document_id>/",
        views_documents.public_document,
        name="document",
    ),
    path("p/<str:token>/", views.manage_registration, name="manage"),
    path("p/<str:token>/endre/", views.change_registration, name="change"),
    path(
        "p/<str:token>/dokumenter/<id:document_id>/",
        views_documents.participant_document,
        name="participant_document",
    ),
    path("p/<str:token>/avmeld/", views.cancel_registration, name="cancel"),
    path("p/<str:token>/takk-ja/", views.accept_offer, name="accept_offer"),
]
