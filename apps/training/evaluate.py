"""Held-out evaluation of a model version and the promotion gate.

Runs through ``apps.inference.backends.LlamaCppBackend`` (the chat worker's own backend), so the
numbers are those of the code path shoppers hit: ``score_labels`` for the understand step, the
streaming generator for replies.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from apps.training import prompt_format as fmt

# Higher is better for these; lower is better for CONFIDENTLY_WRONG.
GUARDED_HIGHER = (
    "intent_accuracy",
    "fact_accuracy",
    "clean_end_rate",
    "json_validity",
    "questions_intent_accuracy",
)
GUARDED_LOWER = ("confidently_wrong_rate",)
# The metrics of the SLM's label scores: they reach a shopper only while the understand step
# gives those scores weight (a trained understand model may weigh them at 0 and skip the pass).
LABEL_METRICS = ("intent_accuracy", "questions_intent_accuracy", "confidently_wrong_rate")
CONFIDENT = 0.8  # a wrong intent above this probability would not have been escalated
MAX_REPLY_TOKENS = 96

# A fact is anything a shopper could act on: numbers (prices, dates, counts, sizes, tracking and
# order numbers) and words with digits in them.
# Hyphens split ("30-day" is the fact 30; a date yields its parts, which must all be grounded).
_FACT = re.compile(r"[A-Za-z]*\d+(?:[.,:/]\d+)*")


def facts_in(text: str) -> set[str]:
    return {m.group(0).lower() for m in _FACT.finditer(text)}


def facts_grounded(reply: str, *, sources: Iterable[str]) -> bool:
    """Every fact in ``reply`` appears in the tool results (or the shopper's own words)."""
    allowed = set()
    for source in sources:
        allowed |= facts_in(source)
    return facts_in(reply) <= allowed


def loops(text: str, *, n: int = 4, times: int = 3) -> bool:
    """The same n-word run three times: the base model's failure mode (it never ends its turn)."""
    words = text.lower().split()
    counts: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - n + 1):
        gram = tuple(words[i : i + n])
        counts[gram] = counts.get(gram, 0) + 1
        if counts[gram] >= times:
            return True
    return False


def _json_valid(text: str) -> bool | None:
    start = text.find("{")
    if start < 0:
        return None
    try:
        json.loads(text[start : text.rfind("}") + 1])
    except ValueError:
        return False
    return True


def read_rows(path: Path, *, limit: int = 0) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def _balanced(rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` rows of each job, so a small limit still measures both."""
    if not limit:
        return rows
    out: list[dict[str, Any]] = []
    for job in ("understand", "respond"):
        out += [r for r in rows if r["job"] == job][:limit]
    return out


def backend_for(*, adapter_file: str | None, model_file: Path | None = None) -> Any:
    from apps.inference.backends import LlamaCppBackend

    return LlamaCppBackend(model_file=model_file, adapter_file=adapter_file or "none")


def evaluate_backend(
    backend: Any,
    *,
    test_path: Path,
    limit: int = 0,
    questions_path: Path | None = None,
    questions_limit: int = 0,
) -> dict[str, Any]:
    """Score one backend on the held-out split (and the labelled question set if given)."""
    from apps.assistant import prompts

    started = time.monotonic()
    rows = _balanced(read_rows(test_path), limit)
    labels = prompts.understand_labels()
    n_und = correct = confident_wrong = 0
    n_resp = grounded = clean = 0
    json_seen = json_ok = 0
    samples: list[dict[str, Any]] = []
    for row in rows:
        if row["job"] == "understand":
            scores = backend.score_labels(prompt=row["prompt"], labels=labels, context="understand")
            predicted = fmt.intent_from_label(scores.best)
            n_und += 1
            if predicted == row["intent"]:
                correct += 1
            elif scores.probs.get(scores.best, 0.0) >= CONFIDENT:
                confident_wrong += 1
            continue
        completion = backend.complete(prompt=row["prompt"], max_tokens=MAX_REPLY_TOKENS, context="respond")
        text = completion.text
        n_resp += 1
        ended = completion.completion_tokens < MAX_REPLY_TOKENS and not loops(text)
        clean += ended
        ok = facts_grounded(text, sources=[row.get("passage", ""), row.get("user_text", "")])
        grounded += ok
        valid = _json_valid(text)
        if valid is not None:
            json_seen += 1
            json_ok += valid
        if len(samples) < 5:
            samples.append({"question": row.get("user_text"), "reply": text, "grounded": ok, "ended": ended})
    metrics: dict[str, Any] = {
        "intent_accuracy": round(correct / n_und, 4) if n_und else None,
        "confidently_wrong_rate": round(confident_wrong / n_und, 4) if n_und else None,
        "fact_accuracy": round(grounded / n_resp, 4) if n_resp else None,
        "clean_end_rate": round(clean / n_resp, 4) if n_resp else None,
        # The understand step's JSON is built by code from the scored label; replies should carry
        # none. Measured over replies that contain any JSON at all (None: there was none).
        "json_validity": round(json_ok / json_seen, 4) if json_seen else None,
        "n_understand": n_und,
        "n_respond": n_resp,
    }
    if questions_path is not None and questions_path.is_file():
        qs = read_rows(questions_path, limit=questions_limit)
        hits = 0
        for q in qs:
            scores = backend.score_labels(
                prompt=prompts.understand_prompt(q["utterance"]), labels=labels, context="understand"
            )
            hits += fmt.intent_from_label(scores.best) == q["intent"]
        metrics["questions_intent_accuracy"] = round(hits / len(qs), 4) if qs else None
        metrics["n_questions"] = len(qs)
    metrics["seconds"] = round(time.monotonic() - started, 1)
    metrics["samples"] = samples
    return metrics


def gate(
    *, candidate: dict[str, Any], baseline: dict[str, Any] | None, label_scores_used: bool = True
) -> tuple[bool, str]:
    """Promote only if no guarded metric is worse than the baseline's (measured on the same set).

    ``label_scores_used`` False (the understand step weighs the SLM's labels at 0) leaves the
    label-score metrics out: they are still measured and recorded, but do not reach a shopper."""
    if baseline is None:
        return True, "no baseline: first version"
    skipped = () if label_scores_used else LABEL_METRICS
    worse = []
    for key in GUARDED_HIGHER:
        c, b = candidate.get(key), baseline.get(key)
        if key not in skipped and b is not None and (c is None or c < b):
            worse.append(f"{key} {c} < {b}")
    for key in GUARDED_LOWER:
        c, b = candidate.get(key), baseline.get(key)
        if key not in skipped and b is not None and (c is None or c > b):
            worse.append(f"{key} {c} > {b}")
    note = "" if label_scores_used else " (label scores not guarded: the understand step weighs them at 0)"
    if worse:
        return False, "worse than the active version: " + "; ".join(worse) + note
    return True, "no guarded metric is worse than the active version" + note
