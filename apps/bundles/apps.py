from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "apps.bundles"
    default_auto_field = "django.db.models.BigAutoField"
