"""No typed text is lost to an ended sign-in: a save that arrives after the idle limit is
refused, kept encrypted for the account and the page, and put back into the form after the
next sign-in; the page warns before the limit and can keep the sign-in going."""

from __future__ import annotations

import datetime as dt

import pytest
import redis
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from alliance.models import AllianceApproach
from tests.browser_form import browser_form
from tests.factories import (
    PASSWORD,
    ResponderFactory,
    StaffFactory,
    listed_therapist,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
# What the issue lost: four 600-character statements (and a 1,500-character bio).
STATEMENTS = {
    name: (f"Fictional {name} statement, typed at length. " * 20)[:600].strip()
    for name in ("respect_trust", "collaboration", "empathy", "adaptability")
}
CANARY = "canary-typed-before-sign-out"


def _sign_in(client: Client, user, **extra: str):
    return client.post(
        reverse("account_login") + extra.get("query", ""),
        {"login": user.email, "password": PASSWORD, **extra.get("data", {})},
    )


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


@pytest.fixture
def therapist():
    return listed_therapist(full_name="Drafting Fictional")


def _typed_alliance(client: Client) -> dict[str, list[str]]:
    url = reverse("alliance:edit")
    form = browser_form(client.get(url).text, containing="respect_trust")
    data = form.data() | {name: [text] for name, text in STATEMENTS.items()}
    data["empathy"] = [STATEMENTS["empathy"][: 600 - len(CANARY) - 1] + " " + CANARY]
    return data | {"style_pace_usual": ["2"], "style_pace_range": ["1", "3"]}


def test_a_save_after_the_idle_limit_is_kept_and_back_in_the_form_after_sign_in(
    client: Client, therapist
) -> None:
    url = reverse("alliance:edit")
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, therapist.user)
        data = _typed_alliance(client)
        clock.shift(dt.timedelta(minutes=31))  # typing for half an hour
        refused = client.post(url, data)
        assert refused.status_code == 302
        assert refused["Location"].startswith(reverse("account_login"))
        assert "_auth_user_id" not in client.session
        login_page = client.get(refused["Location"]).text
        assert "What you typed is kept: sign in, and it is back in the form." in login_page
        stored = AllianceApproach.objects.get(therapist=therapist)
        assert CANARY not in stored.empathy  # nothing saved from a sign-in that ended

        signed_in = _sign_in(client, therapist.user, query=f"?next={url}", data={"next": url})
        assert signed_in["Location"] == url
        client.head(url)  # a prefetch does not use the draft up unseen
        page = client.get(url).text
        assert "You were signed out before this was saved." in page
        restored = browser_form(page, containing="respect_trust").data()
        for name in ("respect_trust", "collaboration", "adaptability"):
            assert restored[name] == [STATEMENTS[name]]
        assert restored["empathy"] == data["empathy"]
        assert restored["style_pace_usual"] == ["2"]
        assert restored["style_pace_range"] == ["1", "3"]
        # Saving it now saves what was typed; the draft is used once.
        assert client.post(url, restored).status_code == 302
        assert CANARY in AllianceApproach.objects.get(therapist=therapist).empathy
        assert "signed out before this was saved" not in client.get(url).text


def test_the_kept_draft_is_encrypted_and_lives_a_short_while(client: Client, therapist) -> None:
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, therapist.user)
        data = _typed_alliance(client)
        clock.shift(dt.timedelta(minutes=31))
        client.post(reverse("alliance:edit"), data)
    keys = _redis().keys("*form-draft*")
    assert len(keys) == 1
    assert b"alliance" not in keys[0]  # the page is named by a hash, not its address
    assert CANARY.encode() not in _redis().get(keys[0])
    assert 0 < _redis().ttl(keys[0]) <= settings.SESSION_DRAFT_SECONDS


def test_another_account_signing_in_on_the_same_browser_gets_nothing(
    client: Client, therapist
) -> None:
    other = listed_therapist(full_name="Other Fictional")
    url = reverse("profiles:identity")
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, therapist.user)
        data = browser_form(client.get(url).text, containing="bio").data()
        data["bio"] = [CANARY]
        clock.shift(dt.timedelta(minutes=31))
        client.post(url, data)
        _sign_in(client, other.user)
        page = client.get(url).text
    assert CANARY not in page
    assert "signed out before this was saved" not in page


def test_a_late_save_without_its_csrf_token_keeps_nothing(therapist) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(therapist.user)
    url = reverse("profiles:identity")
    with time_machine.travel(START, tick=False) as clock:
        data = browser_form(client.get(url).text, containing="bio").data()
        data.pop("csrfmiddlewaretoken")
        data["bio"] = [CANARY]
        clock.shift(dt.timedelta(minutes=31))
        client.post(url, data)
    assert _redis().keys("*form-draft*") == []


