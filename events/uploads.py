"""Uploaded files, domain-free (DESIGN rule 12): the private storage, the check of what the bytes
are, and the one way a stored file leaves the application. Used by events' documents and by
calls' attachments; each caller says which types it takes, how large, and words its refusals.

Types by content, not by name: PDF, PNG and JPEG by their first bytes; the Office and
OpenDocument formats are zip files, told apart by the member that says what they are
(`[Content_Types].xml` naming the main part plus a member under `word/`, `ppt/` or `xl/`; the
ODF `mimetype` member). Files are never served by URL: `PrivateFileSystemStorage.url()` refuses,
so no template can link to one by mistake.
"""

import hashlib
import io
import os
import secrets
import zipfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath
from typing import Protocol

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
EXTENSIONS = {
    PDF: ".pdf",
    PNG: ".png",
    JPEG: ".jpg",
    DOCX: ".docx",
    PPTX: ".pptx",
    XLSX: ".xlsx",
    ODT: ".odt",
    ODP: ".odp",
}
# Office Open XML: the main part's content type in [Content_Types].xml, and the folder it is in.
_OOXML = {
    DOCX: (DOCX.encode() + b".main+xml", "word/"),
    PPTX: (PPTX.encode() + b".main+xml", "ppt/"),
    XLSX: (XLSX.encode() + b".main+xml", "xl/"),
}
_ODF = {ODT.encode(): ODT, ODP.encode(): ODP}
# Zip members read to tell the formats apart: never more than this, whatever the header claims.
_MAX_MEMBER_BYTES = 1024 * 1024


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under settings.PRIVATE_UPLOAD_ROOT, read at each use: a FileField evaluates its
    storage once, at import, and the folder must still follow the settings (tests move it)."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.PRIVATE_UPLOAD_ROOT)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; they are served through the application.")


def private_storage() -> Storage:
    """The storage named "private" in settings.STORAGES (a callable, so tests can move it)."""
    return storages["private"]


def random_name(folder: str, filename: str) -> str:
    """A random name in the folder, keeping the suffix; the name the person gave is a column."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"{folder}/{secrets.token_hex(16)}{suffix}"


class Upload(Protocol):
    """What Django's UploadedFile offers and the checks need."""

    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = None) -> Iterable[bytes]: ...


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    content_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


class UploadRefused(Exception):
    """Why a file was refused; the caller words the message (its limits, its list of types)."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    WRONG_TYPE = "wrong_type"

    def __init__(self, reason: str, name: str) -> None:
        self.reason = reason
        self.name = name
        super().__init__(reason)


def _zip_kind(content: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        if "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
            return _ODF.get(archive.read("mimetype").strip())
        if "[Content_Types].xml" in names:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _MAX_MEMBER_BYTES:
                return None
            declared = archive.read(info)
            for kind, (main, folder) in _OOXML.items():
                if main in declared and any(name.startswith(folder) for name in names):
                    return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError):
        return None
    return None


def sniff(content: bytes) -> str | None:
    """The known type these bytes are, or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    return None


def clean_name(name: str, *, default: str = "vedlegg") -> str:
    """The name as the person's system gave it, without folders or control characters."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[-150:] or default


def _read(upload: Upload, *, max_bytes: int, name: str) -> bytes:
    """The file's bytes, refusing as soon as it is too large (never read past the limit)."""
    if upload.size is not None and upload.size > max_bytes:
        raise UploadRefused(UploadRefused.TOO_LARGE, name)
    parts, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > max_bytes:
            raise UploadRefused(UploadRefused.TOO_LARGE, name)
        parts.append(chunk)
    return b"".join(parts)


def check_upload(upload: Upload, *, max_bytes: int, allowed: Collection[str]) -> CheckedFile:
    """The upload read and checked, or UploadRefused (empty, too large, not an allowed type)."""
    name = clean_name(upload.name or "")
    content = _read(upload, max_bytes=max_bytes, name=name)
    if not content:
        raise UploadRefused(UploadRefused.EMPTY, name)
    content_type = sniff(content)
    if content_type is None or content_type not in allowed:
        raise UploadRefused(UploadRefused.WRONG_TYPE, name)
    return CheckedFile(
        original_name=name,
        content_type=content_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def remove_files(names: Iterable[str]) -> None:
    """Delete stored files (after a failed transaction, or once their rows are gone)."""
    storage = private_storage()
    for name in names:
        if name:
            storage.delete(name)


def download_response(file: File, *, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download, the one way one leaves the application: always
    `Content-Disposition: attachment` with the name the sender gave, the type the content was
    checked to be, nosniff, no caching by shared caches and a CSP that runs nothing. Who may
    download is the caller's check."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
