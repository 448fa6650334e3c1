"""An event's documents and links (organisers): list, upload (multipart), delete.

The same service as the organiser's page (events.services.documents): a refused file is a
422 naming `file`, with the reason in words, and nothing is stored.
"""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import File, Form, Status, UploadedFile
from ninja.pagination import paginate

from api.auth import token_auth
from api.errors import error_responses, not_found
from api.pagination import Pagination

from ..models import EventDocument
from ..schemas import DocumentKind, DocumentOut, DocumentVisibility
from ..services import documents
from .router import IdempotencyKey, organised_event, router


def _document(request: HttpRequest, event_id: int, document_id: int) -> EventDocument:
    event = organised_event(request, event_id)
    document = event.documents.filter(pk=document_id).first()
    if document is None:
        raise not_found()
    return document


@router.get(
    "/events/{event_id}/documents",
    response={200: list[DocumentOut], **error_responses(401, 403, 404, 422)},
    auth=token_auth,
    summary="The event's documents and links, whoever may see them (organisers)",
    operation_id="events_api_list_documents",
)
@paginate(Pagination)
def list_documents(request: HttpRequest, event_id: int) -> QuerySet[EventDocument]:
    return organised_event(request, event_id).documents.order_by("created_at", "id")


@router.post(
    "/events/{event_id}/documents",
    response={201: DocumentOut, **error_responses(400, 401, 403, 404, 409, 422)},
    auth=token_auth,
    summary="Add a document (a file, multipart) or a link",
    operation_id="events_api_add_document",
)
def add_document(
    request: HttpRequest,
    event_id: int,
    title: Form[str],
    kind: Form[DocumentKind],
    visibility: Form[DocumentVisibility],
    url: Form[str] = "",
    file: UploadedFile | None = File(None),
    idempotency_key: IdempotencyKey = None,
) -> Status[EventDocument]:
    event = organised_event(request, event_id)
    document = documents.add_document(
        event=event,
        values={"title": title, "kind": kind, "visibility": visibility},
        upload=file,
        url=url,
    )
    return Status(201, document)


@router.delete(
    "/events/{event_id}/documents/{document_id}",
    response={204: None, **error_responses(401, 403, 404, 422)},
    auth=token_auth,
    summary="Delete a document; its file is removed",
    operation_id="events_api_delete_document",
)
def delete_document(request: HttpRequest, event_id: int, document_id: int) -> Status[None]:
    documents.delete_document(document=_document(request, event_id, document_id))
    return Status(204, None)
