"""Act: run the tools an intent needs and return facts, never prose from a model.

Access to order data is decided here, in code, before any order tool runs: a trusted identity
(the signed customer token, or ``customer`` in ``ask``) for that customer's own orders, or the
order number plus the order's email given in this conversation. Message text cannot widen it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from apps.assistant import respond as tpl
from apps.assistant.slots import Extracted

logger = logging.getLogger(__name__)

MAX_VERIFY_FAILURES = 3
FAQ_ANSWER_SCORE = 0.6  # retrieval confidence above which a policy question gets the FAQ's answer
KB_INTENTS = ("shipping_delivery", "payment_billing", "account", "product_question")


@dataclass
class ActResult:
    """What the tools found, and the reply the templates make of it."""

    kind: str  # "answer" | "clarify" | "human" | "escalate"
    answer: str = ""
    escalation_reason: str | None = None
    citations: list[dict] = field(default_factory=list)
    tool_calls: list[dict] = field(default_factory=list)
    facts: list[Any] = field(default_factory=list)  # tool results the reply may quote
    slot_completeness: float = 1.0
    retrieval_score: float | None = None
    passage: str | None = None  # grounded text the SLM may rephrase (knowledge answers)
    quick_replies: list[str] = field(default_factory=list)
    order_facts: bool = False  # the answer reveals order details (verified only)

    def call(self, name: str, args: dict, ok: bool = True) -> None:
        self.tool_calls.append({"name": name, "args": args, "ok": ok})

    def cite(self, kind: str, ident: str | None) -> None:
        if ident and {"kind": kind, "id": ident} not in self.citations:
            self.citations.append({"kind": kind, "id": ident})


# --- Verification ---------------------------------------------------------------------------------
@dataclass
class OrderAccess:
    order: Any | None
    status: str  # ok | need_number | need_email | need_both | mismatch | not_yours | no_orders | locked
    others: list[str] = field(default_factory=list)


def order_number_resolve(number: str) -> str:
    """The stored external id for what the shopper typed (unchanged when no order has it)."""
    from apps.orders.selectors import order_get_by_number, order_number_normalize

    order = order_get_by_number(number=number)
    return order.external_id if order else order_number_normalize(number)


def order_access(*, state: dict, identity: Any, res: ActResult) -> OrderAccess:
    """Find the order this conversation is about, if and only if the shopper may see it."""
    from apps.orders.selectors import (
        order_access_allowed,
        order_get_by_number,
        order_verify_by_email,
        orders_for_identity,
    )

    slots = state.setdefault("slots", {})
    number = slots.get("order_number")
    email = slots.get("email")
    if state.get("verify_failures", 0) >= MAX_VERIFY_FAILURES:
        return OrderAccess(None, "locked")
    if number:
        if identity is not None:
            order = order_get_by_number(number=number)
            res.call("order_lookup", {"order_number": number}, ok=order is not None)
            if order is not None and order_access_allowed(order=order, identity=identity):
                return OrderAccess(order, "ok")
        verified = state.get("verified_order")
        if verified and verified.upper().lstrip("#") == str(number).upper().lstrip("#"):
            order = order_get_by_number(number=number)
            if order is not None:
                return OrderAccess(order, "ok")
        if email:
            order = order_verify_by_email(number=number, email=email)
            res.call("order_verify", {"order_number": number, "email": email}, ok=order is not None)
            if order is not None:
                state["verified_order"] = order.external_id
                state["verify_failures"] = 0
                return OrderAccess(order, "ok")
            state["verify_failures"] = state.get("verify_failures", 0) + 1
            if state["verify_failures"] >= MAX_VERIFY_FAILURES:
                return OrderAccess(None, "locked")
            return OrderAccess(None, "mismatch")
        return OrderAccess(None, "not_yours" if identity is not None else "need_email")
    if identity is not None:
        orders = orders_for_identity(identity=identity, limit=5)
        res.call("orders_for_customer", {}, ok=bool(orders))
        if orders:
            return OrderAccess(orders[0], "ok", others=[o.external_id for o in orders[1:]])
        return OrderAccess(None, "no_orders")
    return OrderAccess(None, "need_number" if email else "need_both")


def access_clarify(access: OrderAccess, res: ActResult) -> ActResult:
    """Ask for what verification still needs; say nothing about whether an order exists."""
    res.kind = "clarify"
    res.slot_completeness = 0.5
    if access.status == "locked":
        res.kind = "human"
        res.escalation_reason = "unverified: order number and email did not match repeatedly"
        res.answer = tpl.HANDOFF_UNVERIFIED
    else:
        res.answer = tpl.VERIFY_TEXT[access.status]
    return res


# --- Knowledge ----------------------------------------------------------------------------------
TOPIC_BONUS = 0.15


@lru_cache(maxsize=4096)
def _entry_intent(title: str) -> str:
    """The intent the code classifier gives a knowledge entry's own title (an FAQ's question)."""
    from apps.assistant.classifier import code_probs

    probs = code_probs(title)
    return max(probs, key=probs.get)


def hits_rerank(hits: list[Any], *, intent: str | None) -> list[Any]:
    """Order hits by their own match score (cosine and full text), plus a small bonus when the
    entry's topic fits the intent: the fused rank alone let a passage that only shares words win
    ("can I pay with PayPal" -> the free-returns FAQ). The entry's topic is what the classifier
    makes of its title, so this works for any store's FAQs. The match is not capped at 1 here, as
    the confidence is: a capped close match tied a looser one on the intent's topic and lost
    ("best way to wash shoes" -> the merino care FAQ over the shoe care one)."""

    def score(hit: Any) -> float:
        fits = intent and hit.kind == "faq" and hit.title and _entry_intent(hit.title) == intent
        return _match_score(hit) + (TOPIC_BONUS if fits else 0.0)

    return sorted(hits, key=score, reverse=True)


def _kb_search(
    query: str, res: ActResult, *, kinds: list[str] | None = None, k: int = 3, intent: str | None = None
) -> list[Any]:
    from apps.assistant.classifier import query_spelling_fix
    from apps.retrieval.selectors import knowledge_search, knowledge_vocabulary

    # "cancl an order" finds the cancellation FAQ, "how fsat do you ship" the shipping times.
    query = query_spelling_fix(query, topical=knowledge_vocabulary())
    try:
        hits = knowledge_search(query=query, k=max(k, 5), kinds=kinds)
    except Exception as exc:  # retrieval is best effort: the reply escalates on a low score
        logger.warning("knowledge search failed: %s", exc)
        res.call("knowledge_search", {"query": query[:200], "kinds": kinds}, ok=False)
        return []
    res.call("knowledge_search", {"query": query[:200], "kinds": kinds}, ok=bool(hits))
    return hits_rerank(hits, intent=intent)[:k]


def _match_score(hit: Any) -> float:
    """A hit's cosine similarity rescaled (0 at 0.2, 1 at 0.65), plus 0.1 for a full-text match."""
    cos = float(getattr(hit, "vector_score", 0.0) or 0.0)
    base = max(0.0, (cos - 0.2) / 0.45)
    return base + (0.1 if float(getattr(hit, "text_rank", 0.0) or 0.0) > 0 else 0.0)


