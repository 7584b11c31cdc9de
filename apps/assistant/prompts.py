"""Prompts for the SLM. Each prompt type has a fixed prefix (reused from its context's KV cache)
and puts the per-request text at the very end, so only the new tokens are evaluated.
"""

from __future__ import annotations

from apps.assistant.intents import INTENTS

# Plain words score better than snake_case with a base model: it has seen them in text.
INTENT_LABELS: dict[str, str] = {
    "order_status": "order status",
    "cancel_order": "cancel order",
    "return_refund": "return or refund",
    "exchange_size": "exchange size",
    "size_availability_or_fit": "size and fit",
    "shipping_delivery": "shipping",
    "payment_billing": "payment",
    "account": "account",
    "complaint_or_human": "human agent",
    "product_question": "product question",
    "greeting": "greeting",
    "out_of_scope": "unrelated",
}
LABEL_TO_INTENT = {label: intent for intent, label in INTENT_LABELS.items()}
assert set(INTENT_LABELS) == set(INTENTS)

# Examples written for this project (a fixed order: the prefix must be byte-identical per call).
_EXAMPLES: list[tuple[str, str]] = [
    ("where is my package", "order_status"),
    ("hi there", "greeting"),
    ("do you have the trail runners in a 10", "size_availability_or_fit"),
    ("i want my money back for the jacket", "return_refund"),
    ("whats the capital of peru", "out_of_scope"),
    ("pls cancel my order i bought it by mistake", "cancel_order"),
    ("how much is shipping to canada", "shipping_delivery"),
    ("can i swap these for a bigger size", "exchange_size"),
    ("i was charged twice", "payment_billing"),
    ("let me talk to a real person", "complaint_or_human"),
    ("are the sneakers waterproof", "product_question"),
    ("forgot my password", "account"),
    ("has order 10023 shipped yet", "order_status"),
    ("do these run small", "size_availability_or_fit"),
    ("tell me a joke", "out_of_scope"),
    ("is cash on delivery available", "payment_billing"),
    ("how long do refunds take", "return_refund"),
    ("thanks bye", "greeting"),
]

UNDERSTAND_PREFIX = (
    "Sort each message a shopper sent to an online store's support chat into one topic: "
    + ", ".join(INTENT_LABELS.values())
    + ".\n\n"
    + "".join(f"Message: {text}\nTopic: {INTENT_LABELS[intent]}\n\n" for text, intent in _EXAMPLES)
)


def understand_prompt(text: str) -> str:
    """Few-shot topic prompt; the shopper's text is last, after the cached examples."""
    # Newlines inside the message would let it fake another "Topic:" line: flatten them.
    flat = " ".join(text.split())
    return f"{UNDERSTAND_PREFIX}Message: {flat}\nTopic:"


def understand_labels() -> list[str]:
    return [" " + label for label in INTENT_LABELS.values()]


RESPOND_PREFIX = (
    "You answer shoppers for an online store. Answer the question in one or two short sentences "
    "using only the passage. Copy numbers exactly. If the passage does not answer it, say you are "
    "not sure.\n\n"
    "Passage: Standard shipping takes 3-5 business days. Orders over $50 ship free.\n"
    "Question: how long does delivery take\n"
    "Answer: Standard shipping takes 3-5 business days, and orders over $50 ship free.\n\n"
    "Passage: We accept Visa, Mastercard, American Express and PayPal.\n"
    "Question: can i pay with paypal?\n"
    "Answer: Yes, we accept PayPal, as well as Visa, Mastercard and American Express.\n\n"
)


def respond_prompt(*, question: str, passage: str) -> str:
    flat_q = " ".join(question.split())[:500]
    flat_p = " ".join(passage.split())[:1200]
    return f"{RESPOND_PREFIX}Passage: {flat_p}\nQuestion: {flat_q}\nAnswer:"


LLM_SYSTEM = (
    "You are the customer-support assistant of the online store {store}. Answer the shopper's last "
    "message briefly and politely, using only the facts given below; never invent order details, "
    "prices, dates or policies. Placeholders like [EMAIL_1] stand for redacted personal data: keep "
    "them as they are. If the question is not about the store, its products, orders, shipping, "
    "returns or payments, say politely that you can only help with the store. If you cannot answer "
    "from the facts, reply exactly HANDOFF.\n\nFacts:\n{facts}"
)
