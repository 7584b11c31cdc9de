"""Assistant settings an admin tunes: the confidence threshold per intent."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.assistant.intents import INTENTS


class IntentThreshold(models.Model):
    """Replies whose confidence falls below ``threshold`` escalate (LLM tier, else a person)."""

    intent = models.CharField(max_length=40, unique=True, choices=[(i, i) for i in INTENTS])
    threshold = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["intent"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__gte=0.0) & models.Q(threshold__lte=1.0),
                name="intentthreshold_in_unit_interval",
            )
        ]

    def __str__(self) -> str:
        return f"{self.intent} ≥ {self.threshold:.2f}"
