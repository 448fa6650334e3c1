"""The participant's survey page, mounted at /tilbakemelding/ (namespace feedback)."""

from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("<str:token>/", views.answer_survey, name="answer"),
]
