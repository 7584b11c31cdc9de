"""Store-bundle import: load a file, validate it whole, then upsert it in one transaction.

The import is a diff: the database's current rows are read into dicts keyed by external id, each
bundle record is compared field by field, and only what differs is written (bulk, in batches). So
importing the same bundle twice writes nothing at all, and a large bundle costs a handful of
queries per kind rather than one per row.
"""

from __future__ import annotations

import codecs
import gzip
import json
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Model, ProtectedError, RestrictedError
from django.utils import timezone
from tqdm import tqdm

from apps.bundles.signals import bundle_imported
from apps.bundles.validation import BundleError, ParsedBundle, bundle_validate
from apps.catalog.models import Product, Store, Variant
from apps.knowledge.models import FAQ, Policy
from apps.orders.models import Customer, Order, OrderLine, Payment, ReturnRequest, Shipment

BATCH = 2000
# Decompressed size beyond which a bundle is refused (a gzip bomb must not eat the machine's memory).
MAX_BUNDLE_BYTES = getattr(settings, "BUNDLE_MAX_BYTES", 1 << 30)
_CHUNK = 1 << 20
KINDS = (
    "store",
    "products",
    "variants",
    "customers",
    "orders",
    "order_lines",
    "shipments",
    "payments",
    "faqs",
    "policies",
)


# --- loading -----------------------------------------------------------------------------------------


def bundle_load(*, path: Path, max_bytes: int | None = None) -> dict[str, Any]:
    """Read a bundle file (JSON, or gzipped JSON recognised by its magic bytes) into a dict.

    Raises BundleError with a message a person can act on: unreadable file, broken gzip, binary or
    non-UTF-8 content (detected in the first megabyte, so garbage fails fast), JSON syntax errors with
    line and column, a top level that is not an object.
    """
    limit = MAX_BUNDLE_BYTES if max_bytes is None else max_bytes
    name = str(path)
    try:
        handle = open(path, "rb")  # closed by the with-block below
    except OSError as exc:
        raise BundleError([f"{name}: cannot read: {exc.strerror or exc}"]) from None
    with handle:
        compressed = handle.read(2) == b"\x1f\x8b"
        handle.seek(0)
        stream: Any = gzip.GzipFile(fileobj=handle, mode="rb") if compressed else handle
        raw = _read_capped(stream, name=name, limit=limit, compressed=compressed)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise BundleError(
            [f"{name}: not UTF-8 text (invalid byte at offset {exc.start}, line {line})"]
        ) from None
    del raw
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise BundleError(
            [f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
        ) from None
    except ValueError as exc:
        raise BundleError([f"{name}: invalid JSON: {exc}"]) from None
    except RecursionError:
        raise BundleError([f"{name}: invalid JSON: nested too deeply"]) from None
    if not isinstance(data, dict):
        raise BundleError([f"{name}: the bundle must be a JSON object, got {type(data).__name__}"])
    return data


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not valid JSON (numbers must be finite)")


def _read_capped(stream: Any, *, name: str, limit: int, compressed: bool) -> bytes:
    buffer = bytearray()
    first = True
    try:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            buffer += chunk
            if first:
                _check_head(bytes(buffer), name=name)
                first = False
            if len(buffer) > limit:
                what = "decompresses to" if compressed else "is"
                raise BundleError([f"{name}: {what} more than {limit:,} bytes; refusing to load it"])
    except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
        raise BundleError([f"{name}: not a valid gzip file: {exc or 'truncated'}"]) from None
    except OSError as exc:
        raise BundleError([f"{name}: cannot read: {exc.strerror or exc}"]) from None
    if not buffer:
        raise BundleError([f"{name}: the file is empty"])
    return bytes(buffer)


def _check_head(head: bytes, *, name: str) -> None:
    """Refuse binary garbage from its first megabyte instead of parsing gigabytes of it."""
    nul = head.find(b"\x00")
    if nul >= 0:
        raise BundleError([f"{name}: binary data (NUL byte at offset {nul}), not a JSON bundle"])
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(head, final=False)  # a character cut at the chunk end is fine
    except UnicodeDecodeError as exc:
        line = head.count(b"\n", 0, exc.start) + 1
        raise BundleError(
            [f"{name}: not UTF-8 text (invalid byte at offset {exc.start}, line {line})"]
        ) from None
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if start and start != "{":
        raise BundleError(
            [f"{name}: not a JSON bundle (a bundle starts with '{{', this starts with {start!r})"]
        )


# --- report ------------------------------------------------------------------------------------------


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class ImportReport:
    counts: dict[str, KindCounts] = field(default_factory=lambda: {kind: KindCounts() for kind in KINDS})
    dry_run: bool = False
    prune: bool = False
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.deleted for c in self.counts.values())

    def summary(self) -> str:
        width = max(len(kind) for kind in KINDS)
        rows = [f"{'':<{width}}  {'created':>8} {'updated':>8} {'unchanged':>9} {'deleted':>8}"]
        for kind, c in self.counts.items():
            rows.append(f"{kind:<{width}}  {c.created:>8} {c.updated:>8} {c.unchanged:>9} {c.deleted:>8}")
        return "\n".join(rows)


