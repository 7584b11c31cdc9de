"""Fine-tuning runs: what was asked, how far it got, and the model version it produced."""

from __future__ import annotations

from django.db import models


class TrainingRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    # FinetuneConfig as a dict, plus the run's own switches (tiny, ship, seed, limit).
    params = models.JSONField(default=dict, blank=True)
    dataset_dir = models.CharField(max_length=500, blank=True, default="")
    run_dir = models.CharField(max_length=500, blank=True, default="")
    step = models.PositiveIntegerField(default=0)
    total_steps = models.PositiveIntegerField(default=0)
    loss = models.FloatField(null=True, blank=True)
    eta_seconds = models.FloatField(null=True, blank=True)
    phase = models.CharField(max_length=40, blank=True, default="")
    log = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    peak_rss_mb = models.FloatField(null=True, blank=True)
    model_version = models.ForeignKey(
        "inference.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_runs",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Training run {self.pk} ({self.status})"

    @property
    def progress(self) -> float:
        return self.step / self.total_steps if self.total_steps else 0.0
