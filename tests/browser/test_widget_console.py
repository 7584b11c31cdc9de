"""Real Chromium against a live Daphne + Celery chat worker. The assistant is FAKED
(tests.conversations.fakes): we test what the shopper and the agent see, end to end."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from apps.catalog.models import Product, Store
from apps.conversations.models import Conversation, Message
from tests.browser.conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.live]

SIZE_ANSWER = "Yes! The Trail Runner is in stock in size 10, and sizes 9 and 11 too."


def _seed() -> None:
    Store.objects.update_or_create(pk=1, defaults={"name": "Trail & Co"})
    Product.objects.create(external_id="trail-runner", name="Trail Runner", description="A light trail shoe.")
    agent = get_user_model().objects.create_user("sam", password="pw-123456789", first_name="Sam")
    agent.groups.add(Group.objects.get_or_create(name="Support agent")[0])


def _watch_stream(locator, final: str, timeout: float = 15) -> list[str]:
    """The texts the last assistant bubble went through until it showed ``final``."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if locator.count():
            text = locator.last.locator(".body").inner_text().strip()
            if text and (not seen or seen[-1] != text):
                seen.append(text)
            if text == final:
                return seen
        time.sleep(0.03)
    raise AssertionError(f"answer never completed; saw {seen[-3:]}")


def test_shopper_and_agent_live_handoff(live_stack, browser):
    _seed()
    base = live_stack
    shopper_ctx = browser.new_context(viewport={"width": 1100, "height": 760})
    agent_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    shop = shopper_ctx.new_page()
    agent = agent_ctx.new_page()
    console_errors: list[str] = []
    shop.on("pageerror", lambda e: console_errors.append(str(e)))
    agent.on("pageerror", lambda e: console_errors.append(str(e)))

    # the agent signs in and watches the live queue (so the shopper is not "after hours")
    agent.goto(f"{base}/helpdesk/")
    agent.fill("input[name=username]", "sam")
    agent.fill("input[name=password]", "pw-123456789")
    agent.click("button[type=submit]")
    agent.wait_for_selector("#console[data-live='1']")

    # the shopper opens the widget on the demo shop and asks a size question
    shop.goto(f"{base}/")
    assert shop.locator("h1").inner_text() == "Trail & Co"
    shop.locator(".launcher").click()
    shop.locator(".panel textarea").fill("Do you have the Trail Runner in size 10?")
    shop.keyboard.press("Enter")
    stages = _watch_stream(shop.locator(".msg.assistant:not(.greeting)"), SIZE_ANSWER)
    # it streamed: several growing partial answers before the whole one
    assert len(stages) >= 3
    assert all(SIZE_ANSWER.startswith(s) for s in stages)
    link = shop.locator(".cites a").first
    assert link.get_attribute("href") == f"{base}/kb/product/trail-runner/"
    assert shop.locator(".quick button", has_text="Size 9").count() == 1
    save_screenshot(shop, "widget", docs_copy=True)

    # asks for a person: the queue shows it live, without a reload
    shop.locator(".human").click()
    status = shop.locator(".status")
    status.filter(has_text="Connecting you to a person").wait_for()
    assert shop.locator(".after-hours").is_hidden()
    conversation = Conversation.objects.get()
    row = agent.locator(f"#queue-body tr[data-id='{conversation.pk}']")
    row.wait_for()
    assert "asked_for_human" in row.inner_text()

    # the agent opens it, sees the assistant's trace, claims and replies
    row.locator("a").click()
    agent.wait_for_selector("#console[data-live='1']")
    assert "size_availability_or_fit" in agent.locator(".trace summary").first.inner_text()
    agent.locator(".act-claim button").click()
    status.filter(has_text="You're chatting with Sam").wait_for()
    agent.locator("#reply-text").fill("Hi, I'm Sam. <b>Size 10</b> is on its way to the shelf for you!")
    agent.locator("#reply-form button[type=submit]").click()
    agent_bubble = shop.locator(".msg.agent").last
    agent_bubble.wait_for()
    assert (
        agent_bubble.locator(".body").inner_text()
        == "Hi, I'm Sam. <b>Size 10</b> is on its way to the shelf for you!"
    )
    assert shop.locator(".msg.agent b").count() == 0  # shown as text, never as HTML
    agent.locator(".msg.role-agent").wait_for()
    agent.locator(".trace summary").first.click()  # show what the assistant looked up
    save_screenshot(agent, "console", docs_copy=True)

    # while Sam owns it, the bot stays quiet
    shop.locator(".panel textarea").fill("thanks, what about size 11?")
    shop.keyboard.press("Enter")
    agent.locator(".msg.role-shopper", has_text="what about size 11").wait_for()
    time.sleep(1.0)
    assert (
        not Message.objects.filter(role=Message.Role.ASSISTANT, text=SIZE_ANSWER)
        .exclude(pk=Message.objects.filter(role=Message.Role.ASSISTANT).order_by("pk").first().pk)
        .exists()
    )
    assert Message.objects.filter(role=Message.Role.ASSISTANT).count() == 1

    # hand back: the shopper is told and the assistant answers again
    agent.locator(".act-mine button", has_text="Hand back").click()
    status.filter(has_text="Assistant").wait_for()
    shop.locator(".msg.system", has_text="back with the assistant").wait_for()
    answers = shop.locator(".msg.assistant:not(.greeting)")
    before = answers.count()
    shop.locator(".panel textarea").fill("And size 9?")
    shop.keyboard.press("Enter")
    answers.nth(before).wait_for()
    _watch_stream(answers, SIZE_ANSWER)

    # a reload keeps the conversation (token in localStorage, history from the server)
    shop.reload()
    shop.locator(".msg.agent").first.wait_for()
    shop.locator(".msg.shopper", has_text="And size 9?").wait_for()
    texts = shop.locator(".msg .body").all_inner_texts()
    assert "Do you have the Trail Runner in size 10?" in texts
    assert any(t.startswith("Hi, I'm Sam.") for t in texts)
    assert texts.count(SIZE_ANSWER) == 2
    assert shop.locator(".msg.streaming").count() == 0
    save_screenshot(shop, "widget-after-reload")
    assert console_errors == []
    shopper_ctx.close()
    agent_ctx.close()
