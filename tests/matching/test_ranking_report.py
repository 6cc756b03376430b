"""The staff report "Does the ranking work?", from intros, snapshots and check-ins in the
database, against figures worked out by hand."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from matching.models import IntroRequest
from matching.report_figures import parts_shown, report_of
from matching.report_records import SCORE_BANDS, band_of
from matching.report_statistics import (
    bootstrap_interval,
    mean_interval,
    spearman,
    wilson_interval,
)
from matching.selectors.ranking_report import ranking_report, ranking_report_intros
from matching.services.accounts import responder_account_delete
from tests.factories import ResponderFactory, StaffFactory, TherapistFactory
from tests.report_intros import NOW, intro

pytestmark = pytest.mark.django_db


def by_key(report):
    return {
        "all": report.overall.figures,
        "measured": report.by_source[0].figures,
        "self": report.by_source[1].figures,
    }


def test_the_score_goes_with_the_first_alliance_as_worked_out_by_hand() -> None:
    # Ranks of the alliance against the scores' 1..6: 1, 3, 2, 4, 6, 5; sum of d^2 is 4.
    for score, alliance in zip(
        (45, 58, 66, 75, 88, 92), (6.0, 7.5, 7.0, 8.0, 9.0, 8.5), strict=True
    ):
        intro(score, checkins={1: (alliance, 8)})
    intro(80)  # accepted, no check-in yet: in the selection, not in the figure
    figure = ranking_report(now=NOW).overall.figures["score_vs_first"]
    assert figure.shown
    assert figure.value == pytest.approx(1 - 6 * 4 / (6 * 35))
    assert figure.intros == 6 and figure.responders == 6 and figure.out_of == 7
    assert figure.not_in_it == 1
    low, high = figure.interval
    assert -1 <= low < figure.value <= high <= 1
    assert ranking_report(now=NOW).overall.figures["score_vs_first"] == figure  # seeded


def test_mean_weak_and_still_seeing_at_six_weeks_by_band() -> None:
    # 85 and above: alliance 9, 9, 8, 8, 7 (mean 8.2); one "fit" at 3 is weak (1 of 5).
    for alliance, fit in ((9, 8), (9, 3), (8, 8), (8, 9), (7, 7)):
        intro(90, checkins={1: (alliance, 8), 2: (alliance, fit)})
    # 70 to 84: 8, 7, 7, 6, 7 (mean 7.0); two fits at 4 or below (2 of 5). One plan stopped
    # 20 days in (before six weeks), one said at six weeks it no longer sees the therapist.
    for alliance, fit in ((8, 4), (7, 2), (7, 8), (6, 8), (7, 8)):
        intro(75, checkins={1: (alliance, 8), 2: (alliance, fit)})
    intro(72, checkins={1: (5, 8)}, stopped_days_after=20, stop_reason="not_seeing")
    intro(71, checkins={1: (6, 8), 2: (6, 8, None, False)}, stopped_days_after=43)
    intro(84.6, accepted_days_ago=10)  # rounds to 85 on the card; six weeks not yet passed

    report = ranking_report(now=NOW)
    strong, good = report.by_band[3].figures, report.by_band[2].figures
    assert strong["six_alliance"].value == pytest.approx(8.2)
    assert strong["six_weak"].value == pytest.approx(0.2)
    assert strong["six_seeing"].value == 1.0 and strong["six_seeing"].intros == 5
    assert strong["six_alliance"].out_of == 6  # the 84.6 counts in 85 and above
    assert good["six_alliance"].value == pytest.approx((8 + 7 + 7 + 6 + 7 + 6) / 6)
    assert good["six_weak"].value == pytest.approx(2 / 6)
    assert good["six_seeing"].value == pytest.approx(5 / 7) and good["six_seeing"].intros == 7
    assert report.by_band[0].figures["six_alliance"].intros == 0
    assert not report.by_band[0].figures["six_alliance"].shown
    assert report.overall.figures["six_alliance"].value == pytest.approx((41 + 41) / 11)


def test_measured_and_self_described_side_by_side() -> None:
    for score, alliance in zip((60, 70, 80, 90, 95), (6, 7, 8, 9, 10), strict=True):
        intro(score, source="measured", checkins={1: (alliance, 8), 2: (alliance, 8)})
    for score, alliance in zip((60, 70, 80, 90, 95), (9, 9, 8, 7, 6), strict=True):
        intro(score, checkins={1: (alliance, 8), 2: (alliance, 3)})
    figures = by_key(ranking_report(now=NOW))
    assert figures["measured"]["score_vs_first"].value == pytest.approx(1.0)
    assert figures["self"]["score_vs_first"].value == pytest.approx(-0.975, abs=1e-3)
    assert figures["measured"]["six_alliance"].value == pytest.approx(8.0)
    assert figures["self"]["six_alliance"].value == pytest.approx(7.8)
    assert figures["measured"]["six_weak"].value == 0.0
    assert figures["self"]["six_weak"].value == 1.0
    assert figures["all"]["six_weak"].value == 0.5 and figures["all"]["six_weak"].intros == 10


def test_the_first_alliance_against_the_change_in_wellbeing_by_the_third() -> None:
    # Wellbeing (overall) first -> third: changes +3, +2, +1, 0, -1, against alliances
    # 9, 8.5, 8, 7, 6: the same order, so the rank correlation is 1.
    for alliance, first, third in ((9, 4, 7), (8.5, 5, 7), (8, 5, 6), (7, 6, 6), (6, 6, 5)):
        intro(
            80,
            accepted_days_ago=200,
            checkins={1: (alliance, 8, first), 2: (alliance, 8), 3: (alliance, 8, third)},
        )
    # A third check-in without wellbeing answers counts nowhere in this figure.
    intro(80, accepted_days_ago=200, checkins={1: (7, 8, 5), 2: (7, 8), 3: (7, 8)})
    figure = ranking_report(now=NOW).overall.figures["alliance_vs_wellbeing"]
    assert figure.value == pytest.approx(1.0) and figure.intros == 5 and figure.out_of == 6


def test_the_selection_counts_every_intro_and_where_it_stopped() -> None:
    intro(70, status="pending")
    intro(70, status="declined")
    intro(70, status="expired")
    intro(70, status="withdrawn")
    intro(None, status="declined")  # the therapist did not pass the filters: not scored
    intro(70, checkins={1: (8, 8), 2: "due"})
    intro(70, checkins={1: "skipped", 2: (8, 8)})
    intro(70, checkins={1: "lapsed", 2: "lapsed"})
    intro(70, checkins={1: "stopped"}, stopped_days_after=15, stop_reason="responder")
    intro(70, checkins={1: "due"}, accepted_days_ago=15)
    gone = intro(70, checkins={1: (7, 8)})
    responder_account_delete(user=gone.responder.user)

    selection = ranking_report(now=NOW).selection
    assert (selection.made, selection.scored, selection.accepted) == (11, 10, 6)
    assert selection.by_status == {
        "pending": 1,
        "accepted": 5,
        "declined": 1,
        "expired": 1,
        "withdrawn": 1,
        "": 1,  # the responder deleted their account; the plan shows it was accepted
    }
    assert selection.first_checkin == {
        "answered": 2,
        "skipped": 1,
        "lapsed": 1,
        "stopped": 1,
        "due": 1,
        "not_planned": 0,
    }
    assert selection.second_checkin == {
        "answered": 1,
        "skipped": 0,
        "lapsed": 1,
        "stopped": 0,
        "due": 1,
        "not_planned": 3,
    }
    assert selection.stopped == {"": 4, "responder": 1, "account_deleted": 1}
    assert selection.never_answered == 4 + 3  # four never accepted, three accepted


def test_an_intro_stays_in_the_report_after_the_responder_deletes_their_account() -> None:
    kept = [intro(score, checkins={1: (score / 10, 8)}) for score in (50, 60, 70, 80, 90)]
    responder_account_delete(user=kept[0].responder.user)
    # An accepted intro stays as an ended conversation with no responder; others go.
    remaining = IntroRequest.objects.filter(pk=kept[0].pk).first()
    assert remaining is None or remaining.responder_id is None
    figure = ranking_report(now=NOW).overall.figures["score_vs_first"]
    assert figure.intros == 5 and figure.responders == 5
    assert figure.value == pytest.approx(1.0)


def test_nothing_is_shown_from_fewer_than_five_responders() -> None:
    for score in (50, 60, 70, 80):
        intro(score, checkins={1: (score / 10, 8), 2: (7, 8)})
    report = ranking_report(now=NOW)
    figure = report.overall.figures["score_vs_first"]
    assert not figure.shown and figure.value is None and figure.interval is None
    assert figure.intros == 4  # the count is shown, the figure is not


def test_one_responders_many_intros_are_still_one_responder() -> None:
    one = ResponderFactory()
    for score in (50, 60, 70, 80, 90, 95):
        intro(score, responder=one, checkins={1: (score / 10, 8)})
    figure = ranking_report(now=NOW).overall.figures["score_vs_first"]
    assert figure.intros == 6 and figure.responders == 1 and not figure.shown


def _figures_with_each_intro_alone(records):
    """The report's overall figures as if no intro's therapist were known: each intro is
    then drawn on its own, the interval a report without therapists would give."""
    return report_of(
        [replace(record, therapist=None) for record in records],
        minimum=settings.ALLIANCE_MIN_RESPONDERS,
        statuses=IntroRequest.Status.values,
    ).overall.figures


def test_a_therapists_intros_are_drawn_together_in_the_intervals() -> None:
    # Six therapists, three intros each, every intro of a therapist alike: the intervals
    # know as much as six intros tell, exactly the row bootstrap of those six. Drawn as
    # eighteen separate intros they would look surer than they are.
    scores, alliances = (45, 58, 66, 75, 88, 92), (6.0, 7.5, 7.0, 8.0, 9.0, 8.5)
    therapists = [TherapistFactory() for _ in scores]
    for therapist, score, alliance in zip(therapists, scores, alliances, strict=True):
        for _ in range(3):
            intro(score, therapist=therapist, checkins={1: (alliance, 8)})
    records = ranking_report_intros(now=NOW)
    assert [r.therapist for r in records] == [t.pk for t in therapists for _ in range(3)]
    figures = ranking_report(now=NOW).overall.figures
    correlation, mean = figures["score_vs_first"], figures["first_alliance"]
    assert correlation.intros == 18 and correlation.responders == 18
    assert correlation.interval == pytest.approx(bootstrap_interval(spearman, scores, alliances))
    assert mean.interval == pytest.approx(mean_interval(alliances))
    alone = _figures_with_each_intro_alone(records)
    assert {r.therapist_group for r in records[:3]} == {("therapist", therapists[0].pk)}
    assert replace(records[0], therapist=None).therapist_group == ("intro", records[0].intro_id)
    width = correlation.interval[1] - correlation.interval[0]
    assert alone["score_vs_first"].interval[1] - alone["score_vs_first"].interval[0] < width


def test_a_therapists_intros_count_together_in_a_shares_interval() -> None:
    # Six therapists, three intros each: all three weak at six weeks for two therapists,
    # none for four. The share is 6 of 18, but it tells what 2 weak of 6 therapists tell:
    # a design effect of 3, so Wilson's interval on 2 of 6, not on 6 of 18.
    therapists = [TherapistFactory() for _ in range(6)]
    for number, therapist in enumerate(therapists):
        alliance = 3.0 if number < 2 else 8.0
        for _ in range(3):
            intro(70, therapist=therapist, checkins={2: (alliance, 8)})
    weak = ranking_report(now=NOW).overall.figures["six_weak"]
    assert (weak.intros, weak.therapists) == (18, 6)
    assert weak.value == pytest.approx(1 / 3)
    assert weak.interval == pytest.approx(wilson_interval(2, 6))
    # Each intro drawn alone (no therapist known): the narrower interval of 6 of 18.
    alone = _figures_with_each_intro_alone(ranking_report_intros(now=NOW))["six_weak"]
    assert alone.interval == pytest.approx(wilson_interval(6, 18))
    assert alone.interval[1] - alone.interval[0] < weak.interval[1] - weak.interval[0]


def _report_page_as_staff(totp_user_factory) -> str:
    """The report as a staff member with two-factor reads it."""
    staff = StaffFactory()
    totp_user_factory(staff)
    client = Client()
    client.force_login(staff)
    return client.get(reverse("matching:ranking_report")).text


def test_from_fewer_than_five_therapists_a_figure_has_no_interval(totp_user_factory) -> None:
    # Six responders asked the same four therapists: six responders are enough to show the
    # figures, but drawing among four therapists says little of therapists beyond them
    # (from one, every draw is alike and the interval would be a point).
    four = [TherapistFactory() for _ in range(4)]
    for n, (score, alliance) in enumerate(
        zip((45, 58, 66, 75, 88, 92), (6, 7.5, 7, 8, 9, 8.5), strict=True)
    ):
        intro(score, therapist=four[n % 4], checkins={1: (alliance, 8), 2: (alliance, 8)})
    figures = ranking_report(now=NOW).overall.figures
    correlation, mean = figures["score_vs_first"], figures["first_alliance"]
    assert correlation.shown and correlation.value == pytest.approx(1 - 6 * 4 / (6 * 35))
    assert correlation.therapists == 4 and correlation.interval is None
    assert correlation.too_few_therapists_for_interval
    assert mean.interval is None and mean.too_few_therapists_for_interval
    weak = figures["six_weak"]  # a share: Wilson's interval, under the same minimum
    assert weak.shown and weak.therapists == 4
    assert weak.interval is None and weak.too_few_therapists_for_interval
    page = _report_page_as_staff(totp_user_factory)
    assert "no interval: fewer than 5 therapists behind it" in page
    # A fifth therapist: the intervals come back.
    intro(70, therapist=TherapistFactory(), checkins={1: (7.5, 8), 2: (7.5, 8)})
    figures = ranking_report(now=NOW).overall.figures
    assert figures["score_vs_first"].therapists == 5
    assert figures["score_vs_first"].interval is not None
    assert not figures["score_vs_first"].too_few_therapists_for_interval
    assert figures["first_alliance"].interval is not None
    assert figures["six_weak"].interval is not None


def test_a_small_band_is_not_given_away_by_the_total_minus_the_bands_shown() -> None:
    for alliance in (9, 9, 8, 8, 7):
        intro(90, checkins={2: (alliance, 8)})
    for alliance in (8, 7, 7, 6, 7):
        intro(75, checkins={2: (alliance, 8)})
    intro(60, checkins={2: (3, 8)})  # one responder in 50 to 69
    bands = [group.figures["six_alliance"] for group in ranking_report(now=NOW).by_band]
    # 50 to 69 alone would be the total minus the bands shown: the smaller of the two
    # others that tie (70 to 84, first in order) is held back with it.
    assert [band.shown for band in bands] == [False, False, False, True]
    assert bands[3].value == pytest.approx(8.2)


def test_parts_held_back_together_cover_the_minimum_or_nothing() -> None:
    def people(*sizes):
        start, parts = 0, []
        for size in sizes:
            parts.append(frozenset(range(start, start + size)))
            start += size
        return parts

    assert parts_shown(12, people(7, 5), 5) == [True, True]
    assert parts_shown(12, people(8, 4), 5) == [False, False]
    assert parts_shown(12, people(6, 5, 1), 5) == [True, False, False]
    assert parts_shown(10, people(5, 5, 0), 5) == [True, True, False]
    assert parts_shown(4, people(4), 5) == [False]


def test_bands_cover_every_score_the_card_can_show() -> None:
    # As the card rounds ("Match 84 of 100" for 84.5, Python's round half to even).
    scores = (0, 49.4, 49.5, 69.49, 84.5, 84.6, 100)
    assert [band_of(s) for s in scores] == [0, 0, 1, 1, 2, 3, 3]
    assert SCORE_BANDS[0][0] == 0 and SCORE_BANDS[-1][1] == 100
    for (_, high, _), (low, _, _) in itertools.pairwise(SCORE_BANDS):
        assert low == high + 1


def test_the_report_reads_in_three_queries_whatever_the_number_of_intros(
    django_assert_num_queries,
) -> None:
    for score in (50, 60, 70):
        intro(score, checkins={1: (7, 8), 2: (7, 8), 3: (7, 8, 5)})
    with django_assert_num_queries(3):
        few = ranking_report_intros(now=NOW)
    for score in (55, 65, 75, 85, 95, 99):
        intro(score, checkins={1: (7, 8), 2: "skipped"})
    with django_assert_num_queries(3):
        many = ranking_report_intros(now=NOW)
    assert len(few) == 3 and len(many) == 9


def test_staff_with_two_factor_read_the_report_without_one_intro_in_it(totp_user_factory) -> None:
    for score, alliance in zip((45, 58, 66, 75, 88, 92), (6, 7.5, 7, 8, 9, 8.5), strict=True):
        intro(score, checkins={1: (alliance, 8)})
    page = _report_page_as_staff(totp_user_factory)
    assert "Does the ranking work?" in page
    assert "+0.89" in page  # the rank correlation, 0.886
    assert "6 of 6 intros, 6 responders" in page
    assert "Too few to show" in page  # nobody has reached six weeks
    assert "<svg" in page and 'role="img"' in page and "style=" not in page
    for therapist_name in IntroRequest.objects.values_list("therapist__full_name", flat=True):
        assert therapist_name not in page


@pytest.mark.parametrize("who", ["anonymous", "responder", "therapist", "staff_no_mfa"])
def test_everyone_else_is_refused_the_report(who, totp_user_factory) -> None:
    client = Client()
    if who == "responder":
        client.force_login(ResponderFactory().user)
    elif who == "therapist":
        therapist = TherapistFactory()
        totp_user_factory(therapist.user)
        client.force_login(therapist.user)
    elif who == "staff_no_mfa":
        client.force_login(StaffFactory())
    response = client.get(reverse("matching:ranking_report"))
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif who == "staff_no_mfa":
        assert response.status_code == 302 and "/2fa/totp/activate" in response["Location"]
    else:
        assert response.status_code == 403
    assert "Does the ranking work?" not in response.text
