"""The working-style part of the alliance section: bad input explained, nothing half-saved."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alliance.models import AllianceApproach
from tests.browser_form import browser_form
from tests.factories import listed_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist_client(client: Client):
    therapist = listed_therapist()
    client.force_login(therapist.user)
    return client, therapist


def _post(client: Client, **changes: str):
    url = reverse("alliance:edit")
    data = browser_form(client.get(url).text, containing="style_lead_usual").data()
    for name, value in changes.items():
        data[name] = [value]
    return client.post(url, data)


def test_a_usual_point_outside_the_range_is_refused_next_to_it(therapist_client) -> None:
    client, therapist = therapist_client
    response = _post(
        client, style_lead_usual="5", style_lead_low="1", style_lead_high="3", empathy="Changed"
    )
    assert response.status_code == 200
    assert "must lie within how far you adapt" in response.text
    approach = AllianceApproach.objects.get(therapist=therapist)
    assert approach.style("lead") is None
    assert approach.empathy != "Changed"


def test_half_a_scale_is_refused(therapist_client) -> None:
    client, therapist = therapist_client
    response = _post(client, style_pace_usual="2")
    assert "Give all three for pace, or leave all three empty." in response.text
    assert AllianceApproach.objects.get(therapist=therapist).style("pace") is None


def test_a_described_style_is_saved_and_shown_on_the_profile(therapist_client) -> None:
    client, therapist = therapist_client
    response = _post(client, style_tone_usual="4", style_tone_low="3", style_tone_high="5")
    assert response.status_code == 302
    assert AllianceApproach.objects.get(therapist=therapist).style("tone") == (4, 3, 5)
    page = client.get(reverse("matching:therapist_preview")).text
    assert (
        "Usually is mostly direct, with warmth. Can adapt anywhere from warm but direct to "
        "direct and challenging."
    ) in page


def test_a_value_off_the_scale_is_refused(therapist_client) -> None:
    client, therapist = therapist_client
    response = _post(client, style_focus_usual="9", style_focus_low="1", style_focus_high="5")
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert AllianceApproach.objects.get(therapist=therapist).style("focus") is None
