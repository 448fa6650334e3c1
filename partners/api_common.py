"""What every API router shares: token auth, the error shape, pagination, rate limits, idempotency.

Lives in partners because every app may import partners (and no app may import config); the
NinjaAPI in config/api.py installs the exception handlers and the idempotency wrapper.
"""

import hashlib
import json
import math
import threading
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from .api_tokens import authenticate_api_token
from .models import ApiToken, IdempotencyRecord
from .rate_limits import count_hit

# Auth ------------------------------------------------------------------------------------------


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: an organiser's personal token. Sets request.user."""

    openapi_description = "An organiser's personal API token, created under /arrangor/api-tokens/."

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = authenticate_api_token(token.strip())
        if api_token is None:
            return None
        request.user = api_token.user
        return api_token


class AnonymousAuth:
    """Placeholder auth result for public endpoints that organisers may also call with a token."""

    def __bool__(self) -> bool:
        return True


ANONYMOUS = AnonymousAuth()


class OptionalApiTokenAuth(ApiTokenAuth):
    """Public endpoint that shows more to an organiser: no header is fine, a bad token is 401."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.headers.get(self.header):
            return ANONYMOUS
        return super().__call__(request)


token_auth = ApiTokenAuth()
optional_token_auth = OptionalApiTokenAuth()
# OpenAPI: the token is optional on these operations.
OPTIONAL_AUTH_OPENAPI: dict[str, Any] = {"security": [{"OptionalApiTokenAuth": []}, {}]}


# Errors ----------------------------------------------------------------------------------------


class FieldErrorOut(Schema):
    field: str | None = Field(None, description="The input field, dotted for nested ones.")
    message: str


class ErrorOut(Schema):
    code: str = Field(..., description="Machine-readable, e.g. validation_error, not_found.")
    message: str = Field(..., description="For people, in the language asked for.")
    errors: list[FieldErrorOut] = Field(default_factory=list)


class ApiError(Exception):
    """An answer other than success, raised by an endpoint; rendered as ErrorOut."""

    def __init__(
        self,
        status: int,
        code: str,
        message: Any,
        errors: Iterable[tuple[str | None, Any]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.errors = list(errors)
        self.headers = headers or {}
        super().__init__(code)


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("Not found."))


def forbidden() -> ApiError:
    return ApiError(403, "permission_denied", _("You do not have permission to do this."))


def invalid_field(field: str, message: Any) -> ApiError:
    return ApiError(
        422, "validation_error", _("The request has errors; see errors."), [(field, message)]
    )


def error_responses(*statuses: int) -> dict[int, type[Schema]]:
    """The documented error answers of an operation (schemathesis checks each status is listed)."""
    return {status: ErrorOut for status in statuses}


# Pagination ------------------------------------------------------------------------------------

MAX_PAGE_SIZE = 200


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=` -> `{"count": N, "items": [...]}`."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")
        offset: int = Field(0, ge=0, le=10**9, description="Items to skip.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)


# Rate limits -----------------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the trusted proxies in front of us saw (API_NUM_PROXIES)."""
    proxies = int(getattr(settings, "API_NUM_PROXIES", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))][:64]
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def _parse_rate(rate: str) -> tuple[int, int]:
    count, _slash, period = rate.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[:1] or "m"]
    return int(count), seconds


