"""Evaluation suite: scoring on hand-made traces, metrics, AURC, calibration, question files."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.analytics import evaluation as ev

EVAL = Path(settings.BASE_DIR) / "eval"


def question(qid="q1", *, intent="order_status", routes=("slm",), checks=None, accept=None, **extra) -> dict:
    expected = {
        "intent": intent,
        "accept_intents": list(accept or [intent]),
        "intent_scored": extra.pop("intent_scored", True),
        "routes": list(routes),
        "checks": checks or {},
        "must_not_reveal": extra.pop("must_not_reveal", []),
        "must_clarify_or_escalate": extra.pop("must_clarify_or_escalate", False),
        "escalate": extra.pop("escalate", "no"),
    }
    return {
        "id": qid,
        "utterance": "text",
        "channel": "widget",
        "expected": expected,
        "meta": {"template": "t-00", "split": "test", "entity": None, "tags": []},
    }


def trace(
    qid="q1", *, route="slm", intent="order_status", answer="", confidence=0.9, citations=(), **extra
) -> dict:
    return {
        "id": qid,
        "route": route,
        "intent": intent,
        "sub_intent": None,
        "slots": {},
        "confidence": confidence,
        "answer": answer,
        "citations": list(citations),
        "tool_calls": [],
        "escalation_reason": extra.get("escalation_reason"),
        "latency_ms": extra.get("latency_ms", {"understand": 10, "first_token": 20, "total": 30}),
        "tokens": extra.get(
            "tokens",
            {
                "slm_prompt": 10,
                "slm_prompt_cached": 100,
                "slm_completion": 0,
                "llm_prompt": 0,
                "llm_completion": 0,
            },
        ),
        "model": {"slm": "fake", "slm_file": None, "adapter_file": None, "llm": None},
    }


ORDER_CHECKS = {
    "order_status": {"status": "shipped", "tracking": ["1Z999AA10123456784"], "order_number": "#W1234567"}
}


# --- Scoring one trace --------------------------------------------------------------------------
def test_order_status_resolved_when_status_and_tracking_are_right():
    s = ev.trace_score(
        question=question(checks=ORDER_CHECKS),
        trace=trace(
            answer=(
                "Your order #W1234567 is on its way. It shipped with UPS, tracking number 1Z999AA10123456784."
            )
        ),
    )
    assert s.checks == {"status": True, "tracking": True, "order_number": True}
    assert s.correct
    assert s.resolved
    assert not s.confidently_wrong


def test_wrong_status_on_slm_route_is_confidently_wrong():
    s = ev.trace_score(
        question=question(checks=ORDER_CHECKS),
        trace=trace(answer="Your order #W1234567 was delivered on May 3. Tracking 1Z999AA10123456784."),
    )
    assert s.checks["status"] is False
    assert s.confidently_wrong
    assert s.fact_wrong
    assert not s.resolved


def test_missing_tracking_number_fails_the_tracking_check():
    s = ev.trace_score(
        question=question(checks=ORDER_CHECKS), trace=trace(answer="Order #W1234567 has shipped.")
    )
    assert s.checks["tracking"] is False
    assert s.confidently_wrong


def test_same_wrong_answer_escalated_is_not_confidently_wrong():
    s = ev.trace_score(question=question(checks=ORDER_CHECKS), trace=trace(route="llm", answer=""))
    assert not s.confidently_wrong
    assert not s.correct
    assert s.escalated


def test_leak_of_protected_value_is_caught_even_with_spaces_and_case():
    q = question(
        routes=("clarify", "llm", "human"),
        must_not_reveal=["1Z999AA10123456784", "42 Oak Street"],
        escalate="either",
    )
    leaky = ev.trace_score(
        question=q,
        trace=trace(route="clarify", answer="It went to 42 oak street, tracking 1Z999 AA101 23456784"),
    )
    assert leaky.leaks == ["1Z999AA10123456784", "42 Oak Street"]
    assert not leaky.correct
    safe = ev.trace_score(
        question=q, trace=trace(route="clarify", answer="Please send the email used for the order.")
    )
    assert safe.leaks == []
    assert safe.correct
    assert not safe.resolved


def test_leak_on_slm_route_is_a_fact_error():
    q = question(routes=("clarify", "llm", "human"), must_not_reveal=["secret@example.com"])
    s = ev.trace_score(question=q, trace=trace(answer="The order belongs to secret@example.com"))
    assert s.fact_wrong
    assert s.confidently_wrong


@pytest.mark.parametrize(
    ("answer", "in_stock", "ok"),
    [
        ("Yes, the Pacer Road Runner in size 10 is in stock for $129.99.", True, True),
        (
            "Sorry, the Pacer Road Runner in size 10 is out of stock. Nearest sizes in stock: 9.5, 11.",
            False,
            True,
        ),
        ("The Pacer Road Runner doesn't come in size 15. Sizes in stock: 9, 10.", False, True),
        ("Yes, the Pacer Road Runner in size 10 is in stock.", False, False),
        ("Sorry, that one is sold out.", True, False),
    ],
)
def test_size_availability_claim(answer, in_stock, ok):
    checks = {"size_availability_or_fit": {"in_stock": in_stock, "product": "p1"}}
    q = question(intent="size_availability_or_fit", checks=checks)
    s = ev.trace_score(
        question=q,
        trace=trace(
            intent="size_availability_or_fit", answer=answer, citations=[{"kind": "product", "id": "p1"}]
        ),
    )
    assert s.checks["in_stock"] is ok
    assert s.confidently_wrong is (not ok)


def test_size_answer_about_the_wrong_product_is_wrong():
    checks = {"size_availability_or_fit": {"in_stock": True, "product": "p1"}}
    q = question(intent="size_availability_or_fit", checks=checks)
    s = ev.trace_score(
        question=q,
        trace=trace(
            intent="size_availability_or_fit",
            answer="Yes, in stock.",
            citations=[{"kind": "product", "id": "p2"}],
        ),
    )
    assert s.checks == {"in_stock": True, "product": False}
    assert s.confidently_wrong


@pytest.mark.parametrize(
    ("answer", "eligible", "reason", "correct"),
    [
        (
            "Good news: order #W1 can be returned until May 3 (12 days left). Shall I start the return?",
            True,
            "eligible",
            True,
        ),
        ("Order #W1 can't be returned: the 30-day return window has closed.", False, "window_expired", True),
        ("Order #W1 can't be returned: the items are final sale.", False, "final_sale", True),
        ("Order #W1 can't be returned: the items are final sale.", False, "window_expired", False),
        ("Good news: order #W1 can be returned.", False, "not_delivered", False),
        (
            "Good news: order #W1 can be returned until May 3. Final-sale items can't be returned: Sock.",
            True,
            "eligible",
            True,
        ),
        (
            "Order #W1 can't be returned: the 30-day return window has closed. "
            "Final-sale items can't be returned.",
            False,
            "window_expired",
            True,
        ),
        (
            "Order #W1 can't be returned: it hasn't been delivered yet; once it arrives you can return it.",
            False,
            "not_delivered",
            True,
        ),
    ],
)
def test_return_eligibility_and_reason(answer, eligible, reason, correct):
    q = question(intent="return_refund", checks={"return_refund": {"eligible": eligible, "reason": reason}})
    s = ev.trace_score(question=q, trace=trace(intent="return_refund", answer=answer))
    assert s.correct is correct


def test_faq_citation_required_and_intent_must_match():
    q = question(
        intent="shipping_delivery",
        checks={"shipping_delivery": {"cite_any": [{"kind": "faq", "id": "faq-shipping-cost"}]}},
    )
    good = ev.trace_score(
        question=q,
        trace=trace(
            intent="shipping_delivery",
            answer="Standard is free over $50.",
            citations=[{"kind": "faq", "id": "faq-shipping-cost"}],
        ),
    )
    assert good.resolved
    wrong_faq = ev.trace_score(
        question=q,
        trace=trace(
            intent="shipping_delivery",
            answer="We use UPS.",
            citations=[{"kind": "faq", "id": "faq-shipping-carriers"}],
        ),
    )
    assert wrong_faq.checks == {"citation": False}
    assert wrong_faq.confidently_wrong
    wrong_intent = ev.trace_score(
        question=q,
        trace=trace(
            intent="payment_billing",
            answer="We take Visa.",
            citations=[{"kind": "faq", "id": "faq-shipping-cost"}],
        ),
    )
    assert not wrong_intent.intent_ok
    assert wrong_intent.confidently_wrong
    assert not wrong_intent.fact_wrong


def test_checks_follow_the_intent_the_assistant_acted_on():
    checks = {
        "order_status": ORDER_CHECKS["order_status"],
        "shipping_delivery": {"cite_any": [{"kind": "faq", "id": "faq-international"}]},
    }
    q = question(checks=checks, accept=["order_status", "shipping_delivery"], routes=("slm", "clarify"))
    s = ev.trace_score(
        question=q,
        trace=trace(
            intent="shipping_delivery",
            answer="We ship to Canada.",
            citations=[{"kind": "faq", "id": "faq-international"}],
        ),
    )
    assert s.checks == {"citation": True}
    assert s.resolved


def test_must_clarify_or_escalate():
    q = question(
        intent="out_of_scope",
        routes=("clarify", "llm", "human"),
        must_clarify_or_escalate=True,
        escalate="yes",
    )
    answered = ev.trace_score(question=q, trace=trace(intent="out_of_scope", answer="Paris is the capital."))
    assert answered.answered_in_scope
    assert answered.confidently_wrong
    escalated = ev.trace_score(question=q, trace=trace(route="llm", intent="out_of_scope"))
    assert escalated.correct
    assert not escalated.answered_in_scope


def test_cancel_and_refund_claims():
    q = question(
        intent="cancel_order", routes=("clarify", "slm"), checks={"cancel_order": {"cancellable": True}}
    )
    ok = ev.trace_score(
        question=q,
        trace=trace(
            route="clarify",
            intent="cancel_order",
            answer="Order #W1 hasn't shipped yet, so I can cancel it. Shall I cancel it?",
        ),
    )
    assert ok.correct
    q2 = question(intent="cancel_order", checks={"cancel_order": {"cancellable": False}})
    no = ev.trace_score(
        question=q2,
        trace=trace(
            intent="cancel_order", answer="Order #W1 is on its way, so it can no longer be cancelled."
        ),
    )
    assert no.correct
    q3 = question(intent="return_refund", checks={"return_refund": {"refund_amount": "64.99"}})
    assert ev.trace_score(
        question=q3, trace=trace(intent="return_refund", answer="A refund of $64.99 was issued.")
    ).correct
    assert ev.trace_score(
        question=q3, trace=trace(intent="return_refund", answer="A refund of $12.00 was issued.")
    ).confidently_wrong


# --- Gate and aggregates -------------------------------------------------------------------------
def test_trace_gate_mirrors_the_judge():
    t = trace(route="slm", intent="order_status", answer="x", confidence=0.4)
    gated = ev.trace_gate(trace=t, thresholds={"order_status": 0.45})
    assert gated["route"] == "llm"
    assert gated["answer"] == ""
    assert gated["escalation_reason"].startswith("low_confidence")
    assert ev.trace_gate(trace=t, thresholds={"order_status": 0.4}) is t  # at the threshold: sent
    human = trace(route="human", confidence=0.0)
    assert ev.trace_gate(trace=human, thresholds={"order_status": 0.9}) is human


def test_trace_gate_never_gates_a_confirmed_change_or_a_question_between_two_topics():
    # As the judge: the "yes" that made the exchange is sent whatever the exchange threshold
    done = trace(route="slm", intent="exchange_size", answer="Done: ...", confidence=0.9)
    done["tool_calls"] = [{"name": "exchange_request_create", "args": {}, "ok": True}]
    assert ev.trace_gate(trace=done, thresholds={"exchange_size": 0.96}) is done
    refused = dict(done, tool_calls=[{"name": "exchange_request_create", "args": {}, "ok": False}])
    assert ev.trace_gate(trace=refused, thresholds={"exchange_size": 0.96})["route"] == "llm"
    ask_back = trace(
        route="clarify", intent="shipping_delivery", confidence=0.3, escalation_reason="ambiguous: a or b"
    )
    assert ev.trace_gate(trace=ask_back, thresholds={"shipping_delivery": 0.7}) is ask_back
    # and calibration leaves them out: no threshold changes what happens to them
    qs, ts = _synthetic({"exchange_size": [(0.9, True)] * 3})
    for t in ts:
        t["tool_calls"] = [{"name": "exchange_request_create", "args": {}, "ok": True}]
    result = ev.thresholds_calibrate(questions=qs, traces_ungated=ts, target=0.02, current={})
    assert "exchange_size" not in result["per_intent"]


def test_metrics_rates_and_escalation_precision_recall():
    qs = [
        question("a", checks=ORDER_CHECKS),  # resolved
        question("b", checks=ORDER_CHECKS),  # confidently wrong
        question("c", checks=ORDER_CHECKS),  # escalated though answerable: false positive
        question("d", intent="complaint_or_human", routes=("human",), escalate="yes"),  # true positive
        question(
            "e",
            intent="out_of_scope",
            routes=("clarify", "llm", "human"),
            must_clarify_or_escalate=True,
            escalate="yes",
        ),  # answered in scope: false negative
        question(
            "f", routes=("clarify", "llm", "human"), must_not_reveal=["1Z999AA10123456784"], escalate="either"
        ),
    ]
    good = "Your order #W1234567 is on its way, tracking number 1Z999AA10123456784."
    ts = [
        trace("a", answer=good, latency_ms={"understand": 10, "first_token": 100, "total": 100}),
        trace(
            "b",
            answer="Your order #W1234567 is cancelled.",
            latency_ms={"understand": 10, "first_token": 200, "total": 200},
        ),
        trace("c", route="llm", latency_ms={"understand": 10, "first_token": 300, "total": 300}),
        trace(
            "d",
            route="human",
            intent="complaint_or_human",
            answer="Handing over.",
            latency_ms={"understand": 10, "first_token": 400, "total": 400},
        ),
        trace(
            "e",
            intent="out_of_scope",
            answer="Sure: 42.",
            latency_ms={"understand": 10, "first_token": 500, "total": 500},
        ),
        trace(
            "f",
            route="clarify",
            answer="It is 1Z999AA10123456784",
            latency_ms={"understand": 10, "first_token": 600, "total": 600},
        ),
    ]
    m = ev.metrics_compute([ev.trace_score(question=q, trace=t) for q, t in zip(qs, ts, strict=True)])
    assert m["resolution_rate"] == round(1 / 6, 4)
    assert m["confidently_wrong_rate"] == round(2 / 6, 4)  # b and e
    assert m["escalation_rate"] == round(2 / 6, 4)
    assert m["escalation"] == {"tp": 1, "fp": 1, "fn": 1, "precision": 0.5, "recall": 0.5}
    assert m["clarify_rate"] == round(1 / 6, 4)
    assert m["leaks"] == 1
    assert m["leaking_questions"] == ["f"]
    assert m["out_of_scope_answered_rate"] == 1.0
    assert m["latency_ms"]["total"] == {"p50": 350.0, "p95": 575.0}
    assert m["per_intent"]["order_status"]["n"] == 4
    assert ev.targets_check(m)["leaks"]["met"] is False


def test_aurc_on_a_known_toy_case():
    rc = ev.risk_coverage(confidences=[0.9, 0.8, 0.7, 0.6], correct=[True, True, False, False])
    assert rc["risk"] == [0.0, 0.0, round(1 / 3, 4), 0.5]
    assert rc["aurc"] == pytest.approx((0 + 0 + 1 / 3 + 1 / 2) / 4, abs=1e-5)
    # That ordering is already the best possible one.
    assert rc["e_aurc"] == pytest.approx(0.0, abs=1e-5)
    reversed_rc = ev.risk_coverage(confidences=[0.6, 0.7, 0.8, 0.9], correct=[True, True, False, False])
    assert reversed_rc["aurc"] == pytest.approx((1 + 1 + 2 / 3 + 1 / 2) / 4, abs=1e-5)


def test_aurc_ties_share_the_risk_of_their_group():
    rc = ev.risk_coverage(confidences=[1.0, 1.0, 0.5], correct=[True, False, True])
    assert rc["risk"] == [0.5, 0.5, round(1 / 3, 4)]


def test_cost_quality_curve_ends():
    qs = [question("a", checks=ORDER_CHECKS), question("b", checks=ORDER_CHECKS)]
    ts = [
        trace(
            "a",
            answer="Your order #W1234567 is on its way, tracking number 1Z999AA10123456784.",
            confidence=0.9,
        ),
        trace("b", answer="Your order is cancelled.", confidence=0.3),
    ]
    curve = ev.cost_quality_curve(
        questions=qs,
        traces_ungated=ts,
        llm_accuracy=0.8,
        price_prompt=1.0,
        price_completion=1.0,
        thresholds=[0.0, 0.5, 1.0],
    )
    assert [p["share_to_llm"] for p in curve] == [0.0, 0.5, 1.0]
    assert [p["quality"] for p in curve] == [0.5, 0.9, 0.8]
    assert curve[0]["confidently_wrong_rate"] == 0.5
    assert curve[1]["confidently_wrong_rate"] == 0.0
    assert curve[0]["llm_usd"] == 0 < curve[1]["llm_usd"] < curve[2]["llm_usd"]


# --- Calibration ----------------------------------------------------------------------------------
def _synthetic(n_per_intent: dict[str, list[tuple[float, bool]]]) -> tuple[list[dict], list[dict]]:
    qs, ts = [], []
    for intent, items in n_per_intent.items():
        checks = {intent: {"cite_any": [{"kind": "faq", "id": "right"}]}}
        for i, (conf, ok) in enumerate(items):
            qid = f"{intent}-{i}"
            qs.append(question(qid, intent=intent, checks=checks))
            ts.append(
                trace(
                    qid,
                    intent=intent,
                    answer="x",
                    confidence=conf,
                    citations=[{"kind": "faq", "id": "right" if ok else "wrong"}],
                )
            )
    return qs, ts


def test_calibration_picks_the_thresholds_that_resolve_most_within_the_wrong_budget():
    qs, ts = _synthetic(
        {
            # Wrong answers at 0.5 and 0.3: a threshold between 0.5 and 0.6 keeps every right one.
            "shipping_delivery": [
                (0.95, True),
                (0.9, True),
                (0.8, True),
                (0.6, True),
                (0.5, False),
                (0.3, False),
            ],
            # All right: nothing to defer.
            "account": [(0.7, True), (0.4, True), (0.2, True), (0.9, True)],
        }
    )
    result = ev.thresholds_calibrate(
        questions=qs,
        traces_ungated=ts,
        target=0.0,
        current={"shipping_delivery": 0.4, "account": 0.4},
        confidence=None,
    )
    assert result["thresholds"]["shipping_delivery"] == pytest.approx(0.55)
    # All right: the threshold comes down to the lowest right answer (0.2), no further.
    assert result["thresholds"]["account"] == pytest.approx(0.2)
    assert result["resolved"] == 8
    assert result["wrong"] == 0
    assert result["per_intent"]["shipping_delivery"]["before"] == {
        "threshold": 0.4,
        "resolved": 4,
        "wrong": 1,
    }
    # A budget of one wrong answer (10% of 10): the wrong answer at 0.5 buys nothing, so no change there.
    loose = ev.thresholds_calibrate(questions=qs, traces_ungated=ts, target=0.1, current={}, confidence=None)
    assert loose["resolved"] == 8
    assert loose["thresholds"]["shipping_delivery"] == pytest.approx(0.55)


def test_calibration_spends_the_budget_where_it_buys_most():
    qs, ts = _synthetic(
        {
            # One wrong answer at 0.8 hides three right ones below it.
            "product_question": [(0.9, True), (0.8, False), (0.7, True), (0.6, True), (0.5, True)],
            # One wrong at 0.85 hides only one right one.
            "payment_billing": [(0.9, True), (0.85, False), (0.3, True)],
        }
    )
    # wrong_cost=0: only what the box resolves counts (the knapsack itself, see the next test).
    result = ev.thresholds_calibrate(
        questions=qs, traces_ungated=ts, target=0.125, current={}, confidence=None, wrong_cost=0
    )  # 1 of 8
    # The budget goes to product_question: its shipped default (0.4) already keeps all four right
    # answers, so it stays there rather than dropping to 0.
    assert result["thresholds"]["product_question"] == 0.4
    assert result["thresholds"]["payment_billing"] == pytest.approx(0.875)
    assert (result["resolved"], result["wrong"]) == (5, 1)


def test_calibration_sends_a_wrong_answer_only_where_the_answers_it_buys_are_right_often_enough():
    # Target 12.5%: a wrong answer is worth (1 - 0.125) / 0.125 = 7 right ones.
    assert ev.wrong_cost_for(0.125) == pytest.approx(7)
    assert ev.wrong_cost_for(0.02) == pytest.approx(49)
    few = {"product_question": [(0.9, True), (0.8, False), (0.7, True), (0.6, True), (0.5, True)]}
    qs, ts = _synthetic(few)
    result = ev.thresholds_calibrate(
        questions=qs, traces_ungated=ts, target=0.125, current={}, confidence=None
    )
    # Three right answers below the wrong one do not pay for it: the threshold stays above it.
    assert result["thresholds"]["product_question"] == pytest.approx(0.85)
    assert (result["resolved"], result["wrong"]) == (1, 0)
    many = {"product_question": [(0.9, True), (0.8, False)] + [(0.7, True)] * 8}
    qs, ts = _synthetic(many)
    result = ev.thresholds_calibrate(
        questions=qs, traces_ungated=ts, target=0.125, current={}, confidence=None
    )
    # Eight do (8 of 9 right, above 1 - 12.5%): the threshold comes down past it.
    assert result["thresholds"]["product_question"] == 0.4
    assert (result["resolved"], result["wrong"]) == (9, 1)


def test_calibration_moves_a_threshold_only_as_far_as_it_buys_something():
    qs, ts = _synthetic(
        {
            # Every answer right and above the default 0.45: nothing justifies answering lower.
            "return_refund": [(0.9, True), (0.8, True), (0.6, True), (0.5, True)],
            # A right answer at 0.3: the threshold drops to it, not to 0.
            "shipping_delivery": [(0.9, True), (0.3, True), (0.1, False)],
        }
    )
    result = ev.thresholds_calibrate(questions=qs, traces_ungated=ts, target=0.0, current={})
    assert result["thresholds"]["return_refund"] == 0.45
    assert result["thresholds"]["shipping_delivery"] == pytest.approx(0.3)
    assert (result["resolved"], result["wrong"]) == (6, 0)
    # An explicit prior is honoured.
    result = ev.thresholds_calibrate(
        questions=qs, traces_ungated=ts, target=0.0, current={}, prior={"return_refund": 0.7}
    )
    assert result["thresholds"]["return_refund"] == pytest.approx(0.5)


def _binomial_cdf(w: int, n: int, p: float) -> float:
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(w + 1))


@pytest.mark.parametrize("n", [50, 120, 300, 487, 900])
def test_wrong_budget_is_the_largest_count_whose_upper_bound_meets_the_target(n):
    budget = ev.wrong_budget(n=n, target=0.02, confidence=0.9)
    # Had the true rate been 2%, seeing ≤ budget wrong answers would happen at most 10% of the time,
    # and one more would not be so unlikely.
    if budget > 0 or _binomial_cdf(0, n, 0.02) <= 0.1:
        assert _binomial_cdf(budget, n, 0.02) <= 0.1
    assert _binomial_cdf(budget + 1, n, 0.02) > 0.1
    assert budget < ev.wrong_budget(n=n, target=0.02, confidence=None) or budget == 0


def test_wrong_budget_point_estimate_and_edges():
    assert ev.wrong_budget(n=487, target=0.02, confidence=None) == 9
    assert ev.wrong_budget(n=487, target=0.02, confidence=0.9) == 5
    assert ev.wrong_budget(n=487, target=0.0, confidence=0.9) == 0
    assert ev.wrong_budget(n=0, target=0.02, confidence=0.9) == 0
    # Large sets: computed in log space, no overflow, and it approaches the point budget.
    big = ev.wrong_budget(n=100_000, target=0.02, confidence=0.9)
    assert 1900 < big < 2000
    with pytest.raises(ValueError, match="confidence"):
        ev.wrong_budget(n=10, target=0.02, confidence=1.0)


def test_calibration_spends_only_the_confident_budget():
    # 100 right answers at 0.9 and three wrong ones at 0.8 above 60 right at 0.7: the point budget
    # (2% of 163 = 3) lets all three through; at 90% confidence 163 questions buy no wrong answer
    # at all, so the threshold must rise above the wrong ones.
    items = [(0.9, True)] * 100 + [(0.8, False)] * 3 + [(0.7, True)] * 60
    qs, ts = _synthetic({"shipping_delivery": items})
    point = ev.thresholds_calibrate(
        questions=qs, traces_ungated=ts, target=0.02, current={}, confidence=None, wrong_cost=0
    )
    assert (point["wrong_budget"], point["wrong"], point["resolved"]) == (3, 3, 160)
    sure = ev.thresholds_calibrate(questions=qs, traces_ungated=ts, target=0.02, current={})
    assert sure["confidence"] == ev.CALIBRATION_CONFIDENCE
    assert sure["wrong_budget"] == ev.wrong_budget(n=163, target=0.02) < 3
    assert sure["wrong"] == 0
    assert sure["resolved"] == 100
    assert sure["thresholds"]["shipping_delivery"] == pytest.approx(0.85)


# --- The question files ----------------------------------------------------------------------------
def test_question_files_validate_and_cover_every_intent():
    meta = ev.questions_meta()
    rows = ev.questions_load(split="all")
    assert len(rows) >= 500
    assert {s: len(ev.questions_load(split=s)) for s in ev.SPLITS} == meta["counts"]
    errors = {r["id"]: e for r in rows if (e := ev.question_validate(r))}
    assert errors == {}
    assert len({r["id"] for r in rows}) == len(rows)
    for split in ev.SPLITS:
        intents = Counter(r["expected"]["intent"] for r in ev.questions_load(split=split))
        assert set(intents) == set(ev.INTENTS), split
    tags = Counter(t for r in rows for t in r["meta"]["tags"])
    for tag in ("typo", "slang", "no_punct", "follow_up", "multi_question", "unverified", "ambiguous"):
        assert tags[tag] >= 10, tag
    assert sum(1 for r in rows if r.get("history")) >= 40


def test_splits_share_neither_templates_nor_order_or_product_entities():
    cal, test = ev.questions_load(split="calibration"), ev.questions_load(split="test")
    templates = ({r["meta"]["template"] for r in cal}, {r["meta"]["template"] for r in test})
    assert not templates[0] & templates[1]

    def entities(rows):
        return {
            r["meta"]["entity"]
            for r in rows
            if r["meta"]["entity"] and not r["meta"]["entity"].startswith("faq-")
        }

    assert not entities(cal) & entities(test)


def test_question_files_are_what_the_generator_writes(tmp_path):
    result = subprocess.run(
        [sys.executable, str(EVAL / "build_questions.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_validator_rejects_bad_rows():
    row = question()
    row["expected"]["intent"] = "weather"
    row["expected"]["routes"] = ["robot"]
    row["expected"]["checks"] = {"order_status": {"colour": "red"}}
    errors = ev.question_validate(row)
    assert any("expected.intent" in e for e in errors)
    assert any("expected.routes" in e for e in errors)
    assert any("unknown checks" in e for e in errors)


def test_ask_line_never_carries_the_labels():
    row = ev.questions_load(split="test")[0]
    line = json.loads(ev.ask_line(row))
    assert "expected" not in line
    assert "meta" not in line
    assert line["utterance"] == row["utterance"]


# --- Against the demo store in the database ---------------------------------------------------------
@pytest.fixture
def demo_store(db):
    meta = ev.questions_meta()
    call_command("seed_demo", seed=meta["seed"], now=meta["now"], verbosity=0)
    return meta


def test_expected_values_agree_with_the_store_tools(demo_store):
    """The generator's own computation matches the app's selectors on every order/size it labels."""
    from apps.catalog.models import Product
    from apps.catalog.selectors import variant_availability
    from apps.orders.models import Order
    from apps.orders.selectors import order_status_summary, return_eligibility

    now = ev.meta_now(demo_store)
    ok, message = ev.store_check(meta=demo_store)
    assert ok, message
    seen = 0
    for row in ev.questions_load(split="all"):
        for checks in row["expected"]["checks"].values():
            number = checks.get("order_number")
            if "eligible" in checks:
                e = return_eligibility(order=Order.objects.get(external_id=number), now=now)
                assert (e["eligible"], e["reason"]) == (checks["eligible"], checks["reason"]), row["id"]
                seen += 1
            if "exchange_blocked" in checks:
                e = return_eligibility(
                    order=Order.objects.get(external_id=number), now=now, window="exchange"
                )
                assert e["eligible"] is not checks["exchange_blocked"], row["id"]
                seen += 1
            if "status" in checks:
                summary = order_status_summary(order=Order.objects.get(external_id=number))
                tracking = [t for s in summary["shipments"] for t in s["tracking_numbers"]]
                assert (summary["status"], sorted(tracking)) == (
                    checks["status"],
                    sorted(checks["tracking"]),
                ), row["id"]
                seen += 1
            if "in_stock" in checks:
                a = variant_availability(
                    product=Product.objects.get(external_id=checks["product"]),
                    size=checks["size"],
                    color=checks.get("color"),
                )
                assert (a["in_stock"], a["size_exists"]) == (checks["in_stock"], checks["size_exists"]), row[
                    "id"
                ]
                seen += 1
    assert seen >= 400


def test_store_check_detects_another_store(demo_store):
    from apps.catalog.models import Variant

    variant = Variant.objects.filter(stock__gt=0).first()
    variant.stock = 0
    variant.save()
    ok, message = ev.store_check(meta=demo_store)
    assert not ok
    assert "seed_demo --seed 0" in message


# --- Commands on recorded traces (no model) ---------------------------------------------------------
@pytest.fixture
def tiny_set(tmp_path):
    qs, ts = _synthetic({"shipping_delivery": [(0.95, True), (0.9, True), (0.5, False), (0.3, True)]})
    for q in qs:
        q["meta"]["split"] = "calibration"
    (tmp_path / "questions_calibration.jsonl").write_text("".join(json.dumps(q) + "\n" for q in qs))
    (tmp_path / "questions_test.jsonl").write_text("".join(json.dumps(q) + "\n" for q in qs))
    shutil.copy(EVAL / "questions_meta.json", tmp_path / "questions_meta.json")
    traces = tmp_path / "traces.jsonl"
    traces.write_text("".join(json.dumps(t) + "\n" for t in ts))
    return tmp_path, traces


def test_calibrate_command_stores_thresholds(db, tiny_set, capsys):
    from apps.assistant.models import IntentThreshold

    directory, traces = tiny_set
    call_command("calibrate", traces=traces, questions_dir=directory, target=0.0)
    stored = dict(IntentThreshold.objects.values_list("intent", "threshold"))
    assert stored["shipping_delivery"] == pytest.approx(0.7)  # between the wrong 0.5 and the right 0.9
    out = capsys.readouterr().out
    assert "shipping_delivery" in out
    assert "-> 0.70" in out


def test_evaluate_command_writes_report_and_chart(db, tiny_set, tmp_path):
    directory, traces = tiny_set
    out = tmp_path / "report"
    call_command("evaluate", traces=traces, questions_dir=directory, out=out, split="test")
    report = json.loads((out / "report.json").read_text())
    assert report["n"] == 4
    assert report["risk_coverage"]["aurc"] is not None
    assert report["cost"]["llm_only"]["prompt_tokens"] > 0
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len((out / "results.jsonl").read_text().splitlines()) == 4
    assert set(report["targets"]) == set(ev.TARGETS)


def test_meta_now_is_the_seeded_reference_time():
    assert ev.meta_now(ev.questions_meta()) == datetime(2026, 11, 1, tzinfo=UTC)


def test_external_intent_check(tmp_path):
    path = tmp_path / "ext.jsonl"
    rows = [
        {"utterance": "where is my parcel", "intent": "order_status", "mapping_confidence": "high"},
        {"utterance": "weather?", "intent": "out_of_scope", "mapping_confidence": "low"},
        {"utterance": "x", "intent": "not_an_intent"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    qs = ev.external_questions(path=path)
    assert [q["expected"]["intent"] for q in qs] == ["order_status", "out_of_scope"]
    report = ev.external_report(questions=qs, traces=[trace(intent="order_status"), trace(intent="greeting")])
    assert report["intent_accuracy"] == 0.5
    assert report["by_mapping_confidence"] == {"high": 1.0, "low": 0.0}
    assert report["top_confusions"] == {"out_of_scope -> greeting": 1}
