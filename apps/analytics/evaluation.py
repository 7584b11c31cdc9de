"""Evaluation of the assistant on the labelled question set (issue 6): scoring, metrics, curves,
threshold calibration.

The question files (eval/questions_*.jsonl, built by eval/build_questions.py) are ``manage.py ask``
input lines plus ``expected``. The set is run through the very code ``ask`` runs
(``apps.assistant.management.commands.ask.answer_line``), once, *ungated*: every per-intent
threshold at 0, so each trace carries what the box would have said and its confidence. The
judge's rule (``route in (slm, clarify) and confidence < threshold -> escalate``; with the LLM tier
off that is route "llm" and an empty answer) is then applied here (``trace_gate``) for any
thresholds: the stored ones for the report, a sweep for the cost/quality curve, candidates for
calibration. One pipeline run serves them all, which matters on 2 shared cores.

Everything below ``run_*`` is pure (no database, no model) and unit-tested on hand-made traces.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apps.assistant.intents import DEFAULT_THRESHOLDS, INTENTS

ROUTES = ("slm", "llm", "human", "clarify")
# Tool calls that change store data (apps/assistant/act.py); the trace lists them in tool_calls.
WRITE_TOOLS = ("order_cancel", "return_request_create", "exchange_request_create")
ESCALATED = ("llm", "human")
SPLITS = ("calibration", "test")

# Targets of issue 3 ("Targets") this report checks.
TARGETS = {
    "verified_order_status_correct": (">=", 0.95),
    "size_availability_correct": (">=", 0.95),
    "return_eligibility_correct": (">=", 0.95),
    "intent_accuracy": (">=", 0.90),
    "out_of_scope_answered_rate": ("<=", 0.03),
    "confidently_wrong_rate": ("<=", 0.02),
    "leaks": ("<=", 0),
    # Issue 11: dialogues (verification, cancel, item returns, exchanges, follow-ups).
    "multi_turn_success": (">=", 0.90),
    "wrong_writes": ("<=", 0),
}

# Cost model constants (stated in every report).
WORDS_TO_TOKENS = 1.33  # English text: ~0.75 words per BPE token; no tokenizer needed
LLM_FACTS_TOKENS = 150  # tool results / retrieved passage the LLM tier would be given, assumed
LLM_MIN_COMPLETION_TOKENS = 40  # a short support answer when the box gave none to measure
DEFAULT_CPU_HOUR_USD = 0.0416  # one cloud vCPU-hour (on-demand, 2025 list prices), assumed
DEFAULT_LLM_ACCURACY = 0.90  # assumed accuracy of the LLM tier on what it is sent


def eval_dir() -> Path:
    from django.conf import settings

    return Path(settings.BASE_DIR) / "eval"


# ------------------------------------------------------------------------------------------------
# Question files
# ------------------------------------------------------------------------------------------------
def questions_load(*, split: str, directory: Path | None = None) -> list[dict]:
    """The questions of one split ("calibration", "test") or of both ("all")."""
    directory = directory or eval_dir()
    names = SPLITS if split == "all" else (split,)
    rows: list[dict] = []
    for name in names:
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}: calibration, test or all")
        path = directory / f"questions_{name}.jsonl"
        with path.open(encoding="utf-8") as handle:
            rows.extend(json.loads(line) for line in handle if line.strip())
    return rows


def questions_meta(*, directory: Path | None = None) -> dict:
    return json.loads(((directory or eval_dir()) / "questions_meta.json").read_text(encoding="utf-8"))


def question_validate(row: Any) -> list[str]:
    """Schema errors of one question line (empty list when valid); README documents the schema."""
    errors: list[str] = []
    if not isinstance(row, dict):
        return ["not an object"]
    for key, kind in (("id", str), ("utterance", str), ("expected", dict), ("meta", dict)):
        if not isinstance(row.get(key), kind):
            errors.append(f"{key}: missing or not {kind.__name__}")
    if errors:
        return errors
    for turn in row.get("history") or []:
        if not isinstance(turn, dict) or turn.get("role") not in ("customer", "assistant", "agent"):
            errors.append("history: each turn needs role customer|assistant|agent")
        elif not isinstance(turn.get("text"), str):
            errors.append("history: turn text must be a string")
    if "customer" in row and not isinstance(row["customer"], dict):
        errors.append("customer: must be an object")
    exp = row["expected"]
    if exp.get("intent") not in INTENTS:
        errors.append(f"expected.intent: {exp.get('intent')!r} is not an intent")
    accept = exp.get("accept_intents")
    if not isinstance(accept, list) or not accept or any(i not in INTENTS for i in accept):
        errors.append("expected.accept_intents: non-empty list of intents")
    elif exp.get("intent") not in accept:
        errors.append("expected.accept_intents must contain expected.intent")
    routes = exp.get("routes")
    if not isinstance(routes, list) or not routes or any(r not in ROUTES for r in routes):
        errors.append("expected.routes: non-empty list of slm|llm|human|clarify")
    if not isinstance(exp.get("checks"), dict):
        errors.append("expected.checks: object keyed by intent")
    else:
        for intent, checks in exp["checks"].items():
            if intent not in INTENTS or not isinstance(checks, dict):
                errors.append(f"expected.checks.{intent}: unknown intent or not an object")
                continue
            unknown = set(checks) - CHECK_KEYS
            if unknown:
                errors.append(f"expected.checks.{intent}: unknown checks {sorted(unknown)}")
    if not isinstance(exp.get("must_not_reveal"), list):
        errors.append("expected.must_not_reveal: list of strings")
    if not isinstance(exp.get("must_clarify_or_escalate"), bool):
        errors.append("expected.must_clarify_or_escalate: bool")
    if exp.get("escalate") not in ("yes", "no", "either"):
        errors.append("expected.escalate: yes|no|either")
    if not isinstance(exp.get("intent_scored"), bool):
        errors.append("expected.intent_scored: bool")
    if "write" in exp:
        errors.extend(_write_errors(exp["write"]))
    if row["meta"].get("split") not in SPLITS or not row["meta"].get("template"):
        errors.append("meta: split and template required")
    return errors


def _write_errors(write: Any) -> list[str]:
    """``expected.write``: None (no write allowed) or the one write call the dialogue must make."""
    if write is None:
        return []
    if not isinstance(write, dict) or write.get("name") not in WRITE_TOOLS:
        return [f"expected.write: null or {{name: {'|'.join(WRITE_TOOLS)}, args}}"]
    if not isinstance(write.get("args"), dict) or not write["args"].get("order_number"):
        return ["expected.write.args: object with order_number"]
    return []


def ask_line(question: dict) -> str:
    """The ``manage.py ask`` input line for a question: labels never reach the pipeline."""
    keys = ("id", "utterance", "history", "customer", "channel")
    return json.dumps({k: question[k] for k in keys if k in question}, ensure_ascii=False)


# ------------------------------------------------------------------------------------------------
# The store the expected values were computed from
# ------------------------------------------------------------------------------------------------
def store_fingerprint_rows_db() -> list[str]:
    """Same rows as eval/build_questions.py's ``store_fingerprint_rows``, read from the database."""
    from apps.catalog.models import Variant
    from apps.orders.models import Order

    rows = []
    orders = Order.objects.select_related("customer").prefetch_related("shipments")
    for order in orders.iterator(chunk_size=500):
        tracking = sorted(t for s in order.shipments.all() for t in (s.tracking_numbers or []))
        delivered = (
            order.delivered_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if order.delivered_at else ""
        )
        rows.append(
            f"order|{order.external_id}|{order.status}|{order.customer.email.strip().lower()}|{delivered}|"
            + ",".join(tracking)
        )
    for variant in Variant.objects.select_related("product").iterator(chunk_size=2000):
        stock = "" if variant.stock is None else str(variant.stock)
        rows.append(
            f"variant|{variant.external_id}|{variant.product.external_id}|{stock}|{int(variant.available)}"
        )
    return sorted(rows)


