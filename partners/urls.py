from django.urls import path

from . import views, views_notices

app_name = "partners"
urlpatterns = [
    path("", views.home, name="home"),
    path("partnerskap/", views.partnership, name="partnership"),
    path("personvern/", views_notices.privacy, name="privacy"),
    path("personvern/<slug:slug>/", views_notices.privacy_host, name="privacy_host"),
    path("tilgjengelighet/", views_notices.accessibility, name="accessibility"),
    path("nettverk/<slug:slug>/", views.network_detail, name="network"),
    path("arrangor/", views.organiser_home, name="organiser_home"),
    path("arrangor/organisasjoner/", views.organiser_organisations, name="organiser_organisations"),
    path(
        "arrangor/organisasjoner/ny/",
        views.organiser_organisation_add,
        name="organiser_organisation_add",
    ),
    path("arrangor/nettverk/<slug:slug>/", views.organiser_network, name="organiser_network"),
    path(
        "arrangor/nettverk/<slug:slug>/om/",
        views.organiser_network_page,
        name="organiser_network_page",
    ),
    path(
        "arrangor/nettverk/<slug:slug>/personer/ny/",
        views.organiser_person_add,
        name="organiser_person_add",
    ),
    path(
        "arrangor/nettverk/<slug:slug>/personer/<int:person_id>/endre/",
        views.organiser_person_edit,
        name="organiser_person_edit",
    ),
    path(
        "arrangor/nettverk/<slug:slug>/personer/<int:person_id>/fjern/",
        views.organiser_person_remove,
        name="organiser_person_remove",
    ),
    path(
        "arrangor/nettverk/<slug:slug>/importer/", views.organiser_import, name="organiser_import"
    ),
    path(
        "arrangor/nettverk/<slug:slug>/importer/mal.csv",
        views.organiser_import_template,
        name="organiser_import_template",
    ),
]
