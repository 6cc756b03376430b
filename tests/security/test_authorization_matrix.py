"""Who may reach what: every URL pattern, every role, with another owner's ids swapped in.

Each of Rapport's own URL patterns has a row saying what each role gets. A role that may
use a page gets it; any other gets the sign-in page, a 403, or a 404 for somebody else's
object, and unsafe methods are refused the same way. allauth's and the admin's patterns
are checked as groups. A meta-test fails when the resolver has a pattern with no row, so
a new page cannot ship without deciding who may see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from matching.intake import Intake
from tests.factories import (
    LicenseFactory,
    ResponderFactory,
    StaffFactory,
    TherapistFactory,
    TrainingFactory,
    image_bytes,
    intro_through_service,
    listed_therapist,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "responder",
    "other_responder",
    "therapist",
    "therapist_no_mfa",
    "other_therapist",
    "staff",
    "staff_no_mfa",
)
RESPONDERS = {"responder", "other_responder"}
THERAPISTS = {"therapist", "therapist_no_mfa", "other_therapist"}
STAFF = {"staff", "staff_no_mfa"}

# Outcomes.
OK, LOGIN, MFA, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, TO_INTAKE = (
    "200",
    "sign-in",
    "two-factor set-up",
    "403",
    "404",
    "405",
    "back to the intake",
)
GONE = "410"
REFUSALS = {LOGIN, MFA, FORBIDDEN, NOT_FOUND}


@dataclass
class World:
    owner: Any  # the therapist whose objects the URLs name
    responder: Any  # the responder whose objects the URLs name
    intro: Any
    license: Any
    training: Any
    clients: dict[str, Client] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)


def _answers() -> dict:
    return Intake(state="CO", format_preference="telehealth").to_dict()


@pytest.fixture
def world(totp_user_factory) -> World:
    owner = listed_therapist(full_name="Owner Fictional")
    owner.photo.save("p.jpg", ContentFile(image_bytes("JPEG")))
    totp_user_factory(owner.user)
    training = TrainingFactory(therapist=owner)
    license = owner.licenses.get()
    responder = ResponderFactory(answers=_answers())
    intro = intro_through_service(responder, owner)
    # Opening a request records when it was first read; make that already so, so the
    # owner's own visit changes nothing either.
    type(intro).objects.filter(pk=intro.pk).update(first_read_at=timezone.now())
    other_therapist = TherapistFactory()
    totp_user_factory(other_therapist.user)
    LicenseFactory(therapist=other_therapist)
    staff = StaffFactory(email="staff-matrix@example.test")
    totp_user_factory(staff)
    users = {
        "responder": responder.user,
        "other_responder": ResponderFactory(answers=_answers()).user,
        "therapist": owner.user,
        "therapist_no_mfa": TherapistFactory().user,
        "other_therapist": other_therapist.user,
        "staff": staff,
        "staff_no_mfa": StaffFactory(email="staff-no-mfa@example.test"),
    }
    clients = {"anonymous": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    world = World(owner, responder, intro, license, training, clients, users)
    _checkin(world)  # made now, so that walking the URLs creates nothing
    return world


def everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def responders_only(*, owned: bool = False) -> dict[str, str]:
    return {
        **everyone(FORBIDDEN),
        "anonymous": LOGIN,
        "responder": OK,
        "other_responder": NOT_FOUND if owned else OK,
    }


def therapists_only(*, owned: bool = False, mfa: bool = False) -> dict[str, str]:
    others = NOT_FOUND if owned else OK
    return {
        **everyone(FORBIDDEN),
        "anonymous": LOGIN,
        "therapist": OK,
        "other_therapist": others,
        "therapist_no_mfa": MFA if mfa else others,
    }


def staff_only() -> dict[str, str]:
    return {**everyone(FORBIDDEN), "anonymous": LOGIN, "staff": OK, "staff_no_mfa": MFA}


@dataclass(frozen=True)
class Row:
    """What each role gets from one URL pattern: GET, or the unsafe method it takes."""

    args: Callable[[World], list[Any]]
    get: dict[str, str]
    post: bool = False  # also takes POST: refused roles must be refused it too
    post_only: bool = False  # GET answers 405 to everyone; POST refused like the row says


def no_args(world: World) -> list[Any]:
    return []


def _checkin(world: World):
    """A due check-in of the world's responder about the owner (one per world)."""
    from alliance.models import CheckIn
    from tests.factories import CheckInPlanFactory

    existing = CheckIn.objects.filter(plan__responder=world.responder).first()
    if existing is not None:
        return existing
    plan = CheckInPlanFactory(responder=world.responder, therapist=world.owner)
    return CheckIn.objects.create(
        plan=plan, number=1, kind=CheckIn.Kind.FIRST, due_at=plan.accepted_at
    )


