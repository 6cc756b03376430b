from __future__ import annotations

from django.urls import path

from alliance import views

app_name = "alliance"

urlpatterns = [
    path("therapist/profile/alliance/", views.edit, name="edit"),
]
