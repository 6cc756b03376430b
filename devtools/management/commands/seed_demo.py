"""Seed clearly fictional demo data; running it again changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from alliance.aggregation import is_weak
from alliance.models import AllianceApproach, CheckIn, CheckInPlan
from alliance.services.checkins import checkins_schedule
from alliance.services.totals import released_totals_refresh_many
from devtools.demo import DEMO_PDF, demo_checkins, demo_therapist
from devtools.demo_intros import demo_intro_snapshots
from matching.intake import Intake
from matching.models import IntroRequest
from matching.services.intros import responsiveness_refresh
from profiles.models import License, ResponderProfile, ResponderTraining, TherapistProfile, User
from profiles.services.therapists import therapist_completeness_refresh

DEMO_DOMAIN = "demo.rapport.localhost"
DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
DEMO_PASSWORD = "rapport-demo-only"  # noqa: S105 (printed for local demo accounts only)
# A well-known example secret: demo accounts only, never a real one.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
THERAPISTS_PER_STATE = {"CO": 80, "TX": 60, "CA": 50, "NY": 40, "FL": 30, "WA": 25, "NM": 15}
DEMO_RESPONDERS = [
    (
        "responder1",
        "Engine 12",
        Intake(
            service="fire",
            service_status="active",
            state="CO",
            zip_code="80202",
            format_preference="telehealth",
            concerns=frozenset({"trauma", "sleep"}),
            hours=frozenset({"evenings", "rotating_shifts"}),
            payment_methods=frozenset({"eap"}),
        ),
    ),
    (
        "responder2",
        "Dispatch Night",
        Intake(
            service="dispatch",
            service_status="active",
            state="TX",
            zip_code="78701",
            concerns=frozenset({"anxiety", "burnout"}),
        ),
    ),
    (
        "responder3",
        "Retired Sarge",
        Intake(service="police", service_status="retired", state="NY"),
    ),
]


# Responders who answered check-ins about demo therapists: pseudonyms and services.
CHECKIN_RESPONDERS = 60
CHECKIN_SERVICES = ("fire", "ems", "police", "dispatch", "corrections")
CHECKIN_NAMES = {
    "fire": "Engine",
    "ems": "Medic",
    "police": "Patrol",
    "dispatch": "Dispatch",
    "corrections": "Unit",
}
# Days from acceptance to each answered check-in: about 2 weeks, 6 weeks, then quarterly.
CHECKIN_DAYS = (15, 44, 136, 228)


def _analyze(*models: type) -> None:
    """Fresh planner statistics for tables just filled in bulk, as autovacuum would give them
    later: with the old ones (near empty) PostgreSQL joined the release of each therapist's
    check-ins by scanning whole tables, and a second seed in one transaction took minutes."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class Command(BaseCommand):
    help = "Create fictional demo accounts, therapists and responders; safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--even-without-debug",
            action="store_true",
            help="Seed although DEBUG is off. The demo admin's password and two-factor "
            "secret are published: never use this on a site people use.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["even_without_debug"]):
            raise CommandError(
                "seed_demo creates a superuser with a published password and two-factor "
                "secret, so it runs only with DEBUG on (or --even-without-debug)."
            )
        self.password_hash = make_password(DEMO_PASSWORD)
        with transaction.atomic():
            admin = self._user(DEMO_ADMIN_EMAIL, User.Role.STAFF, is_staff=True, is_superuser=True)
            codes = self._with_two_factor(admin)
            created = self._therapists()
            self._responders()
            self._checkins()
            demo_intro_snapshots()
        self.stdout.write(self.style.SUCCESS("Demo data is ready (all people are fictional)."))
        self.stdout.write(f"  therapists: {created} new, {TherapistProfile.objects.count()} in all")
        self.stdout.write("  Sign in at http://127.0.0.1:8000/accounts/login/ with:")
        self.stdout.write(f"    staff admin:   {DEMO_ADMIN_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"    therapist:     therapist00001@{DEMO_DOMAIN} / {DEMO_PASSWORD}")
        self.stdout.write(f"    responder:     responder1@{DEMO_DOMAIN} / {DEMO_PASSWORD}")
        self.stdout.write(
            f"  Two-factor code for the staff admin and therapist00001: add the secret "
            f"{DEMO_TOTP_SECRET} to an authenticator app, or use a recovery code: "
            f"{', '.join(codes[:3])}"
        )

    def _user(self, email: str, role: str, **extra: Any) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"role": role, "password": self.password_hash, **extra}
        )
        if created:
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    def _with_two_factor(self, user: User) -> list[str]:
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRET)
        recovery = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.RECOVERY_CODES
        ).first()
        wrapper = RecoveryCodes(recovery) if recovery else RecoveryCodes.activate(user)
        return wrapper.get_unused_codes()

    def _therapists(self) -> int:
        today = timezone.localdate()
        now = timezone.now()
        number, created = 0, 0
        existing = set(
            User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").values_list("email", flat=True)
        )
        for state, count in THERAPISTS_PER_STATE.items():
            for _ in range(count):
                number += 1
                demo = demo_therapist(number, state, today=today)
                if demo.email in existing:
                    continue
                self._therapist(demo, now=now)
                created += 1
        featured = User.objects.get(email=f"therapist00001@{DEMO_DOMAIN}")
        self._with_two_factor(featured)
        return created

    def _therapist(self, demo: Any, *, now: dt.datetime) -> None:
        user = self._user(demo.email, User.Role.THERAPIST)
        fields = dict(demo.profile)
        confirmed = now - dt.timedelta(days=fields.pop("confirmed_days_ago"))
        therapist = TherapistProfile.objects.create(
            user=user, published_at=confirmed, confirmed_at=confirmed, **fields
        )
        for values in demo.licenses:
            record = License(therapist=therapist, document_content_type="application/pdf", **values)
            self._decide(record, now)
            record.document.save("evidence.pdf", ContentFile(DEMO_PDF), save=False)
            record.save()
        for values in demo.trainings:
            record = ResponderTraining(
                therapist=therapist, document_content_type="application/pdf", **values
            )
            self._decide(record, now)
            record.document.save("evidence.pdf", ContentFile(DEMO_PDF), save=False)
            record.save()
        AllianceApproach.objects.create(therapist=therapist, **demo.alliance)
        therapist_completeness_refresh(therapist=therapist)

    def _decide(self, record: License | ResponderTraining, now: dt.datetime) -> None:
        if record.status != "pending":
            record.decided_at = now
            record.board_lookup_url = (
                ""
                if isinstance(record, ResponderTraining)
                else ("https://licensing-board.example/lookup")
            )
            if record.status == "rejected":
                record.decision_reason = "The document does not match the number given (demo)."

    def _checkins(self) -> None:
        """Accepted intros with answered check-ins, and one check-in due for responder1."""
        if CheckInPlan.objects.filter(therapist__user__email__endswith=DEMO_DOMAIN).exists():
            return
        now = timezone.now()
        responders = []
        for n in range(CHECKIN_RESPONDERS):
            service = CHECKIN_SERVICES[n % len(CHECKIN_SERVICES)]
            user = self._user(f"checkin{n:03d}@{DEMO_DOMAIN}", User.Role.RESPONDER)
            profile, _ = ResponderProfile.objects.get_or_create(
                user=user,
                defaults={
                    "pseudonym": f"{CHECKIN_NAMES[service]} {n + 1}",
                    "answers": Intake(service=service, state="CO").to_dict(),
                },
            )
            responders.append((profile, service))
        therapists = {
            int(email[len("therapist") : len("therapist") + 5]): pk
            for pk, email in TherapistProfile.objects.filter(
                user__email__startswith="therapist", user__email__endswith=DEMO_DOMAIN
            ).values_list("pk", "user__email")
        }
        made = []  # (intro, plan, demo), saved in three bulk inserts
        for number, therapist_id in sorted(therapists.items()):
            demos = demo_checkins(number, CHECKIN_RESPONDERS, services=len(CHECKIN_SERVICES))
            for offset, demo in enumerate(demos):
                profile, service = responders[demo.responder]
                days = CHECKIN_DAYS[len(demo.answers) - 1]
                accepted = now - dt.timedelta(days=days + 3 + (number + offset) % 40)
                plan = CheckInPlan(
                    responder=profile,
                    therapist_id=therapist_id,
                    service=service,
                    accepted_at=accepted,
                    stopped_at=None if demo.still_seeing else accepted + dt.timedelta(days=days),
                )
                made.append((self._accepted_intro(profile, therapist_id, accepted), plan, demo))
        IntroRequest.objects.bulk_create([intro for intro, _, _ in made])
        for intro, plan, _ in made:
            plan.intro_id = intro.pk
        CheckInPlan.objects.bulk_create([plan for _, plan, _ in made])
        CheckIn.objects.bulk_create(
            [row for _, plan, demo in made for row in self._demo_checkins(plan, demo, now)]
        )
        rated = sorted({plan.therapist_id for _, plan, _ in made})
        for therapist_id in rated:
            responsiveness_refresh(therapist_id=therapist_id)
        _analyze(IntroRequest, CheckInPlan, CheckIn)
        released_totals_refresh_many(therapist_ids=rated)
        featured = ResponderProfile.objects.get(user__email=f"responder1@{DEMO_DOMAIN}")
        therapist = TherapistProfile.objects.get(user__email=f"therapist00001@{DEMO_DOMAIN}")
        intro = self._accepted_intro(featured, therapist.pk, now - dt.timedelta(days=16))
        intro.save()
        checkins_schedule(
            intro_id=intro.pk,
            responder=featured,
            therapist=therapist,
            accepted_at=intro.answered_at,
            service="fire",
        )

    def _accepted_intro(
        self, responder: ResponderProfile, therapist_id: int, accepted: dt.datetime
    ) -> IntroRequest:
        """An accepted intro, not yet saved."""
        return IntroRequest(
            responder=responder,
            therapist_id=therapist_id,
            submission_token=uuid.uuid4(),
            message="Fictional demo request.",
            contact_method=IntroRequest.ContactMethod.RAPPORT,
            status=IntroRequest.Status.ACCEPTED,
            created_at=accepted - dt.timedelta(days=1),
            expires_at=accepted + dt.timedelta(days=2),
            delivered_at=accepted - dt.timedelta(days=1),
            answered_at=accepted,
            therapist_reply="Fictional demo reply: let us talk on Monday.",
            responder_notified_at=accepted,
        )

    def _demo_checkins(self, plan: CheckInPlan, demo: Any, now: dt.datetime) -> list[CheckIn]:
        """The answered check-ins of one demo plan, and the next one if still seeing them."""
        accepted, last = plan.accepted_at, len(demo.answers)
        rows, previous = [], None
        for index, answers in enumerate(demo.answers):
            due = accepted + dt.timedelta(days=CHECKIN_DAYS[index] - 1)
            rows.append(
                CheckIn(
                    plan=plan,
                    number=index + 1,
                    kind=("first", "second")[index] if index < 2 else "quarterly",
                    due_at=due,
                    status=CheckIn.Status.ANSWERED,
                    emailed_at=due,
                    answered_at=due + dt.timedelta(hours=20),
                    still_seeing=demo.still_seeing or index + 1 < last,
                    shared=demo.shared[index],
                    weak=is_weak(answers, previous),
                    **answers,
                    **(demo.wellbeing[index] or {}),
                )
            )
            previous = answers
        if demo.still_seeing:
            next_due = accepted + dt.timedelta(days=CHECKIN_DAYS[min(last, 3)] + 91 * (last > 3))
            rows.append(
                CheckIn(
                    plan=plan,
                    number=last + 1,
                    kind="second" if last == 1 else "quarterly",
                    due_at=max(next_due, now + dt.timedelta(days=3)),
                )
            )
        return rows

    def _responders(self) -> None:
        for local, pseudonym, intake in DEMO_RESPONDERS:
            user = self._user(f"{local}@{DEMO_DOMAIN}", User.Role.RESPONDER)
            ResponderProfile.objects.get_or_create(
                user=user, defaults={"pseudonym": pseudonym, "answers": intake.to_dict()}
            )
