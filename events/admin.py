"""Django admin for events: a superuser's view of the rows.

Seat counters, tokens and calendar identity are read-only here; registrations are changed
through the services (the public pages and the organiser area), never created in the admin,
so the seat counters stay right.
"""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .models import Answer, DataAccess, Event, Question, Registration, Session, SessionChoice
from .services.access_log import record_data_access


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["title", "starts_at", "ends_at", "room", "requires_signup", "capacity", "seats_taken"]
    readonly_fields = ["seats_taken"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "label", "kind", "choices", "required"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "starts_at",
        "kind",
        "status",
        "host",
        "network",
        "capacity",
        "seats_taken",
    ]
    list_filter = ["status", "kind", "host", "network"]
    search_fields = ["title", "venue_name", "description"]
    date_hierarchy = "starts_at"
    list_select_related = ["host", "network"]
    readonly_fields = ["seats_taken", "uid", "sequence", "created_at", "updated_at"]
    inlines = [SessionInline, QuestionInline]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = ["question", "value"]
    can_delete = False


class SessionChoiceInline(admin.TabularInline):
    model = SessionChoice
    extra = 0
    readonly_fields = ["session"]
    can_delete = False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "email",
        "event",
        "status",
        "organisation_display",
        "created_at",
        "checked_in_at",
    ]
    list_filter = ["status", "event__host", "event"]
    search_fields = ["name", "email", "organisation_name", "organisation__name", "ticket_code"]
    list_select_related = ["event", "organisation"]
    raw_id_fields = ["person", "organisation"]
    readonly_fields = [
        "event",
        "status",
        "ticket_code",
        "waitlisted_at",
        "offer_expires_at",
        "checked_in_at",
        "checked_in_by",
        "created_at",
        "updated_at",
        "cancelled_at",
        "anonymised_at",
        "special_needs_deleted_at",
    ]
    exclude = ["token"]
    inlines = [SessionChoiceInline, AnswerInline]

    @admin.display(description=_("organisation"))
    def organisation_display(self, obj: Registration) -> str:
        return obj.organisation_display

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        """The change page shows the catering and assistance needs: it is logged."""
        response = super().change_view(request, object_id, form_url, extra_context)
        registration = getattr(response, "context_data", {}).get("original")
        if request.method == "GET" and response.status_code == 200 and registration is not None:
            if registration.dietary_needs or registration.assistance_needs:
                record_data_access(
                    request=request,
                    kind=DataAccess.Kind.SPECIAL_NEEDS_VIEWED,
                    event=registration.event,
                    detail="admin",
                )
        return response


@admin.register(DataAccess)
class DataAccessAdmin(admin.ModelAdmin):
    """The audit log: superusers read it; nobody writes, changes or deletes it here."""

    list_display = ["at", "username", "kind", "event", "detail", "ip_address"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "event__title"]
    list_select_related = ["event"]
    date_hierarchy = "at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