def retrieval_confidence(hit: Any) -> float:
    """Map a hit's cosine similarity (and full-text match) onto [0, 1]."""
    return min(1.0, _match_score(hit))


OFF_TOPIC_SCORE = 0.6  # a passage on another topic than the question's must match at least this well


def passage_unrelated(hit: Any, *, intent: str | None) -> str | None:
    """Why the best passage does not answer the question, or None. An FAQ whose own question is
    about another topic than the shopper's, matched only loosely, answers something else ("do you
    have a gym" -> the store-hours FAQ); so does a product description matched loosely when the
    shopper named no product ("what wine goes with salmon" -> a wine glass)."""
    score = retrieval_confidence(hit)
    if score >= OFF_TOPIC_SCORE or not intent:
        return None
    if hit.kind == "faq" and hit.title and (topic := _entry_intent(hit.title)) != intent:
        return f"the best passage is about {topic}, not {intent} (match {score:.2f})"
    if hit.kind == "product":
        # No product was named (a named one is answered from the catalog before this search).
        return f"the best passage is a product description matched only loosely ({score:.2f})"
    return None


def _cite_fit_source(res: ActResult, hits: list[Any]) -> None:
    """The FAQ or policy whose fit notes the answer quotes is a source of it (the product is
    cited already)."""
    _notes, source = tpl.fit_notes_source(hits)
    if source is not None and source.kind != "product":
        res.cite(source.kind, source.external_id)


def passage_of(hit: Any) -> str:
    """What the SLM phrases from a hit. An FAQ is its question and answer, as the support adapter
    was trained ("question answer"); anything else its text."""
    body = (hit.text or "").strip()
    title = (hit.title or "").strip()
    if hit.kind != "faq" or not title:
        return body or title
    return f"{title} {body}".strip()


def knowledge_answer(
    query: str, res: ActResult, *, kinds: list[str] | None = None, intent: str | None = None
) -> ActResult:
    hits = _kb_search(query, res, kinds=kinds or ["faq", "policy", "product"], intent=intent)
    if not hits:
        res.kind = "escalate"
        res.retrieval_score = 0.0
        res.escalation_reason = "low_confidence: nothing in the knowledge base"
        return res
    best = hits[0]
    res.retrieval_score = retrieval_confidence(best)
    unrelated = passage_unrelated(best, intent=intent)
    if unrelated:
        res.kind = "escalate"
        res.escalation_reason = f"low_confidence: {unrelated}"
        return res
    res.cite(best.kind, best.external_id)
    if best.kind != "product":
        # A product's description goes out as the catalog has it (see _knowledge): phrasing it, the
        # model took the name's last word for part of the text ("the digital gift card A").
        res.passage = passage_of(best)
    res.facts.append({"title": best.title, "text": best.text})
    res.answer = tpl.knowledge_text(best)
    res.kind = "answer"
    return res


