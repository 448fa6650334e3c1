"""The organiser area's menu: one list of sections, each marked current on its own pages."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (label, the section's first page, URL namespaces or names whose pages belong to the section)
SECTIONS: list[tuple[Any, str, tuple[str, ...]]] = [
    (
        _("Overview"),
        "partners:organiser_home",
        ("partners:organiser_network", "partners:organiser_person", "partners:organiser_import"),
    ),
    (_("Events"), "events_organiser:list", ("events_organiser:",)),
    (_("Invitations"), "invitations_organiser:events", ("invitations_organiser:",)),
    (
        _("Inbox"),
        "invitations_organiser:inbox",
        (
            "invitations_organiser:event_inbox",
            "invitations_organiser:reply_handled",
            "invitations_organiser:address",
        ),
    ),
    (_("Calls for input"), "calls_organiser:list", ("calls_organiser:",)),
    (_("Organisations"), "partners:organiser_organisations", ("partners:organiser_organisation",)),
    (_("API tokens"), "api_tokens:list", ("api_tokens:",)),
]


@register.inclusion_tag("partners/_organiser_nav.html", takes_context=True)
def organiser_nav(context: dict[str, Any]) -> dict[str, Any]:
    """Shown on pages under /arrangor/. aria-current is "page" on the section's own first page
    and "true" elsewhere in that section."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    route = getattr(match, "route", "") or ""
    if not route.startswith("arrangor/"):
        return {"sections": []}
    view_name = match.view_name if match else ""
    # A page belongs to the section with the longest member matching its name (the inbox's
    # pages are also under invitations_organiser:), so one section is current at most.
    best = max(
        (
            (len(member), index)
            for index, (_label, _first, members) in enumerate(SECTIONS)
            for member in members
            if view_name.startswith(member)
        ),
        default=(0, -1),
    )[1]
    sections = []
    for index, (label, first_page, _members) in enumerate(SECTIONS):
        if view_name == first_page:
            current = "page"
        elif index == best and not any(view_name == first for _l, first, _m in SECTIONS):
            current = "true"
        else:
            current = ""
        sections.append({"label": label, "url": reverse(first_page), "current": current})
    return {"sections": sections}