def _beat_ticked(world: World) -> list[Any]:
    """Readiness answers 200 only once beat has ticked: say it just did."""
    import time

    from django.core.cache import cache

    from config.health import BEAT_HEARTBEAT_KEY

    cache.set(BEAT_HEARTBEAT_KEY, time.time(), timeout=None)
    return []


def _referral() -> str:
    from matching.referrals import referral_token

    return referral_token(service="fire", state="CO")


MATRIX: dict[str, Row] = {
    "home": Row(no_args, everyone(OK)),
    "crisis": Row(no_args, everyone(OK)),
    "healthz": Row(no_args, everyone(OK)),
    "health_live": Row(no_args, everyone(OK)),
    "health_ready": Row(_beat_ticked, everyone(OK)),
    # How long a sign-in has left (asked without counting as activity), and "Stay signed in".
    "session_status": Row(no_args, everyone(OK)),
    "session_stay": Row(no_args, {**everyone(OK), "anonymous": FORBIDDEN}, post_only=True),
    "matching:intake": Row(no_args, everyone(OK), post=True),
    "matching:help_first": Row(no_args, everyone(OK)),
    "matching:answers": Row(no_args, everyone(OK)),
    "matching:clear_answers": Row(no_args, everyone(OK), post_only=True),
    "matching:intake_step": Row(lambda w: ["place"], everyone(OK), post=True),
    "matching:results": Row(
        no_args, {**everyone(TO_INTAKE), "responder": OK, "other_responder": OK}
    ),
    "matching:how_we_rank": Row(no_args, everyone(OK)),
    "profiles:for_therapists": Row(no_args, everyone(OK)),
    "matching:therapist_detail": Row(lambda w: [w.owner.public_id], everyone(OK)),
    "profiles:therapist_photo": Row(lambda w: [w.owner.public_id], everyone(OK)),
    "matching:me": Row(no_args, responders_only()),
    "matching:export": Row(no_args, responders_only()),
    "matching:my_data": Row(no_args, responders_only()),
    "matching:account_delete": Row(no_args, responders_only(), post=True),
    "matching:my_intros": Row(no_args, responders_only()),
    "profiles:pseudonym": Row(no_args, responders_only(), post=True),
    "matching:intro_new": Row(lambda w: [w.owner.public_id], responders_only(), post=True),
    "matching:my_intro": Row(lambda w: [w.intro.public_id], responders_only(owned=True), post=True),
    "matching:intro_withdraw": Row(
        lambda w: [w.intro.public_id], responders_only(owned=True), post_only=True
    ),
    "profiles:editor": Row(no_args, therapists_only()),
    "profiles:identity": Row(no_args, therapists_only(), post=True),
    "profiles:experience": Row(no_args, therapists_only(), post=True),
    "profiles:clinical": Row(no_args, therapists_only(), post=True),
    "profiles:practical": Row(no_args, therapists_only(), post=True),
    "profiles:capacity": Row(no_args, therapists_only(), post=True),
    "profiles:credentials": Row(no_args, therapists_only()),
    "profiles:license_add": Row(no_args, therapists_only(), post=True),
    "profiles:training_add": Row(no_args, therapists_only(), post=True),
    "profiles:license_edit": Row(lambda w: [w.license.pk], therapists_only(owned=True), post=True),
    "profiles:training_edit": Row(
        lambda w: [w.training.pk], therapists_only(owned=True), post=True
    ),
    "profiles:license_delete": Row(
        lambda w: [w.license.pk], therapists_only(owned=True), post_only=True
    ),
    "profiles:training_delete": Row(
        lambda w: [w.training.pk], therapists_only(owned=True), post_only=True
    ),
    "profiles:confirm": Row(no_args, therapists_only(), post_only=True),
    "profiles:publish": Row(no_args, therapists_only(), post_only=True),
    "profiles:unpublish": Row(no_args, therapists_only(), post_only=True),
    "alliance:edit": Row(no_args, therapists_only(), post=True),
    "matching:therapist_preview": Row(no_args, therapists_only()),
    "matching:account_close": Row(no_args, therapists_only(), post=True),
    "matching:inbox": Row(no_args, therapists_only(mfa=True)),
    "matching:inbox_detail": Row(
        lambda w: [w.intro.public_id], therapists_only(owned=True, mfa=True), post=True
    ),
    "matching:coverage_watch": Row(no_args, everyone(OK), post=True),
    "matching:coverage_watch_done": Row(no_args, everyone(OK)),
    "matching:referral_make": Row(no_args, everyone(OK), post=True),
    "matching:referral_open": Row(lambda w: [_referral()], everyone(OK)),
    "matching:referral_start": Row(lambda w: [_referral()], everyone(OK), post_only=True),
    "matching:my_intro_session": Row(
        lambda w: [w.intro.public_id], responders_only(owned=True), post_only=True
    ),
    "matching:my_intro_close": Row(
        lambda w: [w.intro.public_id], responders_only(owned=True), post_only=True
    ),
    "matching:my_intro_block": Row(
        lambda w: [w.intro.public_id], responders_only(owned=True), post_only=True
    ),
    "matching:therapist_home": Row(no_args, therapists_only()),
    "matching:inbox_message": Row(
        lambda w: [w.intro.public_id], therapists_only(owned=True, mfa=True), post_only=True
    ),
    "matching:inbox_session": Row(
        lambda w: [w.intro.public_id], therapists_only(owned=True, mfa=True), post_only=True
    ),
    "matching:inbox_close": Row(
        lambda w: [w.intro.public_id], therapists_only(owned=True, mfa=True), post_only=True
    ),
    # A link whose token is forged: a clear page saying so (410), for any responder.
    "alliance:checkin_link": Row(
        lambda w: ["not-a-token"],
        {**responders_only(), "responder": GONE, "other_responder": GONE},
        post=True,
    ),
    "alliance:checkin": Row(
        lambda w: [_checkin(w).public_id], responders_only(owned=True), post=True
    ),
    # Shown once the check-in is answered; this one is still due, so even its owner gets 404.
    "alliance:checkin_done": Row(
        lambda w: [_checkin(w).public_id], {**responders_only(owned=True), "responder": NOT_FOUND}
    ),
    "alliance:checkin_action": Row(
        lambda w: [_checkin(w).public_id, "skip"], responders_only(owned=True), post_only=True
    ),
    "alliance:dashboard": Row(no_args, therapists_only(mfa=True)),
    "alliance:staff": Row(no_args, staff_only()),
    "matching:ranking_report": Row(no_args, staff_only()),
    "matching:supply_demand": Row(no_args, staff_only()),
    "profiles:openings_reopen": Row(no_args, therapists_only(), post_only=True),
    # The email's link says by itself who may reopen; a forged one is a clear page (410).
    "profiles:openings_reopen_link": Row(lambda w: ["not-a-token"], everyone(GONE), post=True),
    "profiles:openings_reopened": Row(no_args, everyone(OK)),
    "profiles:document_preview": Row(lambda w: ["license", w.license.pk], staff_only()),
    "profiles:vetting_queue": Row(no_args, staff_only()),
    "profiles:audit_trail": Row(no_args, staff_only()),
    "profiles:vetting_review": Row(lambda w: ["license", w.license.pk], staff_only(), post=True),
    "profiles:document": Row(
        lambda w: ["license", w.license.pk],
        {**everyone(NOT_FOUND), "therapist": OK, "staff": OK, "staff_no_mfa": MFA},
    ),
}

