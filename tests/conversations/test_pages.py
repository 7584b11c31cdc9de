"""The demo shop, citation pages, and the signed customer token (assistant FAKED where it runs)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync

from apps.catalog.models import Product, Store
from apps.conversations import services
from apps.conversations.models import Conversation
from apps.knowledge.models import FAQ
from apps.orders.identity import customer_token_sign
from tests.conversations import fakes
from tests.conversations.test_consumers import frames_until


@pytest.mark.django_db
def test_demo_shop_embeds_the_widget_with_one_script_tag(client):
    Store.objects.update_or_create(pk=1, defaults={"name": "Trail <&> Co"})
    Product.objects.create(external_id="p1", name="<b>Trail Runner</b>")
    html = client.get("/").content.decode()
    assert html.count("supportbot/widget.js") == 1
    assert 'data-store-name="Trail &lt;&amp;&gt; Co"' in html
    assert "&lt;b&gt;Trail Runner&lt;/b&gt;" in html
    assert "data-customer-token" not in html  # only DEBUG demos play a signed-in shopper


@pytest.mark.django_db
def test_citation_pages(client):
    FAQ.objects.create(
        external_id="faq-sizing", question="Do shoes run small?", answer="<i>True</i> to size."
    )
    html = client.get("/kb/faq/faq-sizing/").content.decode()
    assert "Do shoes run small?" in html
    assert "&lt;i&gt;True&lt;/i&gt;" in html
    assert client.get("/kb/faq/nope/").status_code == 404
    assert client.get("/kb/order/W1/").status_code == 404  # orders are never public pages


@pytest.mark.django_db(transaction=True)
def test_signed_customer_token_reaches_the_assistant_and_a_bad_one_does_not(make_communicator, enqueued):
    good = customer_token_sign(email="ana@example.com", external_id="c-1")

    async def scenario(token):
        comm = make_communicator()
        await comm.connect()
        await comm.send_json_to({"type": "hello", "customer_token": token})
        welcome = (await frames_until(comm, "welcome"))[-1]
        await comm.send_json_to({"type": "message", "client_msg_id": "t", "text": "where is my order?"})
        ack = (await frames_until(comm, "ack"))[-1]
        await comm.disconnect()
        return welcome, ack

    _, ack = async_to_sync(scenario)(good)
    services.reply_compose(message_id=ack["message_id"])
    identity = fakes.CALLS[-1]["identity"]
    assert (identity.email, identity.external_id, identity.source) == ("ana@example.com", "c-1", "token")

    welcome, ack = async_to_sync(scenario)(good[:-3] + "AAA")  # tampered signature
    conversation = Conversation.objects.get(token=welcome["conversation_token"])
    assert conversation.customer_email == ""
    services.reply_compose(message_id=ack["message_id"])
    assert fakes.CALLS[-1]["identity"] is None
