"""Knowledge: FAQs and policies (markdown body plus machine-readable rules)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models


class FAQ(models.Model):
    external_id = models.CharField(max_length=200, unique=True)
    question = models.TextField()
    answer = models.TextField()
    tags = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    # Draft FAQs (proposed from unanswered questions) are not searched until an admin approves.
    is_published = models.BooleanField(default=True)
    extra = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["external_id"]
        verbose_name = "FAQ"

    def __str__(self) -> str:
        return self.question


class Policy(models.Model):
    class ShippingPayer(models.TextChoices):
        STORE = "store"
        CUSTOMER = "customer"

    external_id = models.CharField(max_length=200, unique=True)
    title = models.CharField(max_length=300)
    body = models.TextField()
    # Known keys: return_window_days, exchange_window_days, final_sale_categories,
    # return_shipping_paid_by. Validated by the importer and by the admin form.
    rules = models.JSONField(default=dict, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["external_id"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.title


class PolicyDefaults(models.Model):
    """The platform's defaults for any rule no policy gives (a singleton row, pk=1)."""

    return_window_days = models.PositiveIntegerField(default=30)
    exchange_window_days = models.PositiveIntegerField(default=30)
    final_sale_categories = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    return_shipping_paid_by = models.CharField(
        max_length=10, choices=Policy.ShippingPayer.choices, default=Policy.ShippingPayer.STORE
    )

    class Meta:
        verbose_name = "policy defaults"
        verbose_name_plural = "policy defaults"

    def __str__(self) -> str:
        return "Policy defaults"

    @classmethod
    def current(cls) -> PolicyDefaults:
        defaults, _ = cls.objects.get_or_create(pk=1)
        return defaults
