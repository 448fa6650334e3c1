"""Files for the upload tests (events' documents, calls' attachments): one of each type we take,
made as the real formats are, and what a test's private folder holds."""

import io
import zipfile


def zip_file(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _ooxml(content_type: str, part: str) -> bytes:
    types = (
        b'<?xml version="1.0"?><Types><Override PartName="/%s" ContentType="%s.main+xml"/></Types>'
        % (part.encode(), content_type.encode())
    )
    return zip_file({"[Content_Types].xml": types, part: b"<x/>"})


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
DOCX = _ooxml(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "word/document.xml",
)
PPTX = _ooxml(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ppt/presentation.xml",
)
XLSX = _ooxml(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/workbook.xml"
)
ODT = zip_file({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
ODP = zip_file(
    {"mimetype": b"application/vnd.oasis.opendocument.presentation", "content.xml": b"<x/>"}
)


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
