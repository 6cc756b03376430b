"""Evidence as a picture drawn on the server, so staff never open an uploaded PDF themselves.

A PDF's first pages are rendered by PDFium (pypdfium2, which runs no JavaScript and follows
no actions); an image is decoded and drawn again. Either way staff receive a plain PNG of
pixels only.
"""

from __future__ import annotations

import io
from typing import BinaryIO

import pypdfium2
from PIL import Image

from profiles.uploads import JPEG, PDF, PNG

PREVIEW_PAGES_MAX = 3
PREVIEW_WIDTH_MAX_PIXELS = 1200
PDF_RENDER_SCALE = 1.5  # 108 dpi: a license's number and dates stay legible


class PreviewError(Exception):
    """The document cannot be drawn as a picture."""


def _pdf_pages(data: bytes) -> list[Image.Image]:
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise PreviewError("The PDF cannot be read.") from error
    try:
        return [
            document[index].render(scale=PDF_RENDER_SCALE).to_pil().convert("RGB")
            for index in range(min(len(document), PREVIEW_PAGES_MAX))
        ]
    finally:
        document.close()


def _image(data: bytes) -> list[Image.Image]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return [image.convert("RGB")]
    except (OSError, Image.DecompressionBombError) as error:
        raise PreviewError("The image cannot be read.") from error


def evidence_preview_png(*, file: BinaryIO, content_type: str) -> bytes:
    """The document's first pages (or the image) as one PNG, at most 1200 pixels wide."""
    data = file.read()
    if content_type == PDF:
        pages = _pdf_pages(data)
    elif content_type in (PNG, JPEG):
        pages = _image(data)
    else:
        raise PreviewError("Only PDF, PNG and JPEG documents have a preview.")
    if not pages:
        raise PreviewError("The document has no pages.")
    for page in pages:
        page.thumbnail((PREVIEW_WIDTH_MAX_PIXELS, PREVIEW_WIDTH_MAX_PIXELS * 4))
    width = max(page.width for page in pages)
    sheet = Image.new("RGB", (width, sum(page.height for page in pages)), "white")
    top = 0
    for page in pages:
        sheet.paste(page, (0, top))
        top += page.height
    out = io.BytesIO()
    sheet.save(out, format="PNG")
    return out.getvalue()
