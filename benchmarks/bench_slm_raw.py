"""Raw llama.cpp baseline: llama-cpp-python on the same GGUF, adapter, tokens and threads.

The pipeline benchmark imports these helpers so "pipeline ÷ raw" isolates the pipeline's own
overhead (DESIGN.md, "Measuring"). Run on its own it compares ``LlamaCppBackend`` with raw calls:

    .venv/bin/python -m benchmarks.bench_slm_raw [--threads 2] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from apps.assistant.intents import INTENTS


def raw_llama(
    *, model_file: str | Path, adapter_file: str | Path | None, n_threads: int, n_ctx: int = 2048
) -> Any:
    """A bare ``Llama`` configured exactly as ``LlamaCppBackend`` configures its contexts."""
    # The baseline must call llama.cpp itself, not through the app: hence the one exemption here.
    from llama_cpp import Llama  # noqa: TID251

    return Llama(
        model_path=str(model_file),
        n_ctx=n_ctx,
        n_threads=n_threads,
        n_threads_batch=n_threads,
        use_mmap=True,
        lora_path=str(adapter_file) if adapter_file else None,
        verbose=False,
    )


def raw_tokens(llm: Any, prompt: str) -> list[int]:
    return llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)


def raw_prompt_eval_ms(llm: Any, tokens: list[int], *, keep: int = 0) -> float:
    """Time evaluating ``tokens[keep:]`` on top of a KV cache already holding ``tokens[:keep]``.

    ``keep=0`` is a cold prompt. The caller must have evaluated the kept prefix before.
    """
    llm.n_tokens = keep  # Llama.eval drops KV cells from n_tokens on
    started = time.perf_counter()
    llm.eval(tokens[keep:])
    return (time.perf_counter() - started) * 1000


def raw_last_logits(llm: Any) -> Any:
    import llama_cpp  # noqa: TID251 - raw baseline, see raw_llama
    import numpy as np

    return np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, -1), shape=(llm.n_vocab(),))


def raw_generate(llm: Any, tokens: list[int], *, max_tokens: int, keep: int = 0) -> dict[str, float]:
    """Greedy generation after the prompt: first-token and total ms, tokens, decode tok/s."""
    end_ids = {llm.token_eos(), *llm.tokenize(b"<end_of_turn>", add_bos=False, special=True)}
    sampler = llm._init_sampler(temp=0.0)
    started = time.perf_counter()
    llm.n_tokens = keep
    llm.eval(tokens[keep:])
    first_ms = None
    n = 0
    decode_started = time.perf_counter()
    for _ in range(max_tokens):
        token = sampler.sample(llm._ctx, -1)
        if first_ms is None:
            first_ms = (time.perf_counter() - started) * 1000
            decode_started = time.perf_counter()
        if token in end_ids:
            break
        n += 1
        llm.eval([token])
    decode_s = time.perf_counter() - decode_started
    sampler.close()
    return {
        "first_token_ms": first_ms or 0.0,
        "total_ms": (time.perf_counter() - started) * 1000,
        "tokens": n,
        "decode_tok_s": n / decode_s if decode_s > 0 else 0.0,
    }


def memory_mb() -> tuple[float, float]:
    """(RSS, PSS) in MiB. RSS counts the mmap'd weights once per context mapping them; PSS
    splits shared pages among their users, so it is the honest figure for a worker's memory."""
    import psutil

    info = psutil.Process(os.getpid()).memory_full_info()
    return info.rss / 2**20, getattr(info, "pss", info.rss) / 2**20


def classification_prompt(n_examples: int = 24) -> str:
    examples = [
        ("where is my package", "order_status"),
        ("i want my money back for the boots", "return_refund"),
        ("do these come in a 10", "size_availability_or_fit"),
        ("cancel my order pls", "cancel_order"),
        ("can i swap for a medium", "exchange_size"),
        ("how long does shipping take", "shipping_delivery"),
    ]
    lines = [f"Message: {m}\nIntent: {i}" for m, i in (examples * 10)[:n_examples]]
    return (
        "Classify the customer's message into one intent: "
        + ", ".join(INTENTS)
        + ".\n\n"
        + "\n".join(lines)
        + "\n"
    )


