"""allauth's pages render in Rapport's own layout: one heading, labelled fields, no inline code."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from profiles.models import User

PASSWORD = "a-long-enough-passphrase-42"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
SKIP_LINK = '<a class="skip-link" href="#main">Skip to main content</a>'


def assert_in_our_layout(page: str) -> None:
    assert "In crisis? Call or text" in page
    assert SKIP_LINK in page
    assert len(re.findall(r"<h1[\s>]", page)) == 1
    assert 'style="' not in page
    assert INLINE_SCRIPT.search(page) is None


def signed_in_responder(client: Client) -> User:
    user = User.objects.create_user("sam@example.com", PASSWORD, role=User.Role.RESPONDER)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_public_account_pages_use_our_layout(client: Client, url_name: str) -> None:
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert_in_our_layout(response.text)


@pytest.mark.django_db
def test_login_page_links_to_sign_up_and_password_reset(client: Client) -> None:
    page = client.get(reverse("account_login")).text
    assert "<title>Sign in · Rapport</title>" in page
    assert f'href="{reverse("account_signup")}"' in page
    assert f'href="{reverse("account_reset_password")}"' in page
    # Every input is labelled by a visible <label>.
    assert '<label for="id_login">' in page
    assert '<label for="id_password">' in page


@pytest.mark.django_db
def test_signup_page_links_to_sign_in_and_mentions_pseudonyms(client: Client) -> None:
    page = client.get(reverse("account_signup")).text
    assert "Create an account" in page
    assert f'href="{reverse("account_login")}"' in page
    assert "pseudonym" in page
    assert "legal name" in page


@pytest.mark.django_db
def test_wrong_password_is_reported_next_to_the_form_and_keeps_the_email(client: Client) -> None:
    User.objects.create_user("pat@example.com", PASSWORD, role=User.Role.RESPONDER)
    response = client.post(
        reverse("account_login"), {"login": "pat@example.com", "password": "not-the-password"}
    )
    assert response.status_code == 200
    page = response.text
    assert_in_our_layout(page)
    form = re.search(r'<form method="post" action="[^"]*/login/".*?</form>', page, re.DOTALL)
    assert form is not None
    alert = re.search(
        r'<div class="form-errors" role="alert">(.*?)</div>', form.group(0), re.DOTALL
    )
    assert alert is not None
    assert "not correct" in alert.group(1)
    login_input = re.search(r'<input[^>]*name="login"[^>]*>', form.group(0))
    assert login_input is not None
    assert 'value="pat@example.com"' in login_input.group(0)
    # The password is never sent back.
    assert "not-the-password" not in page


@pytest.mark.django_db
def test_field_errors_are_linked_to_their_input(client: Client) -> None:
    response = client.post(reverse("account_reset_password"), {"email": "not an address"})
    page = response.text
    assert 'id="id_email_error"' in page
    email_input = re.search(r'<input[^>]*name="email"[^>]*>', page)
    assert email_input is not None
    assert 'aria-invalid="true"' in email_input.group(0)
    assert "id_email_error" in email_input.group(0)
    assert 'value="not an address"' in email_input.group(0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "current_link"),
    [
        ("account_email", "Email"),
        ("account_change_password", "Password"),
        ("mfa_index", "Two-factor authentication"),
    ],
)
def test_account_settings_pages_use_our_layout_and_mark_the_current_page(
    client: Client, url_name: str, current_link: str
) -> None:
    signed_in_responder(client)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    page = response.text
    assert_in_our_layout(page)
    nav = re.search(r'<nav class="account-nav" aria-label="Account settings">.*?</nav>', page, re.S)
    assert nav is not None
    assert re.search(rf'aria-current="page">{current_link}</a>', nav.group(0))
    assert nav.group(0).count("aria-current") == 1


@pytest.mark.django_db
def test_totp_activation_shows_the_qr_code_and_the_secret_as_text(client: Client) -> None:
    signed_in_responder(client)
    # Setting up two-factor authentication asks for the password again first.
    activate_url = reverse("mfa_activate_totp")
    response = client.get(activate_url)
    assert response.status_code == 302
    reauthenticate_url = response["Location"]
    assert reauthenticate_url.startswith(reverse("account_reauthenticate"))
    reauthenticate_page = client.get(reauthenticate_url)
    assert reauthenticate_page.status_code == 200
    assert_in_our_layout(reauthenticate_page.text)
    client.post(reauthenticate_url, {"password": PASSWORD})

    response = client.get(activate_url)
    assert response.status_code == 200
    page = response.text
    assert_in_our_layout(page)
    secret = response.context["form"].secret
    assert secret
    assert f">{secret}</code>" in page
    qr_code = re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', page)
    assert qr_code is not None
    assert "QR code" in qr_code.group(1)
    assert secret not in qr_code.group(1)
    nav = re.search(r'<nav class="account-nav" aria-label="Account settings">.*?</nav>', page, re.S)
    assert nav is not None
    assert 'aria-current="true">Two-factor authentication</a>' in nav.group(0)


class _ExampleForm(forms.Form):
    role = forms.ChoiceField(
        label="I am",
        choices=[("responder", "A first responder"), ("therapist", "A therapist")],
        widget=forms.RadioSelect,
        help_text="This cannot be changed later.",
    )
    nickname = forms.CharField(label="Name to show", help_text="A first name is fine.")
    agree = forms.BooleanField(label="I agree")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict:
        raise forms.ValidationError("Something went wrong with the whole form.")


def _render_fields(form: forms.Form) -> str:
    # What {% element fields form=form %} renders.
    return render_to_string("allauth/elements/fields.html", {"attrs": {"form": form}})


def test_fields_element_renders_custom_fields_through_django() -> None:
    form = _ExampleForm(data={"role": "", "nickname": "", "token": "abc"})
    assert not form.is_valid()
    html = _render_fields(form)
    # Radios are a group with a legend; the group is described by its help text and error.
    fieldset = re.search(r"<fieldset[^>]*>.*?</fieldset>", html, re.S)
    assert fieldset is not None
    assert 'aria-describedby="id_role_helptext id_role_error"' in fieldset.group(0)
    assert "<legend>I am</legend>" in fieldset.group(0)
    assert 'id="id_role_helptext"' in fieldset.group(0)
    assert 'id="id_role_error"' in fieldset.group(0)
    assert 'type="radio"' in fieldset.group(0)
    # A text input has a visible label and is linked to its help text and error.
    assert '<label for="id_nickname">Name to show</label>' in html
    nickname = re.search(r'<input[^>]*name="nickname"[^>]*>', html)
    assert nickname is not None
    assert 'aria-describedby="id_nickname_helptext id_nickname_error"' in nickname.group(0)
    assert 'aria-invalid="true"' in nickname.group(0)
    # A single checkbox keeps its label; hidden fields are rendered; form errors come first.
    assert '<label for="id_agree">I agree</label>' in html
    assert '<input type="hidden" name="token" value="abc"' in html
    alert = html.index('role="alert"')
    assert alert < html.index("<fieldset")
    assert "Something went wrong with the whole form." in html[alert : html.index("<fieldset")]


def test_extra_body_of_an_account_page_is_rendered() -> None:
    template = engines["django"].from_string(
        '{% extends "allauth/layouts/entrance.html" %}'
        '{% block extra_body %}<script src="/static/js/example.js" defer></script>{% endblock %}'
    )
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = template.render({"user": request.user}, request)
    assert '<script src="/static/js/example.js" defer></script>' in html