# --- import ------------------------------------------------------------------------------------------


def bundle_import(
    *, data: dict[str, Any], prune: bool = False, dry_run: bool = False, progress: bool = False
) -> ImportReport:
    """Validate ``data`` and upsert it by external id, all or nothing.

    Raises BundleError (nothing written) when anything is wrong. ``prune`` deletes objects the bundle
    does not list; ``dry_run`` validates and counts what would change without writing.
    """
    started = time.monotonic()
    if not isinstance(data, dict):
        bundle_validate(data=data)  # raises the "(top level)" error before touching the database
    report = ImportReport(dry_run=dry_run, prune=prune)
    with transaction.atomic():
        # Two imports at once would race on the same external ids: the second waits for the first.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('supportbot.bundle_import'))")
        state = _State.load(prune=prune)
        parsed = bundle_validate(
            data=data,
            db_variants=state.variants.keys(),
            db_customers=state.customers.keys(),
            db_policy_rules=None if prune else state.kept_policy_rules(data),
            prune=prune,
        )
        plan = _Plan(parsed=parsed, state=state, prune=prune, report=report)
        plan.check_prune()
        if not dry_run:
            total = sum(len(x) for x in (parsed.products, parsed.variants, parsed.customers, parsed.orders))
            with tqdm(total=total, desc="import", unit="obj", disable=not progress, leave=False) as bar:
                try:
                    plan.apply(bar)
                except (ProtectedError, RestrictedError) as exc:
                    blockers = sorted({str(obj) for obj in list(exc.args[1])[:5]})
                    raise BundleError(
                        [f"prune: cannot delete, still referenced by {', '.join(blockers)}"]
                    ) from None
                except DatabaseError as exc:
                    # Validation should make this unreachable; if not, the transaction still rolls back.
                    raise BundleError([f"the database rejected the bundle: {exc}"]) from None
            if report.changed:
                # After commit: listeners (a search index) must never see rows that may roll back.
                transaction.on_commit(lambda: bundle_imported.send(sender=ImportReport, report=report))
        else:
            plan.count_only()
    report.seconds = time.monotonic() - started
    return report


def _variant_derived(options: dict[str, Any]) -> tuple[str, str]:
    # Same derivation as Variant.save(): bulk_create/bulk_update bypass save(), so do it here.
    size = str(options.get("size") or "").strip().lower()[:50]
    color = str(options.get("color") or "").strip().lower()[:50]
    return size, color


PRODUCT_FIELDS = ("name", "description", "category", "attributes", "size_chart", "extra")
VARIANT_FIELDS = ("product_id", "sku", "options", "size", "color", "price", "stock", "available", "extra")
CUSTOMER_FIELDS = ("email", "first_name", "last_name", "phone", "address", "extra")
ORDER_FIELDS = ("customer_id", "status", "placed_at", "delivered_at", "shipping_address", "extra")
LINE_FIELDS = ("position", "variant_id", "quantity", "unit_price", "extra")
SHIPMENT_FIELDS = ("position", "carrier", "tracking_numbers", "shipped_at", "delivered_at", "extra")
PAYMENT_FIELDS = ("position", "method", "amount", "kind", "extra")
FAQ_FIELDS = ("question", "answer", "tags", "is_published", "extra")
POLICY_FIELDS = ("title", "body", "rules", "extra")
STORE_FIELDS = ("name", "currency", "locale", "timezone", "extra", "bundle_extra")


