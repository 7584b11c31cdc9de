"""Staff roles and the demo accounts."""

from __future__ import annotations

import json
import stat

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from apps.catalog.models import Product
from apps.orders.models import Order
from apps.orders.roles import STORE_ADMIN, SUPPORT_AGENT, roles_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agent_client(client, fast_hashing):
    roles_setup()
    agent = get_user_model().objects.create_user("agent-1", password="x", is_staff=True)
    agent.groups.add(Group.objects.get(name=SUPPORT_AGENT))
    client.force_login(agent)
    return client


def _codenames(group_name):
    return set(
        Group.objects.get(name=group_name).permissions.values_list("content_type__app_label", "codename")
    )


def test_setup_roles_is_idempotent_and_repairs_groups(capsys):
    # when run twice
    call_command("setup_roles")
    first = (_codenames(STORE_ADMIN), _codenames(SUPPORT_AGENT))
    call_command("setup_roles")
    # then nothing differs, and the output names both groups
    assert (_codenames(STORE_ADMIN), _codenames(SUPPORT_AGENT)) == first
    out = capsys.readouterr().out
    assert STORE_ADMIN in out
    assert SUPPORT_AGENT in out
    assert Group.objects.filter(name__in=[STORE_ADMIN, SUPPORT_AGENT]).count() == 2

    # and a group someone stripped is restored on the next run
    Group.objects.get(name=SUPPORT_AGENT).permissions.clear()
    call_command("setup_roles")
    assert _codenames(SUPPORT_AGENT) == first[1]


def test_store_admin_has_everything_agent_only_views_store_data():
    roles_setup()
    admin_perms = _codenames(STORE_ADMIN)
    agent_perms = _codenames(SUPPORT_AGENT)
    for app, model in (
        ("catalog", "product"),
        ("catalog", "variant"),
        ("orders", "order"),
        ("knowledge", "policy"),
    ):
        for action in ("add", "change", "delete", "view"):
            assert (app, f"{action}_{model}") in admin_perms
        assert (app, f"view_{model}") in agent_perms
        assert (app, f"change_{model}") not in agent_perms
    assert ("orders", "view_customer") in agent_perms
    # Whatever conversations/helpdesk permissions exist, agents may work them but not delete.
    work = Permission.objects.filter(content_type__app_label__in=["conversations", "helpdesk"])
    for perm in work:
        granted = (perm.content_type.app_label, perm.codename) in agent_perms
        assert granted == (not perm.codename.startswith("delete_"))
    assert not any(codename.startswith("delete_") for _, codename in agent_perms)


def test_support_agent_cannot_change_products(agent_client, demo_store):
    product = Product.objects.first()
    url = reverse("admin:catalog_product_change", args=[product.pk])
    # the agent can look...
    page = agent_client.get(url)
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    # ...but not change, add or delete
    response = agent_client.post(url, {"name": "Hacked", "external_id": product.external_id})
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name != "Hacked"
    assert agent_client.get(reverse("admin:catalog_product_add")).status_code == 403
    assert agent_client.get(reverse("admin:catalog_product_delete", args=[product.pk])).status_code == 403
    # and the whole-store export (every customer's data) is for store admins only
    assert agent_client.get(reverse("admin:catalog_product_export_bundle")).status_code == 403
    assert agent_client.get(reverse("admin:orders_order_changelist")).status_code == 200
    order = Order.objects.first()
    assert agent_client.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 200


def test_ensure_demo_users(settings, tmp_path, monkeypatch, client, capsys, fast_hashing):
    # given an admin password from the environment and none for the agent
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "admin-secret-123")
    monkeypatch.delenv("DEMO_AGENT_PASSWORD", raising=False)
    # when
    call_command("ensure_demo_users")
    out = capsys.readouterr().out
    # then the agent's generated password is kept, private, and printed
    path = tmp_path / "demo_credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert set(stored) == {"agent"}  # the env password is never written down
    assert "admin-secret-123" in out
    assert stored["agent"] in out
    users = get_user_model().objects
    admin, agent = users.get(username="admin"), users.get(username="agent")
    assert admin.is_superuser
    assert admin.is_staff
    assert agent.is_staff
    assert not agent.is_superuser
    assert list(agent.groups.values_list("name", flat=True)) == [SUPPORT_AGENT]
    assert client.login(username="admin", password="admin-secret-123")
    assert client.login(username="agent", password=stored["agent"])

    # when run again: same passwords, nothing regenerated
    call_command("ensure_demo_users")
    assert json.loads(path.read_text()) == stored
    assert client.login(username="agent", password=stored["agent"])
    assert users.filter(username__in=["admin", "agent"]).count() == 2

    # a password changed in the admin since is left alone and not shown
    agent.set_password("changed-by-hand")
    agent.save()
    call_command("ensure_demo_users")
    assert "not shown" in capsys.readouterr().out
    assert client.login(username="agent", password="changed-by-hand")
