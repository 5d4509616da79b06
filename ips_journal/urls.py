from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from reflections.views import healthz

# The admin signs in through allauth, so MFA and rate limits apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "IPS Journal administration"

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("reflections.urls")),
    path("", include("supervision.urls")),
    path("", include("training.urls")),
    path("", include("search.urls")),
    path("", include("notifications.urls")),
]
