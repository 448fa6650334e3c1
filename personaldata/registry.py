"""What each app holds about an address, and how it is erased: the personal data providers.

A person may see everything held about them and have it erased (GDPR articles 15 and 17), by
their email address, across the apps. No app sees every other (invitations -> events ->
partners, calls beside them), so, as worker/composers.py does for messages, each app
registers here, from its AppConfig.ready, one provider:

    register_provider(Provider(name="events", collect=..., erase=..., release=...))

- ``collect(email)`` returns the app's sections: every row about the address (compared
  case-insensitively), nothing about anyone else.
- ``release(email, now)`` (optional) runs first, outside the erasure's transaction: it gives
  up what the person holds for the future through the app's own services, each in its own
  transaction (a seat goes to the waiting list).
- ``erase(email, now)`` runs in the erasure's one transaction: anonymise or delete the rows,
  keeping what counts need; returns what it did as tallies (stored without the address).

Providers are collected in the order they registered (INSTALLED_APPS) and erased in the
reverse order, so an app that builds on another lets go of its rows first.

The personal pages of the apps link to the data page by a kind and their token; each app that
has such a page registers a resolver for its kind (``link_kind``). The emails are written in
the layout the events app registers (``mail_layout``). Knows no domain: it imports none.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

from worker.services import Attachment

Label = str | Promise
Value = str | int | bool | None | list[str] | dt.datetime | dt.date


@dataclass(frozen=True)
class Item:
    """One fact: ``key`` names it in the JSON export, ``label`` on the page."""

    key: str
    label: Label
    value: Value


@dataclass(frozen=True)
class Record:
    """One row (a registration, an invitation), shown under its heading."""

    heading: str
    items: list[Item]


@dataclass(frozen=True)
class Section:
    key: str
    title: Label
    records: list[Record]


@dataclass(frozen=True)
class Tally:
    """How many rows of a kind an erasure changed: ``key`` is what the record stores."""

    key: str
    label: Label
    count: int


@dataclass(frozen=True)
class Provider:
    name: str
    collect: Callable[[str], list[Section]]
    erase: Callable[[str, dt.datetime], list[Tally]]
    release: Callable[[str, dt.datetime], list[Tally]] | None = None


_providers: dict[str, Provider] = {}


def register_provider(provider: Provider) -> Provider:
    """Register an app's provider (from AppConfig.ready); once per name."""
    existing = _providers.get(provider.name)
    if existing is not None and existing != provider:
        raise ValueError("a personal data provider %r is registered already" % provider.name)
    _providers[provider.name] = provider
    return provider


def providers() -> list[Provider]:
    return list(_providers.values())


def without_name(text: str, name: str) -> str:
    """A text with a person's name taken out where it stands in it (an answer kept as a record
    after its writer was erased); names of two letters or fewer are left, as too common."""
    return text.replace(name, "–") if len(name) > 2 else text


@dataclass(frozen=True)
class LinkHolder:
    """Who holds a personal link: the address it was made for, their language, the page to
    go back to, and a plain reference the mail layout reads (never interpreted here)."""

    email: str
    language: str
    back_url: str
    host_ref: int | None = None


LinkResolver = Callable[[str], LinkHolder | None]
_resolvers: dict[str, LinkResolver] = {}


def link_kind(kind: str) -> Callable[[LinkResolver], LinkResolver]:
    """Register the function that finds the holder of a personal link of `kind` by its token
    (None: no such link, or its data is gone). `kind` is a URL segment (/mine-data/be-om/<kind>/)."""

    def register(function: LinkResolver) -> LinkResolver:
        existing = _resolvers.get(kind)
        if existing is not None and existing is not function:
            raise ValueError("a link resolver for %r is registered already" % kind)
        _resolvers[kind] = function
        return function

    return register


def resolve_link(kind: str, token: str) -> LinkHolder | None:
    resolver = _resolvers.get(kind)
    if resolver is None or not token or len(token) > 64:
        return None
    return resolver(token)


@dataclass(frozen=True)
class MailBodies:
    text: str
    html: str
    inline: list[Attachment] = field(default_factory=list)


MailLayout = Callable[[str, Mapping[str, Any], int | None], MailBodies]
_layout: list[MailLayout] = []


def mail_layout(function: MailLayout) -> MailLayout:
    """Register the one function that renders templates/<template>.txt/.html in the emails'
    layout, for the host a LinkHolder's host_ref names (None: a neutral footer)."""
    if _layout and _layout[0] is not function:
        raise ValueError("a mail layout is registered already")
    _layout[:] = [function]
    return function


def render_mail(template: str, context: Mapping[str, Any], host_ref: int | None) -> MailBodies:
    if not _layout:
        raise LookupError("no mail layout is registered (the events app registers it)")
    return _layout[0](template, context, host_ref)
