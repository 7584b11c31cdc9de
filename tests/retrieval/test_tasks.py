from __future__ import annotations

from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core.cache import cache

from apps.knowledge.models import FAQ
from apps.retrieval import tasks
from apps.retrieval.models import Chunk
from apps.retrieval.services import (
    REFRESH_LOCK_KEY,
    REFRESH_QUEUED_KEY,
    index_is_stale,
    index_refresh_exclusive,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def delay():
    with mock.patch.object(tasks.index_refresh_task, "delay") as patched:
        yield patched


def test_faq_save_enqueues_a_refresh_after_commit(
    delay, make_faq, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_faq("faq-new", "New question?", "New answer.")
    delay.assert_not_called()  # nothing before the commit: the worker must see the row

    for callback in callbacks:
        callback()

    delay.assert_called_once_with()


def test_policy_and_product_changes_enqueue_too(
    delay, make_policy, make_product, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        make_policy("shipping", "Shipping", "We ship fast.")
    assert delay.call_count == 1
    cache.delete(REFRESH_QUEUED_KEY)  # as the task does when it starts

    product = make_product("p-1", "Sock")
    with django_capture_on_commit_callbacks(execute=True):
        product.delete()
    assert delay.call_count == 2


def test_a_burst_of_saves_enqueues_one_refresh(delay, make_faq, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for i in range(20):
            make_faq(f"faq-{i}", f"Question {i}?", "Answer.")

    assert len(callbacks) == 20
    delay.assert_called_once_with()


def test_unrelated_saves_enqueue_nothing(delay, django_capture_on_commit_callbacks) -> None:
    from apps.knowledge.models import PolicyDefaults

    with django_capture_on_commit_callbacks(execute=True):
        PolicyDefaults.current()
    delay.assert_not_called()


def test_failed_enqueue_does_not_block_the_next_one(make_faq, django_capture_on_commit_callbacks) -> None:
    with mock.patch.object(tasks.index_refresh_task, "delay", side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            make_faq("faq-a", "A?", "A.")  # robust on_commit: the save itself succeeds
    assert FAQ.objects.filter(external_id="faq-a").exists()

    with mock.patch.object(tasks.index_refresh_task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            make_faq("faq-b", "B?", "B.")
    delay.assert_called_once_with()


def test_task_refreshes_the_index(store_knowledge) -> None:
    cache.set(REFRESH_QUEUED_KEY, 1)

    result = tasks.index_refresh_task.apply(kwargs={"full": False}).get()

    assert result["embedded"] == Chunk.objects.count() > 0
    assert not index_is_stale()
    assert cache.get(REFRESH_QUEUED_KEY) is None
    assert cache.get(REFRESH_LOCK_KEY) is None  # released


def test_only_one_refresh_runs_at_a_time(store_knowledge) -> None:
    cache.add(REFRESH_LOCK_KEY, "someone-else", timeout=60)

    assert index_refresh_exclusive() is None
    assert Chunk.objects.count() == 0
    with pytest.raises(Retry):
        tasks.index_refresh_task.apply(kwargs={}, throw=True).get()
    assert cache.get(REFRESH_LOCK_KEY) == "someone-else"  # never stolen


def test_task_is_routed_to_the_index_queue() -> None:
    assert tasks.index_refresh_task.queue == "index"


def test_a_store_bundle_import_enqueues_a_refresh(delay, django_capture_on_commit_callbacks) -> None:
    # given a bundle with a new FAQ (the importer writes in bulk: no post_save)
    from apps.bundles.services import bundle_import

    bundle = {
        "format": "supportbot.store-bundle",
        "version": 1,
        "store": {"name": "Tiny"},
        "faqs": [{"external_id": "faq-bulk", "question": "Do you ship?", "answer": "Yes."}],
    }
    cache.delete(REFRESH_QUEUED_KEY)
    # when it is imported and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        bundle_import(data=bundle)
    # then a refresh is queued
    delay.assert_called_once_with()
