"""Check uploads by their content, not their name, and store photos re-encoded."""

from __future__ import annotations

import io
import re
import zlib
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
# PDF names that run code, act on opening, reach out, or carry other files: evidence needs
# none of them, and staff open these documents.
PDF_ACTIVE_NAMES = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"GoToE",
        b"SubmitForm",
        b"ImportData",
        b"XFA",
    }
)
PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)
# Decompressed stream content examined at most; a PDF inflating beyond it is refused.
PDF_MAX_INFLATED_BYTES = 50 * 1024 * 1024
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
    content = upload.read()
    upload.seek(0)
    if pdf_active_content(content):
        raise ValidationError(
            "This PDF carries scripts, actions or attached files, which we cannot accept. "
            "Print it to a new PDF, or upload a scan as PDF, PNG or JPEG.",
            code="active_content",
        )


def pdf_active_content(content: bytes) -> set[str]:
    """Name the active parts of a PDF (scripts, launch actions, attached files), if any.

    Names are looked for in the file and inside its compressed streams (object streams
    hide whole dictionaries), with #xx escapes undone ("/J#61vaScript" is /JavaScript).
    A PDF whose streams inflate past PDF_MAX_INFLATED_BYTES is refused unread.
    """
    found: set[str] = set()
    budget = PDF_MAX_INFLATED_BYTES
    chunks = [content]
    for stream in PDF_STREAM.finditer(content):
        try:
            inflated = zlib.decompressobj().decompress(stream.group(1), budget + 1)
        except zlib.error:
            continue  # not Flate-compressed: its raw bytes are searched with the file
        budget -= len(inflated)
        if budget < 0:
            return {"too much compressed content"}
        chunks.append(inflated)
    for chunk in chunks:
        for match in PDF_NAME.finditer(chunk):
            name = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
            if name in PDF_ACTIVE_NAMES:
                found.add(name.decode())
    return found


def reencode_photo(upload: UploadedFile) -> ContentFile:
    """Return the photo as a JPEG of at most 800 px a side, without its metadata."""
    with Image.open(upload) as image:
        image = image.convert("RGB")
        image.thumbnail((PHOTO_SIDE_PX, PHOTO_SIDE_PX))
        buffer = io.BytesIO()
        # A fresh save writes no EXIF: location and camera details are dropped.
        image.save(buffer, format="JPEG", quality=85, optimize=True)
    return ContentFile(buffer.getvalue())
