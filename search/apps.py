from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self):
        # The writing this app knows of itself; other apps (training) register theirs in their own
        # ready(). Registering connects the signals that keep the search index up to date.
        from . import kinds

        kinds.register_builtin_kinds()
