"""A large, store-agnostic, synthetic training set for the intent + out-of-scope classifier.

Rows are built from hand-written templates x fillers x noise, deterministically from a seed:

    rows = training_phrases(seed=0)              # [(utterance, intent), ...], ~7-8k rows
    train, calib = training_split(seed=0)        # split by TEMPLATE, ~15% of rows in calib
    intent_counts(rows)                          # {"order_status": 512, ...}; INTENT_COUNTS is seed 0

Design notes:
- Product nouns and option values come from many store kinds (shoes, apparel, electronics,
  furniture, lamps, bikes, mattresses, pharmacy, grocery, beauty, toys, pets ...), and the product
  slot is sometimes a made-up name ("the Aurora desk lamp", "MT5000 lamp"), sometimes generic
  ("it", "this item"), so the classifier learns the shape of a request rather than nouns.
- out_of_scope is ~27% of rows and deliberately hard: near-misses that share shop vocabulary
  ("track my flight", "cancel my netflix", "what size is a queen bed in cm").
- Tie-breaks follow /work/shared/ASK_TRACE.md: a refund's status is return_refund, an address
  change on an order is order_status, fit and size-in-stock are size_availability_or_fit.
- Nothing here is copied from a dataset or from apps/assistant/phrasing.py; rows that happen to
  coincide with a phrasing.py seed (after normalisation) are dropped.

Pure Python, no network, no Django; a full build takes well under a second.
"""

from __future__ import annotations

import random
import re
import zlib
from collections import Counter
from collections.abc import Callable

from apps.assistant.intents import INTENTS

Row = tuple[str, str]

# --------------------------------------------------------------------------------------------
# Fillers
# --------------------------------------------------------------------------------------------

# (store kind, product nouns, option values a shopper would ask for)
CATALOG: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "shoes",
        (
            "running shoes",
            "sneakers",
            "hiking boots",
            "sandals",
            "loafers",
            "trail runners",
            "slippers",
            "heels",
        ),
        ("size 9", "size 10.5", "EU 42", "UK 7", "a 44", "size 11 wide", "size 6", "US 8.5", "an 8"),
    ),
    (
        "apparel",
        (
            "hoodie",
            "denim jacket",
            "t-shirt",
            "leggings",
            "summer dress",
            "rain jacket",
            "chinos",
            "wool sweater",
        ),
        ("S", "M", "L", "XL", "XXL", "medium", "small", "large", "size 12", "32x30", "XS", "2XL"),
    ),
    (
        "bikes",
        ("bike helmet", "road bike", "mountain bike", "cycling gloves", "kids bike", "bike lock", "e-bike"),
        ("58cm", "M (55-59 cm)", "a 54 cm frame", "large frame", "56 cm", "size S", "20 inch wheels"),
    ),
    (
        "bedding",
        ("memory foam mattress", "duvet", "fitted sheet", "mattress topper", "pillow set", "bed frame"),
        ("queen", "king", "twin", "double", "single", "california king", "super king", "full size"),
    ),
    (
        "furniture",
        (
            "sofa",
            "dining table",
            "bookshelf",
            "office chair",
            "area rug",
            "wardrobe",
            "coffee table",
            "bar stool",
        ),
        ("7 ft", "the 3-seater", "180x90 cm", "5x8", "oak", "walnut", "the 6 ft one", "grey fabric"),
    ),
    (
        "lamps",
        ("desk lamp", "floor lamp", "pendant light", "LED bulb", "bedside lamp", "ceiling fan"),
        ("warm white", "E27", "60W", "brass finish", "matte black", "2700K", "the dimmable one"),
    ),
    (
        "keyboards",
        ("mechanical keyboard", "wireless mouse", "keycap set", "gaming headset", "mouse pad"),
        ("60%", "75% layout", "TKL", "brown switches", "full size", "ISO layout", "red switches"),
    ),
    (
        "electronics",
        (
            "headphones",
            "phone case",
            "USB-C charger",
            "smartwatch",
            "tablet",
            "laptop",
            "monitor",
            "power bank",
        ),
        ("64GB", "128GB", "256GB", "27 inch", "20000mAh", "the 16GB RAM model", "space grey", "the 65W"),
    ),
    (
        "umbrellas",
        ("umbrella", "travel umbrella", "golf umbrella", "kids umbrella"),
        ("compact", "54 inch", "navy", "the windproof one", "large canopy"),
    ),
    (
        "pharmacy",
        (
            "vitamin D gummies",
            "electric toothbrush",
            "digital thermometer",
            "sunscreen",
            "knee brace",
            "fish oil",
        ),
        ("500 ml", "60 capsules", "SPF 50", "size M", "120 tablets", "the 90 count", "1000 IU"),
    ),
    (
        "grocery",
        ("olive oil", "coffee beans", "green tea", "granola", "pasta sauce", "almond milk", "dark chocolate"),
        ("500 ml", "1 kg", "2 kg", "decaf", "a 12 pack", "250 g", "the family size", "1 litre"),
    ),
    (
        "beauty",
        (
            "moisturizer",
            "lipstick",
            "shampoo",
            "foundation",
            "perfume",
            "face serum",
            "nail polish",
            "body lotion",
        ),
        ("50 ml", "shade 220", "100 ml", "fair", "medium tan", "30 ml", "the travel size", "rose"),
    ),
    (
        "toys",
        (
            "building blocks set",
            "plush bear",
            "jigsaw puzzle",
            "remote control car",
            "board game",
            "doll house",
        ),
        ("1000 pieces", "the large one", "500 pieces", "the deluxe edition", "pink", "the 3+ version"),
    ),
    (
        "sports",
        (
            "yoga mat",
            "dumbbells",
            "tennis racket",
            "football",
            "running shorts",
            "swim goggles",
            "kettlebell",
        ),
        ("6 mm", "10 kg", "size 5", "grip 2", "2 x 5 kg", "16 kg", "size M"),
    ),
    (
        "books",
        ("cookbook", "novel", "notebook", "weekly planner", "sketchbook", "children's book"),
        ("hardcover", "paperback", "A5", "large print", "the 2025 edition", "dotted pages"),
    ),
    (
        "jewelry",
        ("silver ring", "necklace", "hoop earrings", "bracelet", "watch", "pendant"),
        ("ring size 7", "an 18 inch chain", "rose gold", "size N", "ring size 6.5", "gold plated"),
    ),
    (
        "pets",
        (
            "dog harness",
            "cat food",
            "dog bed",
            "litter box",
            "chew toy",
            "fish tank",
            "cat tree",
            "dog collar",
        ),
        ("size L", "2 kg", "chicken flavor", "medium breed", "20 gallon", "XS", "salmon flavour", "7 kg bag"),
    ),
    (
        "kitchen",
        ("blender", "frying pan", "coffee maker", "knife set", "kettle", "dinner set", "food processor"),
        ("28cm", "1.5 L", "stainless steel", "the 12 piece", "24 cm", "black", "the 1000W"),
    ),
    (
        "luggage",
        ("suitcase", "backpack", "carry-on bag", "duffel bag", "laptop sleeve"),
        ("cabin size", "the 28 inch", "40 L", "15 inch", "large", "olive green"),
    ),
)

