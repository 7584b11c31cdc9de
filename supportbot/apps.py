from django.apps import AppConfig


class SupportbotConfig(AppConfig):
    """The project package as an app, for its management commands (run_platform)."""

    name = "supportbot"
    verbose_name = "Supportbot"
