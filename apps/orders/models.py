"""Orders: customers, orders and what happened to them (lines, shipments, payments, returns)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from apps.catalog.models import MONEY, Variant


class Customer(models.Model):
    external_id = models.CharField(max_length=200, unique=True)
    email = models.EmailField(max_length=320)
    first_name = models.CharField(max_length=150, blank=True, default="")
    last_name = models.CharField(max_length=150, blank=True, default="")
    phone = models.CharField(max_length=50, blank=True, default="")
    address = models.JSONField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["external_id"]
        indexes = [models.Index(Lower("email"), name="customer_email_lower")]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} <{self.email}>" if name else self.email


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        PROCESSED = "processed"
        SHIPPED = "shipped"
        DELIVERED = "delivered"
        CANCELLED = "cancelled"
        RETURN_REQUESTED = "return_requested"
        RETURNED = "returned"
        PARTIALLY_RETURNED = "partially_returned"

    external_id = models.CharField(max_length=200, unique=True)
    customer = models.ForeignKey(Customer, related_name="orders", on_delete=models.PROTECT)
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    placed_at = models.DateTimeField(db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    shipping_address = models.JSONField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_at"]

    def __str__(self) -> str:
        return self.external_id


class OrderLine(models.Model):
    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)
    position = models.PositiveIntegerField(default=0)
    variant = models.ForeignKey(Variant, related_name="order_lines", on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**MONEY)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order_id", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orderline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orderline_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant}"


class Shipment(models.Model):
    order = models.ForeignKey(Order, related_name="shipments", on_delete=models.CASCADE)
    position = models.PositiveIntegerField(default=0)
    carrier = models.CharField(max_length=100, blank=True, default="")
    tracking_numbers = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    variants = models.ManyToManyField(Variant, blank=True, related_name="shipments")
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order_id", "position"]

    def __str__(self) -> str:
        return f"{self.carrier} {', '.join(self.tracking_numbers)}".strip()


class Payment(models.Model):
    class Kind(models.TextChoices):
        PAYMENT = "payment"
        REFUND = "refund"

    order = models.ForeignKey(Order, related_name="payments", on_delete=models.CASCADE)
    position = models.PositiveIntegerField(default=0)
    method = models.CharField(max_length=50, blank=True, default="")
    amount = models.DecimalField(**MONEY)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order_id", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.method})"


class ReturnRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested"
        APPROVED = "approved"
        RECEIVED = "received"
        REFUNDED = "refunded"
        REJECTED = "rejected"

    class RefundMethod(models.TextChoices):
        ORIGINAL_PAYMENT = "original_payment"
        STORE_CREDIT = "store_credit"
        EXCHANGE = "exchange"

    order = models.ForeignKey(Order, related_name="return_requests", on_delete=models.CASCADE)
    reason = models.TextField(blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    refund_method = models.CharField(
        max_length=20, choices=RefundMethod.choices, default=RefundMethod.ORIGINAL_PAYMENT
    )
    # For an exchange: the variant the shopper gets instead.
    exchange_variant = models.ForeignKey(
        Variant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Return for {self.order} ({self.status})"


class ReturnRequestLine(models.Model):
    return_request = models.ForeignKey(ReturnRequest, related_name="lines", on_delete=models.CASCADE)
    order_line = models.ForeignKey(OrderLine, related_name="return_lines", on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="returnline_quantity_positive"),
        ]
