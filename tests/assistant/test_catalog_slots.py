"""Slots read from this store's own catalog and order numbers, through reply() (FakeSLM: these
tests exercise the code side of understanding and the catalog, not the model)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.assistant import classifier
from apps.assistant.slots import order_numbers_find
from tests.assistant.helpers import ask
from tests.factories import FAQFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def _product(name: str, category: str, rows: list[tuple[dict, int]]):
    product = ProductFactory(name=name, category=category, size_chart="")
    for options, stock in rows:
        VariantFactory(product=product, options=options, stock=stock, price=Decimal("59.00"))
    return product


def test_the_product_hint_is_a_bool_decided_per_message(store, monkeypatch):
    # The catalog hint is evidence for product intents only when a product is named: it must be
    # a bool, never a callable (which is always truthy and fired the prior on every message).
    seen: list[object] = []
    real = classifier.code_probs

    def spy(text, **kwargs):
        seen.append(kwargs.get("has_product"))
        return real(text, **kwargs)

    monkeypatch.setattr(classifier, "code_probs", spy)
    ask("do you ship to canada?")
    assert False in seen
    assert all(value in (False, None) for value in seen)  # never a callable, never True
    seen.clear()
    ask("do you have the pacer road runner in size 11?")
    assert True in seen
    assert all(value in (True, False, None) for value in seen)


def test_order_numbers_follow_the_stores_own_format(store):
    # The store's orders look like "#W2611340": a model number is no order number.
    assert order_numbers_find("is the MT5000 lamp dimmable?") == []
    assert order_numbers_find("where is W2611340") == ["W2611340"]
    # The digits alone, after the word "order", are read in the store's format.
    assert order_numbers_find("status of order 2611340 please") == ["W2611340"]
    r = ask("does the X200 come in other colours?")
    assert "order_number" not in r.trace["slots"]
    assert r.trace["intent"] != "order_status"


def test_option_values_come_from_the_catalog_not_from_shoe_sizes(store):
    helmet = _product(
        "Orbit Trail Helmet",
        "bike helmets",
        [({"size": "54cm", "color": "Red"}, 0), ({"size": "58cm", "color": "Red"}, 4)],
    )
    mattress = _product(
        "Cloudrest Mattress", "mattresses", [({"size": "Queen"}, 3), ({"size": "California King"}, 0)]
    )
    rug = _product("Kasbah Wool Rug", "rugs", [({"size": "5 ft x 8 ft"}, 2), ({"size": "7 ft x 10 ft"}, 0)])
    keyboard = _product(
        "Clack Mechanical Keyboard",
        "keyboards",
        [({"layout": "60%", "switch": "Brown"}, 0), ({"layout": "60%", "switch": "Red"}, 6)],
    )
    r = ask("is the orbit trail helmet in 58 cm in stock?")
    assert r.trace["slots"]["product"] == helmet.external_id
    assert r.trace["slots"]["size"] == "58cm"
    assert "in stock" in r.answer
    assert "out of stock" not in r.answer

    r = ask("do you have the cloudrest mattress in california king?")
    assert r.trace["slots"]["product"] == mattress.external_id
    assert r.trace["slots"]["size"] == "California King"
    assert "out of stock" in r.answer

    r = ask("is the kasbah wool rug available in 7ft x 10ft")
    assert r.trace["slots"]["product"] == rug.external_id
    assert r.trace["slots"]["size"] == "7 ft x 10 ft"
    assert "out of stock" in r.answer

    r = ask("do you have the clack mechanical keyboard with brown switches in stock?")
    assert r.trace["slots"]["product"] == keyboard.external_id
    call = next(c for c in r.trace["tool_calls"] if c["name"] == "variant_availability")
    assert call["args"]["options"] == {"switch": "Brown"}
    assert "out of stock" in r.answer
    assert "Brown" in r.answer


def test_a_follow_up_naming_an_option_keeps_the_product(store):
    first = ask("do you have the pacer road runner in black in size 11?")
    assert first.trace["slots"]["product"] == store.shoe.external_id
    r = ask(
        "what about blue",
        state=first.state,
        history=[
            ("customer", "do you have the pacer road runner in black in size 11?"),
            ("assistant", first.answer),
        ],
    )
    assert r.trace["slots"]["product"] == store.shoe.external_id
    assert r.trace["slots"]["color"] == "blue"
    assert r.trace["slots"]["size"] == "11"
    # the shoe has no blue 11 in stock
    assert "out of stock" in r.answer


def test_a_half_size_written_as_a_fraction_is_the_half_size(store):
    boot = _product(
        "Ridgeline Hiker",
        "hiking boots",
        [({"size": "8", "color": "Grey"}, 5), ({"size": "8.5", "color": "Grey"}, 0)],
    )
    for text in (
        f"{boot.name.lower()} grey size 8 1/2?",
        f"{boot.name.lower()} grey suze 8-1/2?",
        f"do you have the {boot.name.lower()} in 8 and a half",
    ):
        r = ask(text)
        assert r.trace["slots"].get("size") == "8.5", text
        assert "out of stock" in r.answer.lower(), text


def test_a_color_word_in_the_products_own_name_is_no_color(store):
    # "cream" names the product here, not a shade it comes in: a follow-up about another volume
    # must not ask for a cream one (the product has no colors at all).
    cream = _product(
        "Unscented Moisturising Cream", "skin care", [({"volume": "500 ml"}, 0), ({"volume": "100 ml"}, 6)]
    )
    first = ask("unscented moisturising cream in 500 ml - in stock?")
    assert first.trace["slots"]["product"] == cream.external_id
    assert "color" not in first.trace["slots"]
    assert "out of stock" in first.answer
    r = ask(
        "what about 100 ml",
        state=first.state,
        history=[
            ("customer", "unscented moisturising cream in 500 ml - in stock?"),
            ("assistant", first.answer),
        ],
    )
    assert r.trace["slots"]["product"] == cream.external_id
    assert "color" not in r.trace["slots"]
    assert "in stock" in r.answer
    assert "out of stock" not in r.answer
    # A shade the product does not come in, asked outright, is still answered as such.
    tee = _product("Rose Linen Tee", "t-shirts", [({"size": "M", "color": "White"}, 3)])
    asked = ask("do you have the rose linen tee in black?")
    assert asked.trace["slots"]["product"] == tee.external_id
    assert asked.trace["slots"]["color"] == "black"


def test_every_option_the_message_names_picks_the_variant(store):
    # "US 10 wide": the width is an option of its own; the standard US 10 is no answer to it.
    boot = _product(
        "Terrain Alpine Boot",
        "footwear",
        [
            ({"size": "US 10", "width": "standard"}, 5),
            ({"size": "US 10", "width": "wide"}, 0),
            ({"size": "US 11", "width": "wide"}, 3),
        ],
    )
    r = ask("is the terrain alpine boot in US 10 wide in stock?")
    assert r.trace["slots"]["product"] == boot.external_id
    assert "out of stock" in r.answer.lower() or "sold out" in r.answer.lower(), r.answer
    r = ask("terrain alpine boot US 11 wide available?")
    assert "in stock" in r.answer.lower(), r.answer
    assert "out of stock" not in r.answer.lower(), r.answer


def test_a_signed_temperature_is_an_option_value_not_a_size(store):
    bag = _product(
        "Kosciuszko Down Sleeping Bag",
        "camping",
        [
            ({"temperature rating": "-5 °C", "length": "long"}, 0),
            ({"temperature rating": "5 °C", "length": "long"}, 4),
            ({"temperature rating": "0 °C", "length": "long"}, 2),
        ],
    )
    r = ask("kosciuszko down sleeping bag in 0 °C long - in stock?")
    assert r.trace["slots"]["product"] == bag.external_id
    assert "size" not in r.trace["slots"], r.trace["slots"]
    assert "in stock" in r.answer.lower(), r.answer
    assert "out of stock" not in r.answer.lower(), r.answer
    # The minus matters: -5 °C is not 5 °C.
    r = ask("do you have the kosciuszko down sleeping bag at -5°C, long?")
    assert "out of stock" in r.answer.lower() or "sold out" in r.answer.lower(), r.answer


def test_a_product_without_options_sold_out_gets_no_price_tag(store):
    lamp = _product("Trailbeam 400 Headlamp", "lighting", [({}, 0)])
    r = ask("is the trailbeam 400 headlamp in stock?")
    assert r.trace["slots"]["product"] == lamp.external_id
    assert r.answer == "Sorry, the Trailbeam 400 Headlamp is out of stock right now.", r.answer


def test_a_3xl_is_not_an_xl(store):
    tee = _product("Harbour Linen Tee", "t-shirts", [({"size": "L"}, 4), ({"size": "XL"}, 4)])
    r = ask("is the harbour linen tee in 3xl in stock?")
    assert r.trace["slots"]["product"] == tee.external_id
    assert "size XL is in stock" not in r.answer, r.answer


def test_a_follow_up_naming_a_person_count_is_no_request_for_a_person(store):
    # "2-person" is a tent's capacity: a follow-up naming it asks about stock again, it does not
    # ask for a human. A request for a person during the same talk still goes to one.
    tent = _product(
        "Saddleback Hiking Tent",
        "tents",
        [({"capacity": "1-person"}, 3), ({"capacity": "2-person"}, 0), ({"capacity": "4-person"}, 5)],
    )
    opener = "is the saddleback hiking tent in 1-person in stock?"
    first = ask(opener)
    assert first.trace["slots"]["product"] == tent.external_id
    history = [("customer", opener), ("assistant", first.answer)]
    for text, stocked in (("ok and 2-person?", False), ("and 4-person", True)):
        r = ask(text, state=first.state, history=history)
        assert r.trace["intent"] == "size_availability_or_fit", (text, r.trace["intent"])
        assert r.trace["slots"]["product"] == tent.external_id
        assert ("out of stock" in r.answer.lower()) is not stocked, (text, r.answer)
    r = ask("can I talk to a real person please", state=first.state, history=history)
    assert r.trace["intent"] == "complaint_or_human"


def _reindex() -> None:
    from apps.retrieval.services import index_refresh

    index_refresh(full=True)


def test_fit_notes_quoted_from_an_faq_cite_that_faq(store):
    boot = ProductFactory(name="Tasman Alpine Boot", category="hiking boots", size_chart="US 9 = EU 42")
    VariantFactory(product=boot, options={"size": "US 9"}, stock=2, price=Decimal("249.00"))
    faq = FAQFactory(
        external_id="faq-boot-fit",
        question="How do Tasman boots fit?",
        answer="Tasman Alpine boots fit true to size; size up half a size for thick winter socks.",
    )
    _reindex()
    r = ask("does the tasman alpine boot run true to size?")
    assert r.trace["slots"]["product"] == boot.external_id
    assert "true to size" in r.answer, r.answer
    assert {"kind": "faq", "id": faq.external_id} in r.trace["citations"], r.trace["citations"]


def test_a_product_description_answering_another_topic_names_the_product(store):
    # A question of another topic ("payment") that a product's description answers best: the
    # description goes out as the catalog has it, under the product's name, never rephrased.
    from apps.assistant.act import ActResult, knowledge_answer

    card = ProductFactory(
        name="Bluegum Gift Card",
        category="gift cards",
        description="A digital gift card emailed to the recipient, valid for three years.",
        size_chart="",
    )
    VariantFactory(product=card, options={"amount": "25"}, stock=99, price=Decimal("25.00"))
    _reindex()
    res = knowledge_answer(
        "bluegum digital gift card emailed to the recipient",
        ActResult(kind="escalate"),
        intent="payment_billing",
    )
    assert res.kind == "answer"
    assert {"kind": "product", "id": card.external_id} in res.citations
    assert res.passage is None
    assert res.answer.startswith("The Bluegum Gift Card: A digital gift card emailed"), res.answer


def test_an_option_value_in_the_products_own_name_is_the_name(store):
    from apps.catalog.selectors import option_values_find

    duvet = _product(
        "All-Season Duvet",
        "bedding",
        [
            ({"size": "queen", "warmth": "lightweight"}, 1),
            ({"size": "full", "warmth": "lightweight"}, 4),
            ({"size": "full", "warmth": "all-season"}, 4),
        ],
    )
    # "all-season" names the duvet here, not its warmth: only the size changes
    assert option_values_find(text="swap my all-season duvet for full", product=duvet) == {"size": "full"}
    # the same value said apart from the name is the option
    assert option_values_find(text="the all-season duvet in full, all-season", product=duvet) == {
        "size": "full",
        "warmth": "all-season",
    }
    assert option_values_find(text="do you have it in all-season", product=duvet) == {"warmth": "all-season"}


def test_an_email_address_names_no_option(store):
    from apps.assistant.slots import slots_extract

    towel = _product(
        "Turkish Cotton Towel",
        "bath",
        [({"color": "sea glass", "type": "hand towel"}, 0), ({"color": "brown", "type": "bath towel"}, 3)],
    )
    extracted = slots_extract(
        "swap it for bath towel, email maelle.brown@example.net", known_colors=["brown"]
    )
    assert extracted.color is None
    assert extracted.email == "maelle.brown@example.net"
    r = ask(f"is the turkish cotton towel in stock? my email is maelle.brown@example.net ({towel.name})")
    assert r.trace["slots"].get("color") is None
