"""The organiser's send-out of invitations to answer a call."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import CallInvitation
from ..selectors_organiser import get_organised_call
from ..services.invitations import invite_to_call
from .forms import InviteForm
from .views import apply_errors, organiser_required


@organiser_required
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_organised_call(request.user, pk)
    form = InviteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = invite_to_call(
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
            count = len(result.invited)
            messages.success(
                request,
                ngettext(
                    "%(count)s invitation is on its way.",
                    "%(count)s invitations are on their way.",
                    count,
                )
                % {"count": count},
            )
            if result.already_invited or result.opted_out:
                messages.info(
                    request,
                    _(
                        "Left out: %(invited)s already invited, %(opted_out)s opted out of "
                        "the network."
                    )
                    % {"invited": result.already_invited, "opted_out": result.opted_out},
                )
            return redirect("calls_organiser:invite", pk=call.pk)
    counts = CallInvitation.objects.filter(call=call).aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(state=CallInvitation.State.ANSWERED)),
        reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
    )
    return render(
        request,
        "calls/organiser/invite.html",
        {"call": call, "form": form, "counts": counts, "closed": call.has_closed(timezone.now())},
    )
