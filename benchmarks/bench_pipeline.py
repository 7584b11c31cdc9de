"""Pipeline benchmark on the demo store: understand / first token / total latency, tokens, and the
same prompts through raw llama.cpp (same weights, adapter and threads) in the same run, each
question's raw replay right after its pipeline run so machine noise hits both alike.

    .venv/bin/python -m benchmarks.bench_pipeline [--threads 2] [--repeat 2]

Needs the demo store in the current SUPPORTBOT_DATA_DIR (runs ``seed_demo`` when the catalog is
empty). Prints a table and writes benchmarks/results/pipeline.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402

from benchmarks.bench_slm_raw import memory_mb, raw_generate, raw_llama, raw_tokens  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "pipeline.json"


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def questions() -> list[dict[str, Any]]:
    """~40 typical shopper questions built from whatever the demo store holds."""
    from apps.catalog.models import Product
    from apps.orders.models import Order

    qs: list[dict[str, Any]] = []
    orders = list(Order.objects.select_related("customer").order_by("external_id")[:60])
    by_status: dict[str, Order] = {}
    for order in orders:
        by_status.setdefault(order.status, order)
    phrasings = [
        "where is my order {n}",
        "wheres my package {n}??",
        "has {n} shipped yet",
        "status of order {n}",
    ]
    for i, order in enumerate(list(by_status.values())[:4] + orders[:4]):
        qs.append(
            {
                "text": phrasings[i % 4].format(n=order.external_id),
                "email": order.customer.email,
                "kind": "order",
            }
        )
    for order in orders[4:7]:
        qs.append(
            {
                "text": f"i want to return order {order.external_id}",
                "email": order.customer.email,
                "kind": "order",
            }
        )
    products = list(Product.objects.filter(variants__size__regex=r"^\d").distinct().order_by("name")[:8])
    for i, product in enumerate(products):
        size = product.variants.exclude(size="").values_list("size", flat=True).first()
        text = [
            f"do you have the {product.name} in size {size}",
            f"is the {product.name.lower()} in stock in a {size}?",
        ][i % 2]
        qs.append({"text": text, "kind": "size"})
    kb = [
        "how much is shipping",
        "do you ship internationally",
        "which payment methods do you accept",
        "when will i get my refund",
        "how do i reset my password",
        "do you have womens sizes",
        "how do your shoes fit",
        "can i return a gift",
        "which carriers do you use",
        "when is my card charged",
        "do you sell gift cards",
        "how do i wash merino",
    ]
    qs += [{"text": t, "kind": "kb"} for t in kb]
    qs += [
        {"text": "whats your return policy", "kind": "policy"},
        {"text": "can i exchange for a different size", "kind": "policy"},
        {"text": "hi", "kind": "greeting"},
        {"text": "thanks!", "kind": "greeting"},
        {"text": "talk to a human", "kind": "human"},
        {"text": "what is the capital of france", "kind": "oos"},
        {"text": "tell me a joke", "kind": "oos"},
    ]
    return qs


class Recorder:
    """Wraps the backend to capture every prompt the pipeline sends (for the raw replay)."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.calls: list[dict[str, Any]] = []
        self._score = backend.score_labels
        self._stream = backend.stream
        backend.score_labels = self.score_labels
        backend.stream = self.stream

    def score_labels(self, **kw: Any) -> Any:
        self.calls.append({"kind": "score", "prompt": kw["prompt"], "labels": list(kw["labels"])})
        return self._score(**kw)

    def stream(self, **kw: Any) -> Any:
        call = {"kind": "stream", "prompt": kw["prompt"], "max_tokens": kw["max_tokens"]}
        self.calls.append(call)
        yield from self._stream(**kw)
        # Raw llama.cpp then generates exactly as many tokens as the pipeline did.
        call["max_tokens"] = max(1, self.backend.last_completion_tokens)


