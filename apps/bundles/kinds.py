"""Store bundles of other kinds of store than the demo shoe store, generated from a seed.

``store_bundle_generate(kind, seed=..., now=...)`` builds a general-merchandise store (US, USD), a
pharmacy and grocer (UK, GBP), a home-and-kitchen store (Canada, CAD) or an outdoor and sports store
(Australia, AUD). Each has its own catalog and option names, order-number format, carriers, payment
methods, FAQs and policy rules, so code and models trained on the demo meet shapes they have not
seen. Keep the outdoor store out of training and tuning: it is there to test on a store nobody
tuned on. Like ``apps.bundles.demo``, everything comes from one ``random.Random`` (seeded with the
kind and the seed) and the tables below: the same kind, seed and ``now`` give the same bundle, and
dates sit relative to ``now`` so delivered orders fall inside, between and outside the return and
exchange windows.

The engine (products, customers, orders) is shared; a kind is only data: a ``_Kind`` built from
the tables in its section at the end of this module.
"""

# The store's prose (FAQ answers, policy bodies) reads better unwrapped.
# ruff: noqa: E501
from __future__ import annotations

import copy
import itertools
import random
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from apps.bundles.demo import (
    _canonical_objects,
    _faq,
    _Ids,
    _iso,
    _money,
    _slug,
    _sorted_keys,
    _weighted,
    demo_now_default,
)

STORE_KINDS = ("general", "pharmacy", "home", "outdoor")

Weighted = tuple[tuple[str, int], ...]

# Categories where shoppers often buy several at once.
_MULTI_BUY = frozenset(
    {"vitamins", "oral care", "grocery", "bath", "umbrellas", "candles", "first aid", "gas canisters"}
)


@dataclass(frozen=True)
class _Item:
    """One product: its variants are every combination of its option values."""

    name: str
    category: str
    brand: str
    price: str
    blurb: str
    options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    deltas: Mapping[str, str] = field(default_factory=dict)  # option value -> amount added to price
    attributes: Mapping[str, Any] = field(default_factory=dict)
    chart: str = ""
    bulky: bool = False  # ships separately, by the store's freight service
    digital: bool = False  # emailed (gift cards): no stock, never in a shipped order


@dataclass(frozen=True)
class _City:
    city: str
    state: str
    postal: str  # the postcode's leading part
    area: str  # phone area code


@dataclass(frozen=True)
class _Region:
    country: str
    cities: tuple[_City, ...]
    streets: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    postcode: Callable[[random.Random, _City], str]
    phone: Callable[[random.Random, _City], str]


@dataclass(frozen=True)
class _Kind:
    code: str  # SKU prefix
    store: Mapping[str, str]
    region: _Region
    items: tuple[_Item, ...]
    product_id: tuple[str, int]  # template with {n}, digits of n
    variant_id: tuple[str, int]
    customer_id: tuple[str, int]
    customer_count: int
    status_counts: Mapping[str, int]
    order_number: str  # template with {seq}, {year} and {yy} (the year's last two digits)
    first_seq: int
    seq_per_year: bool
    carriers: Weighted
    freight_carrier: str  # carries bulky items, in a shipment of their own
    freight_note: str  # what a bulky product's description says about delivery
    payments: Weighted
    return_window_days: int
    exchange_window_days: int
    final_sale: tuple[str, ...]
    transit_days: tuple[int, int]
    oldest_days: int  # the oldest delivered orders, in days before now
    email_domains: tuple[str, ...]
    sold_out: tuple[tuple[str, Mapping[str, str]], ...]  # (product, options) always at stock 0
    faqs: tuple[dict[str, Any], ...]
    policies: tuple[dict[str, Any], ...]


# --- tracking numbers: "#" a digit, "@" a capital letter, "*" either; anything else literal ------------

_TRACKING_PATTERNS = {
    "USPS": "9400##################",
    "UPS": "1Z******03########",
    "FedEx": "############",
    "OnTrac": "D##############",
    "Royal Mail": "@@#########GB",
    "DPD": "15501#########",
    "Evri": "H##@@@##########",
    "Canada Post": "################",
    "Purolator": "3###########",
    "Hearthstead Delivery": "HSD-#######",
    "Cloverleaf Courier": "CLV########",
    "Larkspur Freight": "LKF-########",
    "Australia Post": "33@@@#######01000#####",
    "StarTrack": "@@@Z########",
    "Couriers Please": "CP@@@@#########",
    "Aramex": "AX##########",
}
_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _tracking_number(rng: random.Random, carrier: str) -> str:
    out = []
    for char in _TRACKING_PATTERNS[carrier]:
        pool = {"#": _DIGITS, "@": _LETTERS, "*": _DIGITS + _LETTERS}.get(char)
        out.append(rng.choice(pool) if pool else char)
    return "".join(out)


# --- products ---------------------------------------------------------------------------------------


def _stock(rng: random.Random, item: _Item) -> tuple[int | None, bool]:
    """(stock, available): mostly in stock, some sold out, a few discontinued."""
    if item.digital:
        return None, True
    roll = rng.random()
    if roll < 0.04:
        return rng.randint(0, 2), False  # discontinued
    if roll < 0.17:
        return 0, True  # sold out
    return rng.randint(1, 6 if item.bulky else 40), True


def _variant_price(item: _Item, values: tuple[str, ...]) -> str:
    price = Decimal(item.price) + sum((Decimal(item.deltas.get(v, "0")) for v in values), Decimal("0"))
    return _money(price)


def _variants(kind: _Kind, item: _Item, rng: random.Random, ids: _Ids) -> list[dict[str, Any]]:
    names = list(item.options)
    variants = []
    for values in itertools.product(*(item.options[name] for name in names)):
        stock, available = _stock(rng, item)
        options = dict(zip(names, values, strict=True))
        if any(
            item.name == product and wanted.items() <= options.items() for product, wanted in kind.sold_out
        ):
            stock, available = 0, True
        template, digits = kind.variant_id
        variants.append(
            {
                "external_id": template.format(n=ids.take(digits)),
                "sku": "-".join([kind.code, _slug(item.name), *(_slug(v)[:4] for v in values)]),
                "options": options,
                "price": _variant_price(item, values),
                "stock": stock,
                "available": available,
            }
        )
    return sorted(variants, key=lambda v: v["external_id"])


def _description(kind: _Kind, item: _Item) -> str:
    parts = [item.blurb]
    if item.bulky:
        parts.append(kind.freight_note)
    if item.category in kind.final_sale:
        parts.append("Final sale: this item cannot be returned or exchanged unless it arrives faulty.")
    return " ".join(parts)


def _products(kind: _Kind, rng: random.Random, ids: _Ids) -> list[dict[str, Any]]:
    products = []
    for item in kind.items:
        attributes: dict[str, Any] = {"brand": item.brand, **item.attributes}
        if item.category in kind.final_sale:
            attributes["final_sale"] = True
        template, digits = kind.product_id
        products.append(
            {
                "external_id": template.format(n=ids.take(digits)),
                "name": item.name,
                "description": _description(kind, item),
                "category": item.category,
                "attributes": attributes,
                "size_chart": item.chart,
                "variants": _variants(kind, item, rng, ids),
            }
        )
    return sorted(products, key=lambda p: p["external_id"])


# --- customers --------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    """Letters and digits only, accents dropped: how most shops build an email local part."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _address(region: _Region, rng: random.Random) -> dict[str, str]:
    city = rng.choice(region.cities)
    number = rng.randint(1, 2400)
    address2 = ""
    if rng.random() < 0.25:
        address2 = rng.choice(["Apt ", "Unit ", "Flat ", "Suite "]) + str(rng.randint(1, 60))
    return {
        "address1": f"{number} {rng.choice(region.streets)}",
        "address2": address2,
        "city": city.city,
        "state": city.state,
        "zip": region.postcode(rng, city),
        "country": region.country,
    }


def _email(kind: _Kind, rng: random.Random, first: str, last: str, taken: set[str]) -> str:
    given, family = _ascii(first), _ascii(last)
    local = rng.choice(
        [
            f"{given}.{family}",
            f"{given[0]}{family}{rng.randint(1, 99)}",
            f"{given}{rng.randint(70, 99)}",
            f"{family}.{given}",
        ]
    )
    domain = rng.choice(kind.email_domains)
    email = f"{local}@{domain}"
    while email in taken:
        email = f"{local}{rng.randint(100, 999)}@{domain}"
    taken.add(email)
    # Some shops keep emails as typed; lookups must ignore case.
    return email.capitalize() if rng.random() < 0.06 else email


def _customers(kind: _Kind, rng: random.Random, ids: _Ids) -> list[dict[str, Any]]:
    region = kind.region
    pairs = [(f, last) for f in region.first_names for last in region.last_names]
    emails: set[str] = set()
    customers = []
    for first, last in rng.sample(pairs, kind.customer_count):
        template, digits = kind.customer_id
        address = _address(region, rng)
        city = next(c for c in region.cities if c.city == address["city"])
        customers.append(
            {
                "external_id": template.format(n=ids.take(digits)),
                "email": _email(kind, rng, first, last, emails),
                "first_name": first,
                "last_name": last,
                "phone": "" if rng.random() < 0.12 else region.phone(rng, city),
                "address": address,
            }
        )
    return sorted(customers, key=lambda c: c["external_id"])


# --- orders -----------------------------------------------------------------------------------------


@dataclass
class _Catalog:
    """What orders draw from: the shippable products, how often each sells, what ships by freight."""

    products: list[dict[str, Any]]
    returnable: list[dict[str, Any]]  # products not in a final-sale category
    weights: dict[str, int]  # product external id -> how often it sells
    bulky: set[str]  # variant external ids shipped by freight

    @classmethod
    def build(cls, kind: _Kind, products: list[dict[str, Any]]) -> _Catalog:
        by_name = {item.name: item for item in kind.items}
        shippable = [p for p in products if not by_name[p["name"]].digital]
        # Big-ticket furniture sells less often than towels and kettles.
        weights = {p["external_id"]: 1 if by_name[p["name"]].bulky else 3 for p in shippable}
        bulky = {v["external_id"] for p in shippable if by_name[p["name"]].bulky for v in p["variants"]}
        returnable = [p for p in shippable if p["category"] not in kind.final_sale]
        return cls(products=shippable, weights=weights, returnable=returnable, bulky=bulky)

    def pick(
        self, rng: random.Random, *, exclude: list[dict[str, Any]], returnable: bool = False
    ) -> dict[str, Any]:
        """A product not in ``exclude``: an order's lines are different products."""
        pool = self.returnable if returnable else self.products
        weights = [self.weights[p["external_id"]] for p in pool]
        while True:
            product = rng.choices(pool, weights=weights)[0]
            if all(product is not other for other in exclude):
                return product


def _hours(rng: random.Random, lo: float, hi: float) -> timedelta:
    return timedelta(seconds=rng.randint(int(lo * 3600), int(hi * 3600)))


def _delivered_bands(kind: _Kind) -> list[tuple[int, int]]:
    """Days-ago ranges that delivered orders cycle through: inside, between and outside the windows."""
    short, long = sorted((kind.return_window_days, kind.exchange_window_days))
    bands = [(1, short - 2)]
    if long > short:
        bands.append((short + 2, long - 2))  # past the return window, still exchangeable
    bands.append((long + 5, kind.oldest_days))
    return bands


def _order_dates(
    kind: _Kind, rng: random.Random, status: str, delivered_index: int
) -> tuple[timedelta, timedelta | None, timedelta | None]:
    """(placed, shipped, delivered) as time before now; None for what has not happened."""
    transit_lo, transit_hi = kind.transit_days
    if status == "pending":
        return _hours(rng, 1, 40), None, None
    if status == "processed":
        return _hours(rng, 6, 60), None, None
    if status == "shipped":
        shipped = _hours(rng, 4, 24 * transit_lo)
        return shipped + _hours(rng, 6, 36), shipped, None
    if status == "cancelled":
        return _hours(rng, 24, 24 * 120), None, None
    if status == "delivered":
        bands = _delivered_bands(kind)
        lo, hi = bands[delivered_index % len(bands)]
    elif status == "return_requested":
        lo, hi = 2, kind.return_window_days - 2
    else:  # returned, partially_returned
        lo, hi = 6, kind.return_window_days + 40
    delivered = _hours(rng, 24 * lo, 24 * hi)
    shipped = delivered + _hours(rng, 24 * transit_lo, 24 * transit_hi)
    return shipped + _hours(rng, 4, 40), shipped, delivered


def _quantity(rng: random.Random, product: dict[str, Any]) -> int:
    if product["category"] in _MULTI_BUY and rng.random() < 0.35:
        return rng.randint(2, 4)
    return 1


def _order_lines(rng: random.Random, catalog: _Catalog, status: str) -> list[dict[str, Any]]:
    n_lines = rng.choices([1, 2, 3, 4, 5], weights=[30, 32, 22, 11, 5])[0]
    if status == "partially_returned":
        n_lines = max(n_lines, 2)
    # What was returned was returnable; the kept lines of a partial return may be anything.
    all_returnable = status in ("return_requested", "returned")
    picked: list[dict[str, Any]] = []
    for index in range(n_lines):
        last = index == n_lines - 1
        returnable = all_returnable or (last and status == "partially_returned")
        picked.append(catalog.pick(rng, exclude=picked, returnable=returnable))
    lines = []
    for product in picked:
        variant = rng.choice(product["variants"])
        lines.append(
            {
                "variant": variant["external_id"],
                "quantity": _quantity(rng, product),
                "unit_price": variant["price"],
            }
        )
    return lines


def _shipments(
    kind: _Kind,
    rng: random.Random,
    lines: list[dict[str, Any]],
    bulky: set[str],
    shipped_at: datetime | None,
    delivered_at: datetime | None,
) -> list[dict[str, Any]]:
    variant_ids = sorted({line["variant"] for line in lines})
    parcels = [(_weighted(rng, kind.carriers), [v for v in variant_ids if v not in bulky])]
    freight = [v for v in variant_ids if v in bulky]
    if freight:
        parcels.append((kind.freight_carrier, freight))
    parcels = [(carrier, group) for carrier, group in parcels if group]
    if len(parcels) == 1 and len(variant_ids) >= 3 and rng.random() < 0.2:
        # Split shipment: the last item comes from another warehouse.
        carrier, group = parcels[0]
        parcels = [(carrier, group[:-1]), (_weighted(rng, kind.carriers), group[-1:])]
    shipments = []
    for index, (carrier, group) in enumerate(parcels):
        boxes = 2 if carrier == kind.freight_carrier and rng.random() < 0.4 else 1
        shipment: dict[str, Any] = {
            "carrier": carrier,
            "tracking_numbers": [_tracking_number(rng, carrier) for _ in range(boxes)],
            "variants": group,
            "shipped_at": _iso(shipped_at + timedelta(hours=5 * index)) if shipped_at else None,
            "delivered_at": None,
        }
        if delivered_at is not None:
            # The order is delivered when its last parcel is.
            shipment["delivered_at"] = _iso(delivered_at - timedelta(hours=26 * (len(parcels) - 1 - index)))
        shipments.append(shipment)
    return shipments


def _line_total(lines: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(line["unit_price"]) * line["quantity"] for line in lines), Decimal("0"))


def _payments(
    kind: _Kind, rng: random.Random, lines: list[dict[str, Any]], status: str
) -> list[dict[str, Any]]:
    total = _line_total(lines)
    method = _weighted(rng, kind.payments)
    payments = []
    if method == "gift_card" and total > Decimal("30"):
        # The gift card covers part; a card pays the rest.
        covered = Decimal(rng.choice(["25", "50"])).min(total - Decimal("5"))
        payments.append({"method": "gift_card", "amount": _money(covered), "kind": "payment"})
        payments.append({"method": "credit_card", "amount": _money(total - covered), "kind": "payment"})
    else:
        payments.append({"method": method, "amount": _money(total), "kind": "payment"})
    refund_method = payments[-1]["method"]
    if status in ("cancelled", "returned"):
        payments.append({"method": refund_method, "amount": _money(total), "kind": "refund"})
    elif status == "partially_returned":
        refund = _line_total(lines[-1:])
        payments.append({"method": refund_method, "amount": _money(refund), "kind": "refund"})
    return payments


