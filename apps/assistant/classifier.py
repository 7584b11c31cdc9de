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
from apps.assistant.slots import EMAIL_RE, order_numbers_find
from apps.catalog.fuzzy import osa_distance
from apps.inference.embeddings import english_words

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
    "thx": "thanks",
    "tnx": "thanks",
    "returnable": "return",
    "refundable": "refund",
    "exchangeable": "exchange",
    "cancellable": "cancel",
    "cancelable": "cancel",
}

# Domain words shoppers mistype most; an unknown word one or two edits away from one of these is
# read as it ("tack" -> "track", "whees" -> "where", "refnd" -> "refund"). Only these targets are
# corrected, so ordinary words outside the store's topics are never bent towards an intent.
KEY_WORDS = (
    "track tracking wheres order orders return returns returned returning refund refunds exchange swap "
    "size sizes sized sizing stock available availability cancel status where when what whats "
    "ship shipped shipping shipment deliver delivered delivery package parcel arrive arrived "
    "coming received receive waiting still email address number price cost much made material "
    "wash fit fits fitting wide width small medium large please send back money payment charged "
    "invoice password account login human person agent complaint warehouse left checking "
    "registered damaged wrong broken item items need want looking have about shoes jacket hoodie "
    "boots trainer runners thanks hello help policy returnable refundable exchangeable final card stop"
).split()
_KEY_SET = frozenset(KEY_WORDS)
# Short, common words that must never be "corrected" into a key word.
_KEEP = frozenset(
    "a an the and or but if of in on at to for by with from up out it is are was were be been am i "
    "me my you your we our they them he she his her its this that these those do does did done "
    "not no yes so too can could would should will shall may might must have has had get got go "
    "goes went come came see saw say said tell told know let make how who why which one two all "
    "any some more most less than then there here what when where now just only also very off "
    "rain sort port ship shop hop tip top bag buy pay day way sale size cost care made mode more "
    "store sure sale same stop shoe shoes sides side site sites wise wider line lines fine five "
    "short shirt shirts slip cart fins".split()
)


@lru_cache(maxsize=8192)
def word_correct(word: str) -> str:
    """A mistyped domain word read as the key word it is closest to; any other word unchanged.

    Distance 1 for words of 4+ letters (3 when a letter was dropped: "whn", "cst"), distance 2
    for words of 7+ letters that are no English words; a tie between two key words leaves the
    word alone.
    """
    if word in _KEY_SET or word in _KEEP or word in FOLD or not word.isalpha() or len(word) < 3:
        return word
    if word in model().words:
        return word
    # Two edits only for a word that is no English word: "wsahing" is "washing", but "washing"
    # itself is no slip of "waiting".
    limit = 2 if len(word) >= 7 and word not in english_words() else 1
    best: list[str] = []
    best_d = limit + 1
    for key in KEY_WORDS:
        if len(word) == 3 and (len(key) != 4 or not set(word) <= set(key)):
            continue  # three letters: only a dropped letter of a four-letter key word
        key_limit = limit if len(key) >= 5 else 1  # two edits only between long words
        d = osa_distance(word, key, key_limit)
        if d > key_limit:
            continue
        if d < best_d:
            best, best_d = [key], d
        elif d == best_d and key not in best:
            best.append(key)
    if best_d > limit:
        return word
    # Shoppers rarely mistype the first letter: among equally close key words keep those that
    # share it ("tack" -> "track", not "back").
    same_start = [key for key in best if key[0] == word[0]]
    if len(same_start) == 1:
        return same_start[0]
    # Still tied: two swapped letters are the commonest slip ("waht" is "what", not "want").
    swapped = [key for key in same_start if sorted(key) == sorted(word)]
    if len(swapped) == 1:
        return swapped[0]
    if len(best) == 1 and best_d == 1 and len(word) >= 5:
        return best[0]
    return word


def normalize(text: str) -> str:
    """The classifier's view of a message: lower case, emails and order numbers replaced by the
    words "email" and "order" (their letters are names, not topic), mistyped key words fixed."""
    text = EMAIL_RE.sub(" email ", text)
    for number in order_numbers_find(text):
        # "order #W123" -> "order"; a bare "#W123" -> "order" (one word either way).
        text = re.sub(
            r"(\border\s*(?:no\.?|num(?:ber)?|id)?\s*[:#]?\s*)?#?\s?" + re.escape(number) + r"\b",
            " order ",
            text,
            flags=re.IGNORECASE,
        )
    return spelling_fix(text)


