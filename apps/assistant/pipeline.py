"""The reply pipeline: understand → act → respond → judge, one trace per shopper message.

It takes the conversation's turns and the verified customer as data and knows nothing of
websockets or Celery: the widget's worker, ``manage.py ask`` and the evaluation run this code.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from apps.assistant import judge as judge_mod
from apps.assistant import respond as tpl
from apps.assistant.act import ActResult, act, extracted_merge, pending_items_named
from apps.assistant.classifier import asks_for_human
from apps.assistant.prompts import LLM_SYSTEM, respond_prompt
from apps.assistant.slots import slots_extract, without_emails
from apps.assistant.understand import (
    MAX_MODEL_CHARS,
    Understanding,
    asks_a_question,
    model_text,
    question_clauses,
    understand,
)
from apps.orders.selectors import order_number_formats_pinned

logger = logging.getLogger(__name__)

PRODUCT_INTENTS = ("size_availability_or_fit", "product_question", "exchange_size")
WRITE_INTENTS = ("cancel_order", "return_refund", "exchange_size")  # their confirmations span turns
# Questions a second question in the same message may be answered on (read-only, no order data),
# and those whose knowledge search takes the matching question alone as its query.
SECOND_QUESTION_INTENTS = (
    "size_availability_or_fit",
    "product_question",
    "shipping_delivery",
    "payment_billing",
    "account",
)
# Order topics too, when the answer is the store's policy and touches no order ("what's your return
# policy"): a second question never proposes or makes a change.
POLICY_QUESTION_INTENTS = ("return_refund", "exchange_size", "cancel_order")
SECOND_QUESTION_MIN = 0.8
# "how much is shipping and is it free": a question that points back ("it", "that") is about the
# first one, and read alone it is about nothing ("is it free" -> free return shipping). Only a
# product question may point back, and only at a product the conversation is about.
BACK_REFERENCE_RE = re.compile(
    r"\b(?:it|its|it's|that|this|they|them|those|these|one)\b", re.IGNORECASE
)  # a second question gets its own answer only when read this surely
SLOT_KEYS = ("order_number", "email", "product", "size", "color", "quantity", "reason")
TRACE_KEYS = (
    "route",
    "intent",
    "sub_intent",
    "slots",
    "confidence",
    "answer",
    "citations",
    "tool_calls",
    "escalation_reason",
    "latency_ms",
    "tokens",
    "model",
)


@dataclass
class Turn:
    role: str  # "customer" | "assistant" | "agent"
    text: str


@dataclass
class Reply:
    answer: str
    route: str
    trace: dict
    state: dict
    quick_replies: list[str] = field(default_factory=list)
    handoff: bool = False


def _backend() -> Any | None:
    from apps.inference.backends import slm

    return slm()


def _model_info(backend: Any | None, llm_model: str | None = None) -> dict:
    return {
        "slm": getattr(backend, "name", None),
        "slm_file": getattr(backend, "model_file", None),
        "adapter_file": getattr(backend, "adapter_file", None),
        "llm": llm_model,
    }


def slm_phrases(backend: Any | None) -> bool:
    """Whether knowledge answers are phrased by the SLM (else the passage is sent as written)."""
    mode = getattr(settings, "ASSISTANT_SLM_RESPOND", "auto")
    if backend is None or mode == "never":
        return False
    # The bare base model loops instead of answering: phrase with it only once an adapter is loaded.
    return mode == "always" or bool(getattr(backend, "adapter_file", None))


def _has_words(text: str) -> bool:
    return bool(re.search(r"[^\W\d_]{2,}|\d{3,}", text))


# --- State: what earlier customer turns established ----------------------------------------------
def _resolve_product(text: str, state: dict, res_calls: list[dict] | None = None) -> None:
    from apps.catalog.selectors import (
        PRODUCT_MATCH_CONFIDENT,
        option_values_find,
        product_match,
        products_named_distinctly,
    )

    matches = product_match(text=text, limit=2)
    named: list[int] = []
    if product_ambiguous(matches):
        # A word only one of the two names holds settles it ("*scree* trail runners").
        named = products_named_distinctly(text=text, product_ids=[p.pk for p, _ in matches[:2]])
        if len(named) == 1:
            matches = [m for m in matches if m[0].pk == named[0]]
    if res_calls is not None:
        res_calls.append({"name": "product_match", "args": {"text": text[:200]}, "ok": bool(matches)})
    if matches and (len(named) == 1 or matches[0][1] >= PRODUCT_MATCH_CONFIDENT * 0.9):
        product = matches[0][0]
        slots = state.setdefault("slots", {})
        current = _current_product(state) if slots.get("product") != product.external_id else None
        if (
            current is not None
            and matches[0][1] < PRODUCT_NAMED_SCORE
            and option_values_find(text=text, product=current)
        ):
            # "what about blue" names an option of the product under discussion, not another
            # product that happens to hold the word.
            return
        offered = state.pop("product_choices", None) or []
        if product_ambiguous(matches):
            choices = [p.external_id for p, _ in matches[:2]]
            if slots.get("product") in choices:
                return  # "the cloudline runners" while talking about one of them: that one
            # Two products fit about as well: ask which, rather than answer about either.
            for key in ("product", "size", "color"):
                slots.pop(key, None)
            state["product_choices"] = choices
            return
        if slots.get("product") != product.external_id and product.external_id not in offered:
            # A different product: the size/color asked for the previous one no longer apply.
            slots.pop("size", None)
            slots.pop("color", None)
            state.pop("options", None)
        slots["product"] = product.external_id


PRODUCT_HINT_SCORE = 0.45
# The runner-up scoring this close to a partial-name best match makes the name ambiguous
# ("cloudline runners": the Cloudline Cushion Max, or the Metro Stability Runner by Cloudline?).
# On the calibration questions the closest runner-up of a right match scored 0.75 of it.
PRODUCT_AMBIGUOUS_RATIO = 0.85
PRODUCT_NAMED_SCORE = 0.95  # the message holds a product's whole name: never ambiguous


def product_ambiguous(matches: list[tuple[Any, float]]) -> bool:
    if len(matches) < 2:
        return False
    (_, best), (_, second) = matches[0], matches[1]
    return best < PRODUCT_NAMED_SCORE and second >= PRODUCT_AMBIGUOUS_RATIO * best


def product_hint(text: str) -> bool:
    """Does the message name one of the store's products? A soft signal for the intent (a size
    plus a product is a stock question), so a lower bar than resolving the product slot."""
    from apps.assistant.slots import order_numbers_find
    from apps.catalog.selectors import product_match_scores

    if order_numbers_find(text):
        return False
    try:
        matches = product_match_scores(text=text, limit=1)
    except Exception as exc:  # the hint is optional; the classifier works without it
        logger.warning("product hint failed: %s", exc)
        return False
    return bool(matches) and matches[0][1] >= PRODUCT_HINT_SCORE


def _current_product(state: dict) -> Any | None:
    ext = state.get("slots", {}).get("product")
    if not ext:
        return None
    from apps.catalog.models import Product

    return Product.objects.filter(external_id=ext).prefetch_related("variants").first()


def _options_into_state(text: str, state: dict, product: Any) -> None:
    """The product's own option values the message names (any option: size, color, finish,
    "7 ft x 10 ft", "queen", "60%"); they win over the generic size and color readers."""
    from apps.catalog.selectors import option_key, option_values_find, product_options

    slots = state.setdefault("slots", {})
    options = product_options(product=product)
    found = option_values_find(text=without_emails(text), product=product)
    for name, value in found.items():
        if name == "size":
            slots["size"] = value  # as the catalog spells it ("58cm", "Queen", "7 ft x 10 ft")
        elif name in ("color", "colour"):
            slots["color"] = value.lower()
        else:
            state.setdefault("options", {})[name] = value
            # "brown switches", "32 oz", "1.4 L", "large (32-42 cm)" cuff, "medium" bristles: what
            # the generic color or size reader took is part of this option's value, unless the
            # product has it as a color or size too.
            for generic in ("color", "size"):
                taken = option_key(str(slots.get(generic) or ""))
                known = {option_key(v) for v in options.get(generic, []) + options.get("colour", [])}
                if taken and generic not in found and taken in option_key(value) and taken not in known:
                    slots.pop(generic)
    # "unscented moisturising cream", "rose gold watch": a color word of the product's own name
    # names the product, unless the product comes in that color.
    color = str(slots.get("color") or "")
    colors = {str(v).lower() for v in options.get("color", []) + options.get("colour", [])}
    if color and color not in colors and re.search(r"\b" + re.escape(color) + r"\b", product.name.lower()):
        slots.pop("color")


def _follow_up_topic(text: str, state: dict, u: Understanding) -> str | None:
    if u.confirm or u.deny or u.intent in WRITE_INTENTS:
        return None
    if u.intent == "complaint_or_human" and (
        asks_for_human(text) or len(_words_besides_options(text, state)) > 3
    ):
        return None  # a complaint or a request for a person, not "ok and 2-person?"
    return option_follow_up(text, state)


def _words_besides_options(text: str, state: dict) -> list[str]:
    """The message's words once the current product's option values it names are taken out."""
    from apps.catalog.selectors import option_key, option_values_find

    message = f" {option_key(text)} "
    product = _current_product(state)
    if product is not None:
        for value in option_values_find(text=text, product=product).values():
            message = message.replace(f" {option_key(value)} ", " ")
    return message.split()


def option_follow_up(text: str, state: dict) -> str | None:
    """ "what about forest green", "and in 20 L?" after a question about a product: the same
    question about another of its option values. The topic to keep, or None."""
    from apps.catalog.selectors import option_values_find

    last = state.get("last_intent")
    if last not in PRODUCT_INTENTS or len(text.split()) > 6:
        return None
    product = _current_product(state)
    if product is None or not option_values_find(text=text, product=product):
        return None
    return "size_availability_or_fit" if last == "product_question" else last


def _extract_into_state(text: str, intent: str, state: dict, calls: list[dict] | None = None) -> None:
    from apps.catalog.selectors import product_options

    if intent in PRODUCT_INTENTS or (
        intent == "return_refund" and not state.get("slots", {}).get("order_number")
    ):
        _resolve_product(text, state, calls)
    product = _current_product(state)
    options = product_options(product=product) if product is not None else {}
    follow = state.get("last_intent") in PRODUCT_INTENTS or intent in PRODUCT_INTENTS
    extracted = slots_extract(
        text,
        known_sizes=options.get("size", []),
        known_colors=options.get("color", options.get("colour", [])),
        follow_up=follow,
    )
    extracted_merge(state=state, extracted=extracted, intent=intent)
    if product is not None:
        _options_into_state(text, state, product)


def state_replay(*, turns: list[Turn], state: dict, identity: Any = None, backend: Any = None) -> dict:
    """Rebuild the dialogue state (slots, verification attempts and lockout, pending confirmations,
    chosen order, items and options) from earlier turns: each customer message runs the same
    understand → extract → act path as when it was sent, writing nothing and answering nothing.
    The assistant's wording is never read."""
    for position, turn in enumerate(turns):
        if turn.role != "customer":
            continue
        _reply(
            turns=turns[: position + 1],
            identity=identity,
            llm="off",
            state=state,
            backend=backend,
            trace=_empty_trace(backend),
            started=time.perf_counter(),
            marks={},
            dry_run=True,
        )
    return state


