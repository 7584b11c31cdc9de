"""A small, transparent code-side intent classifier: naive Bayes over words, word pairs and
character n-grams, trained at import from the project's own seed phrasings (phrasing.py), plus
high-precision keyword rules. It runs in well under a millisecond and is robust to typos, which
the base SLM is not; its posterior is combined with the SLM's label probabilities in understand.py.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache

from apps.assistant.intents import INTENTS
from apps.assistant.phrasing import PHRASES

WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Common shopper spellings folded onto one form before counting.
FOLD = {
    "wheres": "where",
    "whats": "what",
    "pls": "please",
    "plz": "please",
    "u": "you",
    "ur": "your",
    "r": "are",
    "recieved": "received",
    "recieve": "receive",
    "delievery": "delivery",
    "delivary": "delivery",
    "dilevery": "delivery",
    "shiping": "shipping",
    "shipped": "ship",
    "shipping": "ship",
    "shipment": "ship",
    "ships": "ship",
    "orders": "order",
    "ordered": "order",
    "oder": "order",
    "ordr": "order",
    "packages": "package",
    "parcel": "package",
    "refunds": "refund",
    "refunded": "refund",
    "returns": "return",
    "returned": "return",
    "returning": "return",
    "cancelled": "cancel",
    "canceled": "cancel",
    "cancellation": "cancel",
    "cancelling": "cancel",
    "sizes": "size",
    "delivered": "deliver",
    "delivering": "deliver",
    "deliveries": "delivery",
    "tracking": "track",
    "payments": "payment",
    "paid": "pay",
    "charged": "charge",
    "exchanges": "exchange",
    "exchanging": "exchange",
    "colour": "color",
    "colours": "color",
    "colors": "color",
}


def tokens(text: str) -> list[str]:
    words = [FOLD.get(w, w) for w in WORD_RE.findall(text.lower())]
    feats = list(words)
    feats += [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    for word in words:
        padded = f"<{word}>"
        if len(padded) > 4:
            feats += [f"#{padded[i : i + 4]}" for i in range(len(padded) - 3)]
    return feats


class NaiveBayes:
    def __init__(self, data: dict[str, list[str]], alpha: float = 0.3) -> None:
        self.alpha = alpha
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.totals: dict[str, int] = {}
        vocab: set[str] = set()
        for intent, phrases in data.items():
            for phrase in phrases:
                feats = tokens(phrase)
                self.counts[intent].update(feats)
                vocab.update(feats)
        self.vocab_size = len(vocab)
        self.vocab = vocab
        for intent in INTENTS:
            self.totals[intent] = sum(self.counts[intent].values())

    def log_scores(self, text: str) -> dict[str, float]:
        feats = [f for f in tokens(text) if f in self.vocab]
        out = {}
        for intent in INTENTS:
            denom = self.totals[intent] + self.alpha * self.vocab_size
            counts = self.counts[intent]
            out[intent] = sum(math.log((counts[f] + self.alpha) / denom) for f in feats)
        return out

    def known_fraction(self, text: str) -> float:
        words = WORD_RE.findall(text.lower())
        if not words:
            return 0.0
        return sum(FOLD.get(w, w) in self.vocab for w in words) / len(words)


@lru_cache(maxsize=1)
def model() -> NaiveBayes:
    return NaiveBayes(PHRASES)


def _softmax(logs: dict[str, float], temperature: float) -> dict[str, float]:
    top = max(logs.values())
    exps = {k: math.exp((v - top) / temperature) for k, v in logs.items()}
    total = sum(exps.values())
    return {k: v / total for k, v in exps.items()}


# (intent, pattern, log-boost): keyword evidence a shopper's wording rarely gives by accident.
RULES: list[tuple[str, re.Pattern[str], float]] = [
    (
        "complaint_or_human",
        re.compile(
            r"\b(?:talk|speak|chat|connect|transfer|put)\b[^.?!]{0,30}\b(?:human|person|agent|someone|somebody|"
            r"representative|rep|manager|supervisor|real|staff|operator)\b|\blive (?:agent|chat|person)\b|"
            r"\b(?:customer (?:service|care|support)|call ?(?:cent(?:er|re))|helpline|phone number|contact number)\b|"  # noqa: E501
            r"\b(?:human|real person|agent)\s*(?:please|pls|now)?\s*[.!?]*$",
            re.I,
        ),
        6.0,
    ),
    (
        "complaint_or_human",
        re.compile(r"\b(?:complain(?:t)?|terrible|worst|useless|awful|unacceptable)\b", re.I),
        2.5,
    ),
    ("cancel_order", re.compile(r"\bcancel", re.I), 4.0),
    (
        "exchange_size",
        re.compile(
            r"\b(?:exchange|swap|trade)\b[^.?!]{0,40}\b(?:size|bigger|smaller|larger|color|colour|fit|xl|"
            r"small|medium|large|\d{1,2}(?:\.5)?)\b|\b(?:bigger|smaller|different|next) size\b",
            re.I,
        ),
        4.0,
    ),
    (
        "return_refund",
        re.compile(r"\b(?:refund|return|money back|send (?:it|them) back|replace(?:ment)?)\b", re.I),
        3.5,
    ),
    (
        "size_availability_or_fit",
        re.compile(
            r"\b(?:sizes?|size chart|true to size|run(?:s)? (?:small|large|big)|fit(?:s|ting)?|in stock|stock)\b|"  # noqa: E501
            r"\b(?:an?|in)\s+\d{1,2}(?:\.5)?s?\b",
            re.I,
        ),
        2.5,
    ),
    (
        "order_status",
        re.compile(r"\baddress\b[^.?!]{0,30}\border\b|\border\b[^.?!]{0,30}\baddress\b", re.I),
        2.0,
    ),
    (
        "order_status",
        re.compile(r"\b(?:track(?:ing)?|where(?:'s| is)? my|status|arriv|deliver(?:ed)?\b|dispatch)", re.I),
        2.0,
    ),
    (
        "shipping_delivery",
        re.compile(
            r"\b(?:ship(?:ping)? (?:cost|fee|charge|time|rate)s?|international|pin ?code|zip ?code|courier|express)\b",  # noqa: E501
            re.I,
        ),
        2.0,
    ),
    (
        "payment_billing",
        re.compile(
            r"\b(?:pay(?:ment)?|paypal|card|cod|emi|invoice|bill(?:ing)?|charged?|installments?|receipt|gst)\b",
            re.I,
        ),
        2.5,
    ),
    (
        "account",
        re.compile(r"\b(?:password|log ?in|sign ?(?:in|up)|account|profile|unsubscribe)\b", re.I),
        2.5,
    ),
    (
        "greeting",
        re.compile(
            r"^\W*(?:hi+|hello+|hey+|hiya|yo|good (?:morning|afternoon|evening)|thanks?|thank (?:you|u)|ty|bye|"  # noqa: E501
            r"goodbye|cheers|ok(?:ay)?|cool|great)(?: there| so much| a lot| again| team)?\W*$",
            re.I,
        ),
        5.0,
    ),
]


def code_probs(text: str, *, temperature: float = 3.0) -> dict[str, float]:
    """Posterior over INTENTS from naive Bayes (tempered) plus rule boosts."""
    nb = model()
    logs = nb.log_scores(text)
    logs = {k: v / temperature for k, v in logs.items()}
    for intent, pattern, boost in RULES:
        if pattern.search(text):
            logs[intent] += boost
    # Words the model has never seen are a sign the message is about something else.
    unknown = 1.0 - nb.known_fraction(text)
    logs["out_of_scope"] += 3.0 * max(0.0, unknown - 0.3)
    return _softmax(logs, 1.0)


def asks_for_human(text: str) -> bool:
    return bool(RULES[0][1].search(text))
