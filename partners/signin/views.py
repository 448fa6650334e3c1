"""The sign-in pages: the login page (single sign-on first, the password as the fallback), the
second factor's code after the password, setting up an authenticator, and the pages a refused
single sign-on ends on.

Unknown names and wrong passwords get the same message and the same work (Django's form and
backend hash a password either way), the limit counts names that exist and names that do not
alike, and the code is asked for only after a right password.
"""

import base64
import time
from binascii import unhexlify
from typing import Any
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_otp import login as otp_login

from ..selectors import is_organiser
from ..services.two_factor import (
    enrol_totp_device,
    remove_totp_device,
    totp_device,
    verify_second_factor,
)
from .conf import signin_setting
from .discovery import sso_configured
from .forms import CodeForm, EnrolForm
from .gate import second_factor_missing, to_second_factor
from .throttle import attempt_refused

# Between the right password and the code: the user, the backend, where to go, and when.
PENDING_KEY = "signin_pending"
PENDING_SECONDS = 5 * 60


def throttled_message() -> str:
    return _(
        "Too many sign-in attempts. Wait a while (up to an hour) and try again, "
        "or sign in with your work account."
    )


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


class SignInView(LoginView):
    """/konto/logg-inn/: every attempt counted; a right password for an account with a
    device leads to the code, not yet into the account."""

    template_name = "registration/login.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if second_factor_missing(request):  # a superuser the admin sent back here
            return to_second_factor(request, self.get_success_url())
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if attempt_refused(request, account=request.POST.get("username", "")):
            form = self.get_form_class()(request=request)
            context = self.get_context_data(form=form, throttled=throttled_message())
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if totp_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "at": time.time(),
        }
        return redirect("signin:code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if sso_configured():
            next_url = context.get(self.redirect_field_name) or ""
            query = "?" + urlencode({"next": next_url}) if next_url else ""
            context["sso_url"] = reverse("signin:sso") + query
        return context


@require_http_methods(["GET", "HEAD", "POST"])
def second_factor_code(request: HttpRequest) -> HttpResponse:
    """/konto/logg-inn/kode/: the code from the authenticator, after the password."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        messages.info(request, _("Sign in again: the step with the code timed out."))
        return redirect("login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if attempt_refused(request, account=user.username, step="code"):
            form.add_error(None, throttled_message())
            status = 429
        else:
            device = verify_second_factor(user=user, code=form.cleaned_data["code"])
            if device is not None:
                del request.session[PENDING_KEY]
                auth_login(request, user, backend=pending["backend"])
                otp_login(request, device)
                return HttpResponseRedirect(pending["next"])
            form.add_error("code", wrong_code_message())
    return render(request, "registration/second_factor.html", {"form": form}, status=status)


def wrong_code_message() -> str:
    return _(
        "That code is not right, or was used already. Check that the time on your phone is "
        "right, and enter the newest code."
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """/konto/to-trinn/: set up an authenticator app, or turn it off (not for superusers)."""
    user = request.user
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    device = totp_device(user)  # type: ignore[arg-type]
    if device is not None:
        return _two_factor_on(request, next_url)
    form = EnrolForm(request.POST or None, user=user)  # type: ignore[arg-type]
    if request.method == "POST":
        if "setup" in form.errors:
            messages.error(request, str(form.errors["setup"][0]))
            form = EnrolForm(user=user)  # type: ignore[arg-type]
        elif form.is_valid():
            device = enrol_totp_device(
                user=user,  # type: ignore[arg-type]
                key=form.cleaned_data["setup"],
                code=form.cleaned_data["code"],
            )
            if device is not None:
                otp_login(request, device)
                messages.success(request, _("Two-step verification is on."))
                return redirect(next_url or "signin:two_factor")
            form.add_error("code", wrong_code_message())
    secret = base64.b32encode(unhexlify(form.key.encode())).decode()
    context = {
        "form": form,
        "next": next_url,
        "qr_code": _qr_svg(_otpauth_url(user.get_username(), secret)),
        "manual_key": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "required": user.is_superuser and signin_setting("SIGNIN_SUPERUSER_SECOND_FACTOR"),
    }
    return render(request, "registration/two_factor.html", context)


def _two_factor_on(request: HttpRequest, next_url: str) -> HttpResponse:
    form = CodeForm(request.POST or None)
    user = request.user
    if request.method == "POST" and not user.is_superuser and form.is_valid():
        if remove_totp_device(user=user, code=form.cleaned_data["code"]):  # type: ignore[arg-type]
            messages.success(request, _("Two-step verification is off."))
            return redirect("signin:two_factor")
        form.add_error("code", wrong_code_message())
    context = {"form": form, "on": True, "next": next_url, "superuser": user.is_superuser}
    return render(request, "registration/two_factor.html", context)


def _otpauth_url(username: str, secret: str) -> str:
    """The key as authenticator apps read it (Key Uri Format: otpauth://totp/...)."""
    issuer = "Partnerskap"
    query = urlencode({"secret": secret, "issuer": issuer, "digits": 6, "period": 30})
    return "otpauth://totp/%s:%s?%s" % (quote(issuer), quote(username), query)


def _qr_svg(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(
        scale=4, svgclass="qr-code", title=_("QR code for your app")
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308


# Why a single sign-on was refused, and the page's status.
REFUSALS = {"role": 403, "inactive": 403, "invalid": 400, "unavailable": 503, "cancelled": 200}


def _refusal_message(reason: str) -> str:
    return {
        "role": _(
            "Your work account does not give access to the organiser area. Ask the "
            "partnership's administrator to give you the organiser role."
        ),
        "inactive": _("This account has been turned off. Ask the partnership's administrator."),
        "invalid": _(
            "The answer from the sign-in service could not be trusted, or it expired. "
            "Nothing was signed in. Try again."
        ),
        "unavailable": _(
            "The sign-in service cannot be reached right now. Try again in a few minutes, "
            "or sign in with your password."
        ),
        "cancelled": _("The sign-in was cancelled."),
    }[reason]


@require_safe
def sso_refused(request: HttpRequest) -> HttpResponse:
    """/konto/logg-inn/avvist/?r=...: where every refused single sign-on ends."""
    reason = request.GET.get("r", "")
    if reason not in REFUSALS:
        reason = "invalid"
    context = {"message": _refusal_message(reason)}
    return render(request, "registration/sso_refused.html", context, status=REFUSALS[reason])


@login_required
@require_safe
def no_roles(request: HttpRequest) -> HttpResponse:
    """/konto/logg-inn/ingen-roller/: signed in, but no network or host to organise yet."""
    if is_organiser(request.user):
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "registration/no_roles.html", status=403)
