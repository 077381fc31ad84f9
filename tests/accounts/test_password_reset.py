import pytest
from django.urls import reverse

from tests.accounts.helpers import link_in

pytestmark = pytest.mark.django_db


def test_it_resets_a_forgotten_password_through_the_emailed_link(client, employee, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": employee.email.upper()})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [[employee.email]]
    path = link_in(mailoutbox[0])
    # The link is exchanged for a session-held key (so it does not leak through Referer).
    set_page = client.get(path, follow=True)
    assert set_page.status_code == 200
    response = client.post(
        set_page.redirect_chain[-1][0] if set_page.redirect_chain else path,
        {"password1": "a-brand-new-pass-7", "password2": "a-brand-new-pass-7"},
    )
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.check_password("a-brand-new-pass-7")
    login = client.post(
        reverse("account_login"), {"login": employee.email, "password": "a-brand-new-pass-7"}
    )
    assert login.status_code == 302


def test_it_does_not_reveal_unknown_addresses(client, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    # allauth tells the owner of the address that there is no account, nothing more.
    assert all("/password/reset/key/" not in m.body for m in mailoutbox)
