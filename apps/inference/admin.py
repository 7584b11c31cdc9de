from __future__ import annotations

from django.contrib import admin, messages

from apps.inference.models import ModelVersion
from apps.inference.services import model_version_activate


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "base_model", "adapter_file", "training_set_size", "is_active", "created_at")
    list_filter = ("is_active", "base_model")
    search_fields = ("name", "notes", "adapter_file")
    readonly_fields = ("created_at", "adapter_sha256", "training_set_hash", "is_active")
    actions = ["activate", "roll_back"]

    @admin.action(description="Activate the selected version")
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version.", level=messages.ERROR)
            return
        version = model_version_activate(version=queryset.get())
        self.message_user(request, f"{version.name} is now active.")

    @admin.action(
        description="Roll back: re-activate the previous promoted version (else the shipped adapter)"
    )
    def roll_back(self, request, queryset):
        from apps.training.services import model_version_rollback

        previous = model_version_rollback()
        if previous is None:
            self.message_user(
                request, "No earlier promoted version: the workers fall back to the shipped adapter."
            )
        else:
            self.message_user(request, f"Rolled back: {previous.name} is now active.")
