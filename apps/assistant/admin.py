from django.contrib import admin

from apps.assistant.models import IntentThreshold


@admin.register(IntentThreshold)
class IntentThresholdAdmin(admin.ModelAdmin):
    list_display = ("intent", "threshold", "updated_at")
    list_editable = ("threshold",)
    ordering = ("intent",)
