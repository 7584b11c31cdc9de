"""Understand: decide the intent (a trained, calibrated mix of experts) and read the slots (code).

Intent probability: the weighted product of three experts, with weights fitted on a calibration
split by ``manage.py train_understand`` (intent_model.py): ``emb``, logistic regression over the
message's MiniLM embedding and hashed n-grams; ``code``, the tempered naive-Bayes + keyword-rule +
slot-prior posterior (classifier.py); ``slm``, label probabilities from one forward pass of the SLM
(SLMBackend.score_labels). On the calibration split the SLM's labels earned no weight (alone they
were right 68% of the time, against 85% for the embedding expert), so its forward pass is skipped
while the shipped weights say so. The top two intents closer than the calibrated margin: we ask.
Without a trained model for this process's embedder (tests with the fake embedder), code × SLM^w as
before, w = ASSISTANT_SLM_INTENT_WEIGHT (0.25 bare base model, 0.5 with the support adapter).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from django.conf import settings

from apps.assistant import classifier, intent_model
from apps.assistant.intents import INTENTS
from apps.assistant.prompts import LABEL_TO_INTENT, understand_labels, understand_prompt
from apps.assistant.slots import order_numbers_find

MAX_MODEL_CHARS = 2000
CONFIRM_RE = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|sure|ok(?:ay)?|please do|go ahead|do it|confirm(?:ed)?|correct|y)\b"
    r"(?:[\s,]*(?:please|pls|thanks|thank you|go ahead|do it|cancel it|confirm(?:ed)?))*\W*$",
    re.IGNORECASE,
)
YES_WORDS = frozenset(
    "yes yeah yea yep yup yess ya sure ok okay k y confirm confirmed correct absolutely definitely".split()
)
YES_PAIRS = ("go ahead", "please do", "do it", "sounds good")
NOT_A_YES = frozenset("no not don't dont wait but however instead actually nope nah stop".split())


def confirms(text: str) -> bool:
    """A short yes to the question just asked, typos in the rest tolerated ("yes pleae", "yep, go
    ahed"), and nothing that takes it back ("yes but ...", "ok wait")."""
    if CONFIRM_RE.match(text):
        return True
    words = re.findall(r"[a-z']+", text.lower())
    if not 1 <= len(words) <= 5 or NOT_A_YES & set(words):
        return False
    return words[0] in YES_WORDS or " ".join(words[:2]) in YES_PAIRS


DENY_RE = re.compile(r"^\W*(?:no|nope|nah|don'?t|do not|stop|never ?mind|cancel that)\b", re.IGNORECASE)
FOLLOW_UP_RE = re.compile(
    r"^\W*(?:and|what about|how about|also|or|ok(?:ay)?|then)\b|^\W*(?:in\s+)?(?:an?\s+)?\d{1,2}(?:\.5)?s?\W*$",  # noqa: E501
    re.IGNORECASE,
)
# Fit questions and availability questions share an intent; sub_intent tells them apart.
FIT_RE = re.compile(
    r"\b(?:fit|fits|run(?:s)? (?:small|large|big)|true to size|size up|size down|size chart|"
    r"what size|which size|measure|sizing|sized|between sizes|convert|conversion|widths?|size guide)",
    re.IGNORECASE,
)
POLICY_Q_RE = re.compile(
    r"\b(?:policy|how (?:do|does|can|long|many|much)|what (?:is|are|if)|whats|what's|do you|can i|"
    r"is it (?:possible|free)|who pays|are returns|can \w+ be (?:return|exchang)\w*|do i have to|"
    r"how (?:does|do) (?:\w+ )?(?:returns?|returning|exchanges?|exchanging|refunds?) work)\b",
    re.IGNORECASE,
)
MY_ORDER_RE = re.compile(
    r"\b(?:my|this|the|our)\s+(?:(?:last|latest|recent|most recent|previous|whole|new)\s+)?"
    r"(?:order|purchase|package|parcel|item|items|shoes?|jacket|stuff|things)\b|"
    r"\bi (?:want|need|would like|wanna) to (?:return|exchange|send)|\bi (?:got|received|bought|ordered)\b",
    re.IGNORECASE,
)
# "has my refund been processed", "still waiting on my refund": a refund plus a status cue.
REFUND_CUE_RE = re.compile(r"\brefund", re.IGNORECASE)
STATUS_CUE_RE = re.compile(
    r"\b(?:where|wheres|where's|status|processed|processing|yet|still|waiting|wait|received|issued|"
    r"been|when will|haven'?t|hasn'?t)\b",
    re.IGNORECASE,
)
REFUND_POLICY_RE = re.compile(r"\bhow (?:long|many days|much time|soon)\b", re.IGNORECASE)
REFUND_STATUS_RE = re.compile(
    r"\b(?:where(?:'s| is)? my refund|refund status|status of (?:my )?refund|"
    r"(?:haven'?t|not|never) (?:got(?:ten)?|received)[^.?!]{0,20}refund|refund[^.?!]{0,20}(?:yet|still))",
    re.IGNORECASE,
)
ADDRESS_RE = re.compile(
    r"\b(?:change|update|edit|modify|wrong|correct)\b[^.?!]{0,30}\baddress", re.IGNORECASE
)


# A question opens with one of these words ("... also do you ship to canada").
QUESTION_START = (
    r"(?:how|what|whats|what's|when|where|wheres|where's|which|who|why|do|does|did|can|could|is|are|"
    r"will|would|should|any|have|has)"
)
QUESTION_START_RE = re.compile(rf"^\W*{QUESTION_START}\b", re.IGNORECASE)
_SENTENCE_SPLIT_RE = re.compile(rf"(?<=[?!])\s+|(?<=\.)\s+(?={QUESTION_START}\b)", re.IGNORECASE)
_JOINT_RE = re.compile(rf"[,;]?\s*\b([A-Za-z]+)\s+(?=(?:also\s+)?{QUESTION_START}\b)", re.IGNORECASE)
CONNECTORS = frozenset(("and", "also", "plus", "btw"))
MAX_CLAUSES = 3


def _one_edit_from(word: str, target: str) -> bool:
    """``word`` is ``target`` with at most one letter changed, dropped, added or two swapped."""
    if word == target:
        return True
    if abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and word[diff[0]] == target[diff[1]]
            and word[diff[1]] == target[diff[0]]
        )
    short, long = sorted((word, target), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _connector(word: str) -> bool:
    word = word.lower()
    return word in CONNECTORS or (len(word) >= 4 and _one_edit_from(word, "also"))


def question_clauses(text: str) -> list[str]:
    """The questions a message asks, in order: split after "?" or "!", at a full stop before a
    question word, and at "and" / "also" / "plus" / "btw" (a typo of "also" too) before one
    ("where is my order W123 email a@b.c alos do you ship to canada"). A fragment of one word stays
    with the clause before it. One clause: the message asks one thing (or its parts cannot be told
    apart)."""
    clauses: list[str] = []
    for piece in _SENTENCE_SPLIT_RE.split(text):
        start = 0
        for match in _JOINT_RE.finditer(piece):
            if _connector(match.group(1)):
                clauses.append(piece[start : match.start()])
                start = match.end()
        clauses.append(piece[start:])
    merged: list[str] = []
    for clause in (c.strip(" ,;") for c in clauses):
        if not clause:
            continue
        if merged and len(clause.split()) < 2:
            merged[-1] = f"{merged[-1]} {clause}"
        else:
            merged.append(clause)
    return merged[:MAX_CLAUSES] if len(merged) > 1 else [text]


def asks_a_question(clause: str) -> bool:
    return clause.rstrip().endswith("?") or bool(QUESTION_START_RE.match(clause))


@dataclass
class Understanding:
    intent: str
    probability: float
    probs: dict[str, float]
    code_probs: dict[str, float]
    slm_probs: dict[str, float] | None
    emb_probs: dict[str, float] | None = None
    sub_intent: str | None = None
    asked_for_human: bool = False
    confirm: bool = False
    deny: bool = False
    follow_up: bool = False
    truncated: bool = False
    injection: bool = False  # the message tries to re-instruct the assistant
    ambiguous: tuple[str, str] | None = None  # the top two intents, when too close to call
    tokens: dict[str, int] = field(default_factory=lambda: {"prompt": 0, "cached": 0})
    ms: float = 0.0


def model_text(text: str) -> tuple[str, bool]:
    """The part of a message the models see: control characters dropped, at most 2,000 chars."""
    cleaned = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > MAX_MODEL_CHARS:
        return cleaned[:MAX_MODEL_CHARS], True
    return cleaned, False


def slm_weight(backend: object) -> float:
    configured = getattr(settings, "ASSISTANT_SLM_INTENT_WEIGHT", None)
    if configured is not None:
        return float(configured)
    # A support adapter is trained on exactly this task; the bare base model is weak at it.
    return 0.5 if getattr(backend, "adapter_file", None) else 0.25


def intent_probs(
    text: str, *, backend: object | None, use_slm: bool = True, has_product: bool = False
) -> tuple[dict, dict, dict | None, dict, dict | None]:
    """(combined, code, slm, tokens, emb) for one message: probability maps over INTENTS.

    With a trained intent model for this process's embedder (intent_model.py), the three experts
    are combined with the weights fitted on its calibration split; without one, code and SLM as a
    product of experts with the SLM weighted by ``slm_weight``. The catalog hint, the classifier
    and the embedding run before the model, not beside it in a thread: on two cores a lookup
    beside llama.cpp's two threads slowed the model more than it saved."""
    code = classifier.code_probs(text, has_product=has_product)
    model = intent_model.active() if text.strip() else None
    emb = intent_model.emb_probs(text, model) if model is not None else None
    tokens = {"prompt": 0, "cached": 0}
    slm = None
    if model is not None and not model.combine["slm"].get("slm"):
        use_slm = False  # calibration gave the SLM's labels no weight: skip the forward pass
    if backend is not None and use_slm and text.strip():
        scores = backend.score_labels(
            prompt=understand_prompt(text), labels=understand_labels(), context="understand"
        )
        tokens = {"prompt": scores.prompt_tokens, "cached": scores.cached_tokens}
        slm = {intent: 0.0 for intent in INTENTS}
        for label, p in scores.probs.items():
            intent = LABEL_TO_INTENT.get(label.strip())
            if intent:
                slm[intent] += p
    if model is not None:
        weights = model.combine["slm" if slm is not None else "no_slm"]
        return intent_model.combine({"emb": emb, "code": code, "slm": slm}, weights), code, slm, tokens, emb
    if slm is None:
        return code, code, None, tokens, None
    combined = intent_model.combine({"code": code, "slm": slm}, {"code": 1.0, "slm": slm_weight(backend)})
    return combined, code, slm, tokens, None


# What a shopper writes around an order number and email when answering "which order, which email?".
_VERIFY_FILLER = (
    "it's its is my the order number no num id email e-mail address and here you go sure ok okay "
    "thanks thank you thx ty please pls it was used mail registered ordered with under"
).split()
_VERIFY_FILLER_RE = re.compile(r"\b(?:" + "|".join(map(re.escape, _VERIFY_FILLER)) + r")\b", re.IGNORECASE)
_FILLER_WORDS = tuple(w for w in _VERIFY_FILLER if len(w) >= 4 and w.isalpha())


def _only_verification_data(text: str) -> bool:
    from apps.assistant.slots import EMAIL_RE, order_numbers_find

    numbers = order_numbers_find(text)
    if not numbers and not EMAIL_RE.search(text):
        return False
    rest = EMAIL_RE.sub(" ", text)
    for number in numbers:
        rest = re.sub(re.escape(number), " ", rest, flags=re.IGNORECASE)
    rest = classifier.spelling_fix(rest)  # "ODRER", "enail", "tganks" are filler too
    for number in numbers:
        rest = re.sub(re.escape(number), " ", rest, flags=re.IGNORECASE)
    rest = _VERIFY_FILLER_RE.sub(" ", rest)
    return all(_mistyped_filler(word.lower()) for word in re.findall(r"[^\W\d_]{2,}", rest))


def _mistyped_filler(word: str) -> bool:
    """ "uded", "ussed", "srue", "emial": one slip away from a filler word of four letters or more.
    A word the classifier knows as a topic word is never filler ("stop", "cancel", "return")."""
    from apps.catalog.fuzzy import osa_distance

    if len(word) < 3 or word in classifier.model().words:
        return False
    return any(osa_distance(word, filler, 1) <= 1 for filler in _FILLER_WORDS)


# Topics a message carrying an order number is not about. Shipping and payment stay: "where is
# W1? also do you ship to Canada" asks two things, and the shipping one may be the one to answer.
NOT_ABOUT_AN_ORDER = ("account", "product_question", "size_availability_or_fit", "greeting", "out_of_scope")
ORDER_TOPICS = ("order_status", "cancel_order", "return_refund", "exchange_size")
SIZE_TOPICS = ("size_availability_or_fit", "exchange_size", "product_question")
_SIZE_FILLER_RE = re.compile(
    r"\b(?:and|or|what|how|about|in|an?|size|sizes|the|ones?|then|ok|okay|please|pls|do you have|"
    r"have|got|it|them|instead|maybe|is there|any)\b|\b1/2\b|\band a half\b",
    re.IGNORECASE,
)


def _only_size_or_color(text: str) -> bool:
    """A short message that only names a size or a color ("and in an 11?", "what about M")."""
    from apps.assistant.slots import BARE_NUMBER_RE, COLOR_RE, size_find

    fixed = classifier.spelling_fix(text)
    if len(fixed.split()) > 5:
        return False
    if not (
        size_find(fixed, follow_up=True) or BARE_NUMBER_RE.match(fixed.strip()) or COLOR_RE.search(fixed)
    ):
        return False
    rest = _SIZE_FILLER_RE.sub(" ", fixed)
    rest = COLOR_RE.sub(" ", rest)
    rest = re.sub(r"\b(?:\d{1,2}(?:[.,]5)?s?|xxs|xs|[sml]|xx?x?l|[23]xl|small|medium|med|large)\b", " ", rest)
    return len(re.findall(r"[^\W\d_]{2,}", rest)) == 0


def sub_intent_for(intent: str, text: str) -> str | None:
    text = classifier.spelling_fix(text)  # "rturn pokicy" is a policy question too
    if intent == "size_availability_or_fit":
        return "fit" if FIT_RE.search(text) else "availability"
    if intent == "return_refund":
        if REFUND_STATUS_RE.search(text) or (
            REFUND_CUE_RE.search(text) and STATUS_CUE_RE.search(text) and not REFUND_POLICY_RE.search(text)
        ):
            return "refund_status"
        if MY_ORDER_RE.search(text) or not POLICY_Q_RE.search(text):
            return "return_request"
        return "policy"
    if intent == "exchange_size":
        if MY_ORDER_RE.search(text) or not POLICY_Q_RE.search(text):
            return "exchange_request"
        return "policy"
    if intent == "order_status" and ADDRESS_RE.search(text):
        return "address_change"
    if intent == "cancel_order" and POLICY_Q_RE.search(text) and not MY_ORDER_RE.search(text):
        return "policy"
    if intent == "complaint_or_human":
        return "human" if classifier.asks_for_human(text) else "complaint"
    return None


def understand(
    text: str, *, backend: object | None, state: dict, use_slm: bool = True, has_product: bool = False
) -> Understanding:
    """Intent and flags for one message. ``has_product``: the message names a product the store
    sells (the caller's catalog match), evidence against out-of-scope and, with a size, for a
    stock question."""
    started = time.perf_counter()
    clean, truncated = model_text(text)
    confirm = confirms(clean) and bool(state.get("pending_action"))
    deny = bool(DENY_RE.match(clean)) and bool(state.get("pending_action"))
    follow_up = bool(FOLLOW_UP_RE.search(classifier.spelling_fix(clean))) and bool(state.get("last_intent"))
    probs, code, slm, tokens, emb = intent_probs(
        clean, backend=backend, use_slm=use_slm, has_product=has_product
    )
    intent = max(probs, key=lambda k: probs[k])
    probability = probs[intent]
    last = state.get("last_intent")
    if confirm or deny:
        # "yes" answers the question the assistant asked; it is no new topic.
        intent = state["pending_action"]["intent"]
        probability = max(probability, 0.9)
    elif last in SIZE_TOPICS and _only_size_or_color(clean):
        # "what about M", "and 9 1/2", "how abut 11" after a size question: the same question
        # about another size (the product is already in the conversation).
        intent = "size_availability_or_fit" if last == "product_question" else last
        probability = max(probability, 0.9)
    elif (
        state.get("product_choices")
        and last in SIZE_TOPICS
        and len(clean.split()) <= 6
        and intent in ("product_question", "size_availability_or_fit", "out_of_scope", "greeting", last)
    ):
        # "Metro Road Runner" answers our "which one do you mean?": the question stays the same.
        intent = last
        probability = max(probability, 0.85)
    elif (
        follow_up
        and last
        and probs.get(last, 0) * 3 >= probability
        and intent in ("greeting", "out_of_scope", last)
    ):
        # "and in an 11?" continues the previous topic unless it clearly opens a new one.
        intent, probability = last, max(probs[last], min(0.85, probability))
    if intent in NOT_ABOUT_AN_ORDER and order_numbers_find(clean):
        # A message carrying an order number is about that order ("where's W93...? my email is
        # ..." is no account question): the likeliest order topic, at its own probability.
        intent = max(ORDER_TOPICS, key=lambda k: probs.get(k, 0.0))
        probability = probs[intent]
    if not (confirm or deny) and _only_verification_data(clean):
        # "W2611340, noah@example.com": the answer to our verification question, not a new topic.
        order_intents = ("order_status", "cancel_order", "return_refund", "exchange_size")
        intent = last if last in order_intents else "order_status"
        probability = max(probability, 0.85)
    asked = classifier.asks_for_human(clean)
    if asked:
        intent, probability = "complaint_or_human", max(probability, probs["complaint_or_human"], 0.9)
    ambiguous = None
    model = intent_model.active()
    top_two = sorted(probs, key=lambda k: probs[k], reverse=True)[:2]
    if (
        model is not None
        and intent == top_two[0]
        and probability == probs[intent]  # no rule above decided it
        and intent_model.top_two_margin(probs) < model.margin
        and "greeting" not in top_two
    ):
        ambiguous = (top_two[0], top_two[1])
    return Understanding(
        intent=intent,
        probability=float(min(1.0, max(0.0, probability))),
        probs=probs,
        code_probs=code,
        slm_probs=slm,
        emb_probs=emb,
        sub_intent=sub_intent_for(intent, clean),
        asked_for_human=asked,
        confirm=confirm,
        deny=deny,
        follow_up=follow_up,
        truncated=truncated,
        injection=classifier.injection_cue(clean),
        ambiguous=ambiguous,
        tokens=tokens,
        ms=(time.perf_counter() - started) * 1000,
    )
