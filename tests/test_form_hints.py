"""Every field a person types into tells a phone which keyboard to show and what autofill
may offer: phones are tel inputs, ZIP codes and counts get the number pad, and every
text-like input says what it holds (autocomplete), or "off" where autofill has nothing to
give."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.test_roundtrip import EDIT_CASES, ENTRY_CASES, World, world  # noqa: F401

pytestmark = pytest.mark.django_db

TYPED = {"text", "email", "tel", "url", "number", "password", "search", None}
PASSWORD_TOKENS = {"current-password", "new-password"}


class _Inputs(HTMLParser):
    """The typed-into inputs of a page's main content (not the header's sign-out form)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_main = False
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "main":
            self.in_main = True
        elif tag == "input" and self.in_main and attr.get("type") in TYPED:
            self.inputs.append(attr)

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main = False


def hint_problems(html: str) -> list[str]:
    parser = _Inputs()
    parser.feed(html)
    problems = []
    for attr in parser.inputs:
        name = attr.get("name") or ""
        kind = attr.get("type")
        auto = attr.get("autocomplete") or ""
        mode = attr.get("inputmode") or ""
        if not auto:
            problems.append(f"{name}: no autocomplete")
        if "phone" in name and (kind != "tel" or "tel" not in auto.split()):
            problems.append(f"{name}: a phone number needs type=tel and autocomplete=tel")
        if "zip" in name and (mode != "numeric" or auto != "postal-code"):
            problems.append(f"{name}: a ZIP code needs the number pad and postal-code")
        if kind == "number" and mode not in {"numeric", "decimal"}:
            problems.append(f"{name}: a number needs inputmode numeric")
        if kind == "email" and auto not in {"email", "username", "off"}:
            problems.append(f"{name}: an email needs autocomplete=email")
        if kind == "password" and auto not in PASSWORD_TOKENS:
            problems.append(f"{name}: a password needs current-password or new-password")
        if "url" in name and kind != "url":
            problems.append(f"{name}: a web address needs type=url")
    return problems


PAGES = [
    *((case.name, case.url, case.user) for case in EDIT_CASES),
    *((case.name, case.url, case.user) for case in ENTRY_CASES),
    ("sign-in", lambda w: reverse("account_login"), lambda w: None),
    ("results", lambda w: reverse("matching:results"), lambda w: w.responder.user),
    ("reset", lambda w: reverse("account_reset_password"), lambda w: None),
]


@pytest.mark.parametrize(("name", "url", "user"), PAGES, ids=[page[0] for page in PAGES])
def test_every_field_gives_its_keyboard_and_autofill_hint(name, url, user, world: World) -> None:  # noqa: F811
    response = world.client_for(user(world)).get(url(world))
    assert response.status_code == 200
    assert hint_problems(response.text) == []


def test_the_check_catches_a_phone_typed_as_text() -> None:
    page = '<main><input type="text" name="contact_phone" autocomplete="off"></main>'
    assert hint_problems(page) == [
        "contact_phone: a phone number needs type=tel and autocomplete=tel"
    ]
