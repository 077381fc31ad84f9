from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts import services
from accounts.forms import LoginForm, SignupForm
from accounts.models import AuditEvent
from accounts.throttle import Ratelimited, limited_by, login_failure_limited, record_login_failure
from core.web import add_service_errors


class LoginView(auth_views.LoginView):
    """Django's login view, throttled on repeated failures (per address and per e-mail)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if login_failure_limited(request, request.POST.get("username", "")):
            raise Ratelimited()
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        record_login_failure(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)


@limited_by("signup", key="ip", fail_closed=True)
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.customer_signup(
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, user, backend="accounts.backends.EmailBackend")
            messages.success(
                request, f"Welcome, {user.display_name}. Your customer account is ready."
            )
            return redirect("home")
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
