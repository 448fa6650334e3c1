"""Attachments to answers: checked by what the bytes are, not by the name (DESIGN rule 12).

PDF, PNG and JPEG by their first bytes; DOCX and ODT are zip files, told apart by the member
that says what they are ([Content_Types].xml naming the Word main document, or the ODF
`mimetype` member). Nothing is written until every file has passed; files written inside a
transaction that then fails are removed again (`remove_files`).
"""

import hashlib
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from ..storage import attachment_storage
from .errors import InvalidAttachment

MAX_ATTACHMENTS = 3
MAX_BYTES = 10 * 1024 * 1024
# Zip members read to tell DOCX from ODT: never more than this, whatever the header claims.
_MAX_MEMBER_BYTES = 1024 * 1024

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", DOCX: ".docx", ODT: ".odt"}
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


class Upload(Protocol):
    """What Django's UploadedFile offers and the service needs."""

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


def _zip_kind(content: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        if "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
            if archive.read("mimetype").strip() == ODT.encode():
                return ODT
        if "[Content_Types].xml" in names:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size <= _MAX_MEMBER_BYTES and _DOCX_MAIN in archive.read(info):
                return DOCX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError):
        return None
    return None


def sniff(content: bytes) -> str | None:
    """The allowed type these bytes are, or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    return None


def clean_name(name: str) -> str:
    """The name as the person's system gave it, without folders or control characters."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[-150:] or "vedlegg"


def _read(upload: Upload) -> bytes:
    """The file's bytes, refusing as soon as it is too large (never read past the limit)."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise _too_large(upload)
    parts, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > MAX_BYTES:
            raise _too_large(upload)
        parts.append(chunk)
    return b"".join(parts)


def _too_large(upload: Upload) -> InvalidAttachment:
    return InvalidAttachment(
        _("%(name)s is larger than 10 MB. Make it smaller or send it in parts.")
        % {"name": clean_name(upload.name or "")}
    )


def check_uploads(uploads: list[Upload], *, already: int = 0) -> list[CheckedFile]:
    """Every upload read and checked, or InvalidAttachment for the first that fails."""
    if already + len(uploads) > MAX_ATTACHMENTS:
        raise InvalidAttachment(
            _("You can send at most %(count)d attachments.") % {"count": MAX_ATTACHMENTS}
        )
    checked = []
    for upload in uploads:
        name = clean_name(upload.name or "")
        content = _read(upload)
        if not content:
            raise InvalidAttachment(_("%(name)s is empty.") % {"name": name})
        content_type = sniff(content)
        if content_type is None:
            raise InvalidAttachment(
                _(
                    "%(name)s is not a file type we accept. Send PDF, Word (DOCX), "
                    "OpenDocument text (ODT), PNG or JPEG files."
                )
                % {"name": name}
            )
        checked.append(
            CheckedFile(
                original_name=name,
                content_type=content_type,
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
            )
        )
    return checked


def remove_files(names: Iterable[str]) -> None:
    """Delete stored files (after a failed transaction, or once their rows are gone)."""
    storage = attachment_storage()
    for name in names:
        if name:
            storage.delete(name)
