"""Respond: fact-bearing text from code templates; the SLM only rephrases a retrieved passage, and
every number, date, size, price or tracking number it writes must appear in the tool results
(``fact_check``), else the template is sent instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

HANDOFF_TEXT = "I'm handing you over to a member of our support team; they'll reply here shortly."
HANDOFF_UNVERIFIED = (
    "I couldn't verify that order with those details, so I'm passing you to a member of our team "
    "who can help."
)
HANDOFF_GENERIC = (
    "I'm not sure about that one, so I'm passing it to a member of our team; they'll reply here."
)
OUT_OF_SCOPE_TEXT = (
    "Sorry, I can only help with questions about our store: orders, returns and exchanges, sizes, "
    "shipping and payments."
)
VERIFY_TEXT = {
    "need_both": "I can help with that. Please send me your order number and the email address you used for the order.",  # noqa: E501
    "need_email": "Thanks. To keep your order private, please also send the email address you used for that order.",  # noqa: E501
    "need_number": "Thanks. Which order is it? Please send me the order number (it's in your confirmation email).",  # noqa: E501
    "mismatch": (
        "I couldn't match that order number with that email address. Please check both "
        "(the order number is in your confirmation email)."
    ),
    "not_yours": (
        "I couldn't find that order on your account. Please check the order number, or send the email "
        "address used for that order."
    ),
    "no_orders": "I couldn't find any orders on your account. Please send me the order number and the email used for it.",  # noqa: E501
}
STATUS_WORDS = {
    "pending": "received and waiting to be processed",
    "processed": "being prepared for shipping",
    "shipped": "on its way",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "return_requested": "waiting for your return",
    "returned": "returned",
    "partially_returned": "partly returned",
}
REASON_WORDS = {
    "not_delivered": "it hasn't been delivered yet; once it arrives you can return it",
    "window_expired": "its return window has closed",
    "final_sale": "the items are final sale",
    "already_returned": "a return has already been requested for it",
    "cancelled": "it was cancelled",
    "out_of_stock": "that option isn't in stock right now",
    "other_product": "an exchange is for another option of the same product",
    "same_variant": "that is the option you already have",
    "unknown_line": "that item isn't on the order",
}
RETURN_ASK = " Shall I start the return? Reply yes to confirm."


def date_text(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        value = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return f"{value:%B} {value.day}, {value.year}"


def _money(value: str | None, currency: str = "USD") -> str:
    if value is None:
        return ""
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$"}.get(currency or "USD")
    return f"{symbol}{value}" if symbol else f"{value} {currency}"


def _join(items: Iterable[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- Templates ------------------------------------------------------------------------------------
NOT_UNDERSTOOD_TEXT = (
    "Sorry, I didn't quite get that. I can check an order, a return or exchange, sizes and stock, "
    "or shipping: what do you need?"
)


# What each intent is about, as a shopper would pick it from two options.
TOPIC_TEXT = {
    "order_status": ("where your order is", "Where is my order?"),
    "cancel_order": ("cancelling an order", "Cancel an order"),
    "return_refund": ("a return or refund", "A return or refund"),
    "exchange_size": ("exchanging an item", "Exchange an item"),
    "size_availability_or_fit": ("sizes, fit or stock", "Sizes and stock"),
    "shipping_delivery": ("shipping and delivery", "Shipping and delivery"),
    "payment_billing": ("payment or billing", "Payment or billing"),
    "account": ("your account", "My account"),
    "complaint_or_human": ("talking to our team", "Talk to a person"),
    "product_question": ("one of our products", "A product question"),
    "out_of_scope": ("something else", "Something else"),
}


def topic_choice_text(first: str, second: str) -> tuple[str, list[str]]:
    """ "Just to be sure: is this about a return or refund, or about exchanging an item?" """
    a, b = TOPIC_TEXT.get(first), TOPIC_TEXT.get(second)
    if a is None or b is None:
        return NOT_UNDERSTOOD_TEXT, []
    if second == "out_of_scope":
        return f"Just to be sure: is this about {a[0]}, or about something else?", [a[1]]
    return f"Just to be sure: is this about {a[0]}, or about {b[0]}?", [a[1], b[1]]


def greeting_text(text: str) -> str:
    if re.search(r"\b(?:thanks?|thank|ty|cheers)\b", text, re.I):
        return "You're welcome! Anything else I can help with?"
    if re.search(r"\b(?:bye|goodbye)\b", text, re.I):
        return "Goodbye, and thanks for shopping with us!"
    return "Hello! How can I help? I can check an order, a return or exchange, sizes and stock, or shipping."


def order_status_text(summary: dict, *, others: list[str] | None = None) -> str:
    number = summary["order_number"]
    status = summary["status"]
    parts = [f"Your order {number} is {STATUS_WORDS.get(status, status)}."]
    if summary.get("placed_at"):
        parts[0] = (
            f"Your order {number} (placed {date_text(summary['placed_at'])}) is {STATUS_WORDS.get(status, status)}."  # noqa: E501
        )
    for shipment in summary.get("shipments") or []:
        bits = []
        tracking = shipment.get("tracking_numbers") or []
        # A label made before the parcel left: "It will ship with UPS, tracking number ...".
        verb = f"shipped on {date_text(shipment['shipped_at'])}" if shipment.get("shipped_at") else ""
        if not verb and (shipment.get("carrier") or tracking):
            verb = "will ship"
        if shipment.get("carrier"):
            verb = f"{verb} with {shipment['carrier']}".strip()
        if verb:
            bits.append(verb)
        if tracking:
            bits.append(("tracking number " if len(tracking) == 1 else "tracking numbers ") + _join(tracking))
        if shipment.get("delivered_at"):
            bits.append(f"delivered on {date_text(shipment['delivered_at'])}")
        if bits:
            items = shipment.get("items") or []
            prefix = f"{_join(items)}: " if items and len(summary.get("shipments") or []) > 1 else "It "
            parts.append(prefix + ", ".join(bits) + ".")
    if (
        status == "delivered"
        and summary.get("delivered_at")
        and not any(s.get("delivered_at") for s in summary.get("shipments") or [])
    ):
        parts.append(f"It was delivered on {date_text(summary['delivered_at'])}.")
    lines = summary.get("lines") or []
    if lines:
        parts.append("Items: " + _join(_line_text(line) for line in lines[:5]) + ".")
    if others:
        parts.append(f"(You have other orders too: {_join(others[:3])}. Tell me if you meant another one.)")
    return " ".join(parts)


def _line_text(line: dict) -> str:
    options = line.get("options") or {}
    opts = ", ".join(str(v) for v in options.values() if v)
    qty = line.get("quantity") or 1
    name = line.get("product") or "item"
    return f"{qty} × {name}" + (f" ({opts})" if opts else "")


def address_change_text(summary: dict) -> str:
    return (
        f"Your order {summary['order_number']} is {STATUS_WORDS.get(summary['status'], summary['status'])}. "
        "I can't change a delivery address myself, so I'm passing this to a member of our team who can."
    )


def cannot_cancel_text(summary: dict) -> str:
    status = summary["status"]
    text = f"Order {summary['order_number']} is {STATUS_WORDS.get(status, status)}, so it can no longer be cancelled."  # noqa: E501
    if status in ("processed", "shipped"):
        text += " Once it arrives you can return it instead."
    elif status == "delivered":
        text += " You can return it instead; just ask me to start a return."
    return text


def policy_text(rules: dict, *, window: str, ask_order: bool = True) -> str:
    days = rules.get("exchange_window_days" if window == "exchange" else "return_window_days")
    payer = rules.get("return_shipping_paid_by")
    final = rules.get("final_sale_categories") or []
    other = rules.get("return_window_days" if window == "exchange" else "exchange_window_days")
    if window == "exchange":
        text = f"You can exchange an item for another size or color within {days} days of delivery, while it's in stock."  # noqa: E501
        if other and other != days:
            text += f" Returns for a refund are accepted within {other} days."
    else:
        text = f"You can return items within {days} days of delivery."
        if other and other != days:
            text += f" Exchanges for another size or color are possible within {other} days."
    if payer == "store":
        text += " Return shipping is free."
    elif payer == "customer":
        text += " Return shipping is paid by the customer."
    if final:
        text += f" Final-sale items ({_join(final)}) can't be returned."
    if ask_order:
        text += " To start, send me your order number and the email used for the order."
    return text


def return_eligibility_text(e: dict) -> str:
    number = e.get("order_number")
    if e.get("eligible"):
        text = f"Good news: order {number} can be returned"
        if e.get("deadline"):
            text += f" until {date_text(e['deadline'])} ({e.get('days_left')} days left)"
        text += "."
        if e.get("final_sale_items"):
            text += (
                " Final-sale items can't be returned: "
                + _join(i["product"] for i in e["final_sale_items"])
                + "."
            )
        payer = e.get("return_shipping_paid_by")
        if payer == "store":
            text += " Return shipping is free."
        elif payer == "customer":
            text += " Return shipping is paid by you."
        return text + RETURN_ASK
    reason = e.get("reason")
    text = f"Order {number} can't be returned: {REASON_WORDS.get(reason, reason)}."
    if reason == "window_expired" and e.get("window_days"):
        text = f"Order {number} can't be returned: the {e['window_days']}-day return window has closed."
    return text


def return_proposal_text(e: dict, *, items: list[str], refused: list[str], ask_which: bool) -> str:
    """The eligibility, then the exact items the return would hold, to confirm."""
    text = return_eligibility_text(e).removesuffix(RETURN_ASK)
    if refused:
        text += f" {_join(refused).capitalize()} can't be returned."
    if ask_which:
        return text + (
            f" It holds {_join(items)}. Shall I start a return for all of them? Reply yes, or tell me "
            "which items to return."
        )
    return text + f" Shall I start a return for {_join(items)}? Reply yes to confirm."


def items_not_returnable_text(items: list[str], *, final_sale: bool) -> str:
    why = "final sale" if final_sale else "not returnable (a return may already be open for it)"
    return (
        f"Sorry, {_join(items)} {'is' if len(items) == 1 else 'are'} {why}, so I can't start a return for it."
    )


def return_opened_text(number: str, request_id: int, items: list[str], *, whole: bool) -> str:
    what = f"order {number}" if whole else f"{_join(items)} from order {number}"
    return f"Your return for {what} is open (request {request_id}). We'll email you the return instructions."


def _options_text(options: dict) -> str:
    return ", ".join(str(v) for v in options.values() if v not in (None, ""))


def exchange_proposal_text(*, product: str, current: dict, new: dict) -> str:
    changed = {k: v for k, v in new.items() if str(current.get(k, "")).lower() != str(v).lower()}
    was = _options_text({k: current.get(k) for k in changed}) or _options_text(current)
    now = _options_text(changed) or _options_text(new)
    return (
        f"I can exchange your {product} ({was}) for {now}, which is in stock. "
        "Shall I go ahead? Reply yes to confirm."
    )


def exchange_unavailable_text(*, number: str, product: str, wanted: dict, alternatives: list[str]) -> str:
    text = f"For order {number}: the {product} isn't in stock in {_options_text(wanted)}."
    if alternatives:
        return text + f" It is in stock in {_join(alternatives)}, if one of those suits you."
    return text + " No other option of it is in stock right now."


def exchange_opened_text(number: str, request_id: int, product: str, options: dict) -> str:
    return (
        f"Done: your exchange on order {number} is open (request {request_id}); we've reserved the "
        f"{product} in {_options_text(options)}. We'll email you how to send the original back."
    )


def exchange_failed_text(number: str, reason: str) -> str:
    return f"Sorry, I couldn't make that exchange on order {number}: {REASON_WORDS.get(reason, reason)}."


def refund_status_text(summary: dict) -> str:
    number = summary["order_number"]
    returns = summary.get("returns") or []
    if summary.get("refunded"):
        return f"A refund of {_money(summary['refunded'], summary.get('currency'))} for order {number} has been issued."  # noqa: E501
    if returns:
        latest = returns[0]
        return f"Your return for order {number} is {latest['status']} (opened {date_text(latest.get('created_at'))}). The refund follows once it's processed."  # noqa: E501
    return f"I don't see a return or refund on order {number} yet. Would you like to start a return?"


def exchange_text(options: dict, *, order_number: str) -> str:
    if not options.get("eligible") and options.get("reason") not in ("eligible", "out_of_stock"):
        reason = options.get("reason")
        return f"Order {order_number} can't be exchanged: {REASON_WORDS.get(reason, reason)}."
    size = options.get("size")
    lines = options.get("lines") or []
    if not lines:
        return f"I couldn't find an item on order {order_number} that can be exchanged."
    parts = []
    for line in lines[:3]:
        if size or options.get("color"):
            wanted = size or options.get("color")
            if line.get("requested_in_stock"):
                parts.append(f"the {line['product']} is in stock in {wanted}, so it can be exchanged")
            elif line.get("nearest_in_stock"):
                parts.append(
                    f"the {line['product']} isn't in stock in {wanted}; nearest sizes in stock: {_join(line['nearest_in_stock'])}"  # noqa: E501
                )
            else:
                parts.append(f"the {line['product']} isn't in stock in {wanted}")
        else:
            # The other options in stock, as the catalog spells them ("White", "7 ft x 10 ft").
            labels = list(
                dict.fromkeys(_options_text(v.get("options") or {}) for v in line.get("options") or [])
            )
            parts.append(
                f"the {line['product']} is available in {_join(labels)}"
                if labels
                else f"the {line['product']} has no other option in stock"
            )
    text = f"For order {order_number}: " + "; ".join(parts) + "."
    if options.get("deadline"):
        text += f" Exchanges are possible until {date_text(options['deadline'])}."
    return text


def availability_text(a: dict) -> str:
    name = a["product"]["name"]
    labels = a.get("size_labels") or {}
    size, color = labels.get(a.get("size"), a.get("size")), a.get("color")
    chosen = [f"{value} {name}" for name, value in (a.get("options") or {}).items()]
    what = " ".join(x for x in (color, f"size {size}" if size else None, *chosen) if x)
    price = f" for {_money(a['price'], a.get('currency', 'USD'))}" if a.get("price") else ""
    if size and not a.get("size_exists"):
        sizes = [labels.get(s, s) for s in a.get("sizes_in_stock") or []]
        text = f"The {name} doesn't come in size {size}."
        return text + (f" Sizes in stock: {_join(sizes)}." if sizes else "")
    if color and not a.get("color_exists", True):
        colors = a.get("colors_in_stock") or []
        return f"The {name} doesn't come in {color}." + (
            f" Colors in stock: {_join(colors)}." if colors else ""
        )
    if what:
        if a.get("in_stock"):
            stock = a.get("stock")
            left = f" ({stock} left)" if isinstance(stock, int) and stock <= 5 else ""
            # No "Yes": the shopper may have asked "is it sold out?".
            return f"The {name} in {what} is in stock{price}{left}."
        nearest = a.get("nearest_in_stock") or []
        text = f"Sorry, the {name} in {what} is out of stock."
        if nearest:
            text += f" Nearest sizes in stock: {_join(labels.get(s, s) for s in nearest)}."
        elif a.get("colors_in_stock") and size:
            text += f" In size {size} it's in stock in {_join(a['colors_in_stock'])}."
        return text
    sizes = [labels.get(s, s) for s in a.get("sizes_in_stock") or []]
    if not a.get("has_sizes"):
        if a.get("in_stock"):
            return f"The {name} is in stock{price}."
        return f"Sorry, the {name} is out of stock right now."
    if sizes:
        return f"The {name} is in stock in sizes {_join(sizes)}{price}. Which size do you need?"
    return f"Sorry, the {name} is out of stock in every size right now."


FIT_SENTENCE_RE = re.compile(
    r"[^.;\n]*\b(?:fit|true to size|runs? (?:small|large|big)|size up|size down)\b[^.;\n]*\.?", re.I
)


def fit_notes(hits: list[Any]) -> str:
    return fit_notes_source(hits)[0]


def fit_notes_source(hits: list[Any]) -> tuple[str, Any | None]:
    """The fit sentences of the first hit that has any, each once ("Fit: Snug fit: ..." and the
    attribute "fit: Snug fit: ..." are one note), and that hit (to cite)."""
    for hit in hits:
        notes: list[str] = []
        for sentence in FIT_SENTENCE_RE.findall(hit.text or ""):
            core = re.sub(r"^\s*(?:attributes:\s*)?(?:fit:\s*)?", "", sentence, flags=re.I).strip()
            if core and core.lower().rstrip(".") not in {n.lower().rstrip(".") for n in notes}:
                notes.append(core if core.endswith(".") else core + ".")
        if notes:
            return "Fit: " + " ".join(notes[:2]), hit
    return "", None


def fit_text(name: str, chart: str, hits: list[Any]) -> str:
    text = fit_notes(hits)
    if chart:
        chart_flat = " ".join(chart.split())[:400]
        text = (text + " " if text else "") + f"Size chart for the {name}: {chart_flat}"
    return text or f"I don't have fit notes for the {name}; the size chart isn't available either."


PRICE_Q_RE = re.compile(r"\b(?:price[sd]?|costs?|how much|pricing)\b", re.IGNORECASE)


def price_asked(question: str, availability: dict) -> bool:
    """A price question about a product whose price the catalog holds: the catalog answers it."""
    return bool(PRICE_Q_RE.search(question)) and bool(availability.get("price"))


def product_text(product: Any, availability: dict, hits: list[Any], question: str) -> str:
    parts = []
    for hit in hits[:1]:
        parts.append(_first_sentences(without_category(hit.text), 2))
    if price_asked(question, availability):
        currency = availability.get("currency", "USD")
        price, top = _money(availability["price"], currency), availability.get("price_max")
        span = f" to {_money(top, currency)}" if top and top != availability["price"] else ""
        parts.insert(0, f"The {product.name} costs {price}{span}.")
    if not parts:
        parts.append(f"The {product.name}: " + _first_sentences(product.description or "", 2))
    return " ".join(p for p in parts if p).strip()


def without_category(text: str | None) -> str:
    # Product chunks open with their "Category: ..." line: an index aid, not something to say.
    return re.sub(r"^Category: [^\n]*\n+", "", text or "")


POLARITY_RE = re.compile(r"^\s*(?:yes|no)\b\s*[.,:;!]?\s*", re.IGNORECASE)


def polarity_strip(text: str) -> str:
    """An answer without its leading "Yes." / "No,": an FAQ's yes or no answers its own question,
    and the shopper may have asked the opposite ("are returns free?" of "do I pay for returns?":
    "No. Returns ship back free")."""
    rest = POLARITY_RE.sub("", text or "", count=1)
    if not rest or rest == text:
        return text
    return rest[0].upper() + rest[1:]


def knowledge_text(hit: Any) -> str:
    text = polarity_strip(_first_sentences(without_category(hit.text), 3))
    if hit.kind == "product" and text and hit.title:
        return f"The {hit.title}: {text}"  # which product the description is of
    return text or hit.title


def answer_thin(answer: str) -> str | None:
    """Why a reply must not go out as it is: empty, under three words, or just a product's name
    ("Sneakers", "Portable Charger"). None when it is a real answer."""
    from apps.catalog.models import Product

    words = re.findall(r"[^\W_]+", answer or "")
    if not words:
        return "empty answer"
    if len(words) < 3:
        return "an answer of fewer than three words"
    bare = " ".join(words)
    if len(words) <= 8 and Product.objects.filter(name__iexact=bare).exists():
        return "an answer that is only a product name"
    return None


def _first_sentences(text: str, n: int) -> str:
    flat = " ".join((text or "").split())
    sentences = re.split(r"(?<=[.!?])\s+", flat)
    return " ".join(sentences[:n])[:600]


# --- Fact check ----------------------------------------------------------------------------------
FACT_RE = re.compile(
    r"\$?\d+(?:[.,]\d+)*%?|\b[A-Z]{1,4}-?\d{3,}\b|\b\d{1,2}(?:st|nd|rd|th)\b|"
    r"\b(?:XXS|XS|XXL|XXXL|XL)\b",
)
MONTHS = "january february march april may june july august september october november december".split()


def _facts_blob(facts: list[Any]) -> str:
    blob = json.dumps(facts, default=str, ensure_ascii=False)
    # Dates as the templates write them ("March 3, 2025") count as present too.
    for iso in re.findall(r"\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?", blob):
        blob += " " + date_text(iso)
    return blob


def fact_check(text: str, *, facts: list[Any], allowed_extra: str = "") -> list[str]:
    """Every number-like token of ``text`` not found in the tool results (empty = all grounded)."""
    blob = _facts_blob(facts) + " " + allowed_extra
    digits_in_blob = set(re.findall(r"\d+(?:\.\d+)?", blob))
    bad = []
    for token in FACT_RE.findall(text):
        core = token.lstrip("$").rstrip("%").replace(",", "")
        core = re.sub(r"(st|nd|rd|th)$", "", core)
        if token in blob or core in blob:
            continue
        if re.fullmatch(r"\d+(?:\.\d+)?", core) and (
            core in digits_in_blob or core.rstrip("0").rstrip(".") in digits_in_blob
        ):
            continue
        bad.append(token)
    return bad


# --- SLM phrasing -------------------------------------------------------------------------------
_CONTENT_WORD_RE = re.compile(r"[A-Za-z]{4,}")
_COMMON_WORDS = frozenset(
    "this that with your have will from they them their there what when where which would could "
    "should also just only about into than then been were does here very more most some such each "
    "yes sure course please thanks thank happy help like need want know sorry".split()
)


def words_ungrounded(text: str, *, source: str) -> list[str]:
    """Content words of ``text`` (4+ letters, not filler) that ``source`` never uses, compared
    by their first five letters ("returned" matches "returns"). A phrased answer made of the
    passage's own words restates it; one with many foreign words says something else."""
    known = {w.lower()[:5] for w in _CONTENT_WORD_RE.findall(source)}
    words = [w.lower() for w in _CONTENT_WORD_RE.findall(text)]
    return [w for w in words if w not in _COMMON_WORDS and w[:5] not in known]


