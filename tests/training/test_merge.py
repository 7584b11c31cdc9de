"""The merge arithmetic on synthetic GGUF files (no model): W + (alpha / r) · B·A, in llama.cpp's
orientation, metadata copied, and clear errors for files that are not what they claim."""

from __future__ import annotations

import numpy as np
import pytest


def _write(path, *, tensors, kv=None, arch="gemma3"):
    from gguf import GGUFWriter

    writer = GGUFWriter(str(path), arch=arch)
    for key, value in (kv or {}).items():
        if isinstance(value, float):
            writer.add_float32(key, value)
        else:
            writer.add_string(key, value)
    for name, array in tensors.items():
        writer.add_tensor(name, array)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _read(path):
    from gguf import GGUFReader

    from apps.training.merge import _array

    reader = GGUFReader(str(path))
    return reader, {t.name: _array(t) for t in reader.tensors}


def test_merge_adds_the_scaled_low_rank_product(tmp_path):
    from apps.training.merge import merged_float_gguf

    rng = np.random.default_rng(0)
    w = rng.standard_normal((6, 8)).astype(np.float32)  # (out, in)
    norm = rng.standard_normal(8).astype(np.float32)
    a = rng.standard_normal((2, 8)).astype(np.float32)  # (r, in)
    b = rng.standard_normal((6, 2)).astype(np.float32)  # (out, r)
    base = _write(tmp_path / "base.gguf", tensors={"blk.0.attn_q.weight": w, "blk.0.attn_norm.weight": norm},
                  kv={"general.name": "tiny"})  # fmt: skip
    adapter = _write(
        tmp_path / "lora.gguf",
        tensors={"blk.0.attn_q.weight.lora_a": a, "blk.0.attn_q.weight.lora_b": b},
        kv={"adapter.type": "lora", "adapter.lora.alpha": 8.0},
    )

    counts = merged_float_gguf(base_path=base, adapter_path=adapter, out_path=tmp_path / "merged.gguf")

    assert counts == {"merged": 1, "tensors": 2}
    reader, merged = _read(tmp_path / "merged.gguf")
    np.testing.assert_allclose(merged["blk.0.attn_q.weight"], w + (8.0 / 2) * (b @ a), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(merged["blk.0.attn_norm.weight"], norm)  # not adapted: unchanged
    assert reader.fields["general.name"].contents() == "tiny"


def test_merge_refuses_a_file_that_is_no_adapter(tmp_path):
    from apps.training.merge import MergeError, merged_float_gguf

    base = _write(tmp_path / "base.gguf", tensors={"w": np.ones((2, 2), dtype=np.float32)})
    with pytest.raises(MergeError, match="not a LoRA adapter"):
        merged_float_gguf(base_path=base, adapter_path=base, out_path=tmp_path / "out.gguf")


def test_merge_refuses_an_adapter_for_another_model(tmp_path):
    from apps.training.merge import MergeError, merged_float_gguf

    base = _write(tmp_path / "base.gguf", tensors={"w": np.ones((2, 2), dtype=np.float32)})
    adapter = _write(
        tmp_path / "lora.gguf",
        tensors={
            "other.lora_a": np.ones((1, 2), dtype=np.float32),
            "other.lora_b": np.ones((2, 1), dtype=np.float32),
        },
        kv={"adapter.lora.alpha": 1.0},
    )
    with pytest.raises(MergeError, match="tensors the base lacks"):
        merged_float_gguf(base_path=base, adapter_path=adapter, out_path=tmp_path / "out.gguf")
