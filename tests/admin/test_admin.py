"""The admin with the demo store loaded: every page renders, edits obey the services' rules."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.urls import reverse

from apps.catalog.models import Product, Store, Variant
from apps.knowledge.models import Policy, PolicyDefaults
from apps.orders.models import Order, OrderLine, ReturnRequest, ReturnRequestLine, Shipment
from tests.admin.helpers import change_form_data

pytestmark = pytest.mark.django_db

APPS = ("catalog", "knowledge", "orders")
MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in APPS),
    key=lambda m: m._meta.label,
)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def return_request(demo_store):
    order = Order.objects.filter(status="return_requested").first()
    request = ReturnRequest.objects.create(order=order, reason="Too small", refund_method="exchange")
    ReturnRequestLine.objects.create(return_request=request, order_line=order.lines.first(), quantity=1)
    PolicyDefaults.current()
    Store.current()
    return request


def test_every_model_of_the_store_is_registered():
    from apps.catalog import models as catalog
    from apps.knowledge import models as knowledge
    from apps.orders import models as orders

    expected = {
        m
        for module in (catalog, knowledge, orders)
        for m in vars(module).values()
        if isinstance(m, type) and hasattr(m, "_meta") and m._meta.app_label in APPS and not m._meta.abstract
    }
    assert expected <= set(admin.site._registry)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_and_change_page_render(
    model, admin_client, return_request, django_assert_max_num_queries
):
    # when: the list, with a bounded number of queries whatever the page size (no N+1)
    with django_assert_max_num_queries(25):
        response = admin_client.get(_url(model, "changelist"))
    # then
    assert response.status_code == 200
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"no {model._meta.label} in the demo data"
    with django_assert_max_num_queries(30):
        response = admin_client.get(_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert admin_client.get(_url(model, "changelist"), {"q": "a"}).status_code == 200


def test_filters_and_tracking_search(admin_client, demo_store):
    shipment = Shipment.objects.exclude(tracking_numbers=[]).select_related("order").first()
    number = shipment.tracking_numbers[0]
    # when an agent pastes a tracking number into the order search
    response = admin_client.get(_url(Order, "changelist"), {"q": number.lower()})
    # then exactly that order is listed
    assert response.status_code == 200
    assert [o.pk for o in response.context["cl"].result_list] == [shipment.order.pk]

    response = admin_client.get(_url(Variant, "changelist"), {"stock_status": "sold_out"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == Variant.objects.filter(stock=0).count() > 0
    for params in ({"status__exact": "delivered", "delivered_ago": "over30"}, {"shipments__carrier": "UPS"}):
        assert admin_client.get(_url(Order, "changelist"), params).status_code == 200
    assert admin_client.get(_url(Product, "changelist"), {"brand": "Trailcraft"}).status_code == 200


def test_add_pages_render(admin_client, demo_store):
    for model in (Product, Variant, Order, Policy):
        assert admin_client.get(_url(model, "add")).status_code == 200


def test_variant_stock_is_editable_in_the_list(admin_client, demo_store):
    # given
    variant = Variant.objects.filter(stock=0, available=True).first()
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(variant.pk),
        "form-0-stock": "42",
        "form-0-available": "on",
        "_save": "Save",
    }
    # when
    response = admin_client.post(_url(Variant, "changelist"), data)
    # then
    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.stock == 42
    assert variant.in_stock


def test_export_action_downloads_the_whole_store(admin_client, demo_store):
    products = list(Product.objects.values_list("pk", flat=True)[:2])
    response = admin_client.post(
        _url(Product, "changelist"), {"action": "export_store_bundle", "_selected_action": products}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    bundle = json.loads(response.content)
    assert bundle["format"] == "supportbot.store-bundle"
    assert len(bundle["products"]) == Product.objects.count()  # the whole store, not the selection
    assert len(bundle["orders"]) == Order.objects.count()


def test_export_button_on_order_list(admin_client, demo_store):
    url = reverse("admin:orders_order_export_bundle")
    assert url.encode() in admin_client.get(_url(Order, "changelist")).content
    response = admin_client.get(url)
    assert response.status_code == 200
    assert len(json.loads(response.content)["customers"]) > 0


def test_order_status_change_rejects_an_invalid_transition(admin_client, demo_store):
    # given a delivered order
    order = Order.objects.filter(status="delivered").first()
    page = admin_client.get(_url(Order, "change", order.pk))
    # when the admin sets it back to pending
    response = admin_client.post(_url(Order, "change", order.pk), change_form_data(page, status="pending"))
    # then the form shows why and nothing changed
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "status" in errors
    assert "Cannot change the status" in errors["status"][0]
    assert "Return Requested" in errors["status"][0]  # what it may move to instead
    order.refresh_from_db()
    assert order.status == "delivered"


def test_order_status_change_goes_through_the_transition_service(admin_client, demo_store):
    # given a shipped order, not delivered yet
    order = Order.objects.filter(status="shipped", delivered_at__isnull=True).first()
    page = admin_client.get(_url(Order, "change", order.pk))
    # when the admin marks it delivered
    response = admin_client.post(_url(Order, "change", order.pk), change_form_data(page, status="delivered"))
    # then: saved, and the service stamped the delivery time the return window counts from
    assert response.status_code == 302, response.context["adminform"].form.errors
    order.refresh_from_db()
    assert order.status == "delivered"
    assert order.delivered_at is not None


def test_order_edit_without_status_change_saves(admin_client, demo_store):
    order = Order.objects.filter(status="pending").first()
    page = admin_client.get(_url(Order, "change", order.pk))
    line = order.lines.first()
    data = change_form_data(page)
    prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(line.pk))[: -len("-id")]
    data[f"{prefix}-quantity"] = "3"
    response = admin_client.post(_url(Order, "change", order.pk), data)
    assert response.status_code == 302
    assert OrderLine.objects.get(pk=line.pk).quantity == 3


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ('{"return_window_days": "thirty"}', "whole number of days"),
        ('{"return_window_days": true}', "whole number of days"),
        ('{"restocking_fee": 5}', "Unknown rule “restocking_fee”"),
        ('{"final_sale_categories": "socks"}', "list of category names"),
        ('{"return_shipping_paid_by": "nobody"}', "“store” or “customer”"),
        ('["return_window_days"]', "JSON object"),
        ('{"return_window_days": 14}', "already set by the policy “Returns”"),
        ("{not json", "Enter a valid JSON"),
    ],
)
def test_policy_rules_are_validated(admin_client, demo_store, rules, message):
    policy = Policy.objects.get(external_id="warranty")
    page = admin_client.get(_url(Policy, "change", policy.pk))
    response = admin_client.post(_url(Policy, "change", policy.pk), change_form_data(page, rules=rules))
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors.get("rules", []))
    assert message in errors
    policy.refresh_from_db()
    assert policy.rules == {}


def test_policy_rules_valid_change_saves(admin_client, demo_store):
    policy = Policy.objects.get(external_id="returns")
    page = admin_client.get(_url(Policy, "change", policy.pk))
    rules = '{"return_window_days": 45, "final_sale_categories": ["underwear"]}'
    response = admin_client.post(_url(Policy, "change", policy.pk), change_form_data(page, rules=rules))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.rules == {"return_window_days": 45, "final_sale_categories": ["underwear"]}


@pytest.mark.parametrize("model", [Store, PolicyDefaults])
def test_singletons_cannot_be_added_twice_or_deleted(admin_client, return_request, model):
    obj = model.objects.get()
    assert admin_client.get(_url(model, "add")).status_code == 403
    assert admin_client.get(_url(model, "delete", obj.pk)).status_code == 403
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200
