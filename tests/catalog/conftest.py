from __future__ import annotations

import pytest

from apps.catalog.selectors import product_match_cache_clear
from tests.factories import APPAREL_SIZES, SHOE_SIZES, product_with_variants

# A small store shaped like the demo one: several shoes, apparel, accessories; near-duplicate names.
CATALOG = [
    ("Running Shoes", "shoes", {"brand": "Stride"}, SHOE_SIZES, ["black", "red", "white"]),
    ("Trail Runner", "shoes", {"brand": "Summit"}, SHOE_SIZES, ["black", "olive"]),
    ("Trail Runner GTX", "shoes", {"brand": "Summit", "feature": "waterproof"}, SHOE_SIZES, ["black"]),
    ("Road Racer", "shoes", {"brand": "Stride"}, SHOE_SIZES, ["blue"]),
    ("Court Sneaker", "shoes", {"brand": "Baseline"}, SHOE_SIZES, ["white"]),
    ("Leather Chelsea Boots", "boots", {"brand": "Oakridge"}, SHOE_SIZES, ["brown", "black"]),
    ("Hiking Boots", "boots", {"brand": "Summit"}, SHOE_SIZES, ["brown"]),
    ("Slip-On Loafers", "shoes", {"brand": "Oakridge"}, SHOE_SIZES, ["navy"]),
    ("Classic Hoodie", "hoodies", {"brand": "Northwind"}, APPAREL_SIZES, ["gray", "black"]),
    ("Zip Fleece Jacket", "jackets", {"brand": "Northwind"}, APPAREL_SIZES, ["green"]),
    ("Rain Shell Jacket", "jackets", {"brand": "Summit"}, APPAREL_SIZES, ["yellow", "black"]),
    ("Everyday Tee", "t-shirts", {"brand": "Northwind"}, APPAREL_SIZES, ["white", "black"]),
    ("Merino Crew Socks", "socks", {"brand": "Woolly"}, ["S", "M", "L"], ["gray"]),
    ("Boxer Briefs 3-Pack", "underwear", {"brand": "Woolly"}, APPAREL_SIZES, ["black"]),
    ("Canvas Backpack", "bags", {"brand": "Northwind"}, [], ["tan"]),
    ("Yoga Leggings", "pants", {"brand": "Stride"}, APPAREL_SIZES, ["black", "plum"]),
    ("Wool Beanie", "hats", {"brand": "Woolly"}, [], ["red", "gray"]),
    ("Café Crème Sandals", "sandals", {"brand": "Riviera"}, SHOE_SIZES, ["beige"]),
]


@pytest.fixture(autouse=True)
def _fresh_match_cache():
    # The matcher caches the catalog per process; each test builds its own catalog.
    product_match_cache_clear()
    yield
    product_match_cache_clear()


@pytest.fixture
def catalog(db):
    products = {}
    for name, category, attributes, sizes, colors in CATALOG:
        products[name] = product_with_variants(
            name=name, category=category, attributes=attributes, sizes=sizes, colors=colors
        )
    return products
