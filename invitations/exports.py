"""The organiser's XLSX export of an event's invitations and the per-organisation counts."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from events.exports import spreadsheet_safe, spreadsheet_time
from events.models import Event

from .selectors import event_invitations, event_overview


def invitations_xlsx(*, event: Event) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Invitations")[:31]
    sheet.append(
        [
            _("Name"),
            _("Email"),
            _("Organisation"),
            _("Answer"),
            _("Answered"),
            _("Reason for declining"),
            _("Registration"),
            _("Invited"),
        ]
    )
    for invitation in event_invitations(event).order_by("name", "pk"):
        sheet.append(
            [
                spreadsheet_safe(value)
                for value in [
                    invitation.name,
                    invitation.email,
                    invitation.organisation.name if invitation.organisation else "",
                    invitation.get_state_display(),
                    spreadsheet_time(invitation.answered_at),
                    invitation.decline_reason,
                    invitation.registration.get_status_display() if invitation.registration else "",
                    spreadsheet_time(invitation.created_at),
                ]
            ]
        )
    overview = event_overview(event)
    counts = workbook.create_sheet(_("Per organisation")[:31])
    counts.append(
        [
            _("Organisation"),
            _("Invited"),
            _("Registered"),
            _("Declined"),
            _("No answer"),
            _("Participants"),
        ]
    )
    for row in overview.organisations:
        counts.append(
            [
                row.organisation.name if row.organisation else _("No organisation"),
                row.invited,
                row.registered,
                row.declined,
                row.no_answer,
                row.participants,
            ]
        )
    for organisation in overview.unrepresented_members:
        if not any(r.organisation == organisation for r in overview.organisations):
            counts.append([organisation.name, 0, 0, 0, 0, 0])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
