"""The demo store: a realistic shoe-and-apparel store bundle generated from a seed.

Everything comes from ``random.Random(seed)`` and the word lists below (no Faker, no network), so
the same seed and the same ``now`` give a byte-identical bundle. Dates are placed relative to
``now`` so that delivered orders fall both inside and outside the 30-day return window, which the
eligibility tests and demos need. The result follows ../shared/STORE_BUNDLE.md and goes through
the ordinary bundle importer (``apps.bundles.services.bundle_import``).
"""

# The store's prose (FAQ answers, policy bodies) reads better unwrapped.
# ruff: noqa: E501
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

STORE_NAME = "Northwind Shoes & Apparel"
FINAL_SALE_CATEGORIES = ["socks", "underwear"]
RETURN_WINDOW_DAYS = 30

SHOE_SIZES_HALF = [f"{n / 2:g}" for n in range(12, 27)]  # 6, 6.5, ..., 13
SHOE_SIZES_WHOLE = [str(n) for n in range(6, 14)]  # sandals and slides come in whole sizes
APPAREL_SIZES = ["S", "M", "L", "XL", "XXL"]
SOCK_SIZES = ["S", "M", "L", "XL"]

# Orders per status; every status of the bundle format appears.
STATUS_COUNTS = {
    "pending": 45,
    "processed": 30,
    "shipped": 60,
    "delivered": 270,
    "cancelled": 45,
    "return_requested": 45,
    "returned": 55,
    "partially_returned": 60,
}
CUSTOMER_COUNT = 240


@dataclass(frozen=True)
class _ProductSpec:
    name: str
    category: str
    brand: str
    price: str
    colors: tuple[str, ...]
    material: str
    fit: str
    blurb: str
    sizes: str = "shoe"  # "shoe", "shoe_whole", "apparel", "sock", "one", "gift"


_SHOE_FEATURES = {
    "running shoes": "Built for daily road miles with a responsive foam midsole and a breathable mesh upper.",
    "trail shoes": "A grippy lugged outsole and a rock plate keep you steady on roots, mud and loose gravel.",
    "sneakers": "An easy everyday sneaker that pairs with jeans, chinos or joggers.",
    "boots": "Built to last with a stitched construction and a replaceable rubber outsole.",
    "sandals": "Quick-drying straps and a contoured footbed for long summer days.",
}

