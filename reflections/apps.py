from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReflectionsConfig(AppConfig):
    name = "reflections"
    verbose_name = _("Reflections")

    def ready(self):
        from . import thread_versions

        thread_versions.connect()
