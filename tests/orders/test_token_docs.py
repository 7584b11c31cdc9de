"""The copy-paste example in docs/customer-token.md must produce tokens the server accepts."""

from __future__ import annotations

import re
from pathlib import Path

from apps.orders.identity import CustomerIdentity, customer_token_verify

DOC = Path(__file__).resolve().parents[2] / "docs" / "customer-token.md"


def test_python_example_in_docs_signs_valid_tokens(monkeypatch):
    # given the Python snippet exactly as a store developer would paste it
    (snippet,) = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    namespace: dict = {}
    exec(compile(snippet, str(DOC), "exec"), namespace)
    monkeypatch.setenv("SUPPORTBOT_CUSTOMER_TOKEN_SECRET", "doc-secret")
    # when
    token = namespace["supportbot_customer_token"]("Ann@Example.com", "ann_1")
    # then
    assert customer_token_verify(token=token, secret="doc-secret") == CustomerIdentity(
        email="ann@example.com", external_id="ann_1", source="token"
    )
    assert customer_token_verify(token=token, secret="another-secret") is None
    expired = namespace["supportbot_customer_token"]("ann@example.com", None, ttl_seconds=-10)
    assert customer_token_verify(token=expired, secret="doc-secret") is None
