from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.conversations.conftest import (  # noqa: F401  (shared chat fixtures)
    _fake_assistant,
    enqueued,
    make_communicator,
    ws_app,
)


@pytest.fixture
def make_agent(db):
    def make(username: str = "sam", first_name: str = "Sam"):
        user = get_user_model().objects.create_user(username, password="pw-123456789", first_name=first_name)
        user.groups.add(Group.objects.get_or_create(name="Support agent")[0])
        return user

    return make
