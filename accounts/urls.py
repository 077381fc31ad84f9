"""Juncture's own account pages. Sign-in, sign-up, e-mail, password and two-factor pages
are django-allauth's (``allauth.urls`` under /accounts/, names ``account_*`` and ``mfa_*``)."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.account, name="account"),
    path("accounts/sso/", views.sso_route, name="sso_route"),
    path("accounts/verify/resend/", views.verification_resend, name="verification_resend"),
    path("accounts/data/", views.data_export, name="data_export"),
    path("accounts/delete/", views.account_delete, name="delete"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("accounts/invitation/<str:token>/", views.invitation, name="invitation"),
    path("accounts/audit/", views.audit_log, name="audit"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/active/", views.person_active, name="person_active"),
]
