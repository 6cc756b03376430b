"""Only the owner edits a profile: every other role is turned away and nothing changes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from profiles.models import License, ResponderTraining, TherapistProfile, User
from tests.factories import (
    LicenseFactory,
    ResponderFactory,
    StaffFactory,
    TherapistFactory,
    TrainingFactory,
    image_bytes,
)

pytestmark = pytest.mark.django_db

EDITOR_URLS = [
    ("profiles:editor", "get"),
    ("profiles:identity", "post"),
    ("profiles:experience", "post"),
    ("profiles:clinical", "post"),
    ("profiles:practical", "post"),
    ("profiles:capacity", "post"),
    ("profiles:credentials", "get"),
    ("profiles:license_add", "post"),
    ("profiles:training_add", "post"),
    ("profiles:confirm", "post"),
    ("profiles:publish", "post"),
    ("profiles:unpublish", "post"),
    ("alliance:edit", "post"),
    ("matching:therapist_preview", "get"),
]
CRAFTED = {
    "full_name": "Changed by someone else",
    "years_serving_responders": "1",
    "accepting_new_clients": "",
    "open_slots": "0",
    "empathy": "changed",
}


@pytest.fixture
def owner() -> TherapistProfile:
    therapist = TherapistFactory(full_name="Owner Fictional")
    return therapist


def _snapshot(therapist: TherapistProfile) -> tuple:
    therapist.refresh_from_db()
    return (
        therapist.full_name,
        therapist.years_serving_responders,
        therapist.accepting_new_clients,
        therapist.published_at,
        therapist.confirmed_at,
        therapist.licenses.count(),
        therapist.trainings.count(),
    )


@pytest.mark.parametrize(("url_name", "method"), EDITOR_URLS)
def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(
    client: Client, owner: TherapistProfile, url_name: str, method: str
) -> None:
    before = _snapshot(owner)
    response = getattr(client, method)(reverse(url_name), CRAFTED)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert _snapshot(owner) == before


@pytest.mark.parametrize("role", ["responder", "staff"])
@pytest.mark.parametrize(("url_name", "method"), EDITOR_URLS)
def test_other_roles_are_refused_and_change_nothing(
    client: Client, owner: TherapistProfile, url_name: str, method: str, role: str
) -> None:
    intruder = ResponderFactory().user if role == "responder" else StaffFactory()
    client.force_login(intruder)
    before = _snapshot(owner)
    assert getattr(client, method)(reverse(url_name), CRAFTED).status_code == 403
    assert client.get(reverse(url_name)).status_code in {403, 405}
    assert _snapshot(owner) == before


RECORD_URLS = [
    ("profiles:license_edit", LicenseFactory, License),
    ("profiles:license_delete", LicenseFactory, License),
    ("profiles:training_edit", TrainingFactory, ResponderTraining),
    ("profiles:training_delete", TrainingFactory, ResponderTraining),
]


@pytest.mark.parametrize(("url_name", "factory", "model"), RECORD_URLS)
def test_another_therapist_gets_404_on_a_record_and_changes_nothing(
    client: Client, owner: TherapistProfile, url_name: str, factory, model
) -> None:
    record = factory(therapist=owner, status="verified")
    client.force_login(TherapistFactory().user)
    crafted = {
        "number": "HIJACKED",
        "name": "HIJACKED",
        "state": "NM",
        "evidence": SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF"),
    }
    assert client.get(reverse(url_name, args=[record.pk])).status_code in {404, 405}
    assert client.post(reverse(url_name, args=[record.pk]), crafted).status_code == 404
    record.refresh_from_db()
    assert record.status == "verified"
    assert "HIJACKED" not in (getattr(record, "number", ""), getattr(record, "name", ""))
    assert model.objects.filter(pk=record.pk).exists()


def test_the_role_cannot_be_switched_with_a_crafted_post(
    client: Client, owner: TherapistProfile
) -> None:
    client.force_login(owner.user)
    client.post(
        reverse("profiles:identity"), {"full_name": "Owner", "role": "staff", "is_staff": "on"}
    )
    owner.user.refresh_from_db()
    assert owner.user.role == User.Role.THERAPIST and not owner.user.is_staff


@pytest.mark.parametrize("role", ["anonymous", "therapist", "staff"])
def test_only_responders_reach_their_own_name_page(client: Client, role: str) -> None:
    if role == "therapist":
        client.force_login(TherapistFactory().user)
    elif role == "staff":
        client.force_login(StaffFactory())
    response = client.post(reverse("profiles:pseudonym"), {"pseudonym": "x"})
    assert response.status_code == (302 if role == "anonymous" else 403)


def test_a_responder_changes_only_their_own_name(client: Client) -> None:
    mine, theirs = ResponderFactory(pseudonym="Medic 7"), ResponderFactory(pseudonym="Ladder 2")
    client.force_login(mine.user)
    client.post(reverse("profiles:pseudonym"), {"pseudonym": "Medic 8"})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.pseudonym, theirs.pseudonym) == ("Medic 8", "Ladder 2")


def test_an_empty_name_is_refused(client: Client) -> None:
    responder = ResponderFactory(pseudonym="Medic 7")
    client.force_login(responder.user)
    response = client.post(reverse("profiles:pseudonym"), {"pseudonym": "   "})
    assert "Choose a name to show therapists" in response.text


@pytest.fixture
def unlisted_with_photo(client: Client) -> TherapistProfile:
    therapist = TherapistFactory(published_at=None)
    client.force_login(therapist.user)
    client.post(
        reverse("profiles:identity"),
        {
            "full_name": therapist.full_name,
            "photo_upload": SimpleUploadedFile("a.png", image_bytes()),
        },
    )
    client.logout()
    therapist.refresh_from_db()
    assert therapist.photo
    return therapist


@pytest.mark.parametrize("role", ["anonymous", "responder", "other_therapist"])
def test_an_unlisted_therapists_photo_is_not_found(
    client: Client, unlisted_with_photo: TherapistProfile, role: str
) -> None:
    if role == "responder":
        client.force_login(ResponderFactory().user)
    elif role == "other_therapist":
        client.force_login(TherapistFactory().user)
    url = reverse("profiles:therapist_photo", args=[unlisted_with_photo.public_id])
    assert client.get(url).status_code == 404


def test_only_staff_with_two_factor_see_an_unlisted_therapists_photo(
    client: Client, unlisted_with_photo: TherapistProfile, totp_user_factory
) -> None:
    staff = StaffFactory()
    client.force_login(staff)
    url = reverse("profiles:therapist_photo", args=[unlisted_with_photo.public_id])
    assert client.get(url).status_code == 404
    totp_user_factory(staff)
    assert client.get(url).status_code == 200
