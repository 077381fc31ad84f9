from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from accounts import services
from accounts.audit import audit_record
from accounts.forms import LoginForm, SignupForm
from accounts.models import ApiToken, AuditEvent
from accounts.throttle import Ratelimited, limited_by, login_failure_limited, record_login_failure
from core.web import add_service_errors, client_ip, require_perm


class LoginView(auth_views.LoginView):
    """Django's login view, throttled on repeated failures (per address and per e-mail)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if login_failure_limited(request, request.POST.get("username", "")):
            raise Ratelimited()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        audit_record(
            actor=user,
            action="auth.login",
            target=user,
            summary=f"{user.email} logged in from {client_ip(self.request)}",
            data={"ip": client_ip(self.request), "door": "html"},
        )
        return response

    def form_invalid(self, form):
        email = self.request.POST.get("username", "").strip().lower()
        record_login_failure(self.request, email)
        audit_record(
            actor=None,
            action="auth.login_failed",
            summary=f"Failed login for {email[:120]} from {client_ip(self.request)}",
            data={"email": email[:254], "ip": client_ip(self.request), "door": "html"},
        )
        return super().form_invalid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view; a new password also ends every API token of the account."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.tokens_revoke_all(
            user=form.user, actor=form.user, reason="the password was changed"
        )
        return response


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's account page: their API tokens (never the keys)."""
    require_perm(request.user, "accounts.manage_own_tokens")
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/account.html", {"tokens": tokens})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    if not request.user.has_perm("accounts.revoke_token", token):
        raise Http404  # someone else's token: do not confirm it exists
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, f"The token {token.prefix}… is revoked.")
    return redirect("accounts:account")


SIGNUP_DONE = (
    "Thank you. If {email} is new to Juncture, your customer account is ready: log in below. "
    "If it already has an account, we have e-mailed its owner."
)


@limited_by("signup", key="ip")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_signup_request(
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # The same answer whether or not the address already had an account, so the
            # form cannot be used to find out who has one.
            messages.success(request, SIGNUP_DONE.format(email=form.cleaned_data["email"]))
            return redirect("accounts:login")
    return render(
        request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200
    )


AUDIT_PAGE_SIZE = 50


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.view_audit_log"):
        raise PermissionDenied
    events = AuditEvent.objects.all()
    action = request.GET.get("action", "")
    if action:
        events = events.filter(action=action)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    return render(
        request, "accounts/audit_log.html", {"page": page, "action": action, "actions": actions}
    )
