"""The organiser's send-out of invitations to answer a call, and how each send-out is going."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import CallInvitation, CallSendOut
from ..selectors_organiser import get_organised_call
from ..services.invitations import create_call_sendout
from .forms import InviteForm
from .views import apply_errors, organiser_required

SENDOUTS_SHOWN = 20


@organiser_required
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_organised_call(request.user, pk)
    form = InviteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sendout = create_call_sendout(
                call=call,
                by_user=request.user,
                network_ids=[n.pk for n in data["networks"]],
                organisation_ids=[o.pk for o in data["organisations"]],
                addresses=data["addresses"],
                language=data["language"],
                note=data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The send-out is recorded. The invitations go out in the background; "
                    "this page shows how far it has come."
                ),
            )
            return redirect("calls_organiser:sendout", pk=call.pk, call_sendout_id=sendout.pk)
    counts = CallInvitation.objects.filter(call=call).aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(state=CallInvitation.State.ANSWERED)),
        reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
    )
    sendouts = list(
        CallSendOut.objects.filter(call=call).select_related("created_by")[:SENDOUTS_SHOWN]
    )
    return render(
        request,
        "calls/organiser/invite.html",
        {
            "call": call,
            "form": form,
            "counts": counts,
            "closed": call.has_closed(timezone.now()),
            "sendouts": sendouts,
        },
    )


@organiser_required
def sendout_detail(request: HttpRequest, pk: int, call_sendout_id: int) -> HttpResponse:
    """One send-out's state and counts; the page refreshes itself while it runs."""
    call = get_organised_call(request.user, pk)
    sendout = get_object_or_404(
        CallSendOut.objects.select_related("created_by"), pk=call_sendout_id, call=call
    )
    return render(
        request, "calls/organiser/sendout_detail.html", {"call": call, "sendout": sendout}
    )
