"""The organiser's API tokens: create (shown once) and revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from api.auth import revoke_api_token
from api.models import ApiToken

from .api_tokens import create_api_token
from .permissions import OrganiserRequest, organiser_required


@organiser_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: OrganiserRequest) -> HttpResponse:
    new_token = None
    errors: list[str] = []
    if request.method == "POST":
        try:
            new_token = create_api_token(user=request.user, name=request.POST.get("name", ""))
        except ValidationError as error:
            errors = error.messages
    tokens = ApiToken.objects.filter(user_id=request.user.pk or 0)
    return render(
        request,
        "partners/api_tokens.html",
        {"tokens": tokens, "new_token": new_token, "errors": errors},
        status=422 if errors else 200,
    )


@organiser_required
def revoke(request: OrganiserRequest, token_id: int) -> HttpResponse:
    # Someone else's token is a 404 whatever the method, so nobody learns which ids exist.
    token = get_object_or_404(ApiToken, pk=token_id, user_id=request.user.pk or 0)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    revoke_api_token(token=token, by_user=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
