"""Policy rules: merged over all policies, platform defaults for what no policy says."""

from __future__ import annotations

import pytest

from apps.knowledge.models import PolicyDefaults
from apps.knowledge.selectors import (
    faq_list,
    policy_for_rule,
    policy_get,
    policy_rule_sources,
    policy_rules,
)
from tests.factories import FAQFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def test_defaults_without_any_policy_and_without_defaults_row():
    assert policy_rules() == {
        "return_window_days": 30,
        "exchange_window_days": 30,
        "final_sale_categories": [],
        "return_shipping_paid_by": "store",
    }
    # a selector never writes
    assert not PolicyDefaults.objects.exists()


def test_admin_edited_defaults_apply():
    PolicyDefaults.objects.create(pk=1, return_window_days=14, final_sale_categories=["Swimwear"])
    rules = policy_rules()
    assert rules["return_window_days"] == 14
    assert rules["final_sale_categories"] == ["Swimwear"]
    assert rules["exchange_window_days"] == 30


def test_rules_of_several_policies_merge():
    # given returns and exchanges described in two policies
    PolicyFactory(
        external_id="returns", rules={"return_window_days": 60, "final_sale_categories": ["underwear"]}
    )
    PolicyFactory(external_id="exchanges", rules={"exchange_window_days": 90})
    PolicyFactory(external_id="shipping", rules={})
    # when / then
    assert policy_rules() == {
        "return_window_days": 60,
        "exchange_window_days": 90,
        "final_sale_categories": ["underwear"],
        "return_shipping_paid_by": "store",
    }
    assert policy_rule_sources() == {
        "return_window_days": "returns",
        "final_sale_categories": "returns",
        "exchange_window_days": "exchanges",
        "return_shipping_paid_by": "defaults",
    }


def test_duplicate_key_is_deterministic_first_policy_wins():
    PolicyFactory(external_id="b-policy", rules={"return_window_days": 10})
    PolicyFactory(external_id="a-policy", rules={"return_window_days": 20})
    assert policy_rules()["return_window_days"] == 20


@pytest.mark.parametrize(
    ("raw", "key", "expected"),
    [
        ("45", "return_window_days", 45),
        (-3, "return_window_days", 30),  # unusable -> default
        (True, "return_window_days", 30),
        ("soon", "return_window_days", 30),
        (None, "return_window_days", 30),
        ("Customer", "return_shipping_paid_by", "customer"),
        ("the moon", "return_shipping_paid_by", "store"),
        ("underwear", "final_sale_categories", ["underwear"]),
        (["swimwear", " ", "gift cards"], "final_sale_categories", ["swimwear", "gift cards"]),
        (42, "final_sale_categories", []),
    ],
)
def test_rule_values_coerced_or_defaulted(raw, key, expected):
    PolicyFactory(external_id="p", rules={key: raw})
    assert policy_rules()[key] == expected


def test_unknown_keys_kept_and_non_dict_rules_ignored():
    PolicyFactory(external_id="a", rules={"restocking_fee_percent": 10})
    PolicyFactory(external_id="b", rules=["not", "a", "dict"])
    rules = policy_rules()
    assert rules["restocking_fee_percent"] == 10
    assert rules["return_window_days"] == 30


def test_policy_for_rule_points_to_the_citable_policy():
    returns = PolicyFactory(external_id="returns", rules={"return_window_days": 60})
    assert policy_for_rule(key="return_window_days") == returns
    assert policy_for_rule(key="exchange_window_days") is None
    assert policy_get(external_id="returns") == returns
    assert policy_get(external_id="nope") is None


def test_faq_list_hides_drafts():
    published = FAQFactory()
    FAQFactory(is_published=False)
    assert faq_list() == [published]
    assert len(faq_list(published_only=False)) == 2
