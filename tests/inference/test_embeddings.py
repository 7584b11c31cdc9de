from __future__ import annotations

import numpy as np
import pytest

from apps.inference.embeddings import EMBED_DIM, FakeEmbedder, MiniLMEmbedder, embed, embedder, embedder_reset

PAIRS = [
    ("how long do I have to return something", "You can return items within 30 days of delivery."),
    ("do you ship to canada", "We ship to the US and Canada; international shipping takes 7-14 days."),
    ("my card got charged twice", "A duplicate charge is usually a pending authorization that drops off."),
    ("how do i reset my password", "To reset your password, click Forgot password on the sign-in page."),
    ("do the running shoes run small", "Our running shoes fit true to size; if between sizes, size up."),
    ("what is the jacket made of", "The rain jacket is made of recycled nylon with a waterproof membrane."),
]


@pytest.fixture
def fake_embedder(settings):
    settings.EMBEDDING_BACKEND = "apps.inference.embeddings.FakeEmbedder"
    embedder_reset()
    yield embedder()
    embedder_reset()


def test_fake_embedder_is_selected_by_setting_and_deterministic(fake_embedder):
    assert isinstance(fake_embedder, FakeEmbedder)
    a = embed(["Where is my order?", "where is my ORDER", "refund policy", ""])
    assert a.shape == (4, EMBED_DIM)
    assert a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-6)
    assert np.allclose(a[0], a[1])  # same words, case-insensitive
    assert float(a[0] @ a[2]) < 0.5
    assert np.array_equal(embed(["refund policy"])[0], a[2])
    assert embed([]).shape == (0, EMBED_DIM)


@pytest.fixture(scope="module")
def minilm():
    return MiniLMEmbedder()


def test_minilm_embeds_normalised_384d_and_ranks_answers(minilm):
    queries = minilm.embed([q for q, _ in PAIRS])
    answers = minilm.embed([a for _, a in PAIRS])
    assert queries.shape == (len(PAIRS), EMBED_DIM)
    assert queries.dtype == np.float32
    assert np.allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)
    similarity = queries @ answers.T
    # every query's best answer is its own
    assert list(similarity.argmax(axis=1)) == list(range(len(PAIRS)))


def test_minilm_batches_consistently(minilm):
    texts = [f"question number {i} about shoes" for i in range(40)]
    batched = minilm.embed(texts)
    single = minilm.embed([texts[33]])
    assert np.allclose(batched[33], single[0], atol=1e-5)
    assert minilm.embed([]).shape == (0, EMBED_DIM)


def test_minilm_ignores_case_so_query_embeddings_fold_it(minilm):
    assert minilm.case_folds
    cased, lower = minilm.embed(["Do you ship to Canada?", "do you ship to canada?"])
    assert np.allclose(cased, lower, atol=1e-6)


def test_query_embeddings_are_cached_case_folded_and_read_only(fake_embedder, monkeypatch):
    from apps.inference.embeddings import _query_embedding, embed_query

    seen = []
    real = fake_embedder.embed
    monkeypatch.setattr(fake_embedder, "embed", lambda texts: seen.append(list(texts)) or real(texts))
    first = embed_query("Do you ship to Canada?")
    again = embed_query("do you ship to canada?")
    other = embed_query("refund policy")
    assert seen == [["do you ship to canada?"], ["refund policy"]]
    assert np.array_equal(first, again)
    assert np.array_equal(first, real(["Do you ship to Canada?"])[0])
    assert not np.array_equal(first, other)
    with pytest.raises(ValueError, match="read-only"):
        first[0] = 1.0
    # a new embedder starts with an empty cache
    embedder_reset()
    assert _query_embedding.cache_info().currsize == 0
