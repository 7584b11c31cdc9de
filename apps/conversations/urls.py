from django.urls import path

from apps.conversations import views

urlpatterns = [
    path("", views.shop_demo, name="shop"),
    path("kb/<str:kind>/<str:external_id>/", views.knowledge_page, name="knowledge_page"),
]
