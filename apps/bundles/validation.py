"""Store-bundle validation (see /work/shared/STORE_BUNDLE.md).

Everything is checked before anything is written: a bundle is parsed into normalised records and
every problem is collected with the JSON path that names it, so a person can fix the whole file in
one go instead of one error per attempt. Nothing here touches the database: the importer passes in
what the database already holds (ids that references may resolve to, rules of policies it keeps).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FORMAT = "supportbot.store-bundle"
VERSION = 1

ORDER_STATUSES = (
    "pending",
    "processed",
    "shipped",
    "delivered",
    "cancelled",
    "return_requested",
    "returned",
    "partially_returned",
)
PAYMENT_KINDS = ("payment", "refund")
SHIPPING_PAYERS = ("store", "customer")
RULE_KEYS = ("return_window_days", "exchange_window_days", "final_sale_categories", "return_shipping_paid_by")

# ASCII digits only: \d would also accept other scripts' digits, which no store means as money.
MONEY_RE = re.compile(r"[0-9]+(\.[0-9]+)?")
# The models store money as DECIMAL(14, 4): reject what the column would round or overflow.
MONEY_QUANTUM = Decimal("0.0001")
MONEY_MAX = Decimal(10) ** 10
INT_MAX = 2**31 - 1  # Postgres integer


class BundleError(Exception):
    """A bundle that cannot be imported; ``errors`` lists every problem, each with its JSON path."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        first = self.errors[0] if self.errors else "invalid bundle"
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(first + more)


class _Invalid(Exception):
    """One field's problem; the caller adds the path."""


_MISSING: Any = object()


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _expected(what: str, value: Any) -> _Invalid:
    return _Invalid(f"expected {what}, got {type_name(value)}")


def _text_problem(text: str) -> str | None:
    # Postgres cannot store NUL in text or jsonb, nor can UTF-8 carry lone surrogates (which JSON's
    # \ud800 escapes can produce): catch both here rather than as a database error mid-import.
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an invalid Unicode escape (lone surrogate)"
    return None


def _is_blank(value: Any) -> bool:
    return value is _MISSING or value is None or value == ""


# --- field converters: value -> normalised value, or raise _Invalid --------------------------------


def req_str(max_len: int) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value is _MISSING or value is None:
            raise _Invalid("is required")
        if not isinstance(value, str):
            raise _expected("a string", value)
        if not value.strip():
            raise _Invalid("must not be empty")
        return _checked_str(value, max_len)

    return convert


def opt_str(max_len: int) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if _is_blank(value):
            return ""
        if not isinstance(value, str):
            raise _expected("a string", value)
        return _checked_str(value, max_len)

    return convert


def _checked_str(value: str, max_len: int) -> str:
    problem = _text_problem(value)
    if problem:
        raise _Invalid(problem)
    if len(value) > max_len:
        raise _Invalid(f"is {len(value)} characters long; at most {max_len} allowed")
    return value


def money(value: Any) -> Decimal:
    if value is _MISSING or value is None:
        raise _Invalid("is required")
    if not isinstance(value, str):
        raise _Invalid(f'expected a decimal string such as "129.99", got {type_name(value)}')
    if not MONEY_RE.fullmatch(value):
        raise _Invalid(
            f'"{_clip(value)}" is not an amount: expected digits with an optional ".", e.g. "129.99"'
        )
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise _Invalid(f'"{value}" is not an amount') from exc
    if amount >= MONEY_MAX:
        raise _Invalid(f'"{_clip(value)}" is too large (at most 10 digits before the point)')
    if amount != amount.quantize(MONEY_QUANTUM):
        raise _Invalid(f'"{value}" has more than 4 decimal places')
    return amount


def opt_money(value: Any) -> Decimal:
    # Optional by the contract (sparse exports): an unknown amount is recorded as zero.
    if _is_blank(value):
        return Decimal(0)
    return money(value)


