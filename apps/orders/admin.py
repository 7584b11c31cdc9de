"""Django admin for customers and orders: lines, shipments, payments and returns inline.

An order's status is never written directly: a change made here goes through
``apps.orders.services.order_transition``, so the admin obeys the same rules as the assistant.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone

from apps.catalog.admin import COMPACT_JSON, BundleExportMixin
from apps.catalog.models import Variant
from apps.orders.models import (
    Customer,
    Order,
    OrderLine,
    Payment,
    ReturnRequest,
    ReturnRequestLine,
    Shipment,
)
from apps.orders.services import ALLOWED_TRANSITIONS, InvalidTransition, order_transition


class _DryRun(Exception):
    """Raised to roll back a trial transition."""


def _status_label(value: str) -> str:
    try:
        return str(Order.Status(value).label)
    except ValueError:
        return value


class OrderAdminForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = ("external_id", "customer", "status", "placed_at", "delivered_at", "shipping_address")

    def clean_status(self) -> str:
        to = self.cleaned_data["status"]
        if self.instance.pk is None:
            return to  # a new order starts where the admin says, as an imported one does
        current = Order.objects.filter(pk=self.instance.pk).values_list("status", flat=True).first()
        if current is None or to == current:
            return to
        # Ask the service itself (not a copy of its rules): run the transition in a savepoint and
        # roll it back. It locks the order's row, which the admin's request transaction keeps until
        # save_model performs the transition for real, so the answer cannot go stale in between.
        try:
            with transaction.atomic():
                order_transition(order=Order(pk=self.instance.pk, status=current), to=to)
                raise _DryRun
        except _DryRun:
            return to
        except InvalidTransition as exc:
            allowed = sorted(_status_label(s) for s in ALLOWED_TRANSITIONS.get(current, ()))
            hint = (
                f" From “{_status_label(current)}” it can move to: {', '.join(allowed)}."
                if allowed
                else (f" “{_status_label(current)}” is final.")
            )
            raise ValidationError(
                f"Cannot change the status from “{_status_label(current)}” to “{_status_label(to)}”.{hint}",
                code="invalid_transition",
            ) from exc


# --- inlines ---------------------------------------------------------------------------------------


class VariantChoiceMixin:
    """Variant choices with their product in one query (their labels name the product)."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Variant:
            kwargs["queryset"] = Variant.objects.select_related("product")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Variant:
            kwargs["queryset"] = Variant.objects.select_related("product")
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class OrderLineInline(VariantChoiceMixin, admin.TabularInline):
    model = OrderLine
    fields = ("position", "variant", "quantity", "unit_price")
    autocomplete_fields = ("variant",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderLine]:
        return super().get_queryset(request).select_related("variant__product")


class ShipmentInline(VariantChoiceMixin, admin.TabularInline):
    model = Shipment
    fields = ("position", "carrier", "tracking_numbers", "variants", "shipped_at", "delivered_at")
    autocomplete_fields = ("variants",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Shipment]:
        return super().get_queryset(request).prefetch_related("variants__product")


class PaymentInline(admin.TabularInline):
    model = Payment
    fields = ("position", "kind", "method", "amount")
    extra = 0


class ReturnRequestInline(VariantChoiceMixin, admin.TabularInline):
    model = ReturnRequest
    fields = ("status", "refund_method", "reason", "exchange_variant", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("exchange_variant",)
    show_change_link = True
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReturnRequest]:
        return super().get_queryset(request).select_related("exchange_variant__product")


class CustomerOrderInline(admin.TabularInline):
    """The customer's orders, read-only, linking to each order."""

    model = Order
    fields = ("external_id", "status", "placed_at", "delivered_at")
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0
    ordering = ("-placed_at",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- filters ---------------------------------------------------------------------------------------


class HasOrdersFilter(admin.SimpleListFilter):
    title = "orders"
    parameter_name = "has_orders"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Has orders"), ("no", "No orders")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Customer]) -> QuerySet[Customer]:
        if self.value() == "yes":
            return queryset.filter(orders__isnull=False).distinct()
        if self.value() == "no":
            return queryset.filter(orders__isnull=True)
        return queryset


class ReturnWindowFilter(admin.SimpleListFilter):
    """Delivered orders by whether the default 30-day window is still open (a quick triage view)."""

    title = "delivered"
    parameter_name = "delivered_ago"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("within30", "Within the last 30 days"),
            ("over30", "More than 30 days ago"),
            ("no", "Not yet"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        cutoff = timezone.now() - timedelta(days=30)
        if self.value() == "within30":
            return queryset.filter(delivered_at__gte=cutoff)
        if self.value() == "over30":
            return queryset.filter(delivered_at__lt=cutoff)
        if self.value() == "no":
            return queryset.filter(delivered_at__isnull=True)
        return queryset


# --- model admins ----------------------------------------------------------------------------------


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "full_name", "email", "phone", "city", "order_count")
    list_filter = (HasOrdersFilter,)
    search_fields = ("external_id", "email", "first_name", "last_name", "phone")
    readonly_fields = ("extra",)
    fields = ("external_id", "email", "first_name", "last_name", "phone", "address", "extra")
    inlines = (CustomerOrderInline,)
    formfield_overrides = COMPACT_JSON
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Customer]:
        return super().get_queryset(request).annotate(order_count=Count("orders"))

    @admin.display(description="name", ordering="last_name")
    def full_name(self, obj: Customer) -> str:
        return f"{obj.first_name} {obj.last_name}".strip()

    @admin.display(description="city")
    def city(self, obj: Customer) -> str:
        address = obj.address or {}
        return ", ".join(str(address[k]) for k in ("city", "state") if address.get(k))

    @admin.display(description="orders", ordering="order_count")
    def order_count(self, obj: Customer) -> int:
        return obj.order_count  # type: ignore[attr-defined]


