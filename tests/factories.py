"""Typed factory_boy factories; every person they make is fictional."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import factory
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from alliance.choices import Practice
from alliance.models import AllianceApproach, CheckIn, CheckInPlan
from alliance.services.totals import released_totals_refresh
from devtools.demo import DEMO_PDF
from profiles import choices
from profiles.models import (
    License,
    ResponderProfile,
    ResponderTraining,
    TherapistProfile,
    User,
    VettingStatus,
)

PASSWORD = "correct-horse-battery-staple"


def pdf_bytes() -> bytes:
    """A minimal, well-formed one-page PDF."""
    return DEMO_PDF


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 120)).save(buffer, format=fmt)
    return buffer.getvalue()


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    role = User.Role.RESPONDER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
            self.save()


class StaffFactory(UserFactory):
    role = User.Role.STAFF
    is_staff = True
    is_superuser = True


class ResponderFactory(factory.django.DjangoModelFactory[ResponderProfile]):
    class Meta:
        model = ResponderProfile

    user = factory.SubFactory(UserFactory, role=User.Role.RESPONDER)
    pseudonym = factory.Sequence(lambda n: f"Engine {n}")
    answers = factory.LazyFunction(dict)


class TherapistFactory(factory.django.DjangoModelFactory[TherapistProfile]):
    """A therapist with a complete profile; published and confirmed unless told otherwise."""

    class Meta:
        model = TherapistProfile

    user = factory.SubFactory(UserFactory, role=User.Role.THERAPIST)
    full_name = factory.Faker("name")
    credentials = "LCSW"
    bio = "Fictional therapist for tests."
    years_serving_responders = 8
    responder_caseload_percent = 40
    services_served = frozenset({choices.Service.FIRE, choices.Service.EMS})
    focus_concerns = frozenset({choices.Concern.TRAUMA, choices.Concern.SLEEP})
    methods_trained = frozenset({choices.Method.EMDR, choices.Method.CBT})
    methods_certified = frozenset({choices.Method.EMDR})
    formats = frozenset({choices.Format.TELEHEALTH})
    telehealth_states = frozenset({"CO"})
    languages = frozenset({choices.Language.ENGLISH})
    hours = frozenset({choices.Hours.EVENINGS})
    payment_methods = frozenset({choices.Payment.SELF_PAY})
    accepting_new_clients = True
    # Enough that tests about other things never run out of openings (each accept takes
    # one); tests of capacity set their own.
    open_slots = 50
    published_at = factory.LazyFunction(timezone.now)
    profile_complete = True
    confirmed_at = factory.LazyFunction(timezone.now)


class LicenseFactory(factory.django.DjangoModelFactory[License]):
    class Meta:
        model = License

    therapist = factory.SubFactory(TherapistFactory)
    state = "CO"
    license_type = choices.LicenseType.LCSW
    number = factory.Sequence(lambda n: f"TEST-{n:05d}")
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
    status = VettingStatus.VERIFIED
    document = factory.LazyFunction(lambda: ContentFile(pdf_bytes(), name="evidence.pdf"))
    document_content_type = "application/pdf"


class TrainingFactory(factory.django.DjangoModelFactory[ResponderTraining]):
    class Meta:
        model = ResponderTraining

    therapist = factory.SubFactory(TherapistFactory)
    kind = choices.TrainingKind.CERTIFICATION
    name = "Responder counseling certificate (fictional)"
    issuer = "Example Institute"
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=200))
    status = VettingStatus.VERIFIED
    document = factory.LazyFunction(lambda: ContentFile(pdf_bytes(), name="evidence.pdf"))
    document_content_type = "application/pdf"


class AllianceApproachFactory(factory.django.DjangoModelFactory[AllianceApproach]):
    class Meta:
        model = AllianceApproach

    therapist = factory.SubFactory(TherapistFactory)
    respect_trust = "What you say stays here, and I explain the limits on day one."
    collaboration = "We agree on goals together."
    empathy = "I have spent nights at the station."
    adaptability = "If something is not working, we change it."
    practices = frozenset({Practice.GOALS_TOGETHER, Practice.EXPLAINS_CONFIDENTIALITY})


def listed_therapist(**kwargs: object) -> TherapistProfile:
    """A therapist responders can find: complete, published, with a verified license in CO."""
    therapist = TherapistFactory(**kwargs)
    LicenseFactory(therapist=therapist)
    AllianceApproachFactory(therapist=therapist)
    return therapist


def intro_through_service(responder: ResponderProfile, therapist: TherapistProfile, **fields):
    """An intro request made the way a responder's form makes one, through the service."""
    from matching.services.intros import intro_create

    values = {
        "state": "CO",
        "submission_token": uuid.uuid4(),
        "message": "A fictional message.",
        "contact_method": "rapport",
        "contact_email": "",
        "contact_phone": "",
        "contact_hours": frozenset(),
        "between_shifts": False,
        **fields,
    }
    return intro_create(responder=responder, therapist_public_id=therapist.public_id, **values)


class CheckInPlanFactory(factory.django.DjangoModelFactory[CheckInPlan]):
    """Check-ins after an intro accepted a few months ago (no intro row: tests of aggregates)."""

    class Meta:
        model = CheckInPlan

    intro_id = factory.Sequence(lambda n: 1_000_000 + n)
    responder = factory.SubFactory(ResponderFactory)
    therapist = factory.SubFactory(TherapistFactory)
    service = choices.Service.FIRE
    accepted_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=90))


def answered_checkins(
    therapist: TherapistProfile,
    ratings: dict[str, int] | int,
    *,
    responders: int = 5,
    each: int = 1,
    service: str = choices.Service.FIRE,
    shared: bool = False,
    note: str = "",
) -> list[CheckIn]:
    """`each` answered check-ins from each of `responders` new responders, all alike.

    `ratings` is one rating for all five items, or some items (the others are 8).
    """
    items = ("respect_trust", "collaboration", "empathy", "adaptability", "fit")
    values = (
        {**dict.fromkeys(items, 8), **ratings}
        if isinstance(ratings, dict)
        else dict.fromkeys(items, ratings)
    )
    made = []
    now = timezone.now()
    for _ in range(responders):
        plan = CheckInPlanFactory(therapist=therapist, service=service)
        for number in range(1, each + 1):
            made.append(
                CheckIn.objects.create(
                    plan=plan,
                    number=number,
                    kind=CheckIn.Kind.FIRST if number == 1 else CheckIn.Kind.QUARTERLY,
                    due_at=now - dt.timedelta(days=10 * (each - number + 1)),
                    status=CheckIn.Status.ANSWERED,
                    answered_at=now - dt.timedelta(days=10 * (each - number + 1) - 1),
                    still_seeing=True,
                    shared=shared,
                    note=note,
                    **values,
                )
            )
    # As the check-in service does after an answer.
    released_totals_refresh(therapist_id=therapist.pk)
    return made