# --- Several questions in one message --------------------------------------------------------------
def clause_readings(
    text: str, state: dict, u: Understanding, backend: Any
) -> list[tuple[str, Understanding]]:
    """Each question of a message that asks several, read on its own (about 20 ms each); [] for
    one question, or for an answer to a pending confirmation."""
    if u.confirm or u.deny or state.get("pending_action"):
        return []
    clauses = question_clauses(text)
    if len(clauses) < 2:
        return []
    return [(c, understand(c, backend=backend, state={}, has_product=product_hint(c))) for c in clauses]


def _sure_reading(readings: list[tuple[str, Understanding]], among: tuple[str, ...]) -> Understanding | None:
    for _clause, r in readings:
        if r.intent in among and not r.ambiguous and r.probability >= SECOND_QUESTION_MIN:
            return r
    return None


def _second_answer(
    readings: list[tuple[str, Understanding]], *, intent: str, state: dict, identity: Any, cited: list[dict]
) -> ActResult | None:
    """The answer to another question of the message than the one answered, on another topic, when
    it is sure on its own: read surely, answered from the catalog or the knowledge base (nothing
    written, no order data) at the topic's threshold, and from another source than the first
    answer. Run on a copy of the state: the conversation goes on from the first question."""
    for clause, r in readings:
        allowed = r.intent in SECOND_QUESTION_INTENTS or r.intent in POLICY_QUESTION_INTENTS
        if r.intent == intent or not allowed or not asks_a_question(clause):
            continue
        threshold = judge_mod.threshold_for(r.intent)
        if r.ambiguous or r.probability < max(threshold, SECOND_QUESTION_MIN):
            continue
        scratch = copy.deepcopy(state)
        _extract_into_state(clause, r.intent, scratch)
        if BACK_REFERENCE_RE.search(clause) and (
            r.intent not in PRODUCT_INTENTS or not _current_product(scratch)
        ):
            continue
        res = act(
            intent=r.intent, sub_intent=r.sub_intent, u=r, state=scratch, identity=identity, text=clause
        )
        if res.kind != "answer" or not res.answer or tpl.answer_thin(res.answer):
            continue
        if r.intent in POLICY_QUESTION_INTENTS and (res.order_facts or scratch.get("pending_action")):
            continue
        facts_ok = not res.facts or not tpl.fact_check(res.answer, facts=res.facts, allowed_extra=clause)
        confidence = judge_mod.confidence_compute(
            intent_probability=r.probability,
            slot_completeness=res.slot_completeness,
            retrieval_score=res.retrieval_score,
            gen_confidence=None,
            facts_ok=facts_ok,
        )
        sources = [c for c in res.citations if c["kind"] in ("faq", "policy")]
        if confidence < threshold or any(c in cited for c in sources):
            continue
        return res
    return None


