"""The working-style part of the alliance section: a range picked on one scale, bad input
explained by what is actually wrong, nothing half-saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from alliance.models import AllianceApproach
from tests.browser_form import browser_form
from tests.factories import AllianceApproachFactory, listed_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist_client(client: Client):
    therapist = listed_therapist()
    client.force_login(therapist.user)
    return client, therapist


def _post(client: Client, **changes: str | list[str]):
    url = reverse("alliance:edit")
    data = browser_form(client.get(url).text, containing="style_lead_usual").data()
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return client.post(url, data)


def test_the_block_has_an_introduction_and_one_scale_per_dimension(therapist_client) -> None:
    client, _ = therapist_client
    page = client.get(reverse("alliance:edit")).text
    assert "pick where you usually work, and tick every other point" in page
    form = browser_form(page, containing="style_lead_usual")
    assert {"style_lead_usual", "style_lead_range"} <= form.names
    # Two drop-downs per end are gone: one radio group and one set of boxes per scale.
    assert "style_lead_low" not in form.names and "<select" not in page.split("How you work")[1]


def test_a_range_picked_on_one_scale_is_saved_and_shown_on_the_profile(therapist_client) -> None:
    client, therapist = therapist_client
    response = _post(client, style_tone_usual="4", style_tone_range=["3", "5"])
    assert response.status_code == 302
    assert AllianceApproach.objects.get(therapist=therapist).style("tone") == (4, 3, 5)
    page = client.get(reverse("matching:therapist_preview")).text
    assert (
        "Usually is mostly direct, with warmth. Can adapt anywhere from warm but direct to "
        "direct and challenging."
    ) in page
    # Shown again as stored: the usual point chosen, the range's points ticked.
    form = browser_form(client.get(reverse("alliance:edit")).text, containing="style_tone_usual")
    assert form.data()["style_tone_usual"] == ["4"]
    assert form.data()["style_tone_range"] == ["3", "4", "5"]


def test_the_usual_point_alone_is_a_style_that_keeps_to_it(therapist_client) -> None:
    client, therapist = therapist_client
    assert _post(client, style_pace_usual="2").status_code == 302
    assert AllianceApproach.objects.get(therapist=therapist).style("pace") == (2, 2, 2)


def test_a_range_given_from_its_upper_end_is_not_called_outside(therapist_client) -> None:
    """The bug: with the ends as two drop-downs, "from 5 to 1" with the usual point at 3 was
    refused as "must lie within how far you adapt", though 3 lies within. The check compared
    the usual point with the ends without looking at their order. On one scale there is no
    order to get wrong; the ticked points are the range, in whatever order they come."""
    client, therapist = therapist_client
    response = _post(client, style_lead_usual="3", style_lead_range=["5", "4", "2", "1"])
    assert response.status_code == 302
    assert AllianceApproach.objects.get(therapist=therapist).style("lead") == (3, 1, 5)


def test_stored_ends_in_the_wrong_order_are_named_as_such_in_any_write() -> None:
    approach = AllianceApproachFactory(style_lead_usual=3, style_lead_low=5, style_lead_high=1)
    with pytest.raises(ValidationError) as raised:
        approach.full_clean()
    message = raised.value.message_dict["style_lead_low"][0]
    assert "cannot run from 5 down to 1" in message and "outside" not in message
    approach.style_lead_usual, approach.style_lead_low, approach.style_lead_high = 5, 1, 3
    with pytest.raises(ValidationError) as raised:
        approach.full_clean()
    assert raised.value.message_dict["style_lead_usual"] == [
        "Who leads: the usual point, 5, lies outside the range 1 to 3."
    ]


def test_a_gap_in_the_points_is_refused_naming_the_points_missing(therapist_client) -> None:
    client, therapist = therapist_client
    response = _post(client, style_lead_usual="4", style_lead_range=["1"], empathy="Changed")
    assert response.status_code == 200
    assert (
        "On “Who leads” the points you can work at have a gap: “2: Mostly my plan” and "
        "“3: We share the lead” are not ticked, between 1 and 4."
    ) in response.text.replace("&quot;", '"')
    approach = AllianceApproach.objects.get(therapist=therapist)
    assert approach.style("lead") is None
    assert approach.empathy != "Changed"  # nothing half-saved


def test_points_ticked_without_a_usual_point_ask_for_it(therapist_client) -> None:
    client, therapist = therapist_client
    response = _post(client, style_focus_range=["2", "3"])
    assert response.status_code == 200
    assert "Pick where you usually work on “Focus”" in response.text
    assert AllianceApproach.objects.get(therapist=therapist).style("focus") is None


def test_leaving_a_scale_unsaid_clears_it(therapist_client) -> None:
    client, therapist = therapist_client
    AllianceApproach.objects.filter(therapist=therapist).update(
        style_tone_usual=2, style_tone_low=1, style_tone_high=3
    )
    response = _post(client, style_tone_usual="", style_tone_range=[])
    assert response.status_code == 302
    assert AllianceApproach.objects.get(therapist=therapist).style("tone") is None


def test_a_value_off_the_scale_is_refused(therapist_client) -> None:
    client, therapist = therapist_client
    response = _post(client, style_focus_usual="9")
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert AllianceApproach.objects.get(therapist=therapist).style("focus") is None
