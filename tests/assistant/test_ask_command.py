"""manage.py ask: the ASK_TRACE.md contract."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from apps.orders.models import Order
from tests.assistant.helpers import TRACE_FIELDS, assert_trace_valid

pytestmark = pytest.mark.django_db


def test_jsonl_in_traces_out_in_order_and_rolled_back(store, tmp_path):
    lines = [
        {"id": "q1", "utterance": "where is my order #W2611340?", "customer": {"email": "noah@example.com"}},
        "not json at all",
        {"id": "q3", "utterance": 42},
        {
            "id": "q4",
            "utterance": "yes",
            "history": [
                {"role": "customer", "text": "cancel my order #W5550002 mia@example.com"},
                {
                    "role": "assistant",
                    "text": "It hasn't shipped yet. Shall I cancel it? Reply yes to confirm.",
                },
            ],
        },
        {"id": "q5", "utterance": "what is the capital of peru"},
    ]
    src = tmp_path / "q.jsonl"
    src.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    out = tmp_path / "t.jsonl"
    call_command("ask", "--jsonl", str(src), "--out", str(out), "--no-llm")
    traces = [json.loads(line) for line in out.read_text().splitlines()]
    assert [t["id"] for t in traces] == ["q1", None, "q3", "q4", "q5"]
    for t in traces:
        assert list(t) == ["id", *TRACE_FIELDS]
        assert_trace_valid({k: t[k] for k in TRACE_FIELDS})
    assert traces[0]["route"] == "slm"
    assert traces[0]["slots"]["order_number"] == "#W2611340"
    assert traces[1]["route"] == "human"
    assert traces[1]["escalation_reason"].startswith("bad_input")
    assert traces[2]["route"] == "human"
    assert traces[2]["escalation_reason"].startswith("bad_input")
    # the cancellation happened inside the conversation's transaction and was rolled back
    assert any(c["name"] == "order_cancel" and c["ok"] for c in traces[3]["tool_calls"])
    assert Order.objects.get(pk=store.mia_pending.pk).status == "pending"
    assert traces[4]["route"] == "llm"
    assert traces[4]["answer"] == ""


def test_pretty_mode_prints_answer_route_intent_confidence_tools(store, capsys):
    call_command("ask", "how much does shipping cost?")
    out = capsys.readouterr().out
    assert "5.95" in out
    for label in ("route:", "intent:", "confidence:", "tools:"):
        assert label in out
