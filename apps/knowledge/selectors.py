"""Reads over FAQs and policies; the machine-readable policy rules the assistant computes with."""

from __future__ import annotations

import logging
from typing import Any

from apps.knowledge.models import FAQ, Policy, PolicyDefaults

logger = logging.getLogger(__name__)

RULE_KEYS = (
    "return_window_days",
    "exchange_window_days",
    "final_sale_categories",
    "return_shipping_paid_by",
)
_DEFAULTS = {
    "return_window_days": 30,
    "exchange_window_days": 30,
    "final_sale_categories": [],
    "return_shipping_paid_by": Policy.ShippingPayer.STORE.value,
}


def _defaults() -> dict[str, Any]:
    # A selector must not write: read the admin-edited row if present, else the documented defaults.
    row = PolicyDefaults.objects.filter(pk=1).first()
    if row is None:
        return {key: list(v) if isinstance(v, list) else v for key, v in _DEFAULTS.items()}
    return {
        "return_window_days": row.return_window_days,
        "exchange_window_days": row.exchange_window_days,
        "final_sale_categories": list(row.final_sale_categories or []),
        "return_shipping_paid_by": row.return_shipping_paid_by,
    }


def _clean(key: str, value: Any) -> Any:
    """The value in the type the assistant computes with, or None when it is unusable."""
    if key in ("return_window_days", "exchange_window_days"):
        if isinstance(value, bool):
            return None
        try:
            days = int(value)
        except (TypeError, ValueError):
            return None
        return days if days >= 0 else None
    if key == "final_sale_categories":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            return None
        return [str(item).strip() for item in value if str(item).strip()]
    if key == "return_shipping_paid_by":
        text = str(value or "").strip().lower()
        return text if text in Policy.ShippingPayer.values else None
    return value


def _merged() -> tuple[dict[str, Any], dict[str, str]]:
    rules: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for policy in Policy.objects.order_by("external_id").only("external_id", "rules"):
        if not isinstance(policy.rules, dict):
            continue
        for key, raw in policy.rules.items():
            value = _clean(key, raw)
            if value is None or raw in (None, ""):
                continue
            if key in rules:
                # The importer rejects this; data edited in admin may still have it. Be deterministic.
                logger.warning(
                    "policy rule %r given by both %s and %s; using %s",
                    key,
                    sources[key],
                    policy.external_id,
                    sources[key],
                )
                continue
            rules[key] = value
            sources[key] = policy.external_id
    for key, value in _defaults().items():
        if key not in rules:
            rules[key] = value
            sources[key] = "defaults"
    return rules, sources


def policy_rules() -> dict[str, Any]:
    """Rules of all policies merged, with the platform defaults for any key no policy gives."""
    return _merged()[0]


def policy_rule_sources() -> dict[str, str]:
    """For each rule key, the external_id of the policy that gives it ("defaults" otherwise)."""
    return _merged()[1]


def policy_for_rule(*, key: str) -> Policy | None:
    """The policy to cite for one rule (None when the platform default applies)."""
    source = policy_rule_sources().get(key)
    if not source or source == "defaults":
        return None
    return Policy.objects.filter(external_id=source).first()


def policy_get(*, external_id: str) -> Policy | None:
    return Policy.objects.filter(external_id=external_id).first()


def faq_list(*, published_only: bool = True) -> list[FAQ]:
    qs = FAQ.objects.all()
    if published_only:
        qs = qs.filter(is_published=True)
    return list(qs)
