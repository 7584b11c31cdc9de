"""The whole pipeline on the tiny configuration with the real model: build a set from a small
store, fine-tune 3 steps, export to GGUF, load it in llama.cpp with lora_path, evaluate against the
base model on the held-out split, and record the gate's decision."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apps.inference.models import ModelVersion
from apps.training import services
from apps.training.export import sha256_file
from apps.training.models import TrainingRun

pytestmark = [pytest.mark.slm, pytest.mark.django_db(transaction=True)]


def test_tiny_pipeline_end_to_end(small_store, settings, tmp_path, monkeypatch):
    # given: nothing shipped or active yet, so the baseline is the bare base model
    settings.SLM_ADAPTER_PATH = str(tmp_path / "absent.gguf")
    shipped = tmp_path / "repo-models" / "support-adapter.gguf"
    monkeypatch.setattr(services, "SHIPPED_ADAPTER", shipped)
    params = {"tiny": True, "config": {"threads": 2}, "seed": 1234, "limit": 48, "eval_limit": 4,
              "questions_limit": 8, "ship": True, "force_ship": True}  # fmt: skip
    run = services.training_run_create(params=params, enqueue=False)

    # when
    services.training_run_execute(run=run)

    # then: the run finished every step and logged each phase
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.SUCCEEDED, run.log
    assert run.step == run.total_steps == 3
    assert run.loss is not None
    assert run.peak_rss_mb > 0
    for phase in ("training set", "trained 3 steps", "exported", "gate:"):
        assert phase in run.log
    losses = json.loads((Path(run.run_dir) / "result.json").read_text())["losses"]
    assert len(losses) == 3

    # the GGUF adapter exists, matches its sha256, and llama.cpp loaded it and generated
    version = run.model_version
    adapter = (
        Path(settings.BASE_DIR) / version.adapter_file
        if not Path(version.adapter_file).is_absolute()
        else Path(version.adapter_file)
    )
    assert adapter.is_file()
    assert sha256_file(adapter) == version.adapter_sha256
    assert version.metrics["load_check"]["completion_tokens"] >= 1
    assert version.training_set_size > 0
    assert len(version.training_set_hash) == 64
    assert version.hyperparameters["lora_r"] == 4
    assert version.hyperparameters["max_len"] == 128

    # evaluated against the base model on the same rows, with a recorded decision
    held, base = version.metrics["held_out"], version.metrics["baseline"]
    assert base["adapter"] == "base model"
    for metrics in (held, base):
        assert metrics["n_understand"] == 4
        assert metrics["n_respond"] >= 3
        assert metrics["n_questions"] == 8
        assert 0.0 <= metrics["intent_accuracy"] <= 1.0
        assert 0.0 <= metrics["clean_end_rate"] <= 1.0
    gate = version.metrics["gate"]
    version.refresh_from_db()
    assert version.is_active is gate["promoted"]
    assert gate["reason"] in version.notes
    assert ModelVersion.objects.filter(is_active=True).count() == (1 if gate["promoted"] else 0)
    # --force-ship copied it to the shipped location with a card saying how to reproduce it
    assert sha256_file(shipped) == version.adapter_sha256
    assert "manage.py finetune --ship" in shipped.with_suffix(".json").read_text()


def test_resume_continues_from_the_checkpoint(small_store, settings, tmp_path):
    from apps.training.dataset import training_set_build
    from apps.training.finetune import FinetuneConfig, finetune
    from apps.training.paths import base_model_path

    set_dir = tmp_path / "set"
    training_set_build(out_dir=set_dir, seed=1, limit=24)
    config = FinetuneConfig.tiny(steps=4, checkpoint_every=2, threads=2, max_examples=12)
    gguf = base_model_path()
    train = set_dir / "train.jsonl"

    # given a run interrupted after step 2 (its checkpoint is on disk)
    class Stop(Exception):
        pass

    def stop_after_two(p):
        if p.step == 3:
            raise Stop

    with pytest.raises(Stop):
        finetune(train_path=train, run_dir=tmp_path / "a", config=config, gguf_path=gguf,
                 on_progress=stop_after_two, show_bar=False)  # fmt: skip
    state = json.loads((tmp_path / "a" / "checkpoint" / "state.json").read_text())
    assert state["step"] == 2

    # when resumed / then it runs steps 3-4 only, on the same batches as an uninterrupted run
    seen = []
    resumed = finetune(train_path=train, run_dir=tmp_path / "a", config=config, gguf_path=gguf,
                       resume=True, on_progress=lambda p: seen.append(p.step), show_bar=False)  # fmt: skip
    assert seen == [3, 4]
    assert resumed.steps == 4
    straight = finetune(train_path=train, run_dir=tmp_path / "b", config=config, gguf_path=gguf,
                        show_bar=False)  # fmt: skip
    assert resumed.losses[:2] == straight.losses[:2]
    assert resumed.losses[2:] == pytest.approx(straight.losses[2:], rel=1e-3)


def test_merged_model_matches_the_adapter_it_was_merged_from(small_store, settings, tmp_path):
    """The merge alternative to lora_path: base + tiny adapter → one re-quantized GGUF that
    llama.cpp loads and that scores the intent labels like base + lora_path does."""
    from apps.assistant.prompts import understand_labels
    from apps.inference.backends import LlamaCppBackend
    from apps.training import prompt_format as fmt
    from apps.training.dataset import training_set_build
    from apps.training.export import adapter_to_gguf
    from apps.training.finetune import FinetuneConfig, finetune
    from apps.training.merge import MergeError, adapter_merge
    from apps.training.paths import base_model_path

    set_dir = tmp_path / "set"
    training_set_build(out_dir=set_dir, seed=1, limit=24)
    base = base_model_path()
    result = finetune(train_path=set_dir / "train.jsonl", run_dir=tmp_path / "run",
                      config=FinetuneConfig.tiny(steps=2, threads=2, max_examples=8), gguf_path=base,
                      show_bar=False)  # fmt: skip
    adapter = adapter_to_gguf(adapter_dir=result.adapter_dir, base_config_dir=result.base_config_dir,
                              out_path=tmp_path / "adapter.gguf")  # fmt: skip

    info = adapter_merge(base_path=base, adapter_path=adapter, out_path=tmp_path / "merged.gguf")

    assert info["merged"] == 18 * len(result.config["target_modules"])  # every adapted projection
    assert info["bytes"] < base.stat().st_size * 1.2  # re-quantized, not float
    prompt, _ = fmt.understand_pair(text="where is my order?", intent="order_status")
    labels = understand_labels()
    variants = {
        "lora": {"model_file": base, "adapter_file": str(adapter)},
        "merged": {"model_file": tmp_path / "merged.gguf", "adapter_file": "none"},
    }
    scores = {}
    for name, kwargs in variants.items():
        backend = LlamaCppBackend(n_ctx=1024, n_threads=2, **kwargs)
        try:
            scores[name] = backend.score_labels(prompt=prompt, labels=labels, context="understand").probs
        finally:
            backend.close()
    assert max(abs(scores["lora"][lb] - scores["merged"][lb]) for lb in labels) < 0.1
    # an adapter file that is not one is refused with a clear error, and nothing is left behind
    with pytest.raises(MergeError):
        adapter_merge(base_path=base, adapter_path=base, out_path=tmp_path / "bad.gguf")
    assert not list(tmp_path.glob("*bad.gguf*"))
