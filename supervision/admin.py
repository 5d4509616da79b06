from django.contrib import admin

from .models import ReadRecord


@admin.register(ReadRecord)
class ReadRecordAdmin(admin.ModelAdmin):
    """Read-only: the record of who read what cannot be edited, here or anywhere in the app."""

    list_display = ["reader", "pair", "week", "entry", "created"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
