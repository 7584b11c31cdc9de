"""Catalog reads: which product the shopper means, and what of it is in stock in which size.

This Postgres has no pg_trgm, fuzzystrmatch or unaccent, so product matching combines Postgres full
text (english config, prefix terms, on the GIN index of name + category) with code-side fuzzy
matching (token-level Damerau edit distance, prefix and plural handling, IDF weights) over a
per-process copy of the catalog's names, categories, attributes and option values.
"""

from __future__ import annotations

import math
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Count, Max
from django.db.models.functions import Lower

from apps.catalog.fuzzy import osa_distance
from apps.catalog.models import Product, Store, Variant, money_str

# --------------------------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------------------------

APPAREL_ORDER = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "XXXXL")
_APPAREL_ALIASES = {
    "xxs": "XXS",
    "2xs": "XXS",
    "xx small": "XXS",
    "extra extra small": "XXS",
    "xs": "XS",
    "x small": "XS",
    "xsmall": "XS",
    "extra small": "XS",
    "s": "S",
    "sm": "S",
    "small": "S",
    "m": "M",
    "md": "M",
    "med": "M",
    "medium": "M",
    "l": "L",
    "lg": "L",
    "lrg": "L",
    "large": "L",
    "xl": "XL",
    "x large": "XL",
    "xlarge": "XL",
    "extra large": "XL",
    "xxl": "XXL",
    "2xl": "XXL",
    "2x": "XXL",
    "xx large": "XXL",
    "xxlarge": "XXL",
    "extra extra large": "XXL",
    "xxxl": "XXXL",
    "3xl": "XXXL",
    "3x": "XXXL",
    "xxx large": "XXXL",
    "xxxxl": "XXXXL",
    "4xl": "XXXXL",
}
_WORD_NUMBERS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
# Words around a size that carry no size information ("in a size 10 please" -> "10").
_SIZE_FILLER = {
    "size",
    "sizes",
    "sz",
    "us",
    "in",
    "a",
    "an",
    "the",
    "my",
    "mens",
    "men's",
    "womens",
    "women's",
    "please",
    "pls",
}
_ONE_SIZE = {"one size", "one size fits all", "os", "osfa", "onesize", "one size fits most"}
_HALF = r"(?:1/2|½|half|and a half|and half|\.5)"


