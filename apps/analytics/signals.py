"""A new store (an import that changed something) or a new model (a promotion): the thresholds the
judge uses were calibrated for something else, so a background task calibrates them anew."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.dispatch import receiver

from apps.bundles.signals import bundle_imported
from apps.inference.signals import model_activated

logger = logging.getLogger(__name__)


def thresholds_calibrate_enqueue() -> bool:
    """Queue a calibration unless the admin turned it off; a broker outage is logged, not raised."""
    if not getattr(settings, "THRESHOLDS_CALIBRATE_AUTO", True):
        return False
    from apps.analytics.tasks import thresholds_calibrate_task

    try:
        thresholds_calibrate_task.delay()
    except Exception as exc:  # the import or promotion succeeded; `manage.py calibrate` still works
        logger.warning("could not queue the threshold calibration: %s", exc)
        return False
    return True


@receiver(bundle_imported, dispatch_uid="analytics_bundle_imported")
def store_changed(sender: type, **kwargs: Any) -> None:
    thresholds_calibrate_enqueue()


@receiver(model_activated, dispatch_uid="analytics_model_activated")
def model_changed(sender: type, **kwargs: Any) -> None:
    thresholds_calibrate_enqueue()
