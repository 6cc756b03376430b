"""Check uploads by their content, not their name, and store photos re-encoded."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
EXTENSIONS = {PDF: ("pdf",), PNG: ("png",), JPEG: ("jpg", "jpeg")}
LABELS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG"}
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_SIDE_PX = 800
# Django strips directories from uploaded names; anything else unusual is refused outright.
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]|\.\.|^\.")


@dataclass(frozen=True)
class CheckedUpload:
    file: UploadedFile
    content_type: str


def sniff_content_type(head: bytes) -> str | None:
    """Name the file type from its first bytes, or None when it is none we accept."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def _describe(head: bytes) -> str:
    if head.startswith((b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        return "a program"
    return "not a PDF, PNG or JPEG file"


def check_upload(upload: UploadedFile, *, allowed: tuple[str, ...]) -> CheckedUpload:
    """Refuse an upload that is too big, oddly named, or not what its content shows."""
    allowed_labels = " or ".join(LABELS[t] for t in allowed)
    name = upload.name or ""
    if not name or UNSAFE_NAME.search(name) or len(name) > 150:
        raise ValidationError(
            "The file name has characters we cannot accept. Rename the file and try again.",
            code="unsafe_name",
        )
    if upload.size is None or upload.size > settings.MAX_UPLOAD_BYTES:
        limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        raise ValidationError(f"The file is larger than {limit_mb} MB.", code="too_large")
    if upload.size == 0:
        raise ValidationError("The file is empty.", code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type not in allowed:
        raise ValidationError(
            f"This file is {_describe(head)}. Upload a {allowed_labels} file.",
            code="wrong_type",
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS[content_type]:
        raise ValidationError(
            f"The file is named like a .{extension or '(none)'} file but its content is "
            f"{LABELS[content_type]}. Upload the file as it is.",
            code="name_mismatch",
        )
    if content_type in (PNG, JPEG):
        _check_image(upload)
    else:
        _check_pdf(upload)
    upload.seek(0)
    return CheckedUpload(file=upload, content_type=content_type)


def _check_image(upload: UploadedFile) -> None:
    try:
        with Image.open(upload) as image:
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise ValidationError("The image is too large.", code="too_large")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError("The image is damaged or incomplete.", code="damaged") from None
    finally:
        upload.seek(0)


def _check_pdf(upload: UploadedFile) -> None:
    upload.seek(max(0, upload.size - 2048))
    tail = upload.read()
    upload.seek(0)
    if b"%%EOF" not in tail:
        raise ValidationError("The PDF is damaged or incomplete.", code="damaged")


def reencode_photo(upload: UploadedFile) -> ContentFile:
    """Return the photo as a JPEG of at most 800 px a side, without its metadata."""
    with Image.open(upload) as image:
        image = image.convert("RGB")
        image.thumbnail((PHOTO_SIDE_PX, PHOTO_SIDE_PX))
        buffer = io.BytesIO()
        # A fresh save writes no EXIF: location and camera details are dropped.
        image.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue())