# allauth's pages: open to anyone except these, which need a signed-in user.
ALLAUTH_SIGNED_IN_ONLY = {
    "account_email",
    "account_change_password",
    "account_set_password",
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
}
ALLAUTH_PREFIXES = ("account_", "mfa_")


def _pattern_names() -> list[str]:
    """Every named URL pattern the resolver knows, with its namespace."""
    names: list[str] = []

    def walk(patterns: list, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or f"(unnamed {pattern.pattern})"
                names.append(f"{namespace}:{name}" if namespace else name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_pattern_has_a_row() -> None:
    missing = [
        name
        for name in _pattern_names()
        if name not in MATRIX
        and not name.startswith("admin:")
        and not name.startswith(ALLAUTH_PREFIXES)
    ]
    assert missing == [], f"add a row to MATRIX for: {missing}"
    stale = sorted(set(MATRIX) - set(_pattern_names()))
    assert stale == [], f"rows for patterns that no longer exist: {stale}"


def _outcome(response) -> str:
    location = response.get("Location", "")
    if response.status_code in (301, 302):
        if location.startswith(reverse("account_login")):
            return LOGIN
        if location.startswith(reverse("mfa_activate_totp")):
            return MFA
        if location.startswith(reverse("matching:intake")):
            return TO_INTAKE
        return f"redirect to {location}"
    return str(response.status_code)


# Reads are audited, sessions change on any visit, and the ranking's version counter may
# be created by the first ranked page; every other table must not change.
UNCHANGED_BY_READS_EXCEPT = {"profiles_auditentry", "django_session", "matching_rankingversion"}


def _tables() -> dict[str, list[tuple]]:
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table not in UNCHANGED_BY_READS_EXCEPT:
                cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608
                rows[table] = cursor.fetchall()
    return rows


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_its_row_says(world: World, role: str) -> None:
    """...and neither a GET nor a refused POST changes anything stored."""
    client = world.clients[role]
    wrong: list[str] = []
    before = _tables()
    for name, row in MATRIX.items():
        url = reverse(name, args=row.args(world))
        expected = row.get[role]
        if row.post_only:
            got = _outcome(client.get(url))
            if got != NOT_ALLOWED:
                wrong.append(f"GET {name}: expected 405, got {got}")
        else:
            got = _outcome(client.get(url))
            if got != expected:
                wrong.append(f"GET {name} as {role}: expected {expected}, got {got}")
        if (row.post or row.post_only) and expected in REFUSALS:
            got = _outcome(client.post(url, {}))
            if got != expected:
                wrong.append(f"POST {name} as {role}: expected {expected}, got {got}")
    after = _tables()
    changed = [table for table in before if before[table] != after[table]]
    assert wrong == []
    assert changed == [], f"reads or refused writes changed {changed}"


@pytest.mark.parametrize("role", ROLES)
def test_allauth_pages_need_a_sign_in_where_they_should(world: World, role: str) -> None:
    client = world.clients[role]
    wrong: list[str] = []
    for name in _pattern_names():
        if not name.startswith(ALLAUTH_PREFIXES) or name in {
            "account_confirm_email",
            "account_reset_password_from_key",
            "account_logout",
        }:
            continue
        response = client.get(reverse(name))
        got = _outcome(response)
        if response.status_code >= 500:
            wrong.append(f"{name}: server error")
        if role == "anonymous" and name in ALLAUTH_SIGNED_IN_ONLY and got != LOGIN:
            wrong.append(f"{name} as anonymous: expected sign-in, got {got}")
    assert wrong == []


def _admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin_site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_with_two_factor_reach_the_admin(world: World, role: str) -> None:
    client = world.clients[role]
    wrong: list[str] = []
    for url in _admin_urls():
        response = client.get(url)
        if response.get("Location", "").startswith(reverse("admin:login")):
            response = client.get(response["Location"])  # the admin's login sends on to ours
        got = _outcome(response)
        if role == "staff":
            if got != OK:
                wrong.append(f"{url}: expected 200, got {got}")
        elif response.status_code == 200:
            wrong.append(f"{url} as {role}: reached the admin")
        elif role == "staff_no_mfa" and got != MFA:
            wrong.append(f"{url} as {role}: expected two-factor set-up, got {got}")
        elif role == "anonymous" and got != LOGIN:
            wrong.append(f"{url} as anonymous: expected sign-in, got {got}")
    assert wrong == []


UNSAFE_ALLAUTH = (
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_logout",
    "account_email",
    "account_change_password",
    "mfa_activate_totp",
)


def test_every_unsafe_endpoint_refuses_a_post_without_a_csrf_token(world: World) -> None:
    """Posted by the very role allowed to post, but with no token: always 403."""
    accepted: list[str] = []
    for name, row in MATRIX.items():
        if not (row.post or row.post_only):
            continue
        role = next(role for role in ROLES if row.get[role] in (OK, GONE))
        client = Client(enforce_csrf_checks=True)
        if role != "anonymous":
            client.force_login(world.users[role])
        response = client.post(reverse(name, args=row.args(world)), {})
        if response.status_code != 403:
            accepted.append(f"{name} as {role}: {response.status_code}")
    for name in UNSAFE_ALLAUTH:
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.owner.user)
        response = client.post(reverse(name), {})
        if response.status_code != 403:
            accepted.append(f"{name}: {response.status_code}")
    assert accepted == []


def test_an_unlisted_therapists_photo_is_for_them_and_staff_with_two_factor(
    world: World,
) -> None:
    world.owner.published_at = None
    world.owner.save(update_fields=["published_at"])
    url = reverse("profiles:therapist_photo", args=[world.owner.public_id])
    got = {role: world.clients[role].get(url).status_code for role in ROLES}
    assert got == {
        **everyone(404),
        "therapist": 200,
        "staff": 200,
    }
