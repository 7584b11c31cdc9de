"""The signed customer token: what proves a shopper's identity, and everything that must not."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.orders.identity import CustomerIdentity, customer_token_sign, customer_token_verify

SECRET = "s3cret-for-tests"


def b64(data: bytes, *, pad: bool = False) -> str:
    text = base64.urlsafe_b64encode(data).decode()
    return text if pad else text.rstrip("=")


def make_token(payload, *, secret: str = SECRET, pad: bool = False) -> str:
    """Sign like a store's backend would, independently of the code under test."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    first = b64(raw, pad=pad)
    sig = hmac.new(secret.encode(), first.encode(), hashlib.sha256).digest()
    return f"{first}.{b64(sig, pad=pad)}"


def future(seconds: int = 600) -> int:
    return int(time.time()) + seconds


def test_sign_then_verify_round_trip():
    # given
    token = customer_token_sign(email="Noah@Example.com", external_id="noah_1", secret=SECRET)
    # when
    identity = customer_token_verify(token=token, secret=SECRET)
    # then
    assert identity == CustomerIdentity(email="noah@example.com", external_id="noah_1", source="token")
    assert "=" not in token
    assert token.count(".") == 1


def test_token_format_matches_design():
    token = customer_token_sign(email="a@b.co", external_id="x", ttl_seconds=60, secret=SECRET)
    first, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))
    assert set(payload) == {"email", "external_id", "exp"}
    assert abs(payload["exp"] - (time.time() + 60)) < 5
    expected = hmac.new(SECRET.encode(), first.encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)) == expected


def test_secret_defaults_to_setting(settings):
    settings.SUPPORTBOT_CUSTOMER_TOKEN_SECRET = "from-settings"
    token = customer_token_sign(email="a@b.co", external_id="x")
    assert customer_token_verify(token=token) is not None
    assert customer_token_verify(token=token, secret="other") is None


def test_empty_secret_refuses_to_sign_and_verify(settings):
    settings.SUPPORTBOT_CUSTOMER_TOKEN_SECRET = ""
    with pytest.raises(ImproperlyConfigured):
        customer_token_sign(email="a@b.co", external_id="x")
    assert customer_token_verify(token=make_token({"email": "a@b.co", "exp": future()}, secret="")) is None


def test_externally_signed_token_verifies_padded_and_unpadded():
    payload = {"email": "ann@example.com", "external_id": "ann_7", "exp": future()}
    for pad in (False, True):
        identity = customer_token_verify(token=make_token(payload, pad=pad), secret=SECRET)
        assert identity is not None
        assert identity.external_id == "ann_7"


def test_whitespace_around_token_is_ignored():
    token = make_token({"email": "ann@example.com", "external_id": "ann_7", "exp": future()})
    assert customer_token_verify(token=f"  {token}\n", secret=SECRET) is not None


def test_wrong_secret_rejected():
    token = make_token({"email": "ann@example.com", "external_id": "a", "exp": future()}, secret="other")
    assert customer_token_verify(token=token, secret=SECRET) is None


def test_tampered_payload_rejected():
    # given a valid token for ann
    good = make_token({"email": "ann@example.com", "external_id": "a", "exp": future()})
    _, sig = good.split(".")
    # when the payload is swapped for bob's, keeping ann's signature
    forged_first = b64(json.dumps({"email": "bob@example.com", "external_id": "b", "exp": future()}).encode())
    # then
    assert customer_token_verify(token=f"{forged_first}.{sig}", secret=SECRET) is None


def test_tampered_signature_rejected():
    good = make_token({"email": "ann@example.com", "external_id": "a", "exp": future()})
    first, sig = good.split(".")
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    assert customer_token_verify(token=f"{first}.{flipped}", secret=SECRET) is None
    assert customer_token_verify(token=f"{first}.", secret=SECRET) is None
    assert customer_token_verify(token=f"{first}.{sig[:10]}", secret=SECRET) is None


def test_expired_token_rejected():
    token = make_token({"email": "ann@example.com", "external_id": "a", "exp": int(time.time()) - 1})
    assert customer_token_verify(token=token, secret=SECRET) is None


def test_expiry_uses_now_argument():
    exp = datetime(2030, 1, 1, tzinfo=UTC)
    token = make_token({"email": "ann@example.com", "external_id": "a", "exp": int(exp.timestamp())})
    assert customer_token_verify(token=token, secret=SECRET, now=exp - timedelta(seconds=1)) is not None
    assert customer_token_verify(token=token, secret=SECRET, now=exp) is None


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "ann@example.com", "external_id": "a"},  # no exp
        {"email": "ann@example.com", "external_id": "a", "exp": "9999999999"},  # exp as string
        {"email": "ann@example.com", "external_id": "a", "exp": True},  # bool is not a time
        {"email": "ann@example.com", "external_id": "a", "exp": None},
        {"email": "not-an-email", "external_id": "a", "exp": "FUTURE"},
        {"email": 42, "external_id": "a", "exp": "FUTURE"},
        {"email": "ann@example.com", "external_id": {"x": 1}, "exp": "FUTURE"},
        {"email": "", "external_id": "", "exp": "FUTURE"},  # names nobody
        ["ann@example.com", "a", 9999999999],  # not a dict
        "ann@example.com",
        12345,
        None,
    ],
)
def test_malformed_payload_rejected_even_when_signed(payload):
    if isinstance(payload, dict) and payload.get("exp") == "FUTURE":
        payload = {**payload, "exp": future()}
    assert customer_token_verify(token=make_token(payload), secret=SECRET) is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "   ",
        "nodot",
        "a.b.c",
        ".",
        "!!!.???",
        "eyJhIjoxfQ.@@@",
        "\x00\x01.\x02",
        "é.é",
    ],
)
def test_garbage_tokens_rejected(token):
    assert customer_token_verify(token=token, secret=SECRET) is None


def test_signed_non_json_and_non_utf8_rejected():
    assert customer_token_verify(token=make_token(b"not json"), secret=SECRET) is None
    assert customer_token_verify(token=make_token(b"\xff\xfe\x00"), secret=SECRET) is None


def test_huge_token_rejected_even_if_validly_signed():
    payload = {"email": "ann@example.com", "external_id": "a", "exp": future(), "pad": "x" * 5000}
    token = make_token(payload)
    assert len(token) > 4096
    assert customer_token_verify(token=token, secret=SECRET) is None


def test_non_string_token_rejected():
    assert customer_token_verify(token=None, secret=SECRET) is None  # type: ignore[arg-type]
    assert customer_token_verify(token=b"a.b", secret=SECRET) is None  # type: ignore[arg-type]


def test_numeric_external_id_and_missing_email_accepted():
    identity = customer_token_verify(token=make_token({"external_id": 77, "exp": future()}), secret=SECRET)
    assert identity == CustomerIdentity(email="", external_id="77", source="token")


def test_ttl_must_be_positive():
    with pytest.raises(ValueError, match="ttl"):
        customer_token_sign(email="a@b.co", external_id="x", ttl_seconds=0, secret=SECRET)
