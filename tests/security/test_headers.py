"""Every page carries a strict Content-Security-Policy and is kept out of caches."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from matching.intake import Intake
from profiles.services.accounts import answers_to_session
from tests.factories import (
    LicenseFactory,
    ResponderFactory,
    StaffFactory,
    TherapistFactory,
    intro_through_service,
    listed_therapist,
)

pytestmark = pytest.mark.django_db

ANSWERS = Intake(state="CO", format_preference="telehealth").to_dict()


def _directives(header: str) -> dict[str, set[str]]:
    parsed: dict[str, set[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


@pytest.mark.parametrize(
    "url",
    ["/", "/help-now/", "/how-we-rank/", "/find/", "/find/answers/", "/accounts/login/"],
)
def test_every_page_has_a_strict_content_security_policy(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == {"'none'"}
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["object-src"] == {"'none'"}
    assert policy["base-uri"] == {"'none'"}
    assert policy["frame-ancestors"] == {"'none'"}
    everything = " ".join(" ".join(v) for v in policy.values())
    assert "unsafe-inline" not in everything and "unsafe-eval" not in everything


def test_htmx_is_told_by_a_meta_tag_not_to_eval_nor_inject_styles(client: Client) -> None:
    page = client.get("/").text
    assert '"allowEval": false' in page
    assert '"includeIndicatorStyles": false' in page


def test_the_policy_is_sent_on_refusals_too(client: Client) -> None:
    client.force_login(ResponderFactory().user)
    response = client.get(reverse("profiles:editor"))
    assert response.status_code == 403
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def _assert_no_store(response) -> None:
    assert response.status_code == 200, response.status_code
    assert "no-store" in response["Cache-Control"], response["Cache-Control"]


@pytest.mark.parametrize(
    "url_name",
    [
        "matching:me",
        "profiles:pseudonym",
        "matching:results",
        "matching:answers",
        "matching:my_intros",
    ],
)
def test_a_responders_own_pages_are_never_stored(client: Client, url_name: str) -> None:
    responder = ResponderFactory(answers=ANSWERS)
    listed_therapist()
    client.force_login(responder.user)
    _assert_no_store(client.get(reverse(url_name)))


def test_an_anonymous_visitors_answers_and_matches_are_never_stored(client: Client) -> None:
    listed_therapist()
    session = client.session
    answers_to_session(session=session, answers=ANSWERS)
    session.save()
    for url_name in ("matching:answers", "matching:results"):
        _assert_no_store(client.get(reverse(url_name)))


def test_a_therapist_page_showing_a_visitors_match_is_never_stored(client: Client) -> None:
    therapist = listed_therapist()
    _assert_no_store(client.get(reverse("matching:therapist_detail", args=[therapist.public_id])))


@pytest.mark.parametrize(
    "url_name",
    [
        "profiles:editor",
        "profiles:identity",
        "profiles:credentials",
        "profiles:capacity",
        "alliance:edit",
        "matching:therapist_preview",
        "matching:inbox",
    ],
)
def test_a_therapists_own_pages_are_never_stored(
    client: Client, url_name: str, totp_user_factory
) -> None:
    therapist = TherapistFactory()
    totp_user_factory(therapist.user)
    client.force_login(therapist.user)
    _assert_no_store(client.get(reverse(url_name)))


def test_an_intro_read_by_its_therapist_is_never_stored(client: Client, totp_user_factory) -> None:
    therapist = listed_therapist()
    intro = intro_through_service(ResponderFactory(answers=ANSWERS), therapist)
    totp_user_factory(therapist.user)
    client.force_login(therapist.user)
    _assert_no_store(client.get(reverse("matching:inbox_detail", args=[intro.public_id])))


@pytest.mark.parametrize("url_name", ["profiles:vetting_queue", "profiles:audit_trail"])
def test_staff_pages_are_never_stored(client: Client, url_name: str, staff_with_mfa) -> None:
    LicenseFactory(status="pending")
    client.force_login(staff_with_mfa)
    _assert_no_store(client.get(reverse(url_name)))


def test_a_listed_therapists_photo_keeps_its_own_short_private_cache(client: Client) -> None:
    from django.core.files.base import ContentFile

    from tests.factories import image_bytes

    therapist = listed_therapist()
    therapist.photo.save("p.jpg", ContentFile(image_bytes("JPEG")))
    response = client.get(reverse("profiles:therapist_photo", args=[therapist.public_id]))
    assert response["Cache-Control"] == "private, max-age=300"


def test_the_crisis_page_is_kept_out_of_caches_too(client: Client) -> None:
    StaffFactory()
    response = client.get(reverse("crisis"))
    assert "no-store" in response["Cache-Control"]