def store_check(*, meta: dict) -> tuple[bool, str]:
    """Does the database hold the store the question set was computed from?"""
    rows = store_fingerprint_rows_db()
    digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    if digest == meta["store_fingerprint"]:
        return True, f"store matches the question set (seed {meta['seed']}, now {meta['now']})"
    orders = sum(1 for r in rows if r.startswith("order|"))
    return False, (
        f"this database does not hold the demo store the questions were computed from "
        f"({orders} orders here, fingerprint {digest[:12]} != {meta['store_fingerprint'][:12]}). "
        f"In a throwaway database run: manage.py migrate && {meta['seed_command']}"
    )


# ------------------------------------------------------------------------------------------------
# Reading claims out of an answer
# ------------------------------------------------------------------------------------------------
STATUS_RE = {
    "pending": r"\bpending\b|received and waiting|waiting to be processed|"
    r"not (?:yet )?(?:been )?(?:shipped|processed)|"
    r"hasn'?t (?:been )?(?:shipped|processed)|being processed|order (?:is )?confirmed",
    "processed": r"\bprocessed\b|being prepared|preparing|\bpacked\b|getting ready|ready to ship",
    "shipped": r"\bshipped\b|on (?:its|the) way|in transit|out for delivery|has left",
    "delivered": r"\bdelivered\b|has arrived|was dropped off",
    "cancelled": r"\bcancell?ed\b",
    "return_requested": r"return (?:has been |was )?requested|waiting for (?:your|the) return|return request|"
    r"return (?:is )?(?:open|pending|in progress)",
    "returned": r"(?<!partly )(?<!partially )\breturned\b|"
    r"return (?:was |has been )?(?:received|processed|completed)",
    "partially_returned": r"partial(?:ly)? returned|partly returned|partial return|some (?:of the )?items? "
    r"(?:were|was|have been) returned",
}
NOT_YET_DELIVERED = ("pending", "processed", "shipped")
DELIVERED_CLAIM_RE = r"\b(?:is|was|been|got) delivered\b|\bdelivered on\b"
CANCELLED_CLAIM_RE = r"\b(?:is|was|been|got) cancell?ed\b"

STOCK_NEG_RE = (
    r"out of stock|sold out|not in stock|isn'?t in stock|is not in stock|not available|unavailable|"
    r"doesn'?t come in|does not come in|(?:we )?don'?t have|do not have|none left|"
    r"no longer (?:available|made)|"
    r"not (?:currently )?stocked|isn'?t available|out in (?:that|this) size|not made in"
)
STOCK_POS_RE = r"\bin stock\b|\bavailable\b|\bwe have\b|\bhave (?:it|them)\b|\bleft\b|\byes\b"

RETURN_NEG_RE = (
    r"can'?t be returned|cannot be returned|can not be returned|not (?:be )?(?:eligible|returnable)|"
    r"isn'?t (?:eligible|returnable)|no longer (?:be )?return|"
    r"unable to (?:accept|process) (?:a |the |your )?return|"
    r"(?:window|period) (?:has )?(?:closed|expired|passed|ended)"
)
RETURN_POS_RE = (
    r"can be returned|eligible for (?:a )?return|is returnable|can (?:still )?(?:return|send)|"
    r"start the return"
)
REASON_RE = {
    "window_expired": r"window|expired|closed|\d+[- ]days?|too late|passed",
    "final_sale": r"final[- ]sale",
    "not_delivered": r"(?:hasn'?t|has not|not yet|not been|isn'?t) (?:been |yet )?delivered|"
    r"once it (?:arrives|is delivered)|"
    r"not delivered|hasn'?t arrived|not arrived",
    "already_returned": r"already|return (?:has|was) (?:already )?(?:been )?(?:requested|started|opened)|"
    r"\breturned\b",
    "cancelled": r"cancell?ed",
    "eligible": r".",
}
CANCEL_NEG_RE = (
    r"can(?:no|')?t (?:be )?cancel|can no longer|no longer be cancel|cannot cancel|too late to cancel|"
    r"unable to cancel|not possible to cancel|can'?t cancel|"
    r"already (?:been )?(?:shipped|cancell?ed|delivered)"
)
CANCEL_POS_RE = r"can cancel|shall i cancel|able to cancel|can be cancell?ed|cancel it\?|want me to cancel"
EXCHANGE_BLOCKED_RE = (
    r"can'?t be exchanged|cannot be exchanged|can not be exchanged|not (?:be )?exchangeable|"
    r"isn'?t (?:eligible|exchangeable)|not eligible for (?:an )?exchange"
)

