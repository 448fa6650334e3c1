"""An import kept on the server between its preview and the organiser's confirmation.

The people import's preview (partners) and the send-out's confirmation of new organisations
(invitations) both keep what was submitted in the session under a random token the page
carries, so the confirmation imports exactly what the organiser saw without a second upload,
and a forged or stale token finds nothing. One kept import per key (a network, an event).
"""

import base64
import secrets
from dataclasses import dataclass, field
from typing import Any

from .services import ImportSource


@dataclass(frozen=True)
class KeptImport:
    token: str
    sources: list[ImportSource]
    names: list[str]  # the new organisations the preview asked about
    extra: dict[str, Any] = field(default_factory=dict)  # the caller's own (JSON) values


def keep_import(
    session: Any, key: str, *, sources: list[ImportSource], names: list[str], **extra: Any
) -> str:
    """Keep the sources and the new organisations' names; returns the token for the page."""
    token = secrets.token_urlsafe(16)
    session[key] = {
        "token": token,
        "sources": [[s.label, base64.b64encode(s.data).decode("ascii")] for s in sources],
        "names": names,
        "extra": extra,
    }
    return token


def kept_import(session: Any, key: str, token: str | None) -> KeptImport | None:
    """What keep_import kept under `key`, if `token` is its token; otherwise None."""
    kept = session.get(key)
    if not isinstance(kept, dict) or not token or "sources" not in kept:
        return None
    if not secrets.compare_digest(str(kept["token"]).encode(), token.encode()):
        return None
    return KeptImport(
        token=kept["token"],
        sources=[
            ImportSource(data=base64.b64decode(data), label=label)
            for label, data in kept["sources"]
        ],
        names=kept["names"],
        extra=kept.get("extra", {}),
    )


def forget_import(session: Any, key: str) -> None:
    session.pop(key, None)
