"""Catalog: the store, its products and their variants (options such as size and color)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

MONEY = {"max_digits": 14, "decimal_places": 4}


class Store(models.Model):
    """The one store this database serves (a singleton row, pk=1)."""

    name = models.CharField(max_length=200, default="Demo store")
    currency = models.CharField(max_length=3, blank=True, default="USD")
    locale = models.CharField(max_length=20, blank=True, default="en")
    timezone = models.CharField(max_length=64, blank=True, default="UTC")
    # Unknown keys of the bundle's "store" object, and of the bundle's top level, kept for export.
    extra = models.JSONField(default=dict, blank=True)
    bundle_extra = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Store:
        store, _ = cls.objects.get_or_create(pk=1)
        return store


class Product(models.Model):
    external_id = models.CharField(max_length=200, unique=True)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True, default="")
    category = models.CharField(max_length=100, blank=True, default="", db_index=True)
    attributes = models.JSONField(default=dict, blank=True)
    size_chart = models.TextField(blank=True, default="")
    extra = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            GinIndex(
                SearchVector("name", "category", config="english"),
                name="product_name_fts",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    product = models.ForeignKey(Product, related_name="variants", on_delete=models.CASCADE)
    external_id = models.CharField(max_length=200, unique=True)
    sku = models.CharField(max_length=200, blank=True, default="")
    options = models.JSONField(default=dict, blank=True)
    # Copies of options["size"] / options["color"], lower-cased, indexed for size questions.
    size = models.CharField(max_length=50, blank=True, default="", db_index=True)
    color = models.CharField(max_length=50, blank=True, default="", db_index=True)
    price = models.DecimalField(**MONEY)
    # None means the store does not track stock: available alone decides.
    stock = models.IntegerField(null=True, blank=True)
    available = models.BooleanField(default=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["product_id", "external_id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_non_negative"),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0), name="variant_stock_non_negative"
            ),
        ]
        indexes = [models.Index(Lower("sku"), name="variant_sku_lower")]

    def __str__(self) -> str:
        label = " / ".join(str(v) for v in self.options.values()) if self.options else self.external_id
        return f"{self.product.name} ({label})"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Keep the indexed copies in step with the free-form options (a derived column).
        self.size = str(self.options.get("size") or "").strip().lower()[:50]
        self.color = str(self.options.get("color") or "").strip().lower()[:50]
        super().save(*args, **kwargs)

    @property
    def in_stock(self) -> bool:
        return self.available and (self.stock is None or self.stock > 0)


def money_str(value: Decimal) -> str:
    """A price as the bundle writes it: at least two decimals, no trailing zeros beyond."""
    text = format(value.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"
