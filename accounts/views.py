import json

from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress
from allauth.account.signals import user_signed_up
from allauth.account.views import PasswordResetView, SignupView
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import services, sso
from accounts.audit import action_label, audit_sentence
from accounts.forms import DeleteAccountForm, InvitationAcceptForm, InviteForm, PersonForm
from accounts.models import ApiToken, AuditEvent, Kind, User
from accounts.rules import email_verification_pending
from accounts.throttle import limited_by
from core.web import (
    HtmxHttpRequest,
    add_service_errors,
    is_partial,
    paginate,
    require_perm,
    vary_on_htmx,
)

SIGNUP_DONE = (
    "Thank you. If {email} is new to Juncture, your customer account is ready: we sent a "
    "link to confirm the address, and you can log in below. If it already has an account, "
    "we have e-mailed its owner."
)


class JunctureSignupView(SignupView):
    """allauth's sign-up form and checks, answering the same whether or not the address
    already has an account, so the form cannot be used to find out who has one.

    allauth hides a known address only when e-mail verification is mandatory; Juncture's is
    optional (unconfirmed customers sign in with fewer rights), so both outcomes end here the
    same way: a message and the login page. A new address gets its account and allauth's
    confirmation e-mail; a known one gets allauth's "account already exists" e-mail (its
    enumeration-prevention mail). Either way one password is hashed and one e-mail is sent."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if form.account_already_exists:
            make_password(form.cleaned_data.get("password1") or "")  # same work as a new one
            send_verification_email_to_address(
                self.request, EmailAddress(user=None, email=email), signup=True
            )
        else:
            try:
                with transaction.atomic():
                    user = form.save(self.request)
            except IntegrityError:
                # Signed up at the same moment by someone else: answered like a known one.
                pass
            else:
                user_signed_up.send(sender=user.__class__, request=self.request, user=user)
                address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
                if address is not None and not address.verified:
                    send_verification_email_to_address(self.request, address, signup=True)
        messages.success(self.request, SIGNUP_DONE.format(email=email))
        return redirect("account_login")


# The sign-up view under the sign-up rate limit per client address (refused, not let
# through, when the cache holding the counters is down).
signup = limited_by("signup", key="ip", fail_closed=True)(JunctureSignupView.as_view())
# Reset links per client address: each request may send an e-mail.
password_reset = limited_by("password_reset", key="ip", fail_closed=True)(
    PasswordResetView.as_view()
)


def sso_route(request: HtmxHttpRequest) -> HttpResponse:
    """Where does this e-mail sign in? The login page asks as the address is typed (htmx);
    without JavaScript the "Continue" form lands here as a page."""
    # ``login`` is the login form's e-mail field (htmx sends it as typed).
    email = (request.GET.get("email") or request.GET.get("login") or "").strip()[:254]
    routes = sso.routes_for(email, request) if "@" in email else []
    ctx = {"email": email, "routes": routes, "next": request.GET.get("next", "")}
    if is_partial(request, "sso-route"):
        return vary_on_htmx(render(request, "account/sso_route.html#sso-route", ctx))
    return vary_on_htmx(render(request, "account/sso_route.html", ctx))


@login_required
def account(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "accounts.manage_own_account")
    return _account_page(request, DeleteAccountForm())


def _account_page(request, delete_form: DeleteAccountForm, status: int = 200) -> HttpResponse:
    """The account page (also re-rendered when the deletion form is refused)."""
    ctx = {
        "pending": email_verification_pending(request.user),
        # API tokens (never their keys: only digests are stored).
        "tokens": ApiToken.objects.filter(user=request.user),
        "delete_form": delete_form,
        "roles": sorted(services.user_roles(request.user)),
    }
    return render(request, "accounts/account.html", ctx, status=status)


@login_required
@require_POST
def token_revoke(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    if not request.user.has_perm("accounts.revoke_token", token):
        raise Http404  # someone else's token: do not confirm it exists
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, f"The token {token.prefix}… is revoked.")
    return redirect("accounts:account")


@login_required
@require_POST
@limited_by("verification_resend")
def verification_resend(request: HtmxHttpRequest) -> HttpResponse:
    """Send the confirmation link again (the banner's button)."""
    address = (
        EmailAddress.objects.filter(user=request.user, verified=False).order_by("-primary").first()
    )
    if address is not None:
        address.send_confirmation(request)
        messages.info(request, f"We sent a new confirmation link to {address.email}.")
    else:
        messages.info(request, "Your e-mail address is already confirmed.")
    return redirect(request.POST.get("next") or "accounts:account")


@login_required
def data_export(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "accounts.manage_own_account")
    data = services.user_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="juncture-my-data.json"'
    return response


@login_required
@require_POST
def account_delete(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "accounts.manage_own_account")
    form = DeleteAccountForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form, status=400)
    user = request.user
    logout(request)
    services.account_delete(user=user)
    messages.success(request, "Your account has been deleted.")
    return redirect("home")


