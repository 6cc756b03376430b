"""The snapshot every intro request keeps of what the ranking said when it was made."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from alliance.selectors import alliance_measures
from matching.intake import Intake
from matching.models import SNAPSHOT_COMPONENTS, IntroRequest, IntroSnapshot
from matching.ranking.feed import process_states
from matching.scoring.weights import SCORING_VERSION
from matching.selectors.ranking import match_for_therapist, seeker_from


def _alliance_behind(*, therapist_id: int, service: str) -> tuple[int, int] | None:
    """(check-ins, responders) behind the measured alliance the score used, or None when the
    alliance came from the therapist's own words. Mirrors matching.scoring.checkins_for: the
    responder's own service where it alone has enough, else all services."""
    # The population the process's columns and cards use: the score's own.
    measures = alliance_measures(
        therapist_ids=[therapist_id], population=process_states.population()
    )
    measure = None
    if service:
        measure = measures.by_service.get(therapist_id, {}).get(service)
    if measure is None:
        measure = measures.overall.get(therapist_id)
    return None if measure is None else (measure.checkins, measure.responders)


@transaction.atomic
def intro_snapshot_take(
    *, intro: IntroRequest, intake: Intake, shown_rank: int | None
) -> IntroSnapshot:
    """Record the score the responder's answers give this therapist now, once per intro.

    `intake` is what the list was ranked on: the responder's answers with the list's filters
    applied. The score comes from the same selector as the therapist's page and is the one
    the list's card showed (matching.selectors.ranking.match_for_therapist).
    """
    existing = IntroSnapshot.objects.filter(for_intro_id=intro.pk).first()
    if existing is not None:
        return existing
    score = match_for_therapist(seeker=seeker_from(intake), therapist_id=intro.therapist_id)[0]
    behind = _alliance_behind(therapist_id=intro.therapist_id, service=intake.service)
    snapshot = IntroSnapshot(
        intro=intro,
        for_intro_id=intro.pk,
        therapist_id=intro.therapist_id,
        taken_on=timezone.localdate(),
        scoring_version=SCORING_VERSION,
        eligible=score is not None,
        alliance_source=(
            IntroSnapshot.AllianceSource.MEASURED
            if behind
            else IntroSnapshot.AllianceSource.SELF_DESCRIBED
        ),
        alliance_checkins=behind[0] if behind else None,
        alliance_responders=behind[1] if behind else None,
        shown_rank=shown_rank,
    )
    if score is not None:
        snapshot.total = score.total
        points = {component.key: component.points for component in score.components}
        for key in SNAPSHOT_COMPONENTS:
            setattr(snapshot, f"{key}_points", points[key])
    snapshot.full_clean()
    snapshot.save()
    return snapshot
