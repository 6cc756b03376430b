from __future__ import annotations

from django.urls import path

from profiles.views import editor, join, openings, vetting

app_name = "profiles"

urlpatterns = [
    path("for-therapists/", join.for_therapists, name="for_therapists"),
    path("therapist/profile/", editor.editor, name="editor"),
    path("therapist/profile/identity/", editor.identity, name="identity"),
    path("therapist/profile/experience/", editor.section, {"key": "experience"}, name="experience"),
    path("therapist/profile/clinical/", editor.section, {"key": "clinical"}, name="clinical"),
    path("therapist/profile/practical/", editor.section, {"key": "practical"}, name="practical"),
    path("therapist/profile/capacity/", editor.capacity, name="capacity"),
    path("therapist/profile/credentials/", editor.credentials, name="credentials"),
    path(
        "therapist/profile/licenses/add/",
        editor.record_edit,
        {"kind": "license"},
        name="license_add",
    ),
    path(
        "therapist/profile/licenses/<int:pk>/",
        editor.record_edit,
        {"kind": "license"},
        name="license_edit",
    ),
    path(
        "therapist/profile/licenses/<int:pk>/remove/",
        editor.record_delete,
        {"kind": "license"},
        name="license_delete",
    ),
    path(
        "therapist/profile/trainings/add/",
        editor.record_edit,
        {"kind": "training"},
        name="training_add",
    ),
    path(
        "therapist/profile/trainings/<int:pk>/",
        editor.record_edit,
        {"kind": "training"},
        name="training_edit",
    ),
    path(
        "therapist/profile/trainings/<int:pk>/remove/",
        editor.record_delete,
        {"kind": "training"},
        name="training_delete",
    ),
    path("therapist/profile/confirm/", editor.confirm, name="confirm"),
    path("therapist/openings/reopen/", openings.reopen, name="openings_reopen"),
    path(
        "therapist/openings/reopen/<str:token>/",
        openings.reopen_link,
        name="openings_reopen_link",
    ),
    path("therapist/openings/reopened/", openings.reopened, name="openings_reopened"),
    path("therapist/profile/publish/", editor.publish, name="publish"),
    path("therapist/profile/unpublish/", editor.unpublish, name="unpublish"),
    path("staff/vetting/", vetting.queue, name="vetting_queue"),
    path("staff/vetting/<slug:kind>/<int:pk>/", vetting.review, name="vetting_review"),
    path("staff/audit/", vetting.audit_trail, name="audit_trail"),
    path("documents/<slug:kind>/<int:pk>/", vetting.document, name="document"),
    path(
        "documents/<slug:kind>/<int:pk>/preview/",
        vetting.document_preview,
        name="document_preview",
    ),
    path("me/name/", editor.pseudonym, name="pseudonym"),
    path("therapists/<uuid:public_id>/photo/", editor.therapist_photo, name="therapist_photo"),
]