CHECK_KEYS = {
    "status",
    "tracking",
    "order_number",
    "in_stock",
    "size_exists",
    "size",
    "color",
    "product",
    "eligible",
    "reason",
    "cancellable",
    "exchange_blocked",
    "refund_amount",
    "cite_any",
    "contains_any",
}


def _search(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.IGNORECASE) is not None


def status_claim_ok(answer: str, status: str) -> bool:
    """The answer states the true status (in any usual wording) and no contradicting one."""
    if not _search(STATUS_RE[status], answer):
        return False
    if status in NOT_YET_DELIVERED and _search(DELIVERED_CLAIM_RE, answer):
        return False
    return status == "cancelled" or not _search(CANCELLED_CLAIM_RE, answer)


def stock_claim(answer: str) -> bool | None:
    """True: says in stock; False: says out of stock / not made; None: says neither."""
    if _search(STOCK_NEG_RE, answer):
        return False
    if _search(STOCK_POS_RE, answer):
        return True
    return None


FINAL_SALE_ASIDE_RE = r"final[- ]sale items?(?: \([^)]*\))? (?:can'?t|cannot|can not) be returned[^.]*\.?"


def eligibility_claim(answer: str) -> bool | None:
    # "Good news: ... can be returned. Final-sale items can't be returned: X." is about the order.
    answer = re.sub(FINAL_SALE_ASIDE_RE, " ", answer, flags=re.IGNORECASE)
    if _search(RETURN_NEG_RE, answer):
        return False
    if _search(RETURN_POS_RE, answer):
        return True
    return None


def reason_ok(answer: str, reason: str) -> bool:
    return _search(REASON_RE.get(reason, re.escape(reason)), answer)


def cancel_claim(answer: str) -> bool | None:
    if _search(CANCEL_NEG_RE, answer):
        return False
    if _search(CANCEL_POS_RE, answer):
        return True
    return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "").lower()


def contains(answer: str, value: str) -> bool:
    """Case- and whitespace-insensitive containment (tracking numbers may be spaced out)."""
    return bool(value) and _squash(value) in _squash(answer)


def leaks_find(answer: str, protected: Iterable[str]) -> list[str]:
    return [value for value in protected if value and contains(answer, value)]


def _cited(trace: dict, wanted: Sequence[dict]) -> bool:
    have = {(c.get("kind"), str(c.get("id"))) for c in trace.get("citations") or [] if isinstance(c, dict)}
    return any((w["kind"], str(w["id"])) in have for w in wanted)


def checks_run(*, checks: dict, trace: dict) -> dict[str, bool]:
    """Each expected fact of one intent against the answer (and its citations): name -> passed."""
    answer = trace.get("answer") or ""
    out: dict[str, bool] = {}
    if "status" in checks:
        out["status"] = status_claim_ok(answer, checks["status"])
    if checks.get("tracking"):
        out["tracking"] = all(contains(answer, t) for t in checks["tracking"])
    if checks.get("order_number") and ("status" in checks or "tracking" in checks):
        number = checks["order_number"]
        out["order_number"] = contains(answer, number.lstrip("#")) or _cited(
            trace, [{"kind": "order", "id": number}]
        )
    if "in_stock" in checks:
        out["in_stock"] = stock_claim(answer) is checks["in_stock"]
        if checks.get("product"):
            out["product"] = _cited(trace, [{"kind": "product", "id": checks["product"]}])
    if "eligible" in checks:
        claim = eligibility_claim(answer)
        out["eligible"] = claim is checks["eligible"]
        if not checks["eligible"] and claim is False and checks.get("reason"):
            out["reason"] = reason_ok(answer, checks["reason"])
    if "cancellable" in checks:
        out["cancellable"] = cancel_claim(answer) is checks["cancellable"]
    if "exchange_blocked" in checks:
        out["exchange_blocked"] = _search(EXCHANGE_BLOCKED_RE, answer) is checks["exchange_blocked"]
    if "refund_amount" in checks:
        amount = checks["refund_amount"]
        out["refund_amount"] = contains(answer, amount) if amount else not _search(r"refund of \$", answer)
    if checks.get("cite_any") and trace.get("route") != "clarify":
        # A question back cites nothing; whether clarifying was acceptable is the route's check.
        out["citation"] = _cited(trace, checks["cite_any"])
    if checks.get("contains_any") and trace.get("route") != "clarify":
        out["contains"] = any(contains(answer, v) for v in checks["contains_any"])
    return out


