"""The large-model tier: any OpenAI-compatible endpoint, and the PII redaction in front of it.

``llm_complete`` sends messages as given; ``llm_complete_redacted`` redacts every message first
(unless ``LLM_REDACT_PII`` is off) and restores the placeholders in the reply. Every failure
(connection, timeout, HTTP error, empty answer) raises ``LLMUnavailable`` within the timeout, so
the caller can hand the conversation to a human.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

# Second attempt only for failures that are likely transient, and only while time remains.
MAX_ATTEMPTS = 2


class LLMUnavailable(Exception):
    """The LLM tier could not answer (not configured, unreachable, timed out, or an error)."""


@dataclass
class LLMResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    model: str


def llm_configured() -> bool:
    return bool(settings.LLM_BASE_URL)


def llm_complete(*, messages: list[dict], max_tokens: int = 300, timeout: float | None = None) -> LLMResult:
    """One chat completion; raises ``LLMUnavailable`` on any failure, within ``timeout`` seconds."""
    if not llm_configured():
        raise LLMUnavailable("LLM_BASE_URL is not set")
    import openai

    budget = float(timeout if timeout is not None else settings.LLM_TIMEOUT_SECONDS)
    deadline = time.monotonic() + budget
    # The client's own retries would multiply the timeout: retry here against one deadline.
    client = openai.OpenAI(
        base_url=settings.LLM_BASE_URL, api_key=settings.LLM_API_KEY or "not-needed", max_retries=0
    )
    last_error: Exception | None = None
    try:
        for _attempt in range(MAX_ATTEMPTS):
            remaining = deadline - time.monotonic()
            if remaining <= 0.05:
                break
            try:
                response = client.with_options(timeout=remaining).chat.completions.create(
                    model=settings.LLM_MODEL, messages=messages, max_tokens=max_tokens
                )
            except (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError) as exc:
                # APITimeoutError is an APIConnectionError: a timeout leaves no time to retry anyway.
                last_error = exc
                logger.warning("LLM attempt failed: %s", exc)
                continue
            except openai.OpenAIError as exc:
                raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc
            choice = response.choices[0] if response.choices else None
            text = (choice.message.content or "") if choice and choice.message else ""
            if not text.strip():
                raise LLMUnavailable("empty answer")
            usage = response.usage
            return LLMResult(
                text=text,
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                model=response.model or settings.LLM_MODEL,
            )
    except LLMUnavailable:
        raise
    except Exception as exc:  # a malformed response or a client bug must not crash the reply
        raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc
    finally:
        client.close()
    raise LLMUnavailable(f"{type(last_error).__name__}: {last_error}" if last_error else "timed out")


def llm_complete_redacted(
    *, messages: list[dict], names: Sequence[str] = (), max_tokens: int = 300, timeout: float | None = None
) -> tuple[LLMResult, dict[str, str]]:
    """``llm_complete`` with PII replaced by placeholders on the way out and restored on the way in.

    Returns the result (text restored) and the mapping used, so the trace can show what was hidden.
    """
    mapping: dict[str, str] = {}
    if settings.LLM_REDACT_PII:
        redacted = []
        for message in messages:
            content = message.get("content")
            if isinstance(content, str):
                content, mapping = pii_redact(content, names=names, mapping=mapping)
            redacted.append({**message, "content": content})
        messages = redacted
    result = llm_complete(messages=messages, max_tokens=max_tokens, timeout=timeout)
    if mapping:
        result.text = pii_restore(result.text, mapping)
    return result, mapping


# --- PII ----------------------------------------------------------------------------------------
# Patterns are linear (no nested unbounded quantifiers) so a 100 KB hostile message stays fast.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}"
)
# 13-19 digits, optionally grouped by single spaces or dashes; Luhn-checked before redaction.
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_ORDER = re.compile(r"#\s?[A-Za-z]{0,3}\d{3,12}\b|\b[A-Za-z]{1,2}\d{6,12}\b")
# Street types that are rarely anything else match in any case ("12 oak st"); those that are
# everyday words ("on the way", "a court") only when capitalised ("12 Harbor Way").
_STREET_ANY_CASE = r"street|st|avenue|ave|rd|boulevard|blvd|ln|dr|ct|pkwy|hwy|ter|cir|trl|sq|pl"
_STREET_CAPITALISED = (
    r"Road|Lane|Parkway|Highway|Terrace|Way|Drive|Court|Place|Square|Circle|Trail|Alley|Row|Close|Crescent"
)
_ADDRESS = re.compile(
    r"(?<![\w-])\d{1,6}[A-Za-z]?(?:\s+[A-Za-z][A-Za-z0-9.'-]{0,30}){1,4}?\s+"
    r"(?:(?i:" + _STREET_ANY_CASE + r")|" + _STREET_CAPITALISED + r")\b\.?"
    r"(?:,?\s+(?i:apt|apartment|suite|ste|unit|#)\.?\s*[A-Za-z0-9-]{1,8})?"
    r"(?:,\s*[A-Z][A-Za-z.'-]{1,30}(?:\s[A-Z][A-Za-z.'-]{1,30}){0,3})?"
    r"(?:,?\s+[A-Z]{2}\b)?(?:,?\s+\d{5}(?:-\d{4})?\b)?"
    r"|\b(?i:p\.?\s?o\.?\s+box)\s+\d{1,8}\b"
)
# Phones: an international "+" number, or the usual national groupings (not bare 12-digit
# tracking numbers, dates or prices).
_PHONE = re.compile(
    r"(?<![\w+])\+\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}(?!\w)"
    r"|(?<![\w(])(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\w)"
    r"|(?<![\w-])0\d{2,4}[\s.-]\d{3,4}[\s.-]?\d{3,4}(?![\w-])"
    r"|(?<![\w-])\d{10}(?![\w-])"
)
_PLACEHOLDER = re.compile(r"\[(EMAIL|PHONE|ADDRESS|CARD|ORDER|NAME)_(\d{1,4})\]")


def luhn_valid(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _name_pattern(names: Sequence[str]) -> re.Pattern[str] | None:
    forms: set[str] = set()
    for name in names:
        name = " ".join(str(name).split())
        if len(name) < 2:
            continue
        forms.add(name)
        forms.update(part for part in name.split(" ") if len(part) >= 2)
    if not forms:
        return None
    alternation = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE)


def pii_redact(
    text: str, *, names: Sequence[str] = (), mapping: dict[str, str] | None = None
) -> tuple[str, dict[str, str]]:
    """Replace emails, card numbers, addresses, phones, order numbers and ``names`` by placeholders.

    The same value always gets the same placeholder ("[EMAIL_1]"), also across the messages of one
    conversation when the previous ``mapping`` is passed back in. Placeholders the text already
    contains (a shopper typing "[EMAIL_1]") are never reused, so restoring cannot be tricked into
    substituting a real value for the shopper's literal text. Returns (redacted text, placeholder
    -> original).
    """
    if not isinstance(text, str):
        text = str(text)
    mapping = dict(mapping or {})
    by_value = {_key(_kind_of(ph), value): ph for ph, value in mapping.items()}
    taken = set(mapping) | {m.group(0) for m in _PLACEHOLDER.finditer(text)}
    counters: dict[str, int] = {}

    def placeholder(kind: str, value: str) -> str:
        key = _key(kind, value)
        if key in by_value:
            return by_value[key]
        n = counters.get(kind, 0)
        while True:
            n += 1
            candidate = f"[{kind}_{n}]"
            if candidate not in taken:
                break
        counters[kind] = n
        taken.add(candidate)
        mapping[candidate] = value
        by_value[key] = candidate
        return candidate

    def sub(pattern: re.Pattern[str], kind: str, value_ok=None) -> None:
        nonlocal text

        def repl(m: re.Match[str]) -> str:
            value = m.group(0)
            if _PLACEHOLDER.fullmatch(value) or (value_ok and not value_ok(value)):
                return value
            return placeholder(kind, value)

        text = pattern.sub(repl, text)

    # Order matters: emails before names (a name inside an address), cards before phones.
    sub(_EMAIL, "EMAIL")
    sub(_CARD, "CARD", luhn_valid)
    sub(_ADDRESS, "ADDRESS")
    sub(_PHONE, "PHONE")
    sub(_ORDER, "ORDER")
    name_re = _name_pattern(names)
    if name_re is not None:
        sub(name_re, "NAME")
    return text, mapping


def pii_restore(text: str, mapping: dict[str, str]) -> str:
    """Put the original values back for the placeholders of ``mapping`` (and only those)."""
    if not mapping or not text:
        return text

    def repl(m: re.Match[str]) -> str:
        return mapping.get(m.group(0), m.group(0))

    return _PLACEHOLDER.sub(repl, text)


def _kind_of(placeholder: str) -> str:
    m = _PLACEHOLDER.fullmatch(placeholder)
    return m.group(1) if m else "OTHER"


def _key(kind: str, value: str) -> tuple[str, str]:
    # What counts as "the same value": case-insensitive; digits only for numbers.
    if kind in ("PHONE", "CARD"):
        return kind, re.sub(r"\D", "", value)
    if kind == "ORDER":
        return kind, re.sub(r"[#\s]", "", value).upper()
    return kind, " ".join(value.split()).lower()