def _order(
    kind: _Kind,
    rng: random.Random,
    catalog: _Catalog,
    customer: dict[str, Any],
    status: str,
    delivered_index: int,
    now: datetime,
) -> dict[str, Any]:
    placed, shipped, delivered = _order_dates(kind, rng, status, delivered_index)
    shipped_at = now - shipped if shipped else None
    delivered_at = now - delivered if delivered else None
    lines = _order_lines(rng, catalog, status)
    shipments = []
    if status not in ("pending", "cancelled"):
        shipments = _shipments(kind, rng, lines, catalog.bulky, shipped_at, delivered_at)
    address = dict(customer["address"])
    if rng.random() < 0.07:
        address = _address(kind.region, rng)  # a gift sent to someone else
    return {
        "external_id": "",  # numbered once every order's date is known
        "customer": customer["external_id"],
        "status": status,
        "placed_at": now - placed,
        "delivered_at": _iso(delivered_at) if delivered_at else None,
        "lines": lines,
        "shipments": shipments,
        "payments": _payments(kind, rng, lines, status),
        "shipping_address": address,
    }


def _number_orders(kind: _Kind, rng: random.Random, orders: list[dict[str, Any]]) -> None:
    """Order numbers rise with the order date, with small gaps (abandoned checkouts)."""
    seq: dict[int, int] = {}
    for order in sorted(orders, key=lambda o: o["placed_at"]):
        year = order["placed_at"].year if kind.seq_per_year else 0
        if year not in seq:
            # The oldest year in the bundle is already under way; a new year restarts at 1.
            seq[year] = kind.first_seq if not seq else 0
        seq[year] += rng.randint(1, 3)
        order["external_id"] = kind.order_number.format(seq=seq[year], year=year, yy=year % 100)
        order["placed_at"] = _iso(order["placed_at"])


def _orders(
    kind: _Kind,
    rng: random.Random,
    products: list[dict[str, Any]],
    customers: list[dict[str, Any]],
    now: datetime,
) -> list[dict[str, Any]]:
    catalog = _Catalog.build(kind, products)
    statuses = [status for status, count in kind.status_counts.items() for _ in range(count)]
    rng.shuffle(statuses)
    # A few loyal customers order often.
    weights = [rng.choice([1, 1, 1, 2, 3, 5]) for _ in customers]
    orders = []
    delivered_index = 0
    for status in statuses:
        customer = rng.choices(customers, weights=weights)[0]
        orders.append(_order(kind, rng, catalog, customer, status, delivered_index, now))
        delivered_index += status == "delivered"
    _number_orders(kind, rng, orders)
    return sorted(orders, key=lambda o: o["external_id"])


# --- the bundle -------------------------------------------------------------------------------------


def _faqs(kind: _Kind) -> list[dict[str, Any]]:
    # Copies: a caller editing its bundle must not edit the module's tables.
    return sorted(copy.deepcopy(list(kind.faqs)), key=lambda f: f["external_id"])


def _policies(kind: _Kind) -> list[dict[str, Any]]:
    policies = copy.deepcopy(list(kind.policies))
    for policy in policies:
        policy["rules"] = _sorted_keys(policy["rules"])
    return sorted(policies, key=lambda p: p["external_id"])


def store_bundle_generate(kind: str, *, seed: int = 0, now: datetime | None = None) -> dict[str, Any]:
    """A complete store bundle of one of STORE_KINDS; the same seed and now give the same bundle."""
    if kind not in _KINDS:
        raise ValueError(f"unknown store kind {kind!r}; choose one of {', '.join(STORE_KINDS)}")
    spec = _KINDS[kind]
    if now is None:
        now = demo_now_default()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    rng = random.Random(f"{kind}:{seed}")
    ids = _Ids(rng)
    products = _products(spec, rng, ids)
    customers = _customers(spec, rng, ids)
    orders = _orders(spec, rng, products, customers, now)
    _canonical_objects(products, customers, orders)
    return {
        "format": "supportbot.store-bundle",
        "version": 1,
        "store": dict(spec.store),
        "products": products,
        "customers": customers,
        "orders": orders,
        "faqs": _faqs(spec),
        "policies": _policies(spec),
    }


# --- addresses and phones by country ------------------------------------------------------------------

_UK_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters a UK inward code uses
_CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"  # letters a Canadian postal code uses


def _us_zip(rng: random.Random, city: _City) -> str:
    return f"{city.postal}{rng.randint(0, 99):02d}"


def _uk_postcode(rng: random.Random, city: _City) -> str:
    inward = f"{rng.randint(1, 9)}{rng.choice(_UK_LETTERS)}{rng.choice(_UK_LETTERS)}"
    return f"{city.postal}{rng.randint(1, 20)} {inward}"


def _ca_postal_code(rng: random.Random, city: _City) -> str:
    digit, letter = (lambda: str(rng.randint(0, 9))), (lambda: rng.choice(_CA_LETTERS))
    return f"{city.postal}{digit()}{letter()} {digit()}{letter()}{digit()}"


def _nanp_phone(rng: random.Random, city: _City) -> str:
    return f"+1 {city.area}-555-01{rng.randint(0, 99):02d}"  # 555-01xx: reserved for fiction


def _uk_phone(rng: random.Random, city: _City) -> str:
    if rng.random() < 0.7:
        return f"+44 7700 900{rng.randint(0, 999):03d}"  # Ofcom's drama range
    # International form drops the trunk 0: 0117 496 0xxx is +44 117 496 0xxx.
    return f"+44 {city.area.removeprefix('0')} 496 0{rng.randint(0, 999):03d}"


def _au_postcode(rng: random.Random, city: _City) -> str:
    return f"{city.postal}{rng.randint(0, 9)}"  # four digits; NT's start with 0


def _au_phone(rng: random.Random, city: _City) -> str:
    # ACMA's ranges for fiction: mobiles 0491 570 xxx, landlines (0x) 5550 xxxx; +61 drops the trunk 0.
    if rng.random() < 0.7:
        return f"+61 491 570 {rng.randint(0, 999):03d}"
    return f"+61 {city.area} 5550 {rng.randint(0, 9999):04d}"


# --- general: Larkspur Goods (US general merchandise) ---------------------------------------------------

GENERAL_RETURN_DAYS = 45
GENERAL_EXCHANGE_DAYS = 45
GENERAL_FINAL_SALE = ("earbuds", "gift cards", "personalized")

_HELMET_CHART = (
    "Measure around your head about 2.5 cm (1 in) above the eyebrows. XS fits 48-52 cm, S fits 52-56 cm, "
    "M fits 55-59 cm, L fits 58-62 cm, XL fits 61-65 cm. Between two sizes, take the smaller one and open the fit dial."
)
_BEDDING_CHART = (
    'Twin fits mattresses 39 x 75 in, queen 60 x 80 in, king 76 x 80 in; fitted sheets have 16" deep pockets.'
)
_RUG_CHART = (
    "5 ft x 7 ft (152 x 213 cm) suits a seating area; 7 ft x 10 ft and 8 ft x 10 ft anchor a living room."
)

_GENERAL_ITEMS: tuple[_Item, ...] = (
    _Item(
        "Aero Commuter Bike Helmet",
        "bike helmets",
        "Ridewell",
        "59.99",
        "A vented commuter helmet with an integrated rear LED and a magnetic buckle.",
        options={
            "size": ("S (52-56cm)", "M (55-59cm)", "L (58-62cm)"),
            "color": ("matte black", "white", "hi-vis yellow"),
        },
        attributes={"certification": "CPSC", "weight": "340 g"},
        chart=_HELMET_CHART,
    ),
    _Item(
        "Sprout Kids' Bike Helmet",
        "bike helmets",
        "Ridewell",
        "34.99",
        "A lightweight helmet for kids from about 3 years, with a pinch-guard buckle.",
        options={"size": ("XS (48-52cm)", "S (52-56cm)"), "color": ("mint", "coral", "navy")},
        attributes={"certification": "CPSC"},
        chart=_HELMET_CHART,
    ),
    _Item(
        "Trailblazer MIPS Mountain Helmet",
        "bike helmets",
        "Ridewell",
        "119.99",
        "A trail helmet with MIPS rotational protection, extended rear coverage and a visor.",
        options={"size": ("M (55-59cm)", "L (58-62cm)", "XL (61-65cm)"), "color": ("slate", "forest green")},
        attributes={"certification": "CPSC", "mips": True},
        chart=_HELMET_CHART,
    ),
    _Item(
        "Arc LED Desk Lamp",
        "desk lamps",
        "Lumen & Co",
        "49.99",
        "A slim LED desk lamp with five brightness levels, three color temperatures and a USB-C charging port.",
        options={"finish": ("matte black", "brushed brass", "white")},
        deltas={"brushed brass": "10.00"},
        attributes={"bulb": "integrated LED, 9 W", "cord": "6 ft"},
    ),
    _Item(
        "Architect Swing-Arm Lamp",
        "desk lamps",
        "Lumen & Co",
        "79.99",
        "A spring-balanced swing-arm lamp that clamps to the desk edge.",
        options={"finish": ("polished nickel", "matte black")},
        attributes={"bulb": "E26, up to 60 W equivalent LED (not included)"},
    ),
    _Item(
        "Halo Clamp Lamp",
        "desk lamps",
        "Lumen & Co",
        "29.99",
        "A compact clamp lamp for bunk beds, shelves and workbenches.",
        options={"finish": ("white", "sage")},
        attributes={"bulb": "integrated LED, 5 W"},
    ),
    _Item(
        "Keyforge K87 Mechanical Keyboard",
        "keyboards",
        "Keyforge",
        "89.99",
        "A hot-swappable mechanical keyboard with PBT keycaps and white backlighting.",
        options={"switch": ("brown", "red", "blue"), "layout": ("tenkeyless", "full-size")},
        deltas={"full-size": "10.00"},
        attributes={"connection": "USB-C, wired", "keycaps": "PBT double-shot"},
    ),
    _Item(
        "Keyforge K65 Wireless Compact Keyboard",
        "keyboards",
        "Keyforge",
        "109.99",
        "A 65% wireless mechanical keyboard: Bluetooth to three devices, 2.4 GHz or USB-C.",
        options={"switch": ("brown", "red", "blue"), "color": ("black", "white")},
        attributes={"connection": "Bluetooth 5.1, 2.4 GHz, USB-C", "battery": "4000 mAh"},
    ),
    _Item(
        "Whisper Quiet Keyboard",
        "keyboards",
        "Keyforge",
        "39.99",
        "A low-profile membrane keyboard with near-silent keys for shared offices.",
        options={"color": ("graphite", "white")},
        attributes={"connection": "USB-A, wired"},
    ),
    _Item(
        "Stormproof Travel Umbrella",
        "umbrellas",
        "Drizzle",
        "24.99",
        "A compact auto open-and-close umbrella with a wind-vented double canopy.",
        options={"color": ("black", "navy", "red", "yellow")},
        attributes={"canopy": "38 in", "folded": "11 in"},
    ),
    _Item(
        "Fairway Golf Umbrella",
        "umbrellas",
        "Drizzle",
        "39.99",
        "A 62-inch canopy that covers two people, with a fibreglass frame that flexes in gusts.",
        options={"color": ("black", "forest green")},
        attributes={"canopy": "62 in"},
    ),
    _Item(
        "Hearth Wool Area Rug",
        "rugs",
        "Loomhouse",
        "199.00",
        "A hand-tufted wool rug with a low pile that hides footprints.",
        options={"size": ("5 ft x 7 ft", "7 ft x 10 ft", "8 ft x 10 ft"), "color": ("ivory", "charcoal")},
        deltas={"7 ft x 10 ft": "150.00", "8 ft x 10 ft": "230.00"},
        attributes={"material": "100% wool", "pile": "0.4 in"},
        chart=_RUG_CHART,
        bulky=True,
    ),
    _Item(
        "Kilim Flatweave Rug",
        "rugs",
        "Loomhouse",
        "59.00",
        "A reversible cotton flatweave in a traditional kilim pattern.",
        options={"size": ("2 ft x 3 ft", "5 ft x 7 ft"), "color": ("terracotta", "indigo")},
        deltas={"5 ft x 7 ft": "90.00"},
        attributes={"material": "cotton"},
        chart=_RUG_CHART,
    ),
    _Item(
        "Machine-Washable Runner",
        "rugs",
        "Loomhouse",
        "89.00",
        "A non-slip hallway runner that goes straight in the washing machine.",
        options={"size": ("2.5 ft x 8 ft", "2.5 ft x 10 ft"), "color": ("grey", "blue")},
        deltas={"2.5 ft x 10 ft": "20.00"},
        attributes={"material": "polyester chenille"},
    ),
    _Item(
        "Percale Sheet Set",
        "bedding",
        "Nestwell",
        "79.00",
        "Crisp, cool 300-thread-count cotton percale: fitted sheet, flat sheet and two pillowcases.",
        options={"size": ("twin", "queen", "king"), "color": ("white", "sand", "slate")},
        deltas={"queen": "20.00", "king": "30.00"},
        attributes={"material": "100% cotton percale"},
        chart=_BEDDING_CHART,
    ),
    _Item(
        "Quilted Cotton Comforter",
        "bedding",
        "Nestwell",
        "119.00",
        "A box-stitched comforter with a recycled down-alternative fill.",
        options={"size": ("twin", "queen", "king"), "color": ("white", "blush")},
        deltas={"queen": "30.00", "king": "50.00"},
        chart=_BEDDING_CHART,
    ),
    _Item(
        "Waffle Weave Blanket",
        "bedding",
        "Nestwell",
        "69.00",
        "A breathable waffle-weave cotton blanket for every season.",
        options={"size": ("twin", "queen", "king"), "color": ("oatmeal", "sage")},
        deltas={"queen": "20.00", "king": "30.00"},
        chart=_BEDDING_CHART,
    ),
    _Item(
        "Voltkit Slim Power Bank",
        "power banks",
        "Voltkit",
        "29.99",
        "A slim USB-C power bank with 20 W fast charging in and out.",
        options={"capacity": ("10000mAh", "20000mAh"), "color": ("black", "white")},
        deltas={"20000mAh": "15.00"},
        attributes={"ports": "1 x USB-C, 1 x USB-A", "airline_safe": True},
    ),
    _Item(
        "Voltkit MagSnap Wireless Power Bank",
        "power banks",
        "Voltkit",
        "39.99",
        "A magnetic wireless power bank that snaps to the back of recent phones.",
        options={"capacity": ("5000mAh", "10000mAh")},
        deltas={"10000mAh": "12.00"},
        attributes={"wireless": "7.5 W", "airline_safe": True},
    ),
    _Item(
        "Voltkit 65W GaN Charger",
        "chargers",
        "Voltkit",
        "44.99",
        "A compact gallium-nitride wall charger that powers a laptop and a phone at once.",
        options={"ports": ("2-port", "3-port")},
        deltas={"3-port": "10.00"},
    ),
    _Item(
        "Trailpack Daypack",
        "backpacks",
        "Trailpack",
        "69.00",
        "A water-resistant daypack with a padded 16-inch laptop sleeve.",
        options={"capacity": ("20 L", "28 L"), "color": ("black", "olive", "rust")},
        deltas={"28 L": "15.00"},
    ),
    _Item(
        "Hydra Insulated Bottle",
        "water bottles",
        "Hydra",
        "27.00",
        "A double-wall stainless bottle: cold for 24 hours, hot for 12.",
        options={"capacity": ("18 oz", "24 oz", "32 oz"), "color": ("stainless", "black", "sky blue")},
        deltas={"24 oz": "4.00", "32 oz": "8.00"},
    ),
    _Item(
        "Engraved Hydra Bottle",
        "personalized",
        "Hydra",
        "36.00",
        "Our 24 oz insulated bottle laser-engraved with up to 20 characters of your choice.",
        options={"color": ("black", "white")},
        attributes={"engraving": "up to 20 characters"},
    ),
    _Item(
        "Studio Over-Ear Headphones",
        "headphones",
        "Voltkit",
        "129.00",
        "Wireless noise-cancelling headphones with 40 hours of battery.",
        options={"color": ("black", "silver", "midnight blue")},
        attributes={"battery": "40 h"},
    ),
    _Item(
        "Pulse Wireless Earbuds",
        "earbuds",
        "Voltkit",
        "79.00",
        "True wireless earbuds with three sizes of silicone tips and a charging case.",
        options={"color": ("black", "white")},
        attributes={"battery": "8 h + 24 h case"},
    ),
    _Item(
        "Cork Yoga Mat",
        "fitness",
        "Groundwork",
        "58.00",
        "A natural cork and rubber mat that grips better the more you sweat.",
        options={"thickness": ("4 mm", "6 mm")},
        deltas={"6 mm": "10.00"},
        attributes={"length": "72 in"},
    ),
    _Item(
        "Adjustable Dumbbell",
        "fitness",
        "Groundwork",
        "149.00",
        "A dial-adjustable dumbbell that replaces a rack of fixed weights. Sold singly.",
        options={"weight": ("5-25 lb", "10-50 lb")},
        deltas={"10-50 lb": "100.00"},
    ),
    _Item(
        "Soy Candle Trio",
        "candles",
        "Wick & Fern",
        "32.00",
        "Three hand-poured soy candles, about 30 hours of burn time each.",
        options={"scent": ("cedar & smoke", "fig & vetiver", "sea salt")},
    ),
    _Item(
        "National Parks 1000-Piece Puzzle",
        "games",
        "Boxcar Games",
        "22.00",
        "A 1000-piece jigsaw puzzle on thick recycled board, 27 x 20 in finished.",
        options={"design": ("yosemite", "zion", "acadia")},
    ),
    _Item(
        "Harbor Lights Board Game",
        "games",
        "Boxcar Games",
        "44.00",
        "A cooperative strategy game for 2-5 players, ages 10 and up, about 45 minutes a game.",
    ),
    _Item(
        "Burrow Pet Bed",
        "pets",
        "Groundwork",
        "49.00",
        "A bolstered pet bed with a removable, machine-washable cover.",
        options={"size": ("S (up to 25 lb)", "M (up to 50 lb)", "L (up to 90 lb)"), "color": ("grey", "tan")},
        deltas={"M (up to 50 lb)": "15.00", "L (up to 90 lb)": "30.00"},
        chart="S is 24 x 18 in, M is 30 x 24 in, L is 40 x 30 in. Measure your pet nose to tail and add 6 in.",
    ),
    _Item(
        "Beacon Bike Light Set",
        "bike accessories",
        "Ridewell",
        "34.99",
        "A USB-rechargeable front and rear light set with a daytime flash mode.",
        options={"output": ("400 lm", "800 lm")},
        deltas={"800 lm": "15.00"},
    ),
    _Item(
        "Clearview Phone Case",
        "phone cases",
        "Voltkit",
        "24.99",
        "A slim drop-tested case with raised edges around the camera.",
        options={"model": ("iPhone 15", "iPhone 15 Pro", "Galaxy S24"), "color": ("clear", "black")},
    ),
    _Item(
        "Larkspur Gift Card",
        "gift cards",
        "Larkspur",
        "25.00",
        "A digital gift card emailed to the recipient, redeemable on everything in the store.",
        options={"amount": ("25", "50", "100")},
        deltas={"50": "25.00", "100": "75.00"},
        digital=True,
    ),
)

