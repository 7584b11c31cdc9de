"""Catalog writes: stock changes, always as one conditional UPDATE with F() expressions.

Reading stock into Python and writing it back loses updates under concurrency; a guarded UPDATE lets
the database decide, so two shoppers can never take the last pair twice and stock never goes below 0.
"""

from __future__ import annotations

from django.db.models import F

from apps.catalog.models import Variant


class OutOfStock(Exception):
    """The variant cannot give that quantity right now."""


def variant_stock_reserve(*, variant: Variant, quantity: int = 1) -> bool:
    """Take ``quantity`` units of a variant if it has them; True when taken.

    Untracked stock (stock is null) needs only ``available``; nothing is decremented.
    """
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    taken = Variant.objects.filter(pk=variant.pk, available=True, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    if taken:
        variant.refresh_from_db(fields=["stock"])
        return True
    return Variant.objects.filter(pk=variant.pk, available=True, stock__isnull=True).exists()


def variant_stock_decrement(*, variant: Variant, quantity: int = 1) -> Variant:
    """Like ``variant_stock_reserve`` but raises ``OutOfStock`` instead of returning False."""
    if not variant_stock_reserve(variant=variant, quantity=quantity):
        raise OutOfStock(f"{variant.sku or variant.external_id}: fewer than {quantity} in stock")
    return variant


def variant_stock_increment(*, variant: Variant, quantity: int = 1) -> Variant:
    """Put units back (a cancelled order, a received return); untracked stock stays untracked."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    Variant.objects.filter(pk=variant.pk, stock__isnull=False).update(stock=F("stock") + quantity)
    variant.refresh_from_db(fields=["stock"])
    return variant
