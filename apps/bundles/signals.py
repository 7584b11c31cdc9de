"""Signals other apps may listen to without the bundles app knowing them (it sits below them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the import's transaction commits, only when it changed something, with
# ``report`` (an ImportReport). Bulk writes send no post_save, so a search index listens here.
bundle_imported = Signal()
