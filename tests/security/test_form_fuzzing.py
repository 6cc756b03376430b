"""Every form takes whatever is posted to it without a server error."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.intake import Intake
from tests.factories import ResponderFactory, intro_through_service, listed_therapist

# Slow: 27 forms, each posted many generated inputs.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES_PER_FORM = 200
# Text a browser could send, and text no browser would: control characters, surrogates'
# neighbours, very long values, numbers out of range, HTML.
VALUES = st.one_of(
    st.text(max_size=50),
    st.text(max_size=2000),
    st.sampled_from(["", "0", "-1", "99999999999999999999", "1e308", "NaN", "<b>x</b>", "\x00"]),
    st.integers().map(str),
)


class _FieldNames(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = dict(attrs).get("name")
        if tag in {"input", "select", "textarea"} and name and name != "csrfmiddlewaretoken":
            self.names.add(name)


def _field_names(client: Client, url: str) -> list[str]:
    parser = _FieldNames()
    parser.feed(client.get(url).text)
    return sorted(parser.names)


FORMS: dict[str, tuple[str, Any]] = {
    "intake place": ("anonymous", lambda w: reverse("matching:intake_step", args=["place"])),
    "intake work": ("anonymous", lambda w: reverse("matching:intake_step", args=["work"])),
    "intake concerns": (
        "anonymous",
        lambda w: reverse("matching:intake_step", args=["concerns"]),
    ),
    "pseudonym": ("responder", lambda w: reverse("profiles:pseudonym")),
    "intro": ("responder", lambda w: reverse("matching:intro_new", args=[w["public_id"]])),
    "identity": ("therapist", lambda w: reverse("profiles:identity")),
    "experience": ("therapist", lambda w: reverse("profiles:experience")),
    "clinical": ("therapist", lambda w: reverse("profiles:clinical")),
    "practical": ("therapist", lambda w: reverse("profiles:practical")),
    "capacity": ("therapist", lambda w: reverse("profiles:capacity")),
    "alliance": ("therapist", lambda w: reverse("alliance:edit")),
    "license": ("therapist", lambda w: reverse("profiles:license_add")),
    "answer": ("therapist", lambda w: reverse("matching:inbox_detail", args=[w["intro_id"]])),
    "intake preferences": (
        "anonymous",
        lambda w: reverse("matching:intake_step", args=["preferences"]),
    ),
    "intake style": ("anonymous", lambda w: reverse("matching:intake_step", args=["style"])),
    "intake schedule": (
        "anonymous",
        lambda w: reverse("matching:intake_step", args=["schedule"]),
    ),
    "intake priorities": (
        "anonymous",
        lambda w: reverse("matching:intake_step", args=["priorities"]),
    ),
    "coverage watch": ("anonymous", lambda w: reverse("matching:coverage_watch")),
    "referral link": ("anonymous", lambda w: reverse("matching:referral_make")),
    "training": ("therapist", lambda w: reverse("profiles:training_add")),
    "thread message": (
        "responder",
        lambda w: reverse("matching:my_intro", args=[w["accepted_intro_id"]]),
    ),
    "check-in": ("responder", lambda w: reverse("alliance:checkin", args=[w["checkin_id"]])),
    # A therapist who cannot be asked: the form offers the next matches instead.
    "intro to a full therapist": (
        "responder",
        lambda w: reverse("matching:intro_new", args=[w["full_id"]]),
    ),
    "reopen link": ("anonymous", lambda w: w["reopen_link"]),
    "sign-up": ("anonymous", lambda w: reverse("account_signup")),
    "sign-in": ("anonymous", lambda w: reverse("account_login")),
    "password reset": ("anonymous", lambda w: reverse("account_reset_password")),
}


def _accepted_intro(responder, therapist):
    from matching.services.intros import intro_answer

    intro = intro_through_service(responder, listed_therapist())
    intro_answer(intro=intro, decision="accepted", reply="I will call (fictional).")
    return intro


def _due_checkin(responder, therapist):
    from django.utils import timezone

    from alliance.models import CheckIn
    from tests.factories import CheckInPlanFactory

    plan = CheckInPlanFactory(responder=responder, therapist=therapist)
    return CheckIn.objects.create(
        plan=plan, number=1, kind=CheckIn.Kind.FIRST, due_at=timezone.now()
    )


def _full_therapist():
    """A therapist with as many requests waiting as their one opening allows."""
    from django.conf import settings as django_settings

    full = listed_therapist(open_slots=1)
    for _ in range(django_settings.PENDING_REQUESTS_PER_OPENING):
        intro_through_service(ResponderFactory(), full)
    return full


def _reopen_link() -> str:
    from django.utils import timezone

    from profiles.models import TherapistProfile
    from profiles.services.openings import reopen_token

    closed = listed_therapist(open_slots=1)
    TherapistProfile.objects.filter(pk=closed.pk).update(
        accepting_new_clients=False, open_slots=0, openings_closed_at=timezone.now()
    )
    closed.refresh_from_db()
    return reverse("profiles:openings_reopen_link", args=[reopen_token(therapist=closed)])


@pytest.mark.parametrize("form", FORMS)
def test_a_form_never_answers_with_a_server_error(form: str, totp_user_factory) -> None:
    therapist = listed_therapist()
    totp_user_factory(therapist.user)
    responder = ResponderFactory(answers=Intake(state="CO").to_dict())
    intro = intro_through_service(responder, therapist)
    world = {"public_id": therapist.public_id, "intro_id": intro.public_id}
    if form == "thread message":
        world["accepted_intro_id"] = _accepted_intro(responder, therapist).public_id
    if form == "check-in":
        world["checkin_id"] = _due_checkin(responder, therapist).public_id
    if form == "intro to a full therapist":
        world["full_id"] = _full_therapist().public_id
    if form == "reopen link":
        world["reopen_link"] = _reopen_link()
    role, url_of = FORMS[form]
    client = Client(raise_request_exception=False)
    if role == "responder":
        client.force_login(responder.user)
    elif role == "therapist":
        client.force_login(therapist.user)
    url = url_of(world)
    names = _field_names(client, url)
    assert names, f"no fields found on {url}"

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(names, VALUES)))
    def post(data: dict[str, str]) -> None:
        response = client.post(url, data)
        assert response.status_code < 500, (data, response.status_code)

    post()
