"""The demo's accepted intros keep snapshots, so a staff member can read the ranking report."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from devtools.demo_intros import demo_intro_snapshots
from matching.models import IntroRequest, IntroSnapshot
from matching.selectors.ranking_report import ranking_report


@pytest.mark.django_db
def test_demo_intros_keep_snapshots_and_fill_the_report(settings) -> None:
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    in_colorado = IntroRequest.objects.filter(therapist__licenses__state="CO").distinct()
    assert in_colorado.exists()
    assert not in_colorado.filter(snapshot__isnull=True).exists()
    assert IntroSnapshot.objects.filter(eligible=True).count() >= 50
    assert demo_intro_snapshots() == 0  # nothing left to take

    report = ranking_report()
    assert report.selection.scored >= 50
    assert report.overall.figures["score_vs_first"].shown
    assert report.overall.figures["six_alliance"].shown
    # Some demo responders answered a third check-in, most with the wellbeing questions.
    wellbeing = report.overall.figures["alliance_vs_wellbeing"]
    assert wellbeing.shown and wellbeing.intros >= 20
