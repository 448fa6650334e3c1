"""Attachments to answers: PDF, PNG, JPEG, DOCX and ODT, checked by what the bytes are
(`events.uploads`), 3 files, 10 MB each. Nothing is written until every file has passed; files
written inside a transaction that then fails are removed again (`remove_files`).
"""

from django.utils.translation import gettext_lazy as _

from events.uploads import (
    DOCX,
    JPEG,
    ODT,
    PDF,
    PNG,
    CheckedFile,
    Upload,
    UploadRefused,
    check_upload,
    remove_files,
)

from .errors import InvalidAttachment

__all__ = ["MAX_ATTACHMENTS", "MAX_BYTES", "CheckedFile", "Upload", "check_uploads", "remove_files"]

MAX_ATTACHMENTS = 3
# A scanned letter or a short report with pictures; larger files are better sent in parts.
MAX_BYTES = 10 * 1024 * 1024
ALLOWED = (PDF, PNG, JPEG, DOCX, ODT)


def _refusal(refused: UploadRefused) -> InvalidAttachment:
    if refused.reason == UploadRefused.TOO_LARGE:
        return InvalidAttachment(
            _("%(name)s is larger than 10 MB. Make it smaller or send it in parts.")
            % {"name": refused.name}
        )
    if refused.reason == UploadRefused.EMPTY:
        return InvalidAttachment(_("%(name)s is empty.") % {"name": refused.name})
    return InvalidAttachment(
        _(
            "%(name)s is not a file type we accept. Send PDF, Word (DOCX), "
            "OpenDocument text (ODT), PNG or JPEG files."
        )
        % {"name": refused.name}
    )


def check_uploads(uploads: list[Upload], *, already: int = 0) -> list[CheckedFile]:
    """Every upload read and checked, or InvalidAttachment for the first that fails."""
    if already + len(uploads) > MAX_ATTACHMENTS:
        raise InvalidAttachment(
            _("You can send at most %(count)d attachments.") % {"count": MAX_ATTACHMENTS}
        )
    checked = []
    for upload in uploads:
        try:
            checked.append(check_upload(upload, max_bytes=MAX_BYTES, allowed=ALLOWED))
        except UploadRefused as refused:
            raise _refusal(refused) from None
    return checked
