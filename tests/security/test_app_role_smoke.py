"""The application works end to end under the restricted database role.

Production runs web, worker and beat as `DATABASE_APP_ROLE`, a role that does not own the
tables and may only read and add to the audit trail (README, "Database roles"). The grants
alone are tested in test_audit_trail.py; here the whole smoke path runs with Django's own
connection signed in as that role: sign in with two-factor, intake, ranked list, intro,
accept, a message each way, a check-in, a vetting decision, the export and the deletion.
The role is created on the test database when absent, and granted by `migrate` as in
production. Tasks run inline on the same connection.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re

import pytest
from django.core.management import call_command
from django.db import ProgrammingError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.models import CheckIn
from matching.models import IntroRequest
from profiles.models import AuditEntry, ResponderTraining, User, VettingStatus
from tests.browser_form import browser_form
from tests.e2e.helpers import current_totp_code
from tests.factories import (
    PASSWORD,
    ResponderFactory,
    StaffFactory,
    TrainingFactory,
    listed_therapist,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles are PostgreSQL's"
)
TOTP_ATTEMPTS = 3


@pytest.fixture
def as_app_role(transactional_db, settings):
    """Run the rest of the test on a connection signed in as the application role."""
    role = f"rapport_app_smoke_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {role} LOGIN")
    settings.DATABASE_APP_ROLE = role
    call_command("migrate", verbosity=0)  # grants the role its rights, as in production

    def switch(user: str) -> None:
        connection.close()
        connection.settings_dict["USER"] = user
        connection.connect()

    owner = connection.settings_dict["USER"]
    yield lambda: switch(role)
    switch(owner)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def _sign_in(email: str, *, totp_secret: str = "") -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.text[:2000]
    if totp_secret:
        assert response["Location"] == reverse("mfa_authenticate")
        for _ in range(TOTP_ATTEMPTS):
            # A 30-second period can turn between the code and the check: try the next.
            response = client.post(
                reverse("mfa_authenticate"), {"code": current_totp_code(totp_secret)}
            )
            if response.status_code == 302:
                break
        assert response.status_code == 302
    assert "_auth_user_id" in client.session
    return client


def _post_form(client: Client, url: str, containing: str, **values: str | list[str]):
    page = client.get(url)
    assert page.status_code == 200, url
    data = browser_form(page.text, containing=containing).data()
    data.update({k: v if isinstance(v, list) else [v] for k, v in values.items()})
    return client.post(url, data)


def test_the_smoke_path_runs_under_the_restricted_role(
    as_app_role, totp_user_factory, eager_celery
) -> None:
    therapist = listed_therapist(full_name="Robin Fictional")
    therapist_secret = totp_user_factory(therapist.user)
    staff = StaffFactory(email="vetter.smoke@example.test")
    staff_secret = totp_user_factory(staff)
    training = TrainingFactory(
        therapist=therapist, status=VettingStatus.PENDING, name="Peer support course"
    )
    responder = ResponderFactory(pseudonym="Smoke Medic", user__email="smoke.medic@example.test")

    as_app_role()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0].startswith("rapport_app_smoke_")
        # The role in effect is the restricted one: the audit trail cannot be rewritten.
        with pytest.raises(ProgrammingError, match="permission denied"):
            cursor.execute("UPDATE profiles_auditentry SET reason = 'x'")
    connection.close()  # the refused statement ended the connection's transaction

    # The responder signs in, answers the intake and sees the ranked list.
    responder_client = _sign_in(responder.user.email)
    responder_client.post(
        reverse("matching:intake_step", args=["place"]),
        {"state": "CO", "format_preference": "either", "travel_miles": "25"},
    )
    results = responder_client.get(reverse("matching:results"))
    assert "Robin Fictional" in results.text

    # An intro request.
    response = _post_form(
        responder_client,
        reverse("matching:intro_new", args=[therapist.public_id]),
        "message",
        message="A fictional first message.",
        contact_method="rapport",
    )
    assert response.status_code == 302, response.text[:3000]
    intro = IntroRequest.objects.get()

    # The therapist signs in with two-factor, reads (audited) and accepts.
    therapist_client = _sign_in(therapist.user.email, totp_secret=therapist_secret)
    detail = reverse("matching:inbox_detail", args=[intro.public_id])
    response = _post_form(
        therapist_client, detail, "decision", decision="accepted", reply="Glad to talk."
    )
    assert response.status_code == 302, response.text[:3000]
    intro.refresh_from_db()
    assert intro.status == IntroRequest.Status.ACCEPTED

    # A message each way.
    response = therapist_client.post(
        reverse("matching:inbox_message", args=[intro.public_id]), {"body": "When suits you?"}
    )
    assert response.status_code == 302
    response = responder_client.post(
        reverse("matching:my_intro", args=[intro.public_id]), {"body": "Evenings, thanks."}
    )
    assert response.status_code == 302
    assert intro.messages.count() == 2

    # The first check-in, once due.
    checkin = CheckIn.objects.get(plan__intro_id=intro.pk, number=1)
    CheckIn.objects.filter(pk=checkin.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    answers = dict.fromkeys(
        ("respect_trust", "collaboration", "empathy", "adaptability", "fit"), "8"
    )
    response = responder_client.post(
        reverse("alliance:checkin", args=[checkin.public_id]),
        {"met": "yes", **answers, "still_seeing": "yes", "note": "A fictional note."},
    )
    assert response.status_code == 302, response.text[:3000]
    assert CheckIn.objects.get(pk=checkin.pk).status == CheckIn.Status.ANSWERED

    # Staff sign in with two-factor and verify the training.
    staff_client = _sign_in(staff.email, totp_secret=staff_secret)
    assert "Peer support course" in staff_client.get(reverse("profiles:vetting_queue")).text
    response = _post_form(
        staff_client,
        reverse("profiles:vetting_review", args=["training", training.pk]),
        "decision",
        decision="verified",
        reason="Certificate matches the issuer's register (fictional).",
    )
    assert response.status_code == 302, response.text[:3000]
    assert ResponderTraining.objects.get(pk=training.pk).status == VettingStatus.VERIFIED

    # The responder exports their data, then deletes the account.
    export = json.loads(responder_client.get(reverse("matching:export")).content)
    assert [m["body"] for m in export["intro_requests"][0]["messages"]] == [
        "When suits you?",
        "Evenings, thanks.",
    ]
    assert export["who_read_your_data"][0]["role"] == "Therapist"
    response = responder_client.post(reverse("matching:account_delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(email="smoke.medic@example.test").exists()
    inbox = therapist_client.get(reverse("matching:inbox")).text
    assert "A responder who closed their account" in inbox

    # Every step that is audited was written by the restricted role.
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditEntry.Action.INTRO_READ, AuditEntry.Action.VERIFIED} <= actions
    call_command("audit_verify")
    assert re.search(r"rapport_app_smoke_\d+", connection.settings_dict["USER"])