_GENERAL_REGION = _Region(
    country="US",
    cities=(
        _City("Milwaukee", "WI", "532", "414"),
        _City("St. Louis", "MO", "631", "314"),
        _City("Omaha", "NE", "681", "402"),
        _City("Des Moines", "IA", "503", "515"),
        _City("Louisville", "KY", "402", "502"),
        _City("Indianapolis", "IN", "462", "317"),
        _City("Cleveland", "OH", "441", "216"),
        _City("Detroit", "MI", "482", "313"),
        _City("Grand Rapids", "MI", "495", "616"),
        _City("Tulsa", "OK", "741", "918"),
        _City("Memphis", "TN", "381", "901"),
        _City("New Orleans", "LA", "701", "504"),
        _City("Houston", "TX", "770", "713"),
        _City("Dallas", "TX", "752", "214"),
        _City("Sacramento", "CA", "958", "916"),
        _City("Las Vegas", "NV", "891", "702"),
        _City("Baltimore", "MD", "212", "410"),
        _City("Hartford", "CT", "061", "860"),
        _City("Providence", "RI", "029", "401"),
        _City("Buffalo", "NY", "142", "716"),
        _City("Fargo", "ND", "581", "701"),
        _City("Cincinnati", "OH", "452", "513"),
        _City("Anchorage", "AK", "995", "907"),
    ),
    streets=(
        "Prairie Avenue",
        "Lincoln Way",
        "Market Street",
        "Orchard Lane",
        "Grand Boulevard",
        "Jefferson Avenue",
        "Walnut Street",
        "Sycamore Drive",
        "Church Street",
        "Franklin Road",
        "Magnolia Court",
        "Bluff Street",
        "Riverside Drive",
        "College Avenue",
        "Hickory Lane",
    ),
    first_names=(
        "Ava",
        "Caleb",
        "Delia",
        "Marcus",
        "Tessa",
        "Jordan",
        "Naomi",
        "Wyatt",
        "Priscilla",
        "Andre",
        "Hannah",
        "Tyler",
        "Rosa",
        "Devin",
        "Keisha",
        "Brandon",
        "Lauren",
        "Hector",
        "Molly",
        "Xavier",
        "Jasmine",
        "Cole",
        "Bianca",
        "Trevor",
        "Renee",
        "Luis",
        "Dana",
        "Gavin",
        "Kayla",
        "Elliot",
    ),
    last_names=(
        "Bennett",
        "Foster",
        "Hughes",
        "Jenkins",
        "Lawson",
        "Meyer",
        "Ortiz",
        "Porter",
        "Quinn",
        "Ramos",
        "Schultz",
        "Tran",
        "Vaughn",
        "Webb",
        "Young",
        "Zimmerman",
        "Castillo",
        "Dixon",
        "Fischer",
        "Grant",
        "Holt",
        "Ibarra",
        "Keller",
        "Lindqvist",
        "Morales",
        "Nakamura",
        "Okafor",
        "Pham",
        "Reed",
        "Stone",
    ),
    postcode=_us_zip,
    phone=_nanp_phone,
)

_GENERAL_FAQS: tuple[dict[str, Any], ...] = (
    _faq(
        "gm-shipping-cost",
        "How much is shipping?",
        "Standard ground shipping (4-6 business days) is $6.95 and free on orders over $75. Express (2 business days) is $16.95. Rugs ship free at any order size.",
        "shipping",
    ),
    _faq(
        "gm-shipping-when",
        "When will my order leave the warehouse?",
        "In-stock items leave our Columbus, Ohio warehouse within 1 business day. Orders placed on Saturday or Sunday ship on Monday. Engraved bottles take 2 extra business days.",
        "shipping",
    ),
    _faq(
        "gm-tracking",
        "How do I track my order?",
        "Your shipping email has a tracking link. You can also give us your order number (it looks like GM-104233) and the email you ordered with, and we will look it up. We ship with USPS, UPS, FedEx and OnTrac; large parcels may come by Larkspur Freight.",
        "shipping",
        "tracking",
        "order status",
    ),
    _faq(
        "gm-order-status",
        "What do the order statuses mean?",
        "Pending: we have your order and have not packed it yet, so you can still change or cancel it. Processed: packed and labelled, waiting for the carrier. Shipped: on its way. Delivered: the carrier confirmed delivery.",
        "order status",
    ),
    _faq(
        "gm-cancel",
        "Can I cancel or change my order?",
        "Yes, while it is pending. Once an order is processed it is already packed, so we cannot change it: return it after delivery instead.",
        "order changes",
        "cancel",
    ),
    _faq(
        "gm-returns-window",
        "How long do I have to return something?",
        f"You have {GENERAL_RETURN_DAYS} days from delivery to return unused items in their original packaging. Return shipping is paid by you: send it with any tracked carrier, or ask us for a prepaid USPS label for $6.95.",
        "returns",
    ),
    _faq(
        "gm-returns-opened",
        "Can I return an item I have opened?",
        "Yes, if it is unused and complete: a keyboard with its cable and keycap puller, a lamp with its shade, bedding that has not been washed. We cannot take back items that show wear, and a bike helmet that has been in a crash can never be resold.",
        "returns",
        "opened items",
    ),
    _faq(
        "gm-final-sale",
        "Which items cannot be returned?",
        "Earbuds (for hygiene reasons), engraved and other personalized items, and gift cards are final sale. If one arrives faulty we replace it.",
        "returns",
        "final sale",
    ),
    _faq(
        "gm-exchange",
        "Can I exchange for another size, switch or color?",
        f"Yes, within {GENERAL_EXCHANGE_DAYS} days of delivery: tell us the order number and what you want instead. We ship the replacement free as soon as your return is scanned, if it is in stock.",
        "exchanges",
    ),
    _faq(
        "gm-refund-time",
        "When will I get my refund?",
        "We refund to your original payment method within 3 business days of your return reaching our warehouse; banks take another 2-5 business days to show it.",
        "refunds",
        "returns",
    ),
    _faq(
        "gm-helmet-size",
        "What size bike helmet should I get?",
        "Measure your head about 1 inch above the eyebrows. S fits 52-56 cm, M 55-59 cm, L 58-62 cm, XL 61-65 cm; kids' XS fits 48-52 cm. If you fall between two sizes, take the smaller and open the fit dial.",
        "sizing",
        "helmets",
    ),
    _faq(
        "gm-keyboard-switches",
        "Which keyboard switch should I choose?",
        "Brown switches have a soft bump you can feel, good for typing. Red switches are smooth and quiet, good for gaming. Blue switches click loudly on every key press. The K87 and K65 are hot-swappable, so you can change switches later.",
        "keyboards",
    ),
    _faq(
        "gm-rug-size",
        "Which rug size do I need?",
        "A 5 ft x 7 ft rug fits under a coffee table with the front legs of the sofa on it. For a living room, 7 ft x 10 ft or 8 ft x 10 ft leaves about 18 inches of floor around the edges. Sizes are in feet; the product page also lists centimeters.",
        "sizing",
        "rugs",
    ),
    _faq(
        "gm-bedding-size",
        "Which bedding size fits my bed?",
        "Twin fits a 39 x 75 in mattress, queen 60 x 80 in and king 76 x 80 in. Fitted sheets have 16-inch pockets for deep mattresses. We do not sell full size.",
        "sizing",
        "bedding",
    ),
    _faq(
        "gm-power-bank-flight",
        "Can I take a power bank on a plane?",
        "Yes, in your carry-on (never in checked bags). Our 10000mAh power banks are 37 Wh and the 20000mAh model is 74 Wh, both under the 100 Wh airline limit.",
        "power banks",
        "travel",
    ),
    _faq(
        "gm-payment",
        "Which payment methods do you accept?",
        "Visa, Mastercard, American Express, Discover, PayPal, Apple Pay, Shop Pay and Larkspur gift cards. Your card is charged when the order ships.",
        "payment",
    ),
    _faq(
        "gm-account",
        "Do I need an account to order?",
        "No, guest checkout works. With an account you see your orders, save addresses and start returns without your order number.",
        "account",
    ),
    _faq(
        "gm-password",
        "I cannot sign in to my account.",
        "Use 'Forgot password' on the sign-in page: the reset link we email is valid for 2 hours. Accounts are locked for 15 minutes after 5 wrong passwords.",
        "account",
    ),
    _faq(
        "gm-warranty",
        "Is there a warranty?",
        "Keyboards, lamps, power banks, chargers and headphones have a 1-year warranty against defects. Ridewell helmets have a crash replacement program: 40% off a new helmet within 3 years of purchase.",
        "warranty",
    ),
    _faq(
        "gm-gift-cards",
        "How do gift cards work?",
        "Digital gift cards of $25, $50 or $100 are emailed to the recipient, never expire and can be combined with a card payment. Gift cards cannot be returned.",
        "gift cards",
        "payment",
    ),
    _faq(
        "gm-price-match",
        "Do you match prices?",
        "If Target, Walmart or Amazon (sold by Amazon) lists the same item for less within 7 days of your order, we refund the difference.",
        "pricing",
    ),
    _faq(
        "gm-international",
        "Do you ship outside the United States?",
        "We ship to all 50 states and to APO/FPO addresses, but not abroad. Alaska and Hawaii take 2-3 more business days and add $10 to express shipping.",
        "shipping",
        "international",
    ),
)

_GENERAL_POLICIES: tuple[dict[str, Any], ...] = (
    {
        "external_id": "returns",
        "title": "Returns",
        "body": (
            "# Returns\n\n"
            f"- Return unused items in their original packaging within **{GENERAL_RETURN_DAYS} days of delivery**.\n"
            "- Opened items are accepted when complete and unused.\n"
            "- **Final sale:** earbuds, personalized (engraved) items and gift cards.\n"
            "- Refunds go to the original payment method within 3 business days of the return arriving.\n"
        ),
        "rules": {
            "return_window_days": GENERAL_RETURN_DAYS,
            "final_sale_categories": list(GENERAL_FINAL_SALE),
        },
    },
    {
        "external_id": "exchanges",
        "title": "Exchanges",
        "body": (
            "# Exchanges\n\n"
            f"Exchange for another size, color, switch or capacity of the same item within **{GENERAL_EXCHANGE_DAYS} days "
            "of delivery**. The replacement ships free once the return is scanned. Final-sale items cannot be exchanged.\n"
        ),
        "rules": {"exchange_window_days": GENERAL_EXCHANGE_DAYS},
    },
    {
        "external_id": "shipping",
        "title": "Shipping and return shipping",
        "body": (
            "# Shipping\n\n"
            "- Standard ground (4-6 business days): $6.95, free over $75. Express (2 business days): $16.95.\n"
            "- Carriers: USPS, UPS, FedEx, OnTrac; Larkspur Freight for large parcels.\n\n"
            "## Return shipping\n\n"
            "**You pay return shipping.** Use any tracked carrier, or buy our prepaid USPS label for $6.95. "
            "If we sent the wrong or a faulty item, we pay.\n"
        ),
        "rules": {"return_shipping_paid_by": "customer"},
    },
    {
        "external_id": "warranty",
        "title": "Warranty",
        "body": (
            "# Warranty\n\n"
            "Electronics and lamps are covered against defects for one year from delivery. Ridewell helmets: 40% off "
            "a replacement after a crash, within 3 years of purchase.\n"
        ),
        "rules": {},
    },
    {
        "external_id": "price-match",
        "title": "Price match",
        "body": "# Price match\n\nWe match Target, Walmart and Amazon (sold by Amazon) for 7 days after your order.\n",
        "rules": {},
    },
)

