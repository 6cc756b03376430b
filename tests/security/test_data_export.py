"""A responder's export holds everything Rapport keeps about them, and only there.

The database holds one of everything a responder can give or be given: answers, an intro
request with its snapshot and contact details, the therapist's reply and audited reads,
thread messages both ways, an answered check-in with its note and wellbeing answers, a
coverage request. A distinct canary sits in each free-text field: each must appear in the
JSON download and on the printable page, and in no log line, no email and no plain table
cell (they are encrypted at rest).
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.models import CheckIn
from alliance.services.checkins import checkin_answer
from matching.intake import Intake
from matching.models import IntroRequest
from matching.services.intros import intro_answer
from matching.services.threads import thread_message_send
from tests.factories import ResponderFactory, intro_through_service, listed_therapist

pytestmark = pytest.mark.django_db

CANARIES = {
    "pseudonym": "Canary Pseudonym Qx7",
    "message": "canary-intro-message-7h2k",
    "contact_email": "canary.contact.p4@example.test",
    "contact_phone": "7205550142",
    "reply": "canary-therapist-reply-9m3d",
    "responder_message": "canary-responder-thread-2v8c",
    "therapist_message": "canary-therapist-thread-5z1q",
    "note": "canary-checkin-note-4j6w",
    "coverage_email": "canary.coverage.w8@example.test",
}


def _dump_tables() -> str:
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            parts.append(repr(cursor.fetchall()))
    return "\n".join(parts)


@pytest.fixture
def one_of_everything(eager_celery, totp_user_factory, django_capture_on_commit_callbacks):
    """A responder with one of everything, made through the services and views."""
    therapist = listed_therapist(full_name="Casey Fictional")
    totp_user_factory(therapist.user)
    responder = ResponderFactory(
        pseudonym=CANARIES["pseudonym"],
        user__email=CANARIES["coverage_email"],
        answers=Intake(
            service="dispatch",
            state="CO",
            zip_code="80202",
            concerns=frozenset({"moral_injury"}),
            hours=frozenset({"evenings"}),
            style_pace=2,
        ).to_dict(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        intro = intro_through_service(
            responder,
            therapist,
            message=CANARIES["message"],
            contact_method="email",
            contact_email=CANARIES["contact_email"],
            contact_hours=frozenset({"evenings"}),
        )
        # A second request, still waiting, asks for a phone call.
        intro_through_service(
            responder,
            listed_therapist(full_name="Jordan Fictional"),
            contact_method="phone",
            contact_phone=CANARIES["contact_phone"],
        )
    therapist_client = Client()
    therapist_client.force_login(therapist.user)
    # An audited read, through the page the therapist opens.
    read = therapist_client.get(reverse("matching:inbox_detail", args=[intro.public_id]))
    assert read.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        intro_answer(intro=intro, decision="accepted", reply=CANARIES["reply"])
    intro.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        thread_message_send(intro=intro, sender="responder", body=CANARIES["responder_message"])
        thread_message_send(intro=intro, sender="therapist", body=CANARIES["therapist_message"])
    checkin = CheckIn.objects.get(plan__intro_id=intro.pk, number=1)
    CheckIn.objects.filter(pk=checkin.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        checkin_answer(
            checkin=checkin,
            responder=responder,
            ratings=dict.fromkeys(
                ("respect_trust", "collaboration", "empathy", "adaptability", "fit"), 7
            ),
            still_seeing=True,
            note=CANARIES["note"],
            shared=True,
            wellbeing={"wellbeing_overall": 6, "wellbeing_sleep": 3},
        )
    # A coverage request for a state without therapists, with the account's address.
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("matching:coverage_watch"),
            {"state": "WY", "email": CANARIES["coverage_email"].upper()},
        )
    assert response.status_code == 302
    return responder, intro


def test_the_export_holds_one_of_everything_and_the_canaries_go_nowhere_else(
    caplog: pytest.LogCaptureFixture, one_of_everything
) -> None:
    caplog.set_level(logging.DEBUG)
    responder, intro = one_of_everything
    client = Client()
    client.force_login(responder.user)
    response = client.get(reverse("matching:export"))
    assert response.status_code == 200
    text = response.content.decode()
    data = json.loads(text)
    page = client.get(reverse("matching:my_data")).text

    for name, canary in CANARIES.items():
        assert canary in text, f"{name} missing from the export"
        assert canary in page, f"{name} missing from the printable page"

    # Answers: codes and words.
    answers = {answer["key"]: answer for answer in data["profile"]["answers_in_words"]}
    assert answers["service"]["code"] == "dispatch"
    assert answers["service"]["label"].startswith("911 dispatch")
    assert answers["concerns"]["code"] == ["moral_injury"]
    assert answers["concerns"]["label"] == ["Moral injury"]
    assert answers["style_pace"]["code"] == 2 and answers["style_pace"]["label"]
    assert "Moral injury" in page and "moral_injury" in page

    waiting, exported = data["intro_requests"]
    assert waiting["contact_phone"] == CANARIES["contact_phone"]
    assert (exported["status"], exported["status_label"]) == ("accepted", "Accepted")
    assert exported["contact_hours"] == [{"code": "evenings", "label": "Evenings"}]
    assert [m["from"] for m in exported["messages"]] == ["you", "therapist"]
    shown = exported["what_the_list_showed"]
    assert shown is not None and shown["scoring_version"]
    assert set(shown["points"]) == {
        "competence",
        "alliance",
        "clinical",
        "practical",
        "responsiveness",
    }

    checkin, planned = data["check_ins"]
    assert planned["answered"] is None and planned["answers"] is None  # the next one, planned
    assert checkin["shared_with_therapist"] is True and checkin["note"] == CANARIES["note"]
    assert checkin["answers"]["fit"] == 7
    assert data["check_in_questions"]["fit"] == "The way we work fits me."
    assert "The way we work fits me." in page and "How well are you sleeping?" in page
    assert checkin["how_things_are_going"] == {
        "wellbeing_overall": 6,
        "wellbeing_work": None,
        "wellbeing_home": None,
        "wellbeing_sleep": 3,
    }

    [coverage] = data["coverage_requests"]
    assert coverage["state"] == {"code": "WY", "label": "Wyoming"}

    [read] = data["who_read_your_data"]
    assert read["role"] == "Therapist"
    assert read["action"] == {"code": "intro_read", "label": "Read an intro request"}
    assert read["intro_request"] == str(intro.public_id)
    assert "Read an intro request" in page
    # A reader is named by role only.
    assert intro.therapist.user.email not in text

    # Nowhere else: no log line, no email's subject or body, no plain table cell.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    emails = "\n".join(
        f"{m.subject}\n{m.body}\n{[a[0] for a in getattr(m, 'alternatives', [])]}"
        for m in mail.outbox
    )
    assert mail.outbox, "the flow sends emails, so this check can fail"
    dump = _dump_tables()
    for name, canary in CANARIES.items():
        assert canary not in logged, f"{name} in a log line"
        assert canary not in emails, f"{name} in an email"
        # The pseudonym is shown to therapists, and the account's own address is its login:
        # both are stored as they are. Everything else is encrypted.
        if name not in ("pseudonym", "coverage_email"):
            assert canary.lower() not in dump.lower(), f"{name} stored in plain text"


def test_the_printable_page_is_the_responders_alone(client: Client, one_of_everything) -> None:
    other = ResponderFactory(pseudonym="Someone Else Fictional")
    client.force_login(other.user)
    page = client.get(reverse("matching:my_data")).text
    assert "Someone Else Fictional" in page
    for canary in CANARIES.values():
        assert canary not in page
    client.force_login(IntroRequest.objects.filter(status="accepted").get().therapist.user)
    assert client.get(reverse("matching:my_data")).status_code == 403
    anonymous = Client().get(reverse("matching:my_data"))
    assert anonymous.status_code == 302
