"""The conference day on paper (events/pdf.py, the one PDF writer): name badges in two
layouts, the door list and a list per agenda session.

Badge sheets are Avery L4785 (and the labels sold as compatible with it): A4, 80 × 50 mm
labels, 2 across and 5 down, 10 a sheet, centred on the sheet (17.5 mm side margins, a 15 mm
gap between the columns, 23.5 mm top and bottom). A6 badges are one per page, for a printer
with A6 card or for name-badge holders of that size (105 × 148 mm)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .dates import format_when
from .emails import ticket_qr
from .models import BadgePrint, Event, Registration, Session
from .pdf import Document


@dataclass(frozen=True)
class BadgeLayout:
    page_format: str | tuple[float, float]
    per_page: tuple[int, int]  # across, down
    size: tuple[float, float]  # badge width, height (mm)
    origin: tuple[float, float]  # the first badge's top-left corner (mm)
    pitch: tuple[float, float]  # from one badge's corner to the next (mm)
    padding: float
    name_size: tuple[float, float]  # largest, and the size from which names wrap (points)
    qr_size: float


LAYOUTS = {
    BadgePrint.Layout.SHEET: BadgeLayout(
        page_format="A4",
        per_page=(2, 5),
        size=(80, 50),
        origin=(17.5, 23.5),
        pitch=(95, 50),
        padding=4,
        name_size=(18, 11),
        qr_size=19,
    ),
    BadgePrint.Layout.A6: BadgeLayout(
        page_format=(105, 148),  # A6
        per_page=(1, 1),
        size=(105, 148),
        origin=(0, 0),
        pitch=(0, 0),
        padding=9,
        name_size=(30, 18),
        qr_size=42,
    ),
}


def badges_pdf(*, event: Event, registrations: Sequence[Registration], layout: str) -> bytes:
    """One badge per registration: the event, the name, organisation and title, and the
    ticket's QR code (the one check-in reads). An empty list gives one empty page."""
    shape = LAYOUTS[BadgePrint.Layout(layout)]
    document = Document(
        title=_("Name badges: %(event)s") % {"event": event.title},
        page_format=shape.page_format,
        numbered=False,
    )
    across, down = shape.per_page
    per_page = across * down
    if not registrations:
        document.add_page()
    for index, registration in enumerate(registrations):
        place = index % per_page
        if place == 0:
            document.add_page()
        column, row = place % across, place // across
        x = shape.origin[0] + column * shape.pitch[0]
        y = shape.origin[1] + row * shape.pitch[1]
        _badge(document, shape, registration, event=event, x=x, y=y)
    return document.bytes()


def _badge(
    document: Document,
    shape: BadgeLayout,
    registration: Registration,
    *,
    event: Event,
    x: float,
    y: float,
) -> None:
    width, height = shape.size
    pad = shape.padding
    inner = width - 2 * pad
    big, wrap_from = shape.name_size
    small = big / 2.4
    top = document.fitted_text(
        document.fit(event.title, width=inner, size=small, min_size=small * 0.8, lines=1),
        x=x + pad,
        y=y + pad,
        width=inner,
    )
    document.fitted_text(
        document.fit(registration.name, width=inner, size=big, min_size=wrap_from, style="B"),
        x=x + pad,
        y=top + 1.5,
        width=inner,
        style="B",
    )
    qr = shape.qr_size
    rows = [[bool(m) for m in row] for row in ticket_qr(registration).matrix_iter(border=2)]
    if shape.per_page == (1, 1):  # A6: the details under the name, the code centred below
        text_top, text_width = y + height * 0.3, inner
        qr_x, qr_y = x + (width - qr) / 2, y + height - pad - qr - 4
    else:  # a label: the details beside the code, bottom right
        text_top, text_width = y + height * 0.56, inner - qr - 2
        qr_x, qr_y = x + width - pad - qr + 1.5, y + height - pad - qr + 2
    detail = big / 1.8
    below = text_top
    for text in (registration.organisation_display, registration.title):
        if text:
            fitted = document.fit(text, width=text_width, size=detail, min_size=detail * 0.75)
            below = document.fitted_text(fitted, x=x + pad, y=below, width=text_width) + 0.5
            detail *= 0.9
    document.matrix(rows, x=qr_x, y=qr_y, size=qr)
    if shape.per_page == (1, 1):
        code = document.fit(registration.ticket_code, width=inner, size=9, min_size=9, lines=1)
        document.fitted_text(code, x=x + pad, y=qr_y + qr, width=inner, align="C")


def _check_list(document: Document, registrations: Sequence[Registration]) -> None:
    rows = [[r.name, r.organisation_display, ""] for r in registrations]
    document.table([_("Name"), _("Organisation"), _("Here")], rows, widths=[70, 85, 19])


def door_list_pdf(*, event: Event, registrations: Sequence[Registration]) -> bytes:
    """Everyone confirmed, alphabetical, with an empty column to tick at the door."""
    document = Document(
        title=_("Door list: %(event)s") % {"event": event.title}, footer=event.title
    )
    document.heading(_("Door list: %(event)s") % {"event": event.title})
    document.paragraph(
        "%s · %s"
        % (
            format_when(event),
            ngettext("%(count)d confirmed", "%(count)d confirmed", len(registrations))
            % {"count": len(registrations)},
        ),
        muted=True,
    )
    _check_list(document, registrations)
    return document.bytes()


def session_list_pdf(
    *, event: Event, session: Session, registrations: Sequence[Registration]
) -> bytes:
    """The confirmed participants who chose the session, alphabetical, to tick."""
    title = "%s: %s" % (session.title, event.title)
    document = Document(title=title, footer=title)
    document.heading(session.title)
    details = [format_when(session), session.room, event.title]
    document.paragraph(" · ".join(d for d in details if d), muted=True)
    count = len(registrations)
    counted = ngettext("%(count)d participant", "%(count)d participants", count) % {"count": count}
    if session.capacity is not None:
        counted += " " + _("(capacity %(capacity)d)") % {"capacity": session.capacity}
    document.paragraph(counted)
    _check_list(document, registrations)
    return document.bytes()
