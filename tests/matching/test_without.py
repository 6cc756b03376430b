"""`/matches/?without=` leaves out a listed therapist and names no one else."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TherapistFactory, listed_therapist
from tests.matching.test_results import names_on, with_answers

pytestmark = pytest.mark.django_db


def test_without_a_listed_therapist_leaves_them_out_and_says_so(client: Client) -> None:
    left_out = listed_therapist(full_name="Left Out Fictional")
    listed_therapist(full_name="Still Shown Fictional")
    page = with_answers(client).get(reverse("matching:results"), {"without": left_out.public_id})
    assert names_on(page.text) == ["Still Shown Fictional"]
    assert "leaving out Left Out Fictional" in page.text


@pytest.mark.parametrize("who", ["unpublished", "inactive", "unknown"])
def test_without_an_unlisted_or_unknown_therapist_names_no_one(client: Client, who: str) -> None:
    listed_therapist(full_name="Still Shown Fictional")
    hidden = TherapistFactory(full_name="Hidden Fictional Name", published_at=None)
    if who == "inactive":
        hidden.published_at = hidden.confirmed_at
        hidden.save()
        hidden.user.is_active = False
        hidden.user.save()
    public_id = uuid.uuid4() if who == "unknown" else hidden.public_id
    page = with_answers(client).get(reverse("matching:results"), {"without": public_id})
    assert page.status_code == 200
    assert "Hidden Fictional Name" not in page.text
    assert "leaving out" not in page.text
    assert str(public_id) not in page.text
    assert names_on(page.text) == ["Still Shown Fictional"]