_GENERAL = _Kind(
    code="LK",
    store={"name": "Larkspur Goods", "currency": "USD", "locale": "en-US", "timezone": "America/Chicago"},
    region=_GENERAL_REGION,
    items=_GENERAL_ITEMS,
    product_id=("{n}", 12),
    variant_id=("{n}", 14),
    customer_id=("cus_{n}", 7),
    customer_count=180,
    status_counts={
        "pending": 28,
        "processed": 22,
        "shipped": 38,
        "delivered": 120,
        "cancelled": 22,
        "return_requested": 22,
        "returned": 24,
        "partially_returned": 24,
    },
    order_number="GM-{seq:06d}",
    first_seq=104000,
    seq_per_year=False,
    carriers=(("USPS", 40), ("UPS", 30), ("FedEx", 20), ("OnTrac", 10)),
    freight_carrier="Larkspur Freight",
    freight_note="Ships separately by Larkspur Freight, curbside, in 5-8 business days.",
    payments=(("credit_card", 52), ("paypal", 20), ("apple_pay", 12), ("shop_pay", 9), ("gift_card", 7)),
    return_window_days=GENERAL_RETURN_DAYS,
    exchange_window_days=GENERAL_EXCHANGE_DAYS,
    final_sale=GENERAL_FINAL_SALE,
    transit_days=(2, 6),
    oldest_days=240,
    email_domains=("example.com", "example.net"),
    sold_out=(
        ("Keyforge K87 Mechanical Keyboard", {"switch": "blue"}),
        ("Hearth Wool Area Rug", {"size": "8 ft x 10 ft"}),
    ),
    faqs=_GENERAL_FAQS,
    policies=_GENERAL_POLICIES,
)


# --- pharmacy: Cloverleaf Pharmacy (UK pharmacy and grocer) ---------------------------------------------

PHARMACY_RETURN_DAYS = 14
PHARMACY_EXCHANGE_DAYS = 14
PHARMACY_FINAL_SALE = ("infant milk", "medicines", "oral care", "personal care")

_CAPSULES = ("60 capsules", "120 capsules")

_PHARMACY_ITEMS: tuple[_Item, ...] = (
    _Item(
        "Vitamin C",
        "vitamins",
        "Cloverleaf",
        "5.99",
        "Vitamin C contributes to the normal function of the immune system. One capsule a day with food.",
        options={"count": _CAPSULES, "strength": ("500 mg", "1000 mg")},
        deltas={"120 capsules": "4.00", "1000 mg": "2.50"},
        attributes={"vegan": True, "form": "capsule"},
    ),
    _Item(
        "Vitamin D3",
        "vitamins",
        "Cloverleaf",
        "4.49",
        "Vitamin D3 for normal bones, teeth and muscle function. One tablet a day.",
        options={"count": ("90 tablets", "180 tablets"), "strength": ("1000 IU", "4000 IU")},
        deltas={"180 tablets": "3.50", "4000 IU": "1.50"},
        attributes={"form": "tablet"},
    ),
    _Item(
        "Omega-3 Fish Oil",
        "vitamins",
        "Marisol",
        "8.99",
        "Purified fish oil providing EPA and DHA, which contribute to the normal function of the heart.",
        options={"count": _CAPSULES, "strength": ("1000 mg",)},
        deltas={"120 capsules": "6.00"},
        attributes={"form": "softgel", "source": "anchovy and sardine"},
    ),
    _Item(
        "Magnesium Glycinate",
        "vitamins",
        "Cloverleaf",
        "10.99",
        "A gentle, well-absorbed form of magnesium, which contributes to the reduction of tiredness and fatigue.",
        options={"count": _CAPSULES, "strength": ("200 mg", "400 mg")},
        deltas={"120 capsules": "7.00", "400 mg": "3.00"},
    ),
    _Item(
        "A-Z Multivitamin",
        "vitamins",
        "Cloverleaf",
        "6.49",
        "A once-a-day multivitamin and mineral tablet, formulated by life stage.",
        options={"formula": ("women", "men", "50+"), "count": ("30 tablets", "90 tablets")},
        deltas={"90 tablets": "8.00"},
    ),
    _Item(
        "Kids' Multivitamin Gummies",
        "vitamins",
        "Cloverleaf",
        "7.49",
        "Chewable multivitamin gummies for children aged 3 to 12, with no artificial colours.",
        options={"flavor": ("strawberry", "orange"), "count": ("60 gummies",)},
    ),
    _Item(
        "Daily Sun Lotion",
        "sun care",
        "Shoreline",
        "7.99",
        "A light, non-greasy sun lotion with 5-star UVA protection, water resistant for 3 hours.",
        options={"spf": ("SPF 30", "SPF 50"), "volume": ("200 ml", "400 ml")},
        deltas={"SPF 50": "1.00", "400 ml": "5.00"},
        attributes={"uva_rating": "5 stars", "water_resistant": "3 hours"},
    ),
    _Item(
        "Kids' Sun Spray",
        "sun care",
        "Shoreline",
        "9.49",
        "A hypoallergenic, fragrance-free trigger spray for children's sensitive skin.",
        options={"spf": ("SPF 50+",), "volume": ("150 ml", "300 ml")},
        deltas={"300 ml": "5.00"},
    ),
    _Item(
        "Mineral Face Fluid",
        "sun care",
        "Shoreline",
        "12.99",
        "A tinted zinc-oxide face fluid that wears well under make-up.",
        options={"spf": ("SPF 30", "SPF 50"), "volume": ("50 ml",)},
    ),
    _Item(
        "Whey Protein Powder",
        "sports nutrition",
        "Forgeline",
        "21.99",
        "22 g of protein per 30 g serving, from grass-fed whey concentrate and isolate.",
        options={
            "flavor": ("chocolate", "vanilla", "strawberry", "unflavoured"),
            "weight": ("1 kg", "2.5 kg"),
        },
        deltas={"2.5 kg": "27.00"},
        attributes={"servings": "33 per 1 kg"},
    ),
    _Item(
        "Vegan Pea Protein",
        "sports nutrition",
        "Forgeline",
        "18.99",
        "Smooth pea and brown rice protein, 20 g per serving.",
        options={"flavor": ("chocolate", "vanilla"), "weight": ("500 g", "1 kg")},
        deltas={"1 kg": "11.00"},
        attributes={"vegan": True},
    ),
    _Item(
        "High Protein Bars",
        "sports nutrition",
        "Forgeline",
        "19.99",
        "20 g protein bars with less than 2 g of sugar, box of 12.",
        options={"flavor": ("peanut caramel", "cookie dough", "salted fudge"), "pack": ("12 bars",)},
    ),
    _Item(
        "Electrolyte Tablets",
        "sports nutrition",
        "Forgeline",
        "6.49",
        "Effervescent tablets with sodium, potassium and magnesium for long runs and hot days.",
        options={"flavor": ("lemon", "berry"), "count": ("20 tablets",)},
    ),
    _Item(
        "First Infant Milk",
        "infant milk",
        "Little Acorn",
        "13.49",
        "Breast milk is best for babies. Use on the advice of a doctor, midwife or health visitor.",
        options={"stage": ("1 (from birth)", "2 (follow-on, 6-12 months)"), "weight": ("800 g",)},
        attributes={"format": "powder"},
    ),
    _Item(
        "Organic Baby Porridge",
        "baby",
        "Little Acorn",
        "2.29",
        "Organic wholegrain oat porridge for babies from 6 months, no added sugar.",
        options={"flavor": ("original", "apple & banana"), "weight": ("200 g",)},
    ),
    _Item(
        "Sensitive Baby Wipes",
        "baby",
        "Little Acorn",
        "2.99",
        "99% water, fragrance-free wipes that are plastic-free and biodegradable.",
        options={"pack": ("4 x 56 wipes", "12 x 56 wipes")},
        deltas={"12 x 56 wipes": "5.00"},
    ),
    _Item(
        "Fluoride Toothpaste",
        "oral care",
        "Brightwell",
        "2.49",
        "1450 ppm fluoride toothpaste for adults and children over 7.",
        options={"type": ("whitening", "sensitive", "enamel care"), "volume": ("75 ml", "125 ml")},
        deltas={"125 ml": "1.00"},
    ),
    _Item(
        "Bamboo Toothbrush",
        "oral care",
        "Brightwell",
        "3.99",
        "A compostable bamboo handle with plant-based bristles.",
        options={"bristle": ("soft", "medium"), "pack": ("2-pack", "4-pack")},
        deltas={"4-pack": "3.00"},
    ),
    _Item(
        "Electric Toothbrush Heads",
        "oral care",
        "Brightwell",
        "9.99",
        "Replacement heads that fit most round-head electric toothbrushes.",
        options={"count": ("4 heads", "8 heads")},
        deltas={"8 heads": "7.00"},
    ),
    _Item(
        "Paracetamol 500 mg Tablets",
        "medicines",
        "Cloverleaf",
        "0.69",
        "For the relief of mild to moderate pain and fever. Contains paracetamol. Always read the label.",
        options={"count": ("16 tablets", "32 tablets")},
        deltas={"32 tablets": "1.00"},
        attributes={"legal_category": "GSL (16) / P (32)", "active_ingredient": "paracetamol"},
    ),
    _Item(
        "Ibuprofen 200 mg Tablets",
        "medicines",
        "Cloverleaf",
        "0.89",
        "For the relief of pain, fever and inflammation. Contains ibuprofen. Always read the label.",
        options={"count": ("16 tablets", "24 tablets")},
        deltas={"24 tablets": "0.90"},
        attributes={"legal_category": "GSL (16) / P (24)", "active_ingredient": "ibuprofen"},
    ),
    _Item(
        "Cetirizine Hayfever Tablets",
        "medicines",
        "Cloverleaf",
        "1.99",
        "One-a-day antihistamine for hayfever and allergy relief. Contains cetirizine. Always read the label.",
        options={"strength": ("10 mg",), "count": ("14 tablets", "30 tablets")},
        deltas={"30 tablets": "1.50"},
        attributes={"legal_category": "GSL", "active_ingredient": "cetirizine hydrochloride"},
    ),
    _Item(
        "Chesty Cough Syrup",
        "medicines",
        "Cloverleaf",
        "4.49",
        "Loosens chesty coughs. Contains guaifenesin. Not for children under 12. Always read the label.",
        options={"volume": ("100 ml", "200 ml")},
        deltas={"200 ml": "2.00"},
        attributes={"legal_category": "P", "active_ingredient": "guaifenesin"},
    ),
    _Item(
        "Nicotine Patches",
        "medicines",
        "Clearbreath",
        "14.99",
        "24-hour patches to help you stop smoking, 7 per pack. Step down from 21 mg to 14 mg to 7 mg.",
        options={"strength": ("21 mg", "14 mg", "7 mg"), "count": ("7 patches",)},
        attributes={"legal_category": "GSL", "active_ingredient": "nicotine"},
    ),
    _Item(
        "Unscented Moisturising Cream",
        "skin care",
        "Dermavale",
        "5.99",
        "A rich emollient cream for very dry and eczema-prone skin. Fragrance-free.",
        options={"volume": ("100 ml", "500 ml")},
        deltas={"500 ml": "7.00"},
    ),
    _Item(
        "Gentle Daily Shampoo",
        "personal care",
        "Dermavale",
        "3.49",
        "A mild, sulphate-free shampoo for everyday washing.",
        options={"formula": ("dry hair", "oily hair"), "volume": ("250 ml", "400 ml")},
        deltas={"400 ml": "1.50"},
    ),
    _Item(
        "Roll-On Deodorant",
        "personal care",
        "Dermavale",
        "2.79",
        "48-hour protection without aluminium salts.",
        options={"scent": ("unscented", "fresh cotton", "cedarwood")},
    ),
    _Item(
        "Fabric Plasters",
        "first aid",
        "Cloverleaf",
        "2.19",
        "Flexible, breathable fabric plasters in assorted sizes.",
        options={"pack": ("20 plasters", "40 plasters")},
        deltas={"40 plasters": "1.50"},
    ),
    _Item(
        "Digital Thermometer",
        "health devices",
        "Medisure",
        "8.99",
        "A 10-second flexible-tip thermometer with a fever alarm. Oral, underarm or rectal use.",
        attributes={"battery": "LR41, included"},
    ),
    _Item(
        "Upper Arm Blood Pressure Monitor",
        "health devices",
        "Medisure",
        "34.99",
        "A clinically validated monitor that stores 60 readings for two users.",
        options={"cuff": ("standard (22-32 cm)", "large (32-42 cm)")},
        deltas={"large (32-42 cm)": "6.00"},
        chart="Measure around the middle of your upper arm: 22-32 cm takes the standard cuff, 32-42 cm the large cuff.",
    ),
    _Item(
        "Organic Rolled Oats",
        "grocery",
        "Cloverleaf Pantry",
        "2.49",
        "Scottish organic jumbo rolled oats.",
        options={"weight": ("1 kg",)},
    ),
    _Item(
        "Fairtrade Coffee",
        "grocery",
        "Cloverleaf Pantry",
        "4.99",
        "A medium-roast Fairtrade blend with notes of cocoa and hazelnut.",
        options={"grind": ("ground", "whole bean"), "weight": ("227 g", "1 kg")},
        deltas={"1 kg": "11.00"},
    ),
    _Item(
        "Peppermint Tea",
        "grocery",
        "Cloverleaf Pantry",
        "1.99",
        "Pure peppermint leaf tea in plastic-free bags.",
        options={"count": ("20 bags", "80 bags")},
        deltas={"80 bags": "3.00"},
    ),
)

_PHARMACY_REGION = _Region(
    country="GB",
    cities=(
        _City("Leeds", "West Yorkshire", "LS", "0113"),
        _City("Manchester", "Greater Manchester", "M", "0161"),
        _City("Bristol", "Bristol", "BS", "0117"),
        _City("Birmingham", "West Midlands", "B", "0121"),
        _City("Glasgow", "Glasgow City", "G", "0141"),
        _City("Edinburgh", "City of Edinburgh", "EH", "0131"),
        _City("Cardiff", "Cardiff", "CF", "029"),
        _City("Sheffield", "South Yorkshire", "S", "0114"),
        _City("Nottingham", "Nottinghamshire", "NG", "0115"),
        _City("Liverpool", "Merseyside", "L", "0151"),
        _City("Newcastle upon Tyne", "Tyne and Wear", "NE", "0191"),
        _City("York", "North Yorkshire", "YO", "01904"),
        _City("Brighton", "East Sussex", "BN", "01273"),
        _City("Norwich", "Norfolk", "NR", "01603"),
        _City("Oxford", "Oxfordshire", "OX", "01865"),
        _City("Belfast", "County Antrim", "BT", "028"),
        _City("London", "Greater London", "SE", "020"),
        _City("London", "Greater London", "N", "020"),
    ),
    streets=(
        "Station Road",
        "High Street",
        "Victoria Road",
        "Church Lane",
        "Mill Lane",
        "Park Road",
        "The Crescent",
        "Queen's Road",
        "Albert Street",
        "Kings Avenue",
        "Manor Close",
        "Orchard Way",
        "Windsor Terrace",
        "Castle View",
        "Meadow Bank",
    ),
    first_names=(
        "Oliver",
        "Amelia",
        "George",
        "Isla",
        "Harry",
        "Poppy",
        "Jack",
        "Freya",
        "Alfie",
        "Imogen",
        "Callum",
        "Niamh",
        "Rhys",
        "Siobhan",
        "Hamish",
        "Eilidh",
        "Aled",
        "Bethan",
        "Declan",
        "Saoirse",
        "Priya",
        "Rohan",
        "Aaliyah",
        "Zain",
        "Tomasz",
        "Agnieszka",
        "Chidi",
        "Ngozi",
        "Kwame",
        "Maisie",
    ),
    last_names=(
        "Hughes",
        "Evans",
        "Patel",
        "Khan",
        "Thompson",
        "Wright",
        "Robertson",
        "Campbell",
        "Jones",
        "Davies",
        "O'Brien",
        "McLeod",
        "Singh",
        "Ali",
        "Walsh",
        "Kowalski",
        "Okonkwo",
        "Begum",
        "Fraser",
        "Clarke",
        "Hussain",
        "Gallagher",
        "Price",
        "Morgan",
        "Turner",
        "Bell",
        "Shaw",
        "Lloyd",
        "Ahmed",
        "Dunn",
    ),
    postcode=_uk_postcode,
    phone=_uk_phone,
)

