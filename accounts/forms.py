from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from allauth.account.internal.userkit import filter_users_by_email
from django import forms

from accounts import sso
from accounts.models import Function
from accounts.services import ROLE_GROUPS


class LoginForm(allauth_forms.LoginForm):
    """allauth's login with Juncture's wording; remembers which identity providers serve the
    e-mail typed, so the page can offer "Continue with <provider>"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "E-mail"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me logged in on this device"

    def sso_routes(self) -> list[sso.Route]:
        email = (self.data.get("login") or "") if self.is_bound else ""
        return sso.routes_for(email, self.request) if "@" in email else []


class SignupForm(allauth_forms.SignupForm):
    """Self sign-up (always a customer): e-mail, name, password twice."""

    display_name = forms.CharField(
        label="Your name", max_length=80, help_text="Shown next to your ideas and comments."
    )
    field_order = ["email", "display_name", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail"
        self.fields["password2"].label = "Password again"
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)

    def clean_email(self) -> str:
        from accounts.adapters import sso_only_error

        email = super().clean_email()
        route = sso.sso_only_route(email, self.request if hasattr(self, "request") else None)
        if route is not None:
            raise sso_only_error(route)
        return email

    def validate_unique_email(self, value: str) -> str:
        # Whether the address already has an account is never said here: a known address
        # takes allauth's enumeration-prevention path (``account_already_exists``; its owner
        # gets allauth's "account already exists" e-mail) and the page answers as for a new
        # one (accounts.views.SignupView).
        email = get_adapter().validate_unique_email(value)
        self.account_already_exists = bool(filter_users_by_email(email))
        return email


ROLE_CHOICES = [
    ("manager", "Innovation manager"),
    ("executive", "Executive"),
    ("moderator", "Moderator"),
]
assert {key for key, _ in ROLE_CHOICES} == set(ROLE_GROUPS)


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    function = forms.ChoiceField(label="Function", choices=Function.choices)
    roles = forms.MultipleChoiceField(
        label="Roles", choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )


class PersonForm(forms.Form):
    function = forms.ChoiceField(label="Function", choices=Function.choices)
    roles = forms.MultipleChoiceField(
        label="Roles", choices=ROLE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )


class InvitationAcceptForm(forms.Form):
    display_name = forms.CharField(
        label="Your name", max_length=80, help_text="Shown next to your ideas and comments."
    )
    password1 = allauth_forms.SetPasswordField(label="Password")
    password2 = allauth_forms.PasswordField(label="Password again")

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        return cleaned


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(
        label='Type "delete my account" to confirm',
        help_text="Your ideas stay, without your name; your supports are removed. "
        "This cannot be undone, not even by a manager.",
    )

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip().lower()
        if value != "delete my account":
            raise forms.ValidationError('Type exactly "delete my account".')
        return value
