"""What is true of a therapist's profile at each stage, and the one next step.

A read (a selector) shared by the therapist's home, the editor's overview and its sidebar, so
all three say the same: empty, incomplete, ready to publish, waiting for vetting, refused,
listed, or lapsed (confirmation too old, license expired), and why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from profiles.editor import Completeness, profile_completeness
from profiles.models import ReviewReason, TherapistProfile, VettingStatus
from profiles.selectors import (
    LICENSE_EXPIRY_WARNING_DAYS,
    confirmation_cutoff,
    duration_words,
    license_vetting_times,
    therapist_is_listed,
)

EMPTY, INCOMPLETE, READY, WAITING, REFUSED, LISTED, LAPSED = (
    "empty",
    "incomplete",
    "ready",
    "waiting",
    "refused",
    "listed",
    "lapsed",
)
# The badge each stage shows (rapport.css).
STAGE_BADGES = {
    EMPTY: "badge",
    INCOMPLETE: "badge--pending",
    READY: "badge--pending",
    WAITING: "badge--pending",
    REFUSED: "badge--rejected",
    LISTED: "badge--verified",
    LAPSED: "badge--rejected",
}


@dataclass(frozen=True)
class NextStep:
    """The one thing to do now: a link, or a button that posts (publish, confirm); no
    action at all when nothing is needed (`label` then says so)."""

    label: str
    url: str = ""
    posts: bool = False


@dataclass(frozen=True)
class ProfileStatus:
    stage: str
    badge_text: str
    # One line for the editor's sidebar, beside the badge.
    short: str
    headline: str
    why: tuple[str, ...]
    next_step: NextStep
    is_listed: bool
    is_published: bool
    # Shown while published: the one-click confirmation, as the main button when it is due.
    confirm_due: bool
    confirm_by: dt.date | None
    licensed_states: tuple[str, ...] = field(default=())

    @property
    def badge_class(self) -> str:
        return STAGE_BADGES[self.stage]


def _day(day: dt.date | dt.datetime) -> str:
    return f"{day:%B} {day.day}"


def _usual_wait() -> str:
    median = license_vetting_times().median
    return f" A check usually takes {duration_words(median)}." if median else ""


def therapist_status(
    *,
    therapist: TherapistProfile,
    completeness: Completeness | None = None,
    now: dt.datetime | None = None,
) -> ProfileStatus:
    """The stage the profile is at, what is true of it, and the one next step."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    completeness = completeness or profile_completeness(therapist)
    licenses = list(therapist.licenses.order_by("submitted_at", "pk"))
    valid = [
        lic for lic in licenses if lic.status == VettingStatus.VERIFIED and lic.expires_on > today
    ]
    pending = [lic for lic in licenses if lic.status == VettingStatus.PENDING]
    listed = therapist_is_listed(therapist=therapist, now=now)
    published = therapist.is_published
    confirm_by = (
        timezone.localtime(therapist.confirmed_at).date()
        + dt.timedelta(days=settings.PROFILE_CONFIRMATION_MAX_AGE_DAYS)
        if therapist.confirmed_at
        else None
    )
    confirmed = therapist.confirmed_at is not None and therapist.confirmed_at >= (
        confirmation_cutoff(now=now)
    )
    common = {
        "is_listed": listed,
        "is_published": published,
        "confirm_due": published and not confirmed,
        "confirm_by": confirm_by,
        "licensed_states": tuple(sorted({lic.get_state_display() for lic in valid})),
    }
    waiting_words = (
        "Your license waits for review by our staff meanwhile." if pending and not valid else ""
    )

    if not completeness.is_complete:
        first = next(status for status in completeness.sections if not status.is_complete)
        step = NextStep(
            f"{'Start with' if completeness.complete_count == 0 else 'Continue with'} "
            f"{first.section.title.lower()}: {first.missing[0].lower()}",
            reverse(first.section.url_name),
        )
        total = len(completeness.sections)
        if published:
            headline = "Your profile is missing something responders need."
        elif completeness.complete_count == 0:
            headline = "Your profile is empty. Responders cannot see it yet."
        else:
            headline = (
                f"{completeness.complete_count} of {total} sections complete. Responders "
                "cannot see your profile until every section is complete and you publish it."
            )
        return ProfileStatus(
            stage=EMPTY if completeness.complete_count == 0 and not published else INCOMPLETE,
            short="a section is missing something" if published else "complete every section",
            badge_text="Not listed" if published else "Not published",
            headline=headline,
            why=tuple(filter(None, [waiting_words])),
            next_step=step,
            **common,
        )

    if not published:
        return ProfileStatus(
            stage=READY,
            short="ready to publish",
            badge_text="Not published",
            headline=(
                "Every section is complete. Publish your profile: responders see it once a "
                "license of yours is verified."
            ),
            why=tuple(filter(None, [waiting_words])),
            next_step=NextStep("Publish", reverse("profiles:publish"), posts=True),
            **common,
        )

    if not valid:
        back = [lic for lic in pending if lic.review_reason]
        if back:
            license = back[0]
            because = {
                ReviewReason.NAME_CHANGED: "you changed your name",
                ReviewReason.DETAILS_CHANGED: "you changed what our staff checked",
                ReviewReason.NEW_DOCUMENT: "you added a new document",
                ReviewReason.RESUBMITTED: "you sent it again after it was not verified",
            }[license.review_reason]
            return ProfileStatus(
                stage=WAITING,
                short=f"your license is back in review because {because}",
                badge_text="Not listed",
                headline=(
                    f"Your license ({license.short_name}) went back to review "
                    f"on {_day(timezone.localtime(license.submitted_at))} because {because}."
                ),
                why=(
                    "Responders cannot find you until our staff verify it again." + _usual_wait(),
                ),
                next_step=NextStep("Nothing to do: we email you when staff decide."),
                **common,
            )
        if pending:
            license = pending[0]
            return ProfileStatus(
                stage=WAITING,
                short="your license waits for review",
                badge_text="Waiting for vetting",
                headline=(
                    f"Published. Our staff are reviewing your license ({license.short_name}"
                    f"), added on {_day(timezone.localtime(license.submitted_at))}."
                ),
                why=("You are listed once it is verified." + _usual_wait(),),
                next_step=NextStep("Nothing to do: we email you when staff decide."),
                **common,
            )
        expired = [lic for lic in licenses if lic.status == VettingStatus.VERIFIED]
        if expired:
            license = expired[-1]
            return ProfileStatus(
                stage=LAPSED,
                short="your license expired",
                badge_text="Not listed",
                headline=(
                    f"Your license ({license.short_name}) expired on "
                    f"{_day(license.expires_on)}, {license.expires_on.year}."
                ),
                why=("Responders can find you again once the renewed license is verified.",),
                next_step=NextStep(
                    "Add your renewed license", reverse("profiles:license_edit", args=[license.pk])
                ),
                **common,
            )
        license = licenses[-1]
        return ProfileStatus(
            stage=REFUSED,
            short="your license was not verified",
            badge_text="Not listed",
            headline=(f"Our staff could not verify your license ({license.short_name})."),
            why=tuple(filter(None, [license.decision_reason])),
            next_step=NextStep(
                "Correct your license", reverse("profiles:license_edit", args=[license.pk])
            ),
            **common,
        )

    if not confirmed:
        return ProfileStatus(
            stage=LAPSED,
            short="confirm your profile is still accurate",
            badge_text="Not listed",
            headline=(
                "Your profile was last confirmed more than "
                f"{settings.PROFILE_CONFIRMATION_MAX_AGE_DAYS} days ago."
            ),
            why=("Check it is still accurate, then confirm: you are listed again at once.",),
            next_step=NextStep("Still accurate", reverse("profiles:confirm"), posts=True),
            **common,
        )

    if not listed:  # an inactive account, or a rule the words above do not name
        return ProfileStatus(
            stage=LAPSED,
            short="",
            badge_text="Not listed",
            headline="Responders cannot find you. Write to us if you do not know why.",
            why=(),
            next_step=NextStep("Nothing you can do here."),
            **common,
        )

    soon = today + dt.timedelta(days=LICENSE_EXPIRY_WARNING_DAYS)
    expiring = [lic for lic in valid if lic.expires_on <= soon]
    if expiring and len(expiring) == len(valid):
        license = expiring[0]
        step = NextStep(
            f"Add your renewed license before {_day(license.expires_on)}",
            reverse("profiles:license_edit", args=[license.pk]),
        )
    else:
        step = NextStep(
            f"Nothing needs you now. Confirm your profile by {_day(confirm_by)}."
            if confirm_by
            else "Nothing needs you now."
        )
    return ProfileStatus(
        stage=LISTED,
        short=f"in {', '.join(common['licensed_states'])}",
        badge_text="Listed",
        headline=f"Listed: responders can find you in {', '.join(common['licensed_states'])}.",
        why=(),
        next_step=step,
        **common,
    )
