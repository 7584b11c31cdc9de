"""The learned intent expert and the weights that combine the three experts.

Expert ``emb``: multinomial logistic regression over the message's MiniLM sentence embedding (the
embedder the knowledge search already loads) joined with hashed word, word-pair and character
n-gram features (robust to typos; measured: either alone was right about 79% of the time on the
calibration split, both together 85%), trained on store-agnostic phrasings (training_phrases.py
and the seed phrasings), out-of-scope negatives included. Expert ``code``: classifier.code_probs (naive
Bayes + keyword rules + slot priors). Expert ``slm``: the SLM's label probabilities from one forward
pass. The combined posterior is a weighted product of experts,

    log p(intent) = w_emb·log p_emb + w_code·log p_code + w_slm·log p_slm + const,

with the weights chosen on a calibration split (phrasings of templates the experts never saw, plus
the calibration halves of labelled store questions): the mix that gets most of it right, scaled to
the lowest log loss. ``manage.py train_understand`` fits both and writes ``models/understand.npz``;
at run time the file is used only when the process's embedder is the one it was trained on.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings

from apps.assistant.intents import INTENTS

logger = logging.getLogger(__name__)

FILE_NAME = "understand.npz"
HASH_DIM = 1 << 15  # hashed n-gram features
SCALES = (0.1, 0.15, 0.2, 0.25, 0.33, 0.5, 0.67, 0.8, 1.25, 1.5)  # temperatures tried on the best weights
FLOOR = 1e-6  # an expert's probability is floored here before the log: no expert vetoes alone
# The ranges the combination weights are searched over (a grid: three numbers, a few hundred fits).
WEIGHT_GRID = {
    "emb": (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0),
    "code": (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0),
    "slm": (0.0, 0.1, 0.25, 0.5, 0.75, 1.0),
}


# How much of the code expert is mixed with the uniform distribution before the product (a grid,
# fitted with the weights): its keyword rules say 1.0 ("password" -> account) where the learned
# expert knows better ("reset my online banking password" is another company's login).
SMOOTH_GRID = (0.0, 0.03, 0.1, 0.3)


def default_path() -> Path:
    return Path(getattr(settings, "UNDERSTAND_MODEL_FILE", "") or settings.BASE_DIR / "models" / FILE_NAME)


def grams(text: str) -> set[str]:
    """Words, word pairs and character 3-5-grams of the normalised text."""
    from apps.assistant.classifier import normalize

    norm = normalize(text)
    words = norm.split()
    out = set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}
    padded = f" {norm} "
    for n in (3, 4, 5):
        out |= {"#" + padded[i : i + n] for i in range(len(padded) - n + 1)}
    return out


def hashed_indices(text: str, dim: int = HASH_DIM) -> list[int]:
    return sorted({zlib.crc32(g.encode()) % dim for g in grams(text)})


@dataclass
class IntentModel:
    embedder: str
    weights: np.ndarray  # (EMBED_DIM + hash_dim, len(INTENTS)): embedding rows, then n-gram rows
    bias: np.ndarray  # (len(INTENTS),)
    combine: dict[str, dict[str, float]]  # "slm" (all three experts) / "no_slm" (emb + code)
    margin: float = 0.0  # top-two gap of the combined posterior below which we ask, not answer
    meta: dict = field(default_factory=dict)
    hash_dim: int = HASH_DIM

    def logits(self, vector: np.ndarray, text: str) -> np.ndarray:
        dim = len(vector)
        out = vector.astype(np.float64) @ self.weights[:dim] + self.bias
        indices = hashed_indices(text, self.hash_dim)
        if indices:  # binary n-gram features, L2-normalised
            out += self.weights[dim + np.array(indices)].sum(axis=0) / math.sqrt(len(indices))
        return out

    def probs(self, vector: np.ndarray, text: str) -> dict[str, float]:
        logits = self.logits(vector, text)
        exps = np.exp(logits - logits.max())
        row = exps / exps.sum()
        return {intent: float(p) for intent, p in zip(INTENTS, row, strict=True)}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {
            "embedder": self.embedder,
            "combine": self.combine,
            "margin": self.margin,
            "meta": self.meta,
        }
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                weights=self.weights.astype(np.float32),
                bias=self.bias.astype(np.float32),
                labels=np.array(INTENTS),
                header=np.array(json.dumps(header, sort_keys=True)),
            )

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        with np.load(path, allow_pickle=False) as data:
            labels = tuple(str(x) for x in data["labels"])
            if labels != INTENTS:
                raise ValueError(f"{path}: trained for intents {labels}, not {INTENTS}")
            header = json.loads(str(data["header"]))
            return cls(
                embedder=header["embedder"],
                weights=data["weights"].astype(np.float64),
                bias=data["bias"].astype(np.float64),
                combine=header["combine"],
                margin=float(header.get("margin", 0.0)),
                meta=header.get("meta", {}),
                hash_dim=int(header.get("hash_dim", HASH_DIM)),
            )


@lru_cache(maxsize=1)
def _loaded(path: str) -> IntentModel | None:
    try:
        return IntentModel.load(Path(path))
    except FileNotFoundError:
        logger.warning("no trained intent model at %s: code and SLM experts only", path)
    except Exception as exc:  # a damaged file must not take the assistant down
        logger.error("intent model %s unreadable (%s): code and SLM experts only", path, exc)
    return None


def active() -> IntentModel | None:
    """The trained model, if there is one for the embedder this process uses."""
    from apps.inference.embeddings import embedder

    model = _loaded(str(default_path()))
    if model is None or embedder().name != model.embedder:
        return None
    return model


def slm_labels_used() -> bool:
    """Whether the understand step runs the SLM's label pass: always without a trained model,
    else only if calibration gave the SLM's labels weight."""
    model = active()
    return model is None or bool(model.combine["slm"].get("slm"))