# ------------------------------------------------------------------------------------------------
# Scoring one trace
# ------------------------------------------------------------------------------------------------
@dataclass
class Scored:
    id: str
    intent_expected: str
    intent: str
    intent_ok: bool
    intent_scored: bool
    route: str
    route_ok: bool
    checks: dict[str, bool]
    leaks: list[str]
    correct: bool
    resolved: bool  # route slm and correct
    confidently_wrong: bool  # route slm and not correct
    fact_wrong: bool  # route slm and a fact check failed or a leak
    escalated: bool
    escalate_expected: str
    must_clarify_or_escalate: bool
    answered_in_scope: bool  # must clarify/escalate, yet the box answered (route slm)
    confidence: float
    latency: dict
    tokens: dict
    family: str
    split: str
    write_expected: bool = False  # the question says which write (or none) the dialogue ends in
    write_right: bool = True
    wrong_write: bool = False  # a write went through that was not the expected one
    multi_turn: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _family(question: dict) -> str:
    """The kind of check a question is mainly about (for the target figures)."""
    exp = question["expected"]
    if "write" in exp:
        return "dialogue_write" if exp["write"] else "dialogue_no_write"
    first = exp["checks"].get(exp["intent"], {})
    if exp["must_not_reveal"]:
        return "unverified_order"
    if "status" in first:
        return "verified_order_status"
    if "in_stock" in first:
        return "size_availability"
    if "eligible" in first:
        return "return_eligibility"
    if "cancellable" in first:
        return "cancel"
    if "exchange_blocked" in first:
        return "exchange"
    if "refund_amount" in first:
        return "refund_status"
    if any(c.get("kind") == "faq" for c in first.get("cite_any", [])):
        return "faq"
    if first.get("cite_any"):
        return "product"
    if exp["must_clarify_or_escalate"]:
        return "out_of_scope_or_ambiguous"
    return exp["intent"]


def trace_score(*, question: dict, trace: dict) -> Scored:
    exp = question["expected"]
    route = trace.get("route") or "human"
    intent = trace.get("intent") or "out_of_scope"
    answer = trace.get("answer") or ""
    intent_ok = intent in exp["accept_intents"]
    route_ok = route in exp["routes"]
    checks: dict[str, bool] = {}
    if route in ("slm", "clarify") and answer and intent_ok:
        checks = checks_run(checks=exp["checks"].get(intent, {}), trace=trace)
    leaks = leaks_find(answer, exp["must_not_reveal"])
    write_right, wrong_write = True, False
    if "write" in exp:
        from apps.analytics.store_questions import write_outcome

        write_right, wrong_write = write_outcome(expected=exp["write"], trace=trace)
    correct = intent_ok and route_ok and all(checks.values()) and not leaks and write_right
    slm = route == "slm"
    return Scored(
        id=question["id"],
        intent_expected=exp["intent"],
        intent=intent,
        intent_ok=intent_ok,
        intent_scored=exp["intent_scored"],
        route=route,
        route_ok=route_ok,
        checks=checks,
        leaks=leaks,
        correct=correct,
        resolved=slm and correct,
        confidently_wrong=slm and not correct,
        fact_wrong=slm and (not all(checks.values()) or bool(leaks)),
        escalated=route in ESCALATED,
        escalate_expected=exp["escalate"],
        must_clarify_or_escalate=exp["must_clarify_or_escalate"],
        answered_in_scope=exp["must_clarify_or_escalate"] and slm,
        confidence=float(trace.get("confidence") or 0.0),
        latency=trace.get("latency_ms") or {},
        tokens=trace.get("tokens") or {},
        family=_family(question),
        split=question.get("meta", {}).get("split", ""),
        write_expected="write" in exp,
        write_right=write_right,
        wrong_write=wrong_write,
        multi_turn=bool(question.get("history")),
    )


def gate_exempt(trace: dict) -> bool:
    """What the judge never gates, whatever the threshold: the answer to a confirmation (the
    change the shopper said yes to was made: a write call succeeded) and the question back
    between two topics too close to call."""
    if trace.get("route") == "clarify" and str(trace.get("escalation_reason") or "").startswith("ambiguous:"):
        return True
    return any(
        isinstance(call, dict) and call.get("name") in WRITE_TOOLS and call.get("ok")
        for call in trace.get("tool_calls") or []
    )


def trace_gate(*, trace: dict, thresholds: dict[str, float], default: float = 0.5) -> dict:
    """The trace the judge would have produced under ``thresholds`` (LLM tier off).

    Mirrors apps.assistant.pipeline: a reply routed slm or clarify whose confidence is below its
    intent's threshold escalates; with the LLM tier off that is route "llm" with an empty answer.
    A confirmed change is not gated (``gate_exempt``).
    """
    if gate_exempt(trace):
        return trace
    route = trace.get("route")
    threshold = thresholds.get(trace.get("intent"), default)
    confidence = float(trace.get("confidence") or 0.0)
    if route in ("slm", "clarify") and confidence < threshold:
        gated = dict(trace)
        gated.update(
            route="llm",
            answer="",
            escalation_reason=f"low_confidence: {confidence:.2f} < {threshold:.2f} for {trace.get('intent')}",
        )
        return gated
    return trace


# ------------------------------------------------------------------------------------------------
# Aggregates
# ------------------------------------------------------------------------------------------------
def _rate(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in [0, 100])."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo), 1)


def escalation_pr(scored: Sequence[Scored]) -> dict:
    """Precision and recall of escalation (llm or human) against what each question expects.

    Questions expecting "either" (ambiguous ones, unverified order questions) are left out.
    """
    tp = sum(1 for s in scored if s.escalated and s.escalate_expected == "yes")
    fp = sum(1 for s in scored if s.escalated and s.escalate_expected == "no")
    fn = sum(1 for s in scored if not s.escalated and s.escalate_expected == "yes")
    return {"tp": tp, "fp": fp, "fn": fn, "precision": _rate(tp, tp + fp), "recall": _rate(tp, tp + fn)}