_PHARMACY_FAQS: tuple[dict[str, Any], ...] = (
    _faq(
        "rx-delivery-cost",
        "How much is delivery?",
        "Royal Mail Tracked 48 is £3.49, or free when you spend £30. Tracked 24 is £4.99, and DPD next-day delivery is £5.99 for orders placed before 3 pm, Monday to Friday.",
        "delivery",
    ),
    _faq(
        "rx-dispatch",
        "When will my order be dispatched?",
        "Orders placed before 3 pm Monday to Friday are dispatched the same day. Orders with pharmacy (P) medicines are dispatched once our pharmacist has checked them, usually within 2 hours.",
        "delivery",
    ),
    _faq(
        "rx-tracking",
        "How do I track my parcel?",
        "Give us your order number (it looks like RX1048576) and your email and we will look it up. Royal Mail tracking numbers look like AB123456789GB, DPD numbers have 14 digits and Evri numbers 16 characters; Cloverleaf Courier delivers locally in some cities.",
        "delivery",
        "tracking",
        "order status",
    ),
    _faq(
        "rx-nhs-prescriptions",
        "Can you dispense my NHS prescription?",
        "Yes. Nominate Cloverleaf Pharmacy in the NHS App or at your GP surgery and we deliver your medicines free. In England the prescription charge is £9.90 per item unless you are exempt; prescriptions are free in Scotland, Wales and Northern Ireland. Prescription items are not part of shop orders.",
        "prescriptions",
    ),
    _faq(
        "rx-private-prescriptions",
        "Can I send you a private prescription?",
        "Yes: post the original paper prescription to our Freepost address, or ask your prescriber to send it electronically. We cannot post controlled drugs in Schedules 2 and 3; those must be collected.",
        "prescriptions",
    ),
    _faq(
        "rx-pharmacy-questions",
        "Why am I asked questions when I buy some medicines?",
        "Pharmacy (P) medicines, such as the 32-tablet pack of paracetamol or cough syrup, must be checked by a pharmacist. If the pharmacist decides a medicine is not suitable, we cancel that order and refund you in full.",
        "medicines",
        "pharmacist",
    ),
    _faq(
        "rx-pack-limits",
        "Why can I only buy two packs of painkillers?",
        "By law we can sell at most two packs of paracetamol, ibuprofen or aspirin per order, and at most 32 tablets of paracetamol. Orders over the limit are reduced by the pharmacist.",
        "medicines",
    ),
    _faq(
        "rx-returns-window",
        "How long do I have to return an item?",
        f"You can return unopened items in their original sealed packaging within {PHARMACY_RETURN_DAYS} days of delivery. We email a free Royal Mail returns label: return postage is on us.",
        "returns",
    ),
    _faq(
        "rx-returns-opened",
        "Can I return something I have opened?",
        "For hygiene and safety we cannot accept opened items, with one exception: if a product is faulty we refund or replace it, opened or not.",
        "returns",
        "opened items",
    ),
    _faq(
        "rx-final-sale",
        "Which items cannot be returned at all?",
        "Medicines, personal care (shampoo, deodorant), oral care (toothpaste, toothbrushes and heads) and infant milk cannot be returned even unopened, as we cannot resell them safely. Faulty items are always replaced.",
        "returns",
        "final sale",
    ),
    _faq(
        "rx-damaged",
        "My order arrived damaged or something is missing.",
        "Sorry about that. Contact us within 48 hours of delivery with your order number and a photo and we will send a replacement or refund you, including for items that are otherwise non-returnable.",
        "returns",
        "damaged",
    ),
    _faq(
        "rx-refund-time",
        "When will I get my refund?",
        "Within 5 working days of your return reaching us, to the card or account you paid with.",
        "refunds",
    ),
    _faq(
        "rx-exchange",
        "Can I swap for a different flavour, strength or size?",
        f"Yes, within {PHARMACY_EXCHANGE_DAYS} days of delivery, if the item is unopened and not in a non-returnable category. We send the new item once the return arrives.",
        "exchanges",
    ),
    _faq(
        "rx-vitamin-d",
        "Which vitamin D strength should I take?",
        "The NHS advises 10 micrograms (400 IU) a day for most adults in autumn and winter. Do not take more than 100 micrograms (4000 IU) a day. If you are pregnant, take other medicines or have a medical condition, ask our pharmacist first.",
        "vitamins",
        "pharmacist",
    ),
    _faq(
        "rx-sunscreen",
        "Should I choose SPF 30 or SPF 50?",
        "Both protect well when applied generously: SPF 50 blocks a little more UVB and suits fair skin, children and strong sun. Look for 4 or 5 UVA stars, reapply every 2 hours and after swimming.",
        "sun care",
    ),
    _faq(
        "rx-infant-milk",
        "Which infant milk stage do I need, and can I return it?",
        "Stage 1 first infant milk is suitable from birth; stage 2 follow-on milk from 6 months. Infant milk cannot be returned once it has left us, so please check the stage before ordering.",
        "baby",
        "final sale",
    ),
    _faq(
        "rx-protein-servings",
        "How many servings are in a tub of protein?",
        "A 1 kg tub of whey has about 33 servings of 30 g; the 2.5 kg tub has about 83. Pea protein: 500 g is about 16 servings.",
        "sports nutrition",
    ),
    _faq(
        "rx-payment",
        "How can I pay?",
        "Visa and Mastercard debit and credit cards, American Express, PayPal, Apple Pay and Google Pay. We take payment when you place the order; cancelled orders are refunded within 3-5 working days.",
        "payment",
    ),
    _faq(
        "rx-cancel",
        "Can I cancel my order?",
        "Yes, until it is dispatched. Once dispatched, return unopened items within 14 days instead (non-returnable categories excepted).",
        "order changes",
        "cancel",
    ),
    _faq(
        "rx-pharmacist",
        "Can I talk to a pharmacist?",
        "Yes, free: our pharmacists answer by phone and chat 9 am to 6 pm, Monday to Saturday. For urgent medical help call NHS 111, or 999 in an emergency.",
        "pharmacist",
    ),
    _faq(
        "rx-delivery-area",
        "Where do you deliver?",
        "Everywhere in the UK, including Northern Ireland and the Highlands and Islands. We cannot send medicines to the Channel Islands, the Isle of Man or abroad.",
        "delivery",
        "international",
    ),
    _faq(
        "rx-account-privacy",
        "How do you protect my health information?",
        "Your pharmacy questionnaire answers are seen only by our pharmacists and kept as UK law requires. We never use them for marketing. Ask privacy@cloverleaf.example to see your data.",
        "account",
        "privacy",
    ),
)

_PHARMACY_POLICIES: tuple[dict[str, Any], ...] = (
    {
        "external_id": "returns",
        "title": "Returns",
        "body": (
            "# Returns\n\n"
            f"- Unopened items in their sealed packaging can be returned within **{PHARMACY_RETURN_DAYS} days of delivery**.\n"
            "- Opened items cannot be returned unless faulty.\n"
            "- **Non-returnable (final sale):** medicines, personal care, oral care and infant milk.\n"
            "- Refunds within 5 working days of the return reaching us.\n"
        ),
        "rules": {
            "return_window_days": PHARMACY_RETURN_DAYS,
            "final_sale_categories": list(PHARMACY_FINAL_SALE),
        },
    },
    {
        "external_id": "exchanges",
        "title": "Exchanges",
        "body": f"# Exchanges\n\nSwap an unopened item for another flavour, strength or size within **{PHARMACY_EXCHANGE_DAYS} days of delivery**.\n",
        "rules": {"exchange_window_days": PHARMACY_EXCHANGE_DAYS},
    },
    {
        "external_id": "delivery",
        "title": "Delivery and returns postage",
        "body": (
            "# Delivery\n\n"
            "- Royal Mail Tracked 48: £3.49, free over £30. Tracked 24: £4.99. DPD next day: £5.99.\n"
            "- Dispatched the same day for orders before 3 pm, Monday to Friday.\n\n"
            "## Returns postage\n\n**Free:** we email a prepaid Royal Mail label for every eligible return.\n"
        ),
        "rules": {"return_shipping_paid_by": "store"},
    },
    {
        "external_id": "medicines",
        "title": "Selling medicines safely",
        "body": (
            "# Selling medicines safely\n\n"
            "Pharmacy (P) medicines are checked by a GPhC-registered pharmacist before dispatch. At most two packs of "
            "paracetamol, ibuprofen or aspirin per order. We may cancel an order that is not safe to supply.\n"
        ),
        "rules": {},
    },
    {
        "external_id": "prescriptions",
        "title": "Prescriptions",
        "body": (
            "# Prescriptions\n\n"
            "We dispense NHS prescriptions (nominate us in the NHS App) and private prescriptions (send the original). "
            "Controlled drugs in Schedules 2 and 3 are never posted.\n"
        ),
        "rules": {},
    },
)

_PHARMACY = _Kind(
    code="CLV",
    store={"name": "Cloverleaf Pharmacy", "currency": "GBP", "locale": "en-GB", "timezone": "Europe/London"},
    region=_PHARMACY_REGION,
    items=_PHARMACY_ITEMS,
    product_id=("PRD-{n}", 6),
    variant_id=("SKU-{n}", 8),
    customer_id=("PX{n}", 6),
    customer_count=150,
    status_counts={
        "pending": 30,
        "processed": 25,
        "shipped": 40,
        "delivered": 135,
        "cancelled": 25,
        "return_requested": 15,
        "returned": 15,
        "partially_returned": 15,
    },
    order_number="RX{seq:07d}",
    first_seq=1048000,
    seq_per_year=False,
    carriers=(("Royal Mail", 55), ("DPD", 27), ("Evri", 13), ("Cloverleaf Courier", 5)),
    freight_carrier="Cloverleaf Courier",
    freight_note="Too heavy for the post: delivered by Cloverleaf Courier.",
    payments=(("debit_card", 45), ("credit_card", 22), ("paypal", 15), ("apple_pay", 12), ("google_pay", 6)),
    return_window_days=PHARMACY_RETURN_DAYS,
    exchange_window_days=PHARMACY_EXCHANGE_DAYS,
    final_sale=PHARMACY_FINAL_SALE,
    transit_days=(1, 3),
    oldest_days=200,
    email_domains=("example.org", "mail.example.org"),
    sold_out=(
        ("Whey Protein Powder", {"flavor": "chocolate", "weight": "2.5 kg"}),
        ("Daily Sun Lotion", {"spf": "SPF 50"}),
    ),
    faqs=_PHARMACY_FAQS,
    policies=_PHARMACY_POLICIES,
)


# --- home: Hearthstead Home & Kitchen (Canada) ----------------------------------------------------------

HOME_RETURN_DAYS = 60
HOME_EXCHANGE_DAYS = 90
HOME_FINAL_SALE = ("made to order", "pillows")

_BED_SIZES = ("twin", "full", "queen", "king")
_MATTRESS_CHART = "Twin 39 x 75 in, full 54 x 75 in, queen 60 x 80 in, king 76 x 80 in."
_CURTAIN_CHART = (
    "Lengths are from the top of the rod pocket to the hem. 63 in reaches a window sill, 84 in reaches the floor "
    "from a rod 4 in above the frame under an 8 ft ceiling, 96 in and 108 in suit 9 ft and 10 ft ceilings. "
    "Each panel is 50 in wide: use two panels for a window up to 60 in wide."
)

