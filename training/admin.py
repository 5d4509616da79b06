"""Staff edit the default outline and see cohorts, their days and people — never journal text:
training entries and feedback are not in the admin at all."""

from django.contrib import admin

from .models import Cohort, CohortDay, CohortMember, OutlineDay


@admin.register(OutlineDay)
class OutlineDayAdmin(admin.ModelAdmin):
    list_display = ["number", "title"]
    fields = ["number", "title", "topics", "prompts", "content_note"]


class CohortDayInline(admin.TabularInline):
    model = CohortDay
    fields = ["number", "date", "title"]
    extra = 0


class CohortMemberInline(admin.TabularInline):
    model = CohortMember
    fields = ["user", "role", "created"]
    readonly_fields = ["created"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "created"]
    list_filter = ["team"]
    search_fields = ["name"]
    fields = ["team", "name", "created_by", "created"]
    readonly_fields = ["created"]
    autocomplete_fields = ["created_by"]
    inlines = [CohortDayInline, CohortMemberInline]
