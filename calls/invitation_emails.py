"""The invitation to answer a call and its reminder: one email per person, in their language,
with the personal link to the form, in the one email layout (events/email_layout.py); for a
call of a network, the footer links to the page that stops that network's invitations."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from events.email_layout import host_layout_context, render_in_layout
from worker.services import Message, References

from .formatting import format_deadline
from .models import Call, CallInvitation


def _message(*, template: str, invitation: CallInvitation, call: Call, note: str) -> Message:
    language = invitation.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            **host_layout_context(
                call.host, organiser_name=call.contact_name, organiser_email=call.contact_email
            ),
            "call": call,
            "name": invitation.name,
            "note": note,
            "deadline": format_deadline(call.closes_at),
            "button_url": settings.SITE_URL + invitation.get_absolute_url(),
            **_opt_out(invitation=invitation, call=call),
        }
        bodies = render_in_layout("emails/calls/%s" % template, context)
        subject = " ".join(
            render_to_string("emails/calls/%s_subject.txt" % template, context).split()
        )
    return Message(
        to_email=invitation.email,
        to_name=invitation.name,
        subject=subject,
        text_body=bodies.text,
        html_body=bodies.html,
        attachments=bodies.inline,
        reply_to=call.contact_email or call.host.email,
        language=language,
        kind="call_%s" % template,
        refs=References(person=invitation.person_id),
    )


def _opt_out(*, invitation: CallInvitation, call: Call) -> dict[str, str]:
    if call.network_id is None:
        return {}
    assert call.network is not None
    path = reverse("calls:opt_out", kwargs={"token": invitation.token})
    return {"opt_out_url": settings.SITE_URL + path, "opt_out_network": call.network.name}


def invitation_message(*, invitation: CallInvitation, call: Call, note: str = "") -> Message:
    return _message(template="invitation", invitation=invitation, call=call, note=note)


def reminder_message(*, invitation: CallInvitation, call: Call) -> Message:
    return _message(template="reminder", invitation=invitation, call=call, note="")
