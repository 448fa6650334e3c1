"""The organiser's paper for the conference day: name badges, the door list and a list per
agenda session, as PDF downloads."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from partners.permissions import organiser_required

from ... import door_pdfs
from ...selectors.door import (
    confirmed,
    door_list,
    get_signup_session,
    last_badge_print,
    session_participants,
    signup_sessions,
    unprinted,
)
from ...selectors.organiser import get_organised_event
from ...services.badges import print_badges
from ..forms import BadgeForm


def pdf_download(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="%s"' % filename
    return response


@organiser_required
def badges_page(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form and the lists; POST: the badges as PDF, recorded as printed."""
    event = get_organised_event(request.user, pk)
    form = BadgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        badges = print_badges(
            event=event,
            layout=form.cleaned_data["layout"],
            since_last_print=form.cleaned_data["who"] == "new",
            by_user=request.user,
        )
        return pdf_download(badges.pdf, badges.filename)
    return render(
        request,
        "events/organiser/badges.html",
        {
            "event": event,
            "form": form,
            "confirmed_count": confirmed(event).count(),
            "new_count": unprinted(event).count(),
            "last_print": last_badge_print(event),
            "sessions": signup_sessions(event),
        },
        status=400 if request.method == "POST" else 200,
    )


@organiser_required
def door_list_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    pdf = door_pdfs.door_list_pdf(event=event, registrations=door_list(event))
    return pdf_download(pdf, "door-list-%d.pdf" % event.pk)


@organiser_required
def session_list_pdf(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    event = get_organised_event(request.user, pk)
    session = get_signup_session(event, session_id)
    if session is None:
        raise Http404
    pdf = door_pdfs.session_list_pdf(
        event=event, session=session, registrations=session_participants(session)
    )
    return pdf_download(pdf, "session-%d.pdf" % session.pk)
