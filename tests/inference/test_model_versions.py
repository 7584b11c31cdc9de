from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from apps.inference.backends import FakeSLM, adapter_label, adapter_path, slm
from apps.inference.models import ModelVersion
from apps.inference.selectors import model_version_active
from apps.inference.services import model_version_activate

pytestmark = pytest.mark.django_db


def make_version(name: str, **kwargs) -> ModelVersion:
    return ModelVersion.objects.create(name=name, base_model="gemma-3-270m", **kwargs)


def test_no_active_version():
    make_version("v1")
    assert model_version_active() is None


def test_only_one_version_can_be_active():
    make_version("v1", is_active=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_version("v2", is_active=True)


def test_activate_switches_and_resets_the_backend(fake_slm, django_capture_on_commit_callbacks):
    v1 = make_version("v1", is_active=True)
    v2 = make_version("v2")
    with django_capture_on_commit_callbacks(execute=True):
        model_version_activate(version=v2)
    assert model_version_active() == v2
    v1.refresh_from_db()
    assert not v1.is_active
    assert slm() is not fake_slm  # the process-wide backend was dropped and rebuilt
    assert isinstance(slm(), FakeSLM)


def test_active_version_chooses_the_adapter_and_names_it(settings, tmp_path):
    shipped = tmp_path / "support-adapter.gguf"
    shipped.write_bytes(b"shipped")
    trained = tmp_path / "trained-lora.gguf"
    trained.write_bytes(b"trained")
    settings.SLM_ADAPTER_PATH = str(shipped)
    assert adapter_path() == shipped
    version = make_version("v7", adapter_file=str(trained), is_active=True)
    assert adapter_path() == trained
    assert adapter_label(trained, version=version) == "support@v7"
    # an explicit "none" still forces the bare model
    settings.SLM_ADAPTER_PATH = "none"
    assert adapter_path() is None
