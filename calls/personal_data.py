"""The calls' personal data provider (personaldata/registry.py): answers with their texts and
files, and invitations to answer; the personal links' kinds ("innspill", an answer, and
"innspill-invitasjon").

Erasure follows the retention's rules (DESIGN rule 13; calls/services/retention.py), at once
instead of after the host's period. Answers are public records once received, so the texts
stay, with the sender's name replaced where it stands in them:
- an answer of a private person loses name, address, organisation name, publication and its
  files;
- an answer on behalf of an organisation stays the organisation's (organisation, publication,
  files) and loses the person's name and address.
Both lose the personal link. Invitations to answer lose name, address and link, and the
address goes from a send-out's pasted list (replaced in place: the send-out's cursor counts
its rows).
"""

import datetime as dt
from functools import partial

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from personaldata.registry import (
    Item,
    LinkHolder,
    Provider,
    Record,
    Section,
    Tally,
    link_kind,
    register_provider,
    without_name,
)

from .models import Answer, AnswerAttachment, AnswerText, CallInvitation, CallSendOut, new_token
from .services.attachments import remove_files
from .services.retention import ANONYMISED_DOMAIN


def _answers(email: str) -> QuerySet[Answer]:
    return Answer.objects.filter(email__iexact=email.strip(), anonymised_at__isnull=True)


def _invitations(email: str) -> QuerySet[CallInvitation]:
    return CallInvitation.objects.filter(email__iexact=email.strip()).exclude(
        email__endswith=ANONYMISED_DOMAIN
    )


def _answer_record(answer: Answer) -> Record:
    texts = {t.question_id: t.text for t in answer.texts.all()}
    return Record(
        heading=answer.call.title,
        items=[
            Item("call", _("Call for input"), answer.call.title),
            Item("name", _("Name"), answer.name),
            Item("email", _("Email"), answer.email),
            Item("organisation", _("Organisation"), answer.organisation_display),
            Item("on_behalf", _("On behalf of the organisation"), answer.on_behalf),
            Item("language", _("Language for emails"), str(answer.get_language_display())),
            Item("status", _("Status"), str(answer.get_status_display())),
            Item("consent_to_publish", _("May be published"), answer.consent_to_publish),
            Item("published", _("Published"), answer.published),
            Item(
                "texts",
                _("Answers"),
                [
                    "%s: %s" % (q.text, texts[q.pk])
                    for q in answer.call.questions.all()
                    if q.pk in texts
                ],
            ),
            Item(
                "attachments", _("Attachments"), [a.original_name for a in answer.attachments.all()]
            ),
            Item("submitted_at", _("Submitted"), answer.submitted_at),
            Item("withdrawn_at", _("Withdrawn"), answer.withdrawn_at),
        ],
    )


def collect(email: str) -> list[Section]:
    answers = (
        _answers(email)
        .select_related("call", "organisation")
        .prefetch_related("texts", "attachments", "call__questions")
        .order_by("submitted_at", "pk")
    )
    invitations = [
        Record(
            heading=i.call.title,
            items=[
                Item("call", _("Call for input"), i.call.title),
                Item("name", _("Name"), i.name),
                Item("email", _("Email"), i.email),
                Item("language", _("Language for emails"), str(i.get_language_display())),
                Item("invited_at", _("Invited"), i.created_at),
            ],
        )
        for i in _invitations(email).select_related("call").order_by("pk")
    ]
    return [
        Section(
            "call_answers", _("Answers to calls for input"), list(map(_answer_record, answers))
        ),
        Section("call_invitations", _("Invitations to answer calls for input"), invitations),
    ]


def _erase_answers(email: str, now: dt.datetime) -> tuple[int, int]:
    rows = list(_answers(email))
    texts = list(AnswerText.objects.filter(answer__in=rows).select_related("answer"))
    for text in texts:
        text.text = without_name(text.text, text.answer.name)
    AnswerText.objects.bulk_update(texts, ["text"])
    private = [row for row in rows if not row.on_behalf]
    attachments = AnswerAttachment.objects.filter(answer__in=private)
    names = list(attachments.values_list("file", flat=True))
    files, _per_model = attachments.delete()
    transaction.on_commit(partial(remove_files, names))  # the files go once the rows have
    for row in rows:
        row.internal_note = without_name(row.internal_note, row.name)
        row.name = "–"
        row.email = "anonymised-%d%s" % (row.pk, ANONYMISED_DOMAIN)
        row.token = new_token()
        row.anonymised_at = now
        if not row.on_behalf:
            row.organisation_name = ""
            row.published = False
    Answer.objects.bulk_update(
        rows,
        [
            "internal_note",
            "name",
            "email",
            "token",
            "anonymised_at",
            "organisation_name",
            "published",
        ],
    )
    return len(rows), files


def _erase_pasted(email: str) -> int:
    """Replace the address in send-outs' pasted lists ([name, address, language] rows)."""
    address = email.strip().lower()
    changed = 0
    for sendout in CallSendOut.objects.filter(selection__pasted__icontains=address):
        pasted = sendout.selection.get("pasted", [])
        for row in pasted:
            if len(row) > 1 and str(row[1]).strip().lower() == address:
                row[0], row[1] = "–", "anonymised" + ANONYMISED_DOMAIN
                changed += 1
        sendout.save(update_fields=["selection"])
    return changed


def erase(email: str, now: dt.datetime) -> list[Tally]:
    answers, files = _erase_answers(email, now)
    rows = list(_invitations(email).only("pk"))
    for row in rows:
        row.name = ""
        row.email = "anonymised-call-invitation-%d%s" % (row.pk, ANONYMISED_DOMAIN)
        row.person_id = None
        row.token = new_token()
    CallInvitation.objects.bulk_update(rows, ["name", "email", "person", "token"])
    pasted = _erase_pasted(email)
    return [
        Tally("call_answers_anonymised", _("Answers to calls for input anonymised"), answers),
        Tally("call_attachments_deleted", _("Attachments deleted"), files),
        Tally(
            "call_invitations_anonymised", _("Invitations to calls anonymised"), len(rows) + pasted
        ),
    ]


def _holder(email: str, language: str, back_url: str, host_ref: int) -> LinkHolder:
    return LinkHolder(email=email, language=language, back_url=back_url, host_ref=host_ref)


@link_kind("innspill")
def holder_of_answer(token: str) -> LinkHolder | None:
    answer = (
        Answer.objects.filter(token=token, anonymised_at__isnull=True)
        .select_related("call")
        .first()
    )
    if answer is None:
        return None
    return _holder(answer.email, answer.language, answer.get_absolute_url(), answer.call.host_id)


@link_kind("innspill-invitasjon")
def holder_of_call_invitation(token: str) -> LinkHolder | None:
    invitation = _invitations_by_token(token)
    if invitation is None:
        return None
    return _holder(
        invitation.email,
        invitation.language,
        invitation.get_absolute_url(),
        invitation.call.host_id,
    )


def _invitations_by_token(token: str) -> CallInvitation | None:
    return (
        CallInvitation.objects.filter(token=token)
        .exclude(email__endswith=ANONYMISED_DOMAIN)
        .select_related("call")
        .first()
    )


PROVIDER = register_provider(Provider(name="calls", collect=collect, erase=erase))
