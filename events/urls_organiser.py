"""Organiser URLs for events, mounted at /arrangor/arrangementer/ (namespace events_organiser)."""

from django.urls import path

from . import views_organiser as views

app_name = "events_organiser"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("ny/", views.event_create, name="create"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/rediger/", views.event_edit, name="edit"),
    path("<int:pk>/publiser/", views.event_publish, name="publish"),
    path("<int:pk>/avlys/", views.event_cancel, name="cancel"),
    path("<int:pk>/program/", views.session_list, name="sessions"),
    path("<int:pk>/program/<int:session_id>/", views.session_edit, name="session_edit"),
    path("<int:pk>/program/<int:session_id>/slett/", views.session_delete, name="session_delete"),
    path("<int:pk>/sporsmal/", views.question_list, name="questions"),
    path("<int:pk>/sporsmal/<int:question_id>/", views.question_edit, name="question_edit"),
    path(
        "<int:pk>/sporsmal/<int:question_id>/slett/",
        views.question_delete,
        name="question_delete",
    ),
    path("<int:pk>/sporsmal/<int:question_id>/flytt/", views.question_move, name="question_move"),
    path("<int:pk>/deltakere/", views.attendee_list, name="attendees"),
    path("<int:pk>/deltakere.csv", views.attendee_export_csv, name="attendees_csv"),
    path("<int:pk>/deltakere.xlsx", views.attendee_export_xlsx, name="attendees_xlsx"),
    path("<int:pk>/deltakere/utskrift/", views.attendee_print, name="attendees_print"),
    path(
        "<int:pk>/deltakere/<int:registration_id>/flytt-opp/",
        views.attendee_promote,
        name="attendee_promote",
    ),
    path("<int:pk>/servering-og-tilrettelegging/", views.special_needs_list, name="special_needs"),
    path(
        "<int:pk>/servering-og-tilrettelegging.csv",
        views.special_needs_csv,
        name="special_needs_csv",
    ),
    path("<int:pk>/innsjekk/", views.check_in_page, name="check_in"),
    path("<int:pk>/meldinger/", views.message_list, name="messages"),
    path("meldinger/<int:message_id>/", views.message_detail, name="message"),
    path("meldinger/<int:message_id>/send-igjen/", views.message_resend, name="message_resend"),
]