BRANDISH = (
    "Aurora",
    "Orbit",
    "Nimbus",
    "Vega",
    "Kestrel",
    "Lumen",
    "Atlas",
    "Zephyr",
    "Solace",
    "Tundra",
    "Maple",
    "Halo",
    "Nova",
    "Cobalt",
    "Willow",
    "Summit",
    "Pebble",
    "Drift",
    "Ember",
    "Juniper",
    "Terra",
    "Quill",
    "Boreal",
    "Sable",
)
MODELS = (
    "MT5000",
    "X2",
    "Pro 14",
    "65",
    "Air",
    "Max",
    "Lite",
    "V3",
    "S200",
    "3000",
    "GT",
    "Mini",
    "Plus",
    "75",
    "Z9",
)
GENERIC_PRODUCTS = (
    "it",
    "this item",
    "this product",
    "the item",
    "this one",
    "that one",
    "the one in the picture",
    "the product",
    "this",
)
COLORS = (
    "black",
    "white",
    "navy",
    "red",
    "olive",
    "beige",
    "pink",
    "sage green",
    "charcoal",
    "burgundy",
    "sky blue",
    "mustard",
    "silver",
    "gold",
)
MATERIALS = (
    "cotton",
    "leather",
    "wool",
    "bamboo",
    "stainless steel",
    "plastic",
    "aluminium",
    "solid wood",
    "linen",
    "polyester",
    "silicone",
    "glass",
)
SCENTS_FLAVORS = (
    "lavender",
    "vanilla",
    "unscented",
    "mint",
    "strawberry",
    "chocolate",
    "citrus",
    "coconut",
    "salted caramel",
    "original",
    "sandalwood",
    "peach",
)
FEATURES = (
    "waterproof",
    "dishwasher safe",
    "machine washable",
    "gluten free",
    "vegan",
    "cruelty free",
    "BPA free",
    "rechargeable",
    "hypoallergenic",
    "organic",
    "wireless",
    "foldable",
    "recyclable",
    "sulfate free",
    "noise cancelling",
    "microwave safe",
)
DEVICES = (
    "iPhone",
    "Android phone",
    "MacBook",
    "Windows laptop",
    "iPad",
    "PS5",
    "Samsung TV",
    "Pixel",
    "car",
    "Mac",
)
COUNTRIES = (
    "Canada",
    "the UK",
    "Australia",
    "Germany",
    "India",
    "Mexico",
    "Ireland",
    "New Zealand",
    "France",
    "Japan",
    "Brazil",
    "the US",
    "Singapore",
    "South Africa",
    "the Netherlands",
    "Norway",
    "Dubai",
    "Puerto Rico",
    "Alaska",
    "Hawaii",
)
CITIES = (
    "Paris",
    "London",
    "Tokyo",
    "New York",
    "Berlin",
    "Mumbai",
    "Toronto",
    "Sydney",
    "Madrid",
    "Chicago",
    "Lisbon",
    "Bangkok",
    "Dublin",
    "Rome",
    "Seattle",
    "Cape Town",
    "Austin",
    "Delhi",
)
CARRIERS = (
    "UPS",
    "FedEx",
    "DHL",
    "USPS",
    "Royal Mail",
    "Canada Post",
    "Australia Post",
    "DPD",
    "Evri",
    "Blue Dart",
    "Delhivery",
    "PostNL",
    "GLS",
    "Purolator",
)
PAY_METHODS = (
    "PayPal",
    "Apple Pay",
    "Google Pay",
    "Klarna",
    "Afterpay",
    "Affirm",
    "UPI",
    "Venmo",
    "Amex",
    "a Visa debit card",
    "Mastercard",
    "bank transfer",
    "crypto",
    "Shop Pay",
    "Paytm",
    "iDEAL",
    "cash on delivery",
    "a prepaid card",
    "Zip",
    "Sezzle",
)
CODES = ("SAVE20", "WELCOME10", "SPRING15", "FREESHIP", "VIP25", "BDAY10", "SUMMER30", "NEWBIE5", "FLASH40")
AMOUNTS = (
    "$49.99",
    "€120",
    "£35",
    "Rs 2,499",
    "$12",
    "$310",
    "€18.50",
    "£89",
    "$7.95",
    "A$64",
    "₹899",
    "$1,200",
)
WHENS = (
    "yesterday",
    "last week",
    "on Monday",
    "3 days ago",
    "two weeks ago",
    "last month",
    "on the 5th",
    "this morning",
    "10 days ago",
    "on Black Friday",
    "a few days back",
    "over a week ago",
)
DURATIONS = (
    "3 days",
    "a week",
    "two weeks",
    "10 days",
    "a month",
    "5 business days",
    "48 hours",
    "3 weeks",
    "ages",
)
# Option names a shopper asks advice about (which one to choose), beyond size and fit.
OPTION_NAMES = (
    "wattage",
    "voltage",
    "strength",
    "firmness",
    "thread count",
    "tog rating",
    "SPF",
    "volume",
    "capacity",
    "thickness",
    "weight",
    "brightness",
    "switch type",
    "layout",
    "finish",
    "heel height",
    "grind",
    "roast",
    "pack size",
    "storage",
    "screen size",
    "battery capacity",
    "bristle type",
    "fill power",
)
RELATIVES = (
    "my mom",
    "my son",
    "my wife",
    "my husband",
    "my daughter",
    "a friend",
    "my dad",
    "my sister",
    "my boss",
)
FIRST_NAMES = (
    "noah",
    "emma",
    "liam",
    "olivia",
    "aarav",
    "sofia",
    "mateo",
    "priya",
    "lucas",
    "chloe",
    "kenji",
    "zoe",
)
LAST_NAMES = ("smith", "patel", "garcia", "nguyen", "kim", "okafor", "rossi", "muller", "silva", "brown")
DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.co.uk", "icloud.com", "proton.me", "example.com")

# Out-of-scope fillers
AIRLINES = (
    "Delta",
    "Ryanair",
    "Emirates",
    "United",
    "Air India",
    "Lufthansa",
    "easyJet",
    "Qantas",
    "Southwest",
)
BANKS = ("Chase", "HSBC", "Barclays", "Wells Fargo", "my bank", "Revolut", "SBI", "Monzo", "Bank of America")
SERVICES = (
    "Netflix",
    "Spotify",
    "Disney+",
    "Hulu",
    "Amazon Prime Video",
    "my gym",
    "YouTube Premium",
    "Xbox Game Pass",
    "Audible",
    "my Adobe",
)
RIDES = ("Uber", "Lyft", "Uber Eats", "DoorDash", "Deliveroo", "Grubhub", "Instacart", "Bolt")
TEAMS = (
    "the Lakers",
    "Real Madrid",
    "Arsenal",
    "the Yankees",
    "the Chiefs",
    "India",
    "the Warriors",
    "Barcelona",
)
DISHES = (
    "lasagna",
    "pad thai",
    "banana bread",
    "chicken curry",
    "pancakes",
    "risotto",
    "sourdough",
    "guacamole",
)
SUBJECTS = ("algebra", "chemistry", "history", "physics", "biology", "calculus", "economics", "geography")
LANGS = ("python", "javascript", "java", "sql", "c++", "rust", "excel formulas", "html")
UTILITIES = ("electricity", "water", "gas", "internet", "phone", "council tax", "cable")
TELCOS = ("Verizon", "AT&T", "T-Mobile", "Vodafone", "Airtel", "Jio", "my carrier", "EE")
NUMS = tuple(str(n) for n in (2, 3, 4, 5, 7, 8, 12, 15, 17, 23, 36, 48, 64, 99, 120, 256))


def _order_number(rng: random.Random) -> str:
    """Order numbers in the formats different store platforms use."""
    kind = rng.randrange(10)
    if kind == 0:
        return f"#{rng.randint(1001, 9999)}"
    if kind == 1:
        return f"W{rng.randint(1000000, 9999999)}"
    if kind == 2:
        return f"SO-{rng.randint(10000, 99999)}"
    if kind == 3:
        return f"ORD-{rng.randint(2022, 2025)}-{rng.randint(1000, 9999)}"
    if kind == 4:
        return str(rng.randint(100000000, 109999999))
    if kind == 5:
        return f"#{rng.randint(10000, 99999)}"
    if kind == 6:
        return f"{rng.randint(1001, 9999)}"
    if kind == 7:
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        return "".join(rng.choice(letters + "23456789") for _ in range(7))
    if kind == 8:
        return f"#SB{rng.randint(100000, 999999)}"
    return f"{rng.randint(111, 999)}-{rng.randint(1000000, 9999999)}-{rng.randint(1000000, 9999999)}"


