"""Celery tasks of the analytics app (queue "training": background, at lower CPU priority)."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=False, ignore_result=True)
def thresholds_calibrate_task() -> None:
    from apps.analytics.services import thresholds_calibrate_store

    thresholds_calibrate_store()
