"""What a profile shows as verified was verified under the name and license shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from profiles.models import License, VettingStatus
from profiles.selectors import therapists_listed
from profiles.services.therapists import vetted_record_update
from tests.factories import LicenseFactory, TrainingFactory, listed_therapist

pytestmark = pytest.mark.django_db


def _identity(client: Client, **changes: str):
    data = {"full_name": "Casey Fictional", "credentials": "LCSW", "pronouns": "", "bio": "Hi."}
    data.update(changes)
    return client.post(reverse("profiles:identity"), data)


def test_a_new_name_sends_verified_licenses_back_to_review_and_unlists(client: Client) -> None:
    therapist = listed_therapist(full_name="Casey Fictional")
    rejected = LicenseFactory(therapist=therapist, status=VettingStatus.REJECTED, state="NM")
    training = TrainingFactory(therapist=therapist)
    client.force_login(therapist.user)

    asked = _identity(client, full_name="Someone Else Entirely")
    assert asked.status_code == 200 and "Save and send for review" in asked.text
    assert License.objects.get(therapist=therapist, state="CO").status == VettingStatus.VERIFIED
    confirmed = _identity(client, full_name="Someone Else Entirely", confirm_review="yes")
    assert confirmed.status_code == 302

    license = License.objects.get(therapist=therapist, state="CO")
    assert license.status == VettingStatus.PENDING and license.decided_by is None
    assert License.objects.get(pk=rejected.pk).status == VettingStatus.REJECTED
    assert type(training).objects.get(pk=training.pk).status == VettingStatus.VERIFIED
    assert not therapists_listed().filter(pk=therapist.pk).exists()
    page = Client().get(reverse("matching:therapist_detail", args=[therapist.public_id]))
    assert page.status_code == 404


def test_saving_the_same_name_keeps_licenses_verified(client: Client) -> None:
    therapist = listed_therapist(full_name="Casey Fictional")
    client.force_login(therapist.user)
    _identity(client, bio="A new bio, same name.")
    assert License.objects.get(therapist=therapist).status == VettingStatus.VERIFIED


@pytest.mark.parametrize("change", [{"number": "CO-999"}, {"license_type": "lpc"}, {"state": "NM"}])
def test_a_new_number_type_or_state_sends_the_license_back_to_review(change: dict) -> None:
    license = listed_therapist().licenses.get()
    fields = {
        "state": license.state,
        "license_type": license.license_type,
        "number": license.number,
        "expires_on": license.expires_on,
        **change,
    }
    vetted_record_update(record=license, fields=fields, evidence=None)
    assert License.objects.get(pk=license.pk).status == VettingStatus.PENDING


def test_credentials_beside_the_name_are_the_verified_ones_and_the_rest_is_self_reported(
    client: Client,
) -> None:
    therapist = listed_therapist(full_name="Casey Fictional", credentials="LPC, CCTP")
    page = client.get(reverse("matching:therapist_detail", args=[therapist.public_id])).text
    assert "Casey Fictional, LCSW</h1>" in page  # the verified license in the factory
    assert 'LPC, CCTP <span class="badge">Self-reported</span>' in page
    assert "Casey Fictional, LPC" not in page
