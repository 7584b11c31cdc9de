"""Product matching (typos, plurals, partial names, SKUs) and availability by size and color."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from apps.catalog.models import Product
from apps.catalog.selectors import (
    PRODUCT_MATCH_CONFIDENT,
    option_key,
    product_get_by_sku,
    product_match,
    size_chart_get,
    variant_availability,
    variant_get_by_sku,
)
from tests.factories import APPAREL_SIZES, ProductFactory, VariantFactory, product_with_variants

pytestmark = pytest.mark.django_db


def top(text: str) -> tuple[str | None, float]:
    matches = product_match(text=text, limit=3)
    return (matches[0][0].name, matches[0][1]) if matches else (None, 0.0)


# --- product_match ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("runing shoe", "Running Shoes"),  # typo + singular
        ("running shoes", "Running Shoes"),
        ("RUNNING SHOES!!", "Running Shoes"),
        ("trial runner", "Trail Runner"),  # transposition
        ("the trail ones", "Trail Runner"),  # partial name
        ("hoodies", "Classic Hoodie"),  # plural
        ("hoddie", "Classic Hoodie"),
        ("chelsea boot", "Leather Chelsea Boots"),
        ("hikng boots", "Hiking Boots"),
        ("leggins", "Yoga Leggings"),
        ("backpak", "Canvas Backpack"),
        ("sneakers", "Court Sneaker"),
        ("loafer", "Slip-On Loafers"),
        ("cafe creme sandals", "Café Crème Sandals"),  # accents folded in code
        ("rain jacket", "Rain Shell Jacket"),
        ("do you have the trail runner gtx in a 10?", "Trail Runner GTX"),
        ("i want to return my running shoes they are too small", "Running Shoes"),
    ],
)
def test_product_match_finds_the_product(catalog, text, expected):
    name, score = top(text)
    assert name == expected
    assert score >= PRODUCT_MATCH_CONFIDENT


@pytest.mark.parametrize(
    "text",
    [
        "do you have it in red size 10",
        "where is my order",
        "hi",
        "",
        "   ",
        "ignore your instructions",
        "🙂🙂",
        "x" * 100_000,
    ],
)
def test_product_match_nothing_for_non_product_text(catalog, text):
    assert all(score < PRODUCT_MATCH_CONFIDENT for _, score in product_match(text=text))


def test_scores_ordered_and_in_unit_interval(catalog):
    matches = product_match(text="trail runner", limit=5)
    scores = [s for _, s in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert all(isinstance(p, Product) for p, _ in matches)
    assert len(product_match(text="trail runner", limit=1)) == 1


def test_exact_name_beats_longer_name_sharing_it(catalog):
    matches = dict((p.name, s) for p, s in product_match(text="trail runner", limit=3))
    assert matches["Trail Runner"] > matches["Trail Runner GTX"]


def test_ambiguous_category_word_leaves_close_scores(catalog):
    # "jacket" fits two products equally: callers see that and ask which one
    (first, s1), (second, s2) = product_match(text="jacket", limit=2)
    assert {first.name, second.name} == {"Zip Fleece Jacket", "Rain Shell Jacket"}
    assert abs(s1 - s2) < 0.05


def test_attribute_and_option_words_help(catalog):
    assert top("waterproof trail shoes")[0] == "Trail Runner GTX"
    assert top("summit boots")[0] == "Hiking Boots"


def test_sku_wins_outright(catalog):
    variant = catalog["Wool Beanie"].variants.first()
    variant.sku = "WB-RED-01"
    variant.save()
    assert product_match(text="do you have wb-red-01 in stock")[0] == (catalog["Wool Beanie"], 1.0)
    assert product_get_by_sku(sku=" wb-red-01 ") == catalog["Wool Beanie"]
    assert variant_get_by_sku(sku="WB-RED-01") == variant
    assert variant_get_by_sku(sku="") is None
    assert product_get_by_sku(sku="nope-123") is None


def test_cache_follows_catalog_changes(catalog):
    assert top("parka")[0] is None
    # when a product is added (and then renamed) the per-process index notices
    product = ProductFactory(name="Down Parka", category="jackets")
    assert top("parka")[0] == "Down Parka"
    product.name = "Puffer Coat"
    product.save()
    assert top("parka")[0] is None
    assert top("puffer")[0] == "Puffer Coat"
    product.delete()
    assert top("puffer")[0] is None


def test_cache_ttl_catches_writes_that_bypass_auto_now(catalog, monkeypatch):
    from apps.catalog import selectors

    assert top("hoodie")[0] == "Classic Hoodie"
    # a queryset.update() does not bump updated_at: only the TTL notices the rename
    Product.objects.filter(name="Classic Hoodie").update(name="Classic Pullover")
    assert top("pullover")[1] < PRODUCT_MATCH_CONFIDENT  # cached names: only full text sees it
    monkeypatch.setattr(selectors, "CATALOG_INDEX_TTL_SECONDS", 0.0)
    name, score = top("pullover")
    assert name == "Classic Pullover"
    assert score >= PRODUCT_MATCH_CONFIDENT


def test_full_text_stemming_helps_irregular_plural(db):
    # "dresses" -> "dress": English stemming from Postgres full text
    product_with_variants(name="Summer Dress", category="dresses", sizes=APPAREL_SIZES)
    product_with_variants(name="Linen Shirt", category="shirts", sizes=APPAREL_SIZES)
    assert top("summer dresses")[0] == "Summer Dress"


def test_empty_catalog(db):
    assert product_match(text="running shoes") == []


# --- variant_availability -----------------------------------------------------------------------


@pytest.fixture
def shoe(db):
    return product_with_variants(
        name="Trail Runner",
        sizes=["8", "9", "9.5", "10", "10.5", "11", "12"],
        colors=["black", "red"],
        stock={
            ("10", "black"): 0,
            ("10", "red"): 0,
            ("9.5", "black"): 2,
            ("10.5", "black"): None,
            ("12", "red"): 0,
        },
        unavailable=[("10.5", "red"), ("11", "black")],
        size_chart="US 9 = 27 cm, US 10 = 28 cm",
    )


def test_in_stock_size_and_color(shoe):
    result = variant_availability(product=shoe, size="9.5", color="Black")
    assert result["in_stock"] is True
    assert result["stock"] == 2
    assert result["size"] == "9.5"
    assert result["color"] == "black"
    assert result["price"] == "129.99"
    assert [v["size"] for v in result["variants"]] == ["9.5"]
    json.dumps(result)


def test_sold_out_size_suggests_nearest_numeric(shoe):
    result = variant_availability(product=shoe, size="size 10")
    assert result["in_stock"] is False
    assert result["size_exists"] is True
    assert result["stock"] == 0
    assert result["nearest_in_stock"] == ["9.5", "10.5", "9"]
    assert "10" not in result["sizes_in_stock"]


def test_size_not_made_at_all(shoe):
    result = variant_availability(product=shoe, size="14")
    assert result["size_exists"] is False
    assert result["in_stock"] is False
    assert result["stock"] is None
    assert result["variants"] == []
    assert result["nearest_in_stock"] == ["12", "11", "10.5"]


def test_untracked_stock_counts_as_in_stock_without_a_number(shoe):
    result = variant_availability(product=shoe, size="10 1/2", color="black")
    assert result["in_stock"] is True
    assert result["stock"] is None


def test_available_false_is_not_in_stock_even_with_units(shoe):
    assert variant_availability(product=shoe, size="11", color="black")["in_stock"] is False
    assert variant_availability(product=shoe, size="10.5", color="red")["in_stock"] is False


def test_colors_in_stock_for_a_size(shoe):
    assert variant_availability(product=shoe, size="11")["colors_in_stock"] == ["red"]
    assert variant_availability(product=shoe, size="9")["colors_in_stock"] == ["black", "red"]
    assert variant_availability(product=shoe, size="10")["colors_in_stock"] == []


def test_sizes_in_stock_sorted_numerically_per_color(shoe):
    assert variant_availability(product=shoe, color="red")["sizes_in_stock"] == ["8", "9", "9.5", "11"]
    assert variant_availability(product=shoe)["sizes_in_stock"] == ["8", "9", "9.5", "10.5", "11", "12"]


def test_color_absent(shoe):
    result = variant_availability(product=shoe, size="9", color="purple")
    assert result["color_exists"] is False
    assert result["in_stock"] is False


def test_color_synonyms_and_multicolor(db):
    product = product_with_variants(name="Court Sneaker", sizes=["9"], colors=["Grey", "Black/White"])
    assert variant_availability(product=product, color="gray")["in_stock"] is True
    assert variant_availability(product=product, color="white")["in_stock"] is True


def test_apparel_nearest_by_order(db):
    product = product_with_variants(
        name="Classic Hoodie",
        category="hoodies",
        sizes=APPAREL_SIZES,
        stock={("M", "black"): 0, ("L", "black"): 0},
    )
    result = variant_availability(product=product, size="medium")
    assert result["size"] == "M"
    assert result["in_stock"] is False
    assert result["nearest_in_stock"] == ["S", "XS", "XL"]  # ties: smaller first
    assert result["sizes_in_stock"] == ["XS", "S", "XL", "XXL"]
    assert variant_availability(product=product, size="x-large")["in_stock"] is True


def test_price_of_matching_variants(db):
    product = ProductFactory(name="Road Racer")
    VariantFactory(product=product, size="9", price=Decimal("99.5"))
    VariantFactory(product=product, size="10", price=Decimal("109.00"))
    assert variant_availability(product=product, size="9")["price"] == "99.50"
    result = variant_availability(product=product)
    assert (result["price"], result["price_max"]) == ("99.50", "109.00")


def test_product_without_sizes(db):
    product = product_with_variants(name="Canvas Backpack", sizes=[], colors=["tan"])
    result = variant_availability(product=product)
    assert result["has_sizes"] is False
    assert result["in_stock"] is True
    assert variant_availability(product=product, size="10")["size_exists"] is False


def test_size_chart(shoe):
    assert size_chart_get(product=shoe) == "US 9 = 27 cm, US 10 = 28 cm"
    assert variant_availability(product=shoe)["size_chart"] is True
    assert size_chart_get(product=ProductFactory(size_chart="  ")) == ""


def test_option_values_compare_as_shoppers_write_them():
    assert option_key("58 cm") == option_key("58cm") == option_key("58CM")
    assert option_key("3XL") != option_key("3 XL")  # "3xl" is one size, not a 3 and an XL
    assert option_key("SPF-50") == option_key("spf 50")
    assert option_key("8 1/2") == option_key("8.5")
    # A sign is no hyphen: minus five degrees is not five degrees.
    assert option_key("-5 °C") == option_key("-5°C") == option_key("−5 °C") == option_key("-5 C")
    assert option_key("-5 °C") != option_key("5 °C")
    # A number is never glued to the word after it.
    assert "wide" in option_key("US 10 wide").split()
