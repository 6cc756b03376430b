"""The listing check runs on every save: a profile emptied after publishing is hidden."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from profiles.models import TherapistProfile
from profiles.selectors import therapist_is_listed, therapists_listed
from tests.browser_form import browser_form
from tests.factories import listed_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist() -> TherapistProfile:
    return listed_therapist(formats={"telehealth"}, telehealth_states={"CO"})


def test_a_published_therapist_left_with_no_way_of_meeting_is_not_listed(
    client: Client, therapist: TherapistProfile
) -> None:
    client.force_login(therapist.user)
    assert therapist_is_listed(therapist=therapist)
    page = client.get(reverse("profiles:practical")).text
    data = browser_form(page, containing="formats").replaced("formats")
    response = client.post(reverse("profiles:practical"), data, follow=True)
    assert "Responders cannot find you until your profile is complete again" in response.text
    assert "How you meet clients" in response.text
    therapist.refresh_from_db()
    assert therapist.formats == frozenset()
    assert not therapist.profile_complete
    assert not therapists_listed().filter(pk=therapist.pk).exists()
    overview = client.get(reverse("profiles:editor")).text
    assert "Your profile is missing something responders need." in overview
    assert "Listed</span>" not in overview


def test_completing_the_section_again_lists_the_therapist_again(
    client: Client, therapist: TherapistProfile
) -> None:
    client.force_login(therapist.user)
    url = reverse("profiles:practical")
    form = browser_form(client.get(url).text, containing="formats")
    client.post(url, form.replaced("formats"))
    assert not therapist_is_listed(therapist=therapist)
    response = client.post(url, form.data(), follow=True)
    assert "Practical details saved." in response.text
    assert therapist_is_listed(therapist=therapist)


def test_a_profile_saved_unchanged_is_not_written(
    client: Client, therapist: TherapistProfile
) -> None:
    client.force_login(therapist.user)
    before = TherapistProfile.objects.get(pk=therapist.pk).updated_at
    controls = {
        "identity": "full_name",
        "experience": "services_served",
        "clinical": "focus_concerns",
        "practical": "formats",
    }
    for name, control in controls.items():
        url = reverse(f"profiles:{name}")
        response = client.post(url, browser_form(client.get(url).text, containing=control).data())
        assert response.status_code == 302
    assert TherapistProfile.objects.get(pk=therapist.pk).updated_at == before
