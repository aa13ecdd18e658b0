from django.contrib import admin

from khoi_portal.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: what is waiting for the broker, and why (the last error)."""

    list_display = ("created_at", "task", "args", "status", "attempts", "published_at")
    list_filter = ("status", "task")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
