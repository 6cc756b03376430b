"""Every form shows what is stored, and sending it back unchanged changes nothing.

Each case fills what a form edits with non-default values (several choices in every
multi-choice field), opens the page as its owner, reads the form the way a browser submits
it, posts it back and compares what is stored. A second pass changes one control and checks
that only its field changed. Forms that create something (a request, a decision, an
account) are checked the other way round: after an error, every value typed is shown back.
A meta-test fails when a form class or an editor section has no case here.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import pytest
from django import forms
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import alliance.forms
import matching.forms.coverage
import matching.forms.intake
import matching.forms.intros
import matching.forms.referral
import matching.forms.refine
import matching.forms.supply
import profiles.forms
import profiles.forms.accounts
import profiles.forms.editor
import profiles.forms.vetting
from alliance.models import AllianceApproach, CheckIn
from matching.forms.intake import INTAKE_STEPS
from matching.forms.refine import refine_query
from matching.intake import Intake
from matching.models import IntroRequest
from profiles import choices
from profiles.editor import editor_sections
from profiles.fields import ChoiceSetFormField
from profiles.models import License, ResponderProfile, ResponderTraining, TherapistProfile, User
from tests.browser_form import browser_form
from tests.factories import (
    AllianceApproachFactory,
    CheckInPlanFactory,
    LicenseFactory,
    ResponderFactory,
    StaffFactory,
    TherapistFactory,
    TrainingFactory,
    UserFactory,
    intro_through_service,
)

pytestmark = pytest.mark.django_db

PROJECT_FORM_MODULES = (
    profiles.forms.accounts,
    profiles.forms.editor,
    profiles.forms.vetting,
    matching.forms.coverage,
    matching.forms.referral,
    matching.forms.intake,
    matching.forms.refine,
    matching.forms.intros,
    matching.forms.supply,
    alliance.forms,
)
# Bases that no page shows by themselves; their subclasses have cases.
FORM_BASES = {"EvidenceFormMixin", "IntakeStepForm"}

FULL_INTAKE = Intake(
    service=choices.Service.DISPATCH,
    service_status=choices.ServiceStatus.RETIRED,
    state="CO",
    zip_code="80202",
    travel_miles=60,
    format_preference=choices.FormatPreference.IN_PERSON,
    concerns=frozenset({"trauma", "sleep", "moral_injury"}),
    methods_wanted=frozenset({"emdr", "cpt"}),
    methods_avoided=frozenset({"group", "couples"}),
    therapist_gender=choices.Gender.WOMAN,
    gender_required=True,
    languages=frozenset({"en", "es"}),
    language_required=True,
    avoid_fitness_evaluators=True,
    avoid_preemployment_evaluators=True,
    hours=frozenset({"evenings", "weekends", "rotating_shifts"}),
    hours_required=True,
    payment_methods=frozenset({"insurance", "eap"}),
    insurance_carrier="blue_cross",
    self_pay_budget_dollars=120,
    payment_required=True,
    style_lead=1,
    style_focus=2,
    style_pace=5,
    style_tone=4,
    importance={
        "respect_trust": 3,
        "collaboration": 1,
        "empathy": 0,
        "adaptability": 2,
        "responder_culture": 3,
    },
)


@dataclass
class World:
    therapist: TherapistProfile
    license: License
    training: ResponderTraining
    approach: AllianceApproach
    responder: ResponderProfile
    staff: User

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def world(totp_user_factory) -> World:
    therapist = TherapistFactory(
        full_name="Robin Fictional",
        credentials="LCSW, CCTP",
        pronouns="they/them",
        bio="First line of a fictional bio.\nSecond line, after a break.",
        years_serving_responders=14,
        responder_caseload_percent=65,
        services_served=frozenset({"fire", "dispatch", "corrections"}),
        agency_work=frozenset({"contracted", "peer_support_advisor"}),
        ride_along_hours=120,
        lived_experience=frozenset({"own_service", "family"}),
        works_with_retired=True,
        agency_evaluations=frozenset({"fitness_for_duty", "pre_employment"}),
        focus_concerns=frozenset({"trauma", "sleep", "grief", "moral_injury"}),
        methods_trained=frozenset({"emdr", "cpt", "act"}),
        methods_certified=frozenset({"emdr", "cpt"}),
        formats=frozenset({"in_person", "telehealth"}),
        office_zip="80202",
        office_city="Denver",
        office_state="CO",
        office_latitude=39.7527,
        office_longitude=-104.9992,
        telehealth_states=frozenset({"CO", "NM", "WY"}),
        languages=frozenset({"en", "es", "ase"}),
        gender=choices.Gender.NONBINARY,
        hours=frozenset({"evenings", "weekends", "early_mornings"}),
        reschedules_around_shifts=True,
        payment_methods=frozenset({"insurance", "eap", "self_pay"}),
        insurance_carriers=frozenset({"aetna", "blue_cross", "tricare"}),
        fee_min_dollars=90,
        fee_max_dollars=160,
        sliding_scale=True,
        new_client_contact=choices.NewClientContact.BOOKING,
        new_client_phone="+13035550142",
        booking_url="https://booking.example.test/robin-fictional",
        accepting_new_clients=True,
        open_slots=4,
        confirmed_at=timezone.now() - dt.timedelta(days=3),
    )
    totp_user_factory(therapist.user)
    staff = StaffFactory(email="roundtrip-staff@example.test")
    totp_user_factory(staff)
    decided = {"decided_at": timezone.now() - dt.timedelta(days=2), "decided_by": staff}
    license = LicenseFactory(
        **decided,
        therapist=therapist,
        state="CO",
        license_type=choices.LicenseType.LPC,
        number="FICT-0042",
        expires_on=timezone.localdate() + dt.timedelta(days=500),
    )
    training = TrainingFactory(
        **decided,
        therapist=therapist,
        kind=choices.TrainingKind.CRITICAL_INCIDENT,
        name="Critical incident stress course (fictional)",
        issuer="Example Academy",
        completed_on=timezone.localdate() - dt.timedelta(days=400),
        hours=24,
    )
    approach = AllianceApproachFactory(
        therapist=therapist,
        respect_trust="I explain the limits of confidentiality first.\nThen we start.",
        practices=frozenset({"explains_confidentiality", "no_agency_contact", "asks_feedback"}),
        **{
            f"style_{dim}_{part}": value
            for dim, points in {
                "lead": (2, 1, 3),
                "focus": (3, 2, 5),
                "pace": (4, 4, 4),
                "tone": (2, 1, 4),
            }.items()
            for part, value in zip(("usual", "low", "high"), points, strict=True)
        },
    )
    responder = ResponderFactory(pseudonym="Medic Seven", answers=FULL_INTAKE.to_dict())
    return World(therapist, license, training, approach, responder, staff)


def row(instance: models.Model) -> dict[str, Any]:
    """Every stored column of a row, read again from the database."""
    fresh = type(instance).objects.get(pk=instance.pk)
    return {f.attname: getattr(fresh, f.attname) for f in type(instance)._meta.concrete_fields}


def stored_intake(world: World) -> dict[str, Any]:
    profile = ResponderProfile.objects.get(pk=world.responder.pk)
    return {"pseudonym": profile.pseudonym, **Intake.from_dict(profile.answers).to_dict()}


@dataclass(frozen=True)
class EditCase:
    """A form that edits stored data: shown, sent back unchanged, then with one change."""

    name: str
    form_class: type[forms.BaseForm]
    section: str | None
    url: Callable[[World], str]
    user: Callable[[World], User]
    stored: Callable[[World], dict[str, Any]]
    control: str
    new_values: tuple[str, ...]
    changes: frozenset[str]
    method: str = "post"
    # Sent with a change, as the button pressed when a save asks first (a verified license).
    confirm: tuple[tuple[str, str], ...] = ()


def _therapist_case(
    name: str, form_class: type, url_name: str, control: str, values: tuple, changes: set
) -> EditCase:
    return EditCase(
        name=name,
        form_class=form_class,
        section=name,
        url=lambda w: reverse(url_name),
        user=lambda w: w.therapist.user,
        stored=lambda w: row(w.therapist),
        control=control,
        new_values=values,
        changes=frozenset(changes),
    )


# What sending a verified license or training back to review changes besides the edited
# field: the decision goes, and why it waits again is kept for staff.
BACK_TO_REVIEW = {
    "status",
    "decided_at",
    "decided_by_id",
    "submitted_at",
    "updated_at",
    "review_reason",
    "review_note",
    "previously_verified_at",
}

EDIT_CASES = [
    _therapist_case(
        "identity",
        profiles.forms.IdentityForm,
        "profiles:identity",
        "pronouns",
        ("she/her",),
        {"pronouns", "updated_at"},
    ),
    _therapist_case(
        "experience",
        profiles.forms.ExperienceForm,
        "profiles:experience",
        "services_served",
        ("fire", "dispatch", "corrections", "ems"),
        {"services_served", "updated_at"},
    ),
    _therapist_case(
        "clinical",
        profiles.forms.ClinicalForm,
        "profiles:clinical",
        "method_act",
        ("certified",),
        {"methods_certified", "updated_at"},
    ),
    _therapist_case(
        "practical",
        profiles.forms.PracticalForm,
        "profiles:practical",
        "fee_max_dollars",
        ("175",),
        {"fee_max_dollars", "updated_at"},
    ),
    EditCase(
        name="capacity",
        form_class=profiles.forms.CapacityForm,
        section="capacity",
        url=lambda w: reverse("profiles:capacity"),
        user=lambda w: w.therapist.user,
        # Saving capacity is also confirming the profile is current: that is its purpose.
        stored=lambda w: {
            k: v for k, v in row(w.therapist).items() if k not in {"confirmed_at", "updated_at"}
        },
        control="open_slots",
        new_values=("2",),
        changes=frozenset({"open_slots"}),
    ),
    EditCase(
        name="alliance",
        form_class=alliance.forms.AllianceApproachForm,
        section="alliance",
        url=lambda w: reverse("alliance:edit"),
        user=lambda w: w.therapist.user,
        stored=lambda w: row(w.approach),
        control="empathy",
        new_values=("I have spent many nights at the station.",),
        changes=frozenset({"empathy", "updated_at"}),
    ),
    EditCase(
        name="license",
        form_class=profiles.forms.LicenseForm,
        section="credentials",
        url=lambda w: reverse("profiles:license_edit", args=[w.license.pk]),
        user=lambda w: w.therapist.user,
        stored=lambda w: row(w.license),
        control="expires_on",
        new_values=((timezone.localdate() + dt.timedelta(days=700)).isoformat(),),
        # A change to what staff checked sends the license back to review, asked first.
        changes=frozenset({"expires_on", *BACK_TO_REVIEW}),
        confirm=(("confirm_review", "yes"),),
    ),
    EditCase(
        name="training",
        form_class=profiles.forms.TrainingForm,
        section="credentials",
        url=lambda w: reverse("profiles:training_edit", args=[w.training.pk]),
        user=lambda w: w.therapist.user,
        stored=lambda w: row(w.training),
        control="hours",
        new_values=("30",),
        changes=frozenset({"hours", *BACK_TO_REVIEW}),
    ),
    EditCase(
        name="pseudonym",
        form_class=profiles.forms.PseudonymForm,
        section=None,
        url=lambda w: reverse("profiles:pseudonym"),
        user=lambda w: w.responder.user,
        stored=stored_intake,
        control="pseudonym",
        new_values=("Medic Eight",),
        changes=frozenset({"pseudonym"}),
    ),
]

INTAKE_CHANGES = {
    "work": ("service", ("police",), {"service"}),
    "place": ("travel_miles", ("80",), {"travel_miles"}),
    "concerns": ("concerns", ("trauma", "sleep", "moral_injury", "grief"), {"concerns"}),
    "preferences": ("methods_avoided", ("group",), {"methods_avoided"}),
    "style": ("style_pace", ("3",), {"style_pace"}),
    "schedule": ("self_pay_budget_dollars", ("140",), {"self_pay_budget_dollars"}),
    "priorities": ("empathy", ("3",), {"importance"}),
}
EDIT_CASES += [
    EditCase(
        name=f"intake-{step}",
        form_class=INTAKE_STEPS[step],
        section=None,
        url=lambda w, step=step: reverse("matching:intake_step", args=[step]),
        user=lambda w: w.responder.user,
        stored=stored_intake,
        control=control,
        new_values=values,
        changes=frozenset(changed),
    )
    for step, (control, values, changed) in INTAKE_CHANGES.items()
]


def _round_trip(case: EditCase, world: World, change: bool) -> tuple[dict, dict]:
    client = world.client_for(case.user(world))
    before = case.stored(world)
    page = client.get(case.url(world))
    assert page.status_code == 200
    form = browser_form(page.text, containing=case.control)
    data = form.replaced(case.control, *case.new_values) if change else form.data()
    if change:
        data |= {name: [value] for name, value in case.confirm}
    response = client.post(case.url(world), data)
    assert response.status_code == 302, _errors(response)
    return before, case.stored(world)


def _errors(response: Any) -> str:
    context = getattr(response, "context", None) or {}
    form = context.get("form") if hasattr(context, "get") else None
    return f"The form was refused: {form.errors.as_json() if form is not None else response}"


@pytest.mark.parametrize("case", EDIT_CASES, ids=lambda case: case.name)
def test_a_form_sent_back_unchanged_changes_nothing(case: EditCase, world: World) -> None:
    before, after = _round_trip(case, world, change=False)
    assert after == before


@pytest.mark.parametrize("case", EDIT_CASES, ids=lambda case: case.name)
def test_changing_one_answer_changes_only_that_answer(case: EditCase, world: World) -> None:
    before, after = _round_trip(case, world, change=True)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == case.changes


def test_every_checkbox_of_a_stored_set_is_shown_ticked(world: World) -> None:
    """The failure that lost data: boxes of a stored set rendered unticked."""
    client = world.client_for(world.therapist.user)
    form = browser_form(client.get(reverse("profiles:practical")).text, containing="formats")
    data = form.data()
    assert set(data["formats"]) == {"in_person", "telehealth"}
    assert set(data["languages"]) == {"en", "es", "ase"}
    assert set(data["insurance_carriers"]) == {"aetna", "blue_cross", "tricare"}


# The ranked list's filters are kept in the URL: the form shows the URL's filters, and sending
# it gives the same URL back; without filters in the URL it shows the saved answers.
def test_the_refine_form_shows_the_filters_of_the_url(world: World) -> None:
    client = world.client_for(world.responder.user)
    query = "format=in_person&miles=40&language_only=on&no_fitness_evaluators=on"
    page = client.get(reverse("matching:results") + "?" + query)
    form = browser_form(page.text, containing="miles")
    assert form.method == "get"
    assert form.data() == {
        "format": ["in_person"],
        "miles": ["40"],
        "language_only": ["on"],
        "no_fitness_evaluators": ["on"],
    }


def test_the_refine_form_without_filters_shows_the_saved_answers(world: World) -> None:
    client = world.client_for(world.responder.user)
    form = browser_form(client.get(reverse("matching:results")).text, containing="miles")
    expected = refine_query(FULL_INTAKE)
    sent = "&".join(f"{name}={value}" for name, value in form.pairs)
    assert sent == expected


# Forms that create something keep, after an error, every value that was typed.
@dataclass(frozen=True)
class EntryCase:
    name: str
    form_class: type[forms.BaseForm]
    url: Callable[[World], str]
    user: Callable[[World], User | None]
    data: Callable[[World], dict[str, Any]]
    # Controls a page never shows back by design (passwords), or that it renews.
    not_shown_back: frozenset[str] = frozenset()


def _intro_for(world: World) -> IntroRequest:
    return intro_through_service(world.responder, world.therapist)


def _accepted_intro_for(world: World) -> IntroRequest:
    from matching.services.intros import intro_answer

    intro = _intro_for(world)
    intro_answer(intro=intro, decision="accepted", reply="I will call Thursday (fictional).")
    return intro


def _reopen_link_for(world: World) -> str:
    """The email's reopen link, for the world's therapist once their last opening is taken."""
    from profiles.services.openings import reopen_token

    TherapistProfile.objects.filter(pk=world.therapist.pk).update(
        accepting_new_clients=False, open_slots=0, openings_closed_at=timezone.now()
    )
    world.therapist.refresh_from_db()
    return reverse("profiles:openings_reopen_link", args=[reopen_token(therapist=world.therapist)])


def _due_checkin_for(world: World) -> CheckIn:
    plan = CheckInPlanFactory(responder=world.responder, therapist=world.therapist)
    return CheckIn.objects.create(
        plan=plan,
        number=1,
        kind=CheckIn.Kind.FIRST,
        due_at=timezone.now() - dt.timedelta(days=1),
    )


ENTRY_CASES = [
    EntryCase(
        name="intro-request",
        form_class=matching.forms.intros.IntroRequestForm,
        url=lambda w: reverse("matching:intro_new", args=[w.therapist.public_id]),
        user=lambda w: w.responder.user,
        data=lambda w: {
            "message": "A fictional first line.\r\nA second line.",
            "contact_method": "phone",
            "contact_email": "medic.seven@example.test",
            "contact_phone": "12",  # not a phone number: the error
            "contact_hours": ["evenings", "weekends"],
            "between_shifts": "on",
            "token": "3f2b6c0e-8a57-4b1e-9d4e-5a1c2b3d4e5f",
        },
    ),
    EntryCase(
        name="intro-answer",
        form_class=matching.forms.intros.IntroAnswerForm,
        url=lambda w: reverse("matching:inbox_detail", args=[_intro_for(w).public_id]),
        user=lambda w: w.therapist.user,
        data=lambda w: {"decision": "accepted", "reply": ""},  # accepting needs a next step
    ),
    EntryCase(
        name="thread-message",
        form_class=matching.forms.intros.ThreadMessageForm,
        url=lambda w: reverse("matching:my_intro", args=[_accepted_intro_for(w).public_id]),
        user=lambda w: w.responder.user,
        data=lambda w: {"body": "A fictional line.\r\n" + "x" * 1000},  # too long: the error
    ),
    EntryCase(
        name="reopen",
        form_class=profiles.forms.ReopenForm,
        url=_reopen_link_for,
        user=lambda w: None,
        data=lambda w: {"open_slots": "0"},  # at least one: the error
    ),
    EntryCase(
        name="coverage-watch",
        form_class=matching.forms.coverage.CoverageWatchForm,
        url=lambda w: reverse("matching:coverage_watch"),
        user=lambda w: None,
        data=lambda w: {"state": "WY", "email": "not-an-address"},  # the error
    ),
    EntryCase(
        name="referral-link",
        form_class=matching.forms.referral.ReferralLinkForm,
        url=lambda w: reverse("matching:referral_make"),
        user=lambda w: None,
        data=lambda w: {"service": "fire", "state": ""},  # a state is needed: the error
    ),
    EntryCase(
        name="check-in",
        form_class=alliance.forms.CheckInForm,
        url=lambda w: reverse("alliance:checkin", args=[_due_checkin_for(w).public_id]),
        user=lambda w: w.responder.user,
        data=lambda w: {
            "met": "yes",
            "respect_trust": "9",
            "collaboration": "7",
            # no "empathy": the error (a scale of radios offers nothing out of range)
            "adaptability": "0",
            "fit": "6",
            "still_seeing": "no",
            "note": "A fictional note.\r\nA second line.",
            "shared": "on",
        },
    ),
    EntryCase(
        name="vetting-decision",
        form_class=profiles.forms.VettingDecisionForm,
        url=lambda w: reverse(
            "profiles:vetting_review",
            args=["license", LicenseFactory(therapist=w.therapist, status="pending").pk],
        ),
        user=lambda w: w.staff,
        data=lambda w: {
            "decision": "verified",  # verifying needs the board's look-up page
            "board_lookup_url": "",
            "reason": "Checked the fictional board.\r\nAll fine.",
            "version": "",
        },
    ),
    EntryCase(
        name="signup",
        form_class=profiles.forms.SignupQuestionsForm,
        url=lambda w: reverse("account_signup"),
        user=lambda w: None,
        data=lambda w: {
            "role": "responder",
            "pseudonym": "",  # a responder needs a name to show: the error
            "full_name": "Not used (fictional)",
            "email": "new.person@example.test",
            "password1": "a-long-fictional-passphrase-42",
            "password2": "a-long-fictional-passphrase-42",
        },
        not_shown_back=frozenset({"password1", "password2"}),
    ),
]


@pytest.mark.parametrize("case", ENTRY_CASES, ids=lambda case: case.name)
def test_after_an_error_every_value_typed_is_shown_back(case: EntryCase, world: World) -> None:
    client = world.client_for(case.user(world))
    url = case.url(world)
    first = client.get(url)
    assert first.status_code == 200
    sent = case.data(world)
    if "version" in sent:
        sent["version"] = browser_form(first.text, containing="version").data()["version"][0]
    response = client.post(url, sent)
    assert response.status_code == 200, "The form should refuse this input and show it again"
    assert 'class="errorlist' in response.text or "error" in response.text
    shown = browser_form(response.text, containing=next(iter(sent))).data()
    shown.pop("csrfmiddlewaretoken", None)
    expected = {
        name: value if isinstance(value, list) else [value]
        for name, value in sent.items()
        if name not in case.not_shown_back and value not in ("", [])
    }
    for name in case.not_shown_back:
        shown.pop(name, None)
    shown = {name: values for name, values in shown.items() if values != [""]}
    assert shown == expected


def _project_form_classes() -> set[type[forms.BaseForm]]:
    found = set()
    for module in PROJECT_FORM_MODULES:
        for _, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
                and value.__name__ not in FORM_BASES
            ):
                found.add(value)
    return found


def test_every_form_of_the_project_has_a_round_trip_case() -> None:
    covered = {case.form_class for case in EDIT_CASES} | {case.form_class for case in ENTRY_CASES}
    covered.add(matching.forms.refine.RefineForm)  # the two refine tests above
    # A filter form in the URL, like the refine form: tests/profiles/test_vetting_queue.py.
    covered.add(profiles.forms.VettingQueueFilterForm)
    # The same for the weeks of the supply page: tests/matching/test_supply_demand.py.
    covered.add(matching.forms.supply.SupplyWeeksForm)
    missing = {cls.__name__ for cls in _project_form_classes()} - {c.__name__ for c in covered}
    assert not missing, f"Forms without a round-trip case: {sorted(missing)}"


def test_every_editor_section_has_a_round_trip_case() -> None:
    covered = {case.section for case in EDIT_CASES}
    missing = {section.key for section in editor_sections()} - covered
    assert not missing, f"Editor sections without a round-trip case: {sorted(missing)}"


def test_every_multiple_choice_field_shows_sets_as_chosen() -> None:
    """Plain Django multi-choice fields show only lists as chosen; ours show sets too."""
    offenders = [
        f"{cls.__name__}.{name}"
        for cls in _project_form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.MultipleChoiceField)
        and not isinstance(field, ChoiceSetFormField)
    ]
    assert not offenders


def test_the_intake_in_this_file_fills_every_answer() -> None:
    defaults = Intake()
    unfilled = [
        f.name for f in fields(Intake) if getattr(FULL_INTAKE, f.name) == getattr(defaults, f.name)
    ]
    assert not unfilled


def test_the_therapist_in_this_file_fills_every_editable_field(world: World) -> None:
    blank = TherapistProfile(user=UserFactory.build())
    editable = {
        name
        for case in EDIT_CASES
        if case.section in {"identity", "experience", "practical", "capacity"}
        for name in case.form_class._meta.fields
    }
    unfilled = [name for name in editable if getattr(world.therapist, name) == getattr(blank, name)]
    assert not unfilled
