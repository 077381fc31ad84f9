from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("signup/", views.signup, name="signup"),
    path("audit/", views.audit_log, name="audit"),
    path("", views.account, name="account"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
