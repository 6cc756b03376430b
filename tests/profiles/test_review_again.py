"""Never de-listed without being told: a change that sends a verified license back to review
asks first and keeps what was typed; afterwards the page, the sidebar and an email say the
profile is not listed and why; staff see why it came back, re-reviews first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from profiles.models import License, TherapistProfile, VettingStatus
from profiles.selectors import therapist_is_listed, vetting_queue
from profiles.services.therapists import review_again_notify
from tests.browser_form import browser_form
from tests.factories import LicenseFactory, TherapistFactory, TrainingFactory, listed_therapist

pytestmark = pytest.mark.django_db
LONG_BIO = "A fictional bio, typed at length. " * 40


@pytest.fixture
def therapist() -> TherapistProfile:
    return listed_therapist(full_name="Casey Fictional", bio="Short bio.")


def _identity_form(client: Client, **changes: str) -> dict[str, list[str]]:
    form = browser_form(client.get(reverse("profiles:identity")).text, containing="full_name")
    return form.data() | {name: [value] for name, value in changes.items()}


def _rename(client: Client, confirm: bool = False, **changes: str):
    data = _identity_form(client, full_name="Casey Renamed", bio=LONG_BIO.strip(), **changes)
    if confirm:
        data["confirm_review"] = ["yes"]
    return client.post(reverse("profiles:identity"), data)


def test_a_rename_asks_first_and_keeps_everything_typed(client: Client, therapist) -> None:
    client.force_login(therapist.user)
    asked = _rename(client)
    assert asked.status_code == 200
    page = asked.text
    assert "Before you save: your license will be checked again" in page
    assert "You changed your name from “Casey Fictional”" in page
    assert "LCSW, Colorado" in page
    assert "Until it is verified again, your profile is not listed" in page
    # What was typed is in the form again, to save with one button.
    again = browser_form(page, containing="full_name").data()
    assert again["full_name"] == ["Casey Renamed"]
    assert again["bio"] == [LONG_BIO.strip()]
    assert 'name="confirm_review" value="yes"' in page
    # Nothing saved: not the name, not the bio, not the license.
    stored = TherapistProfile.objects.get(pk=therapist.pk)
    assert (stored.full_name, stored.bio) == ("Casey Fictional", "Short bio.")
    assert therapist.licenses.get().status == VettingStatus.VERIFIED
    assert therapist_is_listed(therapist=therapist)


def test_after_the_rename_the_page_the_sidebar_and_an_email_say_why_not_listed(
    client: Client, therapist, eager_celery, django_capture_on_commit_callbacks
) -> None:
    client.force_login(therapist.user)
    with django_capture_on_commit_callbacks(execute=True):
        saved = _rename(client, confirm=True)
    assert saved.status_code == 302
    license = therapist.licenses.get()
    assert license.status == VettingStatus.PENDING
    assert license.review_reason == "name_changed"
    assert license.review_note == "Name changed from “Casey Fictional” to “Casey Renamed”."
    assert license.previously_verified_at is not None
    assert not therapist_is_listed(therapist=therapist)

    after = client.get(saved["Location"]).text
    assert "your license went back to review" in after
    assert "your profile is not listed until our staff verify it again" in after
    # The sidebar, on every page of the editor.
    assert "Your license is back in review because you changed your name." in after
    overview = client.get(reverse("profiles:editor")).text
    assert "Your license (LCSW, Colorado) went back to review" in overview
    assert "because you changed your name" in overview
    home = client.get(reverse("matching:therapist_home")).text
    assert "because you changed your name" in home

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [therapist.user.email]
    assert "not listed" in email.subject
    assert "You changed your name" in email.body
    assert "your profile is not listed" in email.body
    for private in ("Casey", license.number):  # no name, no number
        assert private not in email.body and private not in email.subject
    # Each return is told once, however often the task runs.
    assert review_again_notify(therapist_id=therapist.pk) is False
    assert len(mail.outbox) == 1


def test_a_rename_without_a_verified_license_saves_at_once(client: Client) -> None:
    therapist = TherapistFactory(full_name="Casey Fictional")
    LicenseFactory(therapist=therapist, status=VettingStatus.PENDING)
    client.force_login(therapist.user)
    response = _rename(client)
    assert response.status_code == 302
    assert TherapistProfile.objects.get(pk=therapist.pk).full_name == "Casey Renamed"


def test_staff_see_why_it_came_back_and_re_reviews_come_first(
    client: Client, therapist, staff_with_mfa
) -> None:
    waiting_longest = LicenseFactory(
        status=VettingStatus.PENDING, submitted_at=timezone.now() - dt.timedelta(days=9)
    )
    client.force_login(therapist.user)
    _rename(client, confirm=True)
    came_back = therapist.licenses.get()
    rows = list(vetting_queue())
    assert [(row["record_kind"], row["pk"]) for row in rows[:2]] == [
        ("license", came_back.pk),
        ("license", waiting_longest.pk),
    ]
    staff = Client()
    staff.force_login(staff_with_mfa)
    queue = staff.get(reverse("profiles:vetting_queue")).text
    assert queue.index("Casey Renamed") < queue.index(waiting_longest.therapist.full_name)
    assert "Back for review:</strong> The therapist changed their name, after staff" in queue
    assert "Name changed from “Casey Fictional” to “Casey Renamed”." in queue
    review = staff.get(reverse("profiles:vetting_review", args=["license", came_back.pk])).text
    assert "Name changed from “Casey Fictional” to “Casey Renamed”." in review


def test_a_verified_license_changed_asks_first_and_names_what_changed_for_staff(
    client: Client, therapist
) -> None:
    license = therapist.licenses.get()
    client.force_login(therapist.user)
    url = reverse("profiles:license_edit", args=[license.pk])
    form = browser_form(client.get(url).text, containing="number")
    data = form.replaced("number", "CO-NEW-42")
    asked = client.post(url, data)
    assert "Before you save: your license will be checked again" in asked.text
    assert browser_form(asked.text, containing="number").data()["number"] == ["CO-NEW-42"]
    assert License.objects.get(pk=license.pk).status == VettingStatus.VERIFIED
    client.post(url, data | {"confirm_review": ["yes"]})
    license.refresh_from_db()
    assert license.status == VettingStatus.PENDING
    assert license.review_note == f"Changed: number “{form.data()['number'][0]}” to “CO-NEW-42”."


def test_a_second_license_keeps_the_therapist_listed_and_the_question_says_so(
    client: Client, therapist
) -> None:
    LicenseFactory(therapist=therapist, state="NM")
    license = therapist.licenses.get(state="CO")
    client.force_login(therapist.user)
    url = reverse("profiles:license_edit", args=[license.pk])
    data = browser_form(client.get(url).text, containing="number").replaced("number", "X-1")
    asked = client.post(url, data).text
    assert "Responders can still find you meanwhile" in asked


def test_a_pending_license_or_a_verified_training_edits_without_asking(
    client: Client, therapist
) -> None:
    pending = LicenseFactory(therapist=therapist, state="NM", status=VettingStatus.PENDING)
    training = TrainingFactory(therapist=therapist)
    client.force_login(therapist.user)
    for name, record, control, value in (
        ("profiles:license_edit", pending, "number", "NM-2"),
        ("profiles:training_edit", training, "issuer", "Another Fictional Academy"),
    ):
        url = reverse(name, args=[record.pk])
        data = browser_form(client.get(url).text, containing=control).replaced(control, value)
        assert client.post(url, data).status_code == 302


def test_a_rejected_license_sent_again_is_a_resubmission_not_a_re_review(
    client: Client, therapist
) -> None:
    rejected = LicenseFactory(
        therapist=therapist, state="NM", status=VettingStatus.REJECTED, decision_reason="Blurry."
    )
    client.force_login(therapist.user)
    url = reverse("profiles:license_edit", args=[rejected.pk])
    data = browser_form(client.get(url).text, containing="number").replaced("number", "NM-9")
    client.post(url, data)
    rejected.refresh_from_db()
    assert rejected.review_reason == "resubmitted" and rejected.previously_verified_at is None
