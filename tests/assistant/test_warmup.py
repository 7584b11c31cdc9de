"""Worker warm-up: the reply path runs once before the first question.

FakeSLM and the fake embedder stand in for the models (the real-model check is in
test_real_slm.py)."""

from __future__ import annotations

import pytest

from apps.assistant.warmup import warm_up
from apps.inference.backends import slm

pytestmark = pytest.mark.django_db


def test_warm_up_fills_the_respond_context_when_the_model_phrases(settings, store):
    settings.ASSISTANT_SLM_RESPOND = "always"
    warm_up()
    assert "respond" in slm()._previous


def test_warm_up_leaves_the_respond_context_alone_when_templates_answer(settings, store):
    settings.ASSISTANT_SLM_RESPOND = "never"
    warm_up()
    assert "respond" not in slm()._previous


def test_warm_up_failure_is_logged_not_raised(settings, caplog, store):
    settings.SLM_BACKEND = "apps.inference.backends.NoSuchBackend"
    settings.ASSISTANT_SLM_RESPOND = "always"
    warm_up()
    assert "SLM warm-up failed" in caplog.text
