"""Script-injection payloads in every free-text field come out as text on every page."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from alliance.models import AllianceApproach
from matching.intake import Intake
from matching.models import IntroRequest
from profiles.models import AuditEntry, License, ResponderTraining
from profiles.services.audit import audit_record
from tests.factories import (
    LicenseFactory,
    ResponderFactory,
    TrainingFactory,
    intro_through_service,
    listed_therapist,
)

pytestmark = pytest.mark.django_db

CORPUS = [
    line
    for line in (Path(__file__).parent / "data" / "script_injection.txt").read_text().splitlines()
    if line and not line.startswith("#")
]
# Elements a payload could bring in; the pages themselves use none of them.
FOREIGN_TAGS = {"svg", "iframe", "object", "embed"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcdoc"}


class _PageElements(HTMLParser):
    """Everything on a page that could run script: scripts, handlers, javascript: URLs."""

    def __init__(self, *, admin: bool = False) -> None:
        super().__init__()
        self.problems: list[str] = []
        # The admin draws its own icons with <svg> and static images.
        self.admin = admin

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"inline <script> {attrs}")
        if tag in FOREIGN_TAGS and not (self.admin and tag == "svg"):
            self.problems.append(f"<{tag}>")
        # Therapists' photos, the TOTP QR code, and evidence drawn on the server for staff.
        allowed_images = (
            "/therapists/",
            "data:",
            "/documents/",
            *(("/static/",) if self.admin else ()),
        )
        if tag == "img" and not (values.get("src") or "").startswith(allowed_images):
            self.problems.append(f"<img src={values.get('src')}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value}>")


def _problems(page: str, *, admin: bool = False) -> list[str]:
    parser = _PageElements(admin=admin)
    parser.feed(page)
    return parser.problems


@pytest.mark.parametrize("payload", CORPUS)
def test_a_payload_in_every_free_text_field_is_shown_as_text(
    payload: str, totp_user_factory, staff_with_mfa
) -> None:
    short = payload[:40]
    therapist = listed_therapist(
        full_name=payload[:120],
        credentials=payload[:60],
        pronouns=short[:30],
        bio=payload,
    )
    totp_user_factory(therapist.user)
    AllianceApproach.objects.filter(therapist=therapist).update(
        respect_trust=payload, collaboration=payload, empathy=payload, adaptability=payload
    )
    TrainingFactory(therapist=therapist, name=payload[:120], issuer=payload[:120])
    LicenseFactory(therapist=therapist, status="pending", state="NM", number=payload[:40])
    responder = ResponderFactory(
        pseudonym=short, answers=Intake(state="CO", format_preference="telehealth").to_dict()
    )
    intro = intro_through_service(
        responder,
        therapist,
        message=payload,
        contact_method="email",
        contact_email="night.medic@example.test",
    )
    IntroRequest.objects.filter(pk=intro.pk).update(therapist_reply=payload)
    license = License.objects.get(therapist=therapist, state="NM")
    audit_record(
        actor=staff_with_mfa,
        action=AuditEntry.Action.REJECTED,
        target_type="license",
        target_id=license.pk,
        therapist_id=therapist.pk,
        before={"status": payload},
        after={"status": payload},
        reason=payload,
    )
    training = ResponderTraining.objects.get(therapist=therapist)

    pages: dict[str, tuple[Client, str]] = {}
    anonymous, as_responder, as_therapist, as_staff = Client(), Client(), Client(), Client()
    as_responder.force_login(responder.user)
    as_therapist.force_login(therapist.user)
    as_staff.force_login(staff_with_mfa)
    for url in (
        reverse("matching:therapist_detail", args=[therapist.public_id]),
        reverse("matching:results"),
        reverse("matching:me"),
        reverse("matching:my_intros"),
        reverse("matching:my_intro", args=[intro.public_id]),
        reverse("matching:intro_new", args=[therapist.public_id]),
        reverse("profiles:pseudonym"),
    ):
        pages[url] = (as_responder, url)
    for url in (
        reverse("profiles:editor"),
        reverse("profiles:identity"),
        reverse("profiles:credentials"),
        reverse("profiles:license_edit", args=[license.pk]),
        reverse("profiles:training_edit", args=[training.pk]),
        reverse("alliance:edit"),
        reverse("matching:therapist_preview"),
        reverse("matching:inbox"),
        reverse("matching:inbox_detail", args=[intro.public_id]),
    ):
        pages[url] = (as_therapist, url)
    for url in (
        reverse("profiles:vetting_queue"),
        reverse("profiles:vetting_review", args=["license", license.pk]),
        reverse("profiles:audit_trail"),
        reverse("admin:profiles_auditentry_changelist"),
    ):
        pages[url] = (as_staff, url)
    pages["anonymous profile"] = (
        anonymous,
        reverse("matching:therapist_detail", args=[therapist.public_id]),
    )

    found: dict[str, list[str]] = {}
    for label, (client, url) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (label, response.status_code)
        problems = _problems(response.text, admin=url.startswith("/admin/"))
        if payload in response.text:
            problems.append("the payload appears unescaped")
        if problems:
            found[label] = problems
    for email in mail.outbox:
        for body in [email.body, *(content for content, _ in email.alternatives)]:
            if payload in body or _problems(body):
                found[f"email {email.subject}"] = _problems(body) or ["unescaped"]
    assert found == {}


def test_the_corpus_is_not_empty_and_would_be_caught_unescaped() -> None:
    assert len(CORPUS) >= 8
    assert all(_problems(payload) or "owned" not in payload for payload in CORPUS[:3])
    assert _problems("<p>" + CORPUS[0] + "</p>")
