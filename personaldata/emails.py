"""The two emails: the data link, and the confirmation that the data was erased. Each in the
person's language, in the emails' one layout (registered by the events app)."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from worker.services import Message

from .models import AccessGrant
from .registry import Tally, render_mail


def _message(
    *, template: str, to_email: str, language: str, host_ref: int | None, context: Mapping[str, Any]
) -> Message:
    with translation.override(language):
        bodies = render_mail("emails/personaldata/" + template, context, host_ref)
        subject = " ".join(
            render_to_string("emails/personaldata/%s_subject.txt" % template, context).split()
        )
    return Message(
        to_email=to_email,
        subject=subject,
        text_body=bodies.text,
        html_body=bodies.html,
        attachments=bodies.inline,
        language=language,
        kind="personal_data_" + template,
    )


def data_link(*, grant: AccessGrant) -> Message:
    url = settings.SITE_URL + reverse("personaldata:overview", kwargs={"token": grant.token})
    with timezone.override(timezone.get_default_timezone()):
        expires = timezone.localtime(grant.expires_at)
    return _message(
        template="data_link",
        to_email=grant.email,
        language=grant.language,
        host_ref=grant.host_ref,
        context={"button_url": url, "expires_at": expires, "personal_link": True},
    )


def erasure_confirmation(
    *, email: str, language: str, host_ref: int | None, tallies: list[Tally]
) -> Message:
    return _message(
        template="erased",
        to_email=email,
        language=language,
        host_ref=host_ref,
        context={"tallies": [t for t in tallies if t.count], "personal_link": False},
    )
