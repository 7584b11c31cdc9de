"""Runs, the Celery task, the admin's progress and start views, and the promotion gate (no model)."""

from __future__ import annotations

import json

import pytest

from apps.inference.models import ModelVersion
from apps.training import evaluate, services, tasks
from apps.training.models import TrainingRun


@pytest.fixture
def enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.training_run_task, "delay", lambda **kw: calls.append(kw))
    return calls


def test_create_enqueues_after_commit(db, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.training_run_create(params={"tiny": True, "config": {}})
        assert enqueued == []  # not before the row is visible to the worker
    assert enqueued == [{"run_id": run.pk}]
    assert run.status == TrainingRun.Status.QUEUED
    assert run.total_steps == 3


def test_task_claims_a_run_once(db, monkeypatch):
    executed = []
    monkeypatch.setattr(services, "training_run_execute", lambda *, run: executed.append(run.pk))
    run = services.training_run_create(params={"tiny": True}, enqueue=False)
    tasks.training_run_task(run_id=run.pk)
    tasks.training_run_task(run_id=run.pk)  # redelivered: harmless
    tasks.training_run_task(run_id=999_999)  # gone: harmless
    assert executed == [run.pk]
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.RUNNING
    assert run.started_at is not None


def test_failed_run_records_the_error(db, monkeypatch, tmp_path):
    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("apps.training.dataset.training_set_build", boom)
    run = services.training_run_create(params={"tiny": True}, enqueue=False)
    with pytest.raises(RuntimeError):
        services.training_run_execute(run=run)
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.FAILED
    assert "disk full" in run.error
    assert run.finished_at


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-pw-pw-pw")
    client.force_login(user)
    return client


def test_admin_start_and_live_progress(staff_client, enqueued, django_capture_on_commit_callbacks):
    assert staff_client.get("/admin/training/trainingrun/start/").status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/admin/training/trainingrun/start/", {"tiny": "on", "steps": "2"})
    run = TrainingRun.objects.get()
    assert response.status_code == 302
    assert enqueued == [{"run_id": run.pk}]
    assert run.params["tiny"]
    assert run.total_steps == 2
    TrainingRun.objects.filter(pk=run.pk).update(status="running", step=1, loss=3.5, eta_seconds=10)
    data = staff_client.get(f"/admin/training/trainingrun/{run.pk}/progress/").json()
    assert data["progress"] == 0.5
    assert data["loss"] == 3.5
    assert data["status"] == "running"
    page = staff_client.get(f"/admin/training/trainingrun/{run.pk}/change/").content.decode()
    assert "Live progress" in page
    assert f"/admin/training/trainingrun/{run.pk}/progress/" in page
    assert "Start fine-tune" in staff_client.get("/admin/training/trainingrun/").content.decode()


def test_admin_start_rejects_bad_steps(staff_client, enqueued):
    staff_client.post("/admin/training/trainingrun/start/", {"steps": "-3; drop"})
    assert not TrainingRun.objects.exists()


def test_progress_needs_staff(client, db):
    run = services.training_run_create(params={"tiny": True}, enqueue=False)
    assert client.get(f"/admin/training/trainingrun/{run.pk}/progress/").status_code == 302  # to login


class _Backend:
    def __init__(self, adapter_file):
        self.adapter_file = adapter_file

    def close(self):
        pass


def _patch_eval(monkeypatch, *, candidate, baseline):
    monkeypatch.setattr(evaluate, "backend_for", lambda *, adapter_file: _Backend(adapter_file))
    monkeypatch.setattr(
        evaluate,
        "evaluate_backend",
        lambda backend, **kw: dict(candidate if backend.adapter_file == "cand.gguf" else baseline),
    )


GOOD = {"intent_accuracy": 0.9, "fact_accuracy": 0.95, "clean_end_rate": 1.0, "confidently_wrong_rate": 0.02,
        "json_validity": None}  # fmt: skip


def test_gate_keeps_a_worse_version_inactive_with_the_reason(db, monkeypatch, tmp_path):
    active = ModelVersion.objects.create(
        name="v1", base_model="gemma-3-270m", adapter_file="old.gguf", is_active=True
    )
    cand = ModelVersion.objects.create(name="v2", base_model="gemma-3-270m", adapter_file="cand.gguf")
    _patch_eval(monkeypatch, candidate={**GOOD, "clean_end_rate": 0.9}, baseline=GOOD)
    promoted, reason = services.model_version_evaluate(version=cand, dataset_dir=tmp_path)
    cand.refresh_from_db()
    active.refresh_from_db()
    assert not promoted
    assert "clean_end_rate" in reason
    assert not cand.is_active
    assert active.is_active
    assert "clean_end_rate" in cand.notes
    assert cand.metrics["gate"]["promoted"] is False


def test_gate_promotes_a_version_no_worse_anywhere(
    db, monkeypatch, tmp_path, django_capture_on_commit_callbacks
):
    ModelVersion.objects.create(name="v1", base_model="gemma-3-270m", adapter_file="old.gguf", is_active=True)
    cand = ModelVersion.objects.create(name="v2", base_model="gemma-3-270m", adapter_file="cand.gguf")
    _patch_eval(monkeypatch, candidate={**GOOD, "intent_accuracy": 0.93}, baseline=GOOD)
    resets = []
    monkeypatch.setattr("apps.inference.backends.slm_reset", lambda: resets.append(1))
    with django_capture_on_commit_callbacks(execute=True):
        promoted, _ = services.model_version_evaluate(version=cand, dataset_dir=tmp_path)
    assert promoted
    assert ModelVersion.objects.get(is_active=True) == cand
    assert resets == [1]  # this process reloads the SLM after commit


def _two_promoted_versions() -> tuple[ModelVersion, ModelVersion]:
    """v1 promoted earlier, v2 promoted and active now."""
    promoted = {"gate": {"promoted": True}}
    v1 = ModelVersion.objects.create(name="v1", base_model="g", adapter_file="a.gguf", metrics=promoted)
    v2 = ModelVersion.objects.create(
        name="v2", base_model="g", adapter_file="b.gguf", is_active=True, metrics=promoted
    )
    return v1, v2


def test_rollback_reactivates_the_previous_promoted_version(db, django_capture_on_commit_callbacks):
    v1, v2 = _two_promoted_versions()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.model_version_rollback() == v1
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.is_active
    assert not v2.is_active
    with django_capture_on_commit_callbacks(execute=True):
        assert services.model_version_rollback() is None  # nothing older: back to the shipped default
    assert not ModelVersion.objects.filter(is_active=True).exists()


def test_ship_writes_adapter_and_card(db, monkeypatch, tmp_path):
    src = tmp_path / "a.gguf"
    src.write_bytes(b"GGUF-adapter")
    target = tmp_path / "models" / "support-adapter.gguf"
    monkeypatch.setattr(services, "SHIPPED_ADAPTER", target)
    version = ModelVersion.objects.create(
        name="v1", base_model="g", adapter_file=str(src), adapter_sha256="x"
    )
    assert services.model_version_ship(version=version) == target
    assert target.read_bytes() == b"GGUF-adapter"
    card = json.loads(target.with_suffix(".json").read_text())
    assert card["reproduce"] == "python manage.py finetune --ship"


def test_the_card_of_a_pooled_set_says_how_to_pool_it(db, monkeypatch, tmp_path):
    src = tmp_path / "a.gguf"
    src.write_bytes(b"GGUF-adapter")
    pooled = tmp_path / "multi"
    pooled.mkdir()
    sources = [{"dir": str(tmp_path / name), "sha256": "s"} for name in ("demo", "pharmacy")]
    (pooled / "manifest.json").write_text(json.dumps({"merged_from": sources}))
    target = tmp_path / "models" / "support-adapter.gguf"
    monkeypatch.setattr(services, "SHIPPED_ADAPTER", target)
    version = ModelVersion.objects.create(
        name="v1", base_model="g", adapter_file=str(src), hyperparameters={"dataset_dir": str(pooled)}
    )
    services.model_version_ship(version=version)
    card = json.loads(target.with_suffix(".json").read_text())
    assert "--merge sets/demo sets/pharmacy --out sets/multi" in card["reproduce"]
    assert "finetune --dataset" in card["reproduce"]


def test_admin_roll_back_action(staff_client, django_capture_on_commit_callbacks):
    v1, v2 = _two_promoted_versions()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/inference/modelversion/",
            {"action": "roll_back", "_selected_action": [v2.pk]},
            follow=True,
        )
    assert "Rolled back: v1 is now active." in response.content.decode()
    assert ModelVersion.objects.get(is_active=True) == v1
