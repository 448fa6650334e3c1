"""A person's rights to see and erase their data: the data link, the export, the erasure.

The personal link of one registration, invitation or answer only asks for a data link; the
data link is mailed to the address (personaldata.models.AccessGrant), since anyone may
register any address and be shown that registration's link. The data link shows and erases
everything every provider (personaldata.registry) holds about the address.
"""

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.throttling import count_hit
from worker.services import queue_messages

from . import emails
from .models import AccessGrant, ErasureRecord
from .registry import LinkHolder, Section, Tally, providers

# Long enough to open the mail tomorrow morning; short enough that an old mail in a shared
# inbox does not open the data for ever.
LINK_HOURS = 24
LINKS_PER_HOUR = 3  # per address: the link page is no way to flood an inbox


class ErasureOutcome(enum.StrEnum):
    ERASED = "erased"
    INVALID = "invalid"  # unknown, expired or used link


@dataclass(frozen=True)
class ErasureResult:
    outcome: ErasureOutcome
    tallies: list[Tally] = field(default_factory=list)


def _link_hours() -> int:
    return int(getattr(settings, "PERSONAL_DATA_LINK_HOURS", LINK_HOURS))


@transaction.atomic(durable=True)
def request_data_link(*, holder: LinkHolder, now: dt.datetime | None = None) -> bool:
    """Mail the address a data link (at most LINKS_PER_HOUR an hour; None from the cache, when
    it is down, lets it through). Returns whether a link was sent."""
    now = now or timezone.now()
    key = hashlib.sha256(holder.email.strip().lower().encode()).hexdigest()
    sent = count_hit("personaldata:link:%s" % key, timeout=3600)
    if sent is not None and sent > LINKS_PER_HOUR:
        return False
    grant = AccessGrant.objects.create(
        email=holder.email.strip(),
        language=holder.language,
        host_ref=holder.host_ref,
        expires_at=now + dt.timedelta(hours=_link_hours()),
    )
    queue_messages(messages=[emails.data_link(grant=grant)])
    return True


def grant_by_token(*, token: str, now: dt.datetime | None = None) -> AccessGrant | None:
    """The data link, if it exists and has not expired (an erasure deletes it)."""
    if not token or len(token) > 64:
        return None
    now = now or timezone.now()
    return AccessGrant.objects.filter(token=token, expires_at__gt=now).first()


def collect_personal_data(*, email: str) -> list[Section]:
    """Every provider's sections about the address, in the order the apps registered."""
    return [section for provider in providers() for section in provider.collect(email)]


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def export_document(*, email: str, sections: list[Section], now: dt.datetime) -> dict[str, Any]:
    """The export as JSON: each section a list of records, each record its items by key."""
    return {
        "email": email,
        "exported_at": now.isoformat(),
        **{
            section.key: [
                {item.key: _json_value(item.value) for item in record.items}
                for record in section.records
            ]
            for section in sections
        },
    }


def erase_personal_data(*, token: str, now: dt.datetime | None = None) -> ErasureResult:
    """Erase what every provider holds about the data link's address; mail a confirmation.

    First each provider's release (future registrations cancelled through their own service,
    each in its transaction, so seats go to the waiting list), then one transaction: every
    provider's erase (personaldata/outbox.py: the outbox and the API's stored answers), the
    data links, the record,
    and the confirmation (queued to be forgotten once sent)."""
    now = now or timezone.now()
    grant = grant_by_token(token=token, now=now)
    if grant is None:
        return ErasureResult(ErasureOutcome.INVALID)
    released = [
        tally
        for provider in providers()
        if provider.release is not None
        for tally in provider.release(grant.email, now)
    ]
    return _erase(grant_id=grant.pk, now=now, released=released)


@transaction.atomic(durable=True)
def _erase(*, grant_id: int, now: dt.datetime, released: list[Tally]) -> ErasureResult:
    grant = AccessGrant.objects.select_for_update().filter(pk=grant_id).first()
    if grant is None:  # an erasure running beside this one took it
        return ErasureResult(ErasureOutcome.INVALID)
    email, language, host_ref = grant.email, grant.language, grant.host_ref
    tallies = list(released)
    for provider in reversed(providers()):
        tallies += provider.erase(email, now)
    AccessGrant.objects.filter(email__iexact=email).delete()
    ErasureRecord.objects.create(
        erased_on=timezone.localdate(now),
        counts={tally.key: tally.count for tally in tallies},
    )
    message = emails.erasure_confirmation(
        email=email, language=language, host_ref=host_ref, tallies=tallies
    )
    queue_messages(messages=[message], forget_after_send=True)
    return ErasureResult(ErasureOutcome.ERASED, tallies)


def purge_expired_links(*, now: dt.datetime | None = None) -> int:
    """Delete data links past their time (apply_retention, daily); returns how many went."""
    now = now or timezone.now()
    deleted, _per_model = AccessGrant.objects.filter(expires_at__lte=now).delete()
    return deleted
