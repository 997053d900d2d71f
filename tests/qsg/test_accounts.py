"""Password change and reset, and the profile page."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.cast import PASSWORD


def test_password_reset_by_email(cast):
    client = Client()
    response = client.post(reverse("qsg:password-reset"), {"email": "member_a@example.nhs.uk"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your QSG workspace password"
    link = re.search(r"https?://[^\s]+/account/password/reset/[^\s]+/", message.body).group(0)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Set a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"new_password1": "a-brand-new-password-42", "new_password2": "a-brand-new-password-42"},
    )
    assert done.status_code == 302
    login = Client().post(
        reverse("qsg:login"), {"username": "member_a", "password": "a-brand-new-password-42"}
    )
    assert login.status_code == 302


def test_password_reset_does_not_reveal_unknown_addresses(cast):
    response = Client().post(reverse("qsg:password-reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change_checks_the_old_password(cast):
    client = Client()
    assert (
        client.post(
            reverse("qsg:login"), {"username": "member_a", "password": PASSWORD}
        ).status_code
        == 302
    )
    bad = client.post(
        reverse("qsg:password-change"),
        {
            "old_password": "wrong",
            "new_password1": "another-password-99",
            "new_password2": "another-password-99",
        },
    )
    assert bad.status_code == 200
    assert "Your old password was entered incorrectly" in bad.content.decode()
    good = client.post(
        reverse("qsg:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-password-99",
            "new_password2": "another-password-99",
        },
    )
    assert good.status_code == 302


def test_profile_update_and_validation(cast, client_for):
    client = client_for("member_a")
    bad = client.post(
        reverse("qsg:profile"), {"first_name": "Mem", "last_name": "", "email": "not-an-email"}
    )
    body = bad.content.decode()
    assert "Enter a valid email address" in body
    assert 'value="not-an-email"' in body
    ok = client.post(
        reverse("qsg:profile"),
        {
            "first_name": "Mem",
            "last_name": "Ber",
            "email": "mem@example.nhs.uk",
            "job_title": "Quality lead",
        },
    )
    assert ok.status_code == 302
    cast.users["member_a"].refresh_from_db()
    assert cast.users["member_a"].job_title == "Quality lead"