AUDIT_PAGE_SIZE = 50


@login_required
def audit_log(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "accounts.view_audit_log")
    events = AuditEvent.objects.all()
    action = request.GET.get("action", "")
    if action:
        events = events.filter(action=action)
    page = paginate(request, events, AUDIT_PAGE_SIZE)
    rows = [(event, audit_sentence(event)) for event in page.object_list]
    actions = [
        (code, action_label(code))
        for code in AuditEvent.objects.order_by("action")
        .values_list("action", flat=True)
        .distinct()
    ]
    return render(
        request,
        "accounts/audit_log.html",
        {"page": page, "rows": rows, "action": action, "actions": actions},
    )


# --- People admin ----------------------------------------------------------------------------

PEOPLE_PAGE_SIZE = 50


@login_required
def people(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "accounts.manage_people")
    q = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    people = User.objects.prefetch_related("groups").order_by("display_name", "id")
    if q:
        people = people.filter(Q(email__icontains=q) | Q(display_name__icontains=q))
    if kind in Kind.values:
        people = people.filter(kind=kind)
    page = paginate(request, people, PEOPLE_PAGE_SIZE)
    ctx = {"page": page, "q": q, "kind": kind, "kinds": Kind.choices, "invite_form": InviteForm()}
    if is_partial(request, "people-rows"):
        return vary_on_htmx(render(request, "accounts/people.html#people-rows", ctx))
    return vary_on_htmx(render(request, "accounts/people.html", ctx))


@login_required
def invite(request: HtmxHttpRequest) -> HttpResponse:
    require_perm(request.user, "accounts.manage_people")
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_send(
                email=form.cleaned_data["email"],
                function=form.cleaned_data["function"],
                roles=form.cleaned_data["roles"],
                actor=request.user,
                accept_url=lambda token: request.build_absolute_uri(
                    reverse("accounts:invitation", args=[token])
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("accounts:people")
    return render(
        request, "accounts/invite.html", {"form": form}, status=400 if form.errors else 200
    )


def invitation(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The invited person sets their name and password (no sign-in needed: the link is it)."""
    if request.user.is_authenticated:
        return redirect("home")
    try:
        data = services.invitation_read(token)
    except ValidationError as exc:
        return render(request, "accounts/invitation.html", {"error": exc.messages[0]}, status=400)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(
                token=token,
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your account is ready. Log in with your new password.")
            return redirect("account_login")
    return render(
        request,
        "accounts/invitation.html",
        {"form": form, "invitation": data},
        status=400 if form.errors else 200,
    )


def _person(request, pk: int) -> User:
    require_perm(request.user, "accounts.manage_people")
    return get_object_or_404(User.objects.prefetch_related("groups"), pk=pk)


@login_required
def person(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    target = _person(request, pk)
    roles = sorted(services.user_roles(target))
    form = PersonForm(
        request.POST or None, initial={"function": target.function or "other", "roles": roles}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                user=target,
                function=form.cleaned_data["function"],
                roles=form.cleaned_data["roles"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved {target.display_name}.")
            return redirect("accounts:people")
    events = AuditEvent.objects.filter(target_type="accounts.user", target_id=str(target.pk))[:20]
    return render(
        request,
        "accounts/person.html",
        {"person": target, "form": form, "roles": roles, "events": events},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def person_active(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    target = _person(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.person_set_active(user=target, active=active, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{'Reactivated' if active else 'Deactivated'} {target.display_name}."
        )
    return redirect("accounts:person", pk=target.pk)