def test_a_save_within_the_limit_is_saved_as_usual(client: Client, therapist) -> None:
    url = reverse("profiles:identity")
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, therapist.user)
        data = browser_form(client.get(url).text, containing="bio").data()
        data["bio"] = [CANARY]
        clock.shift(dt.timedelta(minutes=29))
        assert client.post(url, data).status_code == 302
    assert _redis().keys("*form-draft*") == []
    therapist.refresh_from_db()
    assert therapist.bio == CANARY


def test_asking_how_long_is_left_does_not_count_as_activity(client: Client, therapist) -> None:
    status_url = reverse("session_status")
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, therapist.user)
        client.get(reverse("profiles:editor"))
        clock.shift(dt.timedelta(minutes=20))
        status = client.get(status_url).json()
        assert status == {"signed_in": True, "seconds_left": 600}
        clock.shift(dt.timedelta(minutes=11))
        assert client.get(status_url).json() == {"signed_in": False, "seconds_left": 0}
        response = client.get(reverse("profiles:editor"))
    assert response.status_code == 302  # the questions did not keep the sign-in going


def test_stay_signed_in_keeps_the_sign_in_going(client: Client, therapist) -> None:
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, therapist.user)
        client.get(reverse("profiles:editor"))
        clock.shift(dt.timedelta(minutes=27))
        assert client.post(reverse("session_stay")).status_code == 204
        clock.shift(dt.timedelta(minutes=27))
        assert client.get(reverse("profiles:editor")).status_code == 200


@pytest.mark.parametrize("role", ["anonymous", "responder"])
def test_only_a_time_limited_sign_in_has_a_limit_to_warn_of(client: Client, role: str) -> None:
    if role == "responder":
        client.force_login(ResponderFactory().user)
    assert client.get(reverse("session_status")).json()["seconds_left"] is None
    page = client.get(reverse("home")).text
    assert "data-idle-seconds" not in page and "session.js" not in page
    stay = client.post(reverse("session_stay"))
    assert stay.status_code == (403 if role == "anonymous" else 204)


@pytest.mark.parametrize("who", ["therapist", "staff"])
def test_therapist_and_staff_pages_carry_the_warning(client: Client, who: str, therapist) -> None:
    client.force_login(therapist.user if who == "therapist" else StaffFactory())
    page = client.get(reverse("home")).text
    assert f'data-idle-seconds="{settings.SESSION_IDLE_TIMEOUT_SECONDS}"' in page
    assert 'data-warning-seconds="300"' in page
    assert "js/session.js" in page and 'id="session-warning" hidden' in page


def test_a_staff_decision_typed_too_late_is_kept_too(client: Client, staff_with_mfa) -> None:
    license = listed_therapist().licenses.get()
    url = reverse("profiles:vetting_review", args=["license", license.pk])
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(staff_with_mfa)
        data = browser_form(client.get(url).text, containing="reason").data()
        data |= {"decision": ["rejected"], "reason": [f"The document is unreadable. {CANARY}"]}
        clock.shift(dt.timedelta(minutes=31))
        assert client.post(url, data)["Location"].startswith(reverse("account_login"))
        client.force_login(staff_with_mfa)
        page = client.get(url).text
    restored = browser_form(page, containing="reason").data()
    assert restored["reason"] == [f"The document is unreadable. {CANARY}"]
    assert restored["decision"] == ["rejected"]
    license.refresh_from_db()
    assert license.status == "verified"  # nothing decided by a sign-in that had ended


def test_a_late_save_with_a_file_says_to_choose_the_file_again(client: Client, therapist) -> None:
    url = reverse("profiles:license_add")
    with time_machine.travel(START, tick=False) as clock:
        _sign_in(client, therapist.user)
        data = browser_form(client.get(url).text, containing="number").data()
        data |= {"state": ["NM"], "number": ["NM-FICT-7"], "expires_on": ["2028-01-31"]}
        clock.shift(dt.timedelta(minutes=31))
        upload = SimpleUploadedFile("license.pdf", pdf_bytes(), content_type="application/pdf")
        client.post(url, {**data, "evidence": upload})
        _sign_in(client, therapist.user)
        page = client.get(url).text
    assert "Choose any file again: a browser does not keep a chosen file." in page
    assert browser_form(page, containing="number").data()["number"] == ["NM-FICT-7"]
