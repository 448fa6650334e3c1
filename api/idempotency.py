"""Idempotency-Key: a POST sent again with the same key gets the first answer, and runs once."""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .auth import authenticate_api_token
from .errors import ApiError, error_response
from .models import IdempotencyRecord
from .throttling import client_ip

IDEMPOTENCY_HEADER = "Idempotency-Key"
# A key is kept for a day of retries; after that the stored answer (which may hold a personal
# link) is deleted by purge_expired_records.
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


def _multipart_canonical(request: HttpRequest) -> bytes:
    files = {}
    for name, uploads in request.FILES.lists():
        hashes = []
        for upload in uploads:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            hashes.append([upload.name, digest.hexdigest()])
        files[name] = hashes
    fields = {name: values for name, values in request.POST.lists()}
    return json.dumps([fields, files], sort_keys=True).encode("utf-8")


def request_hash(request: HttpRequest) -> str:
    """What makes two requests the same: method, path and the body (JSON compared canonically;
    a multipart body by its fields and each file's name and SHA-256, since its raw bytes are
    never held: Django streams the files to disk)."""
    if request.content_type == "multipart/form-data":
        body = _multipart_canonical(request)
    else:
        body = request.body
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
        this_hash = request_hash(request)
        client = _client_scope(request)
        try:
            record, first = _claim(client=client, key=key, request=request, request_hash=this_hash)
        except ApiError as error:
            return error_response(error.status, error.code, error.message)
        if not first:
            if record.request_hash != this_hash:
                return error_response(
                    422,
                    "idempotency_key_reused",
                    _("This Idempotency-Key was already used for a different request."),
                )
            if record.response_status is None:
                return error_response(
                    409,
                    "idempotency_in_progress",
                    _("A request with this Idempotency-Key is still being handled."),
                    headers={"Retry-After": "1"},
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


def purge_expired_records(*, now: datetime | None = None) -> int:
    """Delete the records older than IDEMPOTENCY_TTL; returns how many went."""
    now = now or timezone.now()
    deleted, _per_model = IdempotencyRecord.objects.filter(
        created_at__lt=now - IDEMPOTENCY_TTL
    ).delete()
    return deleted


def forget_records_naming(*, email: str) -> int:
    """Delete the stored answers that name the address (a person's data erased): a retry of
    such a request runs again instead of replaying a personal link. Returns how many went."""
    if not email.strip():
        return 0
    deleted, _per_model = IdempotencyRecord.objects.filter(
        response_body__icontains=email.strip()
    ).delete()
    return deleted