class RawReplay:
    """The same prompts on raw llama.cpp: one Llama per prompt type, like the backend's contexts.

    Each context starts as the pipeline's did: the model calls of the worker's warm-up
    (``apps.assistant.warmup``) are replayed first, untimed, and each call reuses whatever prefix
    its KV cache holds, which is what the backend does too.
    """

    def __init__(self, *, model_file: str, adapter_file: str | None, threads: int) -> None:
        self.model_file, self.adapter_file, self.threads = model_file, adapter_file, threads
        self.contexts: dict[str, Any] = {}

    def _context(self, kind: str) -> Any:
        if kind not in self.contexts:
            self.contexts[kind] = raw_llama(
                model_file=self.model_file, adapter_file=self.adapter_file, n_threads=self.threads
            )
        return self.contexts[kind]

    def replay(self, call: dict[str, Any]) -> float:
        import numpy as np

        from benchmarks.bench_slm_raw import raw_last_logits

        llm = self._context(call["kind"])
        tokens = raw_tokens(llm, call["prompt"])
        prev = llm.input_ids[: llm.n_tokens].tolist()
        keep = 0
        while keep < min(len(prev), len(tokens) - 1) and prev[keep] == tokens[keep]:
            keep += 1
        started = time.perf_counter()
        if call["kind"] == "score":
            llm.n_tokens = keep
            llm.eval(tokens[keep:])
            # Each label's first token after the prompt (as in one branching point).
            logits = np.asarray(raw_last_logits(llm), dtype=np.float64)
            ids = [llm.tokenize(lb.encode(), add_bos=False, special=False)[0] for lb in call["labels"]]
            p = np.exp(logits[ids] - logits[ids].max())
            _ = p / p.sum()
        else:
            raw_generate(llm, tokens, max_tokens=call["max_tokens"], keep=keep)
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        for llm in self.contexts.values():
            llm.close()


