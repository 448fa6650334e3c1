from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("", views.home, name="home"),
    path("partnerskap/", views.partnership, name="partnership"),
    path("nettverk/<slug:slug>/", views.network_detail, name="network"),
    path("arrangor/", views.organiser_home, name="organiser_home"),
]
