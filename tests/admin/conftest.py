from __future__ import annotations

import pytest

from tests.demo.support import demo_store_load, demo_store_wipe


@pytest.fixture(scope="module")
def demo_store(django_db_setup, django_db_blocker):
    """The demo store, committed once for the module and removed afterwards.

    Tests still run in their own transaction (``db``), so what they change rolls back.
    """
    with django_db_blocker.unblock():
        demo_store_wipe()
        demo_store_load()
    yield
    with django_db_blocker.unblock():
        demo_store_wipe()
