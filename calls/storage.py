"""Where answers' attachments are kept: a storage outside the static and media trees.

Files there are never served by URL; `calls.views` hands them out as downloads after checking
who asks (DESIGN rule 12). `url()` refuses, so no template can link to a file by mistake.
"""

import os
import secrets
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages


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


def attachment_storage() -> Storage:
    """The storage named "private" in settings.STORAGES (a callable, so tests can move it)."""
    return storages["private"]


def attachment_path(instance: Any, filename: str) -> str:
    """A random name under the call's folder; the name the person gave is kept in a column."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"calls/{instance.answer.call_id}/{secrets.token_hex(16)}{suffix}"