# --- Escalation ------------------------------------------------------------------------------------
def _llm_escalate(
    *, turns: list[Turn], res: ActResult, identity: Any, trace: dict
) -> tuple[str | None, str | None]:
    """Ask the LLM tier (PII redacted). Returns (answer, failure reason)."""
    from apps.catalog.models import Store
    from apps.inference.llm import LLMUnavailable, llm_complete_redacted

    facts = []
    for fact in res.facts[:4]:
        facts.append(str(fact)[:1500])
    if res.passage:
        facts.append(res.passage[:1500])
    system = LLM_SYSTEM.format(store=Store.current().name, facts="\n".join(facts) or "(none)")
    messages = [{"role": "system", "content": system}]
    for turn in turns[-6:]:
        role = "user" if turn.role == "customer" else "assistant"
        messages.append({"role": role, "content": (turn.text or "")[:MAX_MODEL_CHARS]})
    names = [n for n in (getattr(identity, "email", None),) if n]
    try:
        result, _mapping = llm_complete_redacted(messages=messages, names=names, max_tokens=300)
    except LLMUnavailable as exc:
        return None, f"llm_unavailable: {str(exc)[:120]}"
    trace["tokens"]["llm_prompt"] += result.prompt_tokens
    trace["tokens"]["llm_completion"] += result.completion_tokens
    trace["model"]["llm"] = result.model
    text = result.text.strip()
    if not text or text.upper().startswith("HANDOFF"):
        return None, "low_confidence: the LLM tier was unsure"
    return text, None


