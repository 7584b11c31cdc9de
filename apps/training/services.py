"""Training writes: runs, their progress, the model versions they produce and the promotion gate."""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.inference.models import ModelVersion
from apps.training.models import TrainingRun
from apps.training.paths import SHIPPED_ADAPTER, base_model_path, runs_dir, training_dir

logger = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 2.0  # DB writes from the training loop, at most this often


def training_run_create(*, params: dict[str, Any], enqueue: bool = True) -> TrainingRun:
    """A queued run; with ``enqueue`` the training worker picks it up after commit."""
    run = TrainingRun.objects.create(params=params, total_steps=_config_from(params).steps)
    if enqueue:
        from apps.training.tasks import training_run_task

        transaction.on_commit(lambda: training_run_task.delay(run_id=run.pk))
    return run


def _config_from(params: dict[str, Any]) -> Any:
    from apps.training.finetune import FinetuneConfig

    overrides = {
        k: v for k, v in params.get("config", {}).items() if k in FinetuneConfig.__dataclass_fields__
    }
    return FinetuneConfig.tiny(**overrides) if params.get("tiny") else FinetuneConfig(**overrides)


def _log(run: TrainingRun, message: str, **fields: Any) -> None:
    """Append a line to the run's log and write ``fields`` with it (one UPDATE, no save() races)."""
    logger.info("run %s: %s", run.pk, message)
    run.log = f"{run.log}{timezone.now():%H:%M:%S} {message}\n"
    for key, value in fields.items():
        setattr(run, key, value)
    TrainingRun.objects.filter(pk=run.pk).update(log=run.log, updated_at=timezone.now(), **fields)


def training_run_claim(*, run_id: int) -> TrainingRun | None:
    """Claim a queued run for this worker; None if it is gone or another worker has it."""
    claimed = TrainingRun.objects.filter(pk=run_id, status=TrainingRun.Status.QUEUED).update(
        status=TrainingRun.Status.RUNNING, started_at=timezone.now()
    )
    return TrainingRun.objects.get(pk=run_id) if claimed == 1 else None


def training_run_resumable(*, params: dict[str, Any]) -> TrainingRun | None:
    """The newest unfinished run with the same parameters whose checkpoint is on disk."""
    for run in TrainingRun.objects.filter(~Q(status=TrainingRun.Status.SUCCEEDED), params=params):
        if run.run_dir and (Path(run.run_dir) / "checkpoint" / "state.json").is_file():
            return run
    return None