def timestamp(value: Any) -> datetime:
    if value is _MISSING or value is None:
        raise _Invalid("is required")
    if not isinstance(value, str):
        raise _expected("an ISO 8601 timestamp string", value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise _Invalid(f'"{_clip(value)}" is not an ISO 8601 timestamp') from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _Invalid(f'"{value}" has no time zone: add "Z" (UTC) or an offset such as "+02:00"')
    return moment


def opt_timestamp(value: Any) -> datetime | None:
    return None if _is_blank(value) else timestamp(value)


def req_bool(value: Any) -> bool:
    if value is _MISSING or value is None:
        raise _Invalid("is required")
    if not isinstance(value, bool):
        raise _expected("true or false", value)
    return value


def opt_bool_true(value: Any) -> bool:
    return True if _is_blank(value) else req_bool(value)


def _int(value: Any) -> int:
    # JSON has one number type: 3.0 is accepted as 3, 3.5 is not an integer.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _expected("an integer", value)
    if isinstance(value, float):
        if not value.is_integer():
            raise _Invalid(f"expected an integer, got {value}")
        value = int(value)
    if value > INT_MAX:
        raise _Invalid(f"{value} is too large (at most {INT_MAX})")
    return value


def stock(value: Any) -> int | None:
    if _is_blank(value):
        return None
    number = _int(value)
    if number < 0:
        raise _Invalid(f"must not be negative, got {number} (use 0 for sold out, null when not tracked)")
    return number


def quantity(value: Any) -> int:
    if value is _MISSING or value is None:
        raise _Invalid("is required")
    number = _int(value)
    if number < 1:
        raise _Invalid(f"must be at least 1, got {number}")
    return number


def choice(options: tuple[str, ...], default: str | None = None) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if _is_blank(value):
            if default is None:
                raise _Invalid("is required")
            return default
        if not isinstance(value, str):
            raise _expected("a string", value)
        if value not in options:
            raise _Invalid(f'"{_clip(value)}" is not one of {", ".join(options)}')
        return value

    return convert


def _free_json(value: Any, path: str, errors: list[str], depth: int = 0) -> None:
    """Check a free-form JSON value can be stored in jsonb (strings, keys, finite numbers)."""
    if isinstance(value, str):
        problem = _text_problem(value)
        if problem:
            errors.append(f"{path}: {problem}")
    elif isinstance(value, float):
        if not math.isfinite(value):
            errors.append(f"{path}: number out of range")
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = _text_problem(key)
            if problem:
                errors.append(f"{path}: key {problem}")
            _free_json(item, f"{path}.{key}", errors, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _free_json(item, f"{path}[{index}]", errors, depth + 1)


def obj(value: Any) -> dict[str, Any]:
    """An optional free-form object: absent/null/"" is an empty object."""
    if _is_blank(value):
        return {}
    if not isinstance(value, dict):
        raise _expected("an object", value)
    return value


def req_obj(value: Any) -> dict[str, Any]:
    if value is _MISSING or value is None:
        raise _Invalid("is required")
    if not isinstance(value, dict):
        raise _expected("an object", value)
    return value


def obj_or_null(value: Any) -> dict[str, Any] | None:
    """An optional object kept as null when absent (addresses)."""
    if _is_blank(value):
        return None
    if not isinstance(value, dict):
        raise _expected("an object", value)
    return value


def str_list(max_len: int) -> Callable[[Any], list[str]]:
    def convert(value: Any) -> list[str]:
        if _is_blank(value):
            return []
        if not isinstance(value, list):
            raise _expected("an array of strings", value)
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise _Invalid(f"[{index}]: expected a string, got {type_name(item)}")
            try:
                _checked_str(item, max_len)
            except _Invalid as exc:
                raise _Invalid(f"[{index}]: {exc}") from None
        return list(value)

    return convert


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# --- the record specs: known key -> converter; anything else goes to `extra` -------------------------

Spec = Mapping[str, Callable[[Any], Any]]

STORE_SPEC: Spec = {
    "name": req_str(200),
    "currency": opt_str(3),
    "locale": opt_str(20),
    "timezone": opt_str(64),
}
PRODUCT_SPEC: Spec = {
    "external_id": req_str(200),
    "name": req_str(300),
    "description": opt_str(1_000_000),
    "category": opt_str(100),
    "attributes": obj,
    "size_chart": opt_str(1_000_000),
}
VARIANT_SPEC: Spec = {
    "external_id": req_str(200),
    "sku": opt_str(200),
    "options": req_obj,
    "price": money,
    "stock": stock,
    "available": req_bool,
}
CUSTOMER_SPEC: Spec = {
    "external_id": req_str(200),
    "email": req_str(320),
    "first_name": opt_str(150),
    "last_name": opt_str(150),
    "phone": opt_str(50),
    "address": obj_or_null,
}
ORDER_SPEC: Spec = {
    "external_id": req_str(200),
    "customer": req_str(200),
    "status": choice(ORDER_STATUSES),
    "placed_at": timestamp,
    "delivered_at": opt_timestamp,
    "shipping_address": obj_or_null,
}
LINE_SPEC: Spec = {"variant": req_str(200), "quantity": quantity, "unit_price": money}
SHIPMENT_SPEC: Spec = {
    "carrier": opt_str(100),
    "tracking_numbers": str_list(100),
    "variants": str_list(200),
    "shipped_at": opt_timestamp,
    "delivered_at": opt_timestamp,
}
PAYMENT_SPEC: Spec = {
    "method": opt_str(50),
    "amount": opt_money,
    "kind": choice(PAYMENT_KINDS, default="payment"),
}
FAQ_SPEC: Spec = {
    "external_id": req_str(200),
    "question": req_str(1_000_000),
    "answer": req_str(1_000_000),
    "tags": str_list(100),
    # An extension (optional): draft FAQs export "published": false so a re-import keeps them drafts.
    "published": opt_bool_true,
}
POLICY_SPEC: Spec = {
    "external_id": req_str(200),
    "title": req_str(300),
    "body": req_str(1_000_000),
    "rules": obj,
}
# Keys whose values are free-form JSON: checked deeply for what jsonb cannot hold.
FREE_FORM = frozenset({"attributes", "options", "address", "shipping_address", "rules"})
# Keys handled by the caller (nested lists), neither converted nor kept in extra.
NESTED = {
    "products": ("variants",),
    "orders": ("lines", "shipments", "payments"),
}
TOP_LEVEL = ("format", "version", "store", "products", "customers", "orders", "faqs", "policies")


@dataclass
class ParsedBundle:
    """The normalised bundle: records are dicts of model-ready values plus ``extra`` and ``path``."""

    store: dict[str, Any] = field(default_factory=dict)
    bundle_extra: dict[str, Any] = field(default_factory=dict)
    products: list[dict[str, Any]] = field(default_factory=list)
    variants: list[dict[str, Any]] = field(default_factory=list)  # with "product" (external id)
    customers: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)  # with "lines", "shipments", "payments"
    faqs: list[dict[str, Any]] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)


