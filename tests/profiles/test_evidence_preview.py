"""Staff see evidence as a picture drawn on the server, never the uploaded file itself."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from profiles.models import AuditEntry, VettingStatus
from tests.factories import LicenseFactory, TrainingFactory, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client, staff_with_mfa) -> Client:
    client.force_login(staff_with_mfa)
    return client


def preview_url(record, kind: str = "license") -> str:
    return reverse("profiles:document_preview", args=[kind, record.pk])


def test_a_pdf_is_drawn_as_a_png_and_the_view_is_audited(staff_client: Client) -> None:
    license = LicenseFactory(status=VettingStatus.PENDING)
    response = staff_client.get(preview_url(license))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    with Image.open(io.BytesIO(response.content)) as picture:
        assert picture.format == "PNG"
        assert picture.width > 100
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DOCUMENT_VIEWED)
    assert (entry.target_type, entry.target_id) == ("license", license.pk)


def test_an_image_is_drawn_again_without_its_metadata(staff_client: Client) -> None:
    training = TrainingFactory(
        status=VettingStatus.PENDING,
        document=ContentFile(image_bytes("JPEG", (300, 200)), name="evidence.jpg"),
        document_content_type="image/jpeg",
    )
    response = staff_client.get(preview_url(training, "training"))
    assert response.status_code == 200
    with Image.open(io.BytesIO(response.content)) as picture:
        assert (picture.format, picture.size) == ("PNG", (300, 200))
        assert not picture.info.get("exif")


def test_a_document_that_cannot_be_drawn_is_not_found_and_nothing_is_recorded(
    staff_client: Client,
) -> None:
    license = LicenseFactory(
        status=VettingStatus.PENDING,
        document=ContentFile(b"%PDF-1.7\nnot really a pdf\n%%EOF", name="evidence.pdf"),
    )
    assert staff_client.get(preview_url(license)).status_code == 404
    assert not AuditEntry.objects.exists()


def test_the_review_page_shows_the_picture_not_the_file(staff_client: Client) -> None:
    license = LicenseFactory(status=VettingStatus.PENDING)
    page = staff_client.get(reverse("profiles:vetting_review", args=["license", license.pk]))
    assert f'<img class="evidence" src="{preview_url(license)}"' in page.text
    assert f'src="{reverse("profiles:document", args=["license", license.pk])}"' not in page.text