# --- Intent handlers ----------------------------------------------------------------------------
def act(
    *,
    intent: str,
    sub_intent: str | None,
    u: Any,
    state: dict,
    identity: Any,
    text: str,
    dry_run: bool = False,
) -> ActResult:
    """Run the intent's tools. ``dry_run``: rebuild the state a past message left, writing nothing
    (a confirmed write then is not repeated; the database already holds its outcome)."""
    res = ActResult(kind="answer")
    handler = HANDLERS.get(intent, _out_of_scope)
    return handler(
        sub_intent=sub_intent, u=u, state=state, identity=identity, text=text, res=res, dry_run=dry_run
    )


GREETING_WORD_RE = re.compile(
    r"\b(?:hi+|hello+|hey+|hiya|yo|howdy|morning|afternoon|evening|thanks?|thank|ty|thx|cheers|bye|"
    r"goodbye|ok(?:ay)?|cool|great|hola|bonjour|hallo)\b",
    re.IGNORECASE,
)


def _greeting(*, text: str, res: ActResult, **_: Any) -> ActResult:
    from apps.assistant.classifier import spelling_fix

    if not GREETING_WORD_RE.search(spelling_fix(text)):
        # "hmm", "whne": nothing to greet and nothing to answer; ask rather than pretend.
        res.kind = "clarify"
        res.answer = tpl.NOT_UNDERSTOOD_TEXT
        res.quick_replies = ["Where is my order?", "Start a return", "Check a size"]
        return res
    res.answer = tpl.greeting_text(text)
    res.quick_replies = ["Where is my order?", "Start a return", "Check a size"]
    return res


def _human(*, sub_intent: str | None, res: ActResult, **_: Any) -> ActResult:
    res.kind = "human"
    res.escalation_reason = "asked_for_human" if sub_intent == "human" else "asked_for_human: complaint"
    res.answer = tpl.HANDOFF_TEXT
    return res


def _out_of_scope(*, res: ActResult, **_: Any) -> ActResult:
    res.kind = "escalate"
    res.escalation_reason = "out_of_scope"
    res.answer = tpl.OUT_OF_SCOPE_TEXT
    return res


def _order_status(
    *, sub_intent: str | None, state: dict, identity: Any, res: ActResult, **_: Any
) -> ActResult:
    from apps.orders.selectors import order_status_summary

    access = order_access(state=state, identity=identity, res=res)
    if access.order is None:
        return access_clarify(access, res)
    summary = order_status_summary(order=access.order)
    res.call("order_status", {"order_number": access.order.external_id})
    res.cite("order", access.order.external_id)
    res.facts.append(summary)
    res.order_facts = True
    state["slots"]["order_number"] = access.order.external_id
    if sub_intent == "address_change":
        res.kind = "human"
        res.escalation_reason = "low_confidence: address change needs an agent"
        res.answer = tpl.address_change_text(summary)
        return res
    if access.others:
        res.facts.append({"other_orders": access.others})
    res.answer = tpl.order_status_text(summary, others=access.others)
    return res


def _cancel(
    *,
    sub_intent: str | None,
    u: Any,
    state: dict,
    identity: Any,
    text: str,
    res: ActResult,
    dry_run: bool = False,
    **_: Any,
) -> ActResult:
    from apps.orders.selectors import order_status_summary

    pending = state.get("pending_action")
    if sub_intent == "policy" and not state["slots"].get("order_number") and identity is None:
        return knowledge_answer(text, res, kinds=["faq", "policy"], intent="cancel_order")
    if u.deny and pending:
        state.pop("pending_action", None)
        res.answer = "Okay, I won't cancel anything. Your order stays as it is."
        return res
    access = order_access(state=state, identity=identity, res=res)
    if access.order is None:
        return access_clarify(access, res)
    order = access.order
    res.cite("order", order.external_id)
    state["slots"]["order_number"] = order.external_id
    summary = order_status_summary(order=order)
    res.facts.append(summary)
    res.order_facts = True
    if u.confirm and _pending_matches(pending, "cancel", order):
        from apps.orders.services import InvalidTransition, order_cancel

        state.pop("pending_action", None)
        if dry_run:
            return res
        try:
            order_cancel(order=order)
        except InvalidTransition:
            res.call("order_cancel", {"order_number": order.external_id}, ok=False)
            res.answer = tpl.cannot_cancel_text(summary)
            return res
        res.call("order_cancel", {"order_number": order.external_id})
        res.answer = f"Done: order {order.external_id} is cancelled. Your refund goes back to the original payment method."  # noqa: E501
        return res
    res.call("order_status", {"order_number": order.external_id})
    if summary.get("can_cancel"):
        state["pending_action"] = {"intent": "cancel_order", "action": "cancel", "order": order.external_id}
        res.kind = "clarify"
        res.answer = f"Order {order.external_id} hasn't shipped yet, so I can cancel it. Shall I cancel it? Reply yes to confirm."  # noqa: E501
        res.quick_replies = ["Yes, cancel it", "No, keep it"]
        return res
    res.answer = tpl.cannot_cancel_text(summary)
    return res


