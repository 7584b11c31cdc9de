"""Signals other apps may listen to without the inference app knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the commit that made ``version`` (a ModelVersion) the active model.
model_activated = Signal()