_HOME_ITEMS: tuple[_Item, ...] = (
    _Item(
        "Harlow 3-Seat Sofa",
        "sofas",
        "Hearthstead",
        "1499.00",
        "A deep-seated sofa with a kiln-dried hardwood frame and feather-wrapped cushions. 84 x 38 x 34 in.",
        options={
            "material": ("performance velvet", "linen blend", "top-grain leather"),
            "color": ("oatmeal", "charcoal", "olive"),
        },
        deltas={"top-grain leather": "700.00"},
        attributes={"dimensions": "84 x 38 x 34 in", "assembly": "screw-on legs"},
        bulky=True,
    ),
    _Item(
        "Milo Sectional Sofa",
        "sofas",
        "Hearthstead",
        "2299.00",
        "An L-shaped sectional with a reversible chaise and stain-resistant performance weave. 110 x 65 in.",
        options={
            "orientation": ("left-facing", "right-facing"),
            "material": ("performance weave",),
            "color": ("fog", "navy"),
        },
        attributes={"dimensions": "110 x 65 x 33 in"},
        bulky=True,
    ),
    _Item(
        "Wren Loveseat",
        "sofas",
        "Hearthstead",
        "999.00",
        "A compact two-seater for apartments, with tapered oak legs. 62 x 34 x 32 in.",
        options={"material": ("boucle", "linen blend"), "color": ("ivory", "terracotta")},
        bulky=True,
    ),
    _Item(
        "Ottawa Accent Armchair",
        "armchairs",
        "Hearthstead",
        "549.00",
        "A curved-back armchair with a solid ash frame.",
        options={"material": ("velvet", "leather"), "color": ("mustard", "forest green")},
        deltas={"leather": "250.00"},
        bulky=True,
    ),
    _Item(
        "Cloudrest Hybrid Mattress",
        "mattresses",
        "Cloudrest",
        "699.00",
        "Pocketed coils under three layers of cooling foam. 12 in deep, arrives rolled in a box.",
        options={"size": _BED_SIZES, "firmness": ("medium", "firm")},
        deltas={"full": "150.00", "queen": "300.00", "king": "500.00"},
        chart=_MATTRESS_CHART,
        bulky=True,
        attributes={"depth": "12 in", "warranty": "10 years"},
    ),
    _Item(
        "Essential Foam Mattress",
        "mattresses",
        "Cloudrest",
        "399.00",
        "A medium-firm 10 in memory foam mattress, ideal for guest rooms and kids.",
        options={"size": _BED_SIZES},
        deltas={"full": "100.00", "queen": "180.00", "king": "280.00"},
        chart=_MATTRESS_CHART,
        bulky=True,
    ),
    _Item(
        "Solid Oak Bed Frame",
        "bed frames",
        "Hearthstead",
        "899.00",
        "A platform bed in solid white oak; no box spring needed. Assembly takes two people about an hour.",
        options={"size": ("full", "queen", "king"), "finish": ("natural oak", "walnut stain")},
        deltas={"queen": "100.00", "king": "200.00"},
        chart=_MATTRESS_CHART,
        bulky=True,
        attributes={"assembly": "required"},
    ),
    _Item(
        "Pourover Gooseneck Kettle",
        "kettles",
        "Brewhaus",
        "129.00",
        "A variable-temperature gooseneck kettle that holds its temperature for 60 minutes.",
        options={"capacity": ("0.9 L",), "finish": ("matte black", "white")},
    ),
    _Item(
        "Stainless Electric Kettle",
        "kettles",
        "Brewhaus",
        "79.00",
        "A fast-boil 1500 W kettle with a removable limescale filter and auto shut-off.",
        options={"capacity": ("1.7 L",), "finish": ("brushed steel", "cream", "sage")},
    ),
    _Item(
        "Borosilicate Glass Kettle",
        "kettles",
        "Brewhaus",
        "59.00",
        "A glass kettle with a blue LED ring, so you can see it boil.",
        options={"capacity": ("1.5 L", "1.7 L")},
        deltas={"1.7 L": "10.00"},
    ),
    _Item(
        "Retro 4-Slice Toaster",
        "small appliances",
        "Brewhaus",
        "99.00",
        "Four extra-wide slots, a bagel setting and a removable crumb tray.",
        options={"finish": ("brushed steel", "cream", "sage")},
    ),
    _Item(
        "Vortex High-Speed Blender",
        "small appliances",
        "Brewhaus",
        "189.00",
        "A 1400 W blender with a tamper, for smoothies, nut butters and soups.",
        options={"capacity": ("1.4 L", "2 L"), "color": ("black", "white")},
        deltas={"2 L": "30.00"},
    ),
    _Item(
        "Tri-Ply Stainless Cookware Set",
        "cookware",
        "Forge & Field",
        "249.00",
        "Fully clad tri-ply pots and pans that work on every cooktop, including induction. Oven safe to 260 °C.",
        options={"pieces": ("5-piece", "10-piece")},
        deltas={"10-piece": "200.00"},
        attributes={"induction": True},
    ),
    _Item(
        "Ceramic Nonstick Cookware Set",
        "cookware",
        "Forge & Field",
        "229.00",
        "PFAS-free ceramic nonstick with stay-cool handles; induction compatible.",
        options={"pieces": ("8-piece", "12-piece"), "color": ("cream", "sage", "navy")},
        deltas={"12-piece": "110.00"},
    ),
    _Item(
        "Enamelled Cast Iron Dutch Oven",
        "cookware",
        "Forge & Field",
        "179.00",
        "A heavy cast iron Dutch oven with a chip-resistant enamel, for braises and bread.",
        options={"capacity": ("3.8 L", "5.2 L"), "color": ("flame orange", "cobalt", "white")},
        deltas={"5.2 L": "40.00"},
    ),
    _Item(
        "Carbon Steel Skillet",
        "cookware",
        "Forge & Field",
        "69.00",
        "A pre-seasoned carbon steel pan that gets more nonstick with use.",
        options={"size": ("10 in", "12 in")},
        deltas={"12 in": "15.00"},
    ),
    _Item(
        "German Steel Knife Block Set",
        "knives",
        "Forge & Field",
        "299.00",
        "Forged X50CrMoV15 knives in an acacia block, with honing steel and shears.",
        options={"pieces": ("7-piece", "12-piece")},
        deltas={"12-piece": "150.00"},
    ),
    _Item(
        "Turkish Cotton Towel",
        "bath",
        "Hearthstead",
        "24.00",
        "Long-staple Turkish cotton towels that get softer with every wash.",
        options={
            "type": ("hand towel", "bath towel", "bath sheet"),
            "color": ("white", "sea glass", "charcoal", "blush"),
        },
        deltas={"bath towel": "10.00", "bath sheet": "20.00"},
        chart="Hand towel 16 x 30 in, bath towel 30 x 56 in, bath sheet 40 x 70 in.",
    ),
    _Item(
        "Waffle Towel Set",
        "bath",
        "Hearthstead",
        "79.00",
        "Quick-drying waffle weave towels: two bath, two hand (4-piece), plus two washcloths (6-piece).",
        options={"pieces": ("4-piece", "6-piece"), "color": ("white", "stone")},
        deltas={"6-piece": "15.00"},
    ),
    _Item(
        "Linen Duvet Cover",
        "bedding",
        "Hearthstead",
        "189.00",
        "Stone-washed European flax linen with button closure and corner ties. Shams sold separately.",
        options={"size": _BED_SIZES, "color": ("natural", "white", "terracotta")},
        deltas={"full": "30.00", "queen": "50.00", "king": "80.00"},
        chart=_MATTRESS_CHART,
    ),
    _Item(
        "All-Season Duvet",
        "bedding",
        "Cloudrest",
        "159.00",
        "A washable down-alternative duvet with corner loops.",
        options={"size": _BED_SIZES, "warmth": ("lightweight", "all-season")},
        deltas={"full": "20.00", "queen": "40.00", "king": "60.00", "all-season": "30.00"},
    ),
    _Item(
        "Down Pillow",
        "pillows",
        "Cloudrest",
        "89.00",
        "A Canadian goose down pillow in a cotton sateen shell.",
        options={"size": ("standard", "king"), "firmness": ("soft", "medium", "firm")},
        deltas={"king": "20.00"},
    ),
    _Item(
        "Memory Foam Pillow",
        "pillows",
        "Cloudrest",
        "69.00",
        "A contoured shredded memory foam pillow; remove foam to adjust the loft.",
        options={"size": ("standard", "king")},
        deltas={"king": "15.00"},
    ),
    _Item(
        "Linen Blend Curtain Panel",
        "curtains",
        "Hearthstead",
        "69.00",
        "A light-filtering linen-blend panel with a rod pocket and back tabs. Sold per panel.",
        options={
            "length": ("63 in", "84 in", "96 in"),
            "color": ("white", "natural", "slate"),
            "opacity": ("30%", "60%"),
        },
        deltas={"84 in": "10.00", "96 in": "20.00"},
        chart=_CURTAIN_CHART,
    ),
    _Item(
        "Thermal Blackout Curtain Panel",
        "curtains",
        "Hearthstead",
        "79.00",
        "A triple-weave blackout panel that blocks light and keeps rooms warmer in winter. Sold per panel.",
        options={
            "length": ("84 in", "96 in", "108 in"),
            "color": ("navy", "grey", "ivory"),
            "opacity": ("100%",),
        },
        deltas={"96 in": "10.00", "108 in": "20.00"},
        chart=_CURTAIN_CHART,
    ),
    _Item(
        "Made-to-Measure Roman Shade",
        "made to order",
        "Hearthstead",
        "229.00",
        "A Roman shade cut to your window's width and drop; allow 3 weeks for making.",
        options={"fabric": ("linen", "cotton"), "opacity": ("60%", "100%")},
        deltas={"100%": "40.00"},
    ),
    _Item(
        "Rattan Pendant Light",
        "lighting",
        "Hearthstead",
        "149.00",
        "A hand-woven rattan pendant with a 60 in adjustable cord.",
        options={"diameter": ("16 in", "22 in")},
        deltas={"22 in": "50.00"},
    ),
    _Item(
        "Ceramic Table Lamp",
        "lighting",
        "Hearthstead",
        "129.00",
        "A glazed stoneware base with a linen drum shade and an in-line dimmer.",
        options={"color": ("speckled white", "charcoal", "sage")},
    ),
    _Item(
        "Stoneware Dinnerware Set",
        "tableware",
        "Forge & Field",
        "119.00",
        "Reactive-glaze stoneware, dishwasher and microwave safe: dinner plates, side plates and bowls.",
        options={"pieces": ("12-piece", "16-piece"), "color": ("speckled white", "slate")},
        deltas={"16-piece": "40.00"},
    ),
    _Item(
        "Oak Floating Shelf",
        "storage",
        "Hearthstead",
        "59.00",
        "A solid oak shelf with a hidden steel bracket; holds up to 40 lb into studs.",
        options={"length": ("24 in", "36 in"), "finish": ("natural oak", "walnut stain")},
        deltas={"36 in": "20.00"},
    ),
    _Item(
        "Extendable Dining Table",
        "dining furniture",
        "Hearthstead",
        "1299.00",
        "A solid ash table with a butterfly leaf: seats 6, or 8 extended. Delivered assembled except the legs.",
        options={"finish": ("natural ash", "black")},
        bulky=True,
        attributes={"dimensions": "72-90 x 38 x 30 in"},
    ),
    _Item(
        "Cane Dining Chair, Set of 2",
        "dining furniture",
        "Hearthstead",
        "449.00",
        "Oak dining chairs with woven cane backs, sold in pairs.",
        options={"finish": ("natural oak", "black")},
        bulky=True,
    ),
    _Item(
        "Hearthstead Gift Card",
        "gift cards",
        "Hearthstead",
        "50.00",
        "A digital gift card emailed to the recipient; never expires.",
        options={"amount": ("50", "100", "250")},
        deltas={"100": "50.00", "250": "200.00"},
        digital=True,
    ),
)

_HOME_REGION = _Region(
    country="CA",
    cities=(
        _City("Toronto", "ON", "M", "416"),
        _City("Ottawa", "ON", "K", "613"),
        _City("Mississauga", "ON", "L", "905"),
        _City("Hamilton", "ON", "L", "905"),
        _City("Kingston", "ON", "K", "613"),
        _City("Montréal", "QC", "H", "514"),
        _City("Québec", "QC", "G", "418"),
        _City("Vancouver", "BC", "V", "604"),
        _City("Victoria", "BC", "V", "250"),
        _City("Calgary", "AB", "T", "403"),
        _City("Edmonton", "AB", "T", "780"),
        _City("Winnipeg", "MB", "R", "204"),
        _City("Halifax", "NS", "B", "902"),
        _City("Saskatoon", "SK", "S", "306"),
        _City("St. John's", "NL", "A", "709"),
    ),
    streets=(
        "Rue Saint-Denis",
        "Yonge Street",
        "Queen Street West",
        "Maple Crescent",
        "Bay Street",
        "Rue Sherbrooke",
        "Jasper Avenue",
        "Granville Street",
        "Spring Garden Road",
        "Portage Avenue",
        "Elgin Street",
        "Birchmount Road",
        "Chemin Sainte-Foy",
        "Lakeshore Boulevard",
        "Whyte Avenue",
    ),
    first_names=(
        "Liam",
        "Chloé",
        "Étienne",
        "Maëlle",
        "Noah",
        "Olivia",
        "Félix",
        "Léa",
        "Mathis",
        "Zoé",
        "Ethan",
        "Charlotte",
        "Gabriel",
        "Amélie",
        "Hunter",
        "Avery",
        "Jasper",
        "Simran",
        "Harjit",
        "Wei",
        "Min-jun",
        "Aarav",
        "Kaitlyn",
        "Logan",
        "Brooke",
        "Marc-André",
        "Geneviève",
        "Tanvir",
        "Nadia",
        "Owen",
    ),
    last_names=(
        "Tremblay",
        "Gagnon",
        "Roy",
        "Côté",
        "Bouchard",
        "Gauthier",
        "Morin",
        "Lavoie",
        "Fortin",
        "Gagné",
        "Ouellet",
        "Pelletier",
        "Bélanger",
        "Lévesque",
        "Bergeron",
        "Leblanc",
        "Paquette",
        "Girard",
        "MacDonald",
        "Wilson",
        "Campbell",
        "Chen",
        "Wong",
        "Singh",
        "Li",
        "Anderson",
        "Thompson",
        "Martin",
        "Brown",
        "Nguyen",
    ),
    postcode=_ca_postal_code,
    phone=_nanp_phone,
)

_HOME_FAQS: tuple[dict[str, Any], ...] = (
    _faq(
        "hk-shipping-parcels",
        "How much is shipping?",
        "Parcels ship with Canada Post, Purolator or UPS: $9.95, free on orders over $99, arriving in 2-7 business days depending on your province.",
        "shipping",
    ),
    _faq(
        "hk-delivery-furniture",
        "How are sofas, mattresses and furniture delivered?",
        "By Hearthstead Delivery, our own two-person team: a flat $149 per order, brought into the room of your choice with the packaging taken away. We call 2-3 days ahead to book a two-hour window; tracking numbers look like HSD-1234567.",
        "delivery",
        "furniture",
    ),
    _faq(
        "hk-assembly",
        "Do you assemble furniture?",
        "Sofas and armchairs arrive assembled: you only screw on the legs. Bed frames and dining tables need assembly; add our assembly service for $99 at checkout, or book it later with your order number.",
        "delivery",
        "assembly",
    ),
    _faq(
        "hk-tracking",
        "How do I track my order?",
        "Give us your order number (it looks like HK/2026/00412) and the email you ordered with. Furniture and parcels from the same order travel separately, each with its own tracking number.",
        "shipping",
        "tracking",
        "order status",
    ),
    _faq(
        "hk-order-status",
        "What do the order statuses mean?",
        "Pending: not yet packed, so you can change or cancel it. Processed: packed, or booked with our delivery team. Shipped: on its way. Delivered: it has arrived.",
        "order status",
    ),
    _faq(
        "hk-cancel",
        "Can I cancel or change an order?",
        "While it is pending, yes. Furniture delivery appointments can be moved up to 48 hours before the booked window.",
        "order changes",
        "cancel",
    ),
    _faq(
        "hk-returns-window",
        "What is your return policy?",
        f"You have {HOME_RETURN_DAYS} days from delivery to return items in resalable condition. Return shipping is paid by you: our prepaid parcel label is $12.95, and furniture or mattress pickup is $79.",
        "returns",
    ),
    _faq(
        "hk-exchanges",
        "Can I exchange for a different size or colour?",
        f"Yes, for longer than returns: within {HOME_EXCHANGE_DAYS} days of delivery you can exchange for another size, colour or material of the same item. We deliver the replacement free and collect the original.",
        "exchanges",
    ),
    _faq(
        "hk-returns-used",
        "Can I return something I have used?",
        f"Cookware, kettles and small appliances can come back within {HOME_RETURN_DAYS} days if clean and complete. Mattresses can be returned within {HOME_RETURN_DAYS} days of delivery if slept on with a mattress protector; we donate them. Washed towels and bedding are fine if they are in good condition.",
        "returns",
        "opened items",
    ),
    _faq(
        "hk-final-sale",
        "Which items cannot be returned?",
        "Pillows (for hygiene) and made-to-measure items such as Roman shades are final sale. If they arrive damaged or faulty we replace them.",
        "returns",
        "final sale",
    ),
    _faq(
        "hk-damaged",
        "My order arrived damaged.",
        "Tell us within 7 days with photos and your order number. For furniture, please note any damage on the delivery slip: we repair, replace or refund, and pickups for damage are free.",
        "returns",
        "damaged",
    ),
    _faq(
        "hk-mattress-size",
        "What are your mattress and bedding sizes?",
        "Twin 39 x 75 in, full 54 x 75 in, queen 60 x 80 in, king 76 x 80 in. Duvet covers are sized to match our duvets.",
        "sizing",
        "mattresses",
    ),
    _faq(
        "hk-curtain-length",
        "Which curtain length and opacity should I choose?",
        "Measure from the rod to where you want the hem: 63 in stops at the sill, 84 in reaches the floor under an 8 ft ceiling, 96 in and 108 in suit higher ceilings. 30% and 60% opacity filter daylight; 100% is blackout. Panels are sold individually.",
        "sizing",
        "curtains",
    ),
    _faq(
        "hk-kettle",
        "How much does a 1.7 L kettle hold?",
        "About 7 cups. The 0.9 L gooseneck kettle holds about 3 cups and is made for pour-over coffee. All our kettles switch off automatically and when lifted off the base.",
        "kettles",
    ),
    _faq(
        "hk-induction",
        "Does your cookware work on induction?",
        "Our tri-ply stainless, ceramic nonstick, cast iron and carbon steel cookware all work on induction, gas, electric and in the oven.",
        "cookware",
    ),
    _faq(
        "hk-sofa-materials",
        "Which sofa material is best for kids and pets?",
        "Performance velvet and performance weave resist stains and wipe clean with water. Linen blend is breathable but marks more easily. Top-grain leather develops a patina. Free fabric swatches are mailed within 3 days.",
        "sofas",
    ),
    _faq(
        "hk-payment",
        "How can I pay?",
        "Visa, Mastercard, American Express, Interac Online, PayPal and Hearthstead gift cards. Orders over $250 can be split into monthly payments with Affirm.",
        "payment",
    ),
    _faq(
        "hk-taxes",
        "Are taxes included?",
        "Prices are in Canadian dollars. GST, HST or PST is added at checkout based on the delivery province; there are no duties, as we ship from Ontario and British Columbia.",
        "payment",
        "pricing",
    ),
    _faq(
        "hk-warranty",
        "What warranty do you offer?",
        "Sofa and bed frames: 10 years. Mattresses: 10 years. Small appliances and kettles: 2 years. Cookware: lifetime, against manufacturing defects.",
        "warranty",
    ),
    _faq(
        "hk-gift-cards",
        "Do you sell gift cards?",
        "Yes: digital gift cards of $50, $100 or $250, emailed to the recipient. They never expire and cannot be returned.",
        "gift cards",
    ),
    _faq(
        "hk-account",
        "Do I need an account?",
        "No. An account lets you see orders, book furniture delivery windows and start exchanges online.",
        "account",
    ),
)

