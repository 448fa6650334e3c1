"""The invitee's opt-out of a call's network, from the link in the footer of the invitation
and its reminder (no login): GET asks, POST records invitations' NetworkOptOut, and the page
that says so undoes it with the opt-out's own token (invitations' undo_opt_out)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from invitations.selectors import opt_out_by_token
from invitations.services.answers import undo_opt_out

from . import selectors
from .services.invitations import opt_out_of_call_network


def _use_invitee_language(request: HttpRequest, language: str) -> None:
    """The page opens in the invitation's language; a choice made with the language switch
    (its cookie) wins."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES) or language not in dict(settings.LANGUAGES):
        return
    translation.activate(language)
    request.LANGUAGE_CODE = language


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "calls/not_found.html", {"message": message}, status=404)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_for_opt_out(token=token)
    if invitation is None:
        return _not_found(request, _("This link does not lead to an invitation."))
    _use_invitee_language(request, invitation.language)
    context: dict[str, object] = {
        "invitation": invitation,
        "call": invitation.call,
        "network": invitation.call.network,
    }
    if request.method == "POST" and invitation.call.network_id is not None:
        context["undo_token"] = opt_out_of_call_network(invitation=invitation)
    return render(request, "calls/opt_out.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def opt_out_undo(request: HttpRequest, token: str) -> HttpResponse:
    """`token` is the opt-out's: its holder may take invitations from the network again."""
    found = opt_out_by_token(token=token)
    if found is None:
        return _not_found(
            request,
            _("This opt-out is not in force: it has been undone already, or the link is wrong."),
        )
    done = False
    if request.method == "POST":
        undo_opt_out(token=token)
        done = True
    return render(request, "calls/opt_out_undo.html", {"opt_out": found, "done": done})
