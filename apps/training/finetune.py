"""LoRA fine-tuning of the base GGUF on the CPU with transformers + peft.

The GGUF the chat worker runs is loaded directly (``gguf_file=``, dequantised to float32), so the
adapter is trained against exactly the weights it will be applied to. Loss is on completion tokens
only: prompt tokens are labelled -100, so the model learns to answer, not to echo tool results.
Everything is seeded and the batch order is a pure function of (seed, step), so a run resumed from
a checkpoint continues on the same batches it would have seen.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import resource
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
CHECKPOINT = "checkpoint"
ADAPTER = "adapter"  # peft format (adapter_config.json + adapter_model.safetensors)
BASE_CONFIG = "base"  # the base model's config.json, as convert_lora_to_gguf.py wants it


@dataclass
class FinetuneConfig:
    steps: int = 240
    batch_size: int = 4
    max_len: int = 256
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    learning_rate: float = 2e-4
    warmup_steps: int = 10
    weight_decay: float = 0.0
    seed: int = 1234
    checkpoint_every: int = 25
    threads: int = 0  # 0: torch's default (all cores)
    max_examples: int = 0  # 0: all of train.jsonl
    target_modules: list[str] = field(default_factory=lambda: list(TARGET_MODULES))

    @classmethod
    def tiny(cls, **overrides: Any) -> FinetuneConfig:
        """A configuration that proves the pipeline in a couple of minutes, not a useful model."""
        values: dict[str, Any] = {
            "steps": 3,
            "batch_size": 2,
            "max_len": 128,
            "lora_r": 4,
            "lora_alpha": 8,
            "warmup_steps": 0,
            "checkpoint_every": 2,
            "max_examples": 36,
        }
        values.update(overrides)
        return cls(**values)


@dataclass
class Progress:
    step: int
    total: int
    loss: float | None
    eta_seconds: float | None
    message: str = ""


@dataclass
class FinetuneResult:
    adapter_dir: Path
    base_config_dir: Path
    steps: int
    final_loss: float | None
    losses: list[float]
    seconds: float
    peak_rss_mb: float
    examples: int
    config: dict[str, Any]


def peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux: the process's high-water mark, model + activations + optimiser.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def encode_example(
    tokenizer: Any, *, prompt: str, completion: str, max_len: int
) -> tuple[list[int], list[int]]:
    """Token ids and labels for one example; labels are -100 on every prompt token.

    Too long: the prompt is cut from the left (after BOS), keeping the question and the end of
    the tool results next to the answer; the completion is kept whole whenever it fits.
    """
    prompt_ids = tokenizer(prompt, add_special_tokens=True)["input_ids"]
    completion_ids = tokenizer(completion, add_special_tokens=False)["input_ids"]
    completion_ids = completion_ids[: max_len - 1]
    room = max_len - len(completion_ids)
    if len(prompt_ids) > room:
        head = prompt_ids[:1] if prompt_ids and prompt_ids[0] == tokenizer.bos_token_id else []
        prompt_ids = head + prompt_ids[len(prompt_ids) - (room - len(head)) :]
    input_ids = prompt_ids + completion_ids
    labels = [-100] * len(prompt_ids) + list(completion_ids)
    return input_ids, labels


def collate(rows: list[tuple[list[int], list[int]]], *, pad_id: int) -> dict[str, Any]:
    import torch  # noqa: TID251

    width = max(len(ids) for ids, _ in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), -100, dtype=torch.long)
    attention = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (ids, labs) in enumerate(rows):
        input_ids[i, : len(ids)] = torch.tensor(ids)
        labels[i, : len(labs)] = torch.tensor(labs)
        attention[i, : len(ids)] = 1
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention}


def completion_loss(model: Any, batch: dict[str, Any]) -> Any:
    """Mean next-token cross-entropy over the completion tokens, projecting only those positions
    onto the vocabulary.

    The same value as ``model(**batch).loss``, but the 262k-word output layer (most of this small
    model's compute, and a float32 logits tensor of ~1 GB per 4×256 batch) runs only where a
    label is, roughly one position in five: steps are faster and peak memory is lower.
    """
    import torch  # noqa: TID251

    labels = batch["labels"]
    targets = labels[:, 1:]
    keep = torch.zeros_like(labels, dtype=torch.bool)
    keep[:, :-1] = targets != -100  # position t predicts token t + 1
    out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], logits_to_keep=keep)
    logits = out.logits.reshape(-1, out.logits.shape[-1]).float()
    return torch.nn.functional.cross_entropy(logits, targets[targets != -100])


def batch_indices(*, n: int, batch_size: int, step: int, seed: int) -> list[int]:
    """The examples of one step: epochs are seeded permutations, so step k is the same on resume."""
    per_epoch = max(1, math.ceil(n / batch_size))
    epoch, offset = divmod(step, per_epoch)
    order = list(range(n))
    random.Random(seed * 1_000_003 + epoch).shuffle(order)
    chunk = order[offset * batch_size : (offset + 1) * batch_size]
    if len(chunk) < batch_size:  # last, short batch of an epoch: top up from the start
        chunk += order[: batch_size - len(chunk)]
    return chunk


def read_examples(path: Path, *, limit: int = 0) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def base_config_write(*, config: dict[str, Any], out_dir: Path) -> Path:
    """The base model's config.json as convert_lora_to_gguf.py needs it (measured: it wants
    ``architectures`` and chokes on the GGUF ``quantization_config`` transformers adds)."""
    data = dict(config)
    data.pop("quantization_config", None)
    if not data.get("architectures"):
        data["architectures"] = (
            ["Gemma3ForCausalLM"] if data.get("model_type", "").startswith("gemma3") else []
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "config.json").write_text(json.dumps(data, indent=2, default=str))
    return out_dir


def _load(gguf_path: Path, *, cache_root: Path | None = None) -> tuple[Any, Any]:
    """Tokenizer and float32 model from the GGUF. Dequantising and converting the tokenizer take
    about a minute on 2 cores, so the result is cached (safetensors) next to the runs, keyed by
    the GGUF's size and mtime; later runs load it in seconds."""
    from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: TID251

    stat = gguf_path.stat()
    cache = (cache_root or run_cache_root()) / f"{gguf_path.stem}-{stat.st_size}-{int(stat.st_mtime)}"
    if (cache / "done").is_file():
        tokenizer = AutoTokenizer.from_pretrained(str(cache))
        model = AutoModelForCausalLM.from_pretrained(str(cache), dtype="float32")
        return tokenizer, model
    tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(
        str(gguf_path.parent), gguf_file=gguf_path.name, dtype="float32"
    )
    try:
        tmp = cache.with_name(cache.name + f".{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tokenizer.save_pretrained(str(tmp))
        # transformers refuses save_pretrained on a GGUF-loaded model (it still carries the GGUF
        # quantization_config), so write the float weights and a clean config directly.
        from safetensors.torch import save_model

        config = model.config.to_dict()
        config.pop("quantization_config", None)
        (tmp / "config.json").write_text(json.dumps(config, default=str))
        save_model(model, str(tmp / "model.safetensors"))
        (tmp / "done").write_text("ok")
        shutil.rmtree(cache, ignore_errors=True)
        tmp.rename(cache)
    except Exception as exc:  # a cache failure only costs the next run a minute
        logger.warning("could not cache the converted base model: %s", exc)
        shutil.rmtree(tmp, ignore_errors=True)
    return tokenizer, model


def run_cache_root() -> Path:
    from apps.training.paths import cache_dir

    return cache_dir()


def _save_checkpoint(
    *, model: Any, optimizer: Any, scheduler: Any, state: dict[str, Any], run_dir: Path
) -> None:
    import torch  # noqa: TID251

    tmp = run_dir / f"{CHECKPOINT}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp / ADAPTER))
    torch.save(
        {
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "torch_rng": torch.get_rng_state(),
        },
        tmp / "trainer.pt",
    )
    (tmp / "state.json").write_text(json.dumps(state))
    # Swap in whole: a crash mid-save leaves the previous checkpoint intact.
    final = run_dir / CHECKPOINT
    old = run_dir / f"{CHECKPOINT}.old"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def finetune(
    *,
    train_path: Path,
    run_dir: Path,
    config: FinetuneConfig,
    gguf_path: Path,
    resume: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    show_bar: bool = True,
) -> FinetuneResult:
    """Train a LoRA adapter on ``train_path`` into ``run_dir``; returns where the adapter is."""
    import torch  # noqa: TID251
    from peft import LoraConfig, PeftModel, get_peft_model  # noqa: TID251
    from tqdm import tqdm

    started = time.monotonic()
    run_dir.mkdir(parents=True, exist_ok=True)
    if config.threads:
        torch.set_num_threads(config.threads)
    random.seed(config.seed)
    torch.manual_seed(config.seed)

    examples = read_examples(train_path, limit=config.max_examples)
    if not examples:
        raise ValueError(f"{train_path} has no examples")
    tokenizer, model = _load(gguf_path)
    base_config = model.config.to_dict()
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    encoded = [
        encode_example(tokenizer, prompt=ex["prompt"], completion=ex["completion"], max_len=config.max_len)
        for ex in examples
    ]
    model.config.use_cache = False

    checkpoint = run_dir / CHECKPOINT
    state: dict[str, Any] = {"step": 0, "losses": [], "config": asdict(config)}
    if resume and (checkpoint / "state.json").exists():
        saved = json.loads((checkpoint / "state.json").read_text())
        if saved.get("config") != state["config"]:
            raise ValueError("the checkpoint was made with another configuration; start a new run")
        state = saved
        model = PeftModel.from_pretrained(model, str(checkpoint / ADAPTER), is_trainable=True)
    else:
        lora = LoraConfig(
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=config.target_modules,
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, lora)
    model.train()

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)

    def lr_factor(step: int) -> float:
        if step < config.warmup_steps:
            return (step + 1) / max(1, config.warmup_steps)
        span = max(1, config.steps - config.warmup_steps)
        return max(0.0, 1.0 - (step - config.warmup_steps) / span)

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    if state["step"]:
        saved_trainer = torch.load(checkpoint / "trainer.pt", weights_only=False)
        optimizer.load_state_dict(saved_trainer["optimizer"])
        scheduler.load_state_dict(saved_trainer["scheduler"])
        torch.set_rng_state(saved_trainer["torch_rng"])
        logger.info("resuming at step %s of %s", state["step"], config.steps)

    first_step = state["step"]
    bar = tqdm(total=config.steps, initial=first_step, desc="finetune", unit="step", disable=not show_bar)
    loop_started = time.monotonic()
    loss_value: float | None = state["losses"][-1] if state["losses"] else None
    for step in range(first_step, config.steps):
        rows = [
            encoded[i]
            for i in batch_indices(n=len(encoded), batch_size=config.batch_size, step=step, seed=config.seed)
        ]
        batch = collate(rows, pad_id=pad_id)
        loss = completion_loss(model, batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        loss_value = float(loss.detach())
        state["losses"].append(round(loss_value, 5))
        state["step"] = step + 1
        done = step + 1 - first_step
        per_step = (time.monotonic() - loop_started) / done
        eta = per_step * (config.steps - step - 1)
        bar.update(1)
        bar.set_postfix(loss=f"{loss_value:.4f}")
        if config.checkpoint_every and (step + 1) % config.checkpoint_every == 0 and step + 1 < config.steps:
            _save_checkpoint(
                model=model, optimizer=optimizer, scheduler=scheduler, state=state, run_dir=run_dir
            )
        if on_progress:
            on_progress(Progress(step=step + 1, total=config.steps, loss=loss_value, eta_seconds=eta))
    bar.close()

    adapter_dir = run_dir / ADAPTER
    shutil.rmtree(adapter_dir, ignore_errors=True)
    model.save_pretrained(str(adapter_dir))
    _save_checkpoint(model=model, optimizer=optimizer, scheduler=scheduler, state=state, run_dir=run_dir)
    base_dir = base_config_write(config=base_config, out_dir=run_dir / BASE_CONFIG)
    result = FinetuneResult(
        adapter_dir=adapter_dir,
        base_config_dir=base_dir,
        steps=state["step"],
        final_loss=loss_value,
        losses=state["losses"],
        seconds=round(time.monotonic() - started, 2),
        peak_rss_mb=round(peak_rss_mb(), 1),
        examples=len(encoded),
        config=asdict(config),
    )
    (run_dir / "result.json").write_text(
        json.dumps(
            {**asdict(result), "adapter_dir": str(adapter_dir), "base_config_dir": str(base_dir)}, indent=2
        )
    )
    return result
