"""An attachment as a download: the one way a stored file leaves the application.

Always `Content-Disposition: attachment` with the name the sender gave, the type the content
was checked to be, `X-Content-Type-Options: nosniff` and no caching by shared caches. Who may
download is the caller's check (the answer's link holder, the public for published files,
organisers of the call).
"""

from django.http import FileResponse

from .models import AnswerAttachment


def attachment_response(attachment: AnswerAttachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
