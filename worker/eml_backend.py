"""Development mail drop: one RFC 5322 ``.eml`` file per message, which any mail client opens.

Django's file backend appends every message of a connection to one ``.log`` file with a
separator line, which no mail client reads. This backend writes each message whole
(what ``message.as_bytes()`` gives, with CRLF line ends) to a temporary name and renames it into place, so
a client or script watching the folder never sees half a message.
"""

import os
import secrets
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from email.generator import BytesGenerator
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    """Writes each message to ``EMAIL_FILE_PATH/<UTC time>-<random>.eml``."""

    def __init__(self, *args, file_path: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        path = file_path or getattr(settings, "EMAIL_FILE_PATH", None)
        if not path:
            raise ImproperlyConfigured("EMAIL_FILE_PATH must be set for the .eml mail backend")
        self.directory = Path(path)
        if self.directory.exists() and not self.directory.is_dir():
            raise ImproperlyConfigured("EMAIL_FILE_PATH %s is not a directory" % self.directory)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            try:
                self._write(message)
            except Exception:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent

    def _write(self, message: EmailMessage) -> Path:
        buffer = BytesIO()
        # What message.as_bytes() does (for Django's and the email package's classes alike),
        # with the CRLF line ends RFC 5322 asks for.
        BytesGenerator(buffer, mangle_from_=False).flatten(message.message(), linesep="\r\n")
        data = buffer.getvalue()
        name = "%s-%s.eml" % (
            datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f"),
            secrets.token_hex(4),
        )
        target = self.directory / name
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target
