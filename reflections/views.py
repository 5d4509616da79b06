from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.models import Membership


@login_not_required
@never_cache
def healthz(request):
    """For load balancers (and the benchmark's baseline): one trivial query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


def dashboard(request):
    memberships = Membership.objects.filter(user=request.user).select_related("team")
    return render(request, "reflections/dashboard.html", {"memberships": memberships})
