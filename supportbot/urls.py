from django.contrib import admin
from django.urls import include, path

from supportbot.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("helpdesk/", include("apps.helpdesk.urls")),
    path("", include("apps.conversations.urls")),
]
