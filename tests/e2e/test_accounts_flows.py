"""Browser journeys of sign-in: company SSO through a real OpenID Connect provider, a
customer who must confirm their e-mail before submitting, a password reset, a manager who
enables TOTP and must then use it, and a security key (WebAuthn) added through Chromium's
virtual authenticator."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.socialaccount.models import SocialApp
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.submission import fill_guided
from tests.factories import PASSWORD, CampaignFactory, EmployeeFactory, ManagerFactory
from tests.oidc_provider.process import oidc_provider_process

LINK = re.compile(r"https?://\S+")


def mailed_link(mailoutbox, to: str, part: str) -> str:
    for message in reversed(mailoutbox):
        if to in message.to:
            for link in LINK.findall(message.body):
                if part in link:
                    return link
    raise AssertionError(f"no {part} link mailed to {to}")


@pytest.fixture(scope="session")
def oidc_idp(live_server):
    users = [
        {
            "username": "olga",
            "password": "olga-pass-1",
            "email": "olga@bank.example",
            "name": "Olga Ortiz",
            "claims": {"groups": ["juncture-managers"], "department": "Product"},
        }
    ]
    callback = f"{live_server.url}/accounts/oidc/bank/login/callback/"
    with oidc_provider_process(redirect_uris=[callback], users=users) as provider:
        yield provider


def test_an_employee_signs_in_through_the_company_provider(
    transactional_db, page, live_server, oidc_idp
):
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="bank",
        name="Bank SSO",
        client_id=oidc_idp.client_id,
        secret=oidc_idp.client_secret,
        settings={
            "server_url": f"{oidc_idp.url}/o",
            "domains": ["bank.example"],
            "local_passwords": False,
            "function_claim": "department",
            "role_map": {"juncture-managers": "manager"},
        },
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("olga@bank.example")
    page.get_by_label("E-mail").blur()
    # The login page offers the provider of the address's domain as it is typed (htmx).
    page.get_by_role("button", name="Continue with Bank SSO").click()
    page.locator("input[name=username]").fill("olga")
    page.locator("input[name=password]").fill("olga-pass-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".who")).to_contain_text("Olga Ortiz")
    expect(page.locator(".who")).to_contain_text("innovation manager")
    olga = User.objects.get(email="olga@bank.example")
    assert (olga.kind, olga.function) == ("staff", "product")


def test_a_customer_confirms_their_email_before_submitting(
    transactional_db, page, live_server, mailoutbox
):
    CampaignFactory(title="Everyday banking", slug="everyday", audience="everyone")
    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("E-mail").fill("nina@example.com")
    page.get_by_label("Your name").fill("Nina New")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-pass")
    page.get_by_label("Password again").fill("a-long-unusual-pass")
    page.get_by_role("button", name="Create account").click()
    # The sign-up page answers a new and a known address alike: log in next.
    expect(page.get_by_role("status")).to_contain_text("your customer account is ready")
    page.get_by_label("E-mail").fill("nina@example.com")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Confirm your e-mail address", exact=True)).to_be_visible()

    page.goto(f"{live_server.url}/ideas/new/")
    expect(page.get_by_role("heading", name="You cannot do that")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Confirm your e-mail address first")

    page.goto(mailed_link(mailoutbox, "nina@example.com", "/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    page.goto(f"{live_server.url}/ideas/new/")
    fill_guided(
        page,
        who="I have a current account and a debit card",
        title="Let me pause my card from the app",
        need="I lost my card twice this year and waited on hold to block it.",
        campaign="everyday",
        innovation_type="new_experience",
    )
    page.get_by_role("button", name="Submit idea").click()
    expect(page.get_by_role("status")).to_contain_text("your idea is submitted")


def test_a_forgotten_password_is_reset_by_email(transactional_db, page, live_server, mailoutbox):
    EmployeeFactory(email="rita@example.com", display_name="Rita Reset")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("rita@example.com")
    page.get_by_role("button", name=re.compile("Reset")).click()
    page.goto(mailed_link(mailoutbox, "rita@example.com", "/password/reset/key/"))
    page.get_by_label("New Password", exact=True).fill("a-fresh-long-pass-3")
    page.get_by_label("New Password (again)").fill("a-fresh-long-pass-3")
    page.get_by_role("button", name=re.compile("Change Password")).click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail").fill("rita@example.com")
    page.get_by_label("Password", exact=True).fill("a-fresh-long-pass-3")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".who")).to_contain_text("Rita Reset")


def test_a_manager_enables_totp_and_must_use_it(transactional_db, page, live_server, settings):
    settings.REQUIRE_MFA_FOR_ROLES = ["manager"]
    settings.MFA_TOTP_TOLERANCE = 1  # the sign-in below uses the next period's code
    ManagerFactory(email="maya@example.com", display_name="Maya Manager")

    def log_in():
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail").fill("maya@example.com")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

    log_in()
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/")
    page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")
    page.get_by_label("Password").fill(PASSWORD)  # asked again before enrolling
    page.get_by_role("button", name="Confirm").click()
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(
        format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    )
    page.get_by_role("button", name="Activate").click()
    page.goto(f"{live_server.url}/ideas/")
    expect(page).to_have_url(f"{live_server.url}/ideas/")
    page.get_by_role("button", name="Log out").click()

    log_in()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    # A code from the next period (the one just used cannot be used twice).
    page.get_by_label("Code").fill(
        format_hotp_value(hotp_value(secret, int(time.time()) // 30 + 1))
    )
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator(".who")).to_contain_text("Maya Manager")


def test_an_employee_adds_a_security_key(transactional_db, page, live_server, login):
    """WebAuthn through Chromium's virtual authenticator (no hardware)."""
    from allauth.mfa.models import Authenticator

    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    kim = EmployeeFactory(email="kim@example.com", display_name="Kim Key")
    login("kim@example.com", PASSWORD)
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    page.get_by_label("Password").fill(PASSWORD)  # asked again before enrolling
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name").fill("Laptop key")
    page.get_by_role("button", name="Add", exact=True).click()
    # The first key comes with recovery codes, shown once added.
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/")
    expect(page.locator("main")).to_contain_text("Laptop key")
    assert Authenticator.objects.filter(user=kim, type="webauthn").exists()
