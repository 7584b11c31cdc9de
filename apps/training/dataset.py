"""The training-set builder: the store's own data turned into examples for both model jobs.

understand: shopper message -> intent label (the tokens the understand step scores).
respond:    tool results (as the passage) + question -> a reply that states only those facts.

Every example carries the template it came from and the store entities (products, orders, FAQs,
policies) it mentions. The held-out split is by template AND by entity: a test example uses a
template and entities that no training example uses, so the score measures generalisation.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from apps.training import prompt_format as fmt

TEST_FRACTION = 0.2


@dataclass
class Example:
    job: str  # "understand" | "respond"
    template: str
    intent: str
    prompt: str
    completion: str
    entities: list[str] = field(default_factory=list)
    source: str = "template"  # "template" | "phrase" | "agent" | "llm"
    user_text: str = ""
    passage: str = ""

    @property
    def key(self) -> str:
        return hashlib.sha256(
            f"{self.job}\x00{_norm(self.user_text)}\x00{_norm(self.completion)}".encode()
        ).hexdigest()

    def as_row(self) -> dict[str, Any]:
        return {"id": self.key[:16], **asdict(self)}


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


# --- Phrasing noise: code-generated typos, slang and follow-ups ---------------------------------
SLANG = {
    "you": "u",
    "please": "pls",
    "thanks": "thx",
    "are": "r",
    "your": "ur",
    "do you": "d'you",
    "want to": "wanna",
    "going to": "gonna",
    "know": "kno",
}
OPENERS = ["", "", "", "hi, ", "hey ", "hello! ", "quick question: ", "um ", "ok so ", "yo "]
CLOSERS = ["", "", "", "?", "??", " thx", " please", " asap", " :)", "..."]
FOLLOW_UPS = ["and also ", "one more thing, ", "also ", "sorry another q: ", "ok and "]


def typo(text: str, rng: random.Random) -> str:
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w) > 3 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    op = rng.choice(["swap", "drop", "double"])
    if op == "swap":
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif op == "drop":
        w = w[:j] + w[j + 1 :]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


def noisy(text: str, rng: random.Random) -> str:
    """One shopper-like rewrite: casing, slang, typos, openers, closers, follow-up framing."""
    out = text
    if rng.random() < 0.6:
        out = out.lower()
    if rng.random() < 0.4:
        for word, slang in SLANG.items():
            out = re.sub(rf"\b{re.escape(word)}\b", slang, out, flags=re.IGNORECASE)
    if rng.random() < 0.5:
        out = out.rstrip("?.!")
    if rng.random() < 0.5:
        out = typo(out, rng)
    if rng.random() < 0.15:
        out = rng.choice(FOLLOW_UPS) + out
    else:
        out = rng.choice(OPENERS) + out
    return (out + rng.choice(CLOSERS)).strip()


# --- Templates (id, text) --------------------------------------------------------------------------
SIZE_Q = [
    ("size.q1", "Do you have the {product} in size {size}?"),
    ("size.q2", "is the {product} available in {size}"),
    ("size.q3", "{product} size {size} in stock?"),
    ("size.q4", "got any {product} left in a {size}?"),
    ("size.q5", "I need the {product} in {size}, do you have it?"),
    ("size.q6", "can I still buy the {product} in size {size}"),
]
ORDER_STATUS_Q = [
    ("order.status.q1", "Where is my order {order}?"),
    ("order.status.q2", "has order {order} shipped yet"),
    ("order.status.q3", "whats the status of {order}"),
    ("order.status.q4", "any update on my order {order}?"),
    ("order.status.q5", "tracking for {order} please"),
]
CANCEL_Q = [
    ("order.cancel.q1", "Please cancel my order {order}"),
    ("order.cancel.q2", "can i still cancel {order}?"),
    ("order.cancel.q3", "I want to cancel order {order}, I ordered by mistake"),
    ("order.cancel.q4", "stop order {order} i dont want it anymore"),
]
RETURN_Q = [
    ("order.return.q1", "I want to return my order {order}"),
    ("order.return.q2", "can I send back {order} for a refund?"),
    ("order.return.q3", "how do i return the stuff from {order}"),
    ("order.return.q4", "refund for order {order} please"),
]
EXCHANGE_Q = [
    ("order.exchange.q1", "Can I exchange order {order} for size {size}?"),
    ("order.exchange.q2", "I need a {size} instead, order {order}"),
    ("order.exchange.q3", "swap my {order} for a size {size} please"),
]
FAQ_Q = [
    ("faq.q1", "{q}"),
    ("faq.q2", "quick question, {q}"),
    ("faq.q3", "hey can you tell me: {q}"),
    ("faq.q4", "i was wondering {q}"),
]
POLICY_Q = [
    ("policy.return_window.q1", "How many days do I have to return something?", "return_window_days"),
    ("policy.return_window.q2", "whats your return window", "return_window_days"),
    ("policy.exchange_window.q1", "how long do i have to exchange an item?", "exchange_window_days"),
    ("policy.exchange_window.q2", "until when can i swap sizes", "exchange_window_days"),
    ("policy.shipping_payer.q1", "who pays for return shipping?", "return_shipping_paid_by"),
    ("policy.shipping_payer.q2", "do i have to pay to send it back", "return_shipping_paid_by"),
]
OUT_OF_SCOPE = [
    ("oos.q1", "what's the weather like tomorrow"),
    ("oos.q2", "can you write me a poem about cats"),
    ("oos.q3", "who won the football game last night"),
    ("oos.q4", "what is the capital of australia"),
    ("oos.q5", "help me with my math homework"),
    ("oos.q6", "tell me a joke"),
    ("oos.q7", "how do i fix my car's brakes"),
    ("oos.q8", "recommend a good movie"),
]
HUMAN = [
    ("human.q1", "I want to talk to a person"),
    ("human.q2", "can i speak to a human please"),
    ("human.q3", "get me a real agent"),
    ("human.q4", "this bot is useless, let me talk to someone"),
    ("human.q5", "i need a manager now"),
    ("human.q6", "connect me with customer service"),
]
GREETING = [
    ("greet.q1", "hi"),
    ("greet.q2", "hello there"),
    ("greet.q3", "good morning!"),
    ("greet.q4", "thanks, bye"),
]
UNVERIFIED_REPLY = [
    "I can help with order {order}. To protect your privacy, please tell me the email address used "
    "for the order.",
    "Happy to check order {order}. First, please confirm the email address you used when ordering.",
]

FAQ_INTENT_WORDS = [
    ("shipping_delivery", ("ship", "deliver", "shipping")),
    ("return_refund", ("return", "refund")),
    ("exchange_size", ("exchange", "swap")),
    ("payment_billing", ("pay", "card", "billing", "paypal", "charge")),
    ("account", ("account", "password", "login", "sign in")),
    ("cancel_order", ("cancel",)),
    ("size_availability_or_fit", ("size", "fit")),
]


def faq_intent(text: str) -> str:
    low = text.lower()
    for intent, words in FAQ_INTENT_WORDS:
        if any(w in low for w in words):
            return intent
    return "product_question"


def _first_sentences(text: str, n: int = 2) -> str:
    parts = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    return " ".join(parts[:n])


class Builder:
    """Generates examples; ``variants`` noisy rephrasings per template use."""

    def __init__(self, *, seed: int, variants: int = 2):
        self.rng = random.Random(seed)
        self.variants = variants
        self.examples: list[Example] = []

    def phrasings(self, text: str) -> list[str]:
        return [text] + [noisy(text, self.rng) for _ in range(self.variants)]

    def add_understand(
        self, *, text: str, intent: str, template: str, entities: list[str], source: str
    ) -> None:
        prompt, completion = fmt.understand_pair(text=text, intent=intent)
        self.examples.append(
            Example("understand", template, intent, prompt, completion, entities, source, user_text=text)
        )

    def add_both(
        self,
        *,
        text: str,
        intent: str,
        template: str,
        entities: list[str],
        passage: str,
        reply: str,
        source: str = "template",
    ) -> None:
        self.add_understand(text=text, intent=intent, template=template, entities=entities, source=source)
        prompt, completion = fmt.respond_pair(question=text, passage=passage, reply=reply)
        self.examples.append(
            Example("respond", template, intent, prompt, completion, entities, source, text, passage)
        )

    # Families ------------------------------------------------------------------------------------
    def knowledge(self) -> None:
        from apps.knowledge.selectors import faq_list, policy_rules

        for faq in faq_list():
            intent = faq_intent(f"{faq.question} {' '.join(faq.tags or [])}")
            answer = _first_sentences(faq.answer)
            passage = f"{faq.question} {faq.answer}"
            for tid, tpl in FAQ_Q:
                q = tpl.format(
                    q=faq.question[0].lower() + faq.question[1:] if tid != "faq.q1" else faq.question
                )
                for text in self.phrasings(q)[: 1 + (tid == "faq.q1")]:
                    self.add_both(
                        text=text,
                        intent=intent,
                        template=tid,
                        entities=[f"faq:{faq.external_id}"],
                        passage=passage,
                        reply=answer,
                    )
        rules = policy_rules()
        payer = rules.get("return_shipping_paid_by", "store")
        passage = (
            f"Returns are accepted within {rules['return_window_days']} days of delivery. Exchanges within "
            f"{rules['exchange_window_days']} days. Return shipping is paid by the "
            f"{'store' if payer == 'store' else 'customer'}."
        )
        replies = {
            "return_window_days": (
                f"You can return items within {rules['return_window_days']} days of delivery."
            ),
            "exchange_window_days": (
                f"You can exchange an item within {rules['exchange_window_days']} days of delivery."
            ),
            "return_shipping_paid_by": (
                "Return shipping is free: we pay for it."
                if payer == "store"
                else "Return shipping is paid by the customer."
            ),
        }
        intents = {
            "return_window_days": "return_refund",
            "exchange_window_days": "exchange_size",
            "return_shipping_paid_by": "return_refund",
        }
        for tid, q, key in POLICY_Q:
            for text in self.phrasings(q):
                self.add_both(
                    text=text,
                    intent=intents[key],
                    template=tid,
                    entities=[f"policy:{key}"],
                    passage=passage,
                    reply=replies[key],
                )

    def sizes(self) -> None:
        from apps.catalog.models import Product
        from apps.catalog.selectors import variant_availability

        for product in Product.objects.prefetch_related("variants").order_by("external_id"):
            sizes = sorted({v.size for v in product.variants.all() if v.size})
            if not sizes:
                continue
            in_stock = [v.size for v in product.variants.all() if v.size and v.in_stock]
            sold_out = [s for s in sizes if s not in in_stock]
            fake = "17" if sizes[0][:1].isdigit() else "XXXXL"
            asks = []
            if in_stock:
                asks.append(self.rng.choice(in_stock))
            if sold_out:
                asks.append(self.rng.choice(sold_out))
            asks.append(fake)
            for size in asks:
                av = variant_availability(product=product, size=size)
                passage = fmt.tool_passage("availability", av)
                reply = self._availability_reply(av)
                tid, tpl = self.rng.choice(SIZE_Q)
                display = av["size"] or size
                for text in self.phrasings(tpl.format(product=product.name.lower(), size=display))[:2]:
                    self.add_both(
                        text=text,
                        intent="size_availability_or_fit",
                        template=tid,
                        entities=[f"product:{product.external_id}"],
                        passage=passage,
                        reply=reply,
                    )

    @staticmethod
    def _availability_reply(av: dict[str, Any]) -> str:
        name, size = av["product"]["name"], av["size"]
        nearest = fmt._join(av["nearest_in_stock"]) if av["nearest_in_stock"] else ""
        if not av["size_exists"]:
            have = fmt._join(av["sizes_in_stock"])
            tail = f" Sizes in stock: {have}." if have else " It is currently sold out in every size."
            return f"The {name} does not come in size {size}.{tail}"
        if av["in_stock"]:
            left = f" ({av['stock']} left)" if av["stock"] is not None else ""
            price = f" for ${av['price']}" if av["price"] else ""
            return f"Yes, the {name} is in stock in size {size}{left}{price}."
        if nearest:
            return f"Sorry, the {name} is sold out in size {size}. The nearest sizes in stock are {nearest}."
        return f"Sorry, the {name} is sold out in size {size}, and no other sizes are in stock right now."

    def orders(self) -> None:
        from apps.orders.models import Order
        from apps.orders.selectors import exchange_options, order_status_summary, return_eligibility

        for order in Order.objects.order_by("external_id"):
            number = order.external_id
            entity = [f"order:{number}"]
            summary = order_status_summary(order=order)
            passage = fmt.tool_passage("order", summary)
            # Unverified shopper: the reply asks to verify, and reveals nothing.
            tid, tpl = self.rng.choice(ORDER_STATUS_Q)
            text = noisy(tpl.format(order=number), self.rng)
            self.add_both(
                text=text,
                intent="order_status",
                template=tid + ".unverified",
                entities=entity,
                passage=fmt.passage_unverified(order_number=number),
                reply=self.rng.choice(UNVERIFIED_REPLY).format(order=number),
            )
            tid, tpl = self.rng.choice(ORDER_STATUS_Q)
            for text in self.phrasings(tpl.format(order=number))[:2]:
                self.add_both(
                    text=text,
                    intent="order_status",
                    template=tid,
                    entities=entity,
                    passage=passage,
                    reply=self._status_reply(summary),
                )
            tid, tpl = self.rng.choice(CANCEL_Q)
            self.add_both(
                text=noisy(tpl.format(order=number), self.rng),
                intent="cancel_order",
                template=tid,
                entities=entity,
                passage=passage,
                reply=self._cancel_reply(summary),
            )
            elig = return_eligibility(order=order)
            tid, tpl = self.rng.choice(RETURN_Q)
            self.add_both(
                text=noisy(tpl.format(order=number), self.rng),
                intent="return_refund",
                template=tid,
                entities=entity,
                passage=fmt.tool_passage("eligibility", elig, order_number=number),
                reply=self._return_reply(elig, number),
            )
            sizes = [line["options"].get("size") for line in summary["lines"] if line["options"].get("size")]
            if sizes:
                size = str(sizes[0])
                ex = exchange_options(order=order, size=size)
                tid, tpl = self.rng.choice(EXCHANGE_Q)
                self.add_both(
                    text=noisy(tpl.format(order=number, size=size), self.rng),
                    intent="exchange_size",
                    template=tid,
                    entities=entity,
                    passage=fmt.tool_passage(
                        "eligibility",
                        {**ex, "window": "exchange", "return_shipping_paid_by": None},
                        order_number=number,
                    ),
                    reply=self._exchange_reply(ex, number),
                )

    @staticmethod
    def _status_reply(s: dict[str, Any]) -> str:
        n, status = s["order_number"], s["status"]
        if status in ("shipped", "processed") and s["shipments"]:
            sh = s["shipments"][0]
            tracking = fmt._join(sh["tracking_numbers"]) or "not available yet"
            carrier = sh["carrier"] or "the carrier"
            return f"Your order {n} has shipped with {carrier}; tracking number {tracking}."
        if status == "delivered":
            return f"Your order {n} was delivered on {fmt._date(s['delivered_at']) or 'its delivery date'}."
        if status == "pending":
            return f"Your order {n} was placed on {fmt._date(s['placed_at'])} and has not shipped yet."
        return f"Your order {n} is {status.replace('_', ' ')}."

    @staticmethod
    def _cancel_reply(s: dict[str, Any]) -> str:
        n = s["order_number"]
        if s["can_cancel"]:
            return f"Order {n} has not shipped yet, so it can be cancelled. Shall I cancel it for you?"
        return f"Order {n} is {s['status'].replace('_', ' ')}, so it can no longer be cancelled."

    @staticmethod
    def _return_reply(e: dict[str, Any], n: str) -> str:
        if e["eligible"]:
            days, window = e["days_left"], e["window_days"]
            return f"Order {n} can be returned: you have {days} days left of the {window}-day window."
        return f"Order {n} {fmt.RETURN_REASONS.get(e['reason'], 'cannot be returned')}."

    @staticmethod
    def _exchange_reply(e: dict[str, Any], n: str) -> str:
        if e["eligible"]:
            return f"Order {n} can be exchanged for size {e['size']}. Shall I start the exchange?"
        return f"Order {n} {fmt.RETURN_REASONS.get(e['reason'], 'cannot be exchanged')}."

    def fixed(self, store_name: str) -> None:
        oos_reply = (
            f"Sorry, I can only help with questions about {store_name}: "
            "orders, products, shipping and returns."
        )
        human_reply = "Of course, I am connecting you with a member of our team now."
        for family, intent, reply in (
            (OUT_OF_SCOPE, "out_of_scope", oos_reply),
            (HUMAN, "complaint_or_human", human_reply),
            (GREETING, "greeting", f"Hello! Welcome to {store_name}. How can I help you today?"),
        ):
            for tid, q in family:
                for text in self.phrasings(q):
                    self.add_both(
                        text=text, intent=intent, template=tid, entities=[], passage="", reply=reply
                    )

    def phrases(self) -> None:
        """The assistant's own seed phrasings, as understand examples (one template each)."""
        from apps.assistant.phrasing import PHRASES

        for intent, texts in PHRASES.items():
            for i, text in enumerate(texts):
                self.add_understand(
                    text=text, intent=intent, template=f"phrase.{intent}.{i}", entities=[], source="phrase"
                )

    def agent_answers(self) -> None:
        """Conversations agents resolved: the agent's reply is the target, PII replaced."""
        try:
            from apps.conversations.models import Conversation, Message
        except ImportError:
            return
        from apps.inference.llm import pii_redact

        agent_msgs = Message.objects.filter(role=Message.Role.AGENT).select_related("conversation")
        agent_msgs = agent_msgs.filter(conversation__owner=Conversation.Owner.CLOSED).order_by("pk")
        for msg in agent_msgs:
            question = (
                Message.objects.filter(
                    conversation=msg.conversation, role=Message.Role.SHOPPER, pk__lt=msg.pk
                )
                .order_by("-pk")
                .first()
            )
            if question is None or not msg.text.strip():
                continue
            names = _customer_names(msg.conversation)
            mapping: dict[str, str] = {}
            q_text, mapping = pii_redact(question.text, names=names, mapping=mapping)
            a_text, mapping = pii_redact(msg.text, names=names, mapping=mapping)
            intent = msg.conversation.intent or "complaint_or_human"
            prompt, completion = fmt.respond_pair(question=q_text, passage="", reply=a_text)
            self.examples.append(
                Example(
                    "respond",
                    f"agent.{msg.conversation_id}",
                    intent,
                    prompt,
                    completion,
                    [f"conversation:{msg.conversation_id}"],
                    "agent",
                    q_text,
                    "",
                )
            )


