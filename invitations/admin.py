from django.contrib import admin

from .models import EventReminderSettings, GroupMessage, Invitation, NetworkOptOut, SendOut


@admin.register(SendOut)
class SendOutAdmin(admin.ModelAdmin):
    list_display = ["event", "state", "scheduled_at", "invited_count", "created_at"]
    list_filter = ["state"]
    raw_id_fields = ["event", "created_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "event", "state", "answered_at"]
    list_filter = ["state"]
    search_fields = ["name", "email"]
    raw_id_fields = ["event", "sendout", "person", "organisation", "registration"]


@admin.register(NetworkOptOut)
class NetworkOptOutAdmin(admin.ModelAdmin):
    list_display = ["email", "network", "created_at"]
    raw_id_fields = ["person"]


admin.site.register(EventReminderSettings)
admin.site.register(GroupMessage)
