"""An attachment as a download, through `events.uploads.download_response` (attachment,
nosniff, no shared caching). Who may download is the caller's check (the answer's link holder,
the public for published files, organisers of the call).
"""

from django.http import FileResponse

from events.uploads import download_response

from .models import AnswerAttachment


def attachment_response(attachment: AnswerAttachment) -> FileResponse:
    return download_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )
