"""The site's notices: the privacy notice of each host (personvernerklæring, /personvern/<slug>/)
with the overview of all hosts (/personvern/), and the accessibility statement
(tilgjengelighetserklæring, /tilgjengelighet/). Their facts (who is responsible, whom to ask,
how long data is kept) come from the hosts' rows and the settings, never from the text."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Host


def _retention() -> dict[str, int]:
    return {
        "special_needs_days": settings.SPECIAL_NEEDS_RETENTION_DAYS,
        "access_log_days": settings.DATA_ACCESS_LOG_RETENTION_DAYS,
    }


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    """What is stored about participants and for how long, and each host's own notice."""
    return render(
        request,
        "partners/privacy.html",
        {"hosts": Host.objects.order_by("name"), **_retention()},
    )


@require_safe
def privacy_host(request: HttpRequest, slug: str) -> HttpResponse:
    """One host's privacy notice: the forms and every email about its events and calls link here."""
    host = get_object_or_404(Host, slug=slug)
    return render(
        request,
        "partners/privacy_host.html",
        {
            "host": host,
            "other_hosts": Host.objects.exclude(pk=host.pk).order_by("name"),
            **_retention(),
        },
    )


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "partners/accessibility.html",
        {
            "county_statement_url": settings.ACCESSIBILITY_STATEMENT_URL,
            "hosts": Host.objects.exclude(email="").order_by("name"),
        },
    )
