"""Import/export behaviour: round trip, idempotence, dry run, prune, sparse bundles, the commands."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.bundles.selectors import bundle_dumps, bundle_export
from apps.bundles.services import bundle_import, bundle_load
from apps.bundles.signals import bundle_imported
from apps.bundles.validation import BundleError
from apps.catalog.models import Product, Store, Variant
from apps.knowledge.models import FAQ, Policy
from apps.orders.models import Customer, Order, OrderLine, Payment, ReturnRequest, Shipment

from .conftest import db_snapshot, write_json

pytestmark = pytest.mark.django_db


def test_import_stores_values_and_keeps_unknown_keys(shoe_bundle):
    # given / when
    report = bundle_import(data=shoe_bundle)

    # then
    assert report.counts["products"].created == 2
    assert report.counts["variants"].created == 3
    assert report.counts["order_lines"].created == 4
    store = Store.objects.get(pk=1)
    assert store.name == "Northwind Shoes"
    assert store.extra == {"support_hours": "9-5"}
    assert store.bundle_extra == {"exported_by": {"tool": "shopify-sync", "at": "2026-01-01"}}
    variant = Variant.objects.get(external_id="4153505238")
    assert (variant.size, variant.color) == ("10", "red")  # derived although bulk-created
    assert variant.price == Decimal("129.99")
    assert variant.extra == {"barcode": "0123"}
    assert Variant.objects.get(external_id="2000").stock is None
    assert Product.objects.get(external_id="9523456873").extra == {"handle": "running-shoes"}
    order = Order.objects.get(external_id="#W2611340")
    assert order.status == "shipped"
    assert order.extra == {"channel": "web"}
    assert [line.variant.external_id for line in order.lines.all()] == ["4153505238", "2000", "4153505238"]
    assert order.lines.all()[0].extra == {"gift": True}
    shipment = order.shipments.get()
    assert shipment.shipped_at == datetime(2026, 10, 3, 7, 0, tzinfo=UTC)
    assert sorted(shipment.variants.values_list("external_id", flat=True)) == ["2000", "4153505238"]
    assert Order.objects.get(external_id="#W1000001").status == "processed"  # accepted as given
    assert list(Payment.objects.filter(order__external_id="#W1000001").values_list("kind", flat=True)) == [
        "payment",
        "refund",
    ]
    assert Customer.objects.get(external_id="noah_brown_6181").phone == ""
    assert Policy.objects.get(external_id="returns").rules["final_sale_categories"] == ["underwear"]
    assert FAQ.objects.get(external_id="faq-gift").extra == {"locale": "en"}


def test_export_import_export_is_byte_identical(shoe_bundle, tmp_path):
    # given
    bundle_import(data=shoe_bundle)
    first = bundle_dumps(bundle_export())

    # when: the export goes into an emptied database and comes out again
    for model in (Order, Customer, Product, FAQ, Policy, Store):
        model.objects.all().delete()
    path = tmp_path / "export.json"
    path.write_text(first, encoding="utf-8")
    bundle_import(data=bundle_load(path=path))
    second = bundle_dumps(bundle_export())

    # then
    assert second == first
    exported = json.loads(first)
    assert list(exported)[:3] == ["format", "version", "store"]
    assert exported["exported_by"] == {"at": "2026-01-01", "tool": "shopify-sync"}
    assert [p["external_id"] for p in exported["products"]] == ["1000", "9523456873"]
    assert exported["store"]["support_hours"] == "9-5"
    assert exported["products"][1]["variants"][0]["barcode"] == "0123"
    order = next(o for o in exported["orders"] if o["external_id"] == "#W2611340")
    assert [line["unit_price"] for line in order["lines"]] == ["129.99", "24.00", "100.50"]  # position order
    assert order["shipments"][0]["shipped_at"] == "2026-10-03T07:00:00Z"
    assert "Boxer Briefs — 3 pack" in first  # not \u-escaped


def test_second_import_changes_nothing(shoe_bundle):
    # given
    bundle_import(data=shoe_bundle)
    stamps = {
        model.__name__: dict(model.objects.values_list("external_id", "updated_at"))
        for model in (Product, Order, FAQ, Policy)
    }
    line_ids = sorted(OrderLine.objects.values_list("id", flat=True))

    # when
    report = bundle_import(data=shoe_bundle)

    # then
    assert not report.changed
    for kind, counts in report.counts.items():
        assert (counts.created, counts.updated, counts.deleted) == (0, 0, 0), kind
    assert report.counts["variants"].unchanged == 3
    assert report.counts["order_lines"].unchanged == 4
    for model in (Product, Order, FAQ, Policy):
        assert dict(model.objects.values_list("external_id", "updated_at")) == stamps[model.__name__]
    assert sorted(OrderLine.objects.values_list("id", flat=True)) == line_ids


def test_changed_bundle_updates_only_what_changed(shoe_bundle):
    # given
    bundle_import(data=shoe_bundle)
    before = dict(Order.objects.values_list("external_id", "updated_at"))
    shoe_bundle["products"][0]["variants"][0]["stock"] = 9
    shoe_bundle["orders"][0]["lines"].pop()  # a line fewer
    shoe_bundle["orders"][0]["shipments"][0]["variants"] = ["2000"]

    # when
    report = bundle_import(data=shoe_bundle)

    # then
    assert report.counts["variants"].updated == 1
    assert report.counts["variants"].unchanged == 2
    assert report.counts["order_lines"].deleted == 1
    assert report.counts["shipments"].updated == 1
    assert report.counts["orders"].updated == 1
    assert Variant.objects.get(external_id="4153505238").stock == 9
    order = Order.objects.get(external_id="#W2611340")
    assert order.lines.count() == 2
    assert list(order.shipments.get().variants.values_list("external_id", flat=True)) == ["2000"]
    assert order.updated_at > before["#W2611340"]
    assert Order.objects.get(external_id="#W1000001").updated_at == before["#W1000001"]


def test_dry_run_counts_but_writes_nothing(shoe_bundle):
    # given
    before = db_snapshot()

    # when
    report = bundle_import(data=shoe_bundle, dry_run=True)

    # then
    assert report.dry_run
    assert report.counts["products"].created == 2
    assert report.counts["orders"].created == 2
    assert report.counts["order_lines"].created == 4
    assert db_snapshot() == before
    assert not Store.objects.exists()


def test_dry_run_of_a_change_matches_the_real_import(shoe_bundle):
    bundle_import(data=shoe_bundle)
    shoe_bundle["products"].append(
        {
            "external_id": "new-p",
            "name": "New",
            "variants": [{"external_id": "new-v", "options": {}, "price": "1", "available": True}],
        }
    )
    shoe_bundle["orders"][0]["lines"][1]["variant"] = "new-v"

    dry = bundle_import(data=shoe_bundle, dry_run=True)
    real = bundle_import(data=shoe_bundle)

    assert dry.counts == real.counts
    assert real.counts["order_lines"].updated == 1


def test_without_prune_missing_objects_stay(shoe_bundle):
    bundle_import(data=shoe_bundle)
    shoe_bundle["faqs"].pop()
    shoe_bundle["orders"].pop()

    report = bundle_import(data=shoe_bundle)

    assert report.counts["faqs"].deleted == 0
    assert FAQ.objects.filter(external_id="faq-gift").exists()
    assert Order.objects.filter(external_id="#W1000001").exists()


def test_prune_deletes_what_the_bundle_no_longer_lists(shoe_bundle):
    # given
    bundle_import(data=shoe_bundle)
    shoe_bundle["orders"] = [o for o in shoe_bundle["orders"] if o["external_id"] != "#W1000001"]
    shoe_bundle["customers"] = [c for c in shoe_bundle["customers"] if c["external_id"] != "zoë"]
    shoe_bundle["products"][0]["variants"].pop()  # 4153505239: no order uses it
    shoe_bundle["faqs"].pop()
    shoe_bundle["policies"].pop()

    # when
    report = bundle_import(data=shoe_bundle, prune=True)

    # then
    assert report.counts["orders"].deleted == 1
    assert report.counts["customers"].deleted == 1
    assert report.counts["variants"].deleted == 1
    assert report.counts["payments"].deleted == 2
    assert not Order.objects.filter(external_id="#W1000001").exists()
    assert not Customer.objects.filter(external_id="zoë").exists()
    assert not Variant.objects.filter(external_id="4153505239").exists()
    assert set(FAQ.objects.values_list("external_id", flat=True)) == {"faq-returns-window"}
    assert set(Policy.objects.values_list("external_id", flat=True)) == {"returns"}
    assert not bundle_import(data=shoe_bundle, prune=True).changed


def test_prune_refuses_a_variant_a_kept_order_still_uses(shoe_bundle):
    # given: the variant is in the database, a bundle order references it, the bundle drops it
    bundle_import(data=shoe_bundle)
    shoe_bundle["products"] = [p for p in shoe_bundle["products"] if p["external_id"] != "1000"]
    before = db_snapshot()

    # when / then: without --prune the reference resolves to the database row...
    bundle_import(data=shoe_bundle)
    # ...with --prune it would be deleted under the order: an error naming where it is used
    with pytest.raises(BundleError) as caught:
        bundle_import(data=shoe_bundle, prune=True)
    assert (
        'orders[0].lines[1].variant: variant "2000" is not in the bundle, and --prune would delete it'
        in (caught.value.errors[0])
    )
    assert db_snapshot() == before


def test_prune_refuses_a_variant_a_kept_return_exchanges_to(shoe_bundle):
    bundle_import(data=shoe_bundle)
    order = Order.objects.get(external_id="#W2611340")
    ReturnRequest.objects.create(order=order, exchange_variant=Variant.objects.get(external_id="4153505239"))
    shoe_bundle["products"][0]["variants"].pop()
    before = db_snapshot()

    with pytest.raises(BundleError) as caught:
        bundle_import(data=shoe_bundle, prune=True)

    assert 'cannot prune variant "4153505239"' in caught.value.errors[0]
    assert db_snapshot() == before


def test_a_variant_can_move_to_another_product(shoe_bundle):
    bundle_import(data=shoe_bundle)
    moved = shoe_bundle["products"][0]["variants"].pop()
    shoe_bundle["products"][1]["variants"].append(moved)

    report = bundle_import(data=shoe_bundle, prune=True)

    assert report.counts["variants"].updated == 1
    assert Variant.objects.get(external_id=moved["external_id"]).product.external_id == "1000"


def test_sparse_bundle_of_another_kind_of_store(electronics_bundle, tmp_path):
    # given / when
    report = bundle_import(data=electronics_bundle)

    # then
    assert report.counts["variants"].created == 3
    phone = Variant.objects.get(external_id="v-phone-x-128")
    assert phone.options == {"capacity": "128 GB", "finish": "graphite"}
    assert (phone.size, phone.color, phone.sku, phone.stock) == ("", "", "", None)
    assert phone.in_stock
    assert not Variant.objects.get(external_id="v-phone-x-256").in_stock
    product = Product.objects.get(external_id="p-phone-x")
    assert (product.description, product.category, product.attributes) == ("", "", {})
    store = Store.objects.get(pk=1)
    assert (store.currency, store.locale, store.timezone) == ("", "", "")
    payment = Payment.objects.get()
    assert (payment.kind, payment.amount, payment.method) == ("payment", Decimal(0), "")
    shipment = Shipment.objects.get()
    assert (shipment.carrier, shipment.tracking_numbers, shipment.shipped_at) == ("", [], None)
    assert Policy.objects.get().rules == {}

    # and it round-trips and re-imports without change
    first = bundle_dumps(bundle_export())
    path = tmp_path / "electronics.json"
    path.write_text(first, encoding="utf-8")
    assert not bundle_import(data=bundle_load(path=path)).changed
    assert bundle_dumps(bundle_export()) == first


def test_draft_faqs_stay_drafts_through_a_round_trip(shoe_bundle):
    bundle_import(data=shoe_bundle)
    FAQ.objects.filter(external_id="faq-gift").update(is_published=False)

    exported = bundle_export()
    assert next(f for f in exported["faqs"] if f["external_id"] == "faq-gift")["published"] is False
    assert not bundle_import(data=exported).changed
    assert not FAQ.objects.get(external_id="faq-gift").is_published


def test_gzip_bundle_is_read_by_its_magic_bytes(shoe_bundle, tmp_path):
    path = tmp_path / "bundle.json"  # no .gz extension: the content decides
    path.write_bytes(gzip.compress(json.dumps(shoe_bundle).encode()))

    assert bundle_load(path=path) == shoe_bundle


def test_commands_import_and_export(shoe_bundle, tmp_path, capsys):
    # given
    source = tmp_path / "in.json"
    write_json(source, shoe_bundle)

    # when
    call_command("import_store", str(source))
    call_command("export_store", str(tmp_path / "out.json.gz"))
    call_command("export_store", str(tmp_path / "out.json"))
    call_command("import_store", str(tmp_path / "out.json.gz"))

    # then
    out = capsys.readouterr().out
    assert "already up to date: nothing changed" in out
    gz = (tmp_path / "out.json.gz").read_bytes()
    assert gzip.decompress(gz) == (tmp_path / "out.json").read_bytes()
    call_command("export_store", str(tmp_path / "again.json.gz"))
    assert (tmp_path / "again.json.gz").read_bytes() == gz  # gzip output is reproducible too


def test_import_command_dry_run_and_rejection(shoe_bundle, tmp_path, capsys):
    source = tmp_path / "in.json"
    write_json(source, shoe_bundle)
    call_command("import_store", str(source), "--dry-run")
    assert "dry run: nothing written" in capsys.readouterr().out
    assert not Product.objects.exists()

    for product in shoe_bundle["products"]:
        for variant in product["variants"]:
            variant["price"] = "free"
    shoe_bundle["orders"] = [shoe_bundle["orders"][0]] * 60
    write_json(source, shoe_bundle)
    with pytest.raises(CommandError, match=r"bundle rejected \(\d+ errors\); the database was not changed"):
        call_command("import_store", str(source))
    err = capsys.readouterr().err
    assert 'products[0].variants[0].price: "free" is not an amount' in err
    assert "more errors" in err
    assert not Product.objects.exists()


def test_progress_bar_goes_to_stderr_only_when_asked(shoe_bundle, tmp_path, capsys):
    bundle_import(data=shoe_bundle, progress=True)
    assert "import" in capsys.readouterr().err

    source = tmp_path / "in.json"
    write_json(source, shoe_bundle)
    call_command("import_store", str(source), verbosity=0)  # not a TTY and quiet: no bar, no summary
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_bundle_imported_is_sent_after_commit_only_when_something_changed(
    shoe_bundle, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, report, **kwargs):
        received.append(report)

    bundle_imported.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            report = bundle_import(data=shoe_bundle)
        assert received == [report]
        assert len(callbacks) >= 1
        with django_capture_on_commit_callbacks(execute=True):
            bundle_import(data=shoe_bundle)  # unchanged
            bundle_import(data=shoe_bundle, dry_run=True)
        assert received == [report]
    finally:
        bundle_imported.disconnect(listener)
