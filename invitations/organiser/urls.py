"""The organiser's invitation pages, under /arrangor/invitasjoner/ (organiser_required)."""

from django.urls import path

from . import inbox, views

app_name = "invitations_organiser"
urlpatterns = [
    path("", views.event_list, name="events"),
    path("arrangement/<int:event_id>/", views.event_detail, name="event"),
    path("arrangement/<int:event_id>/utsending/ny/", views.sendout_create, name="sendout_create"),
    path("arrangement/<int:event_id>/eksport.xlsx", views.event_export, name="export"),
    path("arrangement/<int:event_id>/paaminnelser/", views.event_reminders, name="reminders"),
    path("arrangement/<int:event_id>/melding/", views.event_message, name="message"),
    path(
        "arrangement/<int:event_id>/person/<int:person_id>/",
        views.person_detail,
        name="person",
    ),
    path("arrangement/<int:event_id>/innboks/", inbox.event_inbox, name="event_inbox"),
    path("innboks/", inbox.inbox, name="inbox"),
    path("innboks/<int:reply_id>/handtert/", inbox.reply_handled, name="reply_handled"),
    path("adresser/", inbox.address_list, name="addresses"),
    path("adresser/<int:address_id>/", inbox.address_detail, name="address"),
    path("utsending/<int:sendout_id>/", views.sendout_detail, name="sendout"),
    path("utsending/<int:sendout_id>/send/", views.sendout_schedule, name="sendout_schedule"),
]
