from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

import apps.inference.embeddings as embeddings
from apps.knowledge.models import FAQ, Policy
from apps.retrieval.models import Chunk
from apps.retrieval.services import chunk_hash, index_is_stale, index_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded_texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the refresh sends to the embedder (the real fake still embeds them)."""
    seen: list[str] = []
    original = embeddings.embed

    def spy(texts):  # type: ignore[no-untyped-def]
        seen.extend(texts)
        return original(texts)

    monkeypatch.setattr(embeddings, "embed", spy)
    return seen


def keys() -> set[tuple[str, str]]:
    return set(Chunk.objects.values_list("kind", "external_id"))


def test_refresh_indexes_published_faqs_policies_and_products(store_knowledge, make_faq) -> None:
    # given a draft FAQ besides the published content
    make_faq("faq-draft", "Secret draft?", "Not approved yet.", is_published=False)
    assert index_is_stale()

    # when
    result = index_refresh()

    # then
    assert ("faq", "faq-returns-window") in keys()
    assert ("policy", "returns") in keys()
    assert ("product", "prod-trail-runner") in keys()
    assert ("faq", "faq-draft") not in keys()
    assert result["embedded"] == Chunk.objects.count()
    assert not index_is_stale()
    policy_titles = list(Chunk.objects.filter(kind="policy").values_list("title", flat=True))
    assert "Returns and exchanges — Final sale" in policy_titles
    chunk = Chunk.objects.get(kind="faq", external_id="faq-gift-cards")
    assert chunk.title == "Do you sell gift cards?"
    assert chunk.embedding_model == "apps.inference.embeddings.FakeEmbedder"
    assert chunk.content_hash == chunk_hash(title=chunk.title, text=chunk.text, model=chunk.embedding_model)
    assert len(chunk.embedding) == 384


def test_second_refresh_is_one_query_and_embeds_nothing(
    store_knowledge, embedded_texts, django_assert_num_queries
) -> None:
    index_refresh()
    embedded_texts.clear()
    before = list(Chunk.objects.order_by("id").values_list("id", "updated_at"))

    with django_assert_num_queries(1):
        result = index_refresh()

    assert result["embedded"] == 0
    assert result["deleted"] == 0
    assert result["sources"] == 0
    assert embedded_texts == []
    assert list(Chunk.objects.order_by("id").values_list("id", "updated_at")) == before
    with django_assert_num_queries(1):
        assert index_is_stale() is False


def test_edited_faq_is_reembedded_alone(store_knowledge, embedded_texts) -> None:
    index_refresh()
    embedded_texts.clear()
    faq = FAQ.objects.get(external_id="faq-gift-cards")
    faq.answer = "Gift cards come in any amount from $10."
    faq.save()
    assert index_is_stale()

    result = index_refresh()

    assert result["embedded"] == 1
    assert embedded_texts == ["Do you sell gift cards?\nGift cards come in any amount from $10."]
    assert Chunk.objects.get(kind="faq", external_id="faq-gift-cards").text.startswith("Gift cards come")
    assert not index_is_stale()


def test_editing_one_policy_section_reembeds_only_that_chunk(store_knowledge, embedded_texts) -> None:
    index_refresh()
    embedded_texts.clear()
    policy = Policy.objects.get(external_id="returns")
    count = Chunk.objects.filter(kind="policy").count()
    policy.body = policy.body.replace("final sale and cannot", "final sale and can never")
    policy.save()

    result = index_refresh()

    assert result["embedded"] == 1
    assert result["unchanged"] == count - 1
    assert len(embedded_texts) == 1
    assert "can never" in embedded_texts[0]
    assert not index_is_stale()  # unchanged chunks moved to the policy's new version too


def test_shorter_policy_loses_its_extra_chunks(store_knowledge) -> None:
    index_refresh()
    policy = Policy.objects.get(external_id="returns")
    assert Chunk.objects.filter(kind="policy").count() > 1
    policy.body = "All sales are final."
    policy.save()

    result = index_refresh()

    assert list(Chunk.objects.filter(kind="policy").values_list("position", "text")) == [
        (0, "All sales are final.")
    ]
    assert result["deleted"] >= 1


def test_deleted_and_unpublished_sources_leave_the_index(store_knowledge) -> None:
    index_refresh()
    store_knowledge["products"][1].delete()
    FAQ.objects.filter(external_id="faq-payment-methods").update(is_published=False)
    # queryset.update() keeps updated_at, yet unpublishing must still be noticed
    assert index_is_stale()

    result = index_refresh()

    assert ("product", "prod-merino-tee") not in keys()
    assert ("faq", "faq-payment-methods") not in keys()
    assert ("product", "prod-trail-runner") in keys()
    assert result["deleted"] == 2
    assert not index_is_stale()


def test_full_refresh_catches_edits_that_bypass_updated_at(store_knowledge, embedded_texts) -> None:
    index_refresh()
    embedded_texts.clear()
    FAQ.objects.filter(external_id="faq-gift-cards").update(answer="No more gift cards.")
    assert index_refresh()["embedded"] == 0  # invisible to the cheap check, by design

    result = index_refresh(full=True)

    assert result["embedded"] == 1
    assert embedded_texts == ["Do you sell gift cards?\nNo more gift cards."]
    assert index_refresh(full=True)["embedded"] == 0


def test_full_refresh_removes_orphans(store_knowledge) -> None:
    index_refresh()
    Chunk.objects.filter(kind="faq", external_id="faq-gift-cards").update(external_id="faq-gone")

    result = index_refresh(full=True)

    assert ("faq", "faq-gone") not in keys()
    assert ("faq", "faq-gift-cards") in keys()
    assert result["deleted"] == 1


def test_switching_embedding_model_reembeds_everything(store_knowledge, settings: Any) -> None:
    index_refresh()
    total = Chunk.objects.count()
    settings.EMBEDDING_BACKEND = "tests.retrieval.conftest.OtherFakeEmbedder"
    embeddings.embedder_reset()
    assert index_is_stale()

    result = index_refresh()

    assert result["embedded"] == total
    assert set(Chunk.objects.values_list("embedding_model", flat=True)) == {
        "tests.retrieval.conftest.OtherFakeEmbedder"
    }
    assert not index_is_stale()


def test_index_knowledge_command(store_knowledge, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("index_knowledge")
    first = capsys.readouterr().out
    call_command("index_knowledge", "--full")
    second = capsys.readouterr().out

    assert '"embedded": ' in first
    assert '"embedded": 0' not in first
    assert '"full": true' in second
    assert '"embedded": 0' in second
    assert Chunk.objects.filter(kind="faq").count() == 6
