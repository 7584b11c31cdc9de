"""Shared fixtures. The suite runs on the real embedded Postgres (pgvector) and Valkey."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_and_data(settings, tmp_path):
    # Files a test writes (adapters, reports) go to its own temp dir, never the real data dir.
    settings.MODELS_OUTPUT_DIR = tmp_path / "models"
    return settings
