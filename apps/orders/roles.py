"""Staff roles (Store admin, Support agent) and the demo accounts.

Group permissions are recomputed from the installed models on every run, so re-running
``manage.py setup_roles`` after a new app or model is migrated grants its permissions too.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import QuerySet

STORE_ADMIN = "Store admin"
SUPPORT_AGENT = "Support agent"

# Store admins run the store: every permission on every Supportbot app.
STORE_ADMIN_APPS = (
    "catalog",
    "knowledge",
    "orders",
    "bundles",
    "retrieval",
    "inference",
    "assistant",
    "analytics",
    "conversations",
    "helpdesk",
    "training",
)
# Support agents look things up, and work conversations (never delete them).
AGENT_VIEW_APPS = ("catalog", "knowledge", "orders")
AGENT_WORK_APPS = ("conversations", "helpdesk")

CREDENTIALS_FILE = "demo_credentials.json"


def _permissions(app_labels: tuple[str, ...]) -> QuerySet[Permission]:
    return Permission.objects.filter(content_type__app_label__in=app_labels)


@transaction.atomic
def roles_setup() -> dict[str, int]:
    """Create or update both groups; returns the number of permissions each now has."""
    # Permissions are made by post_migrate; make sure models added since then have theirs.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    store_admin, _ = Group.objects.get_or_create(name=STORE_ADMIN)
    store_admin.permissions.set(_permissions(STORE_ADMIN_APPS))
    agent, _ = Group.objects.get_or_create(name=SUPPORT_AGENT)
    agent_perms = _permissions(AGENT_VIEW_APPS).filter(codename__startswith="view_") | _permissions(
        AGENT_WORK_APPS
    ).exclude(codename__startswith="delete_")
    agent.permissions.set(agent_perms)
    return {STORE_ADMIN: store_admin.permissions.count(), SUPPORT_AGENT: agent.permissions.count()}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str | None  # None when the password was changed since and is no longer known
    created: bool
    source: str  # "env", "generated" or "stored"


def _credentials_path() -> Path:
    return Path(settings.DATA_DIR) / CREDENTIALS_FILE


def _read_credentials(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_credentials(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created 0600 from the start: the passwords are never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    path.chmod(0o600)


@transaction.atomic
def demo_users_ensure() -> list[DemoAccount]:
    """The "admin" superuser and the "agent" support agent, with known passwords.

    A password comes from DEMO_ADMIN_PASSWORD / DEMO_AGENT_PASSWORD when set (and is then applied
    to the existing user too); otherwise it is generated once and kept in
    DATA_DIR/demo_credentials.json (mode 0600). A password someone changed in the admin since is
    left alone.
    """
    roles_setup()
    path = _credentials_path()
    stored = _read_credentials(path)
    stored_before = dict(stored)
    user_model = get_user_model()
    accounts = []
    for username, env_name in (("admin", "DEMO_ADMIN_PASSWORD"), ("agent", "DEMO_AGENT_PASSWORD")):
        from_env = os.environ.get(env_name, "")
        if from_env:
            password, source = from_env, "env"
        elif username in stored:
            password, source = stored[username], "stored"
        else:
            password, source = secrets.token_urlsafe(12), "generated"
        user = user_model.objects.filter(username=username).first()
        created = user is None
        if source == "generated" and created:
            stored[username] = password  # only a password that is really the user's is kept
        if user is None:
            user = user_model(username=username, email=f"{username}@supportbot.invalid")
            user.set_password(password)
        elif source == "env" and not user.check_password(password):
            user.set_password(password)
        user.is_active = True
        user.is_staff = True
        user.is_superuser = username == "admin"
        user.save()
        if username == "agent":
            user.groups.add(Group.objects.get(name=SUPPORT_AGENT))
        known = created or source == "env" or user.check_password(password)
        accounts.append(DemoAccount(username, password if known else None, created, source))
    if stored != stored_before:
        _write_credentials(path, stored)
    return accounts
