from __future__ import annotations

from django.urls import path

from alliance import views

app_name = "alliance"

urlpatterns = [
    path("therapist/profile/alliance/", views.edit, name="edit"),
    path("check-in/<str:token>/", views.checkin_link, name="checkin_link"),
    path("me/check-ins/<uuid:public_id>/", views.checkin, name="checkin"),
    path("me/check-ins/<uuid:public_id>/done/", views.checkin_done, name="checkin_done"),
    path(
        "me/check-ins/<uuid:public_id>/<slug:action>/",
        views.checkin_action,
        name="checkin_action",
    ),
    path("therapist/alliance/", views.dashboard, name="dashboard"),
    path("staff/alliance/", views.staff_overview, name="staff"),
]
