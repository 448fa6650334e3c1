"""The organiser's survey pages, mounted at /arrangor/tilbakemelding/ (feedback_organiser)."""

from django.urls import path

from . import views

app_name = "feedback_organiser"
urlpatterns = [
    path("<int:pk>/", views.survey_page, name="survey"),
    path("<int:pk>/sporsmal/", views.question_add, name="question_add"),
    path("<int:pk>/sporsmal/<int:question_id>/endre/", views.question_edit, name="question_edit"),
    path(
        "<int:pk>/sporsmal/<int:question_id>/slett/", views.question_delete, name="question_delete"
    ),
    path("<int:pk>/sporsmal/<int:question_id>/flytt/", views.question_move, name="question_move"),
    path("<int:pk>/kopier/", views.questions_copy, name="copy"),
    path("<int:pk>/resultater/", views.results_page, name="results"),
    path("<int:pk>/resultater.xlsx", views.results_download, name="results_xlsx"),
]