_PRODUCTS: tuple[_ProductSpec, ...] = (
    # Running shoes
    _ProductSpec(
        "Pacer Road Runner",
        "running shoes",
        "Stride Lab",
        "129.99",
        ("black", "red", "blue"),
        "engineered mesh upper, EVA foam midsole",
        "Runs half a size small: we suggest ordering half a size up.",
        "Our best-selling neutral trainer with 8 mm drop and a plush heel.",
    ),
    _ProductSpec(
        "Tempo Lite Racer",
        "running shoes",
        "Stride Lab",
        "149.99",
        ("white", "volt"),
        "knit upper, carbon-infused plate",
        "True to size with a snug, race-day midfoot.",
        "A lightweight racer for tempo runs and race day, 205 g in a US 9.",
    ),
    _ProductSpec(
        "Cloudline Cushion Max",
        "running shoes",
        "Cloudline",
        "159.99",
        ("grey", "navy", "black"),
        "recycled mesh upper, supercritical foam",
        "True to size; roomy toe box.",
        "Maximum cushioning for recovery days and long runs.",
    ),
    _ProductSpec(
        "Daybreak Everyday Trainer",
        "running shoes",
        "Northwind",
        "99.99",
        ("black", "white", "pink"),
        "mesh upper, EVA midsole",
        "Runs slightly large: if between sizes, size down.",
        "An affordable do-everything trainer for the gym, the treadmill and the road.",
    ),
    _ProductSpec(
        "Metro Stability Runner",
        "running shoes",
        "Cloudline",
        "139.99",
        ("navy", "grey"),
        "mesh upper, dual-density foam with medial post",
        "True to size; wide toe box.",
        "Gentle stability for runners who overpronate.",
    ),
    # Trail shoes
    _ProductSpec(
        "Ridgeback Trail Runner",
        "trail shoes",
        "Trailcraft",
        "139.99",
        ("olive", "black"),
        "ripstop mesh upper, 5 mm lugs",
        "Runs half a size small: order half a size up.",
        "A nimble trail runner for technical singletrack.",
    ),
    _ProductSpec(
        "Scree Waterproof Trail",
        "trail shoes",
        "Trailcraft",
        "164.99",
        ("brown", "grey"),
        "waterproof membrane, synthetic overlays",
        "True to size; snug heel.",
        "Waterproof protection for wet shoulder-season trails.",
    ),
    _ProductSpec(
        "Switchback Hiker Low",
        "trail shoes",
        "Trailcraft",
        "119.99",
        ("tan", "black"),
        "suede and mesh upper, rubber toe cap",
        "True to size.",
        "A low-cut hiker that is comfortable from the first mile.",
    ),
    # Sneakers
    _ProductSpec(
        "Harbor Canvas Low",
        "sneakers",
        "Harbor & Pine",
        "64.99",
        ("white", "black", "navy", "red"),
        "organic cotton canvas, vulcanized rubber sole",
        "Runs half a size large: order half a size down.",
        "The classic low-top canvas sneaker.",
    ),
    _ProductSpec(
        "Harbor Canvas High",
        "sneakers",
        "Harbor & Pine",
        "69.99",
        ("white", "black"),
        "organic cotton canvas, vulcanized rubber sole",
        "Runs half a size large: order half a size down.",
        "The classic high-top canvas sneaker with a padded collar.",
    ),
    _ProductSpec(
        "Court Classic Leather",
        "sneakers",
        "Northwind",
        "89.99",
        ("white", "black"),
        "full-grain leather upper, cupsole",
        "True to size; leather softens after a week of wear.",
        "A clean leather court sneaker.",
    ),
    _ProductSpec(
        "Slipstream Knit Slip-On",
        "sneakers",
        "Cloudline",
        "79.99",
        ("grey", "black", "blue"),
        "stretch knit upper, foam footbed",
        "Snug fit: if you have wide feet, go half a size up.",
        "Laceless comfort for travel days and errands.",
    ),
    _ProductSpec(
        "Retro 78 Suede",
        "sneakers",
        "Harbor & Pine",
        "94.99",
        ("green", "tan", "burgundy"),
        "suede upper, gum rubber outsole",
        "True to size.",
        "A 1978 archive runner, rebuilt with modern cushioning.",
    ),
    # Boots
    _ProductSpec(
        "Summit Waterproof Hiking Boot",
        "boots",
        "Trailcraft",
        "179.99",
        ("brown", "black"),
        "waterproof nubuck leather, Vibram outsole",
        "Runs half a size large: order half a size down.",
        "A mid-height hiking boot for multi-day trips.",
    ),
    _ProductSpec(
        "Alder Chelsea Boot",
        "boots",
        "Harbor & Pine",
        "159.99",
        ("brown", "black"),
        "oiled leather, elastic gussets",
        "True to size; snug at first, then molds to your foot.",
        "A pull-on Chelsea boot for city and country.",
    ),
    _ProductSpec(
        "Foundry Work Boot",
        "boots",
        "Northwind",
        "189.99",
        ("brown", "tan"),
        "full-grain leather, Goodyear welt",
        "Runs half a size large: order half a size down.",
        "A resoleable six-inch work boot.",
    ),
    _ProductSpec(
        "Drift Winter Boot",
        "boots",
        "Northwind",
        "169.99",
        ("black", "grey"),
        "waterproof nylon, 200 g insulation",
        "True to size; leave room for thick socks.",
        "Warm to -25 °F with a slip-resistant outsole.",
    ),
    # Sandals
    _ProductSpec(
        "Tidepool Sport Sandal",
        "sandals",
        "Trailcraft",
        "54.99",
        ("black", "olive"),
        "polyester webbing, EVA footbed",
        "True to size; adjustable straps.",
        "A sport sandal for rivers, beaches and campgrounds.",
        sizes="shoe_whole",
    ),
    _ProductSpec(
        "Boardwalk Slide",
        "sandals",
        "Harbor & Pine",
        "34.99",
        ("black", "white", "tan"),
        "molded foam",
        "Runs large: size down one full size.",
        "A cushioned slide for post-run recovery.",
        sizes="shoe_whole",
    ),
    _ProductSpec(
        "Canyon Hiking Sandal",
        "sandals",
        "Trailcraft",
        "74.99",
        ("brown", "grey"),
        "leather straps, rubber lug outsole",
        "True to size.",
        "A hiking sandal with a toe bumper and real traction.",
        sizes="shoe_whole",
    ),
    # Socks (final sale)
    _ProductSpec(
        "Everyday Crew Sock 3-Pack",
        "socks",
        "Northwind",
        "18.99",
        ("white", "black", "grey"),
        "combed cotton blend",
        "Choose by shoe size.",
        "Cushioned crew socks for everyday wear, three pairs.",
        sizes="sock",
    ),
    _ProductSpec(
        "Merino Hiker Sock",
        "socks",
        "Trailcraft",
        "22.99",
        ("grey", "olive"),
        "merino wool, nylon",
        "Choose by shoe size.",
        "A cushioned merino sock that stays warm when wet.",
        sizes="sock",
    ),
    _ProductSpec(
        "No-Show Running Sock 3-Pack",
        "socks",
        "Stride Lab",
        "16.99",
        ("white", "black"),
        "recycled polyester",
        "Choose by shoe size.",
        "Low-profile running socks with a heel tab, three pairs.",
        sizes="sock",
    ),
    _ProductSpec(
        "Compression Run Sock",
        "socks",
        "Stride Lab",
        "24.99",
        ("black", "blue"),
        "nylon, spandex",
        "Fits snug by design: if between sizes, size up.",
        "Graduated compression for long runs and flights.",
        sizes="sock",
    ),
    # Hoodies
    _ProductSpec(
        "Classic Pullover Hoodie",
        "hoodies",
        "Northwind",
        "59.99",
        ("grey", "navy", "black", "green"),
        "cotton-poly fleece",
        "Relaxed fit; true to size.",
        "A midweight fleece hoodie with a kangaroo pocket.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Full-Zip Fleece Hoodie",
        "hoodies",
        "Northwind",
        "64.99",
        ("grey", "black"),
        "cotton-poly fleece",
        "Regular fit; true to size.",
        "A full-zip layer for cool mornings.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Tech Fleece Hoodie",
        "hoodies",
        "Stride Lab",
        "79.99",
        ("black", "blue"),
        "polyester tech fleece",
        "Slim fit: size up for a relaxed look.",
        "A light, warm hoodie with thumbholes for winter runs.",
        sizes="apparel",
    ),
    # T-shirts
    _ProductSpec(
        "Essential Cotton Tee",
        "t-shirts",
        "Northwind",
        "24.99",
        ("white", "black", "navy", "grey"),
        "100% organic cotton",
        "Regular fit; may shrink slightly if tumble dried hot.",
        "A soft everyday crew-neck tee.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Dri-Run Performance Tee",
        "t-shirts",
        "Stride Lab",
        "32.99",
        ("blue", "volt", "black"),
        "recycled polyester",
        "Athletic fit; true to size.",
        "A sweat-wicking running tee with reflective details.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Pocket Heavyweight Tee",
        "t-shirts",
        "Harbor & Pine",
        "29.99",
        ("white", "green", "tan"),
        "heavyweight cotton jersey",
        "Boxy fit: size down for a closer fit.",
        "A sturdy tee with a chest pocket.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Merino Trail Tee",
        "t-shirts",
        "Trailcraft",
        "54.99",
        ("grey", "olive"),
        "merino wool blend",
        "Regular fit; true to size.",
        "Odor-resistant merino for multi-day hikes.",
        sizes="apparel",
    ),
    # Joggers
    _ProductSpec(
        "Weekend Fleece Jogger",
        "joggers",
        "Northwind",
        "54.99",
        ("grey", "black", "navy"),
        "cotton-poly fleece",
        "Relaxed fit; inseam 30 in.",
        "A soft jogger with an elastic waist and cuffs.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Tapered Tech Jogger",
        "joggers",
        "Stride Lab",
        "69.99",
        ("black", "grey"),
        "stretch woven nylon",
        "Tapered fit; runs slightly small, size up if between sizes.",
        "A stretchy, water-resistant jogger for training and travel.",
        sizes="apparel",
    ),
    # Jackets
    _ProductSpec(
        "Stormline Rain Jacket",
        "jackets",
        "Trailcraft",
        "129.99",
        ("yellow", "navy", "black"),
        "3-layer waterproof nylon",
        "Regular fit with room for a fleece underneath.",
        "A fully seam-sealed rain shell that packs into its pocket.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Ridge Down Puffer",
        "jackets",
        "Trailcraft",
        "179.99",
        ("black", "red", "olive"),
        "650-fill responsibly sourced down",
        "Regular fit; true to size.",
        "A warm, packable puffer for cold days.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Windrunner Packable Jacket",
        "jackets",
        "Stride Lab",
        "89.99",
        ("blue", "black"),
        "ripstop nylon, DWR finish",
        "Athletic fit: size up to layer.",
        "A featherweight wind jacket for running.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Sherpa Trucker Jacket",
        "jackets",
        "Harbor & Pine",
        "119.99",
        ("tan", "blue"),
        "cotton canvas, sherpa lining",
        "Runs large: consider sizing down.",
        "A lined canvas trucker jacket.",
        sizes="apparel",
    ),
    # Leggings
    _ProductSpec(
        "Flow High-Rise Legging",
        "leggings",
        "Stride Lab",
        "64.99",
        ("black", "navy", "burgundy"),
        "nylon, spandex",
        "Compressive fit; true to size.",
        "A squat-proof high-rise legging with a hidden waistband pocket.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Trail Pocket Legging",
        "leggings",
        "Trailcraft",
        "74.99",
        ("black", "olive"),
        "abrasion-resistant nylon",
        "True to size.",
        "Durable leggings with two thigh pockets.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Thermal Run Tight",
        "leggings",
        "Stride Lab",
        "69.99",
        ("black",),
        "brushed thermal knit",
        "Snug fit: size up if between sizes.",
        "A brushed-back tight for winter runs.",
        sizes="apparel",
    ),
    # Shorts
    _ProductSpec(
        "Stride 5-Inch Running Short",
        "shorts",
        "Stride Lab",
        "39.99",
        ("black", "blue", "volt"),
        "recycled polyester, built-in liner",
        "True to size.",
        "A light running short with a zip pocket.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Trailhead Cargo Short",
        "shorts",
        "Trailcraft",
        "49.99",
        ("tan", "olive"),
        "stretch cotton twill",
        "Regular fit; inseam 9 in.",
        "A hiking short with cargo pockets.",
        sizes="apparel",
    ),
    # Underwear (final sale)
    _ProductSpec(
        "Everyday Boxer Brief 3-Pack",
        "underwear",
        "Northwind",
        "34.99",
        ("black", "grey"),
        "cotton, elastane",
        "True to size.",
        "Soft boxer briefs that stay put, three pairs.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Sport Mesh Brief",
        "underwear",
        "Stride Lab",
        "19.99",
        ("black", "blue"),
        "quick-dry mesh",
        "Snug fit; true to size.",
        "A breathable brief for training.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Seamless Bralette",
        "underwear",
        "Northwind",
        "29.99",
        ("black", "white", "pink"),
        "seamless nylon knit",
        "True to size; removable pads.",
        "A soft, wire-free bralette.",
        sizes="apparel",
    ),
    _ProductSpec(
        "Merino Base Layer Brief",
        "underwear",
        "Trailcraft",
        "32.99",
        ("grey",),
        "merino wool",
        "True to size.",
        "A merino brief for cold-weather days outdoors.",
        sizes="apparel",
    ),
    # Accessories and gift cards
    _ProductSpec(
        "Ribbed Knit Beanie",
        "hats",
        "Harbor & Pine",
        "24.99",
        ("black", "green", "red", "grey"),
        "wool blend",
        "One size fits most.",
        "A cuffed beanie in soft ribbed knit.",
        sizes="one",
    ),
    _ProductSpec(
        "Northwind Gift Card",
        "gift cards",
        "Northwind",
        "25.00",
        (),
        "digital",
        "Delivered by email.",
        "A digital gift card delivered by email, redeemable online.",
        sizes="gift",
    ),
)