class _Validator:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def record(
        self, value: Any, path: str, spec: Spec, nested: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """Convert one object by its spec; unknown keys go to ``extra``. None if not an object."""
        if not isinstance(value, dict):
            self.error(path, f"expected an object, got {type_name(value)}")
            return None
        out: dict[str, Any] = {"path": path}
        for key, convert in spec.items():
            raw = value.get(key, _MISSING)
            try:
                out[key] = convert(raw)
            except _Invalid as exc:
                message = str(exc)
                # List converters report the item index as "[i]: ..." so the path reads naturally.
                if message.startswith("["):
                    index, _, rest = message.partition(": ")
                    self.error(f"{path}.{key}{index}", rest)
                else:
                    self.error(f"{path}.{key}", message)
                out[key] = None
                continue
            if key in FREE_FORM and out[key]:
                _free_json(out[key], f"{path}.{key}", self.errors)
        extra = {k: v for k, v in value.items() if k not in spec and k not in nested}
        for key, item in extra.items():
            _free_json(item, f"{path}.{key}", self.errors)
        out["extra"] = extra
        return out

    def items(self, value: Any, path: str) -> list[Any]:
        """A list field: absent/null is empty; anything else but an array is an error."""
        if value is _MISSING or value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f"expected an array, got {type_name(value)}")
            return []
        return value

    def unique(self, records: list[dict[str, Any]], key: str = "external_id", what: str = "") -> None:
        seen: dict[str, str] = {}
        for record in records:
            ext = record.get(key)
            if ext is None:
                continue
            if ext in seen:
                label = f"{what} " if what else ""
                self.error(
                    f"{record['path']}.{key}", f'duplicate {label}external_id "{ext}" (first at {seen[ext]})'
                )
            else:
                seen[ext] = record["path"]