_HOME_POLICIES: tuple[dict[str, Any], ...] = (
    {
        "external_id": "returns",
        "title": "Returns",
        "body": (
            "# Returns\n\n"
            f"- Return items in resalable condition within **{HOME_RETURN_DAYS} days of delivery**.\n"
            "- Mattresses slept on with a protector are accepted within the same window.\n"
            "- **Final sale:** pillows and made-to-order items.\n"
            "- Refunds within 5 business days of the return reaching our warehouse.\n"
        ),
        "rules": {"return_window_days": HOME_RETURN_DAYS, "final_sale_categories": list(HOME_FINAL_SALE)},
    },
    {
        "external_id": "exchanges",
        "title": "Exchanges",
        "body": (
            "# Exchanges\n\n"
            f"Exchange for another size, colour or material of the same item within **{HOME_EXCHANGE_DAYS} days of "
            "delivery**: longer than our return window. The replacement is delivered free and the original collected.\n"
        ),
        "rules": {"exchange_window_days": HOME_EXCHANGE_DAYS},
    },
    {
        "external_id": "delivery",
        "title": "Delivery and return shipping",
        "body": (
            "# Delivery\n\n"
            "- Parcels: $9.95, free over $99, with Canada Post, Purolator or UPS.\n"
            "- Furniture and mattresses: Hearthstead Delivery, $149 flat, room of choice, packaging removed.\n\n"
            "## Return shipping\n\n"
            "**You pay return shipping:** $12.95 for our prepaid parcel label, $79 for a furniture or mattress pickup. "
            "Damaged or faulty items are collected free.\n"
        ),
        "rules": {"return_shipping_paid_by": "customer"},
    },
    {
        "external_id": "assembly",
        "title": "Assembly service",
        "body": "# Assembly\n\nBed frames and dining tables can be assembled by our delivery team for $99 per order.\n",
        "rules": {},
    },
    {
        "external_id": "warranty",
        "title": "Warranty",
        "body": (
            "# Warranty\n\n"
            "Frames 10 years, mattresses 10 years, small appliances 2 years, cookware lifetime, against manufacturing defects.\n"
        ),
        "rules": {},
    },
)

_HOME = _Kind(
    code="HS",
    store={
        "name": "Hearthstead Home & Kitchen",
        "currency": "CAD",
        "locale": "en-CA",
        "timezone": "America/Toronto",
    },
    region=_HOME_REGION,
    items=_HOME_ITEMS,
    product_id=("hk-p-{n}", 6),
    variant_id=("hk-v-{n}", 7),
    customer_id=("hk-c-{n}", 6),
    customer_count=120,
    status_counts={
        "pending": 25,
        "processed": 20,
        "shipped": 35,
        "delivered": 125,
        "cancelled": 20,
        "return_requested": 25,
        "returned": 25,
        "partially_returned": 25,
    },
    order_number="HK/{year}/{seq:05d}",
    first_seq=380,
    seq_per_year=True,
    carriers=(("Canada Post", 45), ("Purolator", 35), ("UPS", 20)),
    freight_carrier="Hearthstead Delivery",
    freight_note="Delivered by Hearthstead Delivery, our two-person team: we call to book a two-hour window.",
    payments=(("credit_card", 55), ("interac", 15), ("paypal", 14), ("affirm", 10), ("gift_card", 6)),
    return_window_days=HOME_RETURN_DAYS,
    exchange_window_days=HOME_EXCHANGE_DAYS,
    final_sale=HOME_FINAL_SALE,
    transit_days=(3, 9),
    oldest_days=400,
    email_domains=("example.net", "mail.example.net"),
    sold_out=(
        ("Cloudrest Hybrid Mattress", {"size": "queen", "firmness": "medium"}),
        ("Stainless Electric Kettle", {"finish": "sage"}),
    ),
    faqs=_HOME_FAQS,
    policies=_HOME_POLICIES,
)

# --- outdoor: Bluegum Outdoor & Sport (Australia) --------------------------------------------------------

OUTDOOR_RETURN_DAYS = 28
OUTDOOR_EXCHANGE_DAYS = 100
OUTDOOR_FINAL_SALE = ("gas canisters", "gift cards")

_BOOT_CHART = (
    "Sizes are US men's. US 7 = EU 40 = 25 cm foot length, US 8 = EU 41 = 26 cm, US 9 = EU 42.5 = 27 cm, "
    "US 10 = EU 44 = 28 cm, US 11 = EU 45 = 29 cm, US 12 = EU 46 = 30 cm. Wide suits feet broader than 10.5 cm "
    "across the ball of the foot. Try boots on in the afternoon with your hiking socks."
)
_RUNNER_CHART = (
    "Sizes are EU. EU 40 = US 7 = 25 cm foot length, EU 41 = US 8 = 26 cm, EU 42 = US 8.5 = 26.5 cm, "
    "EU 43 = US 9.5 = 27.5 cm, EU 44 = US 10 = 28 cm, EU 45 = US 11 = 29 cm. Between sizes, go up for long descents."
)
_PACK_CHART = (
    "Back length is your torso, from the bony bump at the base of your neck (C7) to the top of your hip bones. "
    "S/M fits 40-47 cm, M/L fits 46-53 cm. The harness adjusts within each range."
)
_SLEEPING_BAG_CHART = "Regular fits people up to 183 cm (6 ft); long fits up to 198 cm (6 ft 6 in)."
_JACKET_CHART = (
    "Chest: XS 86-91 cm, S 91-97 cm, M 97-104 cm, L 104-112 cm, XL 112-120 cm, XXL 120-128 cm. "
    "Cut with room for a fleece or down layer underneath."
)
_HARNESS_CHART = "Waist: XS 61-71 cm, S 69-79 cm, M 76-86 cm, L 84-94 cm. Leg loops adjust from 48 to 64 cm."
_BIKE_CHART = (
    "Rider height: XS (49 cm) 152-162 cm, S (51 cm) 160-170 cm, M (54 cm) 168-178 cm, L (56 cm) 176-186 cm, "
    "XL (58 cm) 184-195 cm. Between sizes, take the smaller frame for a more upright ride."
)

_OUTDOOR_ITEMS: tuple[_Item, ...] = (
    _Item(
        "Otway Lightweight Hiking Tent",
        "tents",
        "Southerly",
        "449.00",
        "A freestanding 3-season tent with two doors, two vestibules and a 3000 mm fly. Pitches fly-first in the rain.",
        options={"capacity": ("2-person", "3-person")},
        deltas={"3-person": "100.00"},
        attributes={
            "seasons": "3-season",
            "packed weight": "1.9 kg (2-person), 2.4 kg (3-person)",
            "fly": "3000 mm",
        },
    ),
    _Item(
        "Alpine Ridge 4-Season Tent",
        "tents",
        "Southerly",
        "899.00",
        "A geodesic expedition tent for snow camping and exposed alpine sites, with snow valances and a 5000 mm fly.",
        options={"capacity": ("2-person", "3-person")},
        deltas={"3-person": "150.00"},
        attributes={
            "seasons": "4-season",
            "packed weight": "3.4 kg (2-person), 4.1 kg (3-person)",
            "fly": "5000 mm",
        },
    ),
    _Item(
        "Big Sky Family Tent",
        "tents",
        "Bluegum",
        "549.00",
        "A tall dome tent for car camping, with a screened front room and blackout bedrooms.",
        options={"capacity": ("4-person", "6-person", "8-person")},
        deltas={"6-person": "150.00", "8-person": "300.00"},
        attributes={"seasons": "3-season", "peak height": "195 cm"},
    ),
    _Item(
        "Overland Trek Pack",
        "packs",
        "Otway Packs",
        "329.00",
        "A multi-day hiking pack with an adjustable harness, a removable lid and a sleeping-bag compartment.",
        options={"volume": ("55 L", "65 L"), "back length": ("S/M", "M/L")},
        deltas={"65 L": "40.00"},
        attributes={"rain cover": "included", "hydration": "3 L bladder sleeve"},
        chart=_PACK_CHART,
    ),
    _Item(
        "Ridgeline Hiking Pack",
        "packs",
        "Otway Packs",
        "229.00",
        "A light overnight pack with a ventilated mesh back and hip-belt pockets.",
        options={
            "volume": ("38 L", "48 L"),
            "back length": ("S/M", "M/L"),
            "color": ("eucalyptus", "charcoal"),
        },
        deltas={"48 L": "30.00"},
        chart=_PACK_CHART,
    ),
    _Item(
        "Summit Day Pack",
        "packs",
        "Otway Packs",
        "119.00",
        "A day pack with a padded laptop sleeve and a stowable rain cover, for the trail or the train.",
        options={"volume": ("18 L", "24 L"), "color": ("ochre", "navy")},
        deltas={"24 L": "20.00"},
    ),
    _Item(
        "Karri Down Sleeping Bag",
        "camping",
        "Karri",
        "429.00",
        "A mummy bag filled with 700-loft responsibly sourced duck down, with a draught collar and a water-resistant shell.",
        options={"temperature rating": ("-5 °C", "0 °C"), "length": ("regular", "long")},
        deltas={"-5 °C": "90.00", "long": "30.00"},
        attributes={"fill": "700-loft duck down", "rating": "comfort rating, ISO 23537"},
        chart=_SLEEPING_BAG_CHART,
    ),
    _Item(
        "Coastal Synthetic Sleeping Bag",
        "camping",
        "Karri",
        "149.00",
        "A rectangular synthetic bag that unzips into a quilt, for summer camping and caravan trips.",
        options={"temperature rating": ("5 °C", "10 °C"), "length": ("regular", "long")},
        deltas={"5 °C": "30.00", "long": "20.00"},
        attributes={"fill": "hollow-fibre synthetic", "rating": "comfort rating, ISO 23537"},
        chart=_SLEEPING_BAG_CHART,
    ),
    _Item(
        "Self-Inflating Sleeping Mat",
        "camping",
        "Karri",
        "169.00",
        "An open-cell foam mat that inflates itself in a few minutes; R-value 4.2.",
        options={"length": ("regular", "long")},
        deltas={"long": "30.00"},
        attributes={"thickness": "63 mm", "r-value": 4.2},
        chart="Regular is 183 x 51 cm, long is 196 x 64 cm.",
    ),
    _Item(
        "Jetflame Canister Stove",
        "camping",
        "Bluegum",
        "139.00",
        "An integrated stove and 1 L pot that boils half a litre in about 2 minutes. Uses screw-on isobutane canisters (sold separately).",
        attributes={"fuel": "isobutane-propane canister, EN 417 thread", "weight": "420 g"},
    ),
    _Item(
        "Insulated Steel Water Bottle",
        "camping",
        "Bluegum",
        "44.95",
        "A double-walled stainless bottle that keeps water cold for 24 hours in a hot car.",
        options={"capacity": ("750 ml", "1 L"), "color": ("ocean", "sand", "black")},
        deltas={"1 L": "8.00"},
    ),
    _Item(
        "Trailbeam 400 Headlamp",
        "camping",
        "Bluegum",
        "69.95",
        "A 400-lumen rechargeable headlamp with red night mode and a lock-out switch for your pack.",
        attributes={"output": "400 lm", "battery": "USB-C rechargeable, about 40 h on low", "rating": "IPX4"},
    ),
    _Item(
        "Isobutane Gas Canister",
        "gas canisters",
        "Bluegum",
        "7.95",
        "An isobutane-propane blend canister for screw-thread stoves. Dangerous goods: sent by road only.",
        options={"net weight": ("100 g", "230 g", "450 g")},
        deltas={"230 g": "3.00", "450 g": "7.00"},
        attributes={"thread": "EN 417"},
    ),
    _Item(
        "Terrain Alpine Hiking Boot",
        "footwear",
        "Terrain",
        "289.00",
        "A waterproof leather hiking boot with a Gore-Tex liner and a Vibram sole, made for multi-day walks with a full pack.",
        options={"size": ("US 7", "US 8", "US 9", "US 10", "US 11", "US 12"), "width": ("standard", "wide")},
        attributes={"waterproof": True, "sole": "Vibram"},
        chart=_BOOT_CHART,
    ),
    _Item(
        "Terrain Trail Runner",
        "footwear",
        "Terrain",
        "219.00",
        "A cushioned trail running shoe with a 4 mm drop and a rock plate, for fire trails and technical singletrack.",
        options={"size": ("40", "41", "42", "43", "44", "45"), "color": ("blue", "orange")},
        attributes={"drop": "4 mm", "waterproof": False},
        chart=_RUNNER_CHART,
    ),
    _Item(
        "Southerly Storm Rain Jacket",
        "clothing",
        "Southerly",
        "299.00",
        "A three-layer waterproof shell with pit zips and a helmet-compatible hood, tested in Tasmanian weather.",
        options={"size": ("XS", "S", "M", "L", "XL", "XXL"), "color": ("red", "navy", "olive")},
        attributes={"waterproof rating": "20000 mm", "weight": "390 g"},
        chart=_JACKET_CHART,
    ),
    _Item(
        "Southerly Down Puffer Jacket",
        "clothing",
        "Southerly",
        "249.00",
        "A 650-loft down jacket that packs into its own pocket.",
        options={"size": ("S", "M", "L", "XL"), "color": ("black", "teal")},
        chart=_JACKET_CHART,
    ),
    _Item(
        "Merino Hiking Socks",
        "clothing",
        "Karri",
        "32.95",
        "Cushioned merino-blend crew socks that stay fresh for days on the track.",
        options={"size": ("S (US 4-6)", "M (US 7-9)", "L (US 10-12)")},
        attributes={"fibre": "62% merino wool"},
    ),
    _Item(
        "Granite Dynamic Climbing Rope",
        "climbing",
        "Granite",
        "259.00",
        "A UIAA-certified single dynamic rope with a dry-treated sheath and a middle mark.",
        options={"length": ("50 m", "60 m", "70 m"), "diameter": ("9.5 mm", "9.8 mm")},
        deltas={"60 m": "40.00", "70 m": "80.00"},
        attributes={"certification": "UIAA 101, EN 892", "dry treatment": "sheath"},
    ),
    _Item(
        "Granite All-Round Harness",
        "climbing",
        "Granite",
        "109.00",
        "A comfortable sport and gym harness with four gear loops and adjustable leg loops.",
        options={"size": ("XS", "S", "M", "L")},
        attributes={"certification": "UIAA 105, EN 12277"},
        chart=_HARNESS_CHART,
    ),
    _Item(
        "Granite Quickdraw Set",
        "climbing",
        "Granite",
        "119.00",
        "Quickdraws with a straight-gate top carabiner and a bent-gate bottom one, on 12 cm dogbones.",
        options={"set": ("6-pack", "12-pack")},
        deltas={"12-pack": "110.00"},
    ),
    _Item(
        "Coastline Touring Kayak",
        "paddling",
        "Coastline",
        "1490.00",
        "A stable sit-in touring kayak with two sealed hatches and a drop-down skeg, for bays, lakes and estuaries.",
        options={"length": ("3.8 m", "4.3 m"), "color": ("sunset orange", "sea green")},
        deltas={"4.3 m": "300.00"},
        attributes={"weight": "24 kg (3.8 m), 27 kg (4.3 m)", "max load": "140 kg"},
        bulky=True,
    ),
    _Item(
        "Coastline Carbon Kayak Paddle",
        "paddling",
        "Coastline",
        "279.00",
        "A two-piece carbon paddle with adjustable feather, about 800 g.",
        options={"length": ("220 cm", "230 cm", "240 cm")},
        chart="220 cm suits paddlers under 170 cm or narrow kayaks, 230 cm most paddlers, 240 cm tall paddlers or wide kayaks.",
    ),
    _Item(
        "Coastline Paddling PFD",
        "paddling",
        "Coastline",
        "149.00",
        "A Level 50S buoyancy vest cut high under the arms for paddling, with a zip pocket.",
        options={"size": ("S/M", "L/XL"), "color": ("red", "yellow")},
        attributes={"standard": "AS 4758 Level 50S"},
        chart="S/M fits chests 81-102 cm, L/XL fits 102-122 cm. Wearers must weigh more than 40 kg.",
    ),
    _Item(
        "Redgum Gravel Bike",
        "cycling",
        "Redgum Cycles",
        "2199.00",
        "An aluminium gravel bike with a carbon fork, 2 x 11 gearing, hydraulic disc brakes and room for 45 mm tyres.",
        options={
            "size": ("XS (49 cm)", "S (51 cm)", "M (54 cm)", "L (56 cm)", "XL (58 cm)"),
            "color": ("ochre", "slate"),
        },
        attributes={"frame": "6061 aluminium", "weight": "10.2 kg (M)", "assembly": "about 90% assembled"},
        chart=_BIKE_CHART,
        bulky=True,
    ),
    _Item(
        "Redgum Trail Helmet",
        "cycling",
        "Redgum Cycles",
        "149.00",
        "A mountain bike helmet with MIPS, an adjustable visor and extended rear coverage.",
        options={"size": ("S (51-55 cm)", "M (55-59 cm)", "L (59-62 cm)")},
        attributes={"certification": "AS/NZS 2063", "mips": True},
        chart="Measure around your head 2 cm above the eyebrows. S fits 51-55 cm, M 55-59 cm, L 59-62 cm.",
    ),
    _Item(
        "Rooftop Cargo Box",
        "cycling",
        "Bluegum",
        "899.00",
        "A dual-side-opening roof box with central locking that fits most crossbars, for camping gear and ski trips.",
        options={"volume": ("420 L", "520 L")},
        deltas={"520 L": "150.00"},
        attributes={"max load": "75 kg", "fitting": "quick-mount U-bolts"},
        bulky=True,
    ),
    _Item(
        "Ironbark Hex Dumbbell",
        "fitness",
        "Ironbark",
        "24.95",
        "A rubber-coated hex dumbbell with a knurled chrome handle. Sold individually.",
        options={"weight": ("5 kg", "7.5 kg", "10 kg", "12.5 kg", "15 kg")},
        deltas={"7.5 kg": "10.00", "10 kg": "20.00", "12.5 kg": "30.00", "15 kg": "40.00"},
    ),
    _Item(
        "Ironbark Cast Iron Kettlebell",
        "fitness",
        "Ironbark",
        "49.95",
        "A single-cast kettlebell with a flat base and a wide powder-coated handle.",
        options={"weight": ("8 kg", "12 kg", "16 kg", "20 kg")},
        deltas={"12 kg": "15.00", "16 kg": "30.00", "20 kg": "45.00"},
    ),
    _Item(
        "Cork Yoga Mat",
        "fitness",
        "Ironbark",
        "89.95",
        "A natural cork mat on a rubber base that grips better as you sweat. 183 x 61 cm.",
        options={"thickness": ("4 mm", "6 mm"), "color": ("natural", "charcoal", "sage")},
        deltas={"6 mm": "15.00"},
    ),
    _Item(
        "Bluegum Gift Card",
        "gift cards",
        "Bluegum",
        "25.00",
        "A digital gift card emailed to the recipient, valid for three years across all our gear.",
        options={"amount": ("25", "50", "100", "200")},
        deltas={"50": "25.00", "100": "75.00", "200": "175.00"},
        digital=True,
    ),
)

