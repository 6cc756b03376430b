from __future__ import annotations

from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("therapist/profile/", views.editor, name="editor"),
    path("therapist/profile/identity/", views.identity, name="identity"),
    path("therapist/profile/experience/", views.section, {"key": "experience"}, name="experience"),
    path("therapist/profile/clinical/", views.section, {"key": "clinical"}, name="clinical"),
    path("therapist/profile/practical/", views.section, {"key": "practical"}, name="practical"),
    path("therapist/profile/capacity/", views.capacity, name="capacity"),
    path("therapist/profile/credentials/", views.credentials, name="credentials"),
    path(
        "therapist/profile/licenses/add/",
        views.record_edit,
        {"kind": "license"},
        name="license_add",
    ),
    path(
        "therapist/profile/licenses/<int:pk>/",
        views.record_edit,
        {"kind": "license"},
        name="license_edit",
    ),
    path(
        "therapist/profile/licenses/<int:pk>/remove/",
        views.record_delete,
        {"kind": "license"},
        name="license_delete",
    ),
    path(
        "therapist/profile/trainings/add/",
        views.record_edit,
        {"kind": "training"},
        name="training_add",
    ),
    path(
        "therapist/profile/trainings/<int:pk>/",
        views.record_edit,
        {"kind": "training"},
        name="training_edit",
    ),
    path(
        "therapist/profile/trainings/<int:pk>/remove/",
        views.record_delete,
        {"kind": "training"},
        name="training_delete",
    ),
    path("therapist/profile/confirm/", views.confirm, name="confirm"),
    path("therapist/profile/publish/", views.publish, name="publish"),
    path("therapist/profile/unpublish/", views.unpublish, name="unpublish"),
    path("me/name/", views.pseudonym, name="pseudonym"),
    path("therapists/<uuid:public_id>/photo/", views.therapist_photo, name="therapist_photo"),
]
