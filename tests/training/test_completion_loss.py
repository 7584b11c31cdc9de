"""The training loss projects only completion positions onto the vocabulary; it must equal the
loss transformers computes over the whole sequence (a tiny random Gemma 3, no GGUF needed)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


def _tiny_gemma():
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig  # noqa: TID251

    torch.manual_seed(0)
    config = Gemma3TextConfig(
        vocab_size=97, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, head_dim=16, max_position_embeddings=64, sliding_window=16,
    )  # fmt: skip
    return Gemma3ForCausalLM(config).eval()


def test_completion_loss_equals_the_full_sequence_loss():
    from apps.training.finetune import collate, completion_loss

    model = _tiny_gemma()
    # Two examples of different lengths: prompt labels -100, right padding, as training builds them.
    rows = [
        ([2, 5, 6, 7, 8, 9, 10], [-100, -100, -100, -100, 8, 9, 10]),
        ([2, 11, 12, 13, 14], [-100, -100, -100, 13, 14]),
    ]
    batch = collate(rows, pad_id=0)
    with torch.no_grad():
        expected = model(**batch).loss
        got = completion_loss(model, batch)
    assert got.item() == pytest.approx(expected.item(), rel=1e-5)


def test_completion_loss_trains_only_on_completions():
    from apps.training.finetune import collate, completion_loss

    model = _tiny_gemma()
    base = collate([([2, 5, 6, 7, 8], [-100, -100, -100, 7, 8])], pad_id=0)
    other_prompt = collate([([2, 40, 41, 7, 8], [-100, -100, -100, 7, 8])], pad_id=0)
    other_completion = collate([([2, 5, 6, 7, 9], [-100, -100, -100, 7, 9])], pad_id=0)
    with torch.no_grad():
        a, b, c = (completion_loss(model, x).item() for x in (base, other_prompt, other_completion))
    assert a != pytest.approx(c)  # the completion's tokens are what is scored
    assert a != pytest.approx(b)  # the prompt still conditions them
