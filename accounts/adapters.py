"""django-allauth adapters: Juncture's rules on top of allauth's flows.

- Self sign-up makes a customer; the display name comes from the sign-up form.
- A new password (changed, reset or set) revokes every API token of the account.
- Failed logins are counted per address and per e-mail by ``accounts.throttle`` (the
  lockout answers 429), and every login and failed login is audited.
- Domains whose identity provider has switched local passwords off cannot sign in, sign up,
  or reset a password with a password.
- Identity-provider sign-ins provision employees just in time and apply the claim mapping
  on every login.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.http import HttpRequest

from accounts import services, sso
from accounts.audit import audit_record
from accounts.models import Function, Kind
from accounts.throttle import Ratelimited, login_failure_limited, record_login_failure
from core.web import client_ip


def sso_only_error(route: sso.Route) -> forms.ValidationError:
    return forms.ValidationError(
        f"People at {sso.email_domain(route.email)} sign in with {route.name}.",
        code="sso_only",
    )


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # One message for a wrong password and an unknown e-mail, so the form does not
        # reveal who has an account.
        "email_password_mismatch": (
            "That e-mail and password do not match an account. Check both and try again."
        ),
    }

    def clean_email(self, email: str) -> str:
        return super().clean_email(email).strip().lower()

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.kind = Kind.CUSTOMER
        user.function = ""
        user.display_name = form.cleaned_data.get("display_name", "").strip() or user.email
        if commit:
            # No welcome message here: the sign-up page answers a new and a known address
            # alike (accounts.views.JunctureSignupView).
            user.save()
        return user

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        email = credentials.get("email", "")
        if login_failure_limited(request, email):
            raise Ratelimited()
        route = sso.sso_only_route(email, request)
        if route is not None:
            raise sso_only_error(route)

    def authentication_failed(self, request: HttpRequest, **credentials) -> None:
        email = (credentials.get("email") or "").strip().lower()
        record_login_failure(request, email)
        audit_record(
            actor=None,
            action="login.failed",
            summary=f"Failed login for {email or 'an empty e-mail'}"[:300],
            data={"email": email[:254], "ip": self.get_client_ip(request), "door": "html"},
        )

    def login(self, request: HttpRequest, user) -> None:
        super().login(request, user)
        methods = request.session.get("account_authentication_methods") or [{}]
        method = methods[-1].get("method", "password")
        audit_record(
            actor=user,
            action="login",
            target=user,
            summary=f"{user.email} logged in ({method})",
            data={"method": method, "ip": self.get_client_ip(request), "door": "html"},
        )

    def set_password(self, user, password: str) -> None:
        # Password change, reset or set: a new password also ends every API token of the
        # account (the old password may be what leaked).
        super().set_password(user, password)
        services.tokens_revoke_all(user=user, actor=user, reason="the password was changed")

    def send_password_reset_mail(self, user, email, context) -> None:
        # A reset would hand out a password that the login refuses anyway.
        if sso.sso_only_route(email, self.request) is None:
            super().send_password_reset_mail(user, email, context)

    def get_client_ip(self, request: HttpRequest) -> str:
        # Same source as the throttle and the API token endpoint: REMOTE_ADDR, or the address
        # the outermost of TRUSTED_PROXY_COUNT proxies saw.
        return client_ip(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the company's identity provider: always open, always an employee."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True

    def is_email_verified(self, provider, email) -> bool:
        # The company's IdP vouches for addresses in its own domains (Entra ID, for one,
        # sends no email_verified claim).
        if sso.email_domain(email) in sso.app_domains(provider.app):
            return True
        return super().is_email_verified(provider, email)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.email = (user.email or "").strip().lower()
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.display_name = (name or user.email.partition("@")[0])[:80]
        user.kind = Kind.STAFF
        user.function = Function.OTHER
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        app = sociallogin.provider.app
        audit_record(
            actor=None,
            action="person.provision",
            target=user,
            summary=f"{user.email} provisioned from {app.name}",
            data={"provider": app.provider_id or app.provider},
        )
        self._sync(sociallogin)
        return user

    def pre_social_login(self, request, sociallogin) -> None:
        # Runs on every sign-in, after the account is looked up: new people are synced
        # once saved (save_user), existing ones here.
        if sociallogin.is_existing:
            self._sync(sociallogin)

    def _sync(self, sociallogin) -> None:
        app = sociallogin.provider.app
        services.sso_sync(
            user=sociallogin.user,
            provider_name=app.name,
            app_settings=app.settings or {},
            claims=sso.claims_of(sociallogin),
        )