def training_run_execute(*, run: TrainingRun, resume: bool = False, show_bar: bool = False) -> TrainingRun:
    """Build the set (unless given), fine-tune, export to GGUF, register, evaluate and gate.

    Any failure marks the run failed with the error; the checkpoint stays for ``--resume``.
    """
    from apps.training.finetune import Progress, finetune

    params = run.params
    config = _config_from(params)
    run_dir = Path(run.run_dir) if run.run_dir else runs_dir() / f"run-{run.pk}"
    _log(run, "started", status=TrainingRun.Status.RUNNING, run_dir=str(run_dir), total_steps=config.steps,
         error="", started_at=run.started_at or timezone.now())  # fmt: skip
    try:
        dataset_dir = Path(params["dataset_dir"]) if params.get("dataset_dir") else None
        if dataset_dir is None:
            from apps.training.dataset import training_set_build

            _log(run, "building the training set", phase="dataset")
            manifest = training_set_build(
                out_dir=run_dir / "dataset", seed=params.get("seed", 1234), limit=params.get("limit", 0)
            )
            dataset_dir = Path(manifest["dir"])
        manifest = json.loads((dataset_dir / "manifest.json").read_text())
        counts = manifest["counts"]
        summary = f"training set {manifest['sha256'][:12]}: {counts['train']} train, {counts['test']} test"
        _log(run, summary, dataset_dir=str(dataset_dir), phase="loading")

        last_write = [0.0]

        def on_progress(p: Progress) -> None:
            now = time.monotonic()
            if now - last_write[0] < PROGRESS_EVERY_SECONDS and p.step < p.total:
                return  # throttled: the loop runs faster than anyone reads the admin
            last_write[0] = now
            TrainingRun.objects.filter(pk=run.pk).update(
                step=p.step, total_steps=p.total, loss=p.loss, eta_seconds=p.eta_seconds,
                phase="training", updated_at=timezone.now(),
            )  # fmt: skip

        gguf_base = base_model_path()
        result = finetune(
            train_path=dataset_dir / "train.jsonl", run_dir=run_dir, config=config, gguf_path=gguf_base,
            resume=resume, on_progress=on_progress, show_bar=show_bar,
        )  # fmt: skip
        _log(run, f"trained {result.steps} steps in {result.seconds}s, loss {result.final_loss:.4f}, "
                  f"peak {result.peak_rss_mb:.0f} MB", step=result.steps, loss=result.final_loss,
             peak_rss_mb=result.peak_rss_mb, phase="export")  # fmt: skip

        version = model_version_from_run(run=run, result=result, manifest=manifest, dataset_dir=dataset_dir)
        _log(run, f"exported {version.adapter_file} ({version.adapter_sha256[:12]})", model_version=version)
        if params.get("evaluate", True):
            _log(run, "evaluating on the held-out split", phase="evaluate")
            promoted, reason = model_version_evaluate(
                version=version, dataset_dir=dataset_dir, limit=params.get("eval_limit", 0),
                questions_limit=params.get("questions_limit", 0),
            )  # fmt: skip
            _log(run, f"gate: {'promoted' if promoted else 'kept inactive'}: {reason}")
            if params.get("ship"):
                if promoted or params.get("force_ship"):
                    model_version_ship(version=version)
                    _log(run, f"shipped to {SHIPPED_ADAPTER}")
                else:
                    _log(run, "not shipped: the gate rejected it")
        _log(run, "done", status=TrainingRun.Status.SUCCEEDED, phase="done", finished_at=timezone.now())
    except Exception as exc:
        logger.exception("training run %s failed", run.pk)
        _log(run, f"failed: {exc}", status=TrainingRun.Status.FAILED, error=str(exc)[:5000],
             finished_at=timezone.now())  # fmt: skip
        raise
    return run


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


def model_version_from_run(
    *, run: TrainingRun, result: Any, manifest: dict[str, Any], dataset_dir: Path
) -> ModelVersion:
    """Convert the run's adapter to GGUF, check that llama.cpp loads it, and record the version."""
    from apps.training import prompt_format as fmt
    from apps.training.export import adapter_to_gguf, adapter_verify, sha256_file

    gguf_base = base_model_path()
    name = f"run{run.pk}"
    out = training_dir() / "adapters" / f"support-{name}.gguf"
    adapter_to_gguf(adapter_dir=result.adapter_dir, base_config_dir=result.base_config_dir, out_path=out)
    prompt, _ = fmt.understand_pair(text="where is my order?", intent="order_status")
    check = adapter_verify(model_path=gguf_base, adapter_path=out, prompt=prompt, max_tokens=4)
    sha = sha256_file(out)
    from apps.inference.backends import base_model_name

    return ModelVersion.objects.create(
        name=name,
        base_model=base_model_name(gguf_base),
        adapter_file=_relative(out),
        adapter_sha256=sha,
        training_set_hash=manifest["sha256"],
        training_set_size=manifest["counts"]["train"],
        hyperparameters={
            **result.config,
            "dataset_dir": str(dataset_dir),
            "train_seconds": result.seconds,
            "peak_rss_mb": result.peak_rss_mb,
            "final_loss": result.final_loss,
            "prompt_format": manifest.get("prompt_format"),
        },
        metrics={"load_check": check},
        notes=f"trained by training run {run.pk}",
    )