def bundle_validate(
    *,
    data: Any,
    db_variants: Collection[str] = frozenset(),
    db_customers: Collection[str] = frozenset(),
    db_policy_rules: Mapping[str, str] | None = None,
    prune: bool = False,
) -> ParsedBundle:
    """Validate a loaded bundle and return it normalised; raise BundleError listing every problem.

    ``db_variants`` / ``db_customers``: external ids already in the database, which references may
    resolve to (unless ``prune``, which would delete them). ``db_policy_rules``: rule key -> external id
    of a database policy the bundle does not mention (it stays, so its rules must not clash).
    """
    v = _Validator()
    parsed = ParsedBundle()
    if not isinstance(data, dict):
        raise BundleError([f"(top level): expected an object, got {type_name(data)}"])

    fmt = data.get("format", _MISSING)
    if fmt is _MISSING or fmt is None:
        v.error("format", f'is required (must be "{FORMAT}")')
    elif fmt != FORMAT:
        v.error("format", f'expected "{FORMAT}", got {_clip(json.dumps(fmt, ensure_ascii=False))}')
    version = data.get("version", _MISSING)
    if version is _MISSING or version is None:
        v.error("version", "is required")
    elif isinstance(version, bool) or version != VERSION:
        shown = _clip(json.dumps(version, ensure_ascii=False))
        v.error("version", f"unsupported version {shown}; this importer reads version {VERSION}")
    parsed.bundle_extra = {k: val for k, val in data.items() if k not in TOP_LEVEL}
    for key, item in parsed.bundle_extra.items():
        _free_json(item, key, v.errors)

    store = data.get("store", _MISSING)
    if store is _MISSING or store is None:
        v.error("store", "is required")
    else:
        parsed.store = v.record(store, "store", STORE_SPEC) or {}
        zone = parsed.store.get("timezone")
        if zone:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                v.error("store.timezone", f'unknown time zone "{_clip(zone)}"')

    # Products and their variants.
    for p_index, raw in enumerate(v.items(data.get("products", _MISSING), "products")):
        path = f"products[{p_index}]"
        product = v.record(raw, path, PRODUCT_SPEC, NESTED["products"])
        if product is None:
            continue
        parsed.products.append(product)
        variants = raw.get("variants", _MISSING)
        if variants is _MISSING or variants is None:
            v.error(f"{path}.variants", "is required (an array, possibly empty)")
            continue
        for v_index, raw_variant in enumerate(v.items(variants, f"{path}.variants")):
            variant = v.record(raw_variant, f"{path}.variants[{v_index}]", VARIANT_SPEC)
            if variant is not None:
                variant["product"] = product["external_id"]
                parsed.variants.append(variant)
    v.unique(parsed.products, what="product")
    v.unique(parsed.variants, what="variant")

    for index, raw in enumerate(v.items(data.get("customers", _MISSING), "customers")):
        customer = v.record(raw, f"customers[{index}]", CUSTOMER_SPEC)
        if customer is not None:
            if customer["email"] and "@" not in customer["email"]:
                v.error(f"{customer['path']}.email", f'"{_clip(customer["email"])}" is not an email address')
            parsed.customers.append(customer)
    v.unique(parsed.customers, what="customer")

    variant_ids = {r["external_id"] for r in parsed.variants if r["external_id"]}
    customer_ids = {r["external_id"] for r in parsed.customers if r["external_id"]}

    def reference(kind: str, ext: str | None, in_bundle: set[str], in_db: Collection[str], path: str) -> None:
        if not ext or ext in in_bundle:
            return
        if ext in in_db:
            if prune:
                v.error(
                    path,
                    f'{kind} "{_clip(ext)}" is not in the bundle, and --prune would delete it: '
                    f"add it to the bundle or import without --prune",
                )
            return
        v.error(path, f'unknown {kind} "{_clip(ext)}"')

    for index, raw in enumerate(v.items(data.get("orders", _MISSING), "orders")):
        path = f"orders[{index}]"
        order = v.record(raw, path, ORDER_SPEC, NESTED["orders"])
        if order is None:
            continue
        reference("customer", order["customer"], customer_ids, db_customers, f"{path}.customer")
        lines_raw = raw.get("lines", _MISSING)
        if lines_raw is _MISSING or lines_raw is None:
            v.error(f"{path}.lines", "is required (an array)")
        order["lines"] = []
        for l_index, raw_line in enumerate(v.items(lines_raw, f"{path}.lines")):
            line = v.record(raw_line, f"{path}.lines[{l_index}]", LINE_SPEC)
            if line is not None:
                reference("variant", line["variant"], variant_ids, db_variants, f"{line['path']}.variant")
                order["lines"].append(line)
        order["shipments"] = []
        for s_index, raw_shipment in enumerate(v.items(raw.get("shipments", _MISSING), f"{path}.shipments")):
            shipment = v.record(raw_shipment, f"{path}.shipments[{s_index}]", SHIPMENT_SPEC)
            if shipment is None:
                continue
            for i, ext in enumerate(shipment["variants"] or ()):
                reference("variant", ext, variant_ids, db_variants, f"{shipment['path']}.variants[{i}]")
            order["shipments"].append(shipment)
        order["payments"] = []
        for pay_index, raw_payment in enumerate(v.items(raw.get("payments", _MISSING), f"{path}.payments")):
            payment = v.record(raw_payment, f"{path}.payments[{pay_index}]", PAYMENT_SPEC)
            if payment is not None:
                order["payments"].append(payment)
        parsed.orders.append(order)
    v.unique(parsed.orders, what="order")

    for index, raw in enumerate(v.items(data.get("faqs", _MISSING), "faqs")):
        faq = v.record(raw, f"faqs[{index}]", FAQ_SPEC)
        if faq is not None:
            parsed.faqs.append(faq)
    v.unique(parsed.faqs, what="FAQ")

    rule_owner: dict[str, str] = {}
    for index, raw in enumerate(v.items(data.get("policies", _MISSING), "policies")):
        policy = v.record(raw, f"policies[{index}]", POLICY_SPEC)
        if policy is None:
            continue
        policy["rules"] = _rules(v, policy["rules"] or {}, f"{policy['path']}.rules")
        for key in policy["rules"]:
            path = f"{policy['path']}.rules.{key}"
            if key in rule_owner:
                v.error(path, f"also set by {rule_owner[key]}; each rule may come from one policy only")
            elif db_policy_rules and key in db_policy_rules:
                v.error(
                    path,
                    f'also set by policy "{db_policy_rules[key]}" in the database, which this bundle '
                    f"does not include: remove the rule there, or import with --prune",
                )
            else:
                rule_owner[key] = f'policy "{policy["external_id"]}" ({policy["path"]})'
        parsed.policies.append(policy)
    v.unique(parsed.policies, what="policy")

    if v.errors:
        raise BundleError(v.errors)
    return parsed


def _rules(v: _Validator, rules: dict[str, Any], path: str) -> dict[str, Any]:
    """Check policy rules; a null rule counts as not given (the platform default applies)."""
    clean: dict[str, Any] = {}
    for key, value in rules.items():
        if key not in RULE_KEYS:
            v.error(f"{path}.{key}", f"unknown rule; allowed: {', '.join(RULE_KEYS)}")
            continue
        if value is None:
            continue
        try:
            if key in ("return_window_days", "exchange_window_days"):
                days = _int(value)
                if days < 0:
                    raise _Invalid(f"must not be negative, got {days}")
                clean[key] = days
            elif key == "final_sale_categories":
                clean[key] = str_list(100)(value)
            else:
                clean[key] = choice(SHIPPING_PAYERS)(value)
        except _Invalid as exc:
            message = str(exc)
            if message.startswith("["):
                index, _, rest = message.partition(": ")
                v.error(f"{path}.{key}{index}", rest)
            else:
                v.error(f"{path}.{key}", message)
    return clean
