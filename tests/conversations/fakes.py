"""A FAKE assistant: stands in for apps.assistant.pipeline.reply in chat tests.

It does not understand anything: it answers by keyword, streams its answer token by token, and
lets a test run code in the middle of a reply (HOOK) to stage races. Selected with
settings.ASSISTANT_REPLY = "tests.conversations.fakes.fake_reply" (env ASSISTANT_REPLY for the
live worker in browser tests).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CALLS: list[dict] = []
HOOK: Callable[[], None] | None = None


@dataclass
class Turn:
    role: str
    text: str


@dataclass
class Reply:
    answer: str
    route: str
    trace: dict
    state: dict = field(default_factory=dict)
    quick_replies: list[str] = field(default_factory=list)
    handoff: bool = False


def fake_reply(*, turns, identity, on_token=None, llm="auto", state=None) -> Reply:
    CALLS.append({"turns": [(t.role, t.text) for t in turns], "identity": identity, "state": state})
    text = turns[-1].text.lower()
    delay = float(os.environ.get("FAKE_TOKEN_DELAY", "0"))
    if "boom" in text:
        raise RuntimeError("fake assistant failure")
    if "person" in text or "human" in text:
        answer, route, intent, reason = (
            "I'll connect you with a person from our team.",
            "human",
            "complaint_or_human",
            "asked_for_human",
        )
        quick: list[str] = []
        citations: list[dict] = []
    elif "size" in text:
        answer = "Yes! The Trail Runner is in stock in size 10, and sizes 9 and 11 too."
        route, intent, reason = "slm", "size_availability_or_fit", None
        quick = ["Size 9", "Size 11", "Talk to a person"]
        citations = [{"kind": "product", "id": "trail-runner"}, {"kind": "faq", "id": "faq-sizing"}]
    else:
        answer, route, intent, reason = "Happy to help! What would you like to know?", "slm", "greeting", None
        quick, citations = [], []
    if HOOK is not None:
        HOOK()
    if on_token is not None and route != "human":
        for piece in answer.split(" "):
            on_token(piece + " ")
            if delay:
                time.sleep(delay)
    trace = {
        "route": route,
        "intent": intent,
        "confidence": 0.91 if route == "slm" else 0.4,
        "answer": answer,
        "citations": citations,
        "tool_calls": [{"name": "variant_availability", "args": {"size": "10"}, "ok": True}]
        if citations
        else [],
        "escalation_reason": reason,
        "fake": True,
    }
    return Reply(
        answer=answer,
        route=route,
        trace=trace,
        state={"turns_seen": len(turns)},
        quick_replies=quick,
        handoff=route == "human",
    )
