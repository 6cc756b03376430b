"""A therapist's public profile, as responders see it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, QuerySet, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from alliance.choices import (
    PRACTICE_TRAIT,
    STYLE_DIMENSIONS,
    STYLE_TITLES,
    Practice,
    Trait,
    style_sentence,
)
from alliance.models import AllianceApproach
from matching.models import RankingChange
from matching.scoring.cards import room_line
from matching.scoring.words import NOT_TAKING_REQUESTS_WORDS
from matching.selectors.intake import choice_labels
from matching.selectors.intros import pending_requests_of
from profiles import choices
from profiles.credentials import credentials_beyond
from profiles.models import License, ResponderTraining, TherapistProfile
from profiles.selectors import license_valid_q, therapists_listed

# Under the day the change feed keeps its rows, so a key never outlives the row it names.
PROFILE_PAGE_CACHE_SECONDS = 60 * 60
NOT_TAKING_NEW_CLIENTS_WORDS = "Not taking new clients now"


@dataclass(frozen=True)
class PublicProfile:
    """A therapist as responders see them: verified facts marked, the rest self-reported."""

    therapist: TherapistProfile
    verified_licenses: tuple[License, ...]
    trainings: tuple[ResponderTraining, ...]
    alliance: AllianceApproach | None
    licensed_states: tuple[str, ...]
    # "Has room for new clients", "Few openings", "Not taking requests right now" or "Not
    # taking new clients now": never a number, which would tell of others' requests.
    room: str = ""

    @property
    def taking_requests(self) -> bool:
        return self.room not in (NOT_TAKING_REQUESTS_WORDS, NOT_TAKING_NEW_CLIENTS_WORDS)

    @property
    def verified_types(self) -> tuple[str, ...]:
        """The license types staff verified, in short ("LCSW"), each once."""
        labels = {lic.get_license_type_display().split(" (")[0] for lic in self.verified_licenses}
        return tuple(sorted(labels))

    @property
    def verified_credentials(self) -> str:
        """The verified license types, for beside the name."""
        return ", ".join(self.verified_types)

    @property
    def signs_also(self) -> str:
        """What they sign with beyond the verified types beside the name: each credential once."""
        return credentials_beyond(self.therapist.credentials, self.verified_types)

    @property
    def telehealth_states(self) -> list[str]:
        states = self.therapist.telehealth_states & set(self.licensed_states)
        return choice_labels(choices.State, states)

    @property
    def practices_by_trait(self) -> list[tuple[str, str, list[str]]]:
        if self.alliance is None:
            return []
        groups = []
        for trait in Trait:
            practices = [
                Practice(p).label
                for p in Practice.values
                if p in self.alliance.practices and PRACTICE_TRAIT[p] == trait
            ]
            groups.append((trait.label, self.alliance.statement(trait), practices))
        return groups

    @property
    def style_lines(self) -> list[tuple[str, str]]:
        """How they work on each scale, in plain words; empty when not described."""
        if self.alliance is None:
            return []
        lines = []
        for dim in STYLE_DIMENSIONS:
            style = self.alliance.style(dim)
            if style is None:
                continue
            lines.append((STYLE_TITLES[dim], style_sentence(dim, *style)))
        return lines

    def _labels_of(self, field: str) -> list[str]:
        value = getattr(self.therapist, field)
        return choice_labels(self.therapist._meta.get_field(field).choice_class, value)

    @property
    def service_labels(self) -> list[str]:
        return self._labels_of("services_served")

    @property
    def agency_work_labels(self) -> list[str]:
        return self._labels_of("agency_work")

    @property
    def lived_experience_labels(self) -> list[str]:
        return self._labels_of("lived_experience")

    @property
    def evaluation_labels(self) -> list[str]:
        return self._labels_of("agency_evaluations")

    @property
    def concern_labels(self) -> list[str]:
        return self._labels_of("focus_concerns")

    @property
    def format_labels(self) -> list[str]:
        return self._labels_of("formats")

    @property
    def language_labels(self) -> list[str]:
        return self._labels_of("languages")

    @property
    def hours_labels(self) -> list[str]:
        return self._labels_of("hours")

    @property
    def payment_labels(self) -> list[str]:
        return self._labels_of("payment_methods")

    @property
    def carrier_labels(self) -> list[str]:
        return self._labels_of("insurance_carriers")

    @property
    def method_levels(self) -> list[tuple[str, str]]:
        therapist = self.therapist
        return [
            (method.label, "certified" if method in therapist.methods_certified else "trained")
            for method in choices.Method
            if method in therapist.methods_trained
        ]

    @property
    def fee_text(self) -> str:
        low, high = self.therapist.fee_min_dollars, self.therapist.fee_max_dollars
        if low is not None and high is not None:
            return f"${low}" if low == high else f"${low} to ${high}"
        if low is not None:
            return f"From ${low}"
        if high is not None:
            return f"Up to ${high}"
        return ""


def therapist_public_profile(*, therapist: TherapistProfile) -> PublicProfile:
    """Gather what a profile page shows, in a fixed number of queries."""
    licenses = tuple(therapist.licenses.filter(license_valid_q()).order_by("state", "license_type"))
    trainings = tuple(
        therapist.trainings.exclude(status="rejected").order_by("-status", "-completed_on")
    )
    alliance = AllianceApproach.objects.filter(therapist=therapist).first()
    if therapist.accepting_new_clients and therapist.open_slots > 0:
        room = room_line(
            pending_requests=pending_requests_of(therapist=therapist),
            open_slots=therapist.open_slots,
            per_opening=settings.PENDING_REQUESTS_PER_OPENING,
        )
    else:
        room = NOT_TAKING_NEW_CLIENTS_WORDS
    return PublicProfile(
        therapist=therapist,
        verified_licenses=licenses,
        trainings=trainings,
        alliance=alliance,
        licensed_states=tuple(sorted({license.state for license in licenses})),
        room=room,
    )


def therapists_listed_with_last_change(*, now: dt.datetime | None = None) -> QuerySet:
    """Listed therapists, each with the number of the last change to what their page shows."""
    last_change = RankingChange.objects.filter(therapist_id=OuterRef("pk")).order_by("-seq")
    return therapists_listed(now=now).annotate(last_change=Subquery(last_change.values("seq")[:1]))


def therapist_profile_html(*, therapist: TherapistProfile) -> SafeString:
    """The fixed part of a listed therapist's page, rendered once until the therapist changes.

    The key names the therapist's last change in the feed that database triggers append to
    (matching.models.RankingChange) and today's date, since licenses expire without a write.
    `therapist` comes from therapists_listed_with_last_change().
    """
    today = timezone.localdate().isoformat()
    key = f"therapist-page:{therapist.pk}:{therapist.last_change or 0}:{today}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "matching/includes/_therapist_profile.html",
            {"profile": therapist_public_profile(therapist=therapist), "preview": False},
        )
        cache.set(key, html, PROFILE_PAGE_CACHE_SECONDS)
    return html
