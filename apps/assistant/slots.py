"""Slot extraction by code: order numbers, emails, sizes, colors, quantities, reasons.

The model never supplies a fact the shopper typed: regular expressions do, and the catalog matcher
resolves product names (apps.catalog.selectors.product_match). Values are validated against the
store (an order number resolves to the stored external id, a size against the product's sizes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

EMAIL_RE = re.compile(r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}\b")
# "#W2611340", "W2611340", "#1001", "SO-12345": a letter prefix or a '#' makes it an order number.
ORDER_TOKEN_RE = re.compile(
    r"(?<![\w@.])#\s?([A-Za-z]{0,4}-?\d{3,12})\b|(?<![\w@.#])([A-Za-z]{1,4}-?\d{4,12})\b"
)
# "order 2611340", "order no. 2611340", "order number: 2611340", "order id 2611340".
ORDER_WORD_RE = re.compile(
    r"\border\s*(?:no\.?|num(?:ber)?|id|#)?\s*[:#]?\s*#?([A-Za-z]{0,4}-?\d{3,12})\b", re.IGNORECASE
)

APPAREL_SIZES = {
    "xxs": "XXS",
    "xs": "XS",
    "s": "S",
    "small": "S",
    "m": "M",
    "med": "M",
    "medium": "M",
    "l": "L",
    "large": "L",
    "xl": "XL",
    "x-large": "XL",
    "extra large": "XL",
    "xxl": "XXL",
    "2xl": "XXL",
    "xx-large": "XXL",
    "xxxl": "XXXL",
    "3xl": "XXXL",
    "extra small": "XS",
}
NUM = r"(\d{1,2}(?:[.,]5)?)"
SIZE_PATTERNS = [
    # "size 10", "sz 9.5", "size: XL", "us 11", "eu 44"
    re.compile(
        r"\b(?:size|sz|sizes|us|uk|eu)\s*[:#]?\s*(\d{1,2}(?:[.,]5)?|x{0,3}[sml]|[23]xl)\b", re.IGNORECASE
    ),
    # "an 11", "a 10.5", "in 11s", "11s left", "10 1/2"
    re.compile(
        r"\b(?:an?|in(?: an?)?)\s+" + NUM + r"s?\b(?!\s*(?:%|days?|pairs?|items?|weeks?|dollars?))",
        re.IGNORECASE,
    ),
    re.compile(r"\b" + NUM + r"s\b(?=\s*(?:left|in stock|available|\?|$))", re.IGNORECASE),
    re.compile(r"\b(\d{1,2})\s+(?:and a half|1/2)\b", re.IGNORECASE),
    # "in M?", "in a L, and ...": a one-letter size right after "in" and before the phrase ends
    re.compile(
        r"\bin\s+(?:an?\s+|size\s+)?(xxs|xs|s|m|l|xl|xxl|xxxl|[23]xl)\b"
        r"(?=\s*(?:[?!.,]|$|and\b|or\b|please\b|pls\b|too\b))",
        re.IGNORECASE,
    ),
]
APPAREL_RE = re.compile(
    r"(?<![\w-])(xxs|xs|xxxl|xxl|xl|[23]xl|x-large|xx-large|extra large|extra small|small|medium|med|large)(?![\w-])",  # noqa: E501
    re.IGNORECASE,
)
FIT_WORDS_RE = re.compile(
    r"\b(?:runs?|running|fits?|fitting|too|a bit|little|bit)\s+(?:small|large|big)\b", re.I
)
BARE_NUMBER_RE = re.compile(
    r"^\W*(?:and|what about|how about|ok|or)?\s*(?:in\s+)?(?:an?\s+)?(?:size\s+)?"
    r"(\d{1,2}(?:\.5)?|xxs|xs|[sml]|xx?x?l|[23]xl|med)s?\W*$",
    re.I,
)

COLORS = (
    "black white blue navy red green grey gray pink purple yellow orange brown beige tan olive "
    "khaki cream ivory silver gold teal maroon burgundy charcoal coral mint lavender denim".split()
)
COLOR_RE = re.compile(r"\b(" + "|".join(COLORS) + r")\b", re.IGNORECASE)

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "a couple of": 2,
    "a pair of": 1,
}
QUANTITY_RE = re.compile(
    r"\b(\d{1,3}|one|two|three|four|five|six)\s+(?:pairs?|items?|units?|pieces?|of (?:them|these|those))\b"
    r"|\b(?:qty|quantity|x)\s*[:=]?\s*(\d{1,3})\b",
    re.IGNORECASE,
)

REASONS = [
    ("too small", r"too (?:small|tight|short)|runs? small|smaller than"),
    ("too big", r"too (?:big|large|loose|long)|runs? (?:big|large)|bigger than"),
    ("damaged", r"damaged|broken|torn|ripped|cracked"),
    ("defective", r"defective|faulty|not working|doesn'?t work|stopped working"),
    ("wrong item", r"wrong (?:item|product|size|color|colour|one)|not what i ordered"),
    ("changed mind", r"changed? my mind|don'?t (?:want|need|like) (?:it|them)|no longer (?:want|need)"),
    ("late", r"(?:too|very) late|arrived late|took too long"),
    ("missing item", r"missing|not in the box|didn'?t (?:get|receive) (?:all|one)"),
]
REASON_RES = [(name, re.compile(r"\b(?:" + pattern + r")", re.IGNORECASE)) for name, pattern in REASONS]


@dataclass
class Extracted:
    """What code found in one message (raw values; resolution against the store comes later)."""

    order_numbers: list[str] = field(default_factory=list)
    email: str | None = None
    size: str | None = None
    color: str | None = None
    quantity: int | None = None
    reason: str | None = None

    def as_dict(self) -> dict:
        out: dict = {}
        if self.order_numbers:
            out["order_number"] = self.order_numbers[0]
        for key in ("email", "size", "color", "quantity", "reason"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


def _clean_number(raw: str) -> str:
    return raw.replace(",", ".").strip()


def _store_formats() -> tuple[str, ...]:
    """The store's order-number formats; empty without a database or orders (generic reading)."""
    try:
        from apps.orders.selectors import order_number_formats

        return order_number_formats()
    except Exception:  # no database here (pure text use): the generic reading
        return ()


