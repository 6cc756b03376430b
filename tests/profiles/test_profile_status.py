"""The therapist's home and the editor say what is true at every stage, with the one next
step; and two-factor set-up started by Publish comes back to Publish."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from profiles.models import TherapistProfile, User, VettingStatus
from profiles.status import therapist_status
from tests.e2e.helpers import PASSWORD, current_totp_code
from tests.factories import UserFactory, listed_therapist

pytestmark = pytest.mark.django_db


def _pages(therapist: TherapistProfile) -> tuple[str, str]:
    client = Client()
    client.force_login(therapist.user)
    home = client.get(reverse("matching:therapist_home")).text
    overview = client.get(reverse("profiles:editor")).text
    return home, overview


def _buttons(page: str) -> list[tuple[str, str]]:
    """(class, label) of each submit button in the page's main part (not the header's)."""
    main = page[page.index("<main") :]
    return re.findall(r"<button type=\"submit\"(?: class=\"([^\"]*)\")?>([^<]+)</button>", main)


def test_an_empty_profile_says_so_and_where_to_start() -> None:
    therapist = TherapistProfile.objects.create(
        user=UserFactory(role=User.Role.THERAPIST), full_name="New Fictional"
    )
    status = therapist_status(therapist=therapist)
    assert status.stage == "empty"
    for page in _pages(therapist):
        assert "Your profile is empty. Responders cannot see it yet." in page
        assert "Start with identity: a short bio" in page
        assert "Nothing needs you" not in page
        assert "Still accurate" not in page  # nothing to confirm on an empty profile


def test_confirming_an_unpublished_profile_does_not_thank_for_a_listing() -> None:
    therapist = listed_therapist(published_at=None, bio="")
    client = Client()
    client.force_login(therapist.user)
    page = client.post(reverse("profiles:confirm"), follow=True).text
    assert "Thank you" not in page
    assert "Your profile is not published, so responders do not see it" in page


def test_an_incomplete_profile_counts_its_sections_and_names_the_next_one() -> None:
    therapist = listed_therapist(published_at=None, bio="")
    status = therapist_status(therapist=therapist)
    assert status.stage == "incomplete"
    assert status.next_step.label == "Continue with identity: a short bio"
    home, overview = _pages(therapist)
    assert "6 of 7 sections complete" in overview
    assert "Still accurate" not in overview and "Still accurate" not in home


def test_a_complete_unpublished_profile_has_publish_as_its_one_button() -> None:
    therapist = listed_therapist(published_at=None)
    assert therapist_status(therapist=therapist).stage == "ready"
    _, overview = _pages(therapist)
    assert next(label for _, label in _buttons(overview)) == "Publish"
    assert "Still accurate" not in overview


def test_a_published_profile_waiting_for_its_first_review_says_so() -> None:
    therapist = listed_therapist()
    therapist.licenses.update(status=VettingStatus.PENDING)
    status = therapist_status(therapist=therapist)
    assert status.stage == "waiting" and not status.is_listed
    home, overview = _pages(therapist)
    for page in (home, overview):
        assert "Our staff are reviewing your license (LCSW, Colorado)" in page
        assert "Nothing to do: we email you when staff decide." in page
    assert "Your license waits for review." in overview  # the sidebar


def test_a_refused_license_gives_the_reason_and_the_way_to_correct_it() -> None:
    therapist = listed_therapist()
    therapist.licenses.update(status=VettingStatus.REJECTED, decision_reason="Blurry (fictional).")
    home, _ = _pages(therapist)
    assert "Our staff could not verify your license" in home
    assert "Blurry (fictional)." in home and "Correct your license" in home


def test_a_listed_profile_says_where_and_keeps_still_accurate_secondary() -> None:
    therapist = listed_therapist()
    status = therapist_status(therapist=therapist)
    assert status.stage == "listed" and status.is_listed
    home, overview = _pages(therapist)
    assert "Listed: responders can find you in Colorado." in home
    assert ("button--secondary", "Still accurate") in _buttons(overview)


def test_an_old_confirmation_lapses_and_still_accurate_becomes_the_one_button() -> None:
    therapist = listed_therapist(confirmed_at=timezone.now() - dt.timedelta(days=50))
    status = therapist_status(therapist=therapist)
    assert status.stage == "lapsed" and status.confirm_due
    _, overview = _pages(therapist)
    assert "Your profile was last confirmed more than 45 days ago." in overview
    assert _buttons(overview).count(("", "Still accurate")) == 1
    assert ("button--secondary", "Still accurate") not in _buttons(overview)


def test_an_expired_license_lapses_with_the_renewal_as_next_step() -> None:
    therapist = listed_therapist()
    therapist.licenses.update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    status = therapist_status(therapist=therapist)
    assert status.stage == "lapsed"
    assert status.next_step.label == "Add your renewed license"


def test_a_license_about_to_expire_is_the_next_step_while_listed() -> None:
    therapist = listed_therapist()
    therapist.licenses.update(expires_on=timezone.localdate() + dt.timedelta(days=20))
    assert therapist_status(therapist=therapist).next_step.label.startswith(
        "Add your renewed license before"
    )


def test_publish_without_two_factor_sets_it_up_then_comes_back_to_publish() -> None:
    therapist = listed_therapist(published_at=None)
    therapist.user.set_password(PASSWORD)
    therapist.user.save()
    client = Client()
    client.post(reverse("account_login"), {"login": therapist.user.email, "password": PASSWORD})
    pressed = client.post(reverse("profiles:publish"))
    back = reverse("profiles:editor") + "?then=publish"
    assert pressed.status_code == 302
    assert pressed.url == reverse("mfa_activate_totp") + "?" + urlencode({"next": back})
    assert not TherapistProfile.objects.get(pk=therapist.pk).is_published  # nothing done
    page = client.get(pressed.url).text
    secret = re.search(r'id="authenticator-secret">([A-Z2-7]+)<', page).group(1)
    done = client.post(pressed.url, {"code": current_totp_code(secret), "next": back})
    codes = client.get(done.url).text
    # The codes page finishes the Publish that was pressed, or goes back to it.
    assert "I have saved them: publish my profile" in codes
    assert f'action="{reverse("profiles:publish")}"' in codes
    assert f'href="{back}">Continue without publishing' in codes
    overview = client.get(back).text
    assert "Two-factor authentication is on. You can publish your profile now." in overview
    assert next(label for _, label in _buttons(overview)) == "Publish"
    assert client.post(reverse("profiles:publish")).status_code == 302
    assert TherapistProfile.objects.get(pk=therapist.pk).is_published
    assert "publish my profile" not in client.get(done.url).text  # published: just continue


def test_two_factor_set_up_without_a_destination_continues_home() -> None:
    therapist = listed_therapist()
    therapist.user.set_password(PASSWORD)
    therapist.user.save()
    client = Client()
    client.post(reverse("account_login"), {"login": therapist.user.email, "password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp")).text
    secret = re.search(r'id="authenticator-secret">([A-Z2-7]+)<', page).group(1)
    done = client.post(reverse("mfa_activate_totp"), {"code": current_totp_code(secret)})
    codes = client.get(done.url).text
    assert f'href="{reverse("matching:therapist_home")}"' in codes
    assert "I have saved them: continue" in codes