def spelling_fix(text: str) -> str:
    """Lower case, mistyped key words fixed; everything else as typed (for search queries too)."""
    # Parts of hyphenated names ("slip-ons", "3-pack") are left as typed: they are names, not typos.
    return re.sub(
        r"(?<![A-Za-z-])[A-Za-z]+(?![A-Za-z-])", lambda m: word_correct(m.group(0).lower()), text.lower()
    )


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
MAX_REPAIR_LETTERS = 24  # longer "words" are pasted junk: their ~54 × n candidates are not built


def _edits1(word: str) -> tuple[set[str], set[str]]:
    """(transpositions, every other single edit) of ``word`` (Norvig's candidate generator)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1 and b[0] != b[1]}
    others = {a + b[1:] for a, b in splits if b}
    others |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS if c != b[0]}
    others |= {a + c + b for a, b in splits for c in _LETTERS}
    return swaps, others


def query_spelling_fix(text: str, *, topical: frozenset[str]) -> str:
    """``spelling_fix``, then any other word that is neither English nor in ``topical`` (the
    store's own knowledge words) read as the one word a single slip away from it, for the
    knowledge search: "how fsat do you ship" asks how fast. Preference among candidates: the one
    transposition ("fsat" -> "fast", not "feat" or "flat"), else, for a word of five letters or
    more, the one word of the store's knowledge or the only English candidate. Anything still
    ambiguous is left as typed; so is everything when no English word list is installed."""
    fixed = spelling_fix(text)
    english = english_words()
    if not english:
        return fixed

    def correct(match: re.Match) -> str:
        word = match.group(0)
        if not 4 <= len(word) <= MAX_REPAIR_LETTERS or word in english or word in topical:
            return word
        if word in _KEEP or word in FOLD:
            return word
        swaps, others = _edits1(word)
        known_swaps = {w for w in swaps if w in english or w in topical}
        if len(known_swaps) == 1:
            return known_swaps.pop()
        known = known_swaps | {w for w in others if w in english or w in topical}
        in_store = [w for w in known if w in topical]
        if len(in_store) == 1 and len(word) >= 5:  # four letters are a slip of too many words
            return in_store[0]
        if len(known) == 1 and len(word) >= 5:
            return known.pop()
        return word

    return re.sub(r"(?<![a-z-])[a-z]+(?![a-z-])", correct, fixed)


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
        self.words = frozenset(w for w in vocab if w.isalpha())
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
        re.compile(
            r"\b(?:complain(?:t)?|terrible|worst|useless|awful|unacceptable|ridiculous|outrageous|upset|furious|"
            r"angry|fell apart|falling apart)\b|"
            r"\b(?:nobody|no one|no-one)\s+(?:answers|replies|responds|helps|gets back)",
            re.I,
        ),
        5.0,
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
    # "the hoodie in #W123 is too small, can i get a medium instead": an exchange in all but name.
    (
        "exchange_size",
        re.compile(
            r"\btoo (?:small|big|large|tight|loose|short|long|narrow|wide)\b[^?!]{0,60}\binstead\b|"
            r"\b(?:get|have|send|want|need)\b[^.?!]{0,30}\binstead\b",
            re.I,
        ),
        3.0,
    ),
    # "stop my order from shipping": a cancellation.
    ("cancel_order", re.compile(r"\b(?:stop|halt)\b[^.?!]{0,20}\b(?:order|ship\w*|delivery)\b", re.I), 3.0),
    # "exchange please #W123": swapping is its own intent even without a size named.
    ("exchange_size", re.compile(r"\b(?:exchang\w*|swap\w*)\b(?!\s+rates?\b)", re.I), 2.5),
    (
        "return_refund",
        re.compile(
            r"\b(?:refund\w*|return(?:s|ed|ing|able)?|money back|send (?:\w+ )?back|replace(?:ment)?)\b",
            re.I,
        ),
        3.5,
    ),
    # A refund is money, not a parcel: "still waiting on my refund" is a refund question
    # even though it reads like a delivery one (ASK_TRACE's tie-break).
    ("return_refund", re.compile(r"\brefund\w*", re.I), 2.0),
    # "are socks final sale": whether a thing can come back is the returns policy, whatever it is.
    ("return_refund", re.compile(r"\bfinal[- ]sale\b|\bnon[- ]?returnable\b", re.I), 5.0),
    (
        "size_availability_or_fit",
        re.compile(
            r"\b(?:sizes?|sized|sizing|size chart|true to size|run(?:s)? (?:small|large|big)|fit(?:s|ting)?|"
            r"in stock|stock|wide|width|widths|narrow)\b|"
            r"\b(?:an?|in)\s+\d{1,2}(?:\.5)?s?\b|\bany\b[^.?!]{0,25}\bleft\b",
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
            r"\b(?:ship(?:ping)? (?:cost|fee|charge|time|rate)s?|international|pin ?code|zip ?code|"
            r"courier|express|customs|duties|import tax)\b",
            re.I,
        ),
        2.0,
    ),
    (
        "payment_billing",
        re.compile(
            r"\b(?:pay(?:ment)?|paypal|card|cod|emi|invoice|bill(?:ing)?|charged?|installments?|receipt|gst|"
            r"price (?:match|adjust)\w*|(?:get|refund|pay) (?:me )?the difference)\b",
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


ORDER_INTENTS = ("order_status", "cancel_order", "return_refund", "exchange_size")
# log-boosts when the message carries an order number: it is about an order, whatever the words.
ORDER_NUMBER_PRIOR = {
    "order_status": 1.5,
    "cancel_order": 1.0,
    "return_refund": 1.5,
    "exchange_size": 1.0,
    "size_availability_or_fit": -1.5,
    "shipping_delivery": -1.5,
    "payment_billing": -0.5,
    "account": -1.0,
    "product_question": -2.0,
    "greeting": -3.0,
    "out_of_scope": -4.0,
}
# An email address alone is weaker evidence (account questions carry one too).
EMAIL_PRIOR = {"order_status": 0.5, "return_refund": 0.3, "greeting": -2.0, "out_of_scope": -2.0}
REFUND_WORD_RE = re.compile(r"\b(?:refund\w*|return(?:s|ed|ing|able)?|send (?:\w+ )?back)\b", re.I)
SIZE_TOKEN_RE = re.compile(
    r"\b(?:size|sz)\s*\d|\b(?:xxs|xs|xxl|xxxl|xl|[23]xl|small|medium|med|large)\b|"
    r"\b(?:in|an?|any)\s+\d{1,2}(?:[.,]5)?s?\b|\b\d{1,2}\s+1/2\b",
    re.I,
)


def slot_priors(text: str, *, has_product: bool = False) -> dict[str, float]:
    """Log-boosts from what the message carries (order number, email, a product and a size)."""
    boosts = dict.fromkeys(INTENTS, 0.0)
    has_order = bool(order_numbers_find(text))
    if has_order:
        for intent, value in ORDER_NUMBER_PRIOR.items():
            boosts[intent] += value
        if REFUND_WORD_RE.search(normalize(text)):
            # A refund or return on a named order is that, however it is worded ("is my order
            # #W1 still returnable" is no status question).
            boosts["return_refund"] += 2.5
    elif EMAIL_RE.search(text):
        for intent, value in EMAIL_PRIOR.items():
            boosts[intent] += value
    if has_product and not has_order:
        # A product the store sells is named: with a size it is a stock question. Alone it is
        # weaker evidence (the catalog matcher also finds "winter" in "how long is winter").
        if SIZE_TOKEN_RE.search(EMAIL_RE.sub(" ", text)):
            boosts["size_availability_or_fit"] += 3.5
            boosts["product_question"] -= 1.0
            boosts["exchange_size"] -= 1.0
            boosts["out_of_scope"] -= 2.5
        else:
            boosts["product_question"] += 0.7
            boosts["out_of_scope"] -= 1.0
    return boosts


def code_probs(text: str, *, temperature: float = 3.0, has_product: bool = False) -> dict[str, float]:
    """Posterior over INTENTS from naive Bayes (tempered), rule boosts and slot priors."""
    nb = model()
    raw = text
    text = normalize(raw)
    logs = nb.log_scores(text)
    logs = {k: v / temperature for k, v in logs.items()}
    for intent, pattern, boost in RULES:
        if pattern.search(text):
            logs[intent] += boost
    # Words the model has never seen are a sign the message is about something else.
    unknown = 1.0 - nb.known_fraction(text)
    logs["out_of_scope"] += 3.0 * max(0.0, unknown - 0.3)
    for intent, value in slot_priors(raw, has_product=has_product).items():
        logs[intent] += value
    return _softmax(logs, 1.0)


# Attempts to re-instruct the assistant. They never unlock anything (access is decided in code),
# but a person should see them rather than the box answering around them.
INJECTION_RE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.?!]{0,30}\b(?:instructions?|rules|prompt|guidelines|"
    r"restrictions|polic(?:y|ies))\b|\b(?:developer|dev|debug|god|admin|jailbreak|unrestricted)\s+mode\b|"
    r"\bsystem prompt\b|\bnew instructions\b|\bpretend (?:to be|you(?:'re| are))\b|"
    r"\byou are now (?:in|an?|the|my)\b|\b(?:i'?m|i am|this is) (?:the|a|your) (?:store|shop|site) "
    r"(?:owner|admin\w*|manager|developer)\b",
    re.I,
)


def injection_cue(text: str) -> bool:
    return bool(INJECTION_RE.search(spelling_fix(text)))


def asks_for_human(text: str) -> bool:
    return bool(RULES[0][1].search(normalize(text)))