MAX_UNGROUNDED_SHARE = 0.2
NEGATION_RE = re.compile(
    r"\b(?:not|no|never|cannot|can'?t|don'?t|doesn'?t|won'?t|isn'?t|aren'?t|nothing|none|without)\b",
    re.IGNORECASE,
)


def _sentences(text: str) -> list[str]:
    return [x for x in re.split(r"(?<=[.!?])\s+|\n+", text or "") if x.strip()]


def _stems(text: str) -> set[str]:
    return {w.lower()[:5] for w in _CONTENT_WORD_RE.findall(text) if w.lower() not in _COMMON_WORDS}


def negation_dropped(text: str, *, source: str) -> list[str]:
    """Sentences of ``text`` that restate a negated sentence of ``source`` without its negation
    ("Do not put running shoes in the washer" -> "You can put sneakers in the washer"): a model
    that drops a "not" says the opposite in the passage's own words, which the word check misses."""
    negated = [_stems(x) for x in _sentences(source) if NEGATION_RE.search(x)]
    flipped = []
    for sentence in _sentences(text):
        if NEGATION_RE.search(sentence):
            continue
        words = _stems(sentence)
        if any(len(words & n) >= 3 and len(words & n) * 2 >= len(words) for n in negated):
            flipped.append(sentence)
    return flipped