def run_interleaved(
    qs: list[dict[str, Any]], *, respond: str, recorder: Recorder, raw: RawReplay
) -> list[dict[str, Any]]:
    """Each question through the pipeline, then its model calls through raw llama.cpp at once:
    the two are timed seconds apart, so a noisy machine slows both alike."""
    from apps.assistant.pipeline import Turn, reply
    from apps.orders.identity import CustomerIdentity

    settings.ASSISTANT_SLM_RESPOND = respond
    out = []
    for q in qs:
        identity = (
            CustomerIdentity(email=q["email"], external_id=None, source="trusted") if q.get("email") else None
        )
        recorder.calls = []
        started = time.perf_counter()
        with transaction.atomic():
            r = reply(turns=[Turn("customer", q["text"])], identity=identity, llm="off")
            transaction.set_rollback(True)
        wall = (time.perf_counter() - started) * 1000
        calls = recorder.calls
        raw_ms = [raw.replay(call) for call in calls]
        out.append(
            {
                **q,
                "trace": r.trace,
                "wall_ms": wall,
                "raw_score_ms": sum(t for c, t in zip(calls, raw_ms, strict=True) if c["kind"] == "score"),
                "raw_total_ms": sum(raw_ms),
            }
        )
    return out


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    lat = [r["trace"]["latency_ms"] for r in rows]
    tok = [r["trace"]["tokens"] for r in rows]
    return {
        "n": len(rows),
        "understand_p50": pct([x["understand"] for x in lat], 0.5),
        "understand_p95": pct([x["understand"] for x in lat], 0.95),
        "first_token_p50": pct([x["first_token"] for x in lat], 0.5),
        "first_token_p95": pct([x["first_token"] for x in lat], 0.95),
        "total_p50": pct([x["total"] for x in lat], 0.5),
        "total_p95": pct([x["total"] for x in lat], 0.95),
        "slm_prompt_mean": statistics.mean(t["slm_prompt"] for t in tok),
        "slm_prompt_cached_mean": statistics.mean(t["slm_prompt_cached"] for t in tok),
        "slm_completion_mean": statistics.mean(t["slm_completion"] for t in tok),
        "routes": {
            k: sum(1 for r in rows if r["trace"]["route"] == k) for k in ("slm", "clarify", "llm", "human")
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=settings.SLM_THREADS)
    parser.add_argument("--repeat", type=int, default=2, help="rounds over the question set")
    args = parser.parse_args()
    settings.SLM_THREADS = args.threads
    from django.core.management import call_command

    from apps.catalog.models import Product
    from apps.inference.backends import slm
    from apps.retrieval.services import index_is_stale, index_refresh

    if not Product.objects.exists():
        call_command("seed_demo")
    if index_is_stale():
        index_refresh()
    from apps.assistant.warmup import warm_up

    load_started = time.perf_counter()
    backend = slm()
    rec = Recorder(backend)
    warm_up()
    load_s = time.perf_counter() - load_started
    qs = questions()

    raw = RawReplay(model_file=backend._model, adapter_file=backend._adapter, threads=args.threads)
    for call in rec.calls:  # raw llama.cpp starts from the same warm-up
        raw.replay(call)
    respond = getattr(settings, "ASSISTANT_SLM_RESPOND", "auto")
    shipped: list[dict[str, Any]] = []
    phrased: list[dict[str, Any]] = []
    shipped_max_tokens = settings.ASSISTANT_SLM_MAX_TOKENS
    for _ in range(args.repeat):
        settings.ASSISTANT_SLM_MAX_TOKENS = shipped_max_tokens
        # 1. The pipeline as shipped (templates for facts; SLM phrasing only with an adapter).
        shipped += run_interleaved(qs, respond=respond, recorder=rec, raw=raw)
        # 2. Forced SLM phrasing of knowledge answers (40 tokens max): the "40-token answer" case.
        settings.ASSISTANT_SLM_MAX_TOKENS = 40
        phrased += run_interleaved(
            [q for q in qs if q["kind"] == "kb"], respond="always", recorder=rec, raw=raw
        )
    raw.close()
    scored = [r for r in shipped if r["raw_score_ms"]]
    pipe_understand = sum(r["trace"]["latency_ms"]["understand"] for r in scored)
    raw_understand = sum(r["raw_score_ms"] for r in scored)
    pipe_phrased = sum(r["trace"]["latency_ms"]["total"] for r in phrased)
    raw_phrased_total = sum(r["raw_total_ms"] for r in phrased)
    rss_mb, pss_mb = memory_mb()
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "threads": args.threads,
            "python": platform.python_version(),
            "load_avg": os.getloadavg(),
        },
        "model": shipped[0]["trace"]["model"],
        "model_load_and_warm_s": round(load_s, 2),
        "shipped": summary(shipped),
        "phrased_40_tokens": summary(phrased),
        "raw": {
            "understand_total_ms": round(raw_understand, 1),
            "phrased_total_ms": round(raw_phrased_total, 1),
            "understand_p50": pct([r["raw_score_ms"] for r in scored], 0.5),
            "phrased_p50": pct([r["raw_total_ms"] for r in phrased], 0.5) if phrased else None,
        },
        "ratio_understand": round(pipe_understand / raw_understand, 3) if raw_understand else None,
        "ratio_phrased_total": round(pipe_phrased / raw_phrased_total, 3) if raw_phrased_total else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rss_mb": round(rss_mb, 1),
        "pss_mb": round(pss_mb, 1),
        "per_question": [
            {
                "text": r["text"],
                "route": r["trace"]["route"],
                "intent": r["trace"]["intent"],
                "confidence": r["trace"]["confidence"],
                "latency_ms": r["trace"]["latency_ms"],
                "raw_score_ms": round(r["raw_score_ms"], 1),
                "raw_total_ms": round(r["raw_total_ms"], 1),
                "completion_tokens": r["trace"]["tokens"]["slm_completion"],
                "answer": r["trace"]["answer"][:160],
            }
            for r in shipped + phrased
        ],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str))
    s, p = report["shipped"], report["phrased_40_tokens"]
    print(f"{'metric':<34}{'shipped':>12}{'phrased-40':>12}")
    for key in (
        "n",
        "understand_p50",
        "understand_p95",
        "first_token_p50",
        "total_p50",
        "total_p95",
        "slm_prompt_mean",
        "slm_prompt_cached_mean",
        "slm_completion_mean",
    ):
        print(f"{key:<34}{s[key]:>12.1f}{p[key]:>12.1f}")
    print(f"raw understand p50 ms            {report['raw']['understand_p50']:.1f}")
    print(f"ratio understand (pipe/raw)      {report['ratio_understand']}")
    print(f"ratio phrased total (pipe/raw)   {report['ratio_phrased_total']}")
    print(
        f"peak RSS MB {report['peak_rss_mb']}  PSS MB {report['pss_mb']}  load avg {report['machine']['load_avg']}"  # noqa: E501
    )
    print(f"routes {s['routes']}  -> {RESULTS}")
    from apps.inference.backends import slm_reset

    slm_reset()


if __name__ == "__main__":
    main()