class ClientIpRateThrottle(BaseThrottle):
    """A fixed window per client address in Django's cache (Redis in production), counted by
    partners.rate_limits: one round trip, and no limit while the cache is unreachable.

    The rate is read from a setting on every request, so deployments and tests can change it.
    """

    def __init__(self, scope: str, setting: str, default: str) -> None:
        self.scope = scope
        self.setting = setting
        self.default = default
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        limit, period = _parse_rate(getattr(settings, self.setting, self.default))
        now = time.time()
        window = int(now // period)
        key = "api-rate:%s:%s:%d" % (self.scope, client_ip(request), window)
        count = count_hit(key, timeout=period + 1)
        self._local.wait = (window + 1) * period - now
        return count is None or count <= limit  # None: no cache, no limit (rate_limits.py)

    def wait(self) -> float | None:
        return max(getattr(self._local, "wait", 1.0), 1.0)


public_write_throttle = ClientIpRateThrottle(
    scope="public-write", setting="API_PUBLIC_WRITE_RATE", default="10/m"
)


# Idempotency -----------------------------------------------------------------------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL = timedelta(hours=24)
# Answers that are not kept, so the same key may be sent again: a request refused before it
# started (400 bad JSON, 422 invalid input: nothing was done, as Stripe's idempotency treats
# validation errors) and answers that say nothing about the request itself (401, 429).
_NOT_REPLAYED = {400, 401, 422, 429}


def _client_scope(request: HttpRequest) -> str:
    auth = request.headers.get("Authorization", "")
    scheme, _space, raw = auth.partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        token = authenticate_api_token(raw.strip())
        if token is not None:
            return "token:%d" % token.pk
    return "ip:%s" % client_ip(request)


def _request_hash(request: HttpRequest) -> str:
    body: bytes = request.body
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
        body = canonical.encode("utf-8")
    except ValueError:
        pass
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, ""):
        digest.update(part.encode("utf-8") + b"\n")
    digest.update(body)
    return digest.hexdigest()


def _claim(
    *, client: str, key: str, request: HttpRequest, request_hash: str
) -> tuple[IdempotencyRecord, bool]:
    """(record, True) if this request is the first with the key; (earlier record, False) if not."""
    for _attempt in range(2):
        try:
            # A short transaction of its own (a savepoint under tests): only the claim, never
            # the request's work.
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    client=client,
                    key=key,
                    method=request.method or "",
                    path=request.path[:500],
                    request_hash=request_hash,
                )
            return record, True
        except IntegrityError:
            earlier = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if earlier is None:
                continue
            if earlier.created_at < timezone.now() - IDEMPOTENCY_TTL:
                IdempotencyRecord.objects.filter(pk=earlier.pk).delete()
                continue
            return earlier, False
    raise ApiError(409, "idempotency_conflict", _("Try again."))


def _error_response(status: int, code: str, message: Any, **headers: str) -> HttpResponse:
    body = json.dumps({"code": code, "message": str(message), "errors": []})
    response = HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    for name, value in headers.items():
        response[name] = value
    return response


def idempotent(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps every operation (ninja "view" mode): a POST with Idempotency-Key runs at most once.

    The same key with the same body gets the first answer back (same status and body); the same
    key with another body gets 422. A key still being worked on gets 409. A refusal of the input
    (400, 422) is not kept: the corrected request may reuse the key.
    """

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if request.method != "POST" or not key or len(key) > 255:
            return run(request, *args, **kwargs)
        request_hash = _request_hash(request)
        client = _client_scope(request)
        try:
            record, first = _claim(
                client=client, key=key, request=request, request_hash=request_hash
            )
        except ApiError as error:
            return _error_response(error.status, error.code, error.message)
        if not first:
            if record.request_hash != request_hash:
                return _error_response(
                    422,
                    "idempotency_key_reused",
                    _("This Idempotency-Key was already used for a different request."),
                )
            if record.response_status is None:
                return _error_response(
                    409,
                    "idempotency_in_progress",
                    _("A request with this Idempotency-Key is still being handled."),
                    **{"Retry-After": "1"},
                )
            replay = HttpResponse(
                record.response_body,
                status=record.response_status,
                content_type=record.response_content_type or "application/json; charset=utf-8",
            )
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 500 or response.status_code in _NOT_REPLAYED:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        else:
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                response_status=response.status_code,
                response_body=response.content.decode("utf-8"),
                response_content_type=response.get("Content-Type", ""),
            )
        return response

    return wrapper


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