def metrics_compute(scored: Sequence[Scored]) -> dict:
    n = len(scored)
    routes = Counter(s.route for s in scored)
    intent_items = [s for s in scored if s.intent_scored]
    per_intent: dict[str, dict] = {}
    for intent in INTENTS:
        items = [s for s in scored if s.intent_expected == intent]
        if not items:
            continue
        scored_items = [s for s in items if s.intent_scored]
        per_intent[intent] = {
            "n": len(items),
            "intent_accuracy": _rate(sum(s.intent_ok for s in scored_items), len(scored_items)),
            "correct": _rate(sum(s.correct for s in items), len(items)),
            "resolved_by_slm": _rate(sum(s.resolved for s in items), len(items)),
            "confidently_wrong": _rate(sum(s.confidently_wrong for s in items), len(items)),
            "escalated": _rate(sum(s.escalated for s in items), len(items)),
            "clarify": _rate(sum(s.route == "clarify" for s in items), len(items)),
        }
    families: dict[str, dict] = {}
    for family in sorted({s.family for s in scored}):
        items = [s for s in scored if s.family == family]
        families[family] = {
            "n": len(items),
            "correct": _rate(sum(s.correct for s in items), len(items)),
            "resolved_by_slm": _rate(sum(s.resolved for s in items), len(items)),
            "confidently_wrong": _rate(sum(s.confidently_wrong for s in items), len(items)),
        }
    failed = Counter(name for s in scored if s.route == "slm" for name, ok in s.checks.items() if not ok)
    wrong_why = Counter()
    for s in scored:
        if s.confidently_wrong:
            if s.leaks:
                wrong_why["leak"] += 1
            elif not s.intent_ok:
                wrong_why["intent"] += 1
            elif not s.route_ok:
                wrong_why["should_not_answer"] += 1
            else:
                wrong_why["fact:" + ",".join(k for k, v in s.checks.items() if not v)] += 1
    moc = [s for s in scored if s.must_clarify_or_escalate]
    lat = {
        key: {
            "p50": percentile([s.latency.get(key, 0) for s in scored], 50),
            "p95": percentile([s.latency.get(key, 0) for s in scored], 95),
        }
        for key in ("understand", "first_token", "total")
    }
    tokens = {
        key: sum(int(s.tokens.get(key, 0) or 0) for s in scored)
        for key in ("slm_prompt", "slm_prompt_cached", "slm_completion", "llm_prompt", "llm_completion")
    }
    family_correct = {f: v["correct"] for f, v in families.items()}
    dialogues = [s for s in scored if s.multi_turn]
    return {
        "n": n,
        "routes": {r: routes.get(r, 0) for r in ROUTES},
        "resolution_rate": _rate(sum(s.resolved for s in scored), n),
        "confidently_wrong_rate": _rate(sum(s.confidently_wrong for s in scored), n),
        "fact_wrong_rate": _rate(sum(s.fact_wrong for s in scored), n),
        "correct_handling_rate": _rate(sum(s.correct for s in scored), n),
        "escalation_rate": _rate(sum(s.escalated for s in scored), n),
        "escalation": escalation_pr(scored),
        "clarify_rate": _rate(routes.get("clarify", 0), n),
        "leaks": sum(len(s.leaks) for s in scored),
        "leaking_questions": [s.id for s in scored if s.leaks],
        "intent_accuracy": _rate(sum(s.intent_ok for s in intent_items), len(intent_items)),
        "out_of_scope_answered_rate": _rate(sum(s.answered_in_scope for s in moc), len(moc)),
        "verified_order_status_correct": family_correct.get("verified_order_status"),
        "size_availability_correct": family_correct.get("size_availability"),
        "return_eligibility_correct": family_correct.get("return_eligibility"),
        "multi_turn_success": _rate(sum(s.correct for s in dialogues), len(dialogues)) if dialogues else None,
        "wrong_writes": sum(s.wrong_write for s in scored),
        "writes_right": _rate(
            sum(s.write_right for s in scored if s.write_expected), sum(s.write_expected for s in scored)
        )
        if any(s.write_expected for s in scored)
        else None,
        "per_intent": per_intent,
        "per_family": families,
        "failed_checks_on_sent_answers": dict(failed.most_common()),
        "confidently_wrong_why": dict(wrong_why.most_common()),
        "latency_ms": lat,
        "tokens": tokens,
        "tokens_per_question": {k: round(v / n, 1) if n else None for k, v in tokens.items()},
    }


def targets_check(metrics: dict) -> dict[str, dict]:
    out = {}
    for name, (op, bound) in TARGETS.items():
        value = metrics.get(name)
        ok = None if value is None else (value >= bound if op == ">=" else value <= bound)
        out[name] = {"value": value, "target": f"{op} {bound}", "met": ok}
    return out


# ------------------------------------------------------------------------------------------------
# Risk-coverage, cost/quality, calibration
# ------------------------------------------------------------------------------------------------
def risk_coverage(*, confidences: Sequence[float], correct: Sequence[bool]) -> dict:
    """Risk-coverage curve of a confidence score and its area (AURC, lower is better).

    Answers are accepted from the most confident down; risk at coverage k/n is the error rate of
    the k accepted. Tied confidences cannot be separated by a threshold, so every member of a tie
    gets the risk at the end of its tie group. AURC is the mean risk over k = 1..n.
    """
    n = len(confidences)
    if n == 0:
        return {"coverage": [], "risk": [], "aurc": None, "optimal_aurc": None, "e_aurc": None}
    order = sorted(range(n), key=lambda i: -confidences[i])
    errors = 0
    risks = [0.0] * n
    k = 0
    while k < n:
        j = k
        while j + 1 < n and confidences[order[j + 1]] == confidences[order[k]]:
            j += 1
        for m in range(k, j + 1):
            errors += 0 if correct[order[m]] else 1
        for m in range(k, j + 1):
            risks[m] = errors / (j + 1)
        k = j + 1
    coverage = [(i + 1) / n for i in range(n)]
    aurc = sum(risks) / n
    # The best possible ordering (all correct answers first) for the same error count.
    wrong = sum(1 for c in correct if not c)
    right = n - wrong
    optimal = sum(max(0, i + 1 - right) / (i + 1) for i in range(n)) / n
    return {
        "coverage": [round(c, 4) for c in coverage],
        "risk": [round(r, 4) for r in risks],
        "aurc": round(aurc, 5),
        "optimal_aurc": round(optimal, 5),
        "e_aurc": round(aurc - optimal, 5),
    }


