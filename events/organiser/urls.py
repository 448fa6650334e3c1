"""Organiser URLs for events, mounted at /arrangor/arrangementer/ (namespace events_organiser)."""

from django.urls import path

from .views import agenda, attendees, check_in, documents, door, events, messages, printing

app_name = "events_organiser"
urlpatterns = [
    path("", events.event_list, name="list"),
    path("ny/", events.event_create, name="create"),
    path("<int:pk>/", events.event_detail, name="detail"),
    path("<int:pk>/rediger/", events.event_edit, name="edit"),
    path("<int:pk>/publiser/", events.event_publish, name="publish"),
    path("<int:pk>/avlys/", events.event_cancel, name="cancel"),
    path("<int:pk>/program/", agenda.session_list, name="sessions"),
    path("<int:pk>/program/<int:session_id>/", agenda.session_edit, name="session_edit"),
    path("<int:pk>/program/<int:session_id>/slett/", agenda.session_delete, name="session_delete"),
    path("<int:pk>/sporsmal/", agenda.question_list, name="questions"),
    path("<int:pk>/sporsmal/<int:question_id>/", agenda.question_edit, name="question_edit"),
    path(
        "<int:pk>/sporsmal/<int:question_id>/slett/",
        agenda.question_delete,
        name="question_delete",
    ),
    path("<int:pk>/sporsmal/<int:question_id>/flytt/", agenda.question_move, name="question_move"),
    path("<int:pk>/deltakere/", attendees.attendee_list, name="attendees"),
    path("<int:pk>/deltakere.csv", attendees.attendee_export_csv, name="attendees_csv"),
    path("<int:pk>/deltakere.xlsx", attendees.attendee_export_xlsx, name="attendees_xlsx"),
    path("<int:pk>/deltakere/utskrift/", attendees.attendee_print, name="attendees_print"),
    path(
        "<int:pk>/deltakere/<int:registration_id>/flytt-opp/",
        attendees.attendee_promote,
        name="attendee_promote",
    ),
    path(
        "<int:pk>/servering-og-tilrettelegging/", attendees.special_needs_list, name="special_needs"
    ),
    path(
        "<int:pk>/servering-og-tilrettelegging.csv",
        attendees.special_needs_csv,
        name="special_needs_csv",
    ),
    path("<int:pk>/innsjekk/", check_in.check_in_page, name="check_in"),
    path("<int:pk>/innsjekk/pa-doren/", door.walk_in, name="walk_in"),
    path(
        "<int:pk>/innsjekk/okt/<int:session_id>/",
        door.session_check_in,
        name="session_check_in",
    ),
    path("<int:pk>/navneskilt-og-lister/", printing.badges_page, name="badges"),
    path("<int:pk>/dorliste.pdf", printing.door_list_pdf, name="door_list_pdf"),
    path(
        "<int:pk>/program/<int:session_id>/deltakere.pdf",
        printing.session_list_pdf,
        name="session_list_pdf",
    ),
    path("<int:pk>/dokumenter/", documents.document_list, name="documents"),
    path("<int:pk>/dokumenter/<int:document_id>/", documents.document_edit, name="document_edit"),
    path(
        "<int:pk>/dokumenter/<int:document_id>/slett/",
        documents.document_delete,
        name="document_delete",
    ),
    path(
        "<int:pk>/dokumenter/<int:document_id>/last-ned/",
        documents.document_download,
        name="document_download",
    ),
    path("<int:pk>/rapport/", documents.report_edit, name="report"),
    path("<int:pk>/meldinger/", messages.message_list, name="messages"),
    path("meldinger/<int:message_id>/", messages.message_detail, name="message"),
    path("meldinger/<int:message_id>/send-igjen/", messages.message_resend, name="message_resend"),
]
