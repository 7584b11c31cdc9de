from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "apps.conversations"
    default_auto_field = "django.db.models.BigAutoField"
