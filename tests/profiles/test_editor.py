"""The therapist's profile editor: each section saves on its own, bad input is explained."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.models import AllianceApproach
from profiles.editor import profile_completeness
from profiles.models import License, TherapistProfile, User, VettingStatus
from tests.factories import (
    AllianceApproachFactory,
    LicenseFactory,
    TherapistFactory,
    TrainingFactory,
    UserFactory,
    image_bytes,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist() -> TherapistProfile:
    user = UserFactory(role=User.Role.THERAPIST)
    return TherapistProfile.objects.create(user=user, full_name="Robin Fictional")


@pytest.fixture
def therapist_client(client: Client, therapist: TherapistProfile) -> Client:
    client.force_login(therapist.user)
    return client


def test_a_new_profile_lists_every_section_as_missing(therapist: TherapistProfile) -> None:
    completeness = profile_completeness(therapist)
    assert [s.section.key for s in completeness.sections] == [
        "identity",
        "credentials",
        "experience",
        "clinical",
        "practical",
        "capacity",
        "alliance",
    ]
    assert completeness.complete_count == 0
    assert completeness.percent == 0


def test_the_overview_shows_the_meter_and_what_is_missing(therapist_client: Client) -> None:
    page = therapist_client.get(reverse("profiles:editor")).text
    assert "Profile 0% complete" in page
    assert "At least one license, with its document" in page
    assert "How you build respect and trust" in page


def test_identity_saves_on_its_own(therapist_client: Client, therapist: TherapistProfile) -> None:
    response = therapist_client.post(
        reverse("profiles:identity"),
        {
            "full_name": "Robin Fictional",
            "credentials": "LPC",
            "pronouns": "they/them",
            "bio": "I work with crews after hard calls.",
        },
    )
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert (therapist.credentials, therapist.pronouns) == ("LPC", "they/them")
    assert profile_completeness(therapist).sections[0].is_complete


def test_a_photo_is_stored_reencoded_and_served_to_its_owner(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    photo = SimpleUploadedFile("me.png", image_bytes("PNG", (1200, 900)), "image/png")
    therapist_client.post(
        reverse("profiles:identity"),
        {"full_name": "Robin Fictional", "credentials": "LPC", "photo_upload": photo},
    )
    therapist.refresh_from_db()
    assert therapist.photo.name.startswith("photos/") and therapist.photo.name.endswith(".jpg")
    assert "me.png" not in therapist.photo.name
    response = therapist_client.get(reverse("profiles:therapist_photo", args=[therapist.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_fake_photo_is_refused_and_the_typed_text_is_kept(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    fake = SimpleUploadedFile("me.jpg", b"MZ" + b"\x00" * 100, "image/jpeg")
    response = therapist_client.post(
        reverse("profiles:identity"),
        {
            "full_name": "Robin Fictional",
            "credentials": "PsyD",
            "bio": "Kept text",
            "photo_upload": fake,
        },
    )
    assert response.status_code == 200
    assert "This file is a program" in response.text
    assert "Kept text" in response.text
    therapist.refresh_from_db()
    assert therapist.credentials == "" and not therapist.photo


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"years_serving_responders": "-3"},
            "years_serving_responders",
            "greater than or equal to 0",
        ),
        (
            {"years_serving_responders": "400"},
            "years_serving_responders",
            "less than or equal to 60",
        ),
        (
            {"responder_caseload_percent": "140"},
            "responder_caseload_percent",
            "less than or equal to 100",
        ),
        ({"ride_along_hours": "99999"}, "ride_along_hours", "less than or equal to 5000"),
        ({"services_served": ["astronauts"]}, "services_served", "Select a valid choice"),
    ],
)
def test_experience_refuses_absurd_numbers_next_to_the_field(
    therapist_client: Client, therapist: TherapistProfile, data: dict, field: str, message: str
) -> None:
    form = {
        "years_serving_responders": "5",
        "responder_caseload_percent": "30",
        "ride_along_hours": "0",
        "services_served": ["fire"],
        **data,
    }
    response = therapist_client.post(reverse("profiles:experience"), form)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.text
    assert message in response.text
    therapist.refresh_from_db()
    assert therapist.years_serving_responders is None  # nothing half-saved


def test_clinical_saves_methods_with_their_training_level(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    response = therapist_client.post(
        reverse("profiles:clinical"),
        {
            "focus_concerns": ["trauma", "moral_injury"],
            "method_emdr": "certified",
            "method_cbt": "trained",
            "method_pe": "",
        },
    )
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.focus_concerns == {"trauma", "moral_injury"}
    assert therapist.methods_trained == {"emdr", "cbt"}
    assert therapist.methods_certified == {"emdr"}


def practical(**overrides: object) -> dict:
    data = {
        "formats": ["in_person", "telehealth"],
        "office_zip": "80202",
        "telehealth_states": ["CO"],
        "languages": ["en"],
        "gender": "woman",
        "hours": ["evenings"],
        "payment_methods": ["insurance"],
        "insurance_carriers": ["aetna"],
        "fee_min_dollars": "90",
        "fee_max_dollars": "150",
        "new_client_contact": "rapport",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_practical_turns_the_zip_into_a_place(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    assert therapist_client.post(reverse("profiles:practical"), practical()).status_code == 302
    therapist.refresh_from_db()
    assert (therapist.office_city, therapist.office_state) == ("Denver", "CO")
    assert therapist.office_latitude == pytest.approx(39.75, abs=0.1)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"office_zip": "00000"}, "office_zip", "We do not know the ZIP code 00000"),
        ({"office_zip": ""}, "office_zip", "Enter your office ZIP code"),
        ({"telehealth_states": None}, "telehealth_states", "Choose at least one state"),
        ({"fee_min_dollars": "200"}, "fee_max_dollars", "cannot be below the lowest fee"),
        ({"payment_methods": ["self_pay"]}, "insurance_carriers", "Tick “Health insurance”"),
        ({"fee_min_dollars": "-5"}, "fee_min_dollars", "greater than or equal to 0"),
        ({"new_client_contact": "phone"}, "new_client_phone", "Enter the number new clients"),
        (
            {"new_client_contact": "phone", "new_client_phone": "555-01"},
            "new_client_phone",
            "Enter a US phone number with area code",
        ),
        ({"new_client_contact": "booking"}, "booking_url", "Enter the link new clients book"),
        (
            {"new_client_contact": "booking", "booking_url": "http://booking.example.test/"},
            "booking_url",
            "starts with https://",
        ),
        (
            {"new_client_contact": "booking", "booking_url": "javascript:alert(1)"},
            "booking_url",
            "Enter a valid URL",
        ),
        ({"new_client_contact": "pigeon"}, "new_client_contact", "Select a valid choice"),
    ],
)
def test_practical_explains_each_mistake(
    therapist_client: Client, therapist: TherapistProfile, overrides: dict, field: str, message: str
) -> None:
    response = therapist_client.post(reverse("profiles:practical"), practical(**overrides))
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.text
    assert message in response.text
    therapist.refresh_from_db()
    assert therapist.formats == frozenset()


def test_practical_keeps_how_new_clients_reach_the_therapist(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    data = practical(new_client_contact="phone", new_client_phone="(303) 555-0142")
    assert therapist_client.post(reverse("profiles:practical"), data).status_code == 302
    therapist.refresh_from_db()
    assert (therapist.new_client_contact, therapist.new_client_phone) == ("phone", "+13035550142")
    data = practical(new_client_contact="booking", booking_url="booking.example.test/robin")
    assert therapist_client.post(reverse("profiles:practical"), data).status_code == 302
    therapist.refresh_from_db()
    assert therapist.booking_url == "https://booking.example.test/robin"


def test_capacity_needs_slots_when_accepting(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    response = therapist_client.post(
        reverse("profiles:capacity"), {"accepting_new_clients": "on", "open_slots": "0"}
    )
    assert "Enter how many new clients you can take" in response.text
    ok = therapist_client.post(
        reverse("profiles:capacity"), {"accepting_new_clients": "on", "open_slots": "4"}
    )
    assert ok.status_code == 302
    therapist.refresh_from_db()
    assert therapist.accepting_new_clients and therapist.open_slots == 4
    assert therapist.confirmed_at is not None


def test_text_over_its_limit_is_refused(therapist_client: Client) -> None:
    response = therapist_client.post(
        reverse("profiles:identity"), {"full_name": "R" * 121, "bio": "x" * 1501}
    )
    assert "Ensure this value has at most 120 characters (it has 121)" in response.text
    assert "Ensure this value has at most 1500 characters (it has 1501)" in response.text


def test_user_text_is_escaped_on_output(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    therapist_client.post(
        reverse("profiles:identity"),
        {"full_name": "<script>alert(1)</script>", "credentials": "LPC", "bio": "<b>bold</b>"},
    )
    therapist.refresh_from_db()
    assert therapist.full_name == "<script>alert(1)</script>"  # stored as typed
    page = therapist_client.get(reverse("matching:therapist_preview")).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def license_form(**overrides: object) -> dict:
    data = {
        "state": "CO",
        "license_type": "lcsw",
        "number": "CSW.0099",
        "expires_on": (timezone.localdate() + dt.timedelta(days=300)).isoformat(),
        "evidence": SimpleUploadedFile("license.pdf", pdf_bytes(), "application/pdf"),
    }
    data.update(overrides)
    return data


def test_a_license_is_added_pending_with_its_document_under_a_generated_name(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    response = therapist_client.post(reverse("profiles:license_add"), license_form())
    assert response.status_code == 302
    license = therapist.licenses.get()
    assert license.status == VettingStatus.PENDING
    assert license.document.name.startswith("evidence/")
    assert "license" not in license.document.name
    assert license.document_content_type == "application/pdf"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"expires_on": "2020-01-01"}, "This license has expired"),
        ({"number": "   "}, "This field is required"),
        (
            {"evidence": SimpleUploadedFile("license.pdf", b"MZ\x90" + b"\x00" * 64)},
            "This file is a program",
        ),
        ({"evidence": ""}, "This field is required"),
        ({"state": "ZZ"}, "Select a valid choice"),
    ],
)
def test_a_bad_license_is_refused_and_nothing_is_stored(
    therapist_client: Client, therapist: TherapistProfile, overrides: dict, message: str
) -> None:
    response = therapist_client.post(reverse("profiles:license_add"), license_form(**overrides))
    assert response.status_code == 200
    assert message in response.text
    assert not License.objects.exists()


@pytest.mark.parametrize(
    ("change", "value"),
    [("number", "CSW.1234"), ("state", "NM"), ("expires_on", "2031-06-30")],
)
def test_editing_what_staff_checked_sends_a_verified_license_back_to_pending(
    therapist_client: Client, therapist: TherapistProfile, change: str, value: str
) -> None:
    license = LicenseFactory(therapist=therapist, number="CSW.0001", status=VettingStatus.VERIFIED)
    data = license_form(number="CSW.0001", expires_on=license.expires_on.isoformat(), evidence="")
    data[change] = value
    url = reverse("profiles:license_edit", args=[license.pk])
    asked = therapist_client.post(url, data)
    assert asked.status_code == 200 and "Save and send for review" in asked.text
    license.refresh_from_db()
    assert license.status == VettingStatus.VERIFIED  # nothing saved before the answer
    response = therapist_client.post(url, {**data, "confirm_review": "yes"})
    assert response.status_code == 302
    license.refresh_from_db()
    assert license.status == VettingStatus.PENDING
    assert license.decided_at is None
    assert license.review_reason == "details_changed" and license.previously_verified_at


def test_saving_a_license_unchanged_keeps_it_verified(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    license = LicenseFactory(therapist=therapist, number="CSW.0001")
    data = license_form(number="CSW.0001", expires_on=license.expires_on.isoformat(), evidence="")
    therapist_client.post(reverse("profiles:license_edit", args=[license.pk]), data)
    license.refresh_from_db()
    assert license.status == VettingStatus.VERIFIED


def test_a_license_can_be_removed(therapist_client: Client, therapist: TherapistProfile) -> None:
    license = LicenseFactory(therapist=therapist)
    response = therapist_client.post(reverse("profiles:license_delete", args=[license.pk]))
    assert response.status_code == 302
    assert not therapist.licenses.exists()


def test_a_training_is_added_and_an_edit_sends_it_back_for_review(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    training = TrainingFactory(therapist=therapist, status=VettingStatus.VERIFIED)
    data = {
        "kind": training.kind,
        "name": "Renamed course",
        "issuer": training.issuer,
        "completed_on": training.completed_on.isoformat(),
        "hours": "",
    }
    response = therapist_client.post(reverse("profiles:training_edit", args=[training.pk]), data)
    assert response.status_code == 302
    training.refresh_from_db()
    assert training.status == VettingStatus.PENDING


def test_a_training_in_the_future_is_refused(therapist_client: Client) -> None:
    data = {
        "kind": "certification",
        "name": "Course",
        "issuer": "Someone",
        "completed_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "evidence": SimpleUploadedFile("c.pdf", pdf_bytes()),
    }
    response = therapist_client.post(reverse("profiles:training_add"), data)
    assert "The date cannot be in the future" in response.text


def test_the_alliance_section_saves_statements_and_practices(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    data = {
        "respect_trust": "I explain what stays private.",
        "collaboration": "Goals together.",
        "empathy": "I have done ride-alongs.",
        "adaptability": "We change course.",
        "practices": ["goals_together", "asks_feedback"],
    }
    assert therapist_client.post(reverse("alliance:edit"), data).status_code == 302
    approach = AllianceApproach.objects.get(therapist=therapist)
    assert approach.practices == {"goals_together", "asks_feedback"}
    assert profile_completeness(therapist).sections[-1].is_complete


def test_the_alliance_statements_have_a_length_limit(therapist_client: Client) -> None:
    response = therapist_client.post(reverse("alliance:edit"), {"empathy": "x" * 601})
    assert "Ensure this value has at most 600 characters (it has 601)" in response.text
    assert not AllianceApproach.objects.exists()


def test_confirming_records_the_day(therapist_client: Client, therapist: TherapistProfile) -> None:
    therapist_client.post(reverse("profiles:confirm"))
    therapist.refresh_from_db()
    assert therapist.confirmed_at is not None


def test_publishing_needs_two_factor_authentication(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    response = therapist_client.post(reverse("profiles:publish"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    therapist.refresh_from_db()
    assert therapist.published_at is None


def test_publishing_a_complete_profile_with_mfa(client: Client, totp_user_factory) -> None:
    therapist = TherapistFactory(published_at=None)
    LicenseFactory(therapist=therapist)
    AllianceApproachFactory(therapist=therapist)
    totp_user_factory(therapist.user)
    client.force_login(therapist.user)

    response = client.post(reverse("profiles:publish"))
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.published_at is not None and therapist.confirmed_at is not None


def test_an_incomplete_profile_cannot_be_published(
    client: Client, therapist: TherapistProfile, totp_user_factory
) -> None:
    totp_user_factory(therapist.user)
    client.force_login(therapist.user)
    response = client.post(reverse("profiles:publish"), follow=True)
    assert "Complete your profile first" in response.text
    therapist.refresh_from_db()
    assert therapist.published_at is None


POLYGLOT_TAIL = b"<html><script>fetch('/staff/')</script></html>"


def test_a_polyglot_png_is_refused_and_nothing_is_stored(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    polyglot = SimpleUploadedFile("scan.png", image_bytes("PNG") + POLYGLOT_TAIL, "image/png")
    response = therapist_client.post(
        reverse("profiles:license_add"), license_form(evidence=polyglot)
    )
    assert response.status_code == 200
    assert "extra data after the picture" in response.text
    assert not therapist.licenses.exists()


def test_an_image_is_stored_drawn_again_with_nothing_but_the_picture(
    therapist_client: Client, therapist: TherapistProfile
) -> None:
    import io

    from PIL import Image, PngImagePlugin

    # A JPEG with a comment, EXIF and a script after its end; a PNG with a text chunk.
    jpeg = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Example camera maker"
    Image.new("RGB", (120, 90), (200, 30, 30)).save(
        jpeg, format="JPEG", exif=exif, comment=b"<script>1</script>"
    )
    png = io.BytesIO()
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "<script>2</script>")
    Image.new("RGB", (120, 90), (30, 200, 30)).save(png, format="PNG", pnginfo=text)
    for name, content in (
        ("scan.jpg", jpeg.getvalue() + POLYGLOT_TAIL),
        ("scan.png", png.getvalue()),
    ):
        number = f"CSW.{name[-3:]}"
        response = therapist_client.post(
            reverse("profiles:license_add"),
            license_form(number=number, evidence=SimpleUploadedFile(name, content)),
        )
        assert response.status_code == 302, response.text
        license = therapist.licenses.get(number=number)
        stored = license.document.read()
        license.document.close()
        assert b"<script>" not in stored and b"Example camera" not in stored
        with Image.open(io.BytesIO(stored)) as image:
            assert image.size == (120, 90)
            assert not image.info.get("exif") and "Comment" not in image.info
