"""Fixtures for the inference tests: the fake SLM, the real GGUF, a real OpenAI-compatible server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from apps.inference.backends import slm_reset


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fake_slm(settings):
    settings.SLM_BACKEND = "apps.inference.backends.FakeSLM"
    slm_reset()
    from apps.inference.backends import slm

    yield slm()
    slm_reset()


@pytest.fixture(scope="session")
def gguf_path() -> Path:
    from apps.inference.backends import packaged_model_assemble

    # The real data dir's models/ is a cache of the packaged weights, shared with the app.
    return packaged_model_assemble(models_dir=Path(django_settings.MODELS_DIR))


@pytest.fixture(scope="session")
def llama_backend(gguf_path):
    from apps.inference.backends import LlamaCppBackend

    backend = LlamaCppBackend(model_file=gguf_path, adapter_file="none", n_ctx=1024, n_threads=2)
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def llm_server(gguf_path):
    """llama-cpp-python's OpenAI-compatible server on 127.0.0.1 with the real Gemma GGUF."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf_path),
            "--model_alias",
            "gemma-test",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "512",
            "--n_threads",
            "2",
            # The GGUF's own Jinja template makes the base model end its turn at once (empty
            # answers); the plain Gemma turn format gets text out of it.
            "--chat_format",
            "gemma",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 90
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not come up within 90 s")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
