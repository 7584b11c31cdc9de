"""Loading and removing the demo store around a test module (shared by tests/demo and tests/admin)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.management import call_command

from apps.catalog.models import Product, Store
from apps.knowledge.models import FAQ, Policy, PolicyDefaults
from apps.orders.models import Customer, Order

DEMO_SEED = 7
DEMO_NOW = datetime(2026, 11, 1, tzinfo=UTC)


def demo_store_load() -> None:
    call_command("seed_demo", seed=DEMO_SEED, now=DEMO_NOW.isoformat(), verbosity=0)


def demo_store_wipe() -> None:
    # Children first: orders protect customers and variants.
    Order.objects.all().delete()
    Customer.objects.all().delete()
    Product.objects.all().delete()
    FAQ.objects.all().delete()
    Policy.objects.all().delete()
    PolicyDefaults.objects.all().delete()
    Store.objects.all().delete()