def _final_sale_named(text: str, rules: dict) -> bool:
    """Does the question name one of the store's final-sale categories ("gift cards", "gas canister")?"""
    words = text.lower()
    for category in rules.get("final_sale_categories") or []:
        stem = str(category).lower().strip().removesuffix("s")
        if stem and re.search(r"\b" + re.escape(stem) + r"s?\b", words):
            return True
    return False


def _policy_answer(*, text: str, res: ActResult, window: str) -> ActResult:
    from apps.knowledge.selectors import policy_rule_sources, policy_rules

    rules = policy_rules()
    res.call("policy_rules", {})
    res.facts.append(rules)
    source = policy_rule_sources().get(
        "exchange_window_days" if window == "exchange" else "return_window_days"
    )
    if source and source != "defaults":
        res.cite("policy", source)
    intent = "exchange_size" if window == "exchange" else "return_refund"
    hits = _kb_search(text, res, kinds=["faq", "policy"], k=2, intent=intent)
    start = not _final_sale_named(text, rules)  # "can gas canisters be returned": no, so no start
    res.answer = tpl.policy_text(rules, window=window, ask_order=start)
    if hits:
        res.retrieval_score = retrieval_confidence(hits[0])
        res.cite(hits[0].kind, hits[0].external_id)
        if hits[0].kind == "faq" and res.retrieval_score >= FAQ_ANSWER_SCORE:
            # A specific question ("can underwear be returned", "what if my size is sold out")
            # gets the store's own answer to it; the verification ask stays at the end.
            res.facts.append({"text": hits[0].text})
            res.answer = tpl.knowledge_text(hits[0])
            if start:
                res.answer += " To start, send me your order number and the email used for the order."
    else:
        res.retrieval_score = 0.6  # the rules themselves answer the question
    res.retrieval_score = max(res.retrieval_score, 0.6)
    return res


# --- Items of an order ---------------------------------------------------------------------------
EXCHANGE_WORD_RE = re.compile(r"\b(?:exchang\w*|swap\w*)\b", re.I)
RETURN_WORD_RE = re.compile(r"\b(?:return\w*|refund\w*|send (?:it |them )?back|money back)\b", re.I)
ALL_ITEMS_RE = re.compile(
    r"\b(?:all|everything|every(?:thing| item| one)|whole order|entire order|both|the lot)\b", re.IGNORECASE
)
ITEM_NAMED_SCORE = 0.45  # the product-hint bar: the message names this line's product
ITEM_RUNNER_UP = 0.6  # a second named line scores at least this share of the best one


def lines_named(text: str, lines: list[dict]) -> list[dict]:
    """The order's lines the message names, by the catalog matcher restricted to the order's
    products ("return the t-shirt", "the lamp and the rug"). Empty when it names none."""
    from apps.catalog.selectors import product_match_scores

    if not lines:
        return []
    scores = dict(product_match_scores(text=text, limit=12))
    ranked = sorted(
        ((scores.get(line["product_id"], 0.0), line) for line in lines), key=lambda pair: -pair[0]
    )
    best = ranked[0][0]
    if best < ITEM_NAMED_SCORE:
        return []
    named = [line for score, line in ranked if score >= max(ITEM_NAMED_SCORE, ITEM_RUNNER_UP * best)]
    if len(named) > 1:
        # "the vitamin d3" of an order with a Vitamin D3 and a Vitamin C: a word only some of the
        # lines' names hold, and the message says, picks those ("the lamp and the rug": both).
        from apps.catalog.selectors import products_named_distinctly

        ids = [line["product_id"] for line in lines]
        distinct = set(products_named_distinctly(text=text, product_ids=ids, within=True))
        if distinct:
            named = [line for line in named if line["product_id"] in distinct] or named
    return named


def pending_items_named(text: str, state: dict) -> str | None:
    """The pending return's or exchange's intent when the message names items of its order
    ("just the lamp"): the answer to "which items?", not a new topic."""
    from apps.orders.models import OrderLine

    pending = state.get("pending_action") or {}
    if pending.get("action") not in ("return", "exchange") or not pending.get("order"):
        return None
    lines = [
        {"product_id": product_id}
        for product_id in OrderLine.objects.filter(order__external_id=pending["order"]).values_list(
            "variant__product_id", flat=True
        )
    ]
    return pending["intent"] if lines_named(text, lines) else None


def _item_label(line: dict) -> str:
    values = [str(v) for v in (line.get("options") or {}).values() if v not in (None, "")]
    return f"the {line['product']}" + (f" ({', '.join(values)})" if values else "")


def _variants_of(lines: list[dict]) -> list[str]:
    return sorted({line["variant"] for line in lines})


