"""Celery tasks of the training app (queue "training", routed by settings)."""

from __future__ import annotations

from celery import shared_task


# No retries and no late ack: a fine-tune killed mid-way is resumed on purpose (--resume), not
# replayed blindly by the broker hours later.
@shared_task(acks_late=False, ignore_result=True)
def training_run_task(*, run_id: int) -> None:
    from apps.training.services import training_run_claim, training_run_execute

    run = training_run_claim(run_id=run_id)
    if run is None:
        return  # gone, or another worker already runs it
    training_run_execute(run=run)
