from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training journal")

    def ready(self):
        # Feedback and its replies join search, notifications, the personal export and account
        # deletion as kinds of writing (search.registry). The built-in kinds go first, though this
        # app is ready before the search app, so exports list reflections before feedback.
        from search.kinds import register_builtin_kinds

        from .search_kinds import register_training_kinds

        register_builtin_kinds()
        register_training_kinds()