def llm_tokens_estimate(*, question: dict, trace: dict) -> tuple[int, int]:
    """Tokens the same question would cost on the LLM tier, by a tokenizer-free word estimate.

    prompt ≈ 1.33 × words(system prompt + conversation) + LLM_FACTS_TOKENS for the tool results;
    completion ≈ 1.33 × words(the box's answer), at least LLM_MIN_COMPLETION_TOKENS.
    """
    from apps.assistant.prompts import LLM_SYSTEM

    words = len(LLM_SYSTEM.split()) + len((question.get("utterance") or "").split())
    words += sum(len((t.get("text") or "").split()) for t in question.get("history") or [])
    prompt = round(words * WORDS_TO_TOKENS) + LLM_FACTS_TOKENS
    completion = max(
        LLM_MIN_COMPLETION_TOKENS, round(len((trace.get("answer") or "").split()) * WORDS_TO_TOKENS)
    )
    return prompt, completion


def cost_compute(
    *,
    questions: Sequence[dict],
    traces_ungated: Sequence[dict],
    traces_gated: Sequence[dict],
    price_prompt: float,
    price_completion: float,
    cpu_hour_usd: float,
    cores: float,
) -> dict:
    """Local compute versus the same traffic on the LLM tier (USD, and per 1,000 questions)."""
    n = len(questions)
    llm_prompt = llm_completion = 0
    per_question = []
    for q, t in zip(questions, traces_ungated, strict=True):
        p, c = llm_tokens_estimate(question=q, trace=t)
        per_question.append((p, c))
        llm_prompt += p
        llm_completion += c
    llm_only = (llm_prompt * price_prompt + llm_completion * price_completion) / 1e6
    seconds = sum((t.get("latency_ms") or {}).get("total", 0) for t in traces_gated) / 1000
    local = seconds * cores / 3600 * cpu_hour_usd
    escalated_cost = sum(
        (p * price_prompt + c * price_completion) / 1e6
        for (p, c), t in zip(per_question, traces_gated, strict=True)
        if t.get("route") == "llm"
    )
    hybrid = local + escalated_cost
    per_k = (lambda v: round(v / n * 1000, 4)) if n else (lambda v: None)
    return {
        "method": (
            "LLM tokens estimated without a tokenizer: 1.33 tokens per word of the LLM tier's system prompt "
            f"and the conversation, plus {LLM_FACTS_TOKENS} tokens of tool results; "
            f"completion = 1.33 × words of the box's answer (min {LLM_MIN_COMPLETION_TOKENS}). "
            f"Local compute = wall time × {cores:g} cores × "
            f"${cpu_hour_usd}/vCPU-hour (assumed)."
        ),
        "prices_per_mtok": {"prompt": price_prompt, "completion": price_completion},
        "llm_only": {
            "prompt_tokens": llm_prompt,
            "completion_tokens": llm_completion,
            "usd": round(llm_only, 6),
        },
        "local": {"cpu_seconds": round(seconds * cores, 1), "usd": round(local, 6)},
        "hybrid": {"usd": round(hybrid, 6), "escalated_to_llm_usd": round(escalated_cost, 6)},
        "per_1000_questions_usd": {
            "llm_only": per_k(llm_only),
            "local_only": per_k(local),
            "hybrid": per_k(hybrid),
        },
        "saved_vs_llm_only": _rate(llm_only - hybrid, llm_only) if llm_only else None,
    }


def cost_quality_curve(
    *,
    questions: Sequence[dict],
    traces_ungated: Sequence[dict],
    llm_accuracy: float,
    price_prompt: float,
    price_completion: float,
    thresholds: Iterable[float] | None = None,
) -> list[dict]:
    """Quality versus the share of traffic sent to the LLM, one global threshold per point.

    Quality: share of questions handled correctly, counting a question the threshold sends to the
    LLM tier (or that the box already sends there) as right with probability ``llm_accuracy``.
    """
    n = len(questions)
    grid = sorted(set(thresholds) if thresholds is not None else {round(i / 50, 2) for i in range(51)})
    llm_cost = [
        (p * price_prompt + c * price_completion) / 1e6
        for p, c in (
            llm_tokens_estimate(question=q, trace=t) for q, t in zip(questions, traces_ungated, strict=True)
        )
    ]
    points = []
    for t in grid:
        quality = 0.0
        to_llm = 0
        cost = 0.0
        wrong = 0
        for i, (q, trace) in enumerate(zip(questions, traces_ungated, strict=True)):
            gated = trace_gate(trace=trace, thresholds={}, default=t)
            if gated.get("route") == "llm":
                to_llm += 1
                quality += llm_accuracy
                cost += llm_cost[i]
            else:
                s = trace_score(question=q, trace=gated)
                quality += 1.0 if s.correct else 0.0
                wrong += 1 if s.confidently_wrong else 0
        points.append(
            {
                "threshold": t,
                "share_to_llm": round(to_llm / n, 4) if n else None,
                "quality": round(quality / n, 4) if n else None,
                "confidently_wrong_rate": round(wrong / n, 4) if n else None,
                "llm_usd": round(cost, 6),
            }
        )
    return points


@dataclass
class Choice:
    threshold: float
    resolved: int
    wrong: int
    kept: int
    moved: float = 0.0  # distance from the intent's prior threshold


def _intent_choices(items: Sequence[tuple[float, bool, bool, str]], prior: float) -> list[Choice]:
    """Candidate thresholds for one intent: 0, its distinct confidences and the midpoints between
    them, the prior, 1. Of the candidates with the same (resolved, wrong) counts only the one
    nearest the prior is kept: the data moves a threshold only as far as it buys something."""
    confs = sorted({c for c, _, _, _ in items})
    midpoints = [round((a + b) / 2, 4) for a, b in zip(confs, confs[1:], strict=False)]
    candidates = [0.0, prior, 1.0, *confs, *midpoints]
    best: dict[tuple[int, int], Choice] = {}
    for t in sorted(set(candidates)):
        kept = [(c, ok, slm) for c, ok, slm, _ in items if c >= t]
        choice = Choice(
            threshold=t,
            resolved=sum(1 for _, ok, slm in kept if slm and ok),
            wrong=sum(1 for _, ok, slm in kept if slm and not ok),
            kept=len(kept),
            moved=abs(t - prior),
        )
        key = (choice.resolved, choice.wrong)
        if key not in best or choice.moved < best[key].moved:
            best[key] = choice
    return sorted(best.values(), key=lambda c: c.threshold)