def _route_escalation(
    *, reason: str, llm: str, turns: list[Turn], res: ActResult, identity: Any, trace: dict, intent: str
) -> tuple[str, str, str]:
    """(route, answer, escalation_reason) for a message the box should not answer itself."""
    from apps.inference.llm import llm_configured

    if llm == "off":
        return "llm", "", reason
    if llm == "auto" and llm_configured():
        answer, failure = _llm_escalate(turns=turns, res=res, identity=identity, trace=trace)
        if answer is not None:
            return "llm", answer, reason
        return "human", tpl.HANDOFF_GENERIC, failure or reason
    if intent == "out_of_scope":
        # No LLM tier: decline politely rather than bother a person with trivia.
        return "slm", tpl.OUT_OF_SCOPE_TEXT, reason
    return "human", tpl.HANDOFF_GENERIC, reason


# --- The pipeline --------------------------------------------------------------------------------
def _empty_trace(backend: Any | None) -> dict:
    return {
        "route": "human",
        "intent": "out_of_scope",
        "sub_intent": None,
        "slots": {},
        "confidence": 0.0,
        "answer": "",
        "citations": [],
        "tool_calls": [],
        "escalation_reason": None,
        "latency_ms": {"understand": 0, "first_token": 0, "total": 0},
        "tokens": {
            "slm_prompt": 0,
            "slm_prompt_cached": 0,
            "slm_completion": 0,
            "llm_prompt": 0,
            "llm_completion": 0,
        },
        "model": _model_info(backend),
    }


