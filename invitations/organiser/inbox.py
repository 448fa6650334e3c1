"""The organiser's pages for what the mailbox brought back: the inbox of replies that need a
person (per event and across the organiser's events), and the undeliverable addresses with a
way to correct them. Scoped as the other organiser pages: another network's reply or address
is a 404; a GET never writes."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from events.models import Event
from events.selectors.organiser import organised_events
from partners.permissions import organiser_required

from ..selectors import (
    address_holders,
    inbox_replies,
    replies_in_scope,
    undeliverable_addresses,
)
from ..services.errors import InvitationError
from ..services.inbox import (
    address_works_again,
    correct_address,
    invitations_to_correct,
    mark_reply_handled,
)
from .forms import CorrectAddressForm

PAGE_SIZE = 100
HANDLED = "handterte"  # ?vis=handterte: the replies already dealt with


def _page(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("side", "1")), 1), 100_000)
    except ValueError:
        return 1


def _inbox(request: HttpRequest, event: Event | None) -> HttpResponse:
    handled = request.GET.get("vis") == HANDLED
    page = _page(request)
    replies = inbox_replies(request.user, event=event, handled=handled)
    shown = list(replies[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    context: dict[str, Any] = {
        "event": event,
        "replies": shown[:PAGE_SIZE],
        "handled": handled,
        "handled_value": HANDLED,
        "page": page,
        "has_next": len(shown) > PAGE_SIZE,
        "here": request.get_full_path(),
    }
    return render(request, "invitations/organiser/inbox.html", context)


@organiser_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Replies across every event the organiser has."""
    return _inbox(request, None)


@organiser_required
def event_inbox(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(organised_events(request.user), pk=event_id)
    return _inbox(request, event)


@organiser_required
def reply_handled(request: HttpRequest, reply_id: int) -> HttpResponse:
    reply = get_object_or_404(replies_in_scope(request.user), pk=reply_id)  # scope first
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    assert isinstance(request.user, User)
    if mark_reply_handled(reply=reply, by=request.user):
        messages.success(request, _("Marked as handled."))
    else:
        messages.info(request, _("Someone had already marked it as handled."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("invitations_organiser:inbox")
    return redirect(back)


@organiser_required
def address_list(request: HttpRequest) -> HttpResponse:
    page = _page(request)
    shown = list(
        undeliverable_addresses(request.user)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1]
    )
    addresses = shown[:PAGE_SIZE]
    holders = address_holders(
        [a.email_key for a in addresses], events=organised_events(request.user)
    )
    rows = [(address, holders[address.email_key]) for address in addresses]
    return render(
        request,
        "invitations/organiser/address_list.html",
        {"rows": rows, "page": page, "has_next": len(shown) > PAGE_SIZE},
    )


@organiser_required
def address_detail(request: HttpRequest, address_id: int) -> HttpResponse:
    """One undeliverable address: who had it, and the correction or the "works again" button."""
    address = get_object_or_404(undeliverable_addresses(request.user), pk=address_id)
    events = organised_events(request.user)
    form = CorrectAddressForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and "works_again" in request.POST:
        address_works_again(email=address.email_key)
        messages.success(
            request,
            _("%(email)s is no longer marked undeliverable; mail goes to it again.")
            % {"email": address.email_key},
        )
        return redirect("invitations_organiser:addresses")
    if request.method == "POST":
        if form.is_valid():
            try:
                done = correct_address(
                    old_email=address.email_key,
                    new_email=form.cleaned_data["email"],
                    events=events,
                    old_works_again=form.cleaned_data["old_works_again"],
                )
            except InvitationError as error:
                form.add_error("email" if error.field == "email" else None, error.message)
            else:
                messages.success(
                    request,
                    _("The address is corrected to %(email)s. Open invitations changed: %(count)s.")
                    % {"email": form.cleaned_data["email"], "count": done.invitations},
                )
                return redirect("invitations_organiser:addresses")
        status = 422
    holders = address_holders([address.email_key], events=events)[address.email_key]
    context = {
        "address": address,
        "holders": holders,
        "to_correct": invitations_to_correct(email=address.email_key, events=events),
        "form": form,
    }
    return render(request, "invitations/organiser/address_detail.html", context, status=status)