def _pending_matches(pending: dict | None, action: str, order: Any) -> bool:
    return bool(pending) and pending.get("action") == action and pending.get("order") == order.external_id


def _rules_then_verify(access: OrderAccess, text: str, res: ActResult, *, window: str) -> ActResult:
    """No order named yet ("who pays return postage", "I want to return my shoes"): the store's
    rules (or its FAQ answer to the question), then what to send to start."""
    if access.status != "need_both":
        return access_clarify(access, res)
    from apps.knowledge.selectors import policy_rules

    _policy_answer(text=text, res=res, window=window)
    if res.answer == tpl.policy_text(policy_rules(), window=window):
        res.kind = "clarify"  # no FAQ answers it: the rules, and the ask for the order
        res.slot_completeness = 0.5
    return res


def _return(
    *,
    sub_intent: str | None,
    u: Any,
    state: dict,
    identity: Any,
    text: str,
    res: ActResult,
    dry_run: bool = False,
    **_: Any,
) -> ActResult:
    from apps.orders.selectors import order_status_summary, return_eligibility

    pending = state.get("pending_action")
    has_order_context = bool(state["slots"].get("order_number")) or state.get("verified_order")
    if sub_intent == "policy" and not has_order_context and not _own_order_meant(text, identity):
        # "how long do I have to swap it": the exchange window, whichever topic won.
        exchange = EXCHANGE_WORD_RE.search(text) and not RETURN_WORD_RE.search(text)
        return _policy_answer(text=text, res=res, window="exchange" if exchange else "return")
    if u.deny and pending:
        state.pop("pending_action", None)
        res.answer = "Okay, no return started. Anything else I can help with?"
        return res
    access = order_access(state=state, identity=identity, res=res)
    if access.order is None:
        return _rules_then_verify(access, text, res, window="return")
    order = access.order
    res.cite("order", order.external_id)
    res.order_facts = True
    state["slots"]["order_number"] = order.external_id
    summary = order_status_summary(order=order)
    if sub_intent == "refund_status":
        res.call("order_status", {"order_number": order.external_id})
        res.facts.append(summary)
        res.answer = tpl.refund_status_text(summary)
        return res
    eligibility = return_eligibility(order=order)
    res.call("return_eligibility", {"order_number": order.external_id})
    res.facts.append(eligibility)
    if u.confirm and _pending_matches(pending, "return", order):
        state.pop("pending_action", None)
        # A pending return from before items could be named holds no variants: all of them.
        variants = pending.get("variants") or _variants_of(eligibility["returnable_lines"])
        return _return_confirmed(order, variants, eligibility, state, res, dry_run=dry_run)
    named = lines_named(text, summary["lines"])
    if not named and _pending_matches(pending, "return", order) and not ALL_ITEMS_RE.search(text):
        named = [line for line in summary["lines"] if line["variant"] in pending.get("variants", [])]
    _return_propose(order, eligibility, named, text, state, res)
    if access.others:
        # Picked the newest of several orders on the account: say which, and offer the others.
        res.facts.append({"other_orders": access.others})
        res.answer += f" (This is your latest order; you also have {tpl._join(access.others[:3])}. Tell me if you meant another one.)"  # noqa: E501
    return res


def _return_propose(
    order: Any,
    eligibility: dict,
    named: list[dict],
    text: str,
    state: dict,
    res: ActResult,
) -> ActResult:
    """Say what can be returned and ask to confirm exactly which items."""
    returnable = eligibility["returnable_lines"]
    returnable_ids = {line["line_id"] for line in returnable}
    final_ids = {item["line_id"] for item in eligibility["final_sale_items"]}
    chosen = [line for line in named if line["line_id"] in returnable_ids] if named else list(returnable)
    refused = [line for line in named if line["line_id"] not in returnable_ids]
    if not eligibility.get("eligible") or not chosen:
        if refused and eligibility.get("eligible"):
            res.answer = tpl.items_not_returnable_text(
                [_item_label(line) for line in refused],
                final_sale=bool(final_ids & {x["line_id"] for x in refused}),
            )
        else:
            res.answer = tpl.return_eligibility_text(eligibility)
        state.pop("pending_action", None)
        return res
    variants = _variants_of(chosen)
    state["pending_action"] = {
        "intent": "return_refund",
        "action": "return",
        "order": order.external_id,
        "variants": variants,
    }
    res.call("return_propose", {"order_number": order.external_id, "variants": variants})
    several = len(returnable) > 1 and not named and not ALL_ITEMS_RE.search(text)
    res.answer = tpl.return_proposal_text(
        eligibility,
        items=[_item_label(line) for line in chosen],
        refused=[_item_label(line) for line in refused],
        ask_which=several,
    )
    res.quick_replies = ["Yes, start the return", "No thanks"]
    return res


