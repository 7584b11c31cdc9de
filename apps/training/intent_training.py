"""Fit the learned intent expert and the expert-combination weights (intent_model.py).

Training rows: the store-agnostic generated phrasings (training_phrases.py, train side of its
by-template split) plus the hand-written seed phrasings (phrasing.py). Calibration rows: the
held-out templates of training_phrases.py, plus any ``extra_calibration`` rows (the calibration
halves of labelled store questions: real stores' catalogs and order numbers in the messages). The
combination weights and the clarify margin are fitted on calibration only; then (``refit``) the
classifier is fitted again on train + the held-out templates, keeping those weights and that margin.
``extra_train`` rows (e.g. a share of an external labelled file of real shoppers' phrasing) join
the classifier's training rows; the model records their digests (``meta["trained_external"]``) so
no later check scores them. ``check`` rows (the rest of such a file) are scored and reported, never
trained or fitted on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from apps.assistant import classifier, intent_model
from apps.assistant.intents import INTENTS
from apps.assistant.phrasing import PHRASES
from apps.assistant.prompts import LABEL_TO_INTENT, understand_labels, understand_prompt
from apps.assistant.training_phrases import training_split

Row = tuple[str, str]


def rows_train_calibration(seed: int = 0) -> tuple[list[Row], list[Row]]:
    train, calibration = training_split(seed=seed)
    seen = {text.lower() for text, _ in train}
    seeds = [
        (text, intent) for intent, texts in PHRASES.items() for text in texts if text.lower() not in seen
    ]
    calib_texts = {text.lower() for text, _ in calibration}
    return train + [r for r in seeds if r[0].lower() not in calib_texts], calibration


def features(vectors: np.ndarray, texts: Sequence[str], hash_dim: int) -> Any:
    """Sparse rows: the embedding, then L2-normalised binary hashed n-grams (intent_model.logits)."""
    import scipy.sparse as sp

    rows, cols, vals = [], [], []
    for r, text in enumerate(texts):
        indices = intent_model.hashed_indices(text, hash_dim)
        rows += [r] * len(indices)
        cols += indices
        vals += [1.0 / np.sqrt(len(indices))] * len(indices)
    grams = sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), hash_dim))
    return sp.hstack([sp.csr_matrix(vectors), grams]).tocsr()


def slm_probs(backend: Any, text: str) -> dict[str, float]:
    scores = backend.score_labels(
        prompt=understand_prompt(text), labels=understand_labels(), context="understand"
    )
    out = dict.fromkeys(INTENTS, 0.0)
    for label, p in scores.probs.items():
        intent = LABEL_TO_INTENT.get(label.strip())
        if intent:
            out[intent] += p
    return out


def experts_for(
    rows: Sequence[Row], *, model: intent_model.IntentModel, embed: Callable, backend: Any | None
) -> dict[str, list[dict[str, float] | None]]:
    texts = [text for text, _ in rows]
    vectors = embed(texts)
    emb = [model.probs(vector, text) for vector, text in zip(vectors, texts, strict=True)]
    code = [classifier.code_probs(text) for text in texts]
    slm = [slm_probs(backend, text) for text in texts] if backend is not None else [None] * len(texts)
    return {"emb": emb, "code": code, "slm": slm}


def report_rows(
    experts: dict[str, list[dict[str, float] | None]], labels: Sequence[str], combine: dict[str, dict]
) -> dict[str, dict[str, float]]:
    """Accuracy and log loss of each expert alone and of the combinations, on one set."""
    out: dict[str, dict[str, float]] = {}
    for name, rows in experts.items():
        if rows and rows[0] is not None:
            out[f"{name}-only"] = {
                "accuracy": intent_model.accuracy(rows, labels),
                "log_loss": intent_model.log_loss(rows, labels),
            }
    for key, weights in combine.items():
        if key == "slm" and experts["slm"][0] is None:
            continue
        combined = [
            intent_model.combine({n: experts[n][i] for n in experts}, weights) for i in range(len(labels))
        ]
        oos = [i for i, label in enumerate(labels) if label == "out_of_scope"]
        out[f"combined ({key})"] = {
            "accuracy": intent_model.accuracy(combined, labels),
            "log_loss": intent_model.log_loss(combined, labels),
            "out_of_scope_recall": (
                sum(max(combined[i], key=lambda k: combined[i][k]) == "out_of_scope" for i in oos) / len(oos)
                if oos
                else float("nan")
            ),
        }
    return out


def _fit(rows: Sequence[Row], *, embedder: Any, c: float) -> intent_model.IntentModel:
    from sklearn.linear_model import LogisticRegression

    index = {intent: i for i, intent in enumerate(INTENTS)}
    texts = [text for text, _ in rows]
    x = features(embedder.embed(texts), texts, intent_model.HASH_DIM)
    y = np.array([index[intent] for _, intent in rows])
    # Classes weighted to equal mass: out_of_scope and order_status are the big ones.
    fitted = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x, y)
    if list(fitted.classes_) != list(range(len(INTENTS))):
        raise ValueError("every intent needs training rows")
    return intent_model.IntentModel(
        embedder=embedder.name,
        weights=fitted.coef_.T.copy(),
        bias=fitted.intercept_.copy(),
        combine={"no_slm": {"emb": 1.0}, "slm": {"emb": 1.0}},
    )


# The SLM expert costs a forward pass per message (~80 ms on 2 cores, against ~20 ms for the rest
# of understand): it gets a weight only if it makes this much more of the calibration split right.
# Measured: 0.2 points (92.3% -> 92.5%), which would have taken understand's p50 past 100 ms.
SLM_MIN_GAIN = 0.01


def slm_combination(
    experts: dict[str, Sequence[dict[str, float] | None]], labels: Sequence[str], no_slm: dict[str, float]
) -> dict[str, float]:
    """The weights to use when the SLM is loaded: fitted with its expert if that makes at least
    SLM_MIN_GAIN more of the calibration rows right, else ``no_slm`` with the SLM at 0 (which
    makes understand skip the forward pass)."""

    def accuracy(weights: dict[str, float]) -> float:
        names = [n for n, rows in experts.items() if rows and all(r is not None for r in rows)]
        combined = [
            intent_model.combine({n: experts[n][i] for n in names}, weights) for i in range(len(labels))
        ]
        return intent_model.accuracy(combined, labels)

    with_slm, _ = intent_model.weights_fit(experts, labels)
    if with_slm.get("slm") and accuracy(with_slm) >= accuracy(no_slm) + SLM_MIN_GAIN:
        return with_slm
    return {**no_slm, "slm": 0.0}


def train(
    *,
    embedder: Any,
    backend: Any | None,
    seed: int = 0,
    check: Sequence[Row] = (),
    extra_calibration: Sequence[Row] = (),
    extra_train: Sequence[Row] = (),
    c: float = 16.0,
    refit: bool = True,
    log: Callable[[str], None] = print,
) -> tuple[intent_model.IntentModel, dict]:
    started = time.perf_counter()
    train_rows, calibration = rows_train_calibration(seed)
    train_rows = train_rows + list(extra_train)
    calibration = calibration + list(extra_calibration)
    log(f"train {len(train_rows)} rows, calibration {len(calibration)} rows, check {len(check)} rows")
    model = _fit(train_rows, embedder=embedder, c=c)
    log(f"logistic regression fitted in {time.perf_counter() - started:.1f}s")
    labels = [intent for _, intent in calibration]
    experts = experts_for(calibration, model=model, embed=embedder.embed, backend=backend)
    no_slm, _ = intent_model.weights_fit({"emb": experts["emb"], "code": experts["code"]}, labels)
    combine = {"no_slm": no_slm}
    combine["slm"] = (
        slm_combination(experts, labels, no_slm) if backend is not None else {**no_slm, "slm": 0.0}
    )
    if backend is not None and not combine["slm"].get("slm"):
        log("the SLM expert's gain does not pay for its forward pass: weight 0")
    model.combine = combine
    key = "slm" if backend is not None else "no_slm"
    calibrated = [
        intent_model.combine({n: experts[n][i] for n in experts}, combine[key]) for i in range(len(labels))
    ]
    model.margin = intent_model.margin_fit(calibrated, labels)
    report: dict[str, Any] = {
        "rows": {
            "train": len(train_rows),
            "train_external": len(extra_train),
            "calibration": len(calibration),
            "check": len(check),
        },
        "combine": combine,
        "margin": model.margin,
        "calibration": report_rows(experts, labels, combine),
    }
    if refit:
        # Weights and margin chosen, the held-out templates have done their job: the shipped
        # classifier learns from them too (the stores' labelled questions stay out of it).
        held_out = len(calibration) - len(extra_calibration)
        refitted = _fit(train_rows + calibration[:held_out], embedder=embedder, c=c)
        refitted.combine, refitted.margin = model.combine, model.margin
        model = refitted
        report["rows"]["refit"] = len(train_rows) + held_out
        log(f"refitted on {report['rows']['refit']} rows")
    if check:
        check_experts = experts_for(check, model=model, embed=embedder.embed, backend=backend)
        report["check"] = report_rows(check_experts, [intent for _, intent in check], combine)
    report["seconds"] = round(time.perf_counter() - started, 1)
    model.meta = {
        "seed": seed,
        "C": c,
        "features": f"{embedder.name} embedding + {intent_model.HASH_DIM} hashed n-grams",
        "slm_adapter": bool(getattr(backend, "adapter_file", None)) if backend is not None else None,
        "report": report,
        "trained_external": sorted({intent_model.text_key(text) for text, _ in extra_train}),
    }
    return model, report
