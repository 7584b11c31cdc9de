"""Content changes schedule a background index refresh after commit; the refresh decides what to do."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.bundles.signals import bundle_imported
from apps.catalog.models import Product
from apps.knowledge.models import FAQ, Policy
from apps.retrieval.services import index_refresh_enqueue


@receiver(post_save, sender=FAQ, dispatch_uid="retrieval_faq_saved")
@receiver(post_delete, sender=FAQ, dispatch_uid="retrieval_faq_deleted")
@receiver(post_save, sender=Policy, dispatch_uid="retrieval_policy_saved")
@receiver(post_delete, sender=Policy, dispatch_uid="retrieval_policy_deleted")
@receiver(post_save, sender=Product, dispatch_uid="retrieval_product_saved")
@receiver(post_delete, sender=Product, dispatch_uid="retrieval_product_deleted")
def content_changed(sender: type, **kwargs: Any) -> None:
    # robust: a broker outage must not fail the admin's save; `ask` refreshes in-process anyway.
    transaction.on_commit(index_refresh_enqueue, robust=True)


@receiver(bundle_imported, dispatch_uid="retrieval_bundle_imported")
def bundle_changed(sender: type, **kwargs: Any) -> None:
    # A store-bundle import writes in bulk (no post_save); it sends this after its commit.
    index_refresh_enqueue()
