"""The invitee's personal links, under /invitasjon/<token>/ (no login)."""

from django.urls import path

from . import views

app_name = "invitations"
urlpatterns = [
    path("<str:token>/", views.answer, name="answer"),
    path("<str:token>/avsla/", views.decline, name="decline"),
    path("<str:token>/avmeld/", views.opt_out, name="opt_out"),
]