CALIBRATION_CONFIDENCE = 0.9


def wrong_cost_for(target: float) -> float:
    """What one confidently-wrong answer costs, in right answers, when thresholds are chosen: an
    answer is worth sending only where answers are right at least 1 - target of the time. Counting
    only what the box resolves, the search spent the whole wrong budget: it lowered the demo's
    exchange threshold from 0.45 to 0.29 for one more right answer and one more wrong one, and the
    held-out split then showed 2.6% wrong against the calibration split's 1.0%. The budget stays a
    ceiling; this keeps it from being an allowance."""
    return (1 - target) / target if target > 0 else float("inf")


def wrong_budget(*, n: int, target: float, confidence: float | None = CALIBRATION_CONFIDENCE) -> int:
    """How many confidently-wrong answers n calibration questions may show for the rate on new
    questions to stay ≤ target.

    ``confidence=None``: the point estimate, floor(target × n). Otherwise the largest w whose
    one-sided Clopper-Pearson upper bound is ≤ target, i.e. P(X ≤ w | n, target) ≤ 1 - confidence:
    had the true rate been the target, so few wrong answers would be unlikely. Thresholds that
    spend the point budget exactly are fitted to the calibration questions' own luck (measured on
    the demo: 1.4% on calibration, 3.0% on the held-out split with the same thresholds).
    """
    if confidence is None:
        return math.floor(target * n + 1e-9)
    if not 0 < confidence < 1:
        raise ValueError("confidence must be in (0, 1)")
    if target <= 0:
        return 0
    alpha, budget, cdf = 1 - confidence, 0, 0.0
    for w in range(n + 1):
        log_pmf = (
            math.lgamma(n + 1)
            - math.lgamma(w + 1)
            - math.lgamma(n - w + 1)
            + w * math.log(target)
            + (n - w) * math.log1p(-target)
        )
        cdf += math.exp(log_pmf)
        if cdf > alpha:
            break
        budget = w
    return budget


def thresholds_calibrate(
    *,
    questions: Sequence[dict],
    traces_ungated: Sequence[dict],
    target: float,
    current: dict[str, float],
    confidence: float | None = CALIBRATION_CONFIDENCE,
    prior: dict[str, float] | None = None,
    wrong_cost: float | None = None,
) -> dict:
    """Per-intent thresholds that maximise what the SLM resolves less ``wrong_cost`` (default
    ``wrong_cost_for(target)``) per confidently-wrong answer, with confidently-wrong ≤ target overall.

    Exact: a multiple-choice knapsack over the intents (dynamic programming on the count of
    confidently-wrong answers allowed, ``wrong_budget``). Ties: fewer wrong answers, then the
    thresholds nearest ``prior`` (the shipped defaults): a threshold moves only as far as the
    calibration questions show a gain, never to 0 because no wrong answer happened to fall below
    it. Intents whose questions never reach the judge's gate (no slm/clarify trace) keep their
    current threshold.
    """
    prior = DEFAULT_THRESHOLDS if prior is None else prior
    n = len(questions)
    budget = wrong_budget(n=n, target=target, confidence=confidence)
    by_intent: dict[str, list[tuple[float, bool, bool, str]]] = defaultdict(list)
    for q, trace in zip(questions, traces_ungated, strict=True):
        if trace.get("route") not in ("slm", "clarify") or gate_exempt(trace):
            continue  # no threshold changes what happens to these
        s = trace_score(question=q, trace=trace)
        by_intent[trace.get("intent")].append((s.confidence, s.correct, s.route == "slm", q["id"]))
    options = {
        intent: _intent_choices(items, prior.get(intent, current.get(intent, 0.5)))
        for intent, items in sorted(by_intent.items())
    }
    # dp[w] = (resolved, choices) best over the intents so far with exactly w wrong answers.
    dp: dict[int, tuple[int, list[Choice]]] = {0: (0, [])}
    for choices in options.values():
        nxt: dict[int, tuple[int, list[Choice]]] = {}
        for w, (res, chosen) in dp.items():
            for ch in choices:
                w2 = w + ch.wrong
                if w2 > budget:
                    continue
                cand = (res + ch.resolved, chosen + [ch])
                best = nxt.get(w2)
                if (
                    best is None
                    or cand[0] > best[0]
                    or (cand[0] == best[0] and sum(c.moved for c in cand[1]) < sum(c.moved for c in best[1]))
                ):
                    nxt[w2] = cand
        dp = nxt
    if not dp:
        raise ValueError("no feasible thresholds")  # cannot happen: threshold 1.0 keeps ≤ slm at 1.0
    cost = wrong_cost_for(target) if wrong_cost is None else wrong_cost
    best_w = max(dp, key=lambda w: (dp[w][0] - cost * w, -w))
    resolved, chosen = dp[best_w]
    thresholds = dict(current)
    detail = {}
    for (intent, _choices), ch in zip(options.items(), chosen, strict=True):
        items = by_intent[intent]
        before = current.get(intent, 0.5)
        baseline = Choice(
            threshold=before,
            resolved=sum(1 for c, ok, slm, _ in items if c >= before and slm and ok),
            wrong=sum(1 for c, ok, slm, _ in items if c >= before and slm and not ok),
            kept=sum(1 for c, _, _, _ in items if c >= before),
        )
        thresholds[intent] = ch.threshold
        detail[intent] = {
            "n": len(by_intent[intent]),
            "before": {
                "threshold": current.get(intent),
                "resolved": baseline.resolved,
                "wrong": baseline.wrong,
            },
            "after": {"threshold": ch.threshold, "resolved": ch.resolved, "wrong": ch.wrong},
        }
    return {
        "target": target,
        "confidence": confidence,
        "n": n,
        "wrong_budget": budget,
        "resolved": resolved,
        "wrong": best_w,
        "thresholds": thresholds,
        "per_intent": detail,
    }


