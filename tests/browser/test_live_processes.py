"""Processes and faults, live: two Daphne processes and two chat workers, a chat worker killed
mid-reply. Real Chromium drives the widget and the console; the assistant is FAKED
(tests.conversations.fakes) so the timing is the test's, not the model's."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from apps.conversations.models import Conversation, Message

pytestmark = [pytest.mark.browser, pytest.mark.live]

SIZE_ANSWER = "Yes! The Trail Runner is in stock in size 10, and sizes 9 and 11 too."


def _agent_signs_in(page, base: str) -> None:
    user = get_user_model().objects.create_user("kim", password="pw-123456789", first_name="Kim")
    user.groups.add(Group.objects.get_or_create(name="Support agent")[0])
    page.goto(f"{base}/helpdesk/")
    page.fill("input[name=username]", "kim")
    page.fill("input[name=password]", "pw-123456789")
    page.click("button[type=submit]")
    page.wait_for_selector("#console[data-live='1']")


def _shopper_says(page, text: str) -> None:
    page.locator(".panel textarea").fill(text)
    page.keyboard.press("Enter")


def _wait_answers(page, n: int, timeout: float) -> list[str]:
    answers = page.locator(".msg.assistant:not(.greeting):not(.streaming) .body")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = answers.all_inner_texts()
        if sum(t.strip() == SIZE_ANSWER for t in texts) >= n:
            return texts
        time.sleep(0.1)
    raise AssertionError(f"expected {n} answers, saw {answers.all_inner_texts()}")


def test_two_web_processes_and_two_workers_serve_one_conversation(make_stack, browser):
    stack = make_stack(webs=2, workers=2, FAKE_TOKEN_DELAY="0.15")
    web_a, web_b = stack.bases
    agent = browser.new_context().new_page()
    _agent_signs_in(agent, web_b)  # the agent's console is on web process B
    shop = browser.new_context().new_page()
    shop.goto(f"{web_a}/")  # the shopper's widget is on web process A
    shop.locator(".launcher").click()
    # two questions at once: each worker takes one (prefetch 1, late ack)
    _shopper_says(shop, "Is size 10 in stock?")
    _shopper_says(shop, "And what size should I get?")
    _wait_answers(shop, 2, timeout=30)
    # both workers answered one each (the log line lands just after the answer is pushed)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not all(
        "succeeded" in stack.worker_log(w) for w in ("worker0", "worker1")
    ):
        time.sleep(0.1)
    assert "succeeded" in stack.worker_log("worker0")
    assert "succeeded" in stack.worker_log("worker1")
    # handoff across processes: shopper on A, agent on B
    shop.locator(".human").click()
    conversation_id = Conversation.objects.get().pk
    agent.locator(f"#queue-body tr[data-id='{conversation_id}'] a").click()
    agent.locator(".act-claim button").click()
    shop.locator(".status", has_text="You're chatting with Kim").wait_for()
    agent.locator("#reply-text").fill("Kim here, from the other web process.")
    agent.locator("#reply-form button[type=submit]").click()
    shop.locator(".msg.agent .body", has_text="Kim here").wait_for()
    _shopper_says(shop, "great, thanks")
    agent.locator(".msg.role-shopper", has_text="great, thanks").wait_for()
    assert Message.objects.filter(role=Message.Role.ASSISTANT).count() == 2
    # resolve: the shopper is asked for a rating, and it is stored
    agent.locator(".act-resolve button").click()
    shop.locator(".csat button", has_text="5").click()
    shop.locator(".msg.system", has_text="Thanks for your feedback").wait_for()
    assert Conversation.objects.get().csat == 5


def test_chat_worker_killed_mid_reply_the_reply_is_redelivered(make_stack, browser):
    # a slow answer (~10 s), a short broker visibility timeout so the test need not wait 2 minutes
    stack = make_stack(FAKE_TOKEN_DELAY="0.6", CELERY_VISIBILITY_TIMEOUT="3", CHAT_REPLY_STALE_SECONDS="2")
    shop = browser.new_context().new_page()
    shop.goto(f"{stack.bases[0]}/")
    shop.locator(".launcher").click()
    _shopper_says(shop, "Is size 10 in stock?")
    shop.locator(".msg.assistant:not(.greeting) .body", has_text="Yes!").wait_for(timeout=15000)
    # the worker dies mid-reply, without acknowledging the task
    stack.worker_kill("worker0")
    killed_at = time.monotonic()
    message = Message.objects.get(role=Message.Role.SHOPPER)
    assert message.reply_state == Message.ReplyState.GENERATING
    stack.worker_start("worker1")
    texts = _wait_answers(shop, 1, timeout=60)
    recovered_in = time.monotonic() - killed_at
    message.refresh_from_db()
    assert message.reply_state == Message.ReplyState.DONE
    assert message.reply_attempts == 2
    assert Message.objects.filter(role=Message.Role.ASSISTANT).count() == 1
    assert texts.count(SIZE_ANSWER) == 1
    assert recovered_in < 60
    print(f"reply recovered {recovered_in:.1f} s after the worker was killed")


def test_redis_restart_clients_reconnect_and_nothing_acknowledged_is_lost(
    make_stack, browser, private_valkey
):
    stack = make_stack(REDIS_URL=private_valkey.url, FAKE_TOKEN_DELAY="0.05")
    shop = browser.new_context().new_page()
    shop.goto(f"{stack.bases[0]}/")
    shop.locator(".launcher").click()
    _shopper_says(shop, "Is size 10 in stock?")
    _wait_answers(shop, 1, timeout=20)
    # the broker and channel layer go away; the shopper keeps typing
    private_valkey.stop()
    _shopper_says(shop, "And size 9, is it in stock?")
    time.sleep(3)
    private_valkey.start()
    # the widget reconnects, resends what was not acknowledged, and gets its answer
    try:
        _wait_answers(shop, 2, timeout=60)
    except AssertionError:
        print(list(Message.objects.values_list("role", "text", "reply_state", "reply_attempts")))
        raise
    shopper_messages = list(
        Message.objects.filter(role=Message.Role.SHOPPER).values_list("text", "reply_state")
    )
    assert shopper_messages == [("Is size 10 in stock?", "done"), ("And size 9, is it in stock?", "done")]
    assert Message.objects.filter(role=Message.Role.ASSISTANT).count() == 2
    assert shop.locator(".msg.shopper.sending").count() == 0
