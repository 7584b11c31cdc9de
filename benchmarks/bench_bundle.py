"""Benchmark the store-bundle importer and exporter at catalogue scale.

    .venv/bin/python benchmarks/bench_bundle.py [--products 5000] [--variants-per-product 10]
        [--orders 20000] [--customers 10000] [--db-name supportbot_bench_bundle]

Generates a synthetic bundle into a temp file, then times (each in a fresh phase, with the peak RSS
of this process sampled during the phase): load, import into an empty database, re-import
(idempotent: must change nothing), export, and import of that export. It runs against the
configured Postgres server but in a dedicated database that it creates and drops itself (Django's
test-database machinery), so the developer's data is never touched. Results: a table on stdout and
benchmarks/results/bundle.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportbot.settings")

SIZES = ["6", "7", "8", "9", "10", "11", "12", "S", "M", "L", "XL", "XXL"]
COLORS = ["black", "white", "red", "navy", "olive", "grey", "tan"]
CATEGORIES = ["shoes", "boots", "sandals", "shirts", "jackets", "socks", "underwear", "accessories"]
STATUSES = ["pending", "processed", "shipped", "delivered", "cancelled", "return_requested", "returned"]


def bundle_generate(
    *, products: int, variants_per_product: int, orders: int, customers: int, seed: int = 7
) -> dict:
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    product_list, variant_ids, prices = [], [], {}
    for p in range(products):
        variants = []
        for v in range(variants_per_product):
            ext = f"v{p:06d}-{v:02d}"
            price = f"{rng.randint(5, 300)}.{rng.choice(['00', '50', '99'])}"
            prices[ext] = price
            variant_ids.append(ext)
            variants.append(
                {
                    "external_id": ext,
                    "sku": f"SKU-{p:06d}-{v:02d}",
                    "options": {"size": SIZES[v % len(SIZES)], "color": COLORS[(p + v) % len(COLORS)]},
                    "price": price,
                    "stock": rng.choice([None, 0, rng.randint(1, 50)]),
                    "available": rng.random() > 0.05,
                    "barcode": f"{rng.getrandbits(40):013d}",
                }
            )
        product_list.append(
            {
                "external_id": f"p{p:06d}",
                "name": f"Product {p} {rng.choice(['Runner', 'Trail', 'Classic', 'Lite', 'Pro'])}",
                "description": "A comfortable, durable everyday item. " * 3,
                "category": CATEGORIES[p % len(CATEGORIES)],
                "attributes": {"brand": f"Brand{p % 40}", "material": "synthetic"},
                "size_chart": "US 7 = 25 cm, US 8 = 26 cm, US 9 = 27 cm",
                "variants": variants,
            }
        )
    customer_list = [
        {
            "external_id": f"c{c:06d}",
            "email": f"shopper{c}@example.com",
            "first_name": f"First{c}",
            "last_name": f"Last{c}",
            "phone": None if c % 3 else f"+1555{c:07d}",
            "address": {
                "address1": f"{c} Main St",
                "city": "Denver",
                "state": "CO",
                "zip": "80202",
                "country": "USA",
            },
        }
        for c in range(customers)
    ]
    order_list = []
    for o in range(orders):
        placed = start + timedelta(minutes=rng.randint(0, 500_000))
        status = STATUSES[o % len(STATUSES)]
        lines = []
        for _ in range(rng.choice([1, 2, 3, 4, 5])):
            variant = rng.choice(variant_ids)
            lines.append({"variant": variant, "quantity": rng.randint(1, 3), "unit_price": prices[variant]})
        shipped = status not in ("pending", "cancelled")
        delivered = status in ("delivered", "return_requested", "returned")
        total = sum(float(line["unit_price"]) * line["quantity"] for line in lines)
        order_list.append(
            {
                "external_id": f"#W{o:07d}",
                "customer": f"c{rng.randrange(customers):06d}",
                "status": status,
                "placed_at": placed.isoformat().replace("+00:00", "Z"),
                "delivered_at": (placed + timedelta(days=4)).isoformat().replace("+00:00", "Z")
                if delivered
                else None,
                "lines": lines,
                "shipments": [
                    {
                        "carrier": rng.choice(["UPS", "FedEx", "USPS"]),
                        "tracking_numbers": [str(rng.getrandbits(40))],
                        "variants": sorted({line["variant"] for line in lines}),
                        "shipped_at": (placed + timedelta(days=1)).isoformat().replace("+00:00", "Z"),
                        "delivered_at": None,
                    }
                ]
                if shipped
                else [],
                "payments": [{"method": "credit_card", "amount": f"{total:.2f}", "kind": "payment"}],
                "shipping_address": {"address1": f"{o} Main St", "city": "Denver"},
            }
        )
    return {
        "format": "supportbot.store-bundle",
        "version": 1,
        "store": {"name": "Benchmark Store", "currency": "USD", "locale": "en", "timezone": "UTC"},
        "products": product_list,
        "customers": customer_list,
        "orders": order_list,
        "faqs": [
            {
                "external_id": f"faq-{i}",
                "question": f"Question {i}?",
                "answer": f"Answer {i}.",
                "tags": ["misc"],
            }
            for i in range(50)
        ],
        "policies": [
            {
                "external_id": "returns",
                "title": "Returns",
                "body": "Thirty days.",
                "rules": {"return_window_days": 30, "exchange_window_days": 30},
            }
        ],
    }


class PeakRSS:
    """Samples this process's RSS in a thread: the peak during one phase, not the lifetime's."""

    def __init__(self) -> None:
        import psutil

        self.process = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            self._stop.wait(0.02)

    def __enter__(self) -> PeakRSS:
        self.peak = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


@contextmanager
def dedicated_database(name: str):
    """Create an empty, migrated database on the configured server; drop it afterwards."""
    from django.db import connection

    connection.settings_dict["TEST"]["NAME"] = name
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--variants-per-product", type=int, default=10)
    parser.add_argument("--orders", type=int, default=20000)
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument(
        "--db-name", default="supportbot_bench_bundle", help="dedicated database (created, dropped)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "bundle.json")
    args = parser.parse_args()

    import django

    django.setup()
    from apps.bundles.selectors import bundle_dumps, bundle_export
    from apps.bundles.services import bundle_import, bundle_load

    results: list[dict[str, Any]] = []

    def phase(name: str, fn: Callable[[], Any], note: Callable[[Any], str] = lambda _: "") -> Any:
        with PeakRSS() as rss:
            started = time.perf_counter()
            value = fn()
            seconds = time.perf_counter() - started
        results.append(
            {
                "phase": name,
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(rss.peak / 2**20),
                "note": note(value),
            }
        )
        print(f"  {name:<24} {seconds:8.2f} s {rss.peak / 2**20:8.0f} MB  {results[-1]['note']}", flush=True)
        return value

    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as tmp:
        source = Path(tmp) / "bundle.json"
        exported = Path(tmp) / "export.json"

        def generate() -> int:
            data = bundle_generate(
                products=args.products,
                variants_per_product=args.variants_per_product,
                orders=args.orders,
                customers=args.customers,
            )
            source.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            return sum(len(o["lines"]) for o in data["orders"])

        print(
            f"bundle: {args.products} products x {args.variants_per_product} variants, {args.orders} orders, "
            f"{args.customers} customers; database {args.db_name} (created and dropped)"
        )
        line_count = phase("generate + write", generate, lambda n: f"{n} order lines")
        size_mb = source.stat().st_size / 2**20
        results[-1]["note"] += f", {size_mb:.1f} MB"

        with dedicated_database(args.db_name):
            loaded: dict[str, Any] = {"data": phase("load (parse JSON)", lambda: bundle_load(path=source))}

            def counts(report: Any) -> str:
                shown = ("variants", "orders", "order_lines")
                cells = (
                    f"{k} {c.created}/{c.updated}/{c.unchanged}"
                    for k, c in report.counts.items()
                    if k in shown
                )
                return ", ".join(cells) + " (created/updated/unchanged)"

            phase("import (empty db)", lambda: bundle_import(data=loaded["data"]), counts)
            report = phase("re-import (idempotent)", lambda: bundle_import(data=loaded["data"]), counts)
            assert not report.changed, "re-import changed something"
            phase(
                "dry run",
                lambda: bundle_import(data=loaded["data"], dry_run=True),
                lambda r: f"changed={r.changed}",
            )
            loaded.clear()  # free the parsed bundle before measuring the export

            def export() -> int:
                text = bundle_dumps(bundle_export())
                exported.write_text(text, encoding="utf-8")
                return len(text)

            phase("export + write", export, lambda n: f"{n / 2**20:.1f} MB")

            def reimport_export() -> Any:
                return bundle_import(data=bundle_load(path=exported))

            report = phase("load + import export", reimport_export, lambda r: f"changed={r.changed}")
            assert not report.changed, "importing the export changed something"
            first = exported.read_bytes()
            phase("export again", export)
            assert exported.read_bytes() == first, "export -> import -> export is not byte-identical"
            results[-1]["note"] = "byte-identical to the first export"

    summary = {
        "products": args.products,
        "variants": args.products * args.variants_per_product,
        "orders": args.orders,
        "order_lines": line_count,
        "customers": args.customers,
        "bundle_mb": round(size_mb, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "peak_rss_mb_lifetime": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "phases": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.output}")


if __name__ == "__main__":
    main()
