"""A therapist's first sign-in from an intro request: the password once, two-factor set-up,
the recovery codes, then the request they came to read."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.e2e.helpers import PASSWORD, current_totp_code
from tests.factories import ResponderFactory, intro_through_service, listed_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def intro_path() -> tuple[Client, str]:
    therapist = listed_therapist(full_name="Rowan Fictional")
    therapist.user.set_password(PASSWORD)
    therapist.user.save()
    intro = intro_through_service(ResponderFactory(), therapist)
    client = Client()
    path = reverse("matching:inbox_detail", args=[intro.public_id])
    response = client.post(
        reverse("account_login") + "?next=" + path,
        {"login": therapist.user.email, "password": PASSWORD, "next": path},
    )
    assert response.status_code == 302 and response.url == path
    return client, path


def test_set_up_asks_for_no_second_password_right_after_the_sign_in(intro_path) -> None:
    client, path = intro_path
    to_setup = client.get(path)
    assert to_setup.url == reverse("mfa_activate_totp") + "?next=" + path.replace("/", "%2F")
    page = client.get(to_setup.url)
    assert page.status_code == 200
    assert "Set up an authenticator app" in page.text
    assert f'name="next" value="{path}"' in page.text


def test_a_sign_in_long_ago_still_asks_for_the_password(intro_path) -> None:
    client, path = intro_path
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        response = client.get(reverse("mfa_activate_totp"), {"next": path})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))


def test_after_set_up_and_the_codes_the_request_is_one_tap_away(intro_path) -> None:
    client, path = intro_path
    page = client.get(reverse("mfa_activate_totp"), {"next": path}).text
    secret = re.search(r'id="authenticator-secret">([A-Z2-7]+)<', page).group(1)
    done = client.post(
        reverse("mfa_activate_totp"), {"code": current_totp_code(secret), "next": path}
    )
    assert done.status_code == 302
    assert done.url == reverse("mfa_view_recovery_codes") + "?next=" + path.replace("/", "%2F")
    codes = client.get(done.url)
    assert codes.status_code == 200
    assert f'href="{path}"' in codes.text and "I have saved them: continue" in codes.text
    assert client.get(path).status_code == 200


def test_a_next_address_elsewhere_is_dropped(intro_path) -> None:
    client, _ = intro_path
    page = client.get(reverse("mfa_activate_totp"), {"next": "https://elsewhere.example/"})
    assert "elsewhere.example" not in page.text
