"""Training reads."""

from __future__ import annotations

from typing import Any

from apps.training.models import TrainingRun


def training_run_progress(*, run: TrainingRun) -> dict[str, Any]:
    """What the admin's progress box shows, JSON-safe."""
    return {
        "id": run.pk,
        "status": run.status,
        "phase": run.phase,
        "step": run.step,
        "total_steps": run.total_steps,
        "progress": round(run.progress, 4),
        "loss": run.loss,
        "eta_seconds": run.eta_seconds,
        "error": run.error,
        "log_tail": run.log[-2000:],
        "model_version": run.model_version.name if run.model_version_id else None,
    }
