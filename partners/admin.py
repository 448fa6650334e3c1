"""Django admin for all partners data: search, filters, inlines, organiser roles."""

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .forms import https_formfield
from .models import (
    Host,
    Network,
    Organisation,
    OrganisationMembership,
    OrganiserIdentity,
    OrganiserRole,
    Person,
    PersonMembership,
)
from .sdg import SDG_NAMES
from .signin.gate import second_factor_missing


class OrganisationMembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "position"]


class PersonMembershipInline(admin.TabularInline):
    model = PersonMembership
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "role"]


class NetworkMembershipOfPersonInline(admin.TabularInline):
    model = PersonMembership
    extra = 0
    autocomplete_fields = ["network"]
    fields = ["network", "role"]
    verbose_name = _("network membership")
    verbose_name_plural = _("network memberships")


class NetworkMembershipOfOrganisationInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    autocomplete_fields = ["network"]
    fields = ["network", "role", "position"]
    verbose_name = _("network membership")
    verbose_name_plural = _("network memberships")


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ["name", "email", "title", "phone", "language"]
    show_change_link = True


class OrganiserRoleInline(admin.TabularInline):
    model = OrganiserRole
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user"]


class NetworkAdminForm(forms.ModelForm):
    sdgs = forms.TypedMultipleChoiceField(
        label=_("Sustainable Development Goals"),
        # Lazy labels: built per request in the user's language, not once at import.
        choices=[
            (number, format_lazy("{}. {}", number, name)) for number, name in SDG_NAMES.items()
        ],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Network
        fields = "__all__"  # noqa: DJ007 (admin form; fields come from the ModelAdmin)
        formfield_callback = https_formfield


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "organisation_number", "sector", "people_count"]
    list_filter = ["sector", "memberships__role", "memberships__network"]
    search_fields = ["name", "short_name", "organisation_number"]
    inlines = [NetworkMembershipOfOrganisationInline, PersonInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return super().get_queryset(request).annotate(_people_count=Count("people"))

    @admin.display(description=_("people"), ordering="_people_count")
    def people_count(self, obj: Organisation) -> int:
        return obj._people_count  # type: ignore[attr-defined]


@admin.register(Host)
class HostAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "organisation", "email", "retention_days", "dpo_name"]
    list_select_related = ["organisation"]
    list_filter = ["networks"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation"]
    inlines = [OrganiserRoleInline]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    form = NetworkAdminForm
    list_display = ["name", "kind", "parent", "host_municipality"]
    list_select_related = ["parent"]
    list_filter = ["kind", "hosts", "parent"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    filter_horizontal = ["hosts"]
    inlines = [OrganisationMembershipInline, PersonMembershipInline, OrganiserRoleInline]


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "network", "role", "position"]
    list_select_related = ["organisation", "network"]
    list_filter = ["role", "network"]
    search_fields = ["organisation__name", "organisation__short_name", "network__name"]
    autocomplete_fields = ["organisation", "network"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "title", "language"]
    list_select_related = ["organisation"]
    list_filter = ["language", "memberships__network", "memberships__role", "organisation__sector"]
    search_fields = ["name", "email", "title", "organisation__name", "organisation__short_name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [NetworkMembershipOfPersonInline]


@admin.register(PersonMembership)
class PersonMembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "network", "role"]
    list_select_related = ["person", "network"]
    list_filter = ["role", "network"]
    search_fields = ["person__name", "person__email", "network__name"]
    autocomplete_fields = ["person", "network"]


@admin.register(OrganiserRole)
class OrganiserRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "network", "host"]
    list_select_related = ["user", "network", "host"]
    list_filter = ["network", "host"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "network", "host"]


@admin.register(OrganiserIdentity)
class OrganiserIdentityAdmin(admin.ModelAdmin):
    """Link a provider's subject to an existing account by hand (single sign-on links one by
    itself only when the ID token carries the organiser role)."""

    list_display = ["user", "issuer", "subject", "last_sign_in_at"]
    list_select_related = ["user"]
    list_filter = ["issuer"]
    search_fields = ["user__username", "user__email", "subject"]
    autocomplete_fields = ["user"]
    readonly_fields = ["last_sign_in_at"]


_has_permission = admin.site.has_permission


def _has_permission_after_second_factor(request: HttpRequest) -> bool:
    """The admin is for superusers who gave their second factor (partners/signin/gate.py):
    without it the admin sends them to its login, which is the site's (config/urls.py), which
    sends them on to set one up."""
    return _has_permission(request) and not second_factor_missing(request)


admin.site.has_permission = _has_permission_after_second_factor  # type: ignore[method-assign]
