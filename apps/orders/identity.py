"""Who the shopper is: the signed customer token from the store's website.

The token is ``base64url(JSON {"email", "external_id", "exp"}) + "." + base64url(HMAC-SHA256(secret,
first part))`` (see docs/customer-token.md). The HMAC is computed over the first part exactly as it
travels, so a store may send it with or without base64 padding. Everything that fails to verify
yields ``None``: callers treat that as an unverified shopper, never as an error to show.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from apps.orders.models import Order

# Anything larger is not a token a store would send; refuse before any decoding or hashing work.
TOKEN_MAX_BYTES = 4096
_B64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


@dataclass(frozen=True)
class CustomerIdentity:
    """A verified shopper. ``source``: "token" | "order_email" | "trusted"."""

    email: str
    external_id: str | None
    source: str


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes | None:
    if not _B64URL.match(text):
        return None
    stripped = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        return None


def _secret_bytes(secret: str | None) -> bytes:
    value = secret if secret is not None else getattr(settings, "SUPPORTBOT_CUSTOMER_TOKEN_SECRET", "")
    if not value:
        raise ImproperlyConfigured("SUPPORTBOT_CUSTOMER_TOKEN_SECRET is empty.")
    return value.encode("utf-8")


def _signature(secret: bytes, payload_part: str) -> bytes:
    return hmac.new(secret, payload_part.encode("ascii"), hashlib.sha256).digest()


def customer_token_sign(
    *, email: str, external_id: str, ttl_seconds: int = 3600, secret: str | None = None
) -> str:
    """A token for one shopper, valid ``ttl_seconds`` from now (what a store's backend does)."""
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    payload = {"email": email, "external_id": external_id, "exp": int(time.time()) + int(ttl_seconds)}
    payload_part = _b64url_encode(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    return f"{payload_part}.{_b64url_encode(_signature(_secret_bytes(secret), payload_part))}"


def customer_token_verify(
    *, token: str, secret: str | None = None, now: datetime | None = None
) -> CustomerIdentity | None:
    """The identity a token proves, or None (malformed, tampered, wrong secret, expired)."""
    if not isinstance(token, str):
        return None
    token = token.strip()
    if not token or len(token) > TOKEN_MAX_BYTES or token.count(".") != 1:
        return None
    payload_part, signature_part = token.split(".")
    given = _b64url_decode(signature_part)
    if given is None:
        return None
    try:
        key = _secret_bytes(secret)
    except ImproperlyConfigured:
        return None  # no secret configured: no token can be trusted
    if not _B64URL.match(payload_part):
        return None
    # Constant-time: the comparison must not tell an attacker how many bytes were right.
    if not hmac.compare_digest(_signature(key, payload_part), given):
        return None
    raw = _b64url_decode(payload_part)
    if raw is None:
        return None
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    email, external_id, exp = payload.get("email"), payload.get("external_id"), payload.get("exp")
    # bool is an int in Python; a token with "exp": true is malformed, not "expires at 1".
    if isinstance(exp, bool) or not isinstance(exp, int | float) or not math.isfinite(exp):
        return None
    current = now.timestamp() if now is not None else time.time()
    if exp <= current:
        return None
    if email is None:
        email = ""
    if not isinstance(email, str) or (email.strip() and "@" not in email):
        return None
    if isinstance(external_id, bool) or not isinstance(external_id, str | int | None):
        return None
    external = str(external_id).strip() if external_id is not None else ""
    if not email.strip() and not external:
        return None  # a token that names nobody proves nothing
    return CustomerIdentity(email=email.strip().lower(), external_id=external or None, source="token")


def customer_identity_from_order(*, order: Order) -> CustomerIdentity:
    """The identity a shopper proved by giving an order number plus that order's email."""
    customer = order.customer
    return CustomerIdentity(
        email=customer.email.strip().lower(), external_id=customer.external_id, source="order_email"
    )
