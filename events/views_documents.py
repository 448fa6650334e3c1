"""Downloads of an event's documents for the public and for participants (the organisers'
own: organiser/views/documents.py). A document the asker may not see is not found: its
existence is not revealed, and no byte of it is sent."""

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import EventDocument
from .selectors.documents import PUBLIC, audience_of, event_document, registration_by_link
from .selectors.public import public_events
from .uploads import download_response


def document_response(document: EventDocument) -> FileResponse:
    """A document's file as a download (the public's, a participant's, an organiser's)."""
    if document.is_link or not document.file.storage.exists(document.file.name):
        raise Http404
    return download_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )


@require_safe
def public_document(request: HttpRequest, pk: int, document_id: int) -> FileResponse:
    event = public_events().filter(pk=pk).first()
    if event is None:
        raise Http404
    try:
        return document_response(
            event_document(event=event, document_id=document_id, audience=PUBLIC)
        )
    except EventDocument.DoesNotExist:
        raise Http404 from None


@never_cache
@require_safe
def participant_document(request: HttpRequest, token: str, document_id: int) -> FileResponse:
    """Through the personal link: that registration's event only."""
    registration = registration_by_link(token)
    if registration is None:
        raise Http404
    try:
        document = event_document(
            event=registration.event,
            document_id=document_id,
            audience=audience_of(registration),
        )
    except EventDocument.DoesNotExist:
        raise Http404 from None
    return document_response(document)
