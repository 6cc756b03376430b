"""Accounts: sign-up by role, email verification, enumeration, rate limits and two-factor."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from profiles.models import ResponderProfile, TherapistProfile, User
from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def signup(client: Client, **overrides: str):
    data = {
        "role": "responder",
        "pseudonym": "Night Medic",
        "full_name": "",
        "email": "new.person@example.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), data)


def test_a_responder_signs_up_with_a_pseudonym_and_must_verify_the_email(client: Client) -> None:
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.test")
    assert user.role == User.Role.RESPONDER
    assert ResponderProfile.objects.get(user=user).pseudonym == "Night Medic"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    client.post(link.group(1))
    assert EmailAddress.objects.get(user=user).verified


def test_a_therapist_signs_up_with_a_full_name(client: Client) -> None:
    signup(client, role="therapist", pseudonym="", full_name="Jordan Fictional")
    user = User.objects.get(email="new.person@example.test")
    assert user.role == User.Role.THERAPIST
    assert TherapistProfile.objects.get(user=user).full_name == "Jordan Fictional"
    assert not ResponderProfile.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"role": ""}, "role", "This field is required"),
        ({"role": "staff"}, "role", "Select a valid choice"),
        ({"pseudonym": ""}, "pseudonym", "Choose a name to show therapists"),
        ({"role": "therapist", "full_name": ""}, "full_name", "Enter the name responders will see"),
        ({"pseudonym": "x" * 41}, "pseudonym", "at most 40 characters"),
        ({"password2": "something-else-entirely"}, "password2", "You must type the same password"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address"),
    ],
)
def test_bad_sign_up_input_is_explained_and_no_account_is_made(
    client: Client, overrides: dict, field: str, message: str
) -> None:
    response = signup(client, **overrides)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.text
    assert message in response.text
    assert not User.objects.filter(role__in=["responder", "therapist"]).exists()


def test_sign_up_with_a_known_email_looks_the_same_as_a_new_one(client: Client) -> None:
    UserFactory(email="taken@example.test")
    known = signup(client, email="taken@example.test")
    unknown = signup(Client(), email="fresh@example.test")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert User.objects.filter(email__iexact="taken@example.test").count() == 1


def test_password_reset_says_the_same_for_known_and_unknown_addresses(client: Client) -> None:
    UserFactory(email="known@example.test")
    known = client.post(reverse("account_reset_password"), {"email": "known@example.test"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")


def test_repeated_failed_logins_are_rate_limited(client: Client) -> None:
    UserFactory(email="target@example.test")
    pages = [
        client.post(
            reverse("account_login"), {"login": "target@example.test", "password": "wrong"}
        ).text
        for _ in range(6)
    ]
    limited = "Too many failed login attempts. Try again later."
    assert limited not in pages[0]
    assert limited in pages[-1]
    # Even the right password is refused while the limit holds.
    right = client.post(
        reverse("account_login"), {"login": "target@example.test", "password": PASSWORD}
    )
    assert right.status_code == 200 and limited in right.text


def test_login_with_email_sends_each_role_home(client: Client) -> None:
    user = UserFactory(email="therapist@example.test", role=User.Role.THERAPIST)
    TherapistProfile.objects.create(user=user, full_name="T")
    response = client.post(
        reverse("account_login"), {"login": "therapist@example.test", "password": PASSWORD}
    )
    assert response["Location"] == reverse("matching:therapist_home")


def test_staff_without_two_factor_cannot_use_the_admin(client: Client) -> None:
    client.force_login(StaffFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith(reverse("mfa_activate_totp"))


def test_staff_with_two_factor_use_the_admin(client: Client, totp_user_factory) -> None:
    staff = StaffFactory()
    totp_user_factory(staff)
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_login_goes_through_rapports_login(client: Client) -> None:
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", [User.Role.RESPONDER, User.Role.THERAPIST])
def test_non_staff_never_reach_the_admin(client: Client, role: str, totp_user_factory) -> None:
    user = UserFactory(role=role)
    totp_user_factory(user)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 302
    assert "Site administration" not in client.get(reverse("admin:index"), follow=True).text