def _return_confirmed(
    order: Any, variants: list[str], eligibility: dict, state: dict, res: ActResult, *, dry_run: bool
) -> ActResult:
    from apps.orders.services import ReturnNotAllowed, return_request_create

    lines = [line for line in eligibility["returnable_lines"] if line["variant"] in variants]
    args = {"order_number": order.external_id, "variants": sorted(variants)}
    if dry_run:  # rebuilding the state from history: the write happened (or not) back then
        return res
    if not lines:
        res.call("return_request_create", args, ok=False)
        res.answer = tpl.return_eligibility_text(eligibility)
        return res
    try:
        request = return_request_create(
            order=order,
            reason=state["slots"].get("reason") or "",
            line_ids=[line["line_id"] for line in lines],
        )
    except ReturnNotAllowed:
        res.call("return_request_create", args, ok=False)
        res.answer = tpl.return_eligibility_text(eligibility)
        return res
    res.call("return_request_create", args)
    res.facts.append({"return_request": request.pk})
    res.answer = tpl.return_opened_text(
        order.external_id,
        request.pk,
        [_item_label(line) for line in lines],
        whole=len(lines) == len(eligibility["returnable_lines"]),
    )
    return res


OWN_ORDER_RE = re.compile(
    r"\b(?:my|these|those|them|it|this one|what i|the (?:things|stuff|items?) i)\b|"
    r"\bi (?:got|bought|ordered|received)\b",
    re.IGNORECASE,
)


def _own_order_meant(text: str, identity: Any) -> bool:
    """A signed-in shopper asking "can I return my last order" means an order of theirs: check it
    rather than recite the policy. Anonymous shoppers get the policy (and the verification ask)."""
    return identity is not None and bool(OWN_ORDER_RE.search(text))


def _product(state: dict, res: ActResult) -> Any | None:
    from apps.catalog.models import Product

    ext = state["slots"].get("product")
    if not ext:
        return None
    return Product.objects.filter(external_id=ext).prefetch_related("variants").first()


def _exchange(
    *,
    sub_intent: str | None,
    u: Any,
    state: dict,
    identity: Any,
    text: str,
    res: ActResult,
    dry_run: bool = False,
    **_: Any,
) -> ActResult:
    from apps.orders.selectors import exchange_options

    pending = state.get("pending_action")
    has_order_context = bool(state["slots"].get("order_number")) or state.get("verified_order")
    if sub_intent == "policy" and not has_order_context and not _own_order_meant(text, identity):
        return _policy_answer(text=text, res=res, window="exchange")
    if u.deny and pending:
        state.pop("pending_action", None)
        res.answer = "Okay, no exchange made. Your order stays as it is."
        return res
    access = order_access(state=state, identity=identity, res=res)
    if access.order is None:
        return _rules_then_verify(access, text, res, window="exchange")
    order = access.order
    res.cite("order", order.external_id)
    res.order_facts = True
    state["slots"]["order_number"] = order.external_id
    if u.confirm and _pending_matches(pending, "exchange", order):
        state.pop("pending_action", None)
        return _exchange_confirmed(order, pending, state, res, dry_run=dry_run)
    size, color = state["slots"].get("size"), state["slots"].get("color")
    options = exchange_options(order=order, size=size, color=color)
    res.call("exchange_options", {"order_number": order.external_id, "size": size, "color": color})
    res.facts.append(options)
    line = _exchange_line(text, options["lines"], state)
    wanted = _wanted_options(state, line)
    if options.get("eligible") and line is not None and wanted:
        target = _exchange_target(line, wanted)
        if target is not None:
            return _exchange_propose(order, line, target, state, res)
    state.pop("pending_action", None)
    if options.get("eligible") and line is not None and wanted:
        res.answer = tpl.exchange_unavailable_text(
            number=order.external_id,
            product=line["product"],
            wanted=wanted,
            alternatives=_in_stock_alternatives(line),
        )
        return res
    if options.get("eligible") and not wanted:
        res.kind = "clarify"
        res.slot_completeness = 0.7
        what = "item and option" if line is None and len(options["lines"]) > 1 else "size or option"
        res.answer = (
            tpl.exchange_text(options, order_number=order.external_id)
            + f" Which {what} would you like instead?"
        )
        return res
    res.answer = tpl.exchange_text(options, order_number=order.external_id)
    return res


def _exchange_line(text: str, lines: list[dict], state: dict) -> dict | None:
    """The order line to exchange: the one the message names, else the product under discussion,
    else the only exchangeable line."""
    from apps.catalog.models import Product

    named = lines_named(text, lines)
    if len(named) == 1:
        return named[0]
    product = state["slots"].get("product")
    if product:
        pk = Product.objects.filter(external_id=product).values_list("pk", flat=True).first()
        same = [line for line in lines if line.get("product_id") == pk]
        if len(same) == 1:
            return same[0]
    return lines[0] if len(lines) == 1 else None


def _wanted_options(state: dict, line: dict | None) -> dict[str, str]:
    """The option values the shopper asked for instead (any option name the product has)."""
    if line is None:
        return {}
    have = {str(k).lower() for k in (line["current"].get("options") or {})}
    wanted = {k: v for k, v in (state.get("options") or {}).items() if k in have}
    for key in ("size", "color"):
        value = state["slots"].get(key)
        if value and (key in have or not have):
            wanted[key] = str(value)
    return wanted