def _rows(model: type[Model], fields: Iterable[str]) -> dict[str, dict[str, Any]]:
    return {
        row["external_id"]: row
        for row in model.objects.order_by().values("id", "external_id", *fields).iterator(chunk_size=5000)
    }


def _children(model: type[Model], fields: Iterable[str]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        model.objects.order_by("order_id", "position", "id")
        .values("id", "order_id", *fields)
        .iterator(chunk_size=5000)
    ):
        grouped[row["order_id"]].append(row)
    return grouped


@dataclass
class _State:
    """What the database holds now, keyed for the diff."""

    store: dict[str, Any] | None
    products: dict[str, dict[str, Any]]
    variants: dict[str, dict[str, Any]]
    customers: dict[str, dict[str, Any]]
    orders: dict[str, dict[str, Any]]
    lines: dict[int, list[dict[str, Any]]]
    shipments: dict[int, list[dict[str, Any]]]
    shipment_variants: dict[int, set[int]]
    payments: dict[int, list[dict[str, Any]]]
    faqs: dict[str, dict[str, Any]]
    policies: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, *, prune: bool) -> _State:
        through = Shipment.variants.through
        shipment_variants: dict[int, set[int]] = defaultdict(set)
        for shipment_id, variant_id in through.objects.values_list("shipment_id", "variant_id").iterator(
            chunk_size=5000
        ):
            shipment_variants[shipment_id].add(variant_id)
        return cls(
            store=Store.objects.filter(pk=1).values("id", *STORE_FIELDS).first(),
            products=_rows(Product, PRODUCT_FIELDS),
            variants=_rows(Variant, VARIANT_FIELDS),
            customers=_rows(Customer, CUSTOMER_FIELDS),
            orders=_rows(Order, ORDER_FIELDS),
            lines=_children(OrderLine, LINE_FIELDS),
            shipments=_children(Shipment, SHIPMENT_FIELDS),
            shipment_variants=shipment_variants,
            payments=_children(Payment, PAYMENT_FIELDS),
            faqs=_rows(FAQ, FAQ_FIELDS),
            policies=_rows(Policy, POLICY_FIELDS),
        )

    def kept_policy_rules(self, data: dict[str, Any]) -> dict[str, str]:
        """Rule key -> external id, for database policies the bundle does not mention (they stay)."""
        listed = data.get("policies")
        mentioned = (
            {p.get("external_id") for p in listed if isinstance(p, dict)}
            if isinstance(listed, list)
            else set()
        )
        owners: dict[str, str] = {}
        for ext, row in sorted(self.policies.items()):
            if ext not in mentioned and isinstance(row["rules"], dict):
                for key in row["rules"]:
                    owners.setdefault(key, ext)
        return owners


def _differs(record: dict[str, Any], row: dict[str, Any], fields: Iterable[str]) -> bool:
    return any(record[f] != row[f] for f in fields)