_LINE_TOTAL = ExpressionWrapper(
    F("lines__quantity") * F("lines__unit_price"), output_field=DecimalField(max_digits=20, decimal_places=4)
)


@admin.register(Order)
class OrderAdmin(BundleExportMixin, admin.ModelAdmin):
    form = OrderAdminForm
    list_display = ("external_id", "customer", "status", "placed_at", "delivered_at", "item_count", "total")
    list_filter = ("status", ReturnWindowFilter, "shipments__carrier", "placed_at")
    search_fields = ("external_id", "customer__email", "customer__first_name", "customer__last_name")
    search_help_text = "Order number, customer email or name, or an exact tracking number."
    date_hierarchy = "placed_at"
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    readonly_fields = ("updated_at", "extra")
    fieldsets = (
        (None, {"fields": ("external_id", "customer", "status")}),
        ("Dates", {"fields": ("placed_at", "delivered_at", "updated_at")}),
        ("Shipping address", {"fields": ("shipping_address",)}),
        ("Imported extras", {"classes": ("collapse",), "fields": ("extra",)}),
    )
    inlines = (OrderLineInline, ShipmentInline, PaymentInline, ReturnRequestInline)
    actions = ("export_store_bundle",)
    formfield_overrides = COMPACT_JSON
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return (
            super()
            .get_queryset(request)
            .annotate(item_count=Sum("lines__quantity"), order_total=Sum(_LINE_TOTAL))
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Order], search_term: str
    ) -> tuple[QuerySet[Order], bool]:
        # Tracking numbers live in an array column: a term that is one of them finds its orders.
        tracking = search_term.strip().upper()
        if tracking and " " not in tracking:
            shipments = Shipment.objects.filter(tracking_numbers__contains=[tracking])
            if shipments.exists():
                return queryset.filter(pk__in=shipments.values("order_id")), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="items", ordering="item_count")
    def item_count(self, obj: Order) -> int:
        return obj.item_count or 0  # type: ignore[attr-defined]

    @admin.display(description="total", ordering="order_total")
    def total(self, obj: Order) -> str:
        value = obj.order_total  # type: ignore[attr-defined]
        return "" if value is None else f"{value:.2f}"

    def save_model(self, request: HttpRequest, obj: Order, form: forms.ModelForm, change: bool) -> None:
        if change and "status" in form.changed_data:
            # Save the other fields under the old status, then let the service move it (the form's
            # clean_status already checked, holding the row lock, that the move is allowed).
            to = obj.status
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            order_transition(order=obj, to=to)
            return
        super().save_model(request, obj, form, change)


@admin.register(OrderLine)
class OrderLineAdmin(VariantChoiceMixin, admin.ModelAdmin):
    list_display = ("order", "position", "variant", "quantity", "unit_price")
    search_fields = ("order__external_id", "variant__sku", "variant__product__name")
    list_select_related = ("order", "variant__product")
    autocomplete_fields = ("order", "variant")
    readonly_fields = ("extra",)
    list_filter = ("variant__product__category",)
    list_per_page = 100


@admin.register(Shipment)
class ShipmentAdmin(VariantChoiceMixin, admin.ModelAdmin):
    list_display = ("order", "carrier", "tracking", "shipped_at", "delivered_at")
    list_filter = ("carrier", "shipped_at", "delivered_at")
    search_fields = ("order__external_id", "carrier")
    date_hierarchy = "shipped_at"
    list_select_related = ("order",)
    autocomplete_fields = ("order", "variants")
    readonly_fields = ("extra",)
    list_per_page = 100

    @admin.display(description="tracking numbers")
    def tracking(self, obj: Shipment) -> str:
        return ", ".join(obj.tracking_numbers or [])

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Shipment], search_term: str
    ) -> tuple[QuerySet[Shipment], bool]:
        tracking = search_term.strip().upper()
        if tracking and " " not in tracking:
            by_tracking = queryset.filter(tracking_numbers__contains=[tracking])
            if by_tracking.exists():
                return by_tracking, False
        return super().get_search_results(request, queryset, search_term)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("order", "kind", "method", "amount")
    list_filter = ("kind", "method")
    search_fields = ("order__external_id", "method")
    list_select_related = ("order",)
    autocomplete_fields = ("order",)
    readonly_fields = ("extra",)
    list_per_page = 100


class ReturnRequestLineInline(admin.TabularInline):
    model = ReturnRequestLine
    fields = ("order_line", "quantity")
    autocomplete_fields = ("order_line",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReturnRequestLine]:
        return super().get_queryset(request).select_related("order_line__variant__product")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "order_line":
            kwargs["queryset"] = OrderLine.objects.select_related("variant__product")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ReturnRequest)
class ReturnRequestAdmin(VariantChoiceMixin, admin.ModelAdmin):
    list_display = ("order", "status", "refund_method", "exchange_variant", "created_at")
    list_filter = ("status", "refund_method")
    search_fields = ("order__external_id", "order__customer__email", "reason")
    date_hierarchy = "created_at"
    list_select_related = ("order", "exchange_variant__product")
    autocomplete_fields = ("order", "exchange_variant")
    readonly_fields = ("created_at",)
    inlines = (ReturnRequestLineInline,)


@admin.register(ReturnRequestLine)
class ReturnRequestLineAdmin(admin.ModelAdmin):
    list_display = ("return_request", "order_line", "quantity")
    search_fields = ("return_request__order__external_id",)
    list_select_related = ("return_request__order", "order_line__variant__product")
    autocomplete_fields = ("return_request", "order_line")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "order_line":
            kwargs["queryset"] = OrderLine.objects.select_related("variant__product")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
