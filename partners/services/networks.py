"""What a network's public page says about it: the founding decision and the contact person."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from ..models import Network

# The one list of what an organiser may set here; the form follows it.
PAGE_FIELDS = (
    "founding_decision",
    "founding_decision_url",
    "contact_name",
    "contact_title",
    "contact_email",
)


@transaction.atomic(durable=True)
def update_network_page(*, network: Network, values: Mapping[str, Any]) -> Network:
    for name in PAGE_FIELDS:
        setattr(network, name, (values.get(name) or "").strip())
    network.full_clean(exclude=[f.name for f in Network._meta.fields if f.name not in PAGE_FIELDS])
    network.save(update_fields=list(PAGE_FIELDS))
    return network