# ------------------------------------------------------------------------------------------------
# Running the set through the ask machinery
# ------------------------------------------------------------------------------------------------
def meta_now(meta: dict) -> datetime:
    moment = datetime.fromisoformat(meta["now"])
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@contextlib.contextmanager
def eval_environment(*, ungated: bool, clock: datetime | None) -> Iterator[None]:
    """Thresholds at 0 (the gate is applied afterwards, here) and the store's reference clock.

    The clock is frozen at the ``--now`` the demo store was seeded with, so return windows and
    "days left" are the ones the expected values were computed for, whatever today's date.
    """
    from unittest import mock

    from apps.assistant import judge

    with contextlib.ExitStack() as stack:
        if ungated:
            stack.enter_context(mock.patch.object(judge, "threshold_for", return_value=0.0))
        if clock is not None:
            stack.enter_context(mock.patch("django.utils.timezone.now", return_value=clock))
        yield


def current_thresholds() -> dict[str, float]:
    from apps.assistant.judge import threshold_for

    return {intent: threshold_for(intent) for intent in INTENTS}


def run_questions(
    *,
    questions: Sequence[dict],
    workers: int = 1,
    no_llm: bool = True,
    progress: Any = None,
    sink: Any = None,
) -> list[dict]:
    """Traces for the questions, in order, from the code ``manage.py ask`` runs.

    ``sink(trace)`` is called as each trace arrives (the command appends it to a file, so an
    interrupted run can be resumed).
    """
    from django.db import connections

    from apps.assistant.management.commands import ask
    from apps.assistant.warmup import warm_up

    ask._index_refresh()
    lines = [(i, ask_line(q), no_llm) for i, q in enumerate(questions, start=1)]
    traces: list[dict] = []
    try:
        if workers <= 1 or len(lines) <= 1:
            warm_up()
            for item in lines:
                traces.append(json.loads(ask._worker_run(item)))
                if sink:
                    sink(traces[-1])
                if progress:
                    progress(len(traces), len(lines))
        else:
            import multiprocessing

            connections.close_all()  # never share a connection across fork
            context = multiprocessing.get_context("fork")
            with context.Pool(processes=workers, initializer=ask._worker_init) as pool:
                for text in pool.imap(ask._worker_run, lines, chunksize=1):
                    traces.append(json.loads(text))
                    if sink:
                        sink(traces[-1])
                    if progress:
                        progress(len(traces), len(lines))
    finally:
        ask._backend_close()
    return traces


def external_questions(*, path: Path, limit: int | None = None) -> list[dict]:
    """/work/shared/datasets-style rows (utterance, intent) as intent-only questions."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("intent") not in INTENTS:
                continue
            rows.append(
                {
                    "id": f"ext-{i:04d}",
                    "utterance": item["utterance"],
                    "channel": "widget",
                    "expected": {
                        "intent": item["intent"],
                        "mapping_confidence": item.get("mapping_confidence"),
                    },
                }
            )
    return rows[:limit] if limit else rows


def external_report(*, questions: Sequence[dict], traces: Sequence[dict]) -> dict:
    total = Counter()
    right = Counter()
    by_conf = Counter()
    by_conf_right = Counter()
    confusion: Counter = Counter()
    for q, t in zip(questions, traces, strict=True):
        want = q["expected"]["intent"]
        got = t.get("intent")
        total[want] += 1
        conf = q["expected"].get("mapping_confidence") or "unknown"
        by_conf[conf] += 1
        if got == want:
            right[want] += 1
            by_conf_right[conf] += 1
        else:
            confusion[f"{want} -> {got}"] += 1
    n = sum(total.values())
    return {
        "n": n,
        "intent_accuracy": _rate(sum(right.values()), n),
        "by_mapping_confidence": {k: _rate(by_conf_right[k], v) for k, v in sorted(by_conf.items())},
        "per_intent": {k: {"n": v, "accuracy": _rate(right[k], v)} for k, v in sorted(total.items())},
        "top_confusions": dict(confusion.most_common(10)),
    }


# ------------------------------------------------------------------------------------------------
# Chart
# ------------------------------------------------------------------------------------------------
def chart_write(*, report: dict, path: Path) -> None:
    """PNG: cost/quality curve (quality vs share sent to the LLM) and the risk-coverage curve."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    curve = report["cost_quality_curve"]
    left.plot(
        [p["share_to_llm"] for p in curve],
        [p["quality"] for p in curve],
        "-o",
        ms=2.5,
        label="global threshold sweep",
    )
    deployed = report["deployed_point"]
    left.plot(
        [deployed["share_to_llm"]], [deployed["quality"]], "r*", ms=12, label="stored per-intent thresholds"
    )
    acc = report["assumptions"]["llm_accuracy"]
    left.plot([1.0], [acc], "ks", ms=7, label=f"LLM only (assumed {acc:.0%})")
    left.set_xlabel("share of questions sent to the LLM tier")
    left.set_ylabel("questions handled correctly")
    left.set_title("Cost/quality (RouteLLM/FrugalGPT style)")
    left.grid(alpha=0.3)
    left.legend(fontsize=8, loc="lower right")
    rc = report["risk_coverage"]
    right.plot(rc["coverage"], rc["risk"], "-", label=f"confidence (AURC {rc['aurc']})")
    right.set_xlabel("coverage (share of box answers kept)")
    right.set_ylabel("risk (error rate of kept answers)")
    right.set_title(f"Risk-coverage, n={len(rc['coverage'])} SLM answers (optimal AURC {rc['optimal_aurc']})")
    right.grid(alpha=0.3)
    right.legend(fontsize=8)
    fig.suptitle(f"Supportbot evaluation: split {report['split']}, {report['n']} questions", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
