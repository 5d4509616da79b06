"""The admin shows who and when, never what: no entry, note or reply text appears here."""

from django.contrib import admin

from .models import Entry, PeerPair


@admin.register(PeerPair)
class PeerPairAdmin(admin.ModelAdmin):
    list_display = ["inviter", "invitee", "team", "status", "created", "ended"]
    list_filter = ["status"]
    fields = ["team", "inviter", "invitee", "status", "created", "responded", "ended", "ended_by"]
    readonly_fields = fields


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["pk", "author", "task", "week", "shared", "version"]
    list_filter = ["task"]
    # Deliberately no title, body or search: private writing stays private from administrators.
    fields = ["author", "task", "week", "pair", "shared", "version", "created", "updated"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