_COLOR_CODES = {
    "black": "BLK",
    "white": "WHT",
    "red": "RED",
    "blue": "BLU",
    "navy": "NVY",
    "grey": "GRY",
    "volt": "VLT",
    "pink": "PNK",
    "olive": "OLV",
    "brown": "BRN",
    "tan": "TAN",
    "green": "GRN",
    "burgundy": "BUR",
    "yellow": "YLW",
}

_FIRST_NAMES = (
    "Noah",
    "Emma",
    "Liam",
    "Olivia",
    "Mason",
    "Ava",
    "Ethan",
    "Sophia",
    "Lucas",
    "Isabella",
    "Aiden",
    "Mia",
    "James",
    "Amelia",
    "Harper",
    "Benjamin",
    "Evelyn",
    "Elijah",
    "Abigail",
    "Daniel",
    "Emily",
    "Henry",
    "Ella",
    "Jackson",
    "Scarlett",
    "Sebastian",
    "Grace",
    "Mateo",
    "Chloe",
    "Owen",
    "Layla",
    "Samuel",
    "Zoey",
    "Leo",
    "Nora",
    "Isaac",
    "Lily",
    "Yusuf",
    "Priya",
    "Chen",
    "Aisha",
    "Mohamed",
    "Sofia",
    "Raj",
    "Fatima",
    "Omar",
    "Yara",
    "Ivan",
    "Mei",
    "Diego",
    "Lucia",
    "Kenji",
    "Anya",
    "Sara",
    "Juan",
    "Ines",
    "Arjun",
    "Hana",
    "Malik",
    "Ruth",
)
_LAST_NAMES = (
    "Brown",
    "Smith",
    "Johnson",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Kim",
    "Patel",
    "Khan",
    "Ito",
    "Silva",
    "Novak",
    "Cohen",
    "Murphy",
    "Sullivan",
    "Price",
    "Reyes",
    "Ahmed",
)
_CITIES = (
    ("Denver", "CO", "802", "303"),
    ("Austin", "TX", "787", "512"),
    ("Seattle", "WA", "981", "206"),
    ("Portland", "OR", "972", "503"),
    ("Boston", "MA", "021", "617"),
    ("Chicago", "IL", "606", "312"),
    ("Atlanta", "GA", "303", "404"),
    ("Phoenix", "AZ", "850", "602"),
    ("Columbus", "OH", "432", "614"),
    ("Minneapolis", "MN", "554", "612"),
    ("San Diego", "CA", "921", "619"),
    ("Oakland", "CA", "946", "510"),
    ("Nashville", "TN", "372", "615"),
    ("Raleigh", "NC", "276", "919"),
    ("Salt Lake City", "UT", "841", "801"),
    ("Philadelphia", "PA", "191", "215"),
    ("Brooklyn", "NY", "112", "718"),
    ("Miami", "FL", "331", "305"),
    ("Madison", "WI", "537", "608"),
    ("Boise", "ID", "837", "208"),
    ("Burlington", "VT", "054", "802"),
    ("Albuquerque", "NM", "871", "505"),
    ("Richmond", "VA", "232", "804"),
    ("Pittsburgh", "PA", "152", "412"),
    ("Kansas City", "MO", "641", "816"),
    ("Tucson", "AZ", "857", "520"),
    ("Anchorage", "AK", "995", "907"),
    ("Honolulu", "HI", "968", "808"),
    ("Charleston", "SC", "294", "843"),
    ("Spokane", "WA", "992", "509"),
)
_STREETS = (
    "Sunset Drive",
    "Maple Avenue",
    "Oak Street",
    "Cedar Lane",
    "Pine Street",
    "Elm Street",
    "Lakeview Road",
    "Hillcrest Drive",
    "River Road",
    "Park Avenue",
    "Washington Street",
    "Highland Avenue",
    "Willow Way",
    "Chestnut Street",
    "Spruce Court",
    "Main Street",
    "Broadway",
    "Harbor Boulevard",
    "Meadow Lane",
    "Aspen Circle",
    "Juniper Trail",
    "Birch Road",
    "Canyon Drive",
    "Forest Avenue",
)
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
_PAYMENT_METHODS = (("credit_card", 60), ("paypal", 20), ("apple_pay", 12), ("gift_card", 8))
_CARRIERS = (("UPS", 40), ("USPS", 35), ("FedEx", 25))


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def _slug(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())[:6]