@lru_cache(maxsize=16)
def _formats_re(formats: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(
        r"(?<![\w@.])(?P<word>\border\s*(?:no\.?|num(?:ber)?|id|#)?\s*[:#]?\s*)?(?P<hash>#\s?)?"
        r"(?P<num>" + "|".join(f"(?:{f})" for f in formats) + r")(?![\w-])",
        re.IGNORECASE,
    )


@lru_cache(maxsize=16)
def _unprefixed(formats: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(prefix, digits pattern) of each lettered format: "order 2611340" in a store of W2611340."""
    out = []
    for f in formats:
        head, sep, tail = f.partition(r"\d{")
        if sep and head and not re.search(r"\\d", tail):
            out.append((re.sub(r"\\(.)", r"\1", head), re.compile(sep + tail)))
    return tuple(out)


def _generic_numbers(text: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in ORDER_WORD_RE.finditer(text):
        found.append((match.start(1), match.group(1)))
    for match in ORDER_TOKEN_RE.finditer(text):
        value = match.group(1) or match.group(2)
        start = match.start(1) if match.group(1) else match.start(2)
        # "2xl", "3xl" and similar are sizes, not orders; a token needs digits ≥ 3.
        if sum(ch.isdigit() for ch in value) < 3:
            continue
        found.append((start, value))
    return found


def _formatted_numbers(text: str, formats: tuple[str, ...]) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for match in _formats_re(formats).finditer(text):
        value = match.group("num")
        # A short bare number ("1042") is an order only with a '#' or the word "order" before it.
        if value.isdigit() and len(value) < 6 and not (match.group("hash") or match.group("word")):
            continue
        found.append((match.start("num"), value))
    for match in ORDER_WORD_RE.finditer(text):
        digits = match.group(1)
        fits = [prefix for prefix, rx in _unprefixed(formats) if rx.fullmatch(digits)]
        if digits.isdigit() and len(fits) == 1:
            found.append((match.start(1), fits[0] + digits))
    return found


def order_numbers_find(text: str) -> list[str]:
    """Candidate order numbers as typed (without '#'), in order of appearance, deduplicated.

    Only numbers in the store's own order-number formats count when the store has orders (a
    model number such as "MT5000" is no order in a store of "#1042"); otherwise any token
    with a '#', a letter prefix or the word "order" before it."""
    without_emails = EMAIL_RE.sub(" ", text)
    formats = _store_formats()
    found = _formatted_numbers(without_emails, formats) if formats else _generic_numbers(without_emails)
    seen: list[str] = []
    for _, value in sorted(found):
        value = value.upper().lstrip("#")
        if value not in seen:
            seen.append(value)
    return seen


def size_find(text: str, *, known_sizes: list[str] | None = None, follow_up: bool = False) -> str | None:
    """A shoe or apparel size the shopper asks about ("an 11", "size 10.5", "xl"), normalised."""
    known = {s.lower(): s for s in (known_sizes or []) if s}
    # "a 8 1/2" is 8.5: the half-size pattern goes first.
    for pattern in (SIZE_PATTERNS[3], *SIZE_PATTERNS[:3], *SIZE_PATTERNS[4:]):
        match = pattern.search(text)
        if match:
            raw = match.group(1)
            if pattern is SIZE_PATTERNS[3]:
                raw = f"{raw}.5"
            return _size_norm(raw)
    masked = FIT_WORDS_RE.sub(" ", text)
    match = APPAREL_RE.search(masked)
    if match:
        return APPAREL_SIZES[match.group(1).lower()]
    # Exact sizes of the product under discussion ("W32", "one size", "8")
    if known:
        for token in re.findall(r"[\w.]+", text.lower()):
            if token in known and not token.isalpha() or token in known and len(token) > 1:
                return known[token]
    if follow_up:
        # "what about M", "how abut 11": typos in the lead words are fixed first.
        from apps.assistant.classifier import spelling_fix

        match = BARE_NUMBER_RE.match(text.strip()) or BARE_NUMBER_RE.match(spelling_fix(text).strip())
        if match:
            return _size_norm(match.group(1))
    return None


def _size_norm(raw: str) -> str:
    raw = _clean_number(raw)
    lowered = raw.lower()
    if lowered in APPAREL_SIZES:
        return APPAREL_SIZES[lowered]
    if re.fullmatch(r"\d+(?:\.\d)?", raw):
        number = float(raw)
        return str(int(number)) if number.is_integer() else str(number)
    return raw.upper()


def color_find(text: str, *, known_colors: list[str] | None = None) -> str | None:
    for color in known_colors or []:
        if color and re.search(r"\b" + re.escape(color.lower()) + r"\b", text.lower()):
            return color.lower()
    match = COLOR_RE.search(text)
    return match.group(1).lower() if match else None


def quantity_find(text: str) -> int | None:
    match = QUANTITY_RE.search(text)
    if not match:
        return None
    raw = (match.group(1) or match.group(2) or "").lower()
    if raw.isdigit():
        value = int(raw)
    else:
        value = NUMBER_WORDS.get(raw, 0)
    return value if 0 < value < 1000 else None


def reason_find(text: str) -> str | None:
    for name, pattern in REASON_RES:
        if pattern.search(text):
            return name
    return None


def slots_extract(
    text: str,
    *,
    known_sizes: list[str] | None = None,
    known_colors: list[str] | None = None,
    follow_up: bool = False,
) -> Extracted:
    """Everything code can read from one message."""
    emails = EMAIL_RE.findall(text)
    words = without_emails(text)
    return Extracted(
        order_numbers=order_numbers_find(text),
        email=emails[0].lower() if emails else None,
        size=size_find(words, known_sizes=known_sizes, follow_up=follow_up),
        color=color_find(words, known_colors=known_colors),
        quantity=quantity_find(words),
        reason=reason_find(words),
    )


def without_emails(text: str) -> str:
    """The message with its email addresses blanked: "maelle.brown@example.net" names no color."""
    return EMAIL_RE.sub(" ", text)
