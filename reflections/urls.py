from django.urls import path

from . import views

app_name = "reflections"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