def _size_chart(spec: _ProductSpec) -> str:
    if spec.sizes in ("shoe", "shoe_whole"):
        sizes = SHOE_SIZES_HALF if spec.sizes == "shoe" else SHOE_SIZES_WHOLE
        # US men's sizing: foot length in cm is the size plus 18.
        rows = ", ".join(f"US {s} = {float(s) + 18:g} cm" for s in sizes)
        return (
            f"Foot length (heel to longest toe): {rows}. Women's: subtract 1.5 from the US size. {spec.fit}"
        )
    if spec.sizes == "sock":
        return "S fits US shoe 4-6.5; M fits US 7-9.5; L fits US 10-12.5; XL fits US 13-15. " + spec.fit
    if spec.sizes == "apparel":
        if spec.category in ("leggings", "underwear", "joggers", "shorts"):
            return (
                "S: waist 28-30 in, hip 35-37 in; M: waist 31-33 in, hip 38-40 in; L: waist 34-36 in, "
                "hip 41-43 in; XL: waist 37-39 in, hip 44-46 in; XXL: waist 40-42 in, hip 47-49 in. "
                + spec.fit
            )
        return (
            "S: chest 35-37 in; M: chest 38-40 in; L: chest 41-43 in; XL: chest 44-46 in; "
            "XXL: chest 47-49 in. " + spec.fit
        )
    return spec.fit


def _description(spec: _ProductSpec) -> str:
    parts = [spec.blurb]
    feature = _SHOE_FEATURES.get(spec.category)
    if feature:
        parts.append(feature)
    parts.append(f"Materials: {spec.material}.")
    parts.append(f"Fit: {spec.fit}")
    if spec.category in FINAL_SALE_CATEGORIES:
        parts.append("Final sale: for hygiene reasons this item cannot be returned or exchanged.")
    return " ".join(parts)


