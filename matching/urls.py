from __future__ import annotations

from django.urls import path

from matching.views import accounts, coverage, intros, pages, referrals, staff, therapist

app_name = "matching"

urlpatterns = [
    path("find/", pages.intake_step, {"step": "work"}, name="intake"),
    path("find/help-now/", pages.help_first, name="help_first"),
    path("find/answers/", pages.answers, name="answers"),
    path("find/answers/clear/", pages.clear_answers, name="clear_answers"),
    path("find/notify-me/", coverage.coverage_watch, name="coverage_watch"),
    path("share/", referrals.referral_make, name="referral_make"),
    path("find/from/<str:token>/", referrals.referral_open, name="referral_open"),
    path("find/from/<str:token>/start/", referrals.referral_start, name="referral_start"),
    path("find/notify-me/done/", coverage.coverage_watch_done, name="coverage_watch_done"),
    path("find/<slug:step>/", pages.intake_step, name="intake_step"),
    path("matches/", pages.results, name="results"),
    path("me/", pages.me, name="me"),
    path("me/export/", accounts.export, name="export"),
    path("me/data/", accounts.my_data, name="my_data"),
    path("me/delete/", accounts.delete, name="account_delete"),
    path("therapist/close/", accounts.close, name="account_close"),
    path("therapists/<uuid:public_id>/intro/", intros.intro_new, name="intro_new"),
    path("me/intros/", intros.my_intros, name="my_intros"),
    path("me/intros/<uuid:public_id>/", intros.my_intro, name="my_intro"),
    path("me/intros/<uuid:public_id>/withdraw/", intros.withdraw, name="intro_withdraw"),
    path(
        "me/intros/<uuid:public_id>/session-arranged/",
        intros.my_intro_session,
        name="my_intro_session",
    ),
    path("me/intros/<uuid:public_id>/close/", intros.my_intro_close, name="my_intro_close"),
    path("me/intros/<uuid:public_id>/block/", intros.my_intro_block, name="my_intro_block"),
    path("therapist/", therapist.therapist_home, name="therapist_home"),
    path("therapist/intros/", intros.inbox, name="inbox"),
    path("therapist/intros/<uuid:public_id>/", intros.inbox_detail, name="inbox_detail"),
    path("therapist/intros/<uuid:public_id>/messages/", intros.inbox_message, name="inbox_message"),
    path(
        "therapist/intros/<uuid:public_id>/session-arranged/",
        intros.inbox_session,
        name="inbox_session",
    ),
    path("therapist/intros/<uuid:public_id>/close/", intros.inbox_close, name="inbox_close"),
    path("therapists/<uuid:public_id>/", pages.therapist_detail, name="therapist_detail"),
    path("therapist/profile/preview/", pages.therapist_preview, name="therapist_preview"),
    path("how-we-rank/", pages.how_we_rank, name="how_we_rank"),
    path("staff/ranking-report/", staff.ranking_report, name="ranking_report"),
    path("staff/supply/", staff.supply_demand, name="supply_demand"),
]