def _customer_names(conversation: Any) -> list[str]:
    """The shopper's names as the store knows them, so redaction catches "Hi Derek!" too."""
    from django.db.models import Q

    from apps.orders.models import Customer

    query = Q()
    if conversation.customer_email:
        query |= Q(email__iexact=conversation.customer_email)
    if conversation.customer_external_id:
        query |= Q(external_id=conversation.customer_external_id)
    if not query:
        return []
    names: list[str] = []
    for customer in Customer.objects.filter(query)[:5]:
        full = f"{customer.first_name} {customer.last_name}".strip()
        names += [n for n in (full, customer.first_name, customer.last_name) if n]
    return names


# --- Dedup and split -----------------------------------------------------------------------------
def dedup(examples: list[Example]) -> list[Example]:
    seen: set[str] = set()
    out = []
    for ex in examples:
        if ex.key not in seen:
            seen.add(ex.key)
            out.append(ex)
    return out


def _held_out(name: str, *, seed: int, fraction: float = TEST_FRACTION) -> bool:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < fraction


def split(examples: list[Example], *, seed: int) -> tuple[list[Example], list[Example], dict[str, Any]]:
    """Train and test, disjoint by template and by entity. Examples that mix a held-out template
    with a training entity (or the reverse) are dropped rather than leak across the split."""
    train, test, dropped = [], [], 0
    for ex in examples:
        t_test = _held_out(ex.template, seed=seed)
        e_flags = {_held_out(e, seed=seed + 1) for e in ex.entities}
        if t_test and e_flags <= {True}:
            test.append(ex)
        elif not t_test and e_flags <= {False}:
            train.append(ex)
        else:
            dropped += 1
    # The same shopper text must not be scored after being trained on.
    train_texts = {_norm(ex.user_text) for ex in train}
    before = len(test)
    test = [ex for ex in test if _norm(ex.user_text) not in train_texts]
    info = {"dropped_crossing": dropped, "dropped_text_overlap": before - len(test)}
    return train, test, info


