"""Render the emails invitations sends: each in its recipient's language, one per recipient."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from events.calendar.itip import Attendee, itip_request
from events.calendar.sequences import take_sequence
from events.email_layout import render_bodies
from events.emails import participant_message, seat_calendar
from events.models import Event, Registration
from worker.services import Attachment, Message, References

from .models import Invitation


@dataclass(frozen=True)
class RenderedEmail:
    language: str
    subject: str
    text_body: str
    html_body: str
    inline: list[Attachment] = field(default_factory=list)  # the logo, when there is one


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def invitation_links(*, token: str) -> dict[str, str]:
    return {
        "answer_url": absolute_url(reverse("invitations:answer", kwargs={"token": token})),
        "decline_url": absolute_url(reverse("invitations:decline", kwargs={"token": token})),
        "opt_out_url": absolute_url(reverse("invitations:opt_out", kwargs={"token": token})),
    }


def _subject(template: str, context: dict, language: str, *, event: Event) -> str:
    """templates/emails/invitations/<template>_subject.txt, on one line, in the language."""
    with translation.override(language):
        subject = render_to_string(
            f"emails/invitations/{template}_subject.txt", {**context, "event": event}
        )
    return " ".join(subject.split())


def _render(template: str, context: dict, language: str, *, event: Event) -> RenderedEmail:
    """The subject, and both bodies in the one email layout (events/email_layout.py)."""
    with translation.override(language):
        bodies = render_bodies(f"emails/invitations/{template}", context, event=event)
    return RenderedEmail(
        language=language,
        subject=_subject(template, context, language, event=event),
        text_body=bodies.text,
        html_body=bodies.html,
        inline=bodies.inline,
    )


def _answer_context(*, event: Event, token: str) -> dict[str, Any]:
    """The invitation's links: the button answers; the footer's opt-out only for a network."""
    links = invitation_links(token=token)
    return {
        "button_url": links["answer_url"],
        "decline_url": links["decline_url"],
        "opt_out_url": links["opt_out_url"] if event.network_id is not None else "",
        "answer_by": event.registration_closes_at,
    }


def render_invitation(
    *, event: Event, name: str, token: str, message: str, language: str
) -> RenderedEmail:
    context = {
        "name": name,
        "personal_message": message,
        **_answer_context(event=event, token=token),
    }
    return _render("invitation", context, language, event=event)


def invitation_message(
    *,
    invitation: Invitation,
    event: Event,
    message: str,
    sequence: int | None = None,
    organizer: str = "",
) -> Message:
    """The invitation with its calendar REQUEST; `sequence` and `organizer` if the caller took
    them already (take_sequences and organiser_addresses, for a whole batch at once)."""
    rendered = render_invitation(
        event=event,
        name=invitation.name,
        token=invitation.token,
        message=message,
        language=invitation.language,
    )
    calendar = itip_request(
        event=event,
        attendee=Attendee(
            email=invitation.email, name=invitation.name, partstat="NEEDS-ACTION", rsvp=True
        ),
        sequence=take_sequence(event=event, email=invitation.email)
        if sequence is None
        else sequence,
        organizer=organizer,
    )
    return Message(
        to_email=invitation.email,
        to_name=invitation.name,
        subject=rendered.subject,
        text_body=rendered.text_body,
        html_body=rendered.html_body,
        attachments=rendered.inline,
        reply_to=event.organiser_email,
        calendar=calendar,
        calendar_method="REQUEST",
        language=invitation.language,
        kind="invitation",
        refs=References(
            event=event.pk,
            invitation=invitation.pk,
            person=invitation.person_id,
            sendout=invitation.sendout_id,
        ),
    )


def invitee_reminder_message(*, invitation: Invitation, event: Event) -> Message:
    """Registration closes soon. To someone who accepted in their calendar but has not finished
    registering, the reminder says to finish, not to answer."""
    if invitation.state == Invitation.State.ACCEPTED:
        return finish_registration_message(invitation=invitation, event=event, reminder=True)
    context = {"name": invitation.name, **_answer_context(event=event, token=invitation.token)}
    rendered = _render("invitee_reminder", context, invitation.language, event=event)
    return _to_invitee(invitation, event, rendered, kind="invitation_reminder", sendout=False)


def finish_registration_message(
    *, invitation: Invitation, event: Event, reminder: bool = False
) -> Message:
    """To an invitee who accepted in their calendar when the event asks what only the form can:
    the personal link to finish registering (and, as `reminder`, the reminder to do so)."""
    context = {
        "name": invitation.name,
        "reminder": reminder,
        **_answer_context(event=event, token=invitation.token),
    }
    rendered = _render("finish_registration", context, invitation.language, event=event)
    kind = "invitation_reminder" if reminder else "finish_registration"
    return _to_invitee(invitation, event, rendered, kind=kind, sendout=True)


def _to_invitee(
    invitation: Invitation, event: Event, rendered: RenderedEmail, *, kind: str, sendout: bool
) -> Message:
    """A rendered email without a calendar to an invitee (`sendout`: refer to its send-out)."""
    return Message(
        to_email=invitation.email,
        to_name=invitation.name,
        subject=rendered.subject,
        text_body=rendered.text_body,
        html_body=rendered.html_body,
        attachments=rendered.inline,
        reply_to=event.organiser_email,
        language=invitation.language,
        kind=kind,
        refs=References(
            event=event.pk,
            invitation=invitation.pk,
            person=invitation.person_id,
            sendout=invitation.sendout_id if sendout else None,
        ),
    )


def participant_reminder_message(*, registration: Registration, event: Event) -> Message:
    """The day-before kind of reminder: the calendar again, the agenda and practical details."""
    return participant_message(
        registration=registration,
        event=event,
        template="emails/invitations/participant_reminder",
        subject=_subject("participant_reminder", {}, registration.language, event=event),
        kind="participant_reminder",
        context={"sessions": list(event.sessions.all())},
        calendar=seat_calendar(registration),
        calendar_method="REQUEST",
    )


def group_message(
    *,
    event: Event,
    subject: str,
    body: str,
    to_email: str,
    to_name: str,
    language: str,
    link: str,
    invitation_id: int | None = None,
    registration_id: int | None = None,
    person_id: int | None = None,
    opt_out_url: str = "",
) -> Message:
    context = {
        "name": to_name,
        "subject": subject,
        "body": body,
        "button_url": link,
        "opt_out_url": opt_out_url if event.network_id is not None else "",
    }
    rendered = _render("group_message", context, language, event=event)
    return Message(
        to_email=to_email,
        to_name=to_name,
        subject=subject,
        text_body=rendered.text_body,
        html_body=rendered.html_body,
        attachments=rendered.inline,
        reply_to=event.organiser_email,
        language=language,
        kind="organiser_message",
        refs=References(
            event=event.pk,
            invitation=invitation_id,
            registration=registration_id,
            person=person_id,
        ),
    )
