"""Model versions: which fine-tuned adapter the SLM runs, how it was trained and how it scored."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ModelVersion(models.Model):
    """One trained adapter (or the bare base model). At most one is active at a time."""

    name = models.CharField(max_length=64, unique=True, help_text="Version label, e.g. 'v3'.")
    base_model = models.CharField(max_length=200, help_text="Base GGUF, e.g. 'gemma-3-270m'.")
    adapter_file = models.CharField(
        max_length=500, blank=True, help_text="GGUF LoRA path, absolute or relative to the project root."
    )
    adapter_sha256 = models.CharField(max_length=64, blank=True)
    training_set_hash = models.CharField(max_length=64, blank=True)
    training_set_size = models.PositiveIntegerField(default=0)
    hyperparameters = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The database, not the code, guarantees a single active version.
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_model_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.base_model}+{self.name}" + (" (active)" if self.is_active else "")
