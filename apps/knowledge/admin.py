"""Django admin for FAQs and policies, with a validated policy-rules editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.catalog.admin import SingletonAdminMixin
from apps.knowledge.models import FAQ, Policy, PolicyDefaults
from apps.knowledge.selectors import RULE_KEYS

RULES_HELP = (
    "A JSON object with any of: "
    '"return_window_days" (whole days, e.g. 30), "exchange_window_days" (whole days), '
    '"final_sale_categories" (a list of product categories, e.g. ["underwear", "socks"]), '
    '"return_shipping_paid_by" ("store" or "customer"). Each rule may be set by one policy only; '
    "rules no policy sets take the policy defaults."
)


def policy_rules_problems(*, rules: Any, exclude_pk: int | None = None) -> list[str]:
    """What is wrong with a policy's rules, in words a store admin can act on (empty when fine)."""
    if not isinstance(rules, dict):
        return ['Rules must be a JSON object such as {"return_window_days": 30}.']
    problems = []
    for key, value in rules.items():
        if key not in RULE_KEYS:
            problems.append(f"Unknown rule “{key}”. Allowed rules: {', '.join(RULE_KEYS)}.")
            continue
        if value is None:
            continue  # null means "not set here": the default applies
        if key in ("return_window_days", "exchange_window_days"):
            # bool is an int in Python; true/false are not a number of days.
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"“{key}” must be a whole number of days, 0 or more (got {value!r}).")
        elif key == "final_sale_categories":
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                problems.append(
                    f'“{key}” must be a list of category names, e.g. ["underwear"] (got {value!r}).'
                )
        elif key == "return_shipping_paid_by" and value not in Policy.ShippingPayer.values:
            problems.append(f"“{key}” must be “store” or “customer” (got {value!r}).")
    # Rules of all policies merge, so one key in two policies would be ambiguous.
    others = Policy.objects.exclude(pk=exclude_pk) if exclude_pk else Policy.objects.all()
    for key in sorted(k for k in rules if k in RULE_KEYS and rules[k] is not None):
        owner = others.filter(rules__has_key=key).exclude(**{f"rules__{key}": None}).first()
        if owner is not None:
            problems.append(
                f"“{key}” is already set by the policy “{owner.title}” ({owner.external_id}): "
                "a rule may come from one policy only. Remove it there first."
            )
    return problems


class PolicyAdminForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = ("external_id", "title", "body", "rules")
        help_texts = {"rules": RULES_HELP}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 18, "cols": 100}),
            "rules": forms.Textarea(attrs={"rows": 5, "cols": 80}),
        }

    def clean_rules(self) -> dict[str, Any]:
        rules = self.cleaned_data.get("rules")
        if rules in (None, ""):
            return {}
        problems = policy_rules_problems(rules=rules, exclude_pk=self.instance.pk)
        if problems:
            raise ValidationError(problems)
        return rules


class TagFilter(admin.SimpleListFilter):
    title = "tag"
    parameter_name = "tag"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        tags: set[str] = set()
        for row in FAQ.objects.order_by().values_list("tags", flat=True):
            tags.update(row or [])
        return [(t, t) for t in sorted(tags)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[FAQ]) -> QuerySet[FAQ]:
        if self.value():
            return queryset.filter(tags__contains=[self.value()])
        return queryset


@admin.register(FAQ)
class FAQAdmin(admin.ModelAdmin):
    list_display = ("question", "external_id", "tag_list", "is_published", "updated_at")
    list_filter = ("is_published", TagFilter)
    search_fields = ("question", "answer", "external_id")
    date_hierarchy = "updated_at"
    readonly_fields = ("updated_at", "extra")
    fields = ("external_id", "question", "answer", "tags", "is_published", "extra", "updated_at")
    actions = ("publish", "unpublish")

    @admin.display(description="tags")
    def tag_list(self, obj: FAQ) -> str:
        return ", ".join(obj.tags or [])

    @admin.action(description="Publish (the assistant may answer with them)")
    def publish(self, request: HttpRequest, queryset: QuerySet[FAQ]) -> None:
        # save() per row (not update()), so whatever reindexes on change sees each FAQ.
        for faq in queryset.filter(is_published=False):
            faq.is_published = True
            faq.save(update_fields=["is_published", "updated_at"])
        self.message_user(request, "Published.", messages.SUCCESS)

    @admin.action(description="Unpublish (hide from the assistant)")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[FAQ]) -> None:
        for faq in queryset.filter(is_published=True):
            faq.is_published = False
            faq.save(update_fields=["is_published", "updated_at"])
        self.message_user(request, "Unpublished.", messages.SUCCESS)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyAdminForm
    list_display = ("title", "external_id", "rule_summary", "updated_at")
    search_fields = ("title", "body", "external_id")
    date_hierarchy = "updated_at"
    readonly_fields = ("updated_at", "extra")

    def get_fields(self, request: HttpRequest, obj: Policy | None = None) -> list[str]:
        return ["external_id", "title", "body", "rules", "extra", "updated_at"]

    @admin.display(description="rules")
    def rule_summary(self, obj: Policy) -> str:
        return ", ".join(f"{k}={v}" for k, v in sorted((obj.rules or {}).items())) or "—"


@admin.register(PolicyDefaults)
class PolicyDefaultsAdmin(SingletonAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "return_window_days",
        "exchange_window_days",
        "final_sale_categories",
        "return_shipping_paid_by",
    )
