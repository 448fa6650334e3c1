"""The events' personal data provider (personaldata/registry.py): registrations with their
answers, session choices and special needs while held; the personal link's kind
("pamelding"); and the emails' layout for the data pages' messages.

Erasure: registrations for events still to come are cancelled through cancel_registration
first (the seat goes to the waiting list, the calendar gets its CANCEL); then every
registration of the address is anonymised as the retention does (status, organisation and
session choices stay, so counts hold), and the calendar records of the address go.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from partners.models import Host
from personaldata.registry import (
    Item,
    LinkHolder,
    MailBodies,
    Provider,
    Record,
    Section,
    Tally,
    link_kind,
    mail_layout,
    register_provider,
)

from .email_layout import host_layout_context, render_in_layout
from .models import Answer, CalendarSequence, Registration, ReplyToken, SessionChoice, email_key
from .selectors.documents import registration_by_link
from .services.registering import cancel_registration
from .services.retention import anonymise_rows

Status = Registration.Status


def _of(email: str):
    return Registration.objects.filter(email__iexact=email.strip(), anonymised_at__isnull=True)


def _answer_text(answer: Answer) -> str:
    value = answer.value
    shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return "%s: %s" % (answer.question.label, shown)


def _record(registration: Registration) -> Record:
    event = registration.event
    held = registration.special_needs_deleted_at is None
    return Record(
        heading=event.title,
        items=[
            Item("event", _("Event"), event.title),
            Item("event_starts_at", _("Starts"), event.starts_at),
            Item("status", _("Status"), str(registration.get_status_display())),
            Item("name", _("Name"), registration.name),
            Item("email", _("Email"), registration.email),
            Item("organisation", _("Organisation"), registration.organisation_display),
            Item("title", _("Job title or role"), registration.title),
            Item("phone", _("Mobile phone"), registration.phone),
            Item("language", _("Language for emails"), str(registration.get_language_display())),
            Item(
                "sessions",
                _("Sessions"),
                [choice.session.title for choice in registration.session_choices.all()],
            ),
            Item("answers", _("Answers"), [_answer_text(a) for a in registration.answers.all()]),
            Item(
                "dietary_needs",
                _("Allergies or dietary needs"),
                registration.dietary_needs if held else None,
            ),
            Item(
                "assistance_needs",
                _("Need for assistance or accessibility"),
                registration.assistance_needs if held else None,
            ),
            Item("list_consent", _("Shown on the participant list"), registration.list_consent),
            Item("ticket_code", _("Ticket code"), registration.ticket_code),
            Item("registered_at", _("Registered"), registration.created_at),
            Item("cancelled_at", _("Cancelled"), registration.cancelled_at),
            Item("checked_in_at", _("Checked in"), registration.checked_in_at),
        ],
    )


def collect(email: str) -> list[Section]:
    registrations = (
        _of(email)
        .select_related("event", "organisation")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("question")),
            Prefetch("session_choices", queryset=SessionChoice.objects.select_related("session")),
        )
        .order_by("event__starts_at", "pk")
    )
    return [
        Section("registrations", _("Registrations for events"), list(map(_record, registrations)))
    ]


def release(email: str, now: dt.datetime) -> list[Tally]:
    """Cancel the address's registrations that can still be cancelled (events to come)."""
    cancelled = 0
    # Registration.can_be_cancelled, in the query (active, and the event not over).
    active = _of(email).filter(status__in=Registration.ACTIVE_STATUSES, event__ends_at__gt=now)
    for registration_id in active.values_list("pk", flat=True):
        cancel_registration(registration_id=registration_id)
        cancelled += 1
    return [Tally("registrations_cancelled", _("Registrations cancelled"), cancelled)]


def erase(email: str, now: dt.datetime) -> list[Tally]:
    rows = list(_of(email).only("pk"))
    anonymise_rows(rows, now=now)
    key = email_key(email)
    CalendarSequence.objects.filter(email_key=key).delete()
    ReplyToken.objects.filter(email_key=key).delete()
    return [Tally("registrations_anonymised", _("Registrations anonymised"), len(rows))]


@link_kind("pamelding")
def holder_of_registration(token: str) -> LinkHolder | None:
    registration = registration_by_link(token)  # the event only: no sessions or answers
    if registration is None or registration.anonymised_at is not None:
        return None
    return LinkHolder(
        email=registration.email,
        language=registration.language,
        back_url=registration.get_absolute_url(),
        host_ref=registration.event.host_id,
    )


@mail_layout
def render_personal_data_mail(
    template: str, context: Mapping[str, Any], host_ref: int | None
) -> MailBodies:
    host = Host.objects.filter(pk=host_ref).first() if host_ref else None
    host = host or Host.objects.order_by("pk").first()
    layout = (
        host_layout_context(host)
        if host is not None
        else {"host_name": settings.DEFAULT_FROM_EMAIL, "personal_link": True}
    )
    bodies = render_in_layout(template, {**layout, **context})
    return MailBodies(text=bodies.text, html=bodies.html, inline=bodies.inline)


PROVIDER = register_provider(Provider(name="events", collect=collect, erase=erase, release=release))
