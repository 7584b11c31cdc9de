from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "apps.assistant"
    default_auto_field = "django.db.models.BigAutoField"