class _Ids:
    """Unique random numeric ids (10 digits, like a typical e-commerce export)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def take(self, digits: int = 10) -> str:
        while True:
            value = str(self._rng.randrange(10 ** (digits - 1), 10**digits))
            if value not in self._used:
                self._used.add(value)
                return value


def _sizes_for(spec: _ProductSpec) -> list[str]:
    return {
        "shoe": SHOE_SIZES_HALF,
        "shoe_whole": SHOE_SIZES_WHOLE,
        "apparel": APPAREL_SIZES,
        "sock": SOCK_SIZES,
    }.get(spec.sizes, [])


def _products(rng: random.Random, ids: _Ids) -> list[dict[str, Any]]:
    products = []
    for spec in _PRODUCTS:
        variants = []
        if spec.sizes == "gift":
            # Gift cards: the amount is the option; stock is not tracked (null).
            for amount in ("25", "50", "100", "150"):
                variants.append(
                    {
                        "external_id": ids.take(),
                        "sku": f"NW-GIFT-{amount}",
                        "options": {"amount": amount},
                        "price": f"{amount}.00",
                        "stock": None,
                        "available": True,
                    }
                )
        else:
            sizes = _sizes_for(spec) or [""]
            for color in spec.colors:
                for size in sizes:
                    roll = rng.random()
                    # Edge sizes sell less, so the store stocks fewer of them.
                    edge = size in ("6", "6.5", "13", "XXL", "S", "XL") and spec.sizes != "one"
                    stock = rng.randint(1, 8 if edge else 30)
                    available = True
                    if roll < 0.03:
                        available = False  # discontinued colorway/size
                        stock = rng.randint(0, 3)
                    elif roll < 0.15:
                        stock = 0  # sold out
                    options: dict[str, str] = {}
                    if size:
                        options["size"] = size
                    options["color"] = color
                    sku_parts = ["NW", _slug(spec.category), _slug(spec.name), _COLOR_CODES[color]]
                    if size:
                        sku_parts.append(size)
                    variants.append(
                        {
                            "external_id": ids.take(),
                            "sku": "-".join(sku_parts),
                            "options": options,
                            "price": spec.price,
                            "stock": stock,
                            "available": available,
                        }
                    )
        # A known sold-out size for demos: the best seller in black, US 10.5.
        if spec.name == "Pacer Road Runner":
            for variant in variants:
                if variant["options"] == {"size": "10.5", "color": "black"}:
                    variant["stock"] = 0
                    variant["available"] = True
        variants.sort(key=lambda v: v["external_id"])
        attributes: dict[str, Any] = {"brand": spec.brand, "material": spec.material, "fit": spec.fit}
        if spec.category in FINAL_SALE_CATEGORIES:
            attributes["final_sale"] = True
        products.append(
            {
                "external_id": ids.take(),
                "name": spec.name,
                "description": _description(spec),
                "category": spec.category,
                "attributes": attributes,
                "size_chart": _size_chart(spec),
                "variants": variants,
            }
        )
    return products


def _customers(rng: random.Random) -> list[dict[str, Any]]:
    pairs = [(f, last) for f in _FIRST_NAMES for last in _LAST_NAMES]
    chosen = rng.sample(pairs, CUSTOMER_COUNT)
    customers = []
    emails: set[str] = set()
    ext_ids: set[str] = set()
    for first, last in chosen:
        while True:
            ext = f"{first}_{last}_{rng.randint(1000, 9999)}".lower()
            if ext not in ext_ids:
                ext_ids.add(ext)
                break
        style = rng.randrange(4)
        domain = rng.choice(_EMAIL_DOMAINS)
        local = [
            f"{first}.{last}",
            f"{first[0]}{last}{rng.randint(1, 99)}",
            f"{first}{rng.randint(10, 99)}",
            f"{first}_{last}{rng.randint(1, 9)}",
        ][style].lower()
        email = f"{local}@{domain}"
        while email in emails:
            email = f"{local}{rng.randint(100, 999)}@{domain}"
        emails.add(email)
        if rng.random() < 0.06:
            # Some shops store emails as the shopper typed them; lookups must ignore case.
            email = email[0].upper() + email[1:]
        city, state, zip_prefix, area = rng.choice(_CITIES)
        address2 = ""
        if rng.random() < 0.25:
            address2 = (
                rng.choice(["Apt ", "Unit ", "Suite "]) + str(rng.randint(1, 40)) + rng.choice(["", "A", "B"])
            )
        phone = "" if rng.random() < 0.1 else f"+1 {area}-555-01{rng.randint(0, 99):02d}"
        customers.append(
            {
                "external_id": ext,
                "email": email,
                "first_name": first,
                "last_name": last,
                "phone": phone,
                "address": {
                    "address1": f"{rng.randint(10, 9999)} {rng.choice(_STREETS)}",
                    "address2": address2,
                    "city": city,
                    "state": state,
                    "zip": f"{zip_prefix}{rng.randint(0, 99):02d}",
                    "country": "USA",
                },
            }
        )
    customers.sort(key=lambda c: c["external_id"])
    return customers


def _tracking_number(rng: random.Random, carrier: str) -> str:
    digits = "0123456789"
    if carrier == "UPS":
        # 1Z + 6-character shipper number + 2-digit service code + 8 digits.
        shipper = "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXY") for _ in range(6))
        return (
            "1Z"
            + shipper
            + rng.choice(["01", "02", "03", "12"])
            + "".join(rng.choice(digits) for _ in range(8))
        )
    if carrier == "USPS":
        return "9400" + "".join(rng.choice(digits) for _ in range(18))
    return "".join(rng.choice(digits) for _ in range(12))  # FedEx Ground / Express: 12 digits


def _orders(
    rng: random.Random,
    products: list[dict[str, Any]],
    customers: list[dict[str, Any]],
    now: datetime,
) -> list[dict[str, Any]]:
    # Orderable variants by product; gift cards are emailed, so they never ship in an order here.
    catalog = [(p, p["variants"]) for p in products if p["category"] != "gift cards"]
    product_weights = [
        3 if p["category"].endswith("shoes") or p["category"] == "sneakers" else 1 for p, _ in catalog
    ]
    # Each shopper has a usual shoe and apparel size, so their orders look like one person's.
    shopper_sizes = {
        c["external_id"]: (rng.choice(SHOE_SIZES_HALF[2:12]), rng.choice(APPAREL_SIZES[:4]))
        for c in customers
    }
    # A few loyal customers order often.
    customer_weights = [rng.choice([1, 1, 1, 2, 3, 6]) for _ in customers]

    statuses: list[str] = []
    for status, count in STATUS_COUNTS.items():
        statuses.extend([status] * count)
    rng.shuffle(statuses)
    numbers = rng.sample(range(1_000_000, 10_000_000), len(statuses))

    def pick_variant(customer_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        product, variants = rng.choices(catalog, weights=product_weights)[0]
        shoe, apparel = shopper_sizes[customer_id]
        preferred = [v for v in variants if v["options"].get("size") in (shoe, apparel)]
        return product, rng.choice(preferred or variants)

    def hours(lo: float, hi: float) -> timedelta:
        return timedelta(seconds=rng.randint(int(lo * 3600), int(hi * 3600)))

    orders = []
    delivered_seen = 0
    for status, number in zip(statuses, numbers, strict=True):
        customer = rng.choices(customers, weights=customer_weights)[0]
        n_lines = rng.choices([1, 2, 3, 4], weights=[50, 30, 15, 5])[0]
        if status == "partially_returned":
            n_lines = max(n_lines, 2)
        lines = []
        for _ in range(n_lines):
            product, variant = pick_variant(customer["external_id"])
            quantity = 1
            if product["category"] == "socks" and rng.random() < 0.4:
                quantity = rng.randint(2, 3)
            lines.append(
                {"variant": variant["external_id"], "quantity": quantity, "unit_price": variant["price"]}
            )
        total = sum((Decimal(line["unit_price"]) * line["quantity"] for line in lines), Decimal("0"))

        # Dates: placed -> shipped -> delivered, all before `now`.
        shipped_at: datetime | None = None
        delivered_at: datetime | None = None
        if status == "pending":
            placed_at = now - hours(1, 60)
        elif status == "processed":
            placed_at = now - hours(10, 80)
        elif status == "shipped":
            placed_at = now - hours(50, 220)
            shipped_at = placed_at + hours(8, 40)
        elif status == "cancelled":
            placed_at = now - hours(24, 24 * 150)
        else:
            if status == "delivered":
                # Alternate inside and well outside the return window so both cases always exist.
                delivered_seen += 1
                within = delivered_seen % 2 == 1
                ago = hours(24, 24 * 26) if within else hours(24 * 35, 24 * 170)
            elif status == "return_requested":
                ago = hours(24 * 2, 24 * 25)
            else:
                ago = hours(24 * 6, 24 * 90)
            delivered_at = now - ago
            shipped_at = delivered_at - hours(40, 140)
            placed_at = shipped_at - hours(6, 40)

        shipments: list[dict[str, Any]] = []
        if status != "pending" and status != "cancelled":
            carrier = _weighted(rng, _CARRIERS)
            variant_ids = sorted({line["variant"] for line in lines})
            groups = [variant_ids]
            if len(variant_ids) >= 2 and rng.random() < 0.2:
                # Split shipment: one item ships from another warehouse.
                groups = [variant_ids[:-1], variant_ids[-1:]]
            for index, group in enumerate(groups):
                # A split shipment's second parcel may travel with another carrier.
                parcel_carrier = carrier if index == 0 else _weighted(rng, _CARRIERS)
                shipment: dict[str, Any] = {
                    "carrier": parcel_carrier,
                    "tracking_numbers": [_tracking_number(rng, parcel_carrier)],
                    "variants": group,
                    "shipped_at": None,
                    "delivered_at": None,
                }
                if shipped_at is not None:
                    shipment["shipped_at"] = _iso(shipped_at + timedelta(hours=3 * index))
                if delivered_at is not None:
                    # The order is delivered when its last shipment is.
                    shipment["delivered_at"] = _iso(
                        delivered_at - timedelta(hours=20 * (len(groups) - 1 - index))
                    )
                shipments.append(shipment)

        method = _weighted(rng, _PAYMENT_METHODS)
        payments: list[dict[str, Any]] = []
        if method == "gift_card" and total > Decimal("30"):
            # Gift card covers part; a card pays the rest.
            covered = Decimal(rng.choice(["25", "50"])).min(total - Decimal("5"))
            payments.append({"method": "gift_card", "amount": _money(covered), "kind": "payment"})
            payments.append({"method": "credit_card", "amount": _money(total - covered), "kind": "payment"})
        else:
            payments.append({"method": method, "amount": _money(total), "kind": "payment"})
        refund_method = payments[-1]["method"]
        if status in ("cancelled", "returned"):
            payments.append({"method": refund_method, "amount": _money(total), "kind": "refund"})
        elif status == "partially_returned":
            line = lines[-1]
            refund = Decimal(line["unit_price"]) * line["quantity"]
            payments.append({"method": refund_method, "amount": _money(refund), "kind": "refund"})

        shipping_address = dict(customer["address"])
        if rng.random() < 0.08:
            # A gift shipped to someone else.
            city, state, zip_prefix, _area = rng.choice(_CITIES)
            shipping_address = {
                "address1": f"{rng.randint(10, 9999)} {rng.choice(_STREETS)}",
                "address2": "",
                "city": city,
                "state": state,
                "zip": f"{zip_prefix}{rng.randint(0, 99):02d}",
                "country": "USA",
            }
        orders.append(
            {
                "external_id": f"#W{number}",
                "customer": customer["external_id"],
                "status": status,
                "placed_at": _iso(placed_at),
                "delivered_at": _iso(delivered_at) if delivered_at else None,
                "lines": lines,
                "shipments": shipments,
                "payments": payments,
                "shipping_address": shipping_address,
            }
        )
    orders.sort(key=lambda o: o["external_id"])
    return orders


def _faq(ext: str, question: str, answer: str, *tags: str) -> dict[str, Any]:
    return {"external_id": ext, "question": question, "answer": answer, "tags": list(tags)}


def _faqs() -> list[dict[str, Any]]:
    faqs = [
        # Shipping
        _faq(
            "faq-shipping-cost",
            "How much does shipping cost?",
            "Standard shipping (3-5 business days) is free on orders over $50 and $5.95 otherwise. "
            "Expedited (2 business days) is $12.95 and overnight is $24.95.",
            "shipping",
        ),
        _faq(
            "faq-shipping-time",
            "When will my order ship?",
            "Orders placed before 1 pm Eastern on a business day ship the same day; later orders ship the next "
            "business day. You get an email with your tracking number as soon as the label is created.",
            "shipping",
        ),
        _faq(
            "faq-shipping-carriers",
            "Which carriers do you use?",
            "We ship with UPS, USPS and FedEx depending on your address and the shipping speed you chose. "
            "UPS tracking numbers start with 1Z, USPS numbers with 9400 and FedEx numbers have 12 digits.",
            "shipping",
            "tracking",
        ),
        _faq(
            "faq-tracking",
            "How do I track my order?",
            "Use the tracking link in your shipping confirmation email, or give us your order number "
            "(it looks like #W1234567) and the email you ordered with, and we will look it up for you.",
            "shipping",
            "tracking",
            "order status",
        ),
        _faq(
            "faq-shipping-delayed",
            "My tracking has not updated in days. What should I do?",
            "Carriers sometimes skip scans in transit. If tracking has not moved for 5 business days, contact us "
            "with your order number and we will open a trace with the carrier or send a replacement.",
            "shipping",
            "tracking",
        ),
        _faq(
            "faq-shipping-lost",
            "My package says delivered but I cannot find it.",
            "Check with neighbors and around your building, and wait one day: carriers sometimes mark a parcel "
            "delivered early. If it still has not turned up, contact us within 14 days of the delivery date and "
            "we will file a claim and reship or refund.",
            "shipping",
            "delivery",
        ),
        _faq(
            "faq-shipping-po-box",
            "Do you ship to PO boxes and APO/FPO addresses?",
            "Yes. Orders to PO boxes and APO/FPO/DPO addresses ship with USPS.",
            "shipping",
        ),
        # Returns
        _faq(
            "faq-returns-window",
            "How long do I have to return an item?",
            "You can return unworn items with their original tags within 30 days of delivery. Shoes must be "
            "tried on indoors only and come back in the original box.",
            "returns",
        ),
        _faq(
            "faq-returns-how",
            "How do I start a return?",
            "Tell us your order number and email and which items you want to return. We email you a free "
            "prepaid return label; drop the parcel at any UPS location.",
            "returns",
        ),
        _faq(
            "faq-returns-cost",
            "Do I have to pay for return shipping?",
            "No. Returns and exchanges within the return window ship back free with our prepaid label.",
            "returns",
            "shipping",
        ),
        _faq(
            "faq-returns-refund-time",
            "When will I get my refund?",
            "We refund to your original payment method within 2 business days of receiving your return. Your "
            "bank may take another 3-5 business days to show it. Gift card payments are refunded to the gift card.",
            "returns",
            "refunds",
            "payment",
        ),
        _faq(
            "faq-returns-final-sale",
            "Which items are final sale?",
            "Underwear and socks are final sale for hygiene reasons and cannot be returned or exchanged, unless "
            "they arrived damaged or we sent the wrong item.",
            "returns",
            "final sale",
        ),
        _faq(
            "faq-returns-worn",
            "Can I return shoes I have worn outside?",
            "We can only accept unworn shoes. If a shoe has a defect that shows up after wear, see our warranty: "
            "we cover manufacturing defects for one year.",
            "returns",
            "warranty",
        ),
        _faq(
            "faq-returns-gift",
            "Can I return a gift?",
            "Yes. With the order number and the buyer's email we can issue the refund as store credit to you "
            "instead of refunding the buyer.",
            "returns",
            "gift",
        ),
        _faq(
            "faq-returns-damaged",
            "My item arrived damaged or I received the wrong item.",
            "We're sorry! Send us your order number and a photo and we'll ship a replacement right away at no "
            "cost, including for final-sale items.",
            "returns",
            "damaged",
        ),
        # Exchanges
        _faq(
            "faq-exchange-size",
            "Can I exchange my shoes for a different size?",
            "Yes. Exchanges for a different size or color of the same item are free within 30 days of delivery, "
            "as long as the new size is in stock. We ship the new pair as soon as your return is scanned.",
            "exchanges",
            "sizing",
        ),
        _faq(
            "faq-exchange-different-item",
            "Can I exchange for a different product?",
            "For a different product, return the original for a refund and place a new order: that way you get "
            "the new item fastest.",
            "exchanges",
        ),
        _faq(
            "faq-exchange-out-of-stock",
            "What if the size I want for my exchange is sold out?",
            "We can refund you instead, or hold the exchange and email you when the size is back in stock.",
            "exchanges",
            "stock",
        ),
        # Sizing
        _faq(
            "faq-sizing-shoes",
            "How do your shoes fit?",
            "Most of our shoes are true to size. Each product page lists fit notes: for example the Pacer Road "
            "Runner and Ridgeback Trail Runner run half a size small, and our boots and canvas sneakers run half "
            "a size large.",
            "sizing",
        ),
        _faq(
            "faq-sizing-between",
            "I'm between sizes. Which should I choose?",
            "For running and trail shoes, size up: your feet swell on longer runs. For boots and sandals, size "
            "down. Check the size chart on each product for foot length in centimeters.",
            "sizing",
        ),
        _faq(
            "faq-sizing-womens",
            "Do you have women's sizes?",
            "Our shoes are unisex and listed in US men's sizes. For women's sizing, subtract 1.5: a women's 8.5 "
            "is a men's 7.",
            "sizing",
        ),
        _faq(
            "faq-sizing-wide",
            "Do you offer wide widths?",
            "Our shoes come in a regular width. The Metro Stability Runner and Cloudline Cushion Max have roomy "
            "toe boxes that work well for wider feet.",
            "sizing",
        ),
        _faq(
            "faq-sizing-apparel",
            "How does your clothing fit?",
            "Apparel comes in S to XXL. Each product lists chest or waist measurements and whether it fits "
            "slim, regular or relaxed.",
            "sizing",
        ),
        # Payment
        _faq(
            "faq-payment-methods",
            "Which payment methods do you accept?",
            "Visa, Mastercard, American Express, Discover, PayPal, Apple Pay and Northwind gift cards.",
            "payment",
        ),
        _faq(
            "faq-payment-charged",
            "When is my card charged?",
            "We authorize your card when you order and charge it when the order ships. A cancelled order's "
            "authorization drops off within a few days.",
            "payment",
        ),
        _faq(
            "faq-payment-price-adjust",
            "An item I bought went on sale. Can I get the difference?",
            "Yes, within 14 days of your order date we refund the difference once per item.",
            "payment",
            "pricing",
        ),
        # Account
        _faq(
            "faq-account-create",
            "Do I need an account to order?",
            "No, you can check out as a guest. An account lets you see your order history and start returns "
            "without your order number.",
            "account",
        ),
        _faq(
            "faq-account-password",
            "I forgot my password.",
            "Use 'Forgot password' on the sign-in page; we email a reset link that is valid for one hour.",
            "account",
        ),
        _faq(
            "faq-account-delete",
            "How do I delete my account and data?",
            "Write to privacy@northwind.example and we delete your account and personal data within 30 days, "
            "keeping only what tax law requires.",
            "account",
            "privacy",
        ),
        # Order changes
        _faq(
            "faq-order-cancel",
            "Can I cancel my order?",
            "You can cancel while the order is pending, i.e. before it ships. Once it has shipped, you can "
            "return it for free after delivery instead.",
            "order changes",
            "cancel",
        ),
        _faq(
            "faq-order-change-address",
            "Can I change my shipping address?",
            "Yes, while the order is still pending. After it ships, we cannot reroute it, but you can ask the "
            "carrier to hold it at a nearby location.",
            "order changes",
            "shipping",
        ),
        _faq(
            "faq-order-change-size",
            "Can I change the size on an order I just placed?",
            "If the order is still pending we can swap the size. If it has shipped, exchange it for free after "
            "delivery.",
            "order changes",
            "sizing",
        ),
        # Gift cards
        _faq(
            "faq-giftcard-buy",
            "Do you sell gift cards?",
            "Yes: digital gift cards of $25, $50, $100 or $150, emailed to the recipient. They never expire.",
            "gift cards",
        ),
        _faq(
            "faq-giftcard-balance",
            "How do I check my gift card balance?",
            "Enter the card number at checkout, or ask us: we can look up the balance with the card number.",
            "gift cards",
        ),
        # International
        _faq(
            "faq-international",
            "Do you ship internationally?",
            "We ship to Canada, the UK, the EU and Australia. International shipping is a flat $19.95; duties "
            "and taxes are shown at checkout and collected up front, so there is nothing to pay on delivery.",
            "international",
            "shipping",
        ),
        _faq(
            "faq-international-returns",
            "How do international returns work?",
            "International orders can be returned within 30 days of delivery. We email a prepaid label; duties "
            "are refunded with the item price.",
            "international",
            "returns",
        ),
        # Care
        _faq(
            "faq-care-shoes",
            "How should I clean my shoes?",
            "Brush off dirt, wipe with a damp cloth and mild soap, and let them air dry away from heat. Do not "
            "put running shoes in the washer or dryer: it breaks down the foam.",
            "care",
        ),
        _faq(
            "faq-care-leather",
            "How do I care for leather boots?",
            "Wipe them clean, let them dry at room temperature and condition the leather every few months. Our "
            "waterproof boots keep their membrane: no extra spray needed.",
            "care",
        ),
        _faq(
            "faq-care-merino",
            "How do I wash merino?",
            "Machine wash cold on a gentle cycle and lay flat to dry. Skip the fabric softener.",
            "care",
        ),
    ]
    return sorted(faqs, key=lambda f: f["external_id"])


def _policies() -> list[dict[str, Any]]:
    policies = [
        {
            "external_id": "returns",
            "title": "Returns",
            "body": (
                "# Returns\n\n"
                f"- Return unworn items with their original tags within **{RETURN_WINDOW_DAYS} days of delivery**.\n"
                "- Shoes must be tried on indoors only and returned in the original box.\n"
                "- **Final sale:** underwear and socks cannot be returned or exchanged, unless they arrived "
                "damaged or we sent the wrong item.\n"
                "- Refunds go to the original payment method within 2 business days of receiving the return.\n"
                "- After 30 days we cannot accept returns, but manufacturing defects are covered by our "
                "one-year warranty.\n"
            ),
            "rules": {
                "return_window_days": RETURN_WINDOW_DAYS,
                "final_sale_categories": FINAL_SALE_CATEGORIES,
            },
        },
        {
            "external_id": "exchanges",
            "title": "Exchanges",
            "body": (
                "# Exchanges\n\n"
                "- Exchange for a different size or color of the same item within **30 days of delivery**.\n"
                "- The new item ships as soon as the return is scanned by the carrier.\n"
                "- If the size you want is sold out, we refund you or hold the exchange until it is back.\n"
                "- Final-sale items (underwear, socks) cannot be exchanged.\n"
            ),
            "rules": {"exchange_window_days": 30},
        },
        {
            "external_id": "shipping",
            "title": "Shipping and return shipping",
            "body": (
                "# Shipping\n\n"
                "- Standard (3-5 business days): free over $50, otherwise $5.95.\n"
                "- Expedited (2 business days): $12.95. Overnight: $24.95.\n"
                "- Orders placed before 1 pm Eastern on business days ship the same day.\n"
                "- Carriers: UPS, USPS and FedEx.\n\n"
                "## Return shipping\n\n"
                "Return shipping is **free**: we email a prepaid UPS label for every return and exchange "
                "within the return window.\n"
            ),
            "rules": {"return_shipping_paid_by": "store"},
        },
        {
            "external_id": "international",
            "title": "International orders",
            "body": (
                "# International orders\n\n"
                "We ship to Canada, the United Kingdom, the European Union and Australia for a flat $19.95. "
                "Duties and taxes are collected at checkout. Returns follow the same 30-day window.\n"
            ),
            "rules": {},
        },
        {
            "external_id": "order-changes",
            "title": "Order changes and cancellations",
            "body": (
                "# Order changes and cancellations\n\n"
                "Pending orders (not yet shipped) can be cancelled, or have their size, color or shipping "
                "address changed. Once an order has shipped it cannot be changed or cancelled: return or "
                "exchange it after delivery instead.\n"
            ),
            "rules": {},
        },
        {
            "external_id": "warranty",
            "title": "Warranty",
            "body": (
                "# Warranty\n\n"
                "Footwear and outerwear are covered against manufacturing defects (seams, soles, zippers) for "
                "one year from delivery. Normal wear, such as worn outsoles, is not a defect.\n"
            ),
            "rules": {},
        },
        {
            "external_id": "price-adjustments",
            "title": "Price adjustments",
            "body": (
                "# Price adjustments\n\n"
                "If an item you bought is reduced within 14 days of your order date, we refund the difference "
                "once per item. Final-sale and clearance prices are excluded.\n"
            ),
            "rules": {},
        },
        {
            "external_id": "privacy",
            "title": "Privacy",
            "body": (
                "# Privacy\n\n"
                "We use your details only to fulfil orders and answer your questions. We never sell personal "
                "data. Ask privacy@northwind.example to see or delete your data.\n"
            ),
            "rules": {},
        },
    ]
    return sorted(policies, key=lambda p: p["external_id"])


def _sorted_keys(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else {key: value[key] for key in sorted(value)}


def _canonical_objects(
    products: list[dict[str, Any]], customers: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> None:
    # Free-form objects with sorted keys, as the exporter writes them (jsonb keeps no key order):
    # then `seed_demo --out` and `export_store` of the seeded store are the same bytes.
    for product in products:
        product["attributes"] = _sorted_keys(product["attributes"])
        for variant in product["variants"]:
            variant["options"] = _sorted_keys(variant["options"])
    for customer in customers:
        customer["address"] = _sorted_keys(customer["address"])
    for order in orders:
        order["shipping_address"] = _sorted_keys(order["shipping_address"])


def demo_now_default() -> datetime:
    """Today at 00:00 UTC: the default reference time, stable for a whole day."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def demo_bundle_generate(*, seed: int = 0, now: datetime | None = None) -> dict[str, Any]:
    """A complete demo store bundle; the same seed and now give the same bundle."""
    if now is None:
        now = demo_now_default()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    rng = random.Random(seed)
    ids = _Ids(rng)
    products = _products(rng, ids)
    customers = _customers(rng)
    orders = _orders(rng, products, customers, now)
    products.sort(key=lambda p: p["external_id"])
    _canonical_objects(products, customers, orders)
    policies = _policies()
    for policy in policies:
        policy["rules"] = _sorted_keys(policy["rules"])
    return {
        "format": "supportbot.store-bundle",
        "version": 1,
        "store": {"name": STORE_NAME, "currency": "USD", "locale": "en", "timezone": "America/New_York"},
        "products": products,
        "customers": customers,
        "orders": orders,
        "faqs": _faqs(),
        "policies": policies,
    }
