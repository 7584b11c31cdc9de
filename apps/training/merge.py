"""Merge a GGUF LoRA adapter into its base GGUF and re-quantize: the alternative to ``lora_path``.

What llama.cpp's ``llama-export-lora`` does, with gguf-py and llama-cpp-python alone: every tensor
of the base is dequantised, the adapted ones get ``W + (alpha / r) · B·A`` (the sum llama.cpp
computes at run time with ``lora_path``), the result is written as one float32 GGUF with the base's
metadata (tokenizer included) copied unchanged, and ``llama_model_quantize`` re-quantizes it to the
base's own scheme (Q4_K_M). The merged model runs at the base model's speed, but measured
(``benchmarks/bench_adapter.py``, docs/fine-tuning.md) 4-bit re-quantization erases most of the
adapter's effect, so the project loads the adapter with ``lora_path``; a merge to F16 is exact.
"""

from __future__ import annotations

import os
from pathlib import Path

QUANT_TYPES = {
    "Q4_K_M": "LLAMA_FTYPE_MOSTLY_Q4_K_M",
    "Q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0",
    "F16": "LLAMA_FTYPE_MOSTLY_F16",
}


class MergeError(RuntimeError):
    pass


def _lora_pairs(adapter: object) -> tuple[dict[str, tuple[object, object]], float]:
    """{base tensor name: (lora_a, lora_b)} and alpha from a GGUF adapter."""
    tensors = {t.name: t for t in adapter.tensors}
    pairs = {}
    for name, tensor in tensors.items():
        if name.endswith(".lora_a"):
            base = name[: -len(".lora_a")]
            other = tensors.get(base + ".lora_b")
            if other is None:
                raise MergeError(f"{name} has no matching lora_b")
            pairs[base] = (tensor, other)
    field = adapter.fields.get("adapter.lora.alpha")
    if field is None or not pairs:
        raise MergeError("not a LoRA adapter GGUF (no adapter.lora.alpha or no lora_a/lora_b tensors)")
    return pairs, float(field.contents())


def _array(tensor: object) -> object:
    """A tensor of a GGUFReader as a float32 array shaped (rows, columns)."""
    import numpy as np
    from gguf.quants import dequantize

    data = dequantize(tensor.data, tensor.tensor_type)
    return np.asarray(data, dtype=np.float32).reshape(tuple(int(d) for d in reversed(tensor.shape)))


def merged_float_gguf(*, base_path: Path, adapter_path: Path, out_path: Path) -> dict[str, int]:
    """Write base + adapter as one float32 GGUF; returns counts of merged and copied tensors."""
    from gguf import GGUFReader, GGUFValueType, GGUFWriter

    base = GGUFReader(str(base_path))
    adapter = GGUFReader(str(adapter_path))
    pairs, alpha = _lora_pairs(adapter)
    arch = base.fields["general.architecture"].contents()
    writer = GGUFWriter(str(out_path), arch=arch)
    for field in base.fields.values():
        if field.name.startswith("GGUF.") or field.name in ("general.architecture", "general.file_type"):
            continue
        vtype = field.types[0]
        sub_type = field.types[-1] if vtype == GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), vtype, sub_type=sub_type)
    writer.add_file_type(0)  # all float32; the quantizer sets the final type
    merged = 0
    for tensor in base.tensors:
        weights = _array(tensor)
        pair = pairs.pop(tensor.name, None)
        if pair is not None:
            lora_a, lora_b = (_array(t) for t in pair)  # a: (r, in), b: (out, r)
            rank = lora_a.shape[0]
            weights = weights + (alpha / rank) * (lora_b @ lora_a)
            merged += 1
        writer.add_tensor(tensor.name, weights)
    if pairs:
        raise MergeError(f"the adapter has tensors the base lacks: {sorted(pairs)[:5]}")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return {"merged": merged, "tensors": len(base.tensors)}


def quantize(*, in_path: Path, out_path: Path, qtype: str = "Q4_K_M", threads: int = 0) -> Path:
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, QUANT_TYPES[qtype])
    params.nthread = threads or (os.cpu_count() or 1)
    code = llama_cpp.llama_model_quantize(str(in_path).encode(), str(out_path).encode(), params)
    if code != 0 or not out_path.is_file():
        raise MergeError(f"llama_model_quantize returned {code}")
    return out_path


def adapter_merge(*, base_path: Path, adapter_path: Path, out_path: Path, qtype: str = "Q4_K_M") -> dict:
    """Merged, re-quantized model at ``out_path`` (written whole, then renamed into place)."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    float_tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.f32.tmp")
    quant_tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        counts = merged_float_gguf(base_path=base_path, adapter_path=adapter_path, out_path=float_tmp)
        quantize(in_path=float_tmp, out_path=quant_tmp, qtype=qtype)
        os.replace(quant_tmp, out_path)
    finally:
        float_tmp.unlink(missing_ok=True)
        quant_tmp.unlink(missing_ok=True)
    return {**counts, "path": str(out_path), "bytes": out_path.stat().st_size, "qtype": qtype}
