import pytest
from django.contrib import admin
from django.urls import reverse

from partners.models import Network, OrganiserIdentity, OrganiserRole, Person

PARTNERS_MODELS = [model for model in admin.site._registry if model._meta.app_label == "partners"]


@pytest.fixture
def admin_client_en(client, make_organiser, demo):
    client.force_login(make_organiser("root", superuser=True))
    client.cookies["django_language"] = "en"
    klima = make_organiser("klima")
    OrganiserRole.objects.create(user=klima, network=demo.children.first())
    OrganiserIdentity.objects.create(user=klima, issuer="https://idp.example", subject="s-1")
    return client


def test_admin_registers_every_partners_model():
    from django.apps import apps

    assert set(PARTNERS_MODELS) == set(apps.get_app_config("partners").get_models())


@pytest.mark.parametrize("model", PARTNERS_MODELS, ids=lambda m: m._meta.model_name)
def test_admin_pages_render_with_search_and_filters(admin_client_en, model):
    info = model._meta.app_label, model._meta.model_name
    changelist = reverse("admin:%s_%s_changelist" % info)
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields and model_admin.list_filter
    assert admin_client_en.get(changelist).status_code == 200
    assert admin_client_en.get(changelist, {"q": "Vestfold"}).status_code == 200
    assert admin_client_en.get(reverse("admin:%s_%s_add" % info)).status_code == 200
    obj = model.objects.first()
    assert obj is not None
    assert (
        admin_client_en.get(reverse("admin:%s_%s_change" % info, args=[obj.pk])).status_code == 200
    )


def test_admin_network_page_has_membership_inlines_and_sdg_checkboxes(admin_client_en, demo):
    html = admin_client_en.get(
        reverse("admin:partners_network_change", args=[demo.pk])
    ).content.decode()
    assert "Organisation memberships" in html
    assert "Person memberships" in html
    assert "Organiser roles" in html
    assert 'type="checkbox" name="sdgs" value="13"' in html
    assert "13. Climate action" in html


def test_admin_organisation_page_lists_its_people(admin_client_en):
    from partners.models import Organisation

    usn = Organisation.objects.get(short_name="USN")
    html = admin_client_en.get(
        reverse("admin:partners_organisation_change", args=[usn.pk])
    ).content.decode()
    assert "Kari Nordmann" in html and "Emma Wilson" in html


def test_admin_person_filter_by_network(admin_client_en):
    klima = Network.objects.get(slug="klima-og-miljo")
    response = admin_client_en.get(
        reverse("admin:partners_person_changelist"), {"memberships__network__id__exact": klima.pk}
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == Person.objects.filter(networks=klima).count() == 3


def test_admin_organiser_role_needs_network_or_host_not_both(admin_client_en, demo):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="klima")
    response = admin_client_en.post(
        reverse("admin:partners_organiserrole_add"), {"user": user.pk, "network": "", "host": ""}
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert OrganiserRole.objects.filter(user=user).count() == 1
