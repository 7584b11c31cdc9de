from django.apps import AppConfig


class RetrievalConfig(AppConfig):
    name = "apps.retrieval"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.retrieval import signals  # noqa: F401 - connects the receivers