def _email(rng: random.Random) -> str:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    sep = rng.choice((".", "_", "", ""))
    tail = rng.choice(("", "", str(rng.randint(1, 99))))
    return f"{first}{sep}{last}{tail}@{rng.choice(DOMAINS)}"


def _named(rng: random.Random, noun: str) -> str:
    form = rng.randrange(5)
    if form == 0:
        return f"{rng.choice(BRANDISH)} {noun}"
    if form == 1:
        return f"{rng.choice(MODELS)} {noun}"
    if form == 2:
        return f"{rng.choice(BRANDISH)} {rng.choice(MODELS)} {noun}"
    if form == 3:
        return f"{noun} {rng.choice(MODELS)}"
    return f"{rng.choice(BRANDISH)} {noun}"


class _Ctx:
    """Per-row filler state, so {p} and {opt} in one row come from the same store kind."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.kind, self.nouns, self.options = rng.choice(CATALOG)
        self.noun = rng.choice(self.nouns)

    def product(self, allow_generic: bool = True) -> str:
        r = self.rng.random()
        if allow_generic and r < 0.18:
            return self.rng.choice(GENERIC_PRODUCTS)
        if r < 0.55:
            return "the " + self.noun
        if r < 0.9:
            return "the " + _named(self.rng, self.noun)
        return _named(self.rng, self.noun)


def _fill_slot(name: str, ctx: _Ctx) -> str:
    rng = ctx.rng
    fillers: dict[str, Callable[[], str]] = {
        "p": lambda: ctx.product(),
        "P": lambda: ctx.product(allow_generic=False),
        "noun": lambda: ctx.noun,
        "nouns": lambda: ctx.noun if ctx.noun.endswith("s") else ctx.noun + "s",
        "name": lambda: _named(rng, ctx.noun),
        "noun2": lambda: rng.choice(rng.choice(CATALOG)[1]),
        "opt": lambda: rng.choice(ctx.options),
        "color": lambda: rng.choice(COLORS),
        "material": lambda: rng.choice(MATERIALS),
        "scent": lambda: rng.choice(SCENTS_FLAVORS),
        "feature": lambda: rng.choice(FEATURES),
        "device": lambda: rng.choice(DEVICES),
        "o": lambda: _order_number(rng),
        "e": lambda: _email(rng),
        "country": lambda: rng.choice(COUNTRIES),
        "city": lambda: rng.choice(CITIES),
        "carrier": lambda: rng.choice(CARRIERS),
        "pay": lambda: rng.choice(PAY_METHODS),
        "code": lambda: rng.choice(CODES),
        "amt": lambda: rng.choice(AMOUNTS),
        "when": lambda: rng.choice(WHENS),
        "dur": lambda: rng.choice(DURATIONS),
        "rel": lambda: rng.choice(RELATIVES),
        "optname": lambda: rng.choice(OPTION_NAMES),
        "n": lambda: rng.choice(NUMS),
        "airline": lambda: rng.choice(AIRLINES),
        "bank": lambda: rng.choice(BANKS),
        "service": lambda: rng.choice(SERVICES),
        "ride": lambda: rng.choice(RIDES),
        "team": lambda: rng.choice(TEAMS),
        "dish": lambda: rng.choice(DISHES),
        "subject": lambda: rng.choice(SUBJECTS),
        "lang": lambda: rng.choice(LANGS),
        "utility": lambda: rng.choice(UTILITIES),
        "telco": lambda: rng.choice(TELCOS),
    }
    return fillers[name]()


# --------------------------------------------------------------------------------------------
# Templates (written for this module). Slots: see _fill_slot. One template = one split unit.
# --------------------------------------------------------------------------------------------

TEMPLATES: dict[str, tuple[str, ...]] = {
    "order_status": (
        "Where's order {o}?",
        "Any news on {o}",
        "track order",
        "tracking",
        "wismo",
        "order update",
        "Can you tell me where my package is? Order {o}",
        "Has order {o} left the warehouse yet?",
        "I ordered {p} {when} and it still hasn't shown up.",
        "The tracking for {o} hasn't moved in {dur}, is it lost?",
        "My {carrier} tracking says delivered but there's nothing at my door",
        "When is {o} going to arrive?",
        "Is my {noun} out for delivery today?",
        "what's the ETA on my order",
        "Has my {noun} been shipped? I paid {when}",
        "Could you look up order {o} for me, the email is {e}",
        "order no {o} status",
        "Status of my order pls, {e}",
        "Can I get a tracking number for the {noun} I bought {when}?",
        "It's been {dur} and my parcel is still 'processing'",
        "why hasn't my order shipped yet, it's been {dur}",
        "I need to update the delivery address on order {o}",
        "Can you send order {o} to my work address instead?",
        "I moved, can you change the shipping address on my order before it goes out?",
        "typo in the street name on my order {o}, can you correct it",
        "Please change the apartment number on my order, it's {n}B not {n}A",
        "Can I add a gate code / delivery instructions to my order?",
        "The courier came while I was out, how do I get my package now?",
        "My package shows 'exception' on {carrier}, what does that mean for my order?",
        "Only part of my order arrived, where's the rest of it?",
        "I got a shipping confirmation but the tracking link shows nothing",
        "Is order {o} going to make it before {when2}?",
        "I need my {noun} by Friday, will my order get here in time?",
        "So I ordered {p} for {rel}'s birthday {when} and it's supposed to be a gift, "
        "the party is this weekend and I have no idea where the package is. Can you check?",
        "hi i placed an order {when} with {e} and havent heard anything since, no email no tracking nothing",
        "which carrier is my order coming with",
        "Did you receive my order? I never got a confirmation email. {e}",
        "Was my order {o} actually placed? The page crashed after I paid",
        "Has my parcel been handed to {carrier} yet?",
        "My order says shipped {when} but the tracking hasn't updated",
        "Can you check whether {o} was delivered to the right address?",
        "ordered {when} still nothing",
        "where my stuff at",
        "yo where is my {noun}",
        "Is there a delay with my order {o}?",
        "What day will my {noun} be delivered?",
        "Can I pick a different delivery day for my order?",
        "Has my preorder for {p} shipped yet?",
        "Order {o} - estimated delivery?",
        "I'm still waiting on my delivery from {when}",
        "Please check on my package, it's been sitting at the {carrier} depot for {dur}",
    ),
    "cancel_order": (
        "cancel",
        "cancel order {o}",
        "Please cancel my order {o}",
        "I'd like to cancel the {noun} I ordered {when}",
        "Can I still cancel order {o} or has it shipped?",
        "I placed the order twice by accident, please cancel one of them",
        "Cancel my order, I found it cheaper elsewhere",
        "I need to cancel, I ordered the wrong {noun}",
        "How do I cancel an order I just placed?",
        "Is there a cancel button somewhere for my order?",
        "I don't need {p} anymore, can you stop the order?",
        "Please don't send order {o}, I want to cancel",
        "cancel pls",
        "want to cancel my purchase from {when}",
        "Can I cancel just one item from my order?",
        "Please remove {p} from my order before it ships",
        "Cancel my preorder for {p}",
        "Changed my mind about {p}, cancel it please",
        "I want to cancel the whole order {o}, email is {e}",
        "How long do I have to cancel after ordering?",
        "If I cancel now will I get charged anything?",
        "can u cancel my order im moving",
        "Stop the shipment of order {o}, I don't want it",
        "Cancel the subscription box order before the next one ships",
        "I ordered the wrong size of {noun}, just cancel it and I'll reorder",
        "My order is taking too long, I'd rather cancel it",
        "Is it possible to cancel an order that says processing?",
        "i accidentally bought {p} pls cancel",
        "Hi, I'd like to cancel order {o}. I ordered it {when} but I no longer need it, thank you.",
        "I've been waiting {dur} for order {o} and honestly I just want to cancel it at this point",
        "Can you cancel my order and refund the card? Haven't shipped yet I think",
        "How do I cancel my order on the app?",
        "Cancellation request for {o}",
        "Please void my order, wrong shipping country",
        "Kill the order, I don't want it",
        "I want to cancel part of my order, the {noun2}",
        "My {rel} placed an order on my account by mistake, cancel please",
        "Can I cancel a sale order?",
        "is my order cancelled? I asked yesterday",
        "cancel the {noun}",
        "I'd like to withdraw my order {o}",
        "Please call off my order, I'll buy it in store instead",
    ),
    "return_refund": (
        "refund",
        "return",
        "returns",
        "refund status",
        "How do I return {p}?",
        "I want to send back {p}, it's not what I expected",
        "What's the return window for {nouns}?",
        "Can I return {p} if I've opened the box?",
        "I'd like a refund for order {o}",
        "Where is my refund for order {o}? I sent it back {when}",
        "I returned the {noun} {dur} ago and still haven't been refunded",
        "Has my refund been processed yet? {e}",
        "When will the refund show up on my card?",
        "My refund was only partial, where's the rest?",
        "{p} arrived broken, I want my money back",
        "The {noun} I got is damaged, can I get a replacement?",
        "You sent me the wrong item, I ordered {p}",
        "I received someone else's order, how do I send it back?",
        "{p} stopped working after {dur}, can I return it?",
        "Is return shipping free?",
        "Do I need the original packaging to return {p}?",
        "Can I return a gift without the receipt?",
        "How do I print a return label?",
        "Can I drop my return off at a {carrier} location?",
        "Are final sale items returnable?",
        # eligibility of one order or item: a return question even when it names an order
        "Can I still return order {o}?",
        "Is {o} still within the return window?",
        "is it too late to send back {p}?",
        "Am I still able to return the {noun} from {o}?",
        "Does order {o} qualify for a return?",
        "how many days do I have left to return {o}",
        "got {p} {when}, can it still go back?",
        "is the {noun} I bought {dur} ago still returnable",
        "my order {o} arrived {dur} ago, am I past the return deadline?",
        "Can {o} be refunded or is it too late?",
        "When does the return period end for my order {o}? {e}",
        "are the {nouns} in my last order eligible for a refund",
        "Can I get store credit instead of a refund?",
        "Can I return {p} bought on sale?",
        "How long does a refund take after you get the return?",
        "Do you refund the shipping cost too?",
        "The {noun} is missing a part, I want a refund",
        "I don't like {p}, can I send it back for my money?",
        "return my {noun} pls",
        "I want to return part of order {o}",
        "i got a refund email but no money in my account",
        "Refund to original payment method or gift card?",
        "{p} looks nothing like the photos, how do I return it?",
        "My {noun} came with a scratch, I'd like it replaced",
        "Can I return {nouns} after {dur}?",
        "What items can't be returned?",
        "I ordered {p} for {rel} but they already have one, can I return it "
        "even though it's been almost a month? I still have the box and tags.",
        "Ok so the {noun} arrived {when}, the box was crushed and the thing inside is cracked. "
        "What do I do to get a refund?",
        "The seal on {p} was broken when it arrived, I want to return it",
        "You charged me a restocking fee on my return, why?",
        "I shipped my return back {when}, did you receive it?",
        "The expiry date on {p} has passed, I want a refund",
        "Return request for {o}, reason: defective",
        "money back pls",
        "I want to return {p}. Order {o}, email {e}",
        "Did my return arrive at your warehouse?",
        "My refund says pending for {dur}",
    ),
    "exchange_size": (
        "exchange size",
        "size exchange",
        "Can I swap {p} for {opt}?",
        "I'd like to exchange my {noun} for {opt}",
        "The {noun} is too small, can I exchange it for a bigger one?",
        "{p} is a bit big, I'd like to swap it for the next size down",
        "Can I exchange the {noun} I got for a different color?",
        "Exchange the {color} {noun} for {color2} please",
        "How do I do an exchange for a different size?",
        "I want to exchange order {o} for {opt}",
        "Can you send me {opt} instead and I'll send the other one back?",
        "swap to {opt} pls",
        "Do you do free size swaps?",
        "I ordered {opt} but need a size up, exchange?",
        "Is it possible to trade {p} for another variant?",
        "Could I exchange my {noun} for {opt}? Order {o}",
        "The {noun} doesn't fit, I need to change it to {opt}",
        "I got {opt} and it's tight, can I swap sizes?",
        "Can I exchange my {noun} for the {color} one?",
        "Exchange {opt} for a smaller one",
        "I want the same {noun} just in {opt}, can we swap?",
        "my {noun} is too long, can i exchange for a shorter size",
        "Can I exchange a gift for a different size?",
        "exchange for {opt}",
        "How long do I have to exchange sizes?",
        "Do I pay shipping on a size exchange?",
        "Bought {opt} for {rel} but it's too big, swap it for a smaller size?",
        "Hi, the {noun} I got is lovely but way too snug, could I exchange it for one size bigger? "
        "I'd rather not do a refund.",
        "Can I swap my {noun} for {opt} if I've already worn it once?",
        "I need {opt} instead of what I got, can you exchange it",
        "Can I exchange the {scent} one for {scent2}?",
        "Please exchange my {noun}, wrong size, {e}",
        "I'd like a different size of {p}, not a refund",
        "Is an exchange for a different size faster than return and reorder?",
        "Exchanging {nouns} for a bigger size how?",
        "my kid grew, can i exchange {p} for {opt}",
        "Change {opt} to a larger size on my exchange please",
        "Can I swap the {noun} for a different model of the same price?",
        "i want exchange size",
        "Can I exchange in store for a different size?",
    ),
    "size_availability_or_fit": (
        "Do you have {p} in {opt}?",
        "Is {P} available in {opt}?",
        "{opt} in stock?",
        "Is {opt} of the {noun} back in stock?",
        "When will {p} be restocked in {opt}?",
        "Any {opt} left of {p}?",
        "Does {p} run small?",
        "Does {p} run large or true to size?",
        "How does {p} fit?",
        "I'm usually {opt}, what should I get in the {noun}?",
        "Should I size up in {p}?",
        "Is there a size guide for the {noun}?",
        "Do you have {p} in {color}?",
        "Is the {color} {noun} in stock?",
        "What sizes does {p} come in?",
        "is {P} in stock",
        "Is {p} sold out?",
        "Can I get notified when {opt} is back?",
        "How many {nouns} do you have left in {opt}?",
        "Do you stock {p} in {scent}?",
        "is {opt} available",
        "{opt}?",
        "what about {opt}",
        "Is the {noun} roomy or snug?",
        "Is the {noun} narrow? I have wide feet",
        "I'm 5'9 and 160 lbs, what size {noun} would fit me?",
        "Will {p} fit a {opt2} frame?",
        "Does the {noun} come in {opt}?",
        "Is {opt} the same as a US {n}?",
        "Measurements for {opt} of {p}?",
        "how long is the {noun} in {opt}",
        "Which size of {p} would fit {rel}?",
        "Do you have {p} in {opt} in {color}?",
        "Is {opt} going to be restocked soon?",
        "Out of stock in {opt}, will you get more?",
        "Do you have any {nouns} left in {opt} and {color}?",
        "Is {p} available in a bigger size?",
        "Are your {nouns} true to size?",
        "Hey, I'm looking at {p} and usually wear {opt} but I read some reviews saying it runs small, "
        "should I order one size up?",
        "Do you still have {P} in stock? The page says low stock",
        "available in {opt}",
        "does it fit true to size",
        "does {p} fit a {opt}",
        "What's the inseam / length on {opt}?",
        "can i get {p} in {opt} or is it gone",
        "Is there {opt} in the {color} version?",
        "Will {p} be available again?",
        "Check stock for {P} in {opt} please",
    ),
    "shipping_delivery": (
        "shipping",
        "delivery cost",
        "shipping to {country}",
        "Do you ship to {country}?",
        "How long does delivery take to {country}?",
        "How much is shipping to {country}?",
        "What does standard shipping cost?",
        "Is shipping free over {amt}?",
        "What's the minimum order for free delivery?",
        "Which carriers do you use, {carrier}?",
        "Do you ship with {carrier}?",
        "Can I choose {carrier} at checkout?",
        "How fast is express delivery?",
        "Do you offer same day delivery in {city}?",
        "If I order {p} today when would it arrive?",
        "If I order before noon, does it ship the same day?",
        "Do you deliver on Saturdays?",
        "Do you ship to PO boxes or APO addresses?",
        "Will I have to pay customs or import duties in {country}?",
        "Do you ship internationally, and how much is it?",
        "How long does it take to ship {p}?",
        "Do large items like {p} cost extra to ship?",
        "Is there click and collect / store pickup?",
        "Do you deliver to {city}?",
        "How long for delivery to {city}?",
        "What are your shipping rates?",
        "Is overnight shipping available?",
        "Do you ship {nouns} abroad?",
        "can you deliver to a hotel",
        "Do you have a delivery slot for the weekend?",
        "How are fragile items like {p} packed for shipping?",
        "Does {p} ship from a local warehouse?",
        "Do you ship to the Canary Islands?",
        "is delivery free",
        "How many business days is standard shipping?",
        "Do you do white glove delivery for {nouns}?",
        "Will {p} arrive before Christmas if I order now?",
        "Hi there, thinking of ordering a few things and wanted to know if you ship to {country} "
        "and roughly how long it takes, I'm not in a rush.",
        "What's your order cutoff time for next day delivery?",
        "do u ship to {country}",
        "Do you need a signature on delivery?",
        "Can you ship to a parcel locker?",
        "How much is express shipping to {city}?",
        "Are there shipping delays to {country} right now?",
        "Do you deliver to rural areas?",
        "Is delivery to {country} tracked?",
        "Are your orders shipped in plain packaging?",
        "Do you ship hazardous items like {p} by air?",
        "what courier does {country} use for your orders",
    ),
    "payment_billing": (
        "EMI",
        "payment",
        "invoice",
        "coupon",
        "Do you accept {pay}?",
        "Can I pay with {pay}?",
        "Is {pay} available at checkout?",
        "Can I split the payment on {p} into installments?",
        "Do you offer EMI on {p}?",
        "Is there a no-interest monthly payment plan?",
        "Can I pay for {p} in 4 payments with {pay}?",
        "I was charged twice for order {o}",
        "My card got billed two times for the same order",
        "You charged me {amt} but the total was {amt2}",
        "My payment failed but the money left my account",
        "The checkout keeps declining my card",
        "Why does {pay} not work on your site?",
        "Can I get an invoice for order {o}?",
        "I need a VAT invoice with my company name",
        "Please email the receipt for {o} to {e}",
        "Where can I download my invoice?",
        "Coupon code {code} isn't working",
        "My discount code {code} says expired",
        "Can I use two promo codes on one order?",
        "I forgot to apply {code}, can you add it to my order?",
        "Do you price match? I saw {p} for {amt} elsewhere",
        "The price dropped after I bought {p}, can I get the difference?",
        "Can I use a gift card and {pay} together?",
        "How do I check my gift card balance?",
        "Is there a student discount?",
        "Do you charge sales tax?",
        "Why was I charged a fee for {pay}?",
        "Can I pay in {currency}?",
        "Is my payment information secure?",
        "There's a pending charge of {amt} I don't recognise from your store",
        "What does the charge from your store on my statement mean?",
        "Can I change the card on my order?",
        "I want to pay by bank transfer, what are the details?",
        "Is cash on delivery possible for {p}?",
        "My {pay} payment is stuck on pending",
        "How do I apply a discount code?",
        "any discount codes",
        "price match",
        "Do you have a military or nurse discount?",
        "Can I pay the rest later?",
        "can i pay in emi for {p}",
        "Hi, I bought {p} {when} and looking at my bank statement I've been charged {amt} twice, "
        "can you sort that out please?",
        "Do you accept corporate purchase orders?",
        "Can I get a quote for {n} units of {p}?",
        "Why was my card authorised for more than the order total?",
        "Can you resend the invoice, the one I got has the wrong address",
    ),
    "account": (
        "login",
        "password",
        "forgot password",
        "I can't sign in to my account",
        "The password reset email never arrives, {e}",
        "How do I reset my password?",
        "My account says locked after too many tries",
        "How do I change the email on my account to {e}?",
        "Can I update my phone number on my profile?",
        "How do I change my saved address in my account settings?",
        "Please delete my account and my data",
        "How do I unsubscribe from your newsletter?",
        "Stop sending me marketing emails",
        "I keep getting promo texts, how do I opt out?",
        "Sign me up for the newsletter",
        "How do I make an account?",
        "Can I check out as a guest without an account?",
        "I have two accounts, can you merge them?",
        "Where do I see my past orders in my account?",
        "My login code never comes through",
        "How do I turn on two-factor authentication?",
        "Someone else logged into my account, I think it's hacked",
        "I signed up with Google, how do I set a password?",
        "The site logs me out every few minutes",
        "Can I change my username?",
        "How do I update my name on my profile?",
        "My email {e} is already registered but I never made an account",
        "How many loyalty points are in my account?",
        "Where do I see my rewards balance on my profile?",
        "Can I save a card to my account?",
        "How do I remove a saved card from my profile?",
        "Verification email link expired",
        "account locked",
        "reset my pw pls",
        "cant log into my account on the app",
        "How do I change my communication preferences?",
        "Can you deactivate my account for a while?",
        "Can I add {rel} to my account?",
        "How do I manage my wishlist?",
        "My wishlist disappeared after I logged in",
        "I forgot which email I used to sign up",
        "Hey so I made an account ages ago with my old work email and now I can't get into it, "
        "can I move everything to {e}?",
        "Is my account data shared with third parties?",
        "How do I download a copy of my personal data?",
        "I don't want a membership anymore, cancel my store membership",
        "how to sign up",
        "unsubscribe",
        "profile settings",
    ),
    "complaint_or_human": (
        "agent",
        "human please",
        "speak to someone",
        "Can I talk to a real person?",
        "Get me a human, this bot is useless",
        "I want to speak with customer service",
        "Transfer me to an agent",
        "Is there a phone number I can call?",
        "How do I reach your support team by email?",
        "What hours is your support team available?",
        "Put me through to a manager",
        "I want to make a formal complaint",
        "This is the worst customer service I've ever had",
        "Your delivery company was rude to me",
        "The quality of {p} is terrible, really disappointed",
        "Honestly your products have gone downhill",
        "I've emailed three times and nobody answers",
        "I've been waiting {dur} for someone to reply to me",
        "You people never answer your emails",
        "Absolutely unacceptable service",
        "I'm so done with this store",
        "I'm going to report you to consumer protection",
        "I'll leave a one star review if nobody helps me",
        "This chatbot keeps going in circles",
        "you're not understanding me, human please",
        "stop, I want a person",
        "Can someone from your team call me?",
        "Is there a live chat with a person?",
        "Let me talk to a supervisor about order {o}",
        "I need a human for a complicated issue",
        "Your staff at the {city} store were really unhelpful",
        "Very unhappy with how my issue was handled",
        "{p} feels cheap, not worth the money, very disappointed in your brand",
        "Agent please, {e}",
        "This is ridiculous, {dur} and still no answer",
        "Nobody from support has got back to me about my ticket",
        "I want to escalate my case",
        "Where can I leave feedback about the service?",
        "I want to complain about the packaging, everything was thrown in a bag",
        "Your website is a mess and checkout is a nightmare",
        "I'm really frustrated, I have explained this three times already to your team and every time "
        "someone tells me something different. I want a real person who can actually fix it.",
        "operator",
        "representative please",
        "real human",
        "talk to person",
        "Can I book a call with your support?",
        "wtf is wrong with your service",
        "HELLO?? IS ANYONE THERE, I NEED HELP",
    ),
    "product_question": (
        "What is {p} made of?",
        "Is {p} {feature}?",
        "Is the {noun} made of {material}?",
        "Does {p} come with a warranty?",
        "How long is the warranty on the {noun}?",
        "Is {p} compatible with my {device}?",
        "Will {p} work with a {device}?",
        "What are the ingredients in {p}?",
        "Does {p} contain nuts or gluten?",
        "How do I use {p}?",
        "How do I set up the {noun}?",
        "How do I clean {p}?",
        "Care instructions for the {noun}?",
        "What are the dimensions of {p}?",
        "How heavy is {p}?",
        "What's the battery life on {p}?",
        "What's the difference between {p} and the {name}?",
        "Which is better for {rel}, {p} or the {name}?",
        "Can you recommend a {noun} for a beginner?",
        "Do you sell {nouns}?",
        "Do you carry {noun2} too?",
        "How much does {p} cost?",
        "Price of {p}?",
        "Is {p} worth it?",
        "What colors does {p} come in?",
        "Does {p} come in {scent}?",
        "What does {p} smell like?",
        "Is {p} suitable for sensitive skin?",
        "Is {p} safe for kids?",
        "Is {p} good for outdoor use?",
        "Where is {p} made?",
        "Is {p} authentic / original brand?",
        "Does {p} need assembly?",
        "What's in the box with {p}?",
        "Does {p} come with batteries?",
        "What's the shelf life of {p}?",
        "How often should I use {p}?",
        "Can {p} be used in the rain?",
        "Is the {noun} {material} or synthetic?",
        "Does the {noun} have a {feature} version?",
        "Is there a manual for {p}?",
        "specs of {p}",
        "{noun} material",
        "warranty",
        "ingredients",
        "I'm comparing {p} with the {name}, which one has the better build quality and is it "
        "really worth paying the extra?",
        "Does {p} come with a charger?",
        "Are the parts on {p} replaceable?",
        "Is {p} suitable for a small apartment?",
        "Is {p} okay for pets?",
        "Tell me more about {p}",
        "Is {p} a new model or last year's?",
        "Can I engrave {p}?",
        "Do you sell gift wrap with {nouns}?",
        "what voltage does {p} use",
        "Which {optname} should I get for {p}?",
        "What {optname} do I need for a {noun}?",
        "How do I choose the right {optname} for {p}?",
        "Not sure which {optname} to pick for the {noun}, any advice?",
        "What {optname} would you recommend for {rel}?",
        "Is a higher {optname} better on {p}?",
        "which {optname} is best for a beginner",
        "what {optname} should my {noun} have",
    ),
    "greeting": (
        "hi",
        "hi!",
        "hello there",
        "hey!",
        "heyy",
        "hiya",
        "howdy",
        "good afternoon",
        "morning",
        "evening!",
        "hello, anyone?",
        "hi, I have a question",
        "hey, quick question",
        "hello team",
        "sup",
        "hola",
        "namaste",
        "bonjour",
        "thank you so much",
        "thanks!",
        "thx",
        "ty",
        "cheers",
        "cheers, that helps",
        "perfect, thanks",
        "great, thank you!",
        "thanks for your help",
        "thanks that's all",
        "appreciate it",
        "awesome thanks",
        "ok got it",
        "okay cool",
        "alright",
        "sounds good",
        "bye!",
        "goodbye",
        "see ya",
        "have a nice day",
        "that's everything, bye",
        "thanks, bye",
        "nice, thank you, have a good one",
        "hello good morning",
        "hi how are you",
        "hey hows it going",
        "you've been very helpful, thanks",
        "thanks a ton",
        "much appreciated",
        "no that's all thanks",
        "nope, all good",
        "great",
    ),
    "out_of_scope": (
        # banking
        "How do I transfer money to another account with {bank}?",
        "I forgot my card PIN at {bank}",
        "What are the current mortgage rates?",
        "What's my account balance at {bank}?",
        "Is {bank} open on Sunday?",
        "is the bank open today",
        "How do I get a personal loan?",
        "What's the interest rate on a savings account?",
        "My {bank} card was charged twice by a restaurant",
        "How do I dispute a charge with my credit card company?",
        "How do I raise my credit card limit?",
        "block my lost debit card",
        "Send {amt} to my brother",
        "What's the exchange rate of dollar to euro?",
        "How many rupees is {amt}?",
        "How do I open a bank account abroad?",
        # other companies' accounts and logins (not this store's account)
        "I can't log in to {bank} online banking",
        "reset my {bank} app password",
        "online banking keeps saying my password is wrong",
        "how do I change my internet banking username",
        "I'm locked out of my {bank} account after too many tries",
        "my {service} account is locked, how do I unlock it",
        "turn on two-factor authentication for my {service} account",
        "forgot the PIN for my {telco} account",
        "change the email address on my {service} login",
        "{bank} sent me a one-time passcode I didn't ask for",
        "I never got the verification code from {bank}",
        "how do I recover my Apple ID",
        "Should I invest in index funds?",
        "What's the price of gold today?",
        # travel
        "How do I track my flight?",
        "Is {airline} flight {n} on time?",
        "How much does a flight to {city} cost?",
        "Book me a hotel in {city}",
        "Do I need a visa for {country}?",
        "What's the luggage allowance on {airline}?",
        "Cancel my {airline} booking",
        "My {airline} flight was cancelled, can I get a refund?",
        "{airline} lost my suitcase",
        "How do I rent a car in {city}?",
        "What's the cheapest time to fly to {city}?",
        "Best things to do in {city}",
        "Train times from {city} to {city2}",
        "How long is the flight from {city} to {city2}?",
        "change my seat on my {airline} flight",
        "How do I renew my passport?",
        # other companies' services
        "cancel my {service} subscription",
        "How do I cancel {service}?",
        "My {ride} order is late",
        "Where is my {ride} driver?",
        "{ride} charged me for a ride I didn't take",
        "{service} charged me twice this month",
        "How do I change my {service} password?",
        "Pay my {utility} bill",
        "Why is my {telco} bill so high?",
        "Change my {telco} phone plan",
        "How do I port my number to {telco}?",
        "return a library book",
        "When is my library book due back?",
        "I want to ship a package via {carrier} myself, how much is it?",
        "How do I send a parcel to {country} at the post office?",
        "Where's the nearest {carrier} drop off point to mail my own letter?",
        "How much does it cost to mail a letter?",
        "my pizza delivery is late",
        "Track my {ride} food delivery",
        "How do I return a rental car?",
        "How do I get a refund from the cinema?",
        # tech help
        "How do I fix my wifi?",
        "Reset my router password",
        "How do I reset my {device}?",
        "My printer is not working",
        "My laptop won't turn on",
        "How do I update {device} software?",
        "Bluetooth keeps disconnecting on my {device}",
        "My {device} screen is frozen",
        "How do I free up storage on my {device}?",
        "How do I recover deleted photos?",
        "My computer has a virus",
        "Why is my internet so slow?",
        "How do I set up a VPN?",
        "How do I screenshot on a {device}?",
        # small talk
        "Tell me a joke",
        "How old are you?",
        "Are you a robot?",
        "Are you human or AI?",
        "What's the meaning of life?",
        "Do you have feelings?",
        "What's your favourite color?",
        "Do you dream?",
        "Will you marry me?",
        "Sing me a song",
        "I'm bored",
        "What's your name?",
        "Who made you?",
        "Can you keep a secret?",
        "Do you like pizza?",
        "What do you think of {team}?",
        "I had a rough day",
        "Tell me a story",
        # weather / news / sports / trivia
        "What's the weather in {city}?",
        "Will it rain tomorrow?",
        "Is it going to snow this weekend in {city}?",
        "What's the latest news?",
        "What happened in the election?",
        "Did {team} win last night?",
        "When does {team} play next?",
        "Who won the World Cup in 2014?",
        "Score of the {team} game",
        "Who painted the Mona Lisa?",
        "What's the population of {country}?",
        "How far is {city} from {city2}?",
        "What time is it in {city}?",
        "What's the capital of {country}?",
        "Who invented the light bulb?",
        "How many bones are in the human body?",
        "What is the largest ocean?",
        # cooking
        "How do I make {dish}?",
        "Give me a recipe for {dish}",
        "How long do I boil an egg?",
        "What can I cook with rice and eggs?",
        "What temperature do I bake {dish} at?",
        "Substitute for buttermilk in {dish}?",
        # math / homework / coding
        "What is {n} times {n2}?",
        "What's {n} percent of {amt}?",
        "Solve 2x + {n} = {n2}",
        "Convert {n} miles to km",
        "How many cm is 7 ft?",
        "How many ounces in a cup?",
        "Help me with my {subject} homework",
        "Write an essay about climate change",
        "Explain {subject} to me",
        "Write a {lang} function to reverse a string",
        "Why is my {lang} code throwing an error?",
        "How do I center a div?",
        "What's a good book to learn {lang}?",
        # health advice
        "What dose of ibuprofen should I take?",
        "I have a headache, what should I take?",
        "Is it safe to take paracetamol with alcohol?",
        "What are the symptoms of the flu?",
        "How many hours of sleep do I need?",
        "My back hurts, what could it be?",
        "Should I see a doctor for a fever of 39?",
        "How do I lower my blood pressure?",
        "Is it normal to have chest pain after running?",
        "How much water should I drink per day?",
        "Can I give my dog human painkillers?",
        "Best diet to lose weight fast?",
        # jobs / legal
        "Are you hiring?",
        "How do I apply for a job at your warehouse?",
        "Write my resume",
        "How do I ask for a raise?",
        "How do I file for divorce?",
        "Can my landlord evict me without notice?",
        "How do I write a will?",
        "How do I do my taxes?",
        "What's the minimum wage in {country}?",
        # general-knowledge near-misses (no store purchase in sight)
        "What size is a queen bed in cm?",
        "How big is a king size bed compared to a queen?",
        "What size tire does my car need?",
        "What is my shoe size in Japan if I'm a 42?",
        "How do I measure my ring size at home with string?",
        "What size TV should I get for a 4 meter room?",
        "How tall should a desk be for someone who is 180 cm?",
        "What's the standard size of a door?",
        "How much does a car cost to ship overseas?",
        "What does UPS stand for?",
        "How do I return a call from an unknown number?",
        "Track my stock portfolio",
        "How do I exchange currency at the airport?",
        "What's the refund policy at {city} city hall for parking fines?",
        "How do I get my deposit back from my landlord?",
        "How do I cancel my gym membership legally?",
        "Where can I buy {noun2} near me?",
        "Which is the best {noun2} brand in the world?",
        "How do I fix a flat bike tire?",
        "How do I repair a wobbly table?",
        "Why is my plant dying?",
        "How do I get red wine out of a carpet?",
        "How do I train my puppy to sit?",
        "My cat is throwing up, what should I do?",
        "I'd like to order a pizza",
        "Book a table for two at 8pm",
        "Call a taxi for me",
        "Set a timer for {n} minutes",
        "Play some jazz",
        "Remind me to buy milk",
        "Translate 'where is the station' into {lang2}",
        "What's the difference between a crocodile and an alligator?",
        "Write a birthday message for {rel}",
        "Give me a gift idea for {rel} under {amt}, anything at all",
        "How do I delete my Instagram account?",
        "I forgot my Gmail password",
        "How do I log in to my bank's app?",
        "My Facebook account got hacked",
        "How do I pay my parking ticket?",
        "When does the DMV open?",
        "I need a plumber",
        "How do I contact the police non-emergency line?",
        "Is my package from the government ready at the post office?",
        "Hi, I have a weird question, not about shopping at all: what's the best way to get from the "
        "airport to downtown {city} late at night?",
        "So my {telco} bill came in way higher than normal this month and I don't know why, "
        "can you explain the roaming charges?",
        "asdfghjkl",
        "???",
        "lorem ipsum",
        "test",
        "123456",
    ),
}

# Extra slots used by a few templates; they draw a second value of the same filler.
_SECOND: dict[str, str] = {
    "when2": "when",
    "color2": "color",
    "scent2": "scent",
    "amt2": "amt",
    "opt2": "opt",
    "city2": "city",
    "n2": "n",
}
_CURRENCIES = ("euros", "GBP", "Canadian dollars", "rupees", "AUD", "yen", "USD", "pesos")
_LANGS2 = ("Spanish", "French", "German", "Japanese", "Hindi", "Italian", "Portuguese")
_SLOT_RE = re.compile(r"\{(\w+)\}")


def _expand(template: str, ctx: _Ctx) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "when2":
            return ctx.rng.choice(("the weekend", "Friday", "Christmas", "the 20th", "my trip"))
        if name == "currency":
            return ctx.rng.choice(_CURRENCIES)
        if name == "lang2":
            return ctx.rng.choice(_LANGS2)
        return _fill_slot(_SECOND.get(name, name), ctx)

    text = _SLOT_RE.sub(sub, template)
    return text[:1].upper() + text[1:] if template[:1].isupper() else text


# --------------------------------------------------------------------------------------------
# Noise: casing, punctuation, shopper abbreviations, typos, small prefixes / suffixes
# --------------------------------------------------------------------------------------------

ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "please": ("pls", "plz", "plss"),
    "you": ("u", "ya"),
    "your": ("ur", "yr"),
    "you're": ("ur", "youre"),
    "what": ("wat", "wht", "wut"),
    "what's": ("whats", "wats"),
    "how": ("hw",),
    "are": ("r",),
    "thanks": ("thx", "thnx", "tnx"),
    "thank you": ("ty", "thank u"),
    "before": ("b4",),
    "because": ("bc", "cuz", "coz"),
    "people": ("ppl",),
    "message": ("msg",),
    "tomorrow": ("tmrw", "tmr"),
    "received": ("recieved", "recvd", "got"),
    "want to": ("wanna",),
    "going to": ("gonna",),
    "don't": ("dont", "dnt"),
    "can't": ("cant", "cnt"),
    "i'm": ("im",),
    "it's": ("its",),
    "haven't": ("havent", "havnt"),
    "doesn't": ("doesnt", "dsnt"),
    "with": ("w/", "wit"),
    "number": ("no.", "num", "#"),
    "okay": ("ok", "k"),
    "really": ("rly",),
    "about": ("abt",),
    "delivery": ("delivry", "dlvry"),
    "order": ("ordr",),
    "is there": ("is thr",),
    "to": ("2",),
    "for": ("4",),
    "know": ("kno",),
    "the": ("da", "teh"),
    "and": ("n", "&"),
    "tonight": ("2nite",),
}
_ABBR_RE = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_KEYBOARD_NEIGHBOURS = {
    "a": "qsz",
    "e": "wrd",
    "i": "uok",
    "o": "ipl",
    "u": "yij",
    "s": "adw",
    "r": "eft",
    "t": "rgy",
    "n": "bmh",
    "d": "sfe",
    "l": "kop",
    "c": "xvd",
    "m": "n",
    "h": "gjn",
    "g": "fht",
    "p": "ol",
}
_PREFIXES = {
    "any": (
        "hi ",
        "hey, ",
        "hello, ",
        "um ",
        "so ",
        "ok so ",
        "quick question: ",
        "hi team, ",
        "excuse me, ",
    ),
    "polite": ("Hi there, ", "Good morning, ", "Hello, could you help? ", "Sorry to bother you, "),
    "angry": ("seriously, ", "ugh ", "for the third time, ", "honestly, "),
}
_SUFFIXES = (
    "?",
    "??",
    "!",
    " pls",
    " please",
    " thanks",
    " thank you",
    " asap",
    " :)",
    " ...",
    " lol",
    " thx",
)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(4)
    if op == 0:  # drop a letter
        return word[:i] + word[i + 1 :]
    if op == 1:  # swap two letters
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if op == 2:  # double a letter
        return word[:i] + word[i] + word[i:]
    near = _KEYBOARD_NEIGHBOURS.get(word[i].lower())
    return word[:i] + rng.choice(near) + word[i + 1 :] if near else word[:i] + word[i + 1 :]


def _noise(text: str, intent: str, rng: random.Random) -> str:
    # prefixes / suffixes (not on greetings: "hi thanks" is fine but "hey, bye" muddles them)
    if intent != "greeting" and len(text) > 6:
        r = rng.random()
        if r < 0.07:
            text = rng.choice(_PREFIXES["any"]) + text[:1].lower() + text[1:]
        elif r < 0.10:
            text = rng.choice(_PREFIXES["polite"]) + text[:1].lower() + text[1:]
        elif r < 0.12 and intent in ("complaint_or_human", "order_status", "return_refund"):
            text = rng.choice(_PREFIXES["angry"]) + text[:1].lower() + text[1:]
        if rng.random() < 0.10:
            text = text.rstrip("?.!") + rng.choice(_SUFFIXES)
    # shopper abbreviations
    if rng.random() < 0.18:

        def abbr(m: re.Match[str]) -> str:
            if rng.random() < 0.55:
                return rng.choice(ABBREVIATIONS[m.group(0).lower()])
            return m.group(0)

        text = _ABBR_RE.sub(abbr, text)
    # casing and punctuation
    r = rng.random()
    if r < 0.45:
        text = text.lower()
    elif r < 0.47 and intent == "complaint_or_human":
        text = text.upper()
    if rng.random() < 0.30:
        text = re.sub(r"[?!.,;:'\"]+", "", text)
        text = text.replace("  ", " ")
    # typos in ~15% of rows
    if rng.random() < 0.15:
        words = text.split(" ")
        for _ in range(1 if rng.random() < 0.7 else 2):
            j = rng.randrange(len(words))
            words[j] = _typo(words[j], rng)
        text = " ".join(words)
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------

# Rows drawn per template, by intent: in-scope intents get ~450-600 rows each, out_of_scope ~27%.
_PER_TEMPLATE: dict[str, int] = {
    "order_status": 11,
    "cancel_order": 13,
    "return_refund": 11,
    "exchange_size": 13,
    "size_availability_or_fit": 11,
    "shipping_delivery": 11,
    "payment_billing": 10,
    "account": 11,
    "complaint_or_human": 11,
    "product_question": 10,
    "greeting": 11,
    "out_of_scope": 12,
}


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", "", text.lower())).strip()


def _phrasing_rows() -> set[str]:
    from apps.assistant.phrasing import PHRASES

    return {_normalise(p) for phrases in PHRASES.values() for p in phrases}


def _build(seed: int, templates: dict[str, tuple[str, ...]] | None = None) -> list[tuple[str, str, str]]:
    """(utterance, intent, template id) rows, deduplicated and conflict-free.

    Each template draws from its own random stream (seeded by the seed and its text), so adding,
    removing or moving a template leaves every other template's rows as they were."""
    templates = TEMPLATES if templates is None else templates
    banned = _phrasing_rows()
    seen_exact: set[str] = set()
    label_of: dict[str, str] = {}
    rows: list[tuple[str, str, str]] = []
    for intent in INTENTS:
        want = _PER_TEMPLATE[intent]
        for template in templates[intent]:
            tid = f"{intent}:{template}"
            rng = random.Random(f"{seed}|{tid}")
            has_slots = "{" in template
            # Slot-free templates only vary by noise: keep fewer of them.
            quota = want if has_slots else max(3, want // 3)
            got = 0
            for _attempt in range(quota * 3):
                if got >= quota:
                    break
                ctx = _Ctx(rng)
                text = _expand(template, ctx)
                # keep the clean form first, then noisy variants
                if got > 0 or rng.random() < 0.5:
                    text = _noise(text, intent, rng)
                if not text or text in seen_exact:
                    continue
                norm = _normalise(text)
                if not norm or norm in banned:
                    continue
                if label_of.setdefault(norm, intent) != intent:
                    continue  # same words, different label: keep the first, drop this one
                seen_exact.add(text)
                rows.append((text, intent, tid))
                got += 1
    # a conflicting normalised form may have been admitted earlier under another label: drop both
    conflicted = {n for n, lab in label_of.items() if lab is None}
    return [r for r in rows if _normalise(r[0]) not in conflicted]


def training_phrases(*, seed: int = 0) -> list[Row]:
    """Deterministic (utterance, intent) pairs, shuffled, ~7-8k rows, ~27% out_of_scope."""
    rows = [(text, intent) for text, intent, _ in _build(seed)]
    random.Random(seed + 1).shuffle(rows)
    return rows


def training_split(
    *, seed: int = 0, calibration_share: float = 0.15, templates: dict[str, tuple[str, ...]] | None = None
) -> tuple[list[Row], list[Row]]:
    """(train, calibration), split by template: all of a template's rows land on one side.

    Per intent, templates are taken in the order of a hash of (seed, template) and moved to
    calibration until it holds ~15% of that intent's rows, so every intent is represented in both
    parts and calibration measures how the classifier does on phrasings it has never seen the
    template of. The order is per template, so a new template moves no other across the split
    except at the cut-off.
    """
    rows = _build(seed, templates)
    rng = random.Random(seed + 2)
    by_template: dict[str, list[Row]] = {}
    for text, intent, tid in rows:
        by_template.setdefault(tid, []).append((text, intent))
    calib_templates: set[str] = set()
    for intent in INTENTS:
        tids = sorted(
            (tid for tid in by_template if tid.startswith(intent + ":")),
            key=lambda tid: zlib.crc32(f"{seed}|{tid}".encode()),
        )
        total = sum(len(by_template[t]) for t in tids)
        taken = 0
        for tid in tids:
            if taken >= calibration_share * total:
                break
            calib_templates.add(tid)
            taken += len(by_template[tid])
    train = [r for tid, rs in by_template.items() if tid not in calib_templates for r in rs]
    calib = [r for tid, rs in by_template.items() if tid in calib_templates for r in rs]
    rng.shuffle(train)
    rng.shuffle(calib)
    return train, calib


def intent_counts(rows: list[Row] | None = None) -> dict[str, int]:
    """Rows per intent (of `rows`, or of the seed-0 set), in INTENTS order."""
    counts = Counter(intent for _, intent in (rows if rows is not None else training_phrases()))
    return {intent: counts.get(intent, 0) for intent in INTENTS}


def __getattr__(name: str) -> dict[str, int]:
    # INTENT_COUNTS is computed on first access, so importing the module stays free.
    if name == "INTENT_COUNTS":
        value = intent_counts()
        globals()["INTENT_COUNTS"] = value
        return value
    raise AttributeError(name)
