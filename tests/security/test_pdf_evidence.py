"""Evidence PDFs that carry scripts, launch actions or attached files are refused."""

from __future__ import annotations

import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from profiles.uploads import PDF, check_upload, pdf_active_content
from tests.factories import pdf_bytes

HEAD, BODY = pdf_bytes().split(b"\n", 1)


def _pdf_with(extra_object: bytes) -> bytes:
    """The plain test PDF with one more object, as a tool that adds one would write it."""
    return HEAD + b"\n4 0 obj" + extra_object + b"endobj\n" + BODY


def _compressed_object_stream(dictionary: bytes) -> bytes:
    data = zlib.compress(b"5 0 " + dictionary)
    return (
        b"<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length "
        + str(len(data)).encode()
        + b">>stream\n"
        + data
        + b"\nendstream"
    )


def _check(content: bytes):
    return check_upload(
        SimpleUploadedFile("license.pdf", content, content_type="application/pdf"), allowed=(PDF,)
    )


ACTIVE = {
    "javascript open action": _pdf_with(b"<</S/JavaScript/JS(app.alert(1))>>"),
    "escaped name": _pdf_with(b"<</S/J#61vaScript/J#53(app.alert(1))>>"),
    "launch action": _pdf_with(b"<</S/Launch/F(cmd.exe)>>"),
    "embedded file": _pdf_with(b"<</Names<</EmbeddedFiles[(a.exe) 6 0 R]>>>>"),
    "inside an object stream": _pdf_with(
        _compressed_object_stream(b"<</S/JavaScript/JS(this.exportDataObject())>>")
    ),
    "xfa form": _pdf_with(b"<</AcroForm<</XFA 7 0 R>>>>"),
}


@pytest.mark.parametrize("content", ACTIVE.values(), ids=ACTIVE.keys())
def test_a_pdf_with_active_content_is_refused(content: bytes) -> None:
    assert pdf_active_content(content)
    with pytest.raises(ValidationError) as refused:
        _check(content)
    assert refused.value.code == "active_content"
    assert "scripts, actions or attached files" in refused.value.messages[0]


def test_a_plain_pdf_and_one_with_ordinary_compressed_pages_are_accepted() -> None:
    assert _check(pdf_bytes()).content_type == PDF
    page_content = _compressed_object_stream(b"BT /F1 12 Tf 72 712 Td (License 12345) Tj ET")
    assert _check(_pdf_with(page_content)).content_type == PDF


def test_a_pdf_that_inflates_without_end_is_refused(monkeypatch) -> None:
    monkeypatch.setattr("profiles.uploads.PDF_MAX_INFLATED_BYTES", 1000)
    bomb = _pdf_with(_compressed_object_stream(b"0" * 5000))
    assert pdf_active_content(bomb) == {"too much compressed content"}
