from __future__ import annotations

from typing import Any

from apps.assistant.intents import INTENTS
from apps.assistant.pipeline import Reply, Turn, reply

TRACE_FIELDS = [
    "route",
    "intent",
    "sub_intent",
    "slots",
    "confidence",
    "answer",
    "citations",
    "tool_calls",
    "escalation_reason",
    "latency_ms",
    "tokens",
    "model",
]
ROUTES = {"slm", "llm", "human", "clarify"}
SLOT_KEYS = {"order_number", "email", "product", "size", "color", "quantity", "reason"}
REASONS = (
    "low_confidence",
    "asked_for_human",
    "unverified",
    "out_of_scope",
    "llm_unavailable",
    "bad_input",
    "error",
)


def ask(
    text: str, *, history: list[tuple[str, str]] = (), identity: Any = None, llm: str = "off", state=None
) -> Reply:
    turns = [Turn(role=r, text=t) for r, t in history] + [Turn(role="customer", text=text)]
    return reply(turns=turns, identity=identity, llm=llm, state=state)


def assert_trace_valid(trace: dict) -> None:
    assert list(trace) == TRACE_FIELDS
    assert trace["route"] in ROUTES
    assert trace["intent"] in INTENTS
    assert set(trace["slots"]) <= SLOT_KEYS
    assert isinstance(trace["confidence"], float)
    assert 0.0 <= trace["confidence"] <= 1.0
    assert isinstance(trace["answer"], str)
    for c in trace["citations"]:
        assert set(c) == {"kind", "id"}
        assert c["kind"] in {"order", "product", "variant", "faq", "policy"}
    for call in trace["tool_calls"]:
        assert set(call) == {"name", "args", "ok"}
    reason = trace["escalation_reason"]
    assert reason is None or reason.split(":")[0] in REASONS
    assert set(trace["latency_ms"]) == {"understand", "first_token", "total"}
    lat = trace["latency_ms"]
    assert 0 <= lat["understand"] <= lat["total"]
    assert lat["first_token"] <= lat["total"]
    assert set(trace["tokens"]) == {
        "slm_prompt",
        "slm_prompt_cached",
        "slm_completion",
        "llm_prompt",
        "llm_completion",
    }
    assert set(trace["model"]) == {"slm", "slm_file", "adapter_file", "llm"}
    if trace["route"] == "llm":
        assert trace["escalation_reason"]
