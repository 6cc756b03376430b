from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from profiles.uploads import JPEG, PDF, PNG, check_upload, reencode_photo
from tests.factories import image_bytes, pdf_bytes

EVIDENCE = (PDF, PNG, JPEG)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("license.pdf", pdf_bytes(), PDF),
        ("scan.PNG", image_bytes("PNG"), PNG),
        ("photo.jpeg", image_bytes("JPEG"), JPEG),
        ("photo.jpg", image_bytes("JPEG"), JPEG),
    ],
)
def test_real_documents_are_accepted_by_their_content(name: str, content: bytes, kind: str) -> None:
    assert check_upload(upload(name, content), allowed=EVIDENCE).content_type == kind


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("license.pdf", b"MZ\x90\x00" + b"\x00" * 200, "This file is a program"),
        ("license.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "This file is a program"),
        ("notes.pdf", b"just some text pretending", "not a PDF, PNG or JPEG file"),
        ("license.png", pdf_bytes(), "its content is PDF"),
        ("license", pdf_bytes(), "named like a .(none) file"),
        ("license.pdf", b"%PDF-1.4\n truncated", "The PDF is damaged or incomplete"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "The image is damaged or incomplete"),
        ("..hidden.pdf", pdf_bytes(), "The file name has characters we cannot accept"),
        ("lic:ense.pdf", pdf_bytes(), "The file name has characters we cannot accept"),
        ("empty.pdf", b"", "The file is empty"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(
    name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ValidationError) as info:
        check_upload(upload(name, content), allowed=EVIDENCE)
    assert message in info.value.messages[0]


@override_settings(MAX_UPLOAD_BYTES=1024)
def test_an_oversize_file_is_refused() -> None:
    big = pdf_bytes() + b"0" * 2048
    with pytest.raises(ValidationError, match="larger than 0 MB"):
        check_upload(upload("big.pdf", big), allowed=EVIDENCE)


def test_ten_megabytes_is_the_default_limit() -> None:
    too_big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"%%EOF"
    with pytest.raises(ValidationError, match="larger than 10 MB"):
        check_upload(upload("big.pdf", too_big), allowed=EVIDENCE)


def test_photos_must_be_images() -> None:
    with pytest.raises(ValidationError, match="Upload a PNG or JPEG file"):
        check_upload(upload("me.pdf", pdf_bytes()), allowed=(PNG, JPEG))


def test_photos_are_resized_and_lose_their_metadata() -> None:
    source = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Example camera maker"
    Image.new("RGB", (2000, 1000), (10, 20, 30)).save(source, format="JPEG", exif=exif)
    photo = reencode_photo(upload("me.jpg", source.getvalue()))
    with Image.open(io.BytesIO(photo.read())) as result:
        assert result.format == "JPEG"
        assert result.size == (800, 400)
        assert not result.getexif()


POLYGLOT_TAIL = b"<html><script>fetch('/staff/')</script></html>"


def test_a_png_with_trailing_html_and_script_is_refused() -> None:
    with pytest.raises(ValidationError) as refused:
        check_upload(upload("scan.png", image_bytes("PNG") + POLYGLOT_TAIL), allowed=EVIDENCE)
    assert refused.value.code == "trailing_data"
    assert "extra data after the picture" in refused.value.messages[0]
