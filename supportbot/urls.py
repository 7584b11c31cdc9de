from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("helpdesk/", include("apps.helpdesk.urls")),
    path("", include("apps.conversations.urls")),
]