def _write_jsonl(path: Path, rows: Iterator[dict[str, Any]]) -> str:
    data = "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)
    path.write_text(data, encoding="utf-8")
    return hashlib.sha256(data.encode()).hexdigest()


def training_set_build(
    *, out_dir: Path | None = None, seed: int = 1234, limit: int = 0, variants: int = 2
) -> dict[str, Any]:
    """Build train.jsonl, test.jsonl and manifest.json from the store in the database."""
    from apps.catalog.models import Store

    builder = Builder(seed=seed, variants=variants)
    builder.knowledge()
    builder.sizes()
    builder.orders()
    builder.fixed(Store.current().name)
    builder.phrases()
    builder.agent_answers()
    from apps.training.llm_phrasing import llm_paraphrases

    builder.examples += llm_paraphrases(examples=builder.examples, seed=seed)
    examples = dedup(builder.examples)
    train, test, info = split(examples, seed=seed)
    if limit:
        rng = random.Random(seed)
        n_test = min(len(test), max(2, limit // 5))
        train = rng.sample(train, min(len(train), limit - n_test))
        # Alternate the jobs so a small held-out split still scores both.
        by_job = {job: rng.sample(rows, len(rows)) for job in ("understand", "respond")
                  for rows in [[ex for ex in test if ex.job == job]]}  # fmt: skip
        mixed = [ex for pair in zip(by_job["understand"], by_job["respond"], strict=False) for ex in pair]
        rest = by_job["understand"][len(mixed) // 2 :] + by_job["respond"][len(mixed) // 2 :]
        test = (mixed + rest)[:n_test]
    payload_hash = hashlib.sha256(
        "".join(sorted(ex.key for ex in train)).encode()
        + b"|"
        + "".join(sorted(ex.key for ex in test)).encode()
    ).hexdigest()
    if out_dir is None:
        from apps.training.paths import sets_dir

        out_dir = sets_dir() / payload_hash[:12]
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = {
        "seed": seed,
        "limit": limit,
        "prompt_format": fmt.format_hash(),
        "sha256": payload_hash,
        "files": {
            "train.jsonl": _write_jsonl(out_dir / "train.jsonl", (ex.as_row() for ex in train)),
            "test.jsonl": _write_jsonl(out_dir / "test.jsonl", (ex.as_row() for ex in test)),
        },
        "counts": {
            "generated": len(builder.examples),
            "unique": len(examples),
            "train": len(train),
            "test": len(test),
            **info,
            "train_by_job": dict(Counter(ex.job for ex in train)),
            "test_by_job": dict(Counter(ex.job for ex in test)),
            "train_by_intent": dict(sorted(Counter(ex.intent for ex in train).items())),
            "by_source": dict(Counter(ex.source for ex in examples)),
        },
        "test_templates": sorted({ex.template for ex in test}),
        "test_entities": sorted({e for ex in test for e in ex.entities}),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    manifest["dir"] = str(out_dir)
    return manifest


def training_sets_merge(*, dirs: list[Path], out_dir: Path, seed: int = 1234) -> dict[str, Any]:
    """One training set from sets built on several stores (each ``training_set_build`` in its own
    database): the shipped adapter learns from stores of different kinds, not one. Train rows are
    pooled and shuffled; a held-out row whose shopper text any store trains on is dropped."""
    manifests = [json.loads((d / "manifest.json").read_text()) for d in dirs]
    formats = {m["prompt_format"] for m in manifests}
    if len(formats) != 1:
        raise ValueError(f"the sets were built for different prompt formats: {sorted(formats)}")

    def rows(name: str) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for d in dirs:
            for line in (d / name).read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    out.setdefault(row["id"], row)
        return list(out.values())

    train = rows("train.jsonl")
    trained = {_norm(row.get("user_text", "")) for row in train}
    train_ids = {row["id"] for row in train}
    test = [
        row
        for row in rows("test.jsonl")
        if row["id"] not in train_ids and _norm(row.get("user_text", "")) not in trained
    ]
    random.Random(seed).shuffle(train)
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = "".join(sorted(r["id"] for r in train)) + "|" + "".join(sorted(r["id"] for r in test))
    manifest = {
        "seed": seed,
        "limit": 0,
        "prompt_format": formats.pop(),
        "sha256": hashlib.sha256(payload.encode()).hexdigest(),
        "merged_from": [
            {"dir": str(d), "sha256": m["sha256"], "counts": m["counts"]}
            for d, m in zip(dirs, manifests, strict=True)
        ],
        "files": {
            "train.jsonl": _write_jsonl(out_dir / "train.jsonl", iter(train)),
            "test.jsonl": _write_jsonl(out_dir / "test.jsonl", iter(test)),
        },
        "counts": {
            "train": len(train),
            "test": len(test),
            "train_by_job": dict(Counter(r["job"] for r in train)),
            "test_by_job": dict(Counter(r["job"] for r in test)),
            "train_by_intent": dict(sorted(Counter(r["intent"] for r in train).items())),
        },
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    manifest["dir"] = str(out_dir)
    return manifest
