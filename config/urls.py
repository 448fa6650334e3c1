from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from partners.signin.views import SignInView
from worker.views import healthz

from .api import api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin signs in through the site's login page: its throttle and second factor.
    path(
        "admin/login/",
        RedirectView.as_view(url=reverse_lazy("login"), query_string=True),
        name="admin_login",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("konto/logg-inn/", SignInView.as_view(), name="login"),
    path("konto/logg-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/", include("partners.signin.urls")),
    path("arrangementer/", include("events.urls")),
    path("arrangor/arrangementer/", include("events.organiser.urls")),
    path("invitasjon/", include("invitations.urls")),
    path("kalender/", include("events.feeds")),
    path("innspill/", include("calls.urls")),
    path("mine-data/", include("personaldata.urls")),
    path("tilbakemelding/", include("feedback.urls")),
    path("arrangor/api-tokens/", include("partners.urls_api_tokens")),
    path("arrangor/invitasjoner/", include("invitations.organiser.urls")),
    path("arrangor/innspill/", include("calls.organiser.urls")),
    path("arrangor/tilbakemelding/", include("feedback.organiser.urls")),
    path("", include("partners.urls")),
]
