"""The NinjaAPI at /api/v1/, mounting each app's router, with one error shape for every failure.

Every error answer is `{"code": ..., "message": ..., "errors": [{"field": ..., "message": ...}]}`,
its message in the language the request asked for (Accept-Language, via LocaleMiddleware).
"""

import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from events.api import router as events_router
from invitations.api import router as invitations_router
from partners.api import router as partners_router
from partners.api_common import ApiError, idempotent, retry_after
from worker.api import router as worker_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Partnerskap API",
    version="1",
    urls_namespace="api",
    description=(
        "Networks, organisations and events of the partnership. Reading published events and "
        "registering is public; everything else needs an organiser's personal API token "
        "(`Authorization: Bearer ...`). Errors: `{code, message, errors: [{field, message}]}`; "
        "messages follow Accept-Language (nb, nn, en). Creating POSTs accept an "
        "`Idempotency-Key` header."
    ),
)
api.add_decorator(idempotent, mode="view")
api.add_router("/", partners_router)
api.add_router("/", events_router)
api.add_router("/", invitations_router)
api.add_router("/", worker_router)


def error_response(
    request: HttpRequest,
    status: int,
    code: str,
    message: Any,
    errors: list[tuple[str | None, Any]] | None = None,
) -> HttpResponse:
    data = {
        "code": code,
        "message": str(message),
        "errors": [{"field": field, "message": str(text)} for field, text in errors or []],
    }
    return api.create_response(request, data, status=status)


# \u0000 in a JSON string, unless its backslash is itself escaped (an odd run of backslashes).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def refuse_nul_characters(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A JSON body with a NUL character is refused before anything reads it: PostgreSQL cannot
    store NUL in text, and no field of ours has a use for it."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            body = request.body
        except RequestDataTooBig:
            # Django's own answer would be an HTML page; an API client gets the error shape.
            message = _("The request body is too large.")
            return error_response(request, 400, "bad_request", message, [(None, message)])
        if b"\x00" in body or _JSON_NUL.search(body):
            message = _("Text may not contain NUL characters (\\u0000).")
            return error_response(request, 422, "invalid", message, [(None, message)])
        return run(request, *args, **kwargs)

    return wrapper


api.add_decorator(refuse_nul_characters, mode="view")


# Field errors from request parsing (pydantic) ---------------------------------------------------


def _pydantic_message(error: dict[str, Any]) -> str:
    """A translated sentence for one pydantic error; Django's own wording where it has one."""
    kind: str = error.get("type", "")
    ctx: dict[str, Any] = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"float_type", "float_parsing", "decimal_parsing", "decimal_type"}:
        return _("Enter a number.")
    if kind in {"bool_type", "bool_parsing"}:
        return _("Enter true or false.")
    if kind.startswith(("datetime_", "date_", "time_")) and kind != "timezone_aware":
        return _("Enter a valid date/time.")
    if kind == "timezone_aware":
        return _("Give the time with its UTC offset, e.g. 2030-05-02T09:00:00+02:00.")
    if kind in {"literal_error", "enum"}:
        return _("Select a valid choice. That choice is not one of the available choices.")
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt"))
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": limit
        }
    if kind in {"less_than_equal", "less_than"}:
        limit = ctx.get("le", ctx.get("lt"))
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": limit
        }
    if kind == "string_too_long":
        limit = int(ctx.get("max_length", 0))
        return ngettext(
            "Ensure this value has at most %(limit_value)d character.",
            "Ensure this value has at most %(limit_value)d characters.",
            limit,
        ) % {"limit_value": limit}
    if kind == "string_too_short":
        return _("This field cannot be blank.")
    if kind in {"list_type", "tuple_type", "set_type"}:
        return _("Enter a list of values.")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("Enter a valid value.")
    if kind == "value_error" and "error" in ctx:
        # Raised by our own validators, already translated.
        return str(ctx["error"])
    return _("Enter a valid value.")


def _field_name(loc: tuple | list) -> str | None:
    """("body", "payload", "answers", 0) -> "answers.0"; ("query", "limit") -> "limit"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts) or None


@api.exception_handler(NinjaValidationError)
def on_request_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [(_field_name(error.get("loc", ())), _pydantic_message(error)) for error in exc.errors]
    return error_response(
        request, 422, "validation_error", _("The request has errors; see errors."), errors
    )


# Errors from services --------------------------------------------------------------------------


@api.exception_handler(DjangoValidationError)
def on_service_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """Field errors are 422; an error about the state of things (no field) is a 409 conflict."""
    if hasattr(exc, "error_dict"):
        errors: list[tuple[str | None, Any]] = []
        for field, field_errors in exc.message_dict.items():
            name = None if field == "__all__" else field
            errors.extend((name, message) for message in field_errors)
        if any(name is not None for name, _message in errors):
            return error_response(
                request, 422, "validation_error", _("The request has errors; see errors."), errors
            )
        return error_response(request, 409, "conflict", errors[0][1], errors)
    messages = exc.messages
    return error_response(
        request, 409, "conflict", messages[0], [(None, message) for message in messages]
    )


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    response = error_response(request, exc.status, exc.code, exc.message, exc.errors)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(
        request, 403, "permission_denied", _("You do not have permission to do this.")
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        request,
        401,
        "not_authenticated",
        _("Send a valid API token: Authorization: Bearer <token>."),
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = error_response(
        request, 429, "rate_limited", _("Too many requests. Try again in a little while.")
    )
    response["Retry-After"] = retry_after(exc.wait or 60)
    return response


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "validation_error",
    429: "rate_limited",
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        message = _("The request body is not valid JSON.")
    else:
        message = exc.message
    return error_response(
        request, exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), message
    )


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(
        request, 500, "server_error", _("Something went wrong on our side. Try again later.")
    )