def reset() -> None:
    _loaded.cache_clear()


def text_key(text: str) -> str:
    """A short digest of a message, case and spacing ignored: how the model records the external
    rows it was trained on without storing their text."""
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()[:16]


def trained_on(text: str) -> bool:
    """Whether the shipped model learned from this exact external message (so it cannot check it)."""
    model = _loaded(str(default_path()))
    return model is not None and text_key(text) in set(model.meta.get("trained_external", ()))


def emb_probs(text: str, model: IntentModel) -> dict[str, float]:
    from apps.inference.embeddings import embed_query

    return model.probs(embed_query(text), text)


def combine(experts: dict[str, dict[str, float] | None], weights: dict[str, float]) -> dict[str, float]:
    """Weighted product of the experts present (an expert that is None or weighted 0 is left out).

    ``weights["<name>_smooth"]`` (fitted, see ``SMOOTH_GRID``) mixes that expert with the uniform
    distribution first: a rule that says 1.0 for one intent can then be outvoted."""
    logs = dict.fromkeys(INTENTS, 0.0)
    uniform = 1.0 / len(INTENTS)
    for name, probs in experts.items():
        w = weights.get(name, 0.0)
        if probs is None or not w:
            continue
        eps = weights.get(f"{name}_smooth", 0.0)
        for intent in INTENTS:
            p = (1 - eps) * probs.get(intent, 0.0) + eps * uniform
            logs[intent] += w * math.log(max(p, FLOOR))
    top = max(logs.values())
    exps = {k: math.exp(v - top) for k, v in logs.items()}
    total = sum(exps.values())
    return {k: v / total for k, v in exps.items()}


def top_two_margin(probs: dict[str, float]) -> float:
    first, second = sorted(probs.values(), reverse=True)[:2]
    return first - second


# --- Training ----------------------------------------------------------------------------------
def log_loss(probs: Sequence[dict[str, float]], labels: Sequence[str]) -> float:
    return -sum(math.log(max(p[label], FLOOR)) for p, label in zip(probs, labels, strict=True)) / len(labels)


def accuracy(probs: Sequence[dict[str, float]], labels: Sequence[str]) -> float:
    right = sum(max(p, key=lambda k: p[k]) == label for p, label in zip(probs, labels, strict=True))
    return right / len(labels)


def weights_fit(
    experts: dict[str, Sequence[dict[str, float] | None]], labels: Sequence[str]
) -> tuple[dict[str, float], float]:
    """The grid point of combination weights that gets the most calibration messages right, the
    lowest log loss among those (log loss alone let the sharpest expert crowd out one that fixes
    errors: on the calibration split it dropped the code expert and got 3 points fewer right)."""
    names = [name for name, rows in experts.items() if rows and all(r is not None for r in rows)]
    best: tuple[tuple[float, float], dict[str, float]] | None = None
    smooths = SMOOTH_GRID if "code" in names else (0.0,)
    for eps, values in itertools.product(smooths, itertools.product(*(WEIGHT_GRID[name] for name in names))):
        if not any(values):
            continue
        weights = dict(zip(names, values, strict=True))
        if eps:
            weights["code_smooth"] = eps
        combined = [combine({name: experts[name][i] for name in names}, weights) for i in range(len(labels))]
        key = (-accuracy(combined, labels), log_loss(combined, labels))
        if best is None or key < best[0]:
            best = (key, weights)
    assert best is not None
    # Scaling every weight by one factor moves no argmax: choose the scale (a temperature) that
    # makes the posterior's confidence honest, i.e. the lowest log loss.
    chosen, loss = best[1], best[0][1]
    for scale in SCALES:
        scaled = {name: w if name.endswith("_smooth") else round(w * scale, 4) for name, w in best[1].items()}
        combined = [combine({name: experts[name][i] for name in names}, scaled) for i in range(len(labels))]
        scaled_loss = log_loss(combined, labels)
        if scaled_loss < loss:
            chosen, loss = scaled, scaled_loss
    return chosen, loss


def margin_fit(probs: Sequence[dict[str, float]], labels: Sequence[str], *, max_ask: float = 0.08) -> float:
    """The top-two margin below which the combined posterior is wrong more often than right,
    capped so that at most ``max_ask`` of the calibration messages would be asked to rephrase."""
    margins = sorted(
        (top_two_margin(p), max(p, key=lambda k: p[k]) == label)
        for p, label in zip(probs, labels, strict=True)
    )
    cap_index = int(max_ask * len(margins))
    chosen = 0.0
    wrong = right = 0
    for index, (margin, ok) in enumerate(margins):
        if index >= cap_index:
            break
        right += ok
        wrong += not ok
        if wrong > right:
            chosen = margin
    return round(chosen, 4)