def _decimal_size(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def size_normalize(text: str) -> str:
    """A size in the one spelling the catalog is compared in: "10", "10.5", "M", "XL", ...

    Accepts "size 10", "10.0", "10 1/2", "10½", "ten and a half", "xl", "x-large", "extra large",
    "medium". Anything else comes back trimmed and upper-cased ("ONE SIZE", "32X30"); "" for "".
    """
    if not text:
        return ""
    t = str(text).replace("½", " 1/2")
    t = unicodedata.normalize("NFKC", t).strip().lower().replace("\u2044", "/")
    t = t.replace("-", " ").replace("_", " ")
    if " ".join(t.split()) in _ONE_SIZE:
        return "ONE SIZE"
    t = re.sub(r"[?!,;:()\"]+(?=\s|$)", " ", t)
    words = [w for w in t.split() if w]
    while words and words[0] in _SIZE_FILLER:
        words.pop(0)
    while words and words[-1] in _SIZE_FILLER:
        words.pop()
    t = " ".join(words)
    if not t:
        return ""
    if t in _APPAREL_ALIASES:
        return _APPAREL_ALIASES[t]
    if t.replace(" ", "") in _APPAREL_ALIASES:
        return _APPAREL_ALIASES[t.replace(" ", "")]
    # Word numbers first ("ten", "nine and a half"), then digits ("9,5" is 9.5 in much of Europe).
    m = re.fullmatch(rf"([a-z]+)(?:\s*{_HALF})?", t)
    if m and m.group(1) in _WORD_NUMBERS:
        half = Decimal("0.5") if t != m.group(1) else Decimal(0)
        return _decimal_size(Decimal(_WORD_NUMBERS[m.group(1)]) + half)
    m = re.fullmatch(r"(\d{1,3})(?:[.,](\d{1,2}))?", t)
    if m:
        try:
            return _decimal_size(Decimal(f"{m.group(1)}.{m.group(2) or 0}"))
        except InvalidOperation:
            pass
    m = re.fullmatch(rf"(\d{{1,3}})\s*{_HALF}", t)
    if m:
        return _decimal_size(Decimal(m.group(1)) + Decimal("0.5"))
    return t.upper()


def _size_value(size: str) -> tuple[str, float] | None:
    """Where a normalised size sits on its scale, so "nearest size" can be measured."""
    if size in APPAREL_ORDER:
        return ("apparel", float(APPAREL_ORDER.index(size)))
    try:
        return ("numeric", float(Decimal(size)))
    except (InvalidOperation, ValueError):
        return None


def _size_sort_key(size: str) -> tuple[int, float, str]:
    value = _size_value(size)
    if value is None:
        return (2, 0.0, size)
    return (0 if value[0] == "numeric" else 1, value[1], size)


def _variant_size(variant: Variant) -> str:
    raw = (variant.options or {}).get("size")
    return size_normalize(str(raw)) if raw not in (None, "") else size_normalize(variant.size)


_COLOR_SYNONYMS = {"grey": "gray", "navy blue": "navy"}


def _color_key(text: str | None) -> str:
    t = " ".join(str(text or "").strip().lower().replace("-", " ").split())
    return _COLOR_SYNONYMS.get(t, t)


def _variant_color(variant: Variant) -> str:
    raw = (variant.options or {}).get("color")
    return _color_key(str(raw) if raw not in (None, "") else variant.color)


def _color_matches(wanted: str, have: str) -> bool:
    """ "black" matches "black" and "black/white"; "gray" matches "grey"."""
    if not wanted:
        return True
    if wanted == have:
        return True
    parts = {_COLOR_SYNONYMS.get(p, p) for p in re.split(r"[\s/&,+]+|\band\b", have) if p}
    return wanted in parts


# --------------------------------------------------------------------------------------------
# Availability
# --------------------------------------------------------------------------------------------


def product_summary(*, product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "external_id": product.external_id,
        "name": product.name,
        "category": product.category,
    }


def variant_summary(*, variant: Variant) -> dict[str, Any]:
    """One variant as JSON-safe facts (price as a decimal string)."""
    return {
        "id": variant.pk,
        "external_id": variant.external_id,
        "sku": variant.sku,
        "size": _variant_size(variant),
        "color": _variant_color(variant),
        "options": {str(k): v for k, v in (variant.options or {}).items()},
        "price": money_str(variant.price),
        "stock": variant.stock,
        "available": variant.available,
        "in_stock": variant.in_stock,
    }


def _ordered_unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def _nearest_sizes(wanted: str, candidates: list[str], limit: int = 3) -> list[str]:
    target = _size_value(wanted)
    if target is None:
        return []
    scored = []
    for size in candidates:
        value = _size_value(size)
        if value is None or value[0] != target[0] or size == wanted:
            continue
        scored.append((abs(value[1] - target[1]), value[1], size))
    scored.sort()
    return [size for _, _, size in scored[:limit]]


def variant_availability(
    *,
    product: Product,
    size: str | None = None,
    color: str | None = None,
    options: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Is this product in stock in this size (and color)? With the nearest sizes that are.

    In stock means: available, and stock absent or above 0 (STORE_BUNDLE.md). ``size_exists`` says
    whether the product is made in that size at all, so "sold out" and "not made" differ.
    """
    wanted_size = size_normalize(size or "")
    wanted_color = _color_key(color)
    # Other options the shopper chose ("switch": "Brown", "finish": "Brass") narrow the variants.
    variants = (
        variants_with_options(product=product, options=options) if options else list(product.variants.all())
    )
    sized = [(v, _variant_size(v), _variant_color(v)) for v in variants]
    has_sizes = any(s for _, s, _ in sized)

    size_exists = any(s == wanted_size for _, s, _ in sized) if wanted_size else has_sizes
    color_exists = any(_color_matches(wanted_color, c) for _, _, c in sized) if wanted_color else True
    matching = [
        v for v, s, c in sized if (not wanted_size or s == wanted_size) and _color_matches(wanted_color, c)
    ]
    matching_in_stock = [v for v in matching if v.in_stock]
    if matching_in_stock:
        # None when any matching variant does not track stock: "in stock" but no count to quote.
        counts = [v.stock for v in matching_in_stock]
        stock = None if any(c is None for c in counts) else sum(c for c in counts if c is not None)
    else:
        stock = 0 if matching else None
    priced = matching_in_stock or matching or variants
    prices = sorted({v.price for v in priced})

    in_color = [(v, s) for v, s, c in sized if _color_matches(wanted_color, c) and v.in_stock]
    sizes_in_stock = sorted(_ordered_unique(s for _, s in in_color), key=_size_sort_key)
    colors_in_stock = sorted(
        _ordered_unique(c for v, s, c in sized if v.in_stock and (not wanted_size or s == wanted_size))
    )
    nearest: list[str] = []
    if wanted_size and not matching_in_stock:
        nearest = _nearest_sizes(wanted_size, sizes_in_stock)
    return {
        "product": product_summary(product=product),
        "size": wanted_size or None,
        "color": wanted_color or None,
        "has_sizes": has_sizes,
        "size_exists": size_exists,
        "color_exists": color_exists,
        "in_stock": bool(matching_in_stock),
        "stock": stock,
        "price": money_str(prices[0]) if prices else None,
        "price_max": money_str(prices[-1]) if prices else None,
        "variants": [variant_summary(variant=v) for v in matching],
        "sizes_in_stock": sizes_in_stock,
        "nearest_in_stock": nearest,
        "colors_in_stock": colors_in_stock,
        "size_chart": bool(product.size_chart.strip()),
        "options": dict(options or {}),
        # Sizes as the catalog spells them ("5 ft x 7 ft", not the compared "5 FT X 7 FT").
        "size_labels": {s: str((v.options or {}).get("size") or s) for v, s, _ in sized if s},
        "currency": Store.objects.filter(pk=1).values_list("currency", flat=True).first() or "USD",
    }


def size_chart_get(*, product: Product) -> str:
    """The product's size chart text ("" when the store gave none)."""
    return product.size_chart.strip()


def product_get(*, product_id: int) -> Product | None:
    return Product.objects.filter(pk=product_id).first()


def variant_get_by_sku(*, sku: str) -> Variant | None:
    """A variant by SKU, case-insensitively (uses the lower(sku) index)."""
    key = (sku or "").strip().lower()
    if not key:
        return None
    return (
        Variant.objects.select_related("product")
        .annotate(sku_lower=Lower("sku"))
        .filter(sku_lower=key)
        .order_by("pk")
        .first()
    )


def product_get_by_sku(*, sku: str) -> Product | None:
    variant = variant_get_by_sku(sku=sku)
    return variant.product if variant else None


_UNITS = "mm|cm|m|km|ft|yd|oz|ml|cl|l|ltr|litres?|liters?|kg|g|mg|mcg|lbs?|gb|tb|mb|mah|w|kw|v|iu|c|f|%"


def option_key(text: str) -> str:
    """ "7 ft x 10 ft" and "7ft x 10ft", "58 cm" and "58cm", "-5 °C" and "-5°C", "SPF-50" and
    "spf 50", "8 1/2" and "8.5" compare equal; "-5 °C" (minus five) and "5 °C" do not."""
    t = _fold(str(text))
    t = re.sub(r"\b(\d{1,3})(?:\s+|-)(?:1/2|and a half)\b", r"\1.5", t)  # "8 1/2", "8-1/2" -> "8.5"
    t = re.sub(r"(?<![\w.])[-\u2212](?=\d)", " minus ", t)  # a sign, not a hyphen ("-5 °C")
    # A unit joins its number, "58 cm" -> "58cm", "0 °C" -> "0c"; any other word stays apart
    # ("US 10 wide"), and "3xl" stays one word, not a 3 and an XL.
    t = re.sub(r"(\d)\s*°?\s*(?=(?:" + _UNITS + r")(?![a-z0-9]))", r"\1", t.replace("°", " ° "))
    return " ".join(re.findall(r"[a-z0-9%.]+", t.replace("-", " ")))


def product_options(*, product: Product) -> dict[str, list[str]]:
    """Each option name of the product's variants ("size", "finish", "switch", ...) with its values,
    in catalog order."""
    out: dict[str, list[str]] = {}
    for variant in product.variants.all():
        for name, value in (variant.options or {}).items():
            if value in (None, "") or isinstance(value, (dict, list)):
                continue
            values = out.setdefault(str(name).strip().lower(), [])
            if str(value) not in values:
                values.append(str(value))
    return out


def option_values_find(*, text: str, product: Product) -> dict[str, str]:
    """The product's option values the message names, by option name: {"size": "58cm"},
    {"finish": "Brushed Brass"}, {"switch": "Brown"}. Read from the store's own variants, so any
    option and any value ("queen", "7 ft x 10 ft", "60%", "500 mg") is understood. The longest
    value wins where two overlap ("king" inside "california king")."""
    message = f" {option_key(text)} "
    name_words = set(option_key(product.name).split())
    found: dict[str, str] = {}
    taken: list[tuple[int, int]] = []
    candidates = [
        (name, value, option_key(value))
        for name, values in product_options(product=product).items()
        for value in values
    ]
    for name, value, key in sorted(candidates, key=lambda c: -len(c[2])):
        if not key or name in found:
            continue
        if key.isdigit() and len(key) < 2 and name != "size":
            continue  # "1" is too common a word to be an option value outside sizes
        at = _find_outside_name(message, key, name_words)
        if at == -1:
            at = _fuzzy_find(message, key)  # "forest gren", "matte blak": one slip in a long word
        if at < 0:
            continue
        span = (at + 1, at + 1 + len(key))  # the words only: neighbours share a space
        if any(a < span[1] and span[0] < b for a, b in taken):
            continue
        taken.append(span)
        found[name] = value
    return found


def _find_outside_name(message: str, key: str, name_words: set[str]) -> int:
    """Where ``key`` occurs in ``message`` other than as part of the product's own name: "swap my
    all-season duvet for full" names the All-Season Duvet, not its all-season warmth. An occurrence
    whose words all belong to the name, next to another word of the name, is the name; -2 if
    that is the only one, -1 if there is none."""
    in_name = all(word in name_words for word in key.split())
    named = False
    at = message.find(f" {key} ")
    while at >= 0:
        before = message[:at].split()[-1:]
        after = message[at + len(key) + 2 :].split()[:1]
        if not (in_name and any(word in name_words for word in before + after)):
            return at
        at = message.find(f" {key} ", at + 1)
        named = True
    return -2 if named else -1


def _fuzzy_find(message: str, key: str) -> int:
    """Where ``key`` occurs in ``message`` (both option_key'd, space-padded) with at most one typo
    in each word of five letters or more and the other words exact; -1 if nowhere."""
    wanted = key.split()
    if not any(w.isalpha() and len(w) >= 5 for w in wanted):
        return -1
    words = message.split()
    for start in range(len(words) - len(wanted) + 1):
        window = words[start : start + len(wanted)]
        if all(
            a == b or (a.isalpha() and len(a) >= 5 and osa_distance(a, b, 1) <= 1)
            for a, b in zip(wanted, window, strict=True)
        ):
            return message.find(f" {' '.join(window)} ")
    return -1


def variants_with_options(*, product: Product, options: dict[str, str]) -> list[Variant]:
    """Variants whose options hold every given value (compared as option_values_find reads them)."""
    wanted = {str(k).lower(): option_key(v) for k, v in options.items() if v}
    out = []
    for variant in product.variants.all():
        have = {str(k).lower(): option_key(v) for k, v in (variant.options or {}).items()}
        if all(have.get(k) == v for k, v in wanted.items()):
            out.append(variant)
    return out


def variant_find(*, product: Product, size: str | None = None, color: str | None = None) -> list[Variant]:
    """Variants of a product in that size and/or color (any stock)."""
    wanted_size = size_normalize(size or "")
    wanted_color = _color_key(color)
    return [
        v
        for v in product.variants.all()
        if (not wanted_size or _variant_size(v) == wanted_size)
        and _color_matches(wanted_color, _variant_color(v))
    ]


# --------------------------------------------------------------------------------------------
# Product matching
# --------------------------------------------------------------------------------------------

# A score at or above this is a confident match for a caller that needs one product.
PRODUCT_MATCH_CONFIDENT = 0.6
DISTINCT_NAME_SIM = 0.8  # a query word this close to a name word mentions it ("scre" -> "scree")

_STOPWORDS = set(
    """a an the and or but if of in on at to for from by with without about into over under is are
    was were be been am do does did have has had i me my mine we our you your it its this that these
    those them they their there here what which who whom whose when where why how can could would
    should will shall may might must not no yes any some all one ones thing things stuff item items
    product products pair pairs please pls thanks thank hi hello hey want wanted need looking look
    get got buy bought order ordered still stock available availability left size sizes sz color
    colour colors colours us like also just so very really more less than then too much many
    other another else same new instead exchange return swap only does doesnt dont im ive id
    check see tell know show find come comes came""".split()
)


def _fold(text: str) -> str:
    """Lower-case and strip accents (no unaccent extension in this Postgres)."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def _stem(token: str) -> str:
    """A light English singular: shoes -> shoe, hoodies -> hoodie, dresses -> dress."""
    if len(token) > 4 and token.endswith(("sses", "shes", "ches", "xes", "zes")):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", _fold(text))


def _content_tokens(text: str) -> list[str]:
    out = []
    for word in _words(text):
        if word in _STOPWORDS or len(word) < 2 or word.isdigit():
            continue
        out.append(_stem(word))
    return list(dict.fromkeys(out))


def _token_similarity(q: str, t: str) -> float:
    """How surely query token q means catalog token t, in [0, 1]; 0 below usefulness."""
    if q == t:
        return 1.0
    shorter, longer = sorted((q, t), key=len)
    # Partial words ("hood" for hoodie, "jack" for jacket); short stubs are too ambiguous.
    if len(shorter) >= 4 and longer.startswith(shorter):
        return 0.75 + 0.2 * len(shorter) / len(longer)
    size = len(longer)
    allowed = 0 if size <= 3 else 1 if size <= 5 else 2
    # Both of the first two letters wrong is rarely a typo of the same word (and cheap to test).
    if allowed == 0 or (q[0] != t[0] and q[1] != t[1]):
        return 0.0
    distance = osa_distance(q, t, allowed)
    if distance > allowed:
        return 0.0
    return 1.0 - distance / size


@dataclass
class _Entry:
    product_id: int
    name_tokens: list[str]
    extra_tokens: set[str]
    name_phrase: str


@dataclass
class _CatalogIndex:
    key: tuple[Any, ...]
    built_at: float = field(default_factory=time.monotonic)
    entries: list[_Entry] = field(default_factory=list)
    vocabulary: set[str] = field(default_factory=set)
    idf: dict[str, float] = field(default_factory=dict)
    # token -> positions in entries whose name or extra tokens hold it (candidate lookup)
    postings: dict[str, list[int]] = field(default_factory=dict)
    by_product: dict[int, int] = field(default_factory=dict)
    # vocabulary by first and by second letter: a token can only mean one sharing either
    by_first: dict[str, list[str]] = field(default_factory=dict)
    by_second: dict[str, list[str]] = field(default_factory=dict)
    meanings: dict[str, dict[str, float]] = field(default_factory=dict)
    # name token -> how many product names hold it
    name_df: dict[str, int] = field(default_factory=dict)

    def meaning(self, q: str) -> dict[str, float]:
        """Catalog tokens that query token ``q`` may stand for, with their similarity (memoised)."""
        cached = self.meanings.get(q)
        if cached is not None:
            return cached
        sims = {}
        for token in {*self.by_first.get(q[0], ()), *self.by_second.get(q[1], ())}:
            sim = _token_similarity(q, token)
            if sim >= 0.66:
                sims[token] = sim
        if len(self.meanings) > 20_000:
            self.meanings.clear()  # bounded: shoppers' vocabulary is open-ended
        self.meanings[q] = sims
        return sims


CATALOG_INDEX_TTL_SECONDS = 300.0
_index_lock = threading.Lock()
_index: _CatalogIndex | None = None


def _attribute_strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _attribute_strings(item)


def _catalog_index() -> _CatalogIndex:
    """The per-process matching index; rebuilt when a product is added, removed or changed."""
    global _index
    stats = Product.objects.aggregate(n=Count("id"), changed=Max("updated_at"), last=Max("id"))
    key = (stats["n"], stats["changed"], stats["last"])
    now = time.monotonic()

    def fresh(index: _CatalogIndex | None) -> bool:
        # Writes that bypass auto_now (queryset.update, bulk_update) are caught by the TTL.
        return index is not None and index.key == key and now - index.built_at < CATALOG_INDEX_TTL_SECONDS

    current = _index
    if fresh(current):
        assert current is not None
        return current
    with _index_lock:
        if fresh(_index):
            assert _index is not None
            return _index
        extra: dict[int, set[str]] = {}
        for product_id, options in Variant.objects.values_list("product_id", "options").iterator():
            if not isinstance(options, dict):
                continue
            bucket = extra.setdefault(product_id, set())
            for name, value in options.items():
                if name != "size" and isinstance(value, str):
                    bucket.update(_content_tokens(value))
        built = _CatalogIndex(key=key)
        df: dict[str, int] = {}
        rows = Product.objects.values_list("id", "name", "category", "attributes").iterator()
        for product_id, name, category, attributes in rows:
            name_tokens = _content_tokens(name)
            tokens = set(_content_tokens(category))
            for value in (attributes or {}).values() if isinstance(attributes, dict) else ():
                for text in _attribute_strings(value):
                    tokens.update(_content_tokens(text))
            tokens |= extra.get(product_id, set())
            tokens -= set(name_tokens)
            phrase = " ".join(_words(name))
            position = len(built.entries)
            built.entries.append(_Entry(product_id, name_tokens, tokens, phrase))
            built.by_product[product_id] = position
            for token in set(name_tokens) | tokens:
                built.postings.setdefault(token, []).append(position)
            for token in set(name_tokens):
                df[token] = df.get(token, 0) + 1
        built.vocabulary = set(built.postings)
        for token in built.vocabulary:
            built.by_first.setdefault(token[0], []).append(token)
            built.by_second.setdefault(token[1], []).append(token)
        total = max(len(built.entries), 1)
        built.idf = {token: math.log(1 + total / count) for token, count in df.items()}
        built.name_df = df
        _index = built
        return built


def product_match_cache_clear() -> None:
    global _index
    with _index_lock:
        _index = None


def _sku_candidates(text: str) -> list[str]:
    # SKUs look like "RS-RED-10" or "AB1234": at least one digit or dash, no spaces.
    found = re.findall(r"[A-Za-z0-9][A-Za-z0-9_.\-/]{2,}", text or "")
    return list(dict.fromkeys(t.strip(".-/").lower() for t in found if re.search(r"[\d-]", t)))


def _fts_ranks(tokens: list[str]) -> dict[int, float]:
    """Postgres full-text ranks over name + category (english stemming, prefix terms), 0..1."""
    if not tokens:
        return {}
    raw = " | ".join(f"{t}:*" for t in tokens if re.fullmatch(r"[a-z0-9]+", t))
    if not raw:
        return {}
    vector = SearchVector("name", "category", config="english")
    query = SearchQuery(raw, search_type="raw", config="english")
    rows = list(
        Product.objects.annotate(search=vector)
        .filter(search=query)
        .annotate(rank=SearchRank(vector, query))
        .order_by("-rank")
        .values_list("id", "rank")[:200]
    )
    if not rows:
        return {}
    best = max(float(rank) for _, rank in rows) or 1.0
    return {pk: float(rank) / best for pk, rank in rows}


def product_match(*, text: str, limit: int = 3) -> list[tuple[Product, float]]:
    """Products the text most likely names, best first, with a score in [0, 1].

    Tolerates typos ("runing shoe", "trial runner"), plurals ("hoodies") and partial names ("the
    trail ones"); works on a whole message, since words no product uses are ignored. A SKU in the
    text wins outright (score 1.0). An empty list means nothing in the catalog fits; scores below
    PRODUCT_MATCH_CONFIDENT mean "maybe", for the caller to confirm with the shopper.
    """
    best = product_match_scores(text=text, limit=limit)
    products = Product.objects.in_bulk([pk for pk, _ in best])
    return [(products[pk], score) for pk, score in best if pk in products]


def products_named_distinctly(*, text: str, product_ids: Sequence[int], within: bool = False) -> list[int]:
    """Of ``product_ids``, those whose name holds a word that no other product's name holds and
    that the text mentions, typos tolerated ("scree trail runners" names the Scree Waterproof
    Trail: "trail" and "runner" are in many names, "scree" in one). ``within``: no other of
    ``product_ids`` (an order's lines: "the vitamin d3" of a Vitamin D3 and a Vitamin C)."""
    index = _catalog_index()
    meanings = [sims for q in _content_tokens(text or "")[:30] if (sims := index.meaning(q))]
    name_df = index.name_df
    if within:
        name_df = {}
        for pk in dict.fromkeys(product_ids):
            if (position := index.by_product.get(pk)) is not None:
                for token in set(index.entries[position].name_tokens):
                    name_df[token] = name_df.get(token, 0) + 1
    named = []
    for pk in product_ids:
        position = index.by_product.get(pk)
        if position is None:
            continue
        tokens = index.entries[position].name_tokens
        if any(
            name_df.get(token) == 1 and any(sims.get(token, 0.0) >= DISTINCT_NAME_SIM for sims in meanings)
            for token in tokens
        ):
            named.append(pk)
    return named


def product_match_scores(*, text: str, limit: int = 3) -> list[tuple[int, float]]:
    """``product_match`` as (product id, score) pairs, without loading the products."""
    text = (text or "")[:2000]  # a 100 KB message is not a product name
    if not text.strip() or limit <= 0:
        return []
    scores: dict[int, float] = {}

    skus = _sku_candidates(text)
    if skus:
        hits = (
            Variant.objects.annotate(sku_lower=Lower("sku"))
            .filter(sku_lower__in=skus[:20])
            .values_list("product_id", flat=True)
        )
        for product_id in hits:
            scores[product_id] = 1.0

    index = _catalog_index()
    query_tokens = _content_tokens(text)[:30]
    # For each query token, the catalog tokens it may mean; tokens meaning nothing are chatter.
    meanings = {q: sims for q in query_tokens if (sims := index.meaning(q))}
    phrase = " " + " ".join(_words(text)) + " "
    fts = _fts_ranks(list(meanings) or query_tokens)

    # Only products holding a token the text may mean (or a full-text hit) can score.
    best_name_sim: dict[str, float] = {}
    candidates: set[int] = set()
    for sims in meanings.values():
        for token, sim in sims.items():
            best_name_sim[token] = max(best_name_sim.get(token, 0.0), sim)
            candidates.update(index.postings.get(token, ()))
    candidates.update(index.by_product[pk] for pk in fts if pk in index.by_product)
    for position in candidates:
        entry = index.entries[position]
        fuzzy = 0.0
        if meanings and entry.name_tokens:
            weights = [index.idf.get(n, 1.0) for n in entry.name_tokens]
            recall = sum(
                w * best_name_sim.get(n, 0.0) for w, n in zip(weights, entry.name_tokens, strict=True)
            )
            recall /= sum(weights)
            per_query = 0.0
            for sims in meanings.values():
                in_name = max(sims.get(n, 0.0) for n in entry.name_tokens)
                in_extra = max((sim for t, sim in sims.items() if t in entry.extra_tokens), default=0.0)
                per_query += max(in_name, 0.8 * in_extra)
            precision = per_query / len(meanings)
            fuzzy = 0.55 * recall + 0.45 * precision
            if entry.name_phrase and f" {entry.name_phrase} " in phrase:
                fuzzy = max(fuzzy, 0.95)
        rank = fts.get(entry.product_id, 0.0)
        # Full text only ever adds confidence (it stems properly: "dresses" -> "dress").
        score = min(1.0, 0.85 * fuzzy + 0.15 * max(rank, fuzzy))
        if score > 0.05:
            scores[entry.product_id] = max(scores.get(entry.product_id, 0.0), round(score, 3))

    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