def reply(
    *,
    turns: list[Turn],
    identity: Any = None,
    on_token: Callable[[str], None] | None = None,
    llm: str = "auto",
    state: dict | None = None,
) -> Reply:
    """Answer the last customer turn. Never raises: a failure becomes a human handoff with a trace."""
    started = time.perf_counter()
    marks: dict[str, float] = {}
    backend = None
    try:
        backend = _backend()
    except Exception as exc:  # no model: the code classifier and templates still work
        logger.exception("SLM unavailable: %s", exc)
    trace = _empty_trace(backend)
    new_state = copy.deepcopy(state) if state is not None else None
    try:
        with order_number_formats_pinned():
            if new_state is None:
                new_state = state_replay(turns=turns[:-1], state={}, identity=identity, backend=backend)
            answer, route, quick, trace = _reply(
                turns=turns,
                identity=identity,
                llm=llm,
                state=new_state,
                backend=backend,
                trace=trace,
                started=started,
                marks=marks,
            )
    except Exception as exc:
        logger.exception("reply pipeline failed")
        answer, route, quick = tpl.HANDOFF_GENERIC, "human", []
        trace.update(
            route="human", answer=answer, escalation_reason=f"error: {type(exc).__name__}", confidence=0.0
        )
        new_state = new_state if new_state is not None else {}
    if "first_token" not in marks:
        marks["first_token"] = time.perf_counter()
    if answer:
        tpl.stream_text(answer, on_token)
    now = time.perf_counter()
    trace["latency_ms"] = {
        "understand": round((marks.get("understand", now) - started) * 1000),
        "first_token": round((marks.get("first_token", now) - started) * 1000),
        "total": round((now - started) * 1000),
    }
    trace = {key: trace[key] for key in TRACE_KEYS}
    return Reply(
        answer=answer,
        route=route,
        trace=trace,
        state=new_state,
        quick_replies=quick,
        handoff=route == "human",
    )


def _last_customer_text(turns: list[Turn]) -> str:
    for turn in reversed(turns):
        if turn.role == "customer":
            return turn.text if isinstance(turn.text, str) else str(turn.text or "")
    return ""