@dataclass
class Report:
    model_file: str
    adapter_file: str | None
    threads: int
    load_s: float
    rss_pss_base_mb: tuple[float, float]
    rss_pss_one_context_mb: tuple[float, float]
    rss_pss_two_contexts_mb: tuple[float, float]
    rss_pss_after_runs_mb: tuple[float, float]
    prompt_tokens: int
    score_cold_ms: float
    score_warm_ms_p50: float
    raw_cold_eval_ms: float
    raw_warm_eval_ms_p50: float
    gen_tokens: int
    gen_tok_s: float
    raw_gen_tok_s: float
    gen_first_token_ms: float
    raw_first_token_ms: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=40)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")
    import django

    django.setup()
    from django.conf import settings

    from apps.inference.backends import LlamaCppBackend, turn_prompt

    threads = args.threads or settings.SLM_THREADS
    rss0 = memory_mb()
    started = time.perf_counter()
    backend = LlamaCppBackend(n_threads=threads)
    backend.warm_up("understand")
    load_s = time.perf_counter() - started
    rss1 = memory_mb()
    backend.warm_up("respond")
    rss2 = memory_mb()

    base = classification_prompt()
    messages = [
        "hey where is my order W2611340",
        "do u have the trail runners in 11",
        "i want to return the jacket",
        "cancel it",
        "how much is shipping to canada",
        "my card was charged twice!!",
        "ok thanks",
    ]
    prompts = [base + f"Message: {m}\nIntent:" for m in messages]
    backend.warm_up("bench-cold")  # create the context first: cold = empty KV cache, not load
    cold = backend.score_labels(prompt=prompts[0], labels=INTENTS, context="bench-cold")
    warm = []
    for i in range(args.repeat):
        s = backend.score_labels(prompt=prompts[1 + i % (len(prompts) - 1)], labels=INTENTS)
        warm.append(s.ms)

    # Raw llama.cpp on the same tokens, same file, adapter and threads, in this same run.
    model_file = Path(settings.BASE_DIR) / backend.model_file
    adapter = (Path(settings.BASE_DIR) / backend.adapter_file) if backend.adapter_file else None
    # The pipeline's memory after scoring in three contexts, before the raw Llama exists.
    rss_after = tuple(round(x) for x in memory_mb())
    raw = raw_llama(model_file=model_file, adapter_file=adapter, n_threads=threads, n_ctx=backend.n_ctx)
    tokens0 = raw_tokens(raw, prompts[0])
    raw_cold = raw_prompt_eval_ms(raw, tokens0)
    raw_warm = []
    previous = tokens0
    for i in range(args.repeat):
        tokens = raw_tokens(raw, prompts[1 + i % (len(prompts) - 1)])
        keep = min(len(previous), len(tokens)) - 1
        keep = next((k for k in range(keep) if previous[k] != tokens[k]), keep)
        raw_warm.append(raw_prompt_eval_ms(raw, tokens, keep=keep))
        previous = tokens

    gen_prompt = turn_prompt(
        "Write a friendly two-sentence reply telling the customer their order has shipped."
    )
    gen_runs, raw_runs = [], []
    for _ in range(max(1, args.repeat // 2)):
        started = time.perf_counter()
        first = None
        n = 0
        for _token in backend.stream(prompt=gen_prompt, max_tokens=args.max_tokens):
            if first is None:
                first = (time.perf_counter() - started) * 1000
            n += 1
        total = time.perf_counter() - started
        gen_runs.append(
            (backend.last_completion_tokens / max(total - (first or 0) / 1000, 1e-9), first or 0.0)
        )
        raw_runs.append(raw_generate(raw, raw_tokens(raw, gen_prompt), max_tokens=args.max_tokens))

    report = Report(
        model_file=backend.model_file,
        adapter_file=backend.adapter_file,
        threads=threads,
        load_s=round(load_s, 3),
        rss_pss_base_mb=tuple(round(x) for x in rss0),
        rss_pss_one_context_mb=tuple(round(x) for x in rss1),
        rss_pss_two_contexts_mb=tuple(round(x) for x in rss2),
        rss_pss_after_runs_mb=rss_after,
        prompt_tokens=len(tokens0),
        score_cold_ms=round(cold.ms, 1),
        score_warm_ms_p50=round(statistics.median(warm), 1),
        raw_cold_eval_ms=round(raw_cold, 1),
        raw_warm_eval_ms_p50=round(statistics.median(raw_warm), 1),
        gen_tokens=backend.last_completion_tokens,
        gen_tok_s=round(statistics.median(r[0] for r in gen_runs), 1),
        raw_gen_tok_s=round(statistics.median(r["decode_tok_s"] for r in raw_runs), 1),
        gen_first_token_ms=round(statistics.median(r[1] for r in gen_runs), 1),
        raw_first_token_ms=round(statistics.median(r["first_token_ms"] for r in raw_runs), 1),
    )
    print(json.dumps(asdict(report), indent=2))


if __name__ == "__main__":
    main()
