"""Labelled questions generated from whatever store is imported, for ``manage.py evaluate --generated``.

The pinned question set (eval/) knows only the demo store. These questions are built from the
store in the database: its orders (statuses, lines, delivery dates, tracking), variants and their
option values and stock, policy windows and final-sale categories, and FAQs, worded by templates
of their own (not the understand step's training phrases) with shopper noise. Expected facts are
computed here from the rows and the policy rules, not by the assistant's selectors. Multi-turn
dialogues carry their history and, where the dialogue should end in a write, the exact write call
(``expected["write"]``; None: no write allowed).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from apps.analytics.evaluation import WRITE_TOOLS
from apps.assistant.intents import INTENTS

IN_SCOPE = [i for i in INTENTS if i not in ("out_of_scope", "greeting", "complaint_or_human")]
OPENERS = ["", "", "", "hi ", "hello, ", "hey there - ", "good morning! ", "quick one: "]

STATUS_ASKS = [
    "{open}what's happening with order {number}? my email is {email}",
    "{open}can you tell me the status of {number}, {email}",
    "{open}{email} here, any news on my order {number}",
    "{open}has order {number} been sent yet? ({email})",
    "{open}i placed order {number} with {email}, where is it now",
]
STATUS_NO_EMAIL = [
    "{open}what's the status of order {number}",
    "{open}has {number} shipped?",
    "{open}any update on {number} please",
]
STOCK_ASKS = [
    "{open}is the {product} available in {value}?",
    "{open}do you still have {product} in {value}",
    "{open}can i get the {product} in {value} right now?",
    "{open}{product} in {value} - in stock?",
]
FOLLOW_UPS = ["and in {value}?", "what about {value}", "how about {value} then", "ok and {value}?"]
FAQ_WRAPS = ["{q}", "{q}", "quick question, {q}", "{q} thanks", "hi, {q}"]
WINDOW_ASKS = [
    "how long do i have to send something back?",
    "what's the time limit for returning an item",
    "how many days after delivery can i return stuff",
]
CANCEL_ASKS = [
    "{open}please cancel order {number}, my email is {email}",
    "{open}i need to cancel {number} ({email})",
]
RETURN_ASKS = [
    "{open}i'd like to return the {product} from order {number}, email {email}",
    "{open}can i send back the {product}? order {number}, {email}",
]
EXCHANGE_ASKS = [
    "{open}can i exchange the {product} from order {number} for {value}? {email}",
    "{open}i want to swap my {product} (order {number}) for {value}, email {email}",
]
YES = ["yes", "yes please", "yep, go ahead", "ok do it"]
NO = ["no", "no thanks", "actually no, leave it"]
HUMAN_ASKS = [
    "can i talk to a real person",
    "i want a human agent please",
    "connect me with someone from support",
]
# Questions no store answers: the assistant must decline, clarify or hand on, never answer them.
OUT_OF_SCOPE = [
    "will it rain in madrid this weekend",
    "how do i reset my online banking password",
    "what's the cheapest flight from boston to denver",
    "can you write a python function that sorts a list",
    "give me a recipe for banana bread",
    "who won the champions league final",
    "my phone won't connect to wifi, what do i do",
    "what's the capital of australia",
    "how do i fix a leaking tap",
    "tell me a joke about cats",
    "what is the exchange rate from euros to yen today",
    "recommend a good sci-fi novel",
    "how many calories are in an avocado",
    "how do i transfer money to my friend's bank account",
    "what time is sunset tonight",
    "help me plan a trip to lisbon",
    "why is my laptop fan so loud",
    "what should i name my dog",
    "how do i file my taxes",
    "translate good night into japanese",
    "is the stock market open on monday",
    "how do i change the pin on my debit card at the bank",
    "what's a good hotel near the eiffel tower",
    "do i need a visa to visit canada",
    "my train is delayed, can i get a refund from the rail company",
    "how long is the drive from chicago to detroit",
    "what's the best way to learn spanish",
    "can you solve 17 times 23",
    "who wrote pride and prejudice",
    "what year did the berlin wall fall",
    "how tall is mount everest",
    "why is the sky blue",
    "how do i update the apps on my iphone",
    "my printer keeps jamming, any tips",
    "how do i take a screenshot on windows",
    "what's a good name for a startup",
    "write me a short poem about autumn",
    "are you a robot or a person? what's your favourite movie",
    "what's the score of the lakers game",
    "when is the next full moon",
    "how do i cook rice in a pot",
    "what wine goes with salmon",
    "which is bigger, a lion or a tiger",
    "how do i get rid of ants in my kitchen",
    "can you recommend a podcast about history",
    "how do i apply for a mortgage",
    "what's my credit score",
    "how do i cancel my netflix subscription",
    "book a table for two at an italian restaurant",
    "where can i watch the new marvel movie",
    "how do i unblock someone on instagram",
    "whats the weather like in tokyo in april",
    "help me write a cover letter for a job",
    "what's the speed of light",
    "how do i jump start a car battery",
    "how many players are on a football team",
    "my internet provider charged me twice, who do i call",
    "what's the time difference between london and new york",
    "how do i make my plants grow faster",
    "tell me something interesting about octopuses",
]


def _noisy(text: str, rng: random.Random) -> str:
    """Shopper noise: lower case, a dropped or doubled letter, no final punctuation."""
    if rng.random() < 0.5:
        text = text.lower()
    words = text.split(" ")
    plain = [i for i, w in enumerate(words) if w.isalpha() and len(w) > 4]
    if plain and rng.random() < 0.35:
        i = rng.choice(plain)
        j = rng.randrange(1, len(words[i]) - 1)
        words[i] = words[i][:j] + (words[i][j + 1 :] if rng.random() < 0.5 else words[i][j] + words[i][j:])
    text = " ".join(words)
    return text.rstrip("?.!") if rng.random() < 0.3 else text


def _question(
    qid: str,
    utterance: str,
    *,
    intent: str,
    template: str,
    history: Iterable[tuple[str, str]] = (),
    **expected: Any,
) -> dict:
    exp = {
        "intent": intent,
        "accept_intents": expected.pop("accept_intents", [intent]),
        "intent_scored": expected.pop("intent_scored", True),
        "routes": expected.pop("routes", ["slm"]),
        "checks": expected.pop("checks", {}),
        "must_not_reveal": expected.pop("must_not_reveal", []),
        "must_clarify_or_escalate": expected.pop("must_clarify_or_escalate", False),
        "escalate": expected.pop("escalate", "no"),
        **expected,
    }
    row = {"id": qid, "utterance": utterance, "channel": "widget", "expected": exp}
    turns = [{"role": role, "text": text} for role, text in history]
    if turns:
        row["history"] = turns
    row["meta"] = {"template": template, "split": "test", "generated": True, "multi_turn": bool(turns)}
    return row


# --- Facts, computed from the rows and the policy rules -----------------------------------------
class StoreFacts:
    def __init__(self, now: datetime) -> None:
        from apps.catalog.models import Product
        from apps.knowledge.models import FAQ
        from apps.knowledge.selectors import policy_rules
        from apps.orders.models import Order, ReturnRequestLine

        self.now = now
        self.rules = policy_rules()
        self.final_sale = {str(c).strip().lower() for c in self.rules.get("final_sale_categories") or []}
        self.orders = list(
            Order.objects.select_related("customer")
            .prefetch_related("lines__variant__product", "shipments")
            .order_by("external_id")
        )
        self.products = [p for p in Product.objects.prefetch_related("variants").order_by("external_id")]
        self.faqs = list(FAQ.objects.order_by("external_id"))
        self.returned_lines = set(ReturnRequestLine.objects.values_list("order_line_id", flat=True))

    def delivered_at(self, order: Any) -> datetime | None:
        dates = [s.delivered_at for s in order.shipments.all() if s.delivered_at]
        return order.delivered_at or (max(dates) if dates else None)

    def in_window(self, order: Any, key: str) -> bool:
        delivered = self.delivered_at(order)
        days = int(self.rules[key])
        return delivered is None or self.now <= delivered + timedelta(days=days)

    def final(self, line: Any) -> bool:
        return line.variant.product.category.strip().lower() in self.final_sale

    def returnable(self, order: Any, line: Any, key: str = "return_window_days") -> bool:
        return (
            order.status == "delivered"
            and self.in_window(order, key)
            and not self.final(line)
            and line.pk not in self.returned_lines
        )

    def tracking(self, order: Any) -> list[str]:
        return [t for s in order.shipments.all() for t in (s.tracking_numbers or [])]

    def protected(self, order: Any) -> list[str]:
        address = order.shipping_address or {}
        street = [
            str(v) for k, v in address.items() if k in ("line1", "address1", "street") and len(str(v)) > 4
        ]
        return self.tracking(order) + [order.customer.email] + street


def option_values(product: Any) -> dict[str, dict[str, bool]]:
    """Each option of the product: value -> in stock (available, stock null or above 0)."""
    out: dict[str, dict[str, bool]] = {}
    for variant in product.variants.all():
        stocked = bool(variant.available) and (variant.stock is None or variant.stock > 0)
        for name, value in (variant.options or {}).items():
            if value in (None, "") or isinstance(value, (dict, list)):
                continue
            values = out.setdefault(str(name).lower(), {})
            values[str(value)] = values.get(str(value), False) or stocked
    return out


def exchange_target(product: Any, current: Any) -> tuple[str, Any] | None:
    """An in-stock variant of the product that differs from ``current`` in exactly one option:
    (that option's new value, the variant)."""
    have = {str(k).lower(): str(v) for k, v in (current.options or {}).items()}
    for variant in product.variants.all():
        if (
            variant.pk == current.pk
            or not variant.available
            or (variant.stock is not None and variant.stock <= 0)
        ):
            continue
        other = {str(k).lower(): str(v) for k, v in (variant.options or {}).items()}
        changed = [k for k in have if other.get(k) != have[k]]
        if len(changed) == 1 and set(other) == set(have):
            value = other[changed[0]]
            # The value must name this variant alone among the product's values for that option.
            return value, variant
    return None


# --- The builder ----------------------------------------------------------------------------------
class Builder:
    def __init__(self, facts: StoreFacts, *, seed: int, per_family: int, split: str = "test") -> None:
        self.facts = facts
        self.split = split
        self.rng = random.Random(seed)
        self.per_family = per_family
        self.rows: list[dict] = []

    def add(self, template: str, utterance: str, **kwargs: Any) -> None:
        qid = f"{'gen' if self.split == 'test' else 'gen-cal'}-{len(self.rows) + 1:04d}"
        row = _question(qid, _noisy(utterance, self.rng), template=template, **kwargs)
        row["meta"]["split"] = self.split
        self.rows.append(row)

    def half(self, phrasings: list[str]) -> list[str]:
        """The calibration and the test questions never share a phrasing: each takes every other."""
        if len(phrasings) < 2:
            return phrasings
        return phrasings[0 if self.split == "calibration" else 1 :: 2]

    def choice(self, phrasings: list[str]) -> str:
        return self.rng.choice(self.half(phrasings))

    def pick(self, items: list[Any], n: int | None = None) -> list[Any]:
        n = self.per_family if n is None else n
        return self.rng.sample(items, min(n, len(items)))

    def say(self, templates: list[str], **values: str) -> str:
        return self.choice(templates).format(open=self.rng.choice(OPENERS), **values)

    # Orders ------------------------------------------------------------------------------------
    def status(self) -> None:
        for order in self.pick(self.facts.orders):
            number, email = order.external_id, order.customer.email
            checks = {
                "status": order.status,
                "tracking": self.facts.tracking(order)[:1],
                "order_number": number,
            }
            self.add(
                "gen-status",
                self.say(STATUS_ASKS, number=number, email=email),
                intent="order_status",
                checks={"order_status": checks},
            )
        for order in self.pick(self.facts.orders):
            self.add(
                "gen-status-unverified",
                self.say(STATUS_NO_EMAIL, number=order.external_id),
                intent="order_status",
                routes=["clarify"],
                must_not_reveal=self.facts.protected(order),
            )
        for order in self.pick(self.facts.orders, max(3, self.per_family // 2)):
            wrong = f"someone.else{self.rng.randrange(100, 999)}@example.org"
            self.add(
                "gen-status-wrong-email",
                self.say(STATUS_ASKS, number=order.external_id, email=wrong),
                intent="order_status",
                routes=["clarify", "human"],
                must_not_reveal=self.facts.protected(order),
            )
        for order in self.pick(self.facts.orders, max(3, self.per_family // 2)):
            # Verification over two turns: the number first, the email when asked.
            number = order.external_id
            checks = {"status": order.status, "order_number": number}
            self.add(
                "gen-status-two-turns",
                order.customer.email,
                intent="order_status",
                accept_intents=["order_status"],
                checks={"order_status": checks},
                history=[
                    ("customer", self.say(STATUS_NO_EMAIL, number=number)),
                    ("assistant", "Please also send the email address you used for that order."),
                ],
            )

    # Catalog -----------------------------------------------------------------------------------
    def stock(self) -> None:
        stock_intents = ["size_availability_or_fit", "product_question"]
        candidates = []
        for product in self.facts.products:
            for name, values in option_values(product).items():
                if len(values) >= 2:
                    candidates.append((product, name, values))
        for product, _name, values in self.pick(candidates):
            value = self.rng.choice(sorted(values))
            checks = {"in_stock": values[value], "product": product.external_id}
            self.add(
                "gen-stock",
                self.say(STOCK_ASKS, product=product.name.lower(), value=value),
                intent="size_availability_or_fit",
                accept_intents=stock_intents,
                checks={i: checks for i in stock_intents},
            )
        for product, _name, values in self.pick(candidates):
            first, second = self.rng.sample(sorted(values), 2)
            checks = {"in_stock": values[second], "product": product.external_id}
            self.add(
                "gen-stock-follow-up",
                self.choice(FOLLOW_UPS).format(value=second),
                intent="size_availability_or_fit",
                accept_intents=stock_intents,
                checks={i: checks for i in stock_intents},
                history=[
                    ("customer", self.say(STOCK_ASKS, product=product.name.lower(), value=first)),
                    ("assistant", f"Let me check the {product.name} in {first} for you."),
                ],
            )

    # Knowledge ---------------------------------------------------------------------------------
    def faqs(self) -> None:
        for faq in self.pick(self.facts.faqs, self.per_family * 2):
            question = faq.question.strip()
            question = question[0].lower() + question[1:] if question else question
            self.add(
                "gen-faq",
                self.choice(FAQ_WRAPS).format(q=question),
                intent=_faq_intent(faq.question),
                accept_intents=IN_SCOPE,
                intent_scored=False,
                routes=["slm", "clarify"],
                checks={i: {"cite_any": [{"kind": "faq", "id": faq.external_id}]} for i in IN_SCOPE},
            )
        days = self.facts.rules.get("return_window_days")
        for text in self.half(WINDOW_ASKS):
            self.add(
                "gen-return-window",
                text,
                intent="return_refund",
                routes=["slm", "clarify"],
                checks={"return_refund": {"contains_any": [f"{days} days", f"{days}-day", f"{days} day"]}},
            )

    def out_of_scope(self) -> None:
        for text in self.half(OUT_OF_SCOPE):
            self.add(
                "gen-oos",
                text,
                intent="out_of_scope",
                routes=["clarify", "llm", "human"],
                must_clarify_or_escalate=True,
                escalate="yes",
            )
        for text in self.half(HUMAN_ASKS):
            self.add("gen-human", text, intent="complaint_or_human", routes=["human"], escalate="yes")

    # Dialogues that end in a write, or must not ---------------------------------------------------
    def dialogue(self, template: str, opening: str, answer: str, *, intent: str, write: dict | None) -> None:
        """The opening message, the assistant's reply, then the shopper's last word."""
        routes = ["slm", "clarify"] if write else list(("slm", "clarify", "llm", "human"))
        self.add(
            template,
            answer,
            intent=intent,
            accept_intents=list(INTENTS),
            intent_scored=False,
            routes=routes,
            write=write,
            history=[("customer", opening), ("assistant", "(the assistant's reply)")],
        )

    def cancels(self) -> None:
        by_status = _group(self.facts.orders, key=lambda o: o.status)
        for order in self.pick(by_status.get("pending", []), max(3, self.per_family // 2)):
            opening = self.say(CANCEL_ASKS, number=order.external_id, email=order.customer.email)
            write = {"name": "order_cancel", "args": {"order_number": order.external_id}}
            self.dialogue("gen-cancel-yes", opening, self.choice(YES), intent="cancel_order", write=write)
            self.dialogue("gen-cancel-no", opening, self.choice(NO), intent="cancel_order", write=None)
        shipped = by_status.get("shipped", []) + by_status.get("delivered", [])
        for order in self.pick(shipped, max(3, self.per_family // 3)):
            opening = self.say(CANCEL_ASKS, number=order.external_id, email=order.customer.email)
            self.dialogue("gen-cancel-refused", opening, self.choice(YES), intent="cancel_order", write=None)

    def returns(self) -> None:
        lines = [(o, line) for o in self.facts.orders for line in o.lines.all() if len(o.lines.all()) >= 1]
        # Each line's product must be named once in its order ("the lamp" with two lamps is ambiguous).
        lines = [(o, ln) for o, ln in lines if _unique_product(o, ln)]
        ok = [(o, ln) for o, ln in lines if self.facts.returnable(o, ln) and len(o.lines.all()) >= 2]
        late = [
            (o, ln)
            for o, ln in lines
            if o.status == "delivered" and not self.facts.in_window(o, "return_window_days")
        ]
        final = [(o, ln) for o, ln in lines if o.status == "delivered" and self.facts.final(ln)]
        for order, line in self.pick(ok):
            opening = self.say(
                RETURN_ASKS,
                product=line.variant.product.name.lower(),
                number=order.external_id,
                email=order.customer.email,
            )
            write = {
                "name": "return_request_create",
                "args": {"order_number": order.external_id, "variants": [line.variant.external_id]},
            }
            self.dialogue(
                "gen-return-item-yes", opening, self.choice(YES), intent="return_refund", write=write
            )
            self.dialogue("gen-return-item-no", opening, self.choice(NO), intent="return_refund", write=None)
        for template, items in (("gen-return-late", late), ("gen-return-final-sale", final)):
            for order, line in self.pick(items, max(3, self.per_family // 2)):
                opening = self.say(
                    RETURN_ASKS,
                    product=line.variant.product.name.lower(),
                    number=order.external_id,
                    email=order.customer.email,
                )
                self.dialogue(template, opening, self.choice(YES), intent="return_refund", write=None)

    def exchanges(self) -> None:
        found = []
        for order in self.facts.orders:
            for line in order.lines.all():
                if not _unique_product(order, line) or not self.facts.returnable(
                    order, line, "exchange_window_days"
                ):
                    continue
                target = exchange_target(line.variant.product, line.variant)
                if target is not None:
                    found.append((order, line, *target))
        for order, line, value, variant in self.pick(found):
            opening = self.say(
                EXCHANGE_ASKS,
                product=line.variant.product.name.lower(),
                number=order.external_id,
                value=value,
                email=order.customer.email,
            )
            write = {
                "name": "exchange_request_create",
                "args": {
                    "order_number": order.external_id,
                    "variant": line.variant.external_id,
                    "new_variant": variant.external_id,
                },
            }
            self.dialogue("gen-exchange-yes", opening, self.choice(YES), intent="exchange_size", write=write)
            self.dialogue("gen-exchange-no", opening, self.choice(NO), intent="exchange_size", write=None)


def _group(items: Iterable[Any], *, key: Callable[[Any], str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def _unique_product(order: Any, line: Any) -> bool:
    return sum(1 for other in order.lines.all() if other.variant.product_id == line.variant.product_id) == 1


def _faq_intent(question: str) -> str:
    """A label for an FAQ (not scored: FAQs of any topic are accepted under any in-scope intent)."""
    text = question.lower()
    for intent, pattern in (
        ("return_refund", r"\breturn|refund"),
        ("exchange_size", r"\bexchange|swap"),
        ("cancel_order", r"\bcancel"),
        ("payment_billing", r"\bpay|card|charge|price|gift"),
        ("shipping_delivery", r"\bship|deliver|track|courier|parcel"),
        ("account", r"\baccount|password|log ?in|sign"),
        ("size_availability_or_fit", r"\bsize|fit|stock"),
    ):
        if re.search(pattern, text):
            return intent
    return "product_question"


def store_questions_build(
    *, seed: int = 0, per_family: int = 12, now: datetime | None = None, split: str = "test"
) -> list[dict]:
    """Labelled questions about the imported store (see the module docstring); deterministic for a
    seed and a database. ``split``: "test" (evaluate) or "calibration" (thresholds), which use
    disjoint halves of the phrasings."""
    builder = Builder(StoreFacts(now or timezone.now()), seed=seed, per_family=per_family, split=split)
    for family in (
        builder.status,
        builder.stock,
        builder.faqs,
        builder.out_of_scope,
        builder.cancels,
        builder.returns,
        builder.exchanges,
    ):
        family()
    return builder.rows


# --- Scoring writes -------------------------------------------------------------------------------
def writes_in(trace: dict) -> list[dict]:
    """The write calls that went through (ok) in a trace, as {"name", "args"}."""
    return [
        {"name": c.get("name"), "args": c.get("args")}
        for c in trace.get("tool_calls") or []
        if isinstance(c, dict) and c.get("name") in WRITE_TOOLS and c.get("ok")
    ]


def write_outcome(*, expected: dict | None, trace: dict) -> tuple[bool, bool]:
    """(right, wrong): the expected write happened (or, expecting none, none did); and whether any
    write happened that was not the expected one."""
    done = writes_in(trace)
    wrong = any(w != expected for w in done)
    right = (expected in done) if expected else not done
    return right and not wrong, wrong