def _reply(
    *,
    turns: list[Turn],
    identity: Any,
    llm: str,
    state: dict,
    backend: Any,
    trace: dict,
    started: float,
    marks: dict[str, float],
    dry_run: bool = False,
) -> tuple[str, str, list[str], dict]:
    raw = _last_customer_text(turns)
    text, truncated = model_text(raw)
    notes: list[str] = []
    if truncated:
        notes.append(f"bad_input: message of {len(raw)} characters truncated to {MAX_MODEL_CHARS}")

    if not _has_words(text):
        marks["understand"] = time.perf_counter()
        answer = (
            "I didn't catch a question there. How can I help? I can check an order, a return or "
            "exchange, sizes and stock, or shipping."
        )
        kind = "empty message" if not raw.strip() else "no readable text"
        trace.update(
            route="clarify",
            intent="greeting",
            answer=answer,
            confidence=0.0,
            escalation_reason=f"bad_input: {kind}",
        )
        return answer, "clarify", [], trace

    u: Understanding = understand(text, backend=backend, state=state, has_product=product_hint(text))
    marks["understand"] = time.perf_counter()
    trace["tokens"]["slm_prompt"] += u.tokens["prompt"]
    trace["tokens"]["slm_prompt_cached"] += u.tokens["cached"]
    if (chosen := pending_items_named(text, state) or _follow_up_topic(text, state, u)) is not None:
        # "just the rug" answers "which items?"; "what about forest green" asks the last question
        # about another option of the same product: the topic stays.
        u = dataclasses.replace(u, intent=chosen, probability=max(u.probability, 0.9), ambiguous=None)
    readings = clause_readings(text, state, u, backend)
    if u.ambiguous and (clear := _sure_reading(readings, u.ambiguous)) is not None:
        # Two questions read as one looked like either topic; on its own each one is clear.
        u = dataclasses.replace(
            u, intent=clear.intent, probability=clear.probability, sub_intent=clear.sub_intent, ambiguous=None
        )
    if (own := [r.probability for _c, r in readings if r.intent == u.intent]) and max(own) > u.probability:
        # Read whole, two questions split the probability between their topics ("do you have the
        # tee in XXL? and how much is shipping": 0.6 stock); the one answered is as sure as its own.
        u = dataclasses.replace(u, probability=max(own))
    intent = u.intent
    # A knowledge search looks for the question on this topic, not the whole message.
    query = (
        next((c for c, r in readings if r.intent == intent), text)
        if intent in SECOND_QUESTION_INTENTS
        else text
    )
    calls: list[dict] = []
    _extract_into_state(text, intent, state, calls)
    if u.ambiguous and not (u.confirm or u.deny):
        # Two topics too close to call (top-two margin below the calibrated one): ask, don't guess.
        res = ActResult(kind="clarify")
        res.answer, res.quick_replies = tpl.topic_choice_text(*u.ambiguous)
        res.escalation_reason = f"ambiguous: {u.ambiguous[0]} or {u.ambiguous[1]}"
    else:
        res = act(
            intent=intent,
            sub_intent=u.sub_intent,
            u=u,
            state=state,
            identity=identity,
            text=query,
            dry_run=dry_run,
        )
    res.tool_calls = calls + res.tool_calls
    if intent not in ("greeting",):
        state["last_intent"] = intent
    if res.kind != "clarify" and intent not in WRITE_INTENTS:
        state.pop("pending_action", None)

    # Respond: the template is the answer unless the SLM phrases a knowledge passage better.
    answer = res.answer
    gen_conf = None
    facts_ok = True
    phrase_refused = False
    if (
        res.kind == "answer"
        and res.passage
        and not dry_run
        and slm_phrases(backend)
        and intent in ("shipping_delivery", "payment_billing", "account", "product_question")
    ):

        def first() -> None:
            marks.setdefault("first_token", time.perf_counter())

        phrased, stats = tpl.slm_phrase(
            backend=backend,
            prompt=respond_prompt(question=query, passage=res.passage),
            facts=res.facts,
            allowed_extra=text,
            on_first=first,
            max_tokens=int(getattr(settings, "ASSISTANT_SLM_MAX_TOKENS", 60)),
            source=res.passage,
        )
        marks.pop("first_token", None)  # the checked text is what reaches the shopper
        trace["tokens"]["slm_prompt"] += stats["prompt"]
        trace["tokens"]["slm_prompt_cached"] += stats["cached"]
        trace["tokens"]["slm_completion"] += stats["completion"]
        if phrased is not None and not tpl.answer_thin(tpl.polarity_strip(phrased)):
            answer = tpl.polarity_strip(phrased)
            gen_conf = stats.get("gen_confidence")
        else:
            # The model made up a fact or wandered off the passage: the passage goes out as written,
            # and the confidence is that of the reply actually sent (the template's, checked below).
            facts_ok = not tpl.fact_check(res.answer, facts=res.facts, allowed_extra=text) or not res.facts
            phrase_refused = bool(stats["unsupported"] or stats.get("ungrounded"))
            if phrase_refused:
                refused = [str(w) for w in (stats["unsupported"] or stats["ungrounded"])[:5]]
                res.tool_calls.append({"name": "slm_phrase", "args": {"refused": refused}, "ok": False})
    elif res.answer:
        unsupported = tpl.fact_check(res.answer, facts=res.facts, allowed_extra=text)
        facts_ok = not unsupported or not res.facts

    confidence = judge_mod.confidence_compute(
        intent_probability=u.probability,
        # Asking for a missing slot is the right move, not a weakness: only answers pay for gaps.
        slot_completeness=res.slot_completeness if res.kind == "answer" else 1.0,
        retrieval_score=res.retrieval_score,
        gen_confidence=gen_conf,
        facts_ok=facts_ok or res.kind != "answer",
        phrase_refused=phrase_refused,
    )
    threshold = judge_mod.threshold_for(intent)
    route = {"answer": "slm", "clarify": "clarify", "human": "human", "escalate": "escalate"}[res.kind]
    reason = res.escalation_reason
    if route in ("slm", "clarify") and confidence < threshold and not u.confirm and not u.ambiguous:
        route, reason = "escalate", f"low_confidence: {confidence:.2f} < {threshold:.2f} for {intent}"
    if route == "slm" and (thin := tpl.answer_thin(answer)):
        route, reason = "escalate", f"low_confidence: {thin}"
    if u.injection and route in ("slm", "clarify"):
        route, reason = "escalate", "bad_input: the message tries to re-instruct the assistant"
    if route == "escalate" and intent != "out_of_scope":
        state.pop("pending_action", None)  # handed on: nothing waits for a "yes" any more
    if route == "escalate" and dry_run:
        return answer, route, res.quick_replies, trace
    if route == "escalate":
        route, answer, reason = _route_escalation(
            reason=reason or "low_confidence",
            llm=llm,
            turns=turns,
            res=res,
            identity=identity,
            trace=trace,
            intent=intent,
        )
    if readings and route in ("slm", "clarify") and not dry_run and not u.injection:
        second = _second_answer(readings, intent=intent, state=state, identity=identity, cited=res.citations)
        if second is not None:
            # A question back ("which product?") comes last: the shopper answers it next.
            answer = f"{second.answer}\n\n{answer}" if route == "clarify" else f"{answer}\n\n{second.answer}"
            res.citations += [c for c in second.citations if c not in res.citations]
            res.tool_calls += second.tool_calls
    if notes and reason is None:
        reason = notes[0]

    slots = {k: state.get("slots", {}).get(k) for k in SLOT_KEYS if state.get("slots", {}).get(k) is not None}
    trace.update(
        route=route,
        intent=intent,
        sub_intent=u.sub_intent,
        slots=slots,
        confidence=float(confidence),
        answer=answer,
        citations=res.citations if route in ("slm", "clarify", "llm") else [],
        tool_calls=res.tool_calls,
        escalation_reason=reason,
    )
    return answer, route, res.quick_replies, trace
