"""The issue's yardstick, served only by the benchmark (bench.settings): a bare Django list page —
20 rows through a minimal base template, signed in, PostgreSQL. Its ratio to the baseline tells
what this machine gives a page that does almost nothing, so the app's pages can be read against
it as well as against /healthz/."""

from django.shortcuts import render
from django.urls import include, path

from reflections.models import Entry


def bare_list(request):
    entries = Entry.objects.filter(author=request.user).only("title", "week", "task")[:20]
    return render(request, "bench/bare_list.html", {"entries": entries})


urlpatterns = [
    path("bench/bare-list/", bare_list, name="bench-bare-list"),
    path("", include("ips_journal.urls")),
]
