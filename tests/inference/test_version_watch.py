"""Workers pick up a newly activated model version without a restart.

Uses the FakeSLM backend: this test is about the reload decision, not the model."""

from __future__ import annotations

import pytest

from apps.inference import backends
from apps.inference.models import ModelVersion


@pytest.fixture
def fake_backend(settings):
    settings.SLM_BACKEND = "apps.inference.backends.FakeSLM"
    settings.SLM_VERSION_CHECK_SECONDS = 0
    backends.slm_reset()
    yield
    backends.slm_reset()


@pytest.mark.django_db
def test_activating_a_version_reloads_the_model_on_next_use(fake_backend):
    # given a worker that has loaded its model
    first = backends.slm()
    assert backends.slm() is first
    # when an admin activates another model version (in another process)
    ModelVersion.objects.create(name="v9", base_model="gemma-3-270m", is_active=True)
    # then the next use loads a fresh backend
    second = backends.slm()
    assert second is not first
    assert backends.slm() is second
