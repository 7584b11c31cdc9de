"""Writes for the inference app."""

from __future__ import annotations

from django.db import transaction

from apps.inference.models import ModelVersion


@transaction.atomic
def model_version_activate(*, version: ModelVersion) -> ModelVersion:
    """Make ``version`` the only active one; this process reloads the SLM after commit.

    Other worker processes pick the new adapter up when they restart (or call ``slm_reset``).
    """
    # Lock the rows so two promotions cannot both end up active (the constraint would reject it).
    list(ModelVersion.objects.select_for_update().filter(is_active=True))
    ModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    ModelVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.is_active = True

    def _reload() -> None:
        from apps.inference.backends import slm_reset
        from apps.inference.signals import model_activated

        slm_reset()
        model_activated.send(sender=ModelVersion, version=version)

    transaction.on_commit(_reload)
    return version
