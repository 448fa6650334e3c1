"""The audit log of who saw or exported participants' data (events.models.DataAccess).

A view or endpoint that shows the catering and assistance needs, or hands out an attendee
list, records it here before it answers. It is the one write a GET makes (docs/decisions.md):
the log is of the reading itself. Rows are deleted after DATA_ACCESS_LOG_RETENTION_DAYS by the
daily retention.
"""

from datetime import datetime, timedelta
from ipaddress import ip_address

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from api.throttling import client_ip

from ..models import DataAccess, Event


def _address(request: HttpRequest) -> str | None:
    try:
        return str(ip_address(client_ip(request)))
    except ValueError:  # "unknown": no address the server could tell
        return None


@transaction.atomic(durable=True)
def record_data_access(
    *, request: HttpRequest, kind: DataAccess.Kind, event: Event | None, detail: str = ""
) -> DataAccess:
    """One row: the signed-in user (or the API token's), what, which event, when, from where."""
    user = request.user
    return DataAccess.objects.create(
        user=user if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
        kind=kind,
        event=event,
        detail=detail[:100],
        ip_address=_address(request),
    )


def retention_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=settings.DATA_ACCESS_LOG_RETENTION_DAYS)


@transaction.atomic(durable=True)
def delete_old_access_records(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    deleted, _by_model = DataAccess.objects.filter(at__lt=retention_cutoff(now)).delete()
    return deleted
