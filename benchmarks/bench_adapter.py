"""The support adapter three ways: PyTorch (peft), GGUF via ``lora_path``, merged and re-quantized.

    .venv/bin/python -m benchmarks.bench_adapter [--run-dir DIR] [--threads 2] [--limit N]

Measured in one run on the same held-out split and the same prompts:
- quality: held-out intent accuracy of the PyTorch model the adapter was trained as, of the GGUF
  adapter on the base GGUF (what the chat worker runs), and of the merged model; reply metrics of
  the two GGUF variants (``apps.training.evaluate``);
- speed: prompt processing and greedy generation of a fixed 40 tokens (the end of turn is not
  honoured, so every variant decodes the same count) for the bare base model, base + adapter and
  the merged model, alternating variants per prompt so machine noise hits all of them alike.

Writes benchmarks/results/adapter.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")

import django  # noqa: E402

django.setup()

from apps.training import evaluate as ev  # noqa: E402
from benchmarks.bench_slm_raw import raw_llama, raw_tokens  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "adapter.json"
GEN_TOKENS = 40


def latest_run_dir() -> Path:
    from apps.training.models import TrainingRun

    run = TrainingRun.objects.filter(status=TrainingRun.Status.SUCCEEDED, model_version__isnull=False)
    run = run.order_by("-finished_at").first()
    if run is None:
        raise SystemExit("no finished training run: run manage.py finetune first (or pass --run-dir)")
    return Path(run.run_dir)


# --- Quality ------------------------------------------------------------------------------------
def torch_intent_accuracy(*, run_dir: Path, rows: list[dict[str, Any]], threads: int) -> dict[str, Any]:
    """Held-out intent accuracy of the trained PyTorch model, scored exactly as the GGUF backend
    scores labels (the same label trie, HF tokenizer instead of llama.cpp's)."""
    import torch  # noqa: TID251
    from peft import PeftModel  # noqa: TID251

    from apps.assistant import prompts
    from apps.inference.backends import _label_tree_probs
    from apps.training import prompt_format as fmt
    from apps.training.finetune import ADAPTER, _load
    from apps.training.paths import base_model_path

    torch.set_num_threads(threads)
    tokenizer, model = _load(base_model_path())
    model = PeftModel.from_pretrained(model, str(run_dir / ADAPTER))
    model.eval()
    labels = prompts.understand_labels()
    started = time.monotonic()
    correct = 0
    with torch.inference_mode():
        for row in rows:
            prompt = row["prompt"]
            ids = tokenizer(prompt, add_special_tokens=True)["input_ids"]
            tail = prompt[-48:]
            base = tokenizer(tail, add_special_tokens=False)["input_ids"]
            label_tokens = {}
            for label in labels:
                joint = tokenizer(tail + label, add_special_tokens=False)["input_ids"]
                ok = joint[: len(base)] == base and len(joint) > len(base)
                label_tokens[label] = (
                    joint[len(base) :] if ok else tokenizer(label, add_special_tokens=False)["input_ids"]
                )

            def logits_for(prefix: tuple[int, ...], ids: list[int] = ids) -> Any:
                out = model(input_ids=torch.tensor([ids + list(prefix)]), logits_to_keep=1)
                return out.logits[0, -1].float().numpy()

            probs = _label_tree_probs(label_tokens, logits_for)
            correct += fmt.intent_from_label(max(probs, key=lambda lb: probs[lb])) == row["intent"]
    return {
        "intent_accuracy": round(correct / len(rows), 4) if rows else None,
        "n_understand": len(rows),
        "seconds": round(time.monotonic() - started, 1),
    }


# --- Speed --------------------------------------------------------------------------------------
def timed_generation(llm: Any, tokens: list[int], n: int) -> tuple[float, float]:
    """(prompt tokens/s cold, generated tokens/s) for ``tokens`` then ``n`` greedy tokens."""
    import numpy as np

    from benchmarks.bench_slm_raw import raw_last_logits

    llm.n_tokens = 0
    started = time.perf_counter()
    llm.eval(tokens)
    prompt_s = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(n):
        llm.eval([int(np.argmax(raw_last_logits(llm)))])
    gen_s = time.perf_counter() - started
    return len(tokens) / prompt_s, n / gen_s


def speed(*, variants: dict[str, dict[str, Any]], prompts: list[str], threads: int) -> dict[str, Any]:
    models = {name: raw_llama(n_threads=threads, **spec) for name, spec in variants.items()}
    samples: dict[str, dict[str, list[float]]] = {name: {"prompt": [], "gen": []} for name in models}
    for llm in models.values():  # warm-up: first decode of each context allocates buffers
        timed_generation(llm, raw_tokens(llm, prompts[0]), 4)
    for prompt in prompts:
        for name, llm in models.items():
            p, g = timed_generation(llm, raw_tokens(llm, prompt), GEN_TOKENS)
            samples[name]["prompt"].append(p)
            samples[name]["gen"].append(g)
    for llm in models.values():
        llm.close()
    out = {
        name: {
            "prompt_tok_s_median": round(statistics.median(s["prompt"]), 1),
            "gen_tok_s_median": round(statistics.median(s["gen"]), 1),
        }
        for name, s in samples.items()
    }
    base = out["base"]
    for row in out.values():
        row["prompt_vs_base"] = round(row["prompt_tok_s_median"] / base["prompt_tok_s_median"], 3)
        row["gen_vs_base"] = round(row["gen_tok_s_median"] / base["gen_tok_s_median"], 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--run-dir", type=Path, help="a training run (default: the newest finished one)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="held-out rows per job (0: all)")
    parser.add_argument("--speed-prompts", type=int, default=12)
    parser.add_argument("--skip-torch", action="store_true")
    args = parser.parse_args()

    from apps.training.merge import adapter_merge
    from apps.training.models import TrainingRun
    from apps.training.paths import base_model_path, training_dir

    run_dir = (args.run_dir or latest_run_dir()).resolve()
    result = json.loads((run_dir / "result.json").read_text())
    run = TrainingRun.objects.filter(run_dir=str(run_dir)).select_related("model_version").first()
    if run is None or run.model_version is None:
        raise SystemExit(f"no model version was exported from {run_dir}")
    version = run.model_version
    dataset_dir = Path(run.dataset_dir)
    from apps.inference.backends import _resolve

    base = base_model_path()
    adapter = _resolve(version.adapter_file)
    merged = training_dir() / "merged" / f"support-{version.name}-q4_k_m.gguf"
    merge_info: dict[str, Any] = {}
    if not merged.is_file():
        started = time.monotonic()
        merge_info = adapter_merge(base_path=base, adapter_path=adapter, out_path=merged)
        merge_info["seconds"] = round(time.monotonic() - started, 1)

    rows = ev._balanced(ev.read_rows(dataset_dir / "test.jsonl"), args.limit)
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "threads": args.threads, "python": platform.python_version()},
        "run_dir": str(run_dir),
        "version": version.name,
        "adapter": {"file": str(adapter), "bytes": adapter.stat().st_size},
        "merged": {"file": str(merged), "bytes": merged.stat().st_size, **merge_info},
        "base": {"file": str(base), "bytes": base.stat().st_size},
        "training": {k: result.get(k) for k in ("steps", "seconds", "peak_rss_mb", "final_loss", "examples")},
    }
    quality: dict[str, Any] = {}
    for name, kwargs in (
        ("gguf_lora_path", {"adapter_file": str(adapter)}),
        ("gguf_merged", {"adapter_file": None, "model_file": merged}),
    ):
        backend = ev.backend_for(**kwargs)
        try:
            metrics = ev.evaluate_backend(backend, test_path=dataset_dir / "test.jsonl", limit=args.limit)
        finally:
            backend.close()
        metrics.pop("samples", None)
        quality[name] = metrics
    if not args.skip_torch:
        understand_rows = [r for r in rows if r["job"] == "understand"]
        quality["pytorch"] = torch_intent_accuracy(
            run_dir=run_dir, rows=understand_rows, threads=args.threads
        )
        quality["gguf_minus_pytorch_points"] = round(
            100 * (quality["gguf_lora_path"]["intent_accuracy"] - quality["pytorch"]["intent_accuracy"]), 2
        )
    report["quality"] = quality

    respond_prompts = [r["prompt"] for r in rows if r["job"] == "respond"][: args.speed_prompts]
    report["speed"] = speed(
        variants={
            "base": {"model_file": base, "adapter_file": None},
            "lora_path": {"model_file": base, "adapter_file": adapter},
            "merged": {"model_file": merged, "adapter_file": None},
        },
        prompts=respond_prompts,
        threads=args.threads,
    )
    report["load_avg"] = os.getloadavg()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps({"quality": quality, "speed": report["speed"]}, indent=2))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