class _Plan:
    """The diff between the bundle and the database, and the writes that apply it."""

    def __init__(self, *, parsed: ParsedBundle, state: _State, prune: bool, report: ImportReport) -> None:
        self.parsed = parsed
        self.state = state
        self.prune = prune
        self.report = report
        self.now = timezone.now()

    # -- prune --

    def _prune_sets(self) -> dict[str, list[int]]:
        p = self.parsed
        if not self.prune:
            return {}

        def missing(existing: dict[str, dict[str, Any]], records: list[dict[str, Any]]) -> list[int]:
            keep = {r["external_id"] for r in records}
            return [row["id"] for ext, row in existing.items() if ext not in keep]

        s = self.state
        return {
            "orders": missing(s.orders, p.orders),
            "variants": missing(s.variants, p.variants),
            "products": missing(s.products, p.products),
            "customers": missing(s.customers, p.customers),
            "faqs": missing(s.faqs, p.faqs),
            "policies": missing(s.policies, p.policies),
        }

    def check_prune(self) -> None:
        """Pruning must not break what stays: a kept order's return may exchange to a variant."""
        self.prune_ids = self._prune_sets()
        if not self.prune_ids.get("variants"):
            return
        blocked = (
            ReturnRequest.objects.filter(exchange_variant_id__in=self.prune_ids["variants"])
            .exclude(order_id__in=self.prune_ids["orders"])
            .values_list("order__external_id", "exchange_variant__external_id")
        )
        errors = [
            f'variants: cannot prune variant "{variant}": a return request of order "{order}" exchanges to it'
            for order, variant in blocked
        ]
        if errors:
            raise BundleError(errors)

    # -- diff --

    def _diff(
        self,
        kind: str,
        records: list[dict[str, Any]],
        existing: dict[str, dict[str, Any]],
        fields: tuple[str, ...],
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        counts = self.report.counts[kind]
        creates, updates = [], []
        for record in records:
            row = existing.get(record["external_id"])
            if row is None:
                creates.append(record)
            elif _differs(record, row, fields):
                record["id"] = row["id"]
                updates.append(record)
            else:
                record["id"] = row["id"]
                counts.unchanged += 1
        counts.created += len(creates)
        counts.updated += len(updates)
        if self.prune:
            counts.deleted += len(self.prune_ids[kind])
        return creates, updates

    def _prepare(self) -> None:
        """Normalise records to model field values and diff every kind (no writes)."""
        p, s = self.parsed, self.state
        for r in p.variants:
            r["size"], r["color"] = _variant_derived(r["options"])
        for r in p.faqs:
            r["is_published"] = r["published"]
        store = dict(p.store)
        store["bundle_extra"] = p.bundle_extra
        self.store = store
        counts = self.report.counts["store"]
        if s.store is None:
            counts.created = 1
        elif _differs(store, s.store, STORE_FIELDS):
            counts.updated = 1
        else:
            counts.unchanged = 1
        self.products = self._diff("products", p.products, s.products, PRODUCT_FIELDS)
        self.customers = self._diff("customers", p.customers, s.customers, CUSTOMER_FIELDS)
        self.faqs = self._diff("faqs", p.faqs, s.faqs, FAQ_FIELDS)
        self.policies = self._diff("policies", p.policies, s.policies, POLICY_FIELDS)

    def count_only(self) -> None:
        """Dry run: counts for every kind, with ids of rows not yet created standing in as None."""
        self._prepare()
        product_ids = {ext: row["id"] for ext, row in self.state.products.items()}
        customer_ids = {ext: row["id"] for ext, row in self.state.customers.items()}
        variant_ids = {ext: row["id"] for ext, row in self.state.variants.items()}
        self._resolve_variants(product_ids)
        self._diff("variants", self.parsed.variants, self.state.variants, VARIANT_FIELDS)
        # New variants have no id yet in a dry run: a unique stand-in per variant keeps the diff exact.
        variant_ids.update(
            {r["external_id"]: r.get("id") or ("new", r["external_id"]) for r in self.parsed.variants}
        )
        self._resolve_orders(customer_ids)
        creates, updates = self._diff("orders", self.parsed.orders, self.state.orders, ORDER_FIELDS)
        self._children_diff(self.parsed.orders, variant_ids, order_updates=updates)

    def _resolve_variants(self, product_ids: dict[str, int | None]) -> None:
        for r in self.parsed.variants:
            # A product created in this import has no id in a dry run: a unique stand-in marks it new.
            r["product_id"] = product_ids.get(r["product"], ("new", r["product"]))

    def _resolve_orders(self, customer_ids: dict[str, int | None]) -> None:
        for r in self.parsed.orders:
            r["customer_id"] = customer_ids.get(r["customer"], ("new", r["customer"]))

    # -- writes --

    def apply(self, bar: tqdm) -> None:
        self._prepare()
        s = self.state
        store_values = {f: self.store[f] for f in STORE_FIELDS}
        if s.store is None:
            Store.objects.create(pk=1, **store_values)
        elif self.report.counts["store"].updated:
            Store.objects.filter(pk=1).update(**store_values)

        product_ids = self._write(Product, self.products, PRODUCT_FIELDS, bar, touch=True)
        self._resolve_variants(product_ids)
        variants = self._diff("variants", self.parsed.variants, s.variants, VARIANT_FIELDS)
        variant_ids = self._write(Variant, variants, VARIANT_FIELDS, bar)
        customer_ids = self._write(Customer, self.customers, CUSTOMER_FIELDS, bar)
        self._resolve_orders(customer_ids)
        creates, updates = self._diff("orders", self.parsed.orders, s.orders, ORDER_FIELDS)
        # Orders whose only change is in their lines/shipments/payments are touched too (updated_at).
        child_changed = self._children_diff(self.parsed.orders, variant_ids, order_updates=updates)
        order_ids = self._write(Order, (creates, updates + child_changed), ORDER_FIELDS, bar, touch=True)
        self._children_write(order_ids)
        self._write(FAQ, self.faqs, FAQ_FIELDS, bar, touch=True)
        self._write(Policy, self.policies, POLICY_FIELDS, bar, touch=True)
        self._prune_write()

    def _write(
        self,
        model: type[Model],
        diff: tuple[list[dict[str, Any]], list[dict[str, Any]]],
        fields: tuple[str, ...],
        bar: tqdm,
        *,
        touch: bool = False,
    ) -> dict[str, int]:
        """Bulk-create and bulk-update one kind; return external id -> id for every bundle record."""
        creates, updates = diff
        ids: dict[str, int] = {}
        for start in range(0, len(creates), BATCH):
            chunk = creates[start : start + BATCH]
            objs = model.objects.bulk_create(
                [model(external_id=r["external_id"], **{f: r[f] for f in fields}) for r in chunk]
            )
            for r, obj in zip(chunk, objs, strict=True):
                r["id"] = obj.pk
            bar.update(len(chunk))
        update_fields = [*fields, "updated_at"] if touch else list(fields)
        for start in range(0, len(updates), BATCH):
            chunk = updates[start : start + BATCH]
            objs = []
            for r in chunk:
                obj = model(pk=r["id"], external_id=r["external_id"], **{f: r[f] for f in fields})
                if touch:
                    obj.updated_at = self.now  # bulk_update skips auto_now: set it so change tracking sees it
                objs.append(obj)
            model.objects.bulk_update(objs, update_fields)
            bar.update(len(chunk))
        records = self._records_of(model)
        ids.update({r["external_id"]: r["id"] for r in records})
        bar.update(len(records) - len(creates) - len(updates))
        return {**{ext: row["id"] for ext, row in self._existing_of(model).items()}, **ids}

    def _records_of(self, model: type[Model]) -> list[dict[str, Any]]:
        p = self.parsed
        return {
            Product: p.products,
            Variant: p.variants,
            Customer: p.customers,
            Order: p.orders,
            FAQ: p.faqs,
            Policy: p.policies,
        }[model]

    def _existing_of(self, model: type[Model]) -> dict[str, dict[str, Any]]:
        s = self.state
        return {
            Product: s.products,
            Variant: s.variants,
            Customer: s.customers,
            Order: s.orders,
            FAQ: s.faqs,
            Policy: s.policies,
        }[model]

    # -- order children: lines, shipments, payments, matched by position --

    def _children_diff(
        self,
        orders: list[dict[str, Any]],
        variant_ids: dict[str, Any],
        *,
        order_updates: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Diff each order's children by position; return orders changed only in their children."""
        counts = self.report.counts
        self.child_creates: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
        self.child_updates: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.child_deletes: dict[str, list[int]] = defaultdict(list)
        self.m2m_replace: list[dict[str, Any]] = []
        updating = {id(r) for r in order_updates}
        touched = []
        s = self.state
        for order in orders:
            order_id = order.get("id")
            changed = False
            for kind, records, existing_by_order, fields in (
                ("order_lines", order["lines"], s.lines, LINE_FIELDS),
                ("shipments", order["shipments"], s.shipments, SHIPMENT_FIELDS),
                ("payments", order["payments"], s.payments, PAYMENT_FIELDS),
            ):
                existing = existing_by_order.get(order_id, []) if order_id else []
                for position, record in enumerate(records):
                    record["position"] = position
                    if kind == "order_lines":
                        record["variant_id"] = variant_ids.get(record["variant"])
                    elif kind == "shipments":
                        record["variant_ids"] = {variant_ids.get(ext) for ext in record["variants"]}
                    if position < len(existing):
                        row = existing[position]
                        record["id"] = row["id"]
                        m2m_differs = kind == "shipments" and record[
                            "variant_ids"
                        ] != s.shipment_variants.get(row["id"], set())
                        if _differs(record, row, fields):
                            self.child_updates[kind].append(record)
                            counts[kind].updated += 1
                            changed = True
                        elif m2m_differs:
                            counts[kind].updated += 1
                            changed = True
                        else:
                            counts[kind].unchanged += 1
                        if m2m_differs:
                            self.m2m_replace.append(record)
                    else:
                        self.child_creates[kind].append((order, record))
                        counts[kind].created += 1
                        changed = True
                surplus = existing[len(records) :]
                if surplus:
                    self.child_deletes[kind].extend(row["id"] for row in surplus)
                    counts[kind].deleted += len(surplus)
                    changed = True
            if changed and order_id and id(order) not in updating:
                touched.append(order)
        # Children of pruned orders go with them (cascade): count them as deleted.
        if self.prune and self.prune_ids.get("orders"):
            pruned = set(self.prune_ids["orders"])
            for kind, existing_by_order in (
                ("order_lines", s.lines),
                ("shipments", s.shipments),
                ("payments", s.payments),
            ):
                counts[kind].deleted += sum(len(existing_by_order.get(i, ())) for i in pruned)
        self.report.counts["orders"].updated += len(touched)
        self.report.counts["orders"].unchanged -= len(touched)
        return touched

    def _children_write(self, order_ids: dict[str, int]) -> None:
        through = Shipment.variants.through
        for kind, model, fields in (
            ("order_lines", OrderLine, LINE_FIELDS),
            ("shipments", Shipment, SHIPMENT_FIELDS),
            ("payments", Payment, PAYMENT_FIELDS),
        ):
            deletes = self.child_deletes.get(kind, [])
            for start in range(0, len(deletes), BATCH):
                # Lines may carry return-request lines (cascade): a surplus line is really gone.
                model.objects.filter(pk__in=deletes[start : start + BATCH]).delete()
            updates = self.child_updates.get(kind, [])
            for start in range(0, len(updates), BATCH):
                objs = [
                    model(pk=r["id"], **{f: r[f] for f in fields}) for r in updates[start : start + BATCH]
                ]
                model.objects.bulk_update(objs, list(fields))
            creates = self.child_creates.get(kind, [])
            for start in range(0, len(creates), BATCH):
                chunk = creates[start : start + BATCH]
                objs = model.objects.bulk_create(
                    [
                        model(order_id=order_ids[o["external_id"]], **{f: r[f] for f in fields})
                        for o, r in chunk
                    ]
                )
                for (_, r), obj in zip(chunk, objs, strict=True):
                    r["id"] = obj.pk
                if kind == "shipments":
                    self.m2m_replace.extend(r for _, r in chunk if r["variant_ids"])
        replace = self.m2m_replace
        for start in range(0, len(replace), BATCH):
            chunk = replace[start : start + BATCH]
            through.objects.filter(shipment_id__in=[r["id"] for r in chunk]).delete()
            through.objects.bulk_create(
                [through(shipment_id=r["id"], variant_id=v) for r in chunk for v in sorted(r["variant_ids"])]
            )

    def _prune_write(self) -> None:
        if not self.prune:
            return
        # Orders first: their lines protect the variants, and orders protect their customers.
        for model, kind in (
            (Order, "orders"),
            (Variant, "variants"),
            (Product, "products"),
            (Customer, "customers"),
            (FAQ, "faqs"),
            (Policy, "policies"),
        ):
            ids = self.prune_ids[kind]
            for start in range(0, len(ids), BATCH):
                model.objects.filter(pk__in=ids[start : start + BATCH]).delete()
