"""The emails about an answer: the receipt (a copy of the answer and the personal link) and the
note that it was withdrawn. Each in the answer's language, in the one layout
(events/email_layout.py), written to the outbox in the transaction of the change."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from events.email_layout import host_layout_context, render_in_layout
from worker.services import Message, References

from .formatting import format_deadline
from .models import Answer, Call


def _context(call: Call) -> dict[str, Any]:
    return {
        **host_layout_context(
            call.host, organiser_name=call.contact_name, organiser_email=call.contact_email
        ),
        "call": call,
        "call_url": settings.SITE_URL + call.get_absolute_url(),
        "deadline": format_deadline(call.closes_at),
    }


def _message(answer: Answer, template: str, extra: dict[str, Any], kind: str) -> Message:
    call = answer.call
    with translation.override(answer.language):
        context = {**_context(call), "answer": answer, **extra}
        bodies = render_in_layout("emails/calls/" + template, context)
        subject = " ".join(
            render_to_string("emails/calls/%s_subject.txt" % template, context).split()
        )
    return Message(
        to_email=answer.email,
        to_name=answer.name,
        subject=subject,
        text_body=bodies.text,
        html_body=bodies.html,
        attachments=bodies.inline,
        reply_to=call.contact_email or call.host.email,
        language=answer.language,
        kind=kind,
        refs=References(invitation=None, person=None),
    )


def receipt_message(*, answer: Answer, changed: bool = False) -> Message:
    """A copy of the answer, question by question, its files by name, and the personal link."""
    texts = {t.question_id: t.text for t in answer.texts.all()}
    rows = [(q.text, texts.get(q.pk, "")) for q in answer.call.questions.all()]
    extra = {
        "changed": changed,
        "rows": rows,
        "files": [a.original_name for a in answer.attachments.all()],
        "button_url": settings.SITE_URL + answer.get_absolute_url(),
    }
    return _message(answer, "receipt", extra, "call_answer_changed" if changed else "call_answer")


def withdrawn_message(*, answer: Answer) -> Message:
    return _message(answer, "withdrawn", {"personal_link": False}, "call_answer_withdrawn")
