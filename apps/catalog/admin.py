"""Django admin for the catalog: the store admin's home for products, variants and stock."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from apps.catalog.models import Product, Store, Variant

# Free-form JSON (options, attributes) is short: a compact textarea keeps inlines readable.
COMPACT_JSON = {models.JSONField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}


# --- store bundle export (shared with the orders admin) -------------------------------------------


def bundle_export_response() -> HttpResponse:
    """The whole store as a downloadable bundle (the same bytes as ``manage.py export_store``)."""
    # Imported here: the catalog admin must load even while the bundles app is being migrated.
    from apps.bundles.selectors import bundle_dumps, bundle_export

    body = bundle_dumps(bundle_export())
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"store-bundle-{timezone.now():%Y%m%d-%H%M%S}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class BundleExportMixin:
    """An "Export store bundle" action and changelist button.

    The export holds every customer's personal data, so only users who may change the catalog,
    orders and customers (store admins, not support agents) may download it.
    """

    change_list_template = "admin/bundle_export_change_list.html"
    admin_site: admin.AdminSite
    model: type[models.Model]

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perms(
            ["catalog.change_product", "orders.change_order", "orders.change_customer"]
        )

    @admin.action(description="Export store bundle (the whole store, as JSON)", permissions=["export"])
    def export_store_bundle(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse:
        return bundle_export_response()

    def _export_url_name(self) -> str:
        meta = self.model._meta
        return f"{meta.app_label}_{meta.model_name}_export_bundle"

    def export_bundle_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_export_permission(request):
            raise PermissionDenied
        return bundle_export_response()

    def get_urls(self) -> list[URLPattern]:
        urls = super().get_urls()  # type: ignore[misc]
        view = self.admin_site.admin_view(self.export_bundle_view)
        return [path("export-bundle/", view, name=self._export_url_name()), *urls]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        extra_context = dict(extra_context or {})
        if self.has_export_permission(request):
            extra_context["bundle_export_url"] = reverse(f"admin:{self._export_url_name()}")
        return super().changelist_view(request, extra_context)  # type: ignore[misc]


class SingletonAdminMixin:
    """For one-row tables (pk=1): no second row, and the one row cannot be deleted."""

    model: type[models.Model]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self.model._default_manager.exists() and super().has_add_permission(request)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.pk = 1  # the code reads the row with pk=1 (``current()``)
        super().save_model(request, obj, form, change)  # type: ignore[misc]


# --- catalog ---------------------------------------------------------------------------------------


@admin.register(Store)
class StoreAdmin(SingletonAdminMixin, admin.ModelAdmin):
    list_display = ("name", "currency", "locale", "timezone")
    fields = ("name", "currency", "locale", "timezone", "extra", "bundle_extra")
    readonly_fields = ("extra", "bundle_extra")


class VariantInline(admin.TabularInline):
    model = Variant
    fields = ("external_id", "sku", "options", "price", "stock", "available")
    extra = 0
    show_change_link = True
    formfield_overrides = COMPACT_JSON

    def get_queryset(self, request: HttpRequest) -> QuerySet[Variant]:
        # Each inline row is labelled with str(variant), which names the product.
        return super().get_queryset(request).select_related("product")


class BrandFilter(admin.SimpleListFilter):
    title = "brand"
    parameter_name = "brand"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        brands = (
            Product.objects.exclude(attributes__brand=None)
            .values_list("attributes__brand", flat=True)
            .order_by()
            .distinct()
        )
        return [(str(b), str(b)) for b in sorted({str(b) for b in brands if b})]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> QuerySet[Product]:
        if self.value():
            return queryset.filter(attributes__brand=self.value())
        return queryset


@admin.register(Product)
class ProductAdmin(BundleExportMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "external_id",
        "category",
        "brand",
        "variant_count",
        "stock_total",
        "sold_out_count",
        "updated_at",
    )
    list_filter = ("category", BrandFilter)
    search_fields = ("name", "external_id", "category", "description", "variants__sku")
    date_hierarchy = "updated_at"
    readonly_fields = ("updated_at", "extra")
    fieldsets = (
        (None, {"fields": ("external_id", "name", "category", "description")}),
        ("Details", {"fields": ("attributes", "size_chart")}),
        ("Imported extras", {"classes": ("collapse",), "fields": ("extra", "updated_at")}),
    )
    inlines = (VariantInline,)
    actions = ("export_store_bundle",)
    formfield_overrides = COMPACT_JSON
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        # One query for the list: variant counts and stock as aggregates, not per row.
        return (
            super()
            .get_queryset(request)
            .annotate(
                variant_count=Count("variants"),
                stock_total=Sum("variants__stock"),
                sold_out_count=Count("variants", filter=Q(variants__stock=0) | Q(variants__available=False)),
            )
        )

    @admin.display(description="brand")
    def brand(self, obj: Product) -> str:
        return str((obj.attributes or {}).get("brand", ""))

    @admin.display(description="variants", ordering="variant_count")
    def variant_count(self, obj: Product) -> int:
        return obj.variant_count  # type: ignore[attr-defined]

    @admin.display(description="stock", ordering="stock_total")
    def stock_total(self, obj: Product) -> int | None:
        return obj.stock_total  # type: ignore[attr-defined]

    @admin.display(description="sold out / unavailable", ordering="sold_out_count")
    def sold_out_count(self, obj: Product) -> int:
        return obj.sold_out_count  # type: ignore[attr-defined]


class StockStatusFilter(admin.SimpleListFilter):
    title = "stock status"
    parameter_name = "stock_status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("in_stock", "In stock"),
            ("sold_out", "Sold out (stock 0)"),
            ("low", "Low (1-3)"),
            ("unavailable", "Unavailable"),
            ("untracked", "Stock not tracked"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Variant]) -> QuerySet[Variant]:
        value = self.value()
        if value == "in_stock":
            return queryset.filter(Q(stock__isnull=True) | Q(stock__gt=0), available=True)
        if value == "sold_out":
            return queryset.filter(stock=0)
        if value == "low":
            return queryset.filter(stock__gte=1, stock__lte=3)
        if value == "unavailable":
            return queryset.filter(available=False)
        if value == "untracked":
            return queryset.filter(stock__isnull=True)
        return queryset


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = (
        "external_id",
        "product",
        "sku",
        "size",
        "color",
        "price",
        "stock",
        "available",
        "in_stock",
    )
    # Stock is the field store admins touch most: edit it straight in the list.
    list_editable = ("stock", "available")
    list_filter = (StockStatusFilter, "available", "product__category", "color")
    search_fields = ("sku", "external_id", "product__name", "size", "color")
    list_select_related = ("product",)
    autocomplete_fields = ("product",)
    # size and color are copies of options["size"] / options["color"], kept in step on save.
    readonly_fields = ("size", "color", "extra")
    fields = (
        "product",
        "external_id",
        "sku",
        "options",
        "size",
        "color",
        "price",
        "stock",
        "available",
        "extra",
    )
    ordering = ("product__name", "color", "size")
    formfield_overrides = COMPACT_JSON
    list_per_page = 100

    @admin.display(description="in stock", boolean=True)
    def in_stock(self, obj: Variant) -> bool:
        return obj.in_stock
