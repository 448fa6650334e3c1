"""Paper for the conference day (organisers): the name badges as PDF."""

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Schema

from api.auth import token_auth
from api.errors import error_responses

from ..services.badges import badges
from .router import organised_event, router

PDF_RESPONSE = {
    "responses": {
        "200": {
            "description": "The badges as PDF, one badge per confirmed participant",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class BadgeQuery(Schema):
    layout: Literal["sheet", "a6"] = "sheet"
    since_last_print: bool = False


@router.get(
    "/events/{event_id}/badges.pdf",
    response=error_responses(401, 403, 404, 422),
    auth=token_auth,
    summary="Name badges as PDF",
    description=(
        "`layout=sheet`: A4 sheets of 80 × 50 mm labels, 10 a sheet (Avery L4785); `a6`: one "
        "badge per A6 page. `since_last_print=true`: only the confirmed participants no badge "
        "print recorded in the organiser area held. Reading here records no print."
    ),
    operation_id="events_api_badges_pdf",
    openapi_extra=PDF_RESPONSE,
)
def badges_pdf(request: HttpRequest, event_id: int, query: Query[BadgeQuery]) -> HttpResponse:
    event = organised_event(request, event_id)
    result = badges(event=event, layout=query.layout, since_last_print=query.since_last_print)
    response = HttpResponse(result.pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="%s"' % result.filename
    return response