_OUTDOOR_REGION = _Region(
    country="AU",
    cities=(
        _City("Sydney", "NSW", "200", "2"),
        _City("Newcastle", "NSW", "230", "2"),
        _City("Wollongong", "NSW", "250", "2"),
        _City("Canberra", "ACT", "260", "2"),
        _City("Melbourne", "VIC", "300", "3"),
        _City("Geelong", "VIC", "322", "3"),
        _City("Ballarat", "VIC", "335", "3"),
        _City("Bendigo", "VIC", "355", "3"),
        _City("Hobart", "TAS", "700", "3"),
        _City("Launceston", "TAS", "725", "3"),
        _City("Brisbane", "QLD", "400", "7"),
        _City("Gold Coast", "QLD", "421", "7"),
        _City("Toowoomba", "QLD", "435", "7"),
        _City("Townsville", "QLD", "481", "7"),
        _City("Cairns", "QLD", "487", "7"),
        _City("Adelaide", "SA", "500", "8"),
        _City("Perth", "WA", "600", "8"),
        _City("Fremantle", "WA", "616", "8"),
        _City("Darwin", "NT", "080", "8"),
        _City("Alice Springs", "NT", "087", "8"),
    ),
    streets=(
        "George Street",
        "Bourke Street",
        "Anzac Parade",
        "Brunswick Street",
        "Hay Street",
        "King William Street",
        "Queen Street",
        "Chapel Street",
        "Beach Road",
        "Pacific Highway",
        "Sturt Street",
        "Smith Street",
        "Coronation Drive",
        "Macquarie Street",
        "Wattle Grove",
    ),
    first_names=(
        "Jack",
        "Olivia",
        "Lachlan",
        "Charlotte",
        "Mia",
        "Cooper",
        "Isla",
        "Hamish",
        "Matilda",
        "Angus",
        "Ruby",
        "Harrison",
        "Sienna",
        "Declan",
        "Chloe",
        "Riley",
        "Zara",
        "Brodie",
        "Priya",
        "Minh",
        "Kirra",
        "Jarrah",
        "Tahlia",
        "Hugo",
        "Georgia",
        "Aiden",
        "Mei",
        "Arjun",
        "Sofia",
        "Bronte",
    ),
    last_names=(
        "Smith",
        "Nguyen",
        "Williams",
        "Kelly",
        "O'Brien",
        "Murphy",
        "Taylor",
        "Wilson",
        "Papadopoulos",
        "Rossi",
        "Walsh",
        "McKenzie",
        "Tran",
        "Patel",
        "Singh",
        "Chen",
        "Campbell",
        "Fitzgerald",
        "Anderson",
        "Ryan",
        "Thompson",
        "Martin",
        "Harris",
        "Lee",
        "Clarke",
        "Jones",
        "Brown",
        "Kaur",
        "Costa",
        "Nikolaidis",
    ),
    postcode=_au_postcode,
    phone=_au_phone,
)

_OUTDOOR_FAQS: tuple[dict[str, Any], ...] = (
    _faq(
        "os-delivery-cost",
        "How much is delivery, and how long does it take?",
        "Standard delivery is $9.95, or free on orders over $99, with Australia Post, Couriers Please or Aramex: 2-4 business days to capital cities and 4-8 business days to regional areas. Express Post is $14.95. Orders placed before 1 pm AEST on a business day leave our Melbourne warehouse the same day.",
        "shipping",
        "delivery",
    ),
    _faq(
        "os-bulky-delivery",
        "How are kayaks, bikes and roof boxes delivered?",
        "They are too big for a parcel, so they travel separately by StarTrack freight for a flat $59: 3-8 business days, to your door, and someone needs to be home to sign. Bikes arrive about 90% assembled; you fit the handlebars, pedals and front wheel. Anything else in the same order comes by parcel with its own tracking number.",
        "shipping",
        "delivery",
        "freight",
    ),
    _faq(
        "os-tracking",
        "How do I track my order?",
        "Your dispatch email has a tracking link for each parcel. You can also give us your order number (it looks like OS-26-004217) and the email you ordered with, and we will look it up. We ship with Australia Post, Couriers Please and Aramex, and StarTrack carries bulky items.",
        "shipping",
        "tracking",
        "order status",
    ),
    _faq(
        "os-order-status",
        "What do the order statuses mean?",
        "Pending: we have your order but have not picked it yet, so you can still change or cancel it. Processed: picked, packed and waiting for the courier. Shipped: on its way to you. Delivered: the carrier has confirmed delivery.",
        "order status",
    ),
    _faq(
        "os-cancel",
        "Can I cancel or change my order?",
        "Yes, while it is still pending. Once it has been processed it is already packed, so we cannot change it: send it back after delivery instead, free of charge.",
        "order changes",
        "cancel",
    ),
    _faq(
        "os-returns-window",
        "What is your returns policy?",
        f"If you change your mind, you have {OUTDOOR_RETURN_DAYS} days from delivery to send gear back unused, with its tags and packaging. Returns are free: we email you a prepaid Australia Post label, and StarTrack collects bulky items at no cost.",
        "returns",
    ),
    _faq(
        "os-returns-used",
        "Can I return gear I have used?",
        "Pitching a tent in your lounge room or walking around the house in new boots is fine. Gear that has been used outdoors (a muddy boot, a sleeping bag that has been camping, a rope that has been climbed on) cannot come back as a change of mind. Faulty gear is different: we repair, replace or refund it under the Australian Consumer Law.",
        "returns",
        "opened items",
    ),
    _faq(
        "os-final-sale",
        "Is there anything I can't return?",
        "Gas canisters are dangerous goods, so they cannot be sent back through the post, and gift cards cannot be returned either. Both are final sale unless faulty.",
        "returns",
        "final sale",
    ),
    _faq(
        "os-exchange",
        "Can I swap for a different size?",
        f"Within {OUTDOOR_EXCHANGE_DAYS} days of delivery you can swap unused gear for another size, colour, back length, volume or temperature rating of the same item: much longer than our {OUTDOOR_RETURN_DAYS}-day window for refunds. We send the replacement free as soon as your return is scanned.",
        "exchanges",
    ),
    _faq(
        "os-refund-time",
        "When will I get my refund?",
        "Within 3 business days of your return reaching our warehouse, to the way you paid. Afterpay refunds go back to your Afterpay account and reduce your remaining instalments; banks can take another 3-5 business days to show a card refund.",
        "refunds",
        "returns",
    ),
    _faq(
        "os-boot-size",
        "What size hiking boot should I order?",
        "Our Terrain Alpine boots come in US men's sizes, 7 to 12, in standard or wide fit: US 9 is EU 42.5 and a 27 cm foot. The Terrain Trail Runner is sized in EU, 40 to 45 (EU 42 is about US 8.5). If you are between sizes, go up half a size for boots you will carry a pack in.",
        "sizing",
        "footwear",
    ),
    _faq(
        "os-pack-fit",
        "Which back length do I need for a hiking pack?",
        "Measure from the bony bump at the base of your neck to the top of your hip bones. S/M fits a 40-47 cm back and M/L fits 46-53 cm. For a first multi-day walk, 55 L is plenty; 65 L suits winter or trips of a week or more.",
        "sizing",
        "packs",
    ),
    _faq(
        "os-sleeping-bag-rating",
        "Which temperature rating should my sleeping bag have?",
        "Our ratings are comfort ratings to ISO 23537: the coldest night you will sleep comfortably. A 0 °C bag suits most of the year in south-east Australia; take the -5 °C bag for alpine trips and winter in Tasmania, and a 5 °C or 10 °C bag for summer and the tropics. Regular fits people up to 183 cm, long up to 198 cm.",
        "sizing",
        "sleeping bags",
    ),
    _faq(
        "os-rope-length",
        "Which climbing rope length and diameter should I buy?",
        "A 60 m rope covers most sport routes in Australia; take 70 m for the Blue Mountains and longer routes at Arapiles and the Grampians, and 50 m for the gym. The 9.5 mm rope is lighter for projects; the 9.8 mm one lasts longer as an everyday rope.",
        "climbing",
    ),
    _faq(
        "os-payment",
        "How can I pay?",
        "Visa, Mastercard, American Express, PayPal, Apple Pay, Afterpay (four fortnightly payments, interest-free) and Bluegum gift cards. All prices are in Australian dollars and include GST.",
        "payment",
    ),
    _faq(
        "os-gift-cards",
        "How do gift cards work?",
        "Digital gift cards of $25, $50, $100 or $200 are emailed to the recipient and are valid for three years. You can combine one with a card payment. Gift cards cannot be returned or exchanged.",
        "gift cards",
        "payment",
    ),
)

_OUTDOOR_POLICIES: tuple[dict[str, Any], ...] = (
    {
        "external_id": "returns",
        "title": "Returns",
        "body": (
            "# Returns\n\n"
            f"- Change your mind? Return unused gear with its tags and packaging within **{OUTDOOR_RETURN_DAYS} days of delivery**.\n"
            "- Gear that has been used outdoors cannot be returned for a change of mind.\n"
            "- **Final sale:** gas canisters (dangerous goods) and gift cards.\n"
            "- Refunds go back to the way you paid within 3 business days of the return reaching us.\n"
            "- None of this limits your rights under the Australian Consumer Law: faulty gear is always repaired, replaced or refunded.\n"
        ),
        "rules": {
            "return_window_days": OUTDOOR_RETURN_DAYS,
            "final_sale_categories": list(OUTDOOR_FINAL_SALE),
        },
    },
    {
        "external_id": "exchanges",
        "title": "Exchanges",
        "body": (
            "# Exchanges\n\n"
            f"Swap unused gear for another size, colour, back length, volume or temperature rating of the same item within "
            f"**{OUTDOOR_EXCHANGE_DAYS} days of delivery**, well beyond our {OUTDOOR_RETURN_DAYS}-day return window. "
            "The replacement ships free once your return is scanned. Final-sale items cannot be exchanged.\n"
        ),
        "rules": {"exchange_window_days": OUTDOOR_EXCHANGE_DAYS},
    },
    {
        "external_id": "delivery",
        "title": "Delivery and returns postage",
        "body": (
            "# Delivery\n\n"
            "- Standard: $9.95, free over $99, with Australia Post, Couriers Please or Aramex. Express Post: $14.95.\n"
            "- Kayaks, bikes and roof boxes: StarTrack freight, $59 flat, 3-8 business days, signature on delivery.\n"
            "- Gas canisters travel by road only and cannot go by Express Post.\n\n"
            "## Returns postage\n\n"
            "**Free:** we email a prepaid Australia Post label for every eligible return, and StarTrack collects bulky items at no charge.\n"
        ),
        "rules": {"return_shipping_paid_by": "store"},
    },
    {
        "external_id": "warranty",
        "title": "Warranty",
        "body": (
            "# Warranty\n\n"
            "Tents, packs and sleeping bags carry a 2-year warranty against defects, bike frames 5 years. On top of that, our "
            "goods come with guarantees that cannot be excluded under the Australian Consumer Law.\n"
        ),
        "rules": {},
    },
    {
        "external_id": "privacy",
        "title": "Privacy",
        "body": (
            "# Privacy\n\n"
            "We handle your details under the Australian Privacy Principles and use them only to fill your orders and, if you "
            "opt in, to send our newsletter. Email privacy@bluegum.example to see or correct what we hold.\n"
        ),
        "rules": {},
    },
)

_OUTDOOR = _Kind(
    code="BG",
    store={
        "name": "Bluegum Outdoor & Sport",
        "currency": "AUD",
        "locale": "en-AU",
        "timezone": "Australia/Melbourne",
    },
    region=_OUTDOOR_REGION,
    items=_OUTDOOR_ITEMS,
    product_id=("BG-P{n}", 5),
    variant_id=("BGV{n}", 7),
    customer_id=("C-{n}", 5),
    customer_count=140,
    status_counts={
        "pending": 26,
        "processed": 22,
        "shipped": 36,
        "delivered": 130,
        "cancelled": 20,
        "return_requested": 20,
        "returned": 22,
        "partially_returned": 20,
    },
    order_number="OS-{yy:02d}-{seq:06d}",
    first_seq=4100,
    seq_per_year=True,
    carriers=(("Australia Post", 55), ("Couriers Please", 25), ("Aramex", 20)),
    freight_carrier="StarTrack",
    freight_note="Too big for a parcel: ships separately by StarTrack freight, door to door in 3-8 business days, signature required.",
    payments=(("credit_card", 50), ("paypal", 16), ("afterpay", 16), ("apple_pay", 10), ("gift_card", 8)),
    return_window_days=OUTDOOR_RETURN_DAYS,
    exchange_window_days=OUTDOOR_EXCHANGE_DAYS,
    final_sale=OUTDOOR_FINAL_SALE,
    transit_days=(2, 8),
    oldest_days=330,
    email_domains=("example.com", "example.org"),
    sold_out=(
        ("Otway Lightweight Hiking Tent", {"capacity": "3-person"}),
        ("Terrain Alpine Hiking Boot", {"size": "US 10", "width": "wide"}),
        ("Overland Trek Pack", {"volume": "65 L", "back length": "M/L"}),
    ),
    faqs=_OUTDOOR_FAQS,
    policies=_OUTDOOR_POLICIES,
)


_KINDS: dict[str, _Kind] = {"general": _GENERAL, "pharmacy": _PHARMACY, "home": _HOME, "outdoor": _OUTDOOR}
