"""Reads for the inference app."""

from __future__ import annotations

from apps.inference.models import ModelVersion


def model_version_active() -> ModelVersion | None:
    """The version the SLM should run, or None for the shipped default."""
    return ModelVersion.objects.filter(is_active=True).first()