def slm_phrase(
    *,
    backend: Any,
    prompt: str,
    facts: list[Any],
    allowed_extra: str,
    on_first: Callable[[], None],
    max_tokens: int = 60,
    source: str | None = None,
) -> tuple[str | None, dict]:
    """Generate a grounded answer; returns (text or None if it failed the checks, stats).

    With ``source`` (the passage), an answer whose content words are mostly not the passage's is
    refused too (``stats["ungrounded"]``): the caller sends the passage as written instead."""
    import math

    tokens = []
    stats = {"prompt": 0, "cached": 0, "completion": 0, "mean_logprob": None, "unsupported": []}
    first = True
    for token in backend.stream(
        prompt=prompt, max_tokens=max_tokens, stop=["\n", "Question:", "Passage:"], context="respond"
    ):
        if first:
            on_first()
            first = False
        tokens.append(token)
    stats["prompt"] = backend.last_prompt_tokens
    stats["cached"] = backend.last_cached_tokens
    stats["completion"] = backend.last_completion_tokens
    text = "".join(t.text for t in tokens).strip()
    logprobs = [t.logprob for t in tokens if t.logprob is not None]
    if logprobs:
        stats["mean_logprob"] = sum(logprobs) / len(logprobs)
        stats["gen_confidence"] = math.exp(stats["mean_logprob"])
    if not text or len(text) < 8:
        return None, stats
    unsupported = fact_check(text, facts=facts, allowed_extra=allowed_extra)
    stats["unsupported"] = unsupported
    if unsupported:
        return None, stats
    if source is not None:
        foreign = words_ungrounded(text, source=f"{source} {allowed_extra}")
        content = [w for w in _CONTENT_WORD_RE.findall(text) if w.lower() not in _COMMON_WORDS]
        if len(foreign) > 1 and len(foreign) > MAX_UNGROUNDED_SHARE * len(content):
            stats["ungrounded"] = foreign
            return None, stats
        from apps.assistant.slots import EMAIL_RE, order_numbers_find

        # An order number or email the passage lacks: the model is telling the shopper about
        # their order ("Your order W102 has not shipped yet") from a policy passage.
        idents = [i for i in [*order_numbers_find(text), *EMAIL_RE.findall(text)] if i not in source]
        if idents:
            stats["ungrounded"] = [f"identifier: {idents[0][:40]}"]
            return None, stats
        flipped = negation_dropped(text, source=source)
        if flipped:
            stats["ungrounded"] = [f"negation dropped: {flipped[0][:80]}"]
            return None, stats
        if (cut := fragment_of(text, source=source)) is not None:
            stats["ungrounded"] = [f"fragment: {cut[:80]}"]
            return None, stats
    return text, stats


def fragment_of(text: str, *, source: str) -> str | None:
    """The passage's words before ``text`` when ``text`` is the passage's own words cut off mid
    sentence ("Target, Walmart and Amazon for 7 days after your order." out of "We match Target,
    Walmart and Amazon ..."): the reply lost its subject and verb. None when it is not a cut copy."""

    def norm(value: str) -> str:
        return " ".join(value.lower().split())

    body, passage = norm(text).rstrip(".!?"), norm(source)
    at = passage.find(body) if len(body) >= 12 else -1
    if at <= 0:
        return None
    before = passage[:at].rstrip()
    if not before or before[-1] in ".!?:;":
        return None
    return before


def stream_text(text: str, on_token: Callable[[str], None] | None) -> None:
    """Send a template answer to the callback word by word (same shape as model tokens)."""
    if on_token is None or not text:
        return
    words = text.split(" ")
    for i, word in enumerate(words):
        on_token(word if i == 0 else " " + word)
