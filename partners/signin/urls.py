from django.urls import path

from . import oidc, views

app_name = "signin"
urlpatterns = [
    path("logg-inn/kode/", views.second_factor_code, name="code"),
    path("logg-inn/avvist/", views.sso_refused, name="refused"),
    path("logg-inn/ingen-roller/", views.no_roles, name="no_roles"),
    path("to-trinn/", views.two_factor, name="two_factor"),
    path("sso/", oidc.SsoStartView.as_view(), name="sso"),
    path("sso/svar/", oidc.SsoCallbackView.as_view(), name="sso_callback"),
]
