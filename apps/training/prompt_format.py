"""The one place that turns a training example into the prompt the answer engine sends.

Prompts come from ``apps.assistant.prompts`` (never copied here), so a model trained on these
examples sees at run time exactly the prefix it was trained on. Tool results are flattened into
the respond prompt's "passage" as short fact sentences; if the assistant grows its own renderer
(``apps.assistant.prompts.tool_passage``), that one is used instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from apps.assistant import prompts

# Every completion ends the model's turn: the backend stops on <end_of_turn>, so a trained model
# ends cleanly whatever stop strings the caller passes.
END = "<end_of_turn>"


def format_hash() -> str:
    """Identifies the prompt format a training set was built for (stored in the manifest)."""
    text = (
        prompts.UNDERSTAND_PREFIX
        + "\x00"
        + prompts.RESPOND_PREFIX
        + "\x00"
        + "|".join(prompts.understand_labels())
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def intent_label(intent: str) -> str:
    """The label text the understand step scores for ``intent`` (with its leading space)."""
    return " " + prompts.INTENT_LABELS[intent]


def intent_from_label(text: str) -> str | None:
    return prompts.LABEL_TO_INTENT.get(text.strip())


def understand_pair(*, text: str, intent: str) -> tuple[str, str]:
    return prompts.understand_prompt(text), intent_label(intent) + END


def respond_pair(*, question: str, passage: str, reply: str) -> tuple[str, str]:
    return prompts.respond_prompt(question=question, passage=passage), " " + reply.strip() + END


def _join(items: Iterable[Any]) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def passage_availability(av: dict[str, Any]) -> str:
    name = av["product"]["name"]
    size = av.get("size")
    parts = [f"Product: {name}."]
    if size:
        if not av.get("size_exists"):
            parts.append(f"Size {size} does not exist for this product.")
        elif av.get("in_stock"):
            count = f" ({av['stock']} left)" if av.get("stock") is not None else ""
            parts.append(f"Size {size} is in stock{count}.")
        else:
            parts.append(f"Size {size} is sold out.")
    else:
        parts.append("In stock." if av.get("in_stock") else "Sold out.")
    if av.get("price"):
        parts.append(f"Price: ${av['price']}.")
    if av.get("sizes_in_stock"):
        parts.append(f"Sizes in stock: {_join(av['sizes_in_stock'])}.")
    else:
        parts.append("No sizes in stock.")
    if av.get("nearest_in_stock"):
        parts.append(f"Nearest sizes in stock: {_join(av['nearest_in_stock'])}.")
    return " ".join(parts)


def _date(value: str | None) -> str | None:
    return value[:10] if value else None


def passage_order(summary: dict[str, Any]) -> str:
    parts = [f"Order {summary['order_number']}: status {summary['status'].replace('_', ' ')}."]
    parts.append(f"Placed {_date(summary['placed_at'])}.")
    if summary.get("delivered_at"):
        parts.append(f"Delivered {_date(summary['delivered_at'])}.")
    items = [f"{line['quantity']} x {line['product']}" for line in summary.get("lines", [])]
    if items:
        parts.append(f"Items: {_join(items)}.")
    for shipment in summary.get("shipments", []):
        tracking = _join(shipment.get("tracking_numbers") or []) or "none"
        parts.append(f"Shipped with {shipment.get('carrier') or 'carrier'}, tracking {tracking}.")
    parts.append(f"Total: ${summary['total']}.")
    parts.append("Can be cancelled." if summary.get("can_cancel") else "Can no longer be cancelled.")
    return " ".join(parts)


RETURN_REASONS = {
    "eligible": "can be returned",
    "not_delivered": "cannot be returned yet because it has not been delivered",
    "window_expired": "cannot be returned because the return window has passed",
    "final_sale": "cannot be returned because its items are final sale",
    "already_returned": "already has a return",
    "cancelled": "was cancelled",
    "out_of_stock": "cannot be exchanged because the wanted size is not in stock",
}


def passage_eligibility(elig: dict[str, Any], *, order_number: str) -> str:
    kind = "exchange" if elig.get("window") == "exchange" else "return"
    parts = [f"Order {order_number} {RETURN_REASONS.get(elig['reason'], elig['reason'])} ({kind})."]
    parts.append(f"{kind.capitalize()} window: {elig['window_days']} days.")
    if elig.get("days_left") is not None and elig.get("eligible"):
        parts.append(f"Days left: {elig['days_left']}.")
    if elig.get("return_shipping_paid_by"):
        parts.append(f"Return shipping paid by the {elig['return_shipping_paid_by']}.")
    return " ".join(parts)


def passage_unverified(*, order_number: str) -> str:
    return f"Order {order_number}: the shopper is not verified. Ask for the email used for the order."


def tool_passage(kind: str, result: dict[str, Any], **extra: Any) -> str:
    """The respond prompt's passage for one tool result (the assistant's renderer when it has one)."""
    renderer = getattr(prompts, "tool_passage", None)
    if renderer is not None:
        return renderer(kind, result, **extra)
    if kind == "availability":
        return passage_availability(result)
    if kind == "order":
        return passage_order(result)
    if kind == "eligibility":
        return passage_eligibility(result, **extra)
    raise ValueError(f"unknown tool result kind {kind!r}")