def model_version_evaluate(
    *, version: ModelVersion, dataset_dir: Path, limit: int = 0, questions_limit: int = 0,
    questions_path: Path | None = None,
) -> tuple[bool, str]:  # fmt: skip
    """Evaluate ``version`` and the currently active model on the same held-out rows; promote
    ``version`` only if no guarded metric is worse. The reason is kept in the version's notes."""
    from apps.assistant import intent_model
    from apps.inference.backends import adapter_path
    from apps.inference.services import model_version_activate
    from apps.training.evaluate import backend_for, evaluate_backend, gate

    if questions_path is None:
        default_q = Path(settings.BASE_DIR).parent / "shared" / "datasets" / "shopper_phrasing_dev.jsonl"
        questions_path = default_q if default_q.is_file() else None
    test_path = dataset_dir / "test.jsonl"
    kwargs = {
        "test_path": test_path,
        "limit": limit,
        "questions_path": questions_path,
        "questions_limit": questions_limit,
    }

    candidate_backend = backend_for(adapter_file=version.adapter_file)
    try:
        candidate = evaluate_backend(candidate_backend, **kwargs)
    finally:
        candidate_backend.close()
    # The baseline is what the workers run now: the active version, else the shipped adapter,
    # else the bare base model.
    current = adapter_path()
    baseline_label = _relative(current) if current else "base model"
    baseline_backend = backend_for(adapter_file=str(current) if current else None)
    try:
        baseline = evaluate_backend(baseline_backend, **kwargs)
    finally:
        baseline_backend.close()
    promoted, reason = gate(
        candidate=candidate, baseline=baseline, label_scores_used=intent_model.slm_labels_used()
    )
    version.metrics = {
        **version.metrics,
        "held_out": candidate,
        "baseline": {"adapter": baseline_label, **baseline},
        "gate": {"promoted": promoted, "reason": reason, "at": timezone.now().isoformat()},
    }
    version.notes = f"{version.notes}\ngate: {'promoted' if promoted else 'not promoted'}: {reason}".strip()
    version.save(update_fields=["metrics", "notes"])
    if promoted:
        model_version_activate(version=version)
    return promoted, reason


def _reproduce(version: ModelVersion) -> str:
    """The command line that trains this version again: a pooled set names the stores it pooled."""
    manifest = Path(str(version.hyperparameters.get("dataset_dir", ""))) / "manifest.json"
    try:
        merged = json.loads(manifest.read_text(encoding="utf-8")).get("merged_from") or []
    except (OSError, ValueError):
        merged = []
    if not merged:
        return "python manage.py finetune --ship"
    sets = " ".join(f"sets/{Path(m['dir']).name}" for m in merged)
    return (
        "per store (its own SUPPORTBOT_DATA_DIR): python manage.py build_training_set --out sets/NAME; "
        f"then python manage.py build_training_set --merge {sets} --out sets/multi; "
        "python manage.py finetune --dataset sets/multi --ship (docs/fine-tuning.md, several stores)"
    )


def model_version_ship(*, version: ModelVersion) -> Path:
    """Copy the version's adapter to the repository's default adapter path (models/)."""
    from apps.inference.backends import _resolve

    source = _resolve(version.adapter_file)
    SHIPPED_ADAPTER.parent.mkdir(parents=True, exist_ok=True)
    tmp = SHIPPED_ADAPTER.with_name(f".{SHIPPED_ADAPTER.name}.tmp")
    shutil.copyfile(source, tmp)
    tmp.replace(SHIPPED_ADAPTER)
    card = {
        "version": version.name,
        "adapter_sha256": version.adapter_sha256,
        "training_set_hash": version.training_set_hash,
        "training_set_size": version.training_set_size,
        "hyperparameters": version.hyperparameters,
        "metrics": {k: v for k, v in version.metrics.items() if k != "samples"},
        "reproduce": _reproduce(version),
    }
    SHIPPED_ADAPTER.with_suffix(".json").write_text(json.dumps(card, indent=2, default=str))
    return SHIPPED_ADAPTER


def model_version_rollback() -> ModelVersion | None:
    """Re-activate the newest version older than the active one that its gate had promoted."""
    from apps.inference.services import model_version_activate

    active = ModelVersion.objects.filter(is_active=True).first()
    older = ModelVersion.objects.filter(metrics__gate__promoted=True)
    if active is not None:
        older = older.filter(created_at__lt=active.created_at)
    previous = older.order_by("-created_at").first()
    if previous is not None:
        return model_version_activate(version=previous)
    if active is not None:
        # Nothing older was ever promoted: fall back to the shipped default adapter.
        ModelVersion.objects.filter(pk=active.pk).update(is_active=False)
        from apps.inference.backends import slm_reset

        transaction.on_commit(slm_reset)
    return None
