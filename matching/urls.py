from __future__ import annotations

from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("find/", views.intake_step, {"step": "work"}, name="intake"),
    path("find/help-now/", views.help_first, name="help_first"),
    path("find/answers/", views.answers, name="answers"),
    path("find/<slug:step>/", views.intake_step, name="intake_step"),
    path("matches/", views.results, name="results"),
    path("me/", views.me, name="me"),
    path("therapists/<uuid:public_id>/", views.therapist_detail, name="therapist_detail"),
    path("therapist/profile/preview/", views.therapist_preview, name="therapist_preview"),
    path("how-we-rank/", views.how_we_rank, name="how_we_rank"),
]
