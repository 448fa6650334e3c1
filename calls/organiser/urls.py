"""Organiser URLs for calls for input, mounted at /arrangor/innspill/ (namespace calls_organiser)."""

from django.urls import path

from . import views, views_answers, views_invitations, views_summary

app_name = "calls_organiser"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("ny/", views.call_create, name="create"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("<int:pk>/rediger/", views.call_edit, name="edit"),
    path("<int:pk>/publiser/", views.call_publish, name="publish"),
    path("<int:pk>/avpubliser/", views.call_unpublish, name="unpublish"),
    path("<int:pk>/svar/", views_answers.answer_list, name="answers"),
    path("<int:pk>/svar/<int:answer_id>/", views_answers.answer_detail, name="answer"),
    path(
        "<int:pk>/svar/<int:answer_id>/publisering/",
        views_answers.answer_publish,
        name="answer_publish",
    ),
    path(
        "<int:pk>/svar/<int:answer_id>/vedlegg/<int:attachment_id>/",
        views_answers.attachment_download,
        name="attachment",
    ),
    path("<int:pk>/sammendrag/", views_summary.summary_page, name="summary"),
    path("<int:pk>/sammendrag.xlsx", views_summary.summary_xlsx_download, name="summary_xlsx"),
    path("<int:pk>/sammendrag.pdf", views_summary.summary_pdf_download, name="summary_pdf"),
    path("<int:pk>/inviter/", views_invitations.invite, name="invite"),
    path(
        "<int:pk>/inviter/<int:call_sendout_id>/",
        views_invitations.sendout_detail,
        name="sendout",
    ),
]
