"""The intent label set (ASK_TRACE.md) and the per-intent defaults the thresholds start from."""

from __future__ import annotations

INTENTS: tuple[str, ...] = (
    "order_status",
    "cancel_order",
    "return_refund",
    "exchange_size",
    "size_availability_or_fit",
    "shipping_delivery",
    "payment_billing",
    "account",
    "complaint_or_human",
    "product_question",
    "greeting",
    "out_of_scope",
)

# Below these confidences a reply is not sent from the box: it goes to the LLM tier or a person.
# Fact-bearing order intents sit higher because a wrong answer there costs the most.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "order_status": 0.45,
    "cancel_order": 0.5,
    "return_refund": 0.45,
    "exchange_size": 0.45,
    "size_availability_or_fit": 0.45,
    "shipping_delivery": 0.4,
    "payment_billing": 0.4,
    "account": 0.4,
    "complaint_or_human": 0.0,
    "product_question": 0.4,
    "greeting": 0.3,
    "out_of_scope": 0.0,
}
