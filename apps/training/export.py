"""A peft LoRA adapter to a GGUF adapter that llama-cpp-python loads with ``lora_path``.

The converter is llama.cpp's ``convert_lora_to_gguf.py`` from the llama-cpp-python source
distribution on PyPI (same version as the installed runtime, so the GGUF tensor names match). It
is fetched on first use into ``DATA_DIR/tools`` with pip (a package registry, no other download)
and never committed to the repository.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from apps.training.paths import tools_dir

LLAMA_CPP_PYTHON_VERSION = "0.3.36"
_NEEDED = ("convert_lora_to_gguf.py", "convert_hf_to_gguf.py", "conversion/", "gguf-py/")


class ExportError(RuntimeError):
    pass


def converter_path(*, version: str = LLAMA_CPP_PYTHON_VERSION) -> Path:
    """The extracted ``convert_lora_to_gguf.py``, fetching the sdist once (file-locked)."""
    root = tools_dir() / f"llama-cpp-{version}"
    script = root / "convert_lora_to_gguf.py"
    if script.is_file():
        return script
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".llama-cpp-{version}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if script.is_file():
            return script
        cache = root.parent / "sdist"
        sdist = cache / f"llama_cpp_python-{version}.tar.gz"
        if not sdist.is_file():
            cache.mkdir(parents=True, exist_ok=True)
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                   f"llama-cpp-python=={version}", "-d", str(cache)]  # fmt: skip
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
            if done.returncode != 0 or not sdist.is_file():
                raise ExportError(f"could not fetch llama-cpp-python {version} sdist: {done.stderr[-2000:]}")
        tmp = root.parent / f".llama-cpp-{version}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        prefix = f"llama_cpp_python-{version}/vendor/llama.cpp/"
        with tarfile.open(sdist) as tar:
            members = []
            for member in tar.getmembers():
                if not member.name.startswith(prefix) or not (member.isfile() or member.isdir()):
                    continue
                rel = member.name[len(prefix) :]
                if any(rel == n or (n.endswith("/") and rel.startswith(n)) for n in _NEEDED):
                    member.name = rel
                    members.append(member)
            tar.extractall(tmp, members=members, filter="data")
        if not (tmp / "convert_lora_to_gguf.py").is_file():
            raise ExportError(f"convert_lora_to_gguf.py not found in {sdist.name}")
        shutil.rmtree(root, ignore_errors=True)
        tmp.rename(root)
    return script


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def adapter_to_gguf(
    *, adapter_dir: Path, base_config_dir: Path, out_path: Path, outtype: str = "f16"
) -> Path:
    """Convert a peft adapter dir to one GGUF file (written whole, then renamed into place)."""
    script = converter_path()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    cmd = [sys.executable, str(script), "--base", str(base_config_dir), "--outtype", outtype,
           "--outfile", str(tmp), str(adapter_dir)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=script.parent, check=False)  # noqa: S603
    if done.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise ExportError(f"convert_lora_to_gguf.py failed: {done.stderr[-3000:]}")
    os.replace(tmp, out_path)
    return out_path


def adapter_verify(
    *, model_path: Path, adapter_path: Path, prompt: str, max_tokens: int = 16
) -> dict[str, object]:
    """Load base + adapter in llama.cpp and generate: proves the file is a usable adapter."""
    from llama_cpp import Llama  # noqa: TID251

    started = time.monotonic()
    llm = Llama(model_path=str(model_path), lora_path=str(adapter_path), n_ctx=1024, verbose=False)
    try:
        out = llm.create_completion(prompt, max_tokens=max_tokens, temperature=0.0)
    finally:
        llm.close()
    choice = out["choices"][0]
    return {
        "text": choice["text"],
        "finish_reason": choice["finish_reason"],
        "completion_tokens": out["usage"]["completion_tokens"],
        "seconds": round(time.monotonic() - started, 2),
    }
