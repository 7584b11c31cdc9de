from django.contrib.auth import views as auth_views
from django.urls import path

from apps.helpdesk import views

app_name = "helpdesk"

urlpatterns = [
    path("", views.console, name="console"),
    path("login/", auth_views.LoginView.as_view(template_name="helpdesk/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="helpdesk:login"), name="logout"),
    path("c/<int:conversation_id>/", views.conversation_detail, name="conversation"),
    path("c/<int:conversation_id>/claim/", views.claim, name="claim"),
    path("c/<int:conversation_id>/hand-back/", views.hand_back, name="hand_back"),
    path("c/<int:conversation_id>/resolve/", views.resolve, name="resolve"),
    path("c/<int:conversation_id>/reply/", views.reply, name="reply"),
    path("c/<int:conversation_id>/note/", views.note, name="note"),
]