def _exchange_target(line: dict, wanted: dict[str, str]) -> dict | None:
    """The in-stock variant of the line's product with the wanted values, the rest of the current
    options kept where possible ("a size 10" keeps the colour)."""
    from apps.catalog.models import Product
    from apps.catalog.selectors import variants_with_options

    product = Product.objects.prefetch_related("variants").get(pk=line["product_id"])
    in_stock = {v["id"] for v in line["options"]}
    current = {str(k).lower(): v for k, v in (line["current"].get("options") or {}).items()}
    for options in ({**current, **wanted}, wanted):
        matches = [v for v in variants_with_options(product=product, options=options) if v.pk in in_stock]
        if matches:
            variant = matches[0]
            return {
                "id": variant.pk,
                "external_id": variant.external_id,
                "options": dict(variant.options or {}),
            }
    return None


def _in_stock_alternatives(line: dict) -> list[str]:
    """The other options of the line's product in stock now, as the catalog spells them."""
    from apps.catalog.models import Variant

    labels = []
    for variant in Variant.objects.filter(product_id=line["product_id"]).exclude(
        pk=line["current"]["variant_id"]
    ):
        if variant.in_stock:
            labels.append(", ".join(str(v) for v in (variant.options or {}).values() if v not in (None, "")))
    return list(dict.fromkeys(label for label in labels if label))


def _exchange_propose(order: Any, line: dict, target: dict, state: dict, res: ActResult) -> ActResult:
    args = {
        "order_number": order.external_id,
        "variant": line["current"]["variant"],
        "new_variant": target["external_id"],
    }
    state["pending_action"] = {
        "intent": "exchange_size",
        "action": "exchange",
        "order": order.external_id,
        **{"line": line["line_id"], "variant": args["variant"], "new_variant": args["new_variant"]},
    }
    res.call("exchange_propose", args)
    res.cite("variant", target["external_id"])
    res.facts.append({"exchange_to": target})
    res.kind = "clarify"
    res.answer = tpl.exchange_proposal_text(
        product=line["product"], current=line["current"].get("options") or {}, new=target["options"]
    )
    res.quick_replies = ["Yes, exchange it", "No thanks"]
    return res


def _exchange_confirmed(
    order: Any, pending: dict, state: dict, res: ActResult, *, dry_run: bool
) -> ActResult:
    from apps.catalog.models import Variant
    from apps.catalog.services import OutOfStock
    from apps.orders.services import ReturnNotAllowed, exchange_request_create

    args = {
        "order_number": order.external_id,
        "variant": pending["variant"],
        "new_variant": pending["new_variant"],
    }
    res.facts.append({"order_number": order.external_id})
    if dry_run:
        return res
    variant = Variant.objects.filter(external_id=pending["new_variant"]).select_related("product").first()
    try:
        if variant is None:
            raise OutOfStock(pending["new_variant"])
        request = exchange_request_create(
            order=order, line_id=pending["line"], variant=variant, reason=state["slots"].get("reason") or ""
        )
    except (ReturnNotAllowed, OutOfStock) as exc:
        res.call("exchange_request_create", args, ok=False)
        res.answer = tpl.exchange_failed_text(order.external_id, getattr(exc, "reason", "out_of_stock"))
        return res
    res.call("exchange_request_create", args)
    # The product's name is a fact of the reply too: "Vitamin D3" must not fail the number check.
    res.facts.append(
        {
            "return_request": request.pk,
            "product": variant.product.name,
            "exchange_to": dict(variant.options or {}),
        }
    )
    res.answer = tpl.exchange_opened_text(
        order.external_id, request.pk, variant.product.name, dict(variant.options or {})
    )
    return res


def _which_product(state: dict, res: ActResult) -> ActResult | None:
    """The shopper's words fit two products about equally: ask which one they mean."""
    from apps.catalog.models import Product

    choices = state.get("product_choices") or []
    names = dict(Product.objects.filter(external_id__in=choices).values_list("external_id", "name"))
    options = [names[c] for c in choices if c in names]
    if len(options) < 2:
        return None
    res.kind = "clarify"
    res.slot_completeness = 0.5
    res.answer = f"Do you mean the {options[0]} or the {options[1]}?"
    res.quick_replies = options
    res.call("product_match", {"choices": choices}, ok=True)
    return res


