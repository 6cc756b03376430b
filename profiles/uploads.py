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
from PIL import Image, ImageOps, UnidentifiedImageError

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
        if content_type == PNG and png_trailing_bytes(upload.read()):
            raise ValidationError(
                "This image carries extra data after the picture, which we cannot accept. "
                "Save or export it again as a new PNG or JPEG and upload that.",
                code="trailing_data",
            )
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


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_trailing_bytes(content: bytes) -> int:
    """Bytes after a PNG's IEND chunk (or the whole rest, if it has none).

    A PNG ends at its IEND chunk; anything after it (HTML, a script, a second file) is no
    part of the picture, and is how one file passes for an image and for something else.
    """
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(content):
        length = int.from_bytes(content[position : position + 4], "big")
        chunk_type = content[position + 4 : position + 8]
        position += 12 + length  # length, type, data, CRC
        if chunk_type == b"IEND":
            return max(0, len(content) - position)
    return len(content)


def reencode_evidence_image(upload: UploadedFile, *, content_type: str) -> ContentFile:
    """Return an evidence image drawn again in its own format, with nothing but its pixels.

    The stored file is a fresh encoding: no metadata, no comments, no trailing bytes, no
    other chunk of the upload survives. Size is kept (staff read small print); a JPEG is
    turned as its camera said and saved at quality 95.
    """
    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image)
        keep_modes = ("1", "L", "LA", "RGB", "RGBA") if content_type == PNG else ("L", "RGB")
        image = (
            image.copy()
            if image.mode in keep_modes
            else image.convert("RGBA" if content_type == PNG else "RGB")
        )
        # Pillow writes a source's comment, profile and text back out from `info`: drop it.
        image.info = {}
        buffer = io.BytesIO()
        if content_type == PNG:
            image.save(buffer, format="PNG", optimize=True)
        else:
            image.save(buffer, format="JPEG", quality=95)
    upload.seek(0)
    return ContentFile(buffer.getvalue())


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
