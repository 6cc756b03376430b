"""Each email address may be signed up for only a few times an hour, known or not."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from profiles.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _signup(email: str):
    return Client().post(
        reverse("account_signup"),
        {
            "role": "responder",
            "pseudonym": "Night Medic",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


@pytest.mark.parametrize("known", [True, False])
def test_a_fourth_sign_up_for_one_address_within_the_hour_is_refused(known: bool) -> None:
    if known:
        UserFactory(email="someone@example.test")
    # A new address becomes known after its first sign-up; the limit counts both alike.
    answers = [_signup("someone@example.test") for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [302, 302, 302]
    assert answers[3].status_code == 200
    assert "Too many sign-ups for this address" in answers[3].text
    assert User.objects.filter(email="someone@example.test").count() == 1


def test_the_limit_is_per_address_not_per_visitor() -> None:
    for _ in range(3):
        _signup("first@example.test")
    assert _signup("second@example.test").status_code == 302