def _size(*, sub_intent: str | None, state: dict, text: str, res: ActResult, **_: Any) -> ActResult:
    from apps.catalog.selectors import size_chart_get, variant_availability

    product = _product(state, res)
    if product is None and sub_intent != "fit" and (asked := _which_product(state, res)) is not None:
        return asked  # stock needs one product; a fit question can still get the size guides
    if product is None:
        if sub_intent == "fit":
            # A general sizing question ("I'm between sizes", "are your sneakers true to size")
            # that the size guides answer, not one product's notes: no product was named.
            # "is it in stock?" with no product asks which one.
            return knowledge_answer(text, res, kinds=["faq", "policy"], intent="size_availability_or_fit")
        res.kind = "clarify"
        res.slot_completeness = 0.4
        res.answer = "Which product do you mean? Tell me its name and I'll check the sizes."
        return res
    res.cite("product", product.external_id)
    size, color = state["slots"].get("size"), state["slots"].get("color")
    chosen = state.get("options") or {}
    if sub_intent == "fit" and not size and not chosen:
        # ("in 60%" names an option: a stock question, even for a "made-to-measure" shade.)
        chart = size_chart_get(product=product)
        res.call("size_chart", {"product": product.external_id}, ok=bool(chart))
        hits = _kb_search(f"{product.name} fit {text}", res, kinds=["faq", "product"], k=2)
        res.facts.append({"size_chart": chart, "hits": [h.text for h in hits]})
        res.answer = tpl.fit_text(product.name, chart, hits)
        _cite_fit_source(res, hits)
        res.retrieval_score = max([retrieval_confidence(h) for h in hits] + [0.7 if chart else 0.3])
        return res
    availability = variant_availability(product=product, size=size, color=color, options=chosen)
    args = {"product": product.external_id, "size": size, "color": color}
    res.call("variant_availability", {**args, "options": chosen} if chosen else args)
    res.facts.append(availability)
    for variant in availability.get("variants", [])[:1]:
        if size and variant.get("in_stock"):
            res.cite("variant", variant.get("external_id"))
    res.answer = tpl.availability_text(availability)
    if sub_intent == "fit":
        # "got it in M? also is it true to size": the fit question gets its answer too.
        hits = _kb_search(f"{product.name} fit {text}", res, kinds=["faq", "product"], k=2)
        own = [h for h in hits if h.kind == "product" and h.external_id == product.external_id]
        notes = tpl.fit_notes(own or hits)
        if notes:
            res.facts.append({"hits": [h.text for h in hits]})
            res.answer = f"{res.answer} {notes}"
            _cite_fit_source(res, own or hits)
    if not size and not color and not chosen:
        res.slot_completeness = 0.8
    return res


def _knowledge(*, state: dict, text: str, res: ActResult, intent: str = "", **_: Any) -> ActResult:
    product = _product(state, res)
    if product is not None and intent == "product_question":
        from apps.catalog.selectors import variant_availability

        availability = variant_availability(product=product)
        res.call("variant_availability", {"product": product.external_id})
        res.facts.append(availability)
        res.cite("product", product.external_id)
        hits = _kb_search(text, res, kinds=["product", "faq"], k=3, intent=intent)
        hits = [h for h in hits if h.kind != "product" or h.external_id == product.external_id] or hits
        res.retrieval_score = max([retrieval_confidence(h) for h in hits] + [0.5])
        from apps.assistant.classifier import spelling_fix

        question = spelling_fix(text)
        if hits:
            res.facts.append({"text": hits[0].text})
            if hits[0].kind != "product":
                res.cite(hits[0].kind, hits[0].external_id)
            if hits[0].kind != "product" and not tpl.price_asked(question, availability):
                # The model may phrase an FAQ or policy passage. A product's own description and
                # its price go out as the catalog has them: phrasing them, the model renamed
                # products and turned questions into claims ("is it waterproof" -> "it is").
                res.passage = passage_of(hits[0])
        res.answer = tpl.product_text(product, availability, hits, question)
        return res
    return knowledge_answer(text, res, intent=intent)


def _make_kb(intent: str):  # type: ignore[no-untyped-def]
    def handler(**kwargs: Any) -> ActResult:
        return _knowledge(intent=intent, **kwargs)

    return handler


HANDLERS = {
    "greeting": _greeting,
    "complaint_or_human": _human,
    "out_of_scope": _out_of_scope,
    "order_status": _order_status,
    "cancel_order": _cancel,
    "return_refund": _return,
    "exchange_size": _exchange,
    "size_availability_or_fit": _size,
    "shipping_delivery": _make_kb("shipping_delivery"),
    "payment_billing": _make_kb("payment_billing"),
    "account": _make_kb("account"),
    "product_question": _make_kb("product_question"),
}


def extracted_merge(*, state: dict, extracted: Extracted, intent: str) -> None:
    """Fold this message's slots into the conversation's (later values win)."""
    slots = state.setdefault("slots", {})
    if extracted.order_numbers:
        slots["order_number"] = order_number_resolve(extracted.order_numbers[0])
    if extracted.email:
        slots["email"] = extracted.email
    if extracted.size:
        slots["size"] = extracted.size
    if extracted.color:
        slots["color"] = extracted.color
    if extracted.quantity:
        slots["quantity"] = extracted.quantity
    if extracted.reason and intent in (
        "return_refund",
        "exchange_size",
        "cancel_order",
        "complaint_or_human",
    ):
        slots["reason"] = extracted.reason
