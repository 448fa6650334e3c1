"""An event's documents and links, and its report (DESIGN rule 12 for the files).

A file is checked by what its bytes are (`events.uploads`: PDF, Word, PowerPoint, Excel,
OpenDocument text and presentation, PNG, JPEG) and against `EVENT_DOCUMENT_MAX_BYTES` before
anything is written; it is written inside the transaction and removed again if that fails.
Refusals are a ValidationError naming the form field, so the organiser's form and the API
(api.errors) both show the message.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..models import Event, EventDocument, EventReport
from ..uploads import (
    DOCX,
    JPEG,
    ODP,
    ODT,
    PDF,
    PNG,
    PPTX,
    XLSX,
    CheckedFile,
    Upload,
    UploadRefused,
    check_upload,
    remove_files,
)

ALLOWED_TYPES = (PDF, DOCX, PPTX, XLSX, ODT, ODP, PNG, JPEG)
# What an organiser may change on a document after adding it (the file itself: delete, add anew).
DOCUMENT_FIELDS = ("title", "kind", "visibility")


def check_document(upload: Upload) -> CheckedFile:
    """The upload checked, or a ValidationError on `file` with the reason in words."""
    limit = settings.EVENT_DOCUMENT_MAX_BYTES
    try:
        return check_upload(upload, max_bytes=limit, allowed=ALLOWED_TYPES)
    except UploadRefused as refused:
        if refused.reason == UploadRefused.TOO_LARGE:
            message = _(
                "%(name)s is larger than %(limit)s. Make it smaller, or add it as a link."
            ) % {"name": refused.name, "limit": filesizeformat(limit)}
        elif refused.reason == UploadRefused.EMPTY:
            message = _("%(name)s is empty.") % {"name": refused.name}
        else:
            message = _(
                "%(name)s is not a file type we accept. Upload PDF, Word (DOCX), PowerPoint "
                "(PPTX), Excel (XLSX), OpenDocument (ODT, ODP), PNG or JPEG files."
            ) % {"name": refused.name}
        raise ValidationError({"file": message}) from None


def _checked_values(values: dict) -> dict:
    title = (values.get("title") or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the document a title.")
    if values.get("kind") not in EventDocument.Kind.values:
        errors["kind"] = _("Choose what kind of document this is.")
    if values.get("visibility") not in EventDocument.Visibility.values:
        errors["visibility"] = _("Choose who may see the document.")
    if errors:
        raise ValidationError(errors)
    return {"title": title[:200], "kind": values["kind"], "visibility": values["visibility"]}


def add_document(
    *, event: Event, values: dict, upload: Upload | None = None, url: str = ""
) -> EventDocument:
    """A file or a link (exactly one) with its title, kind and visibility."""
    fields = _checked_values(values)
    url = (url or "").strip()
    if (upload is None) == (not url):
        message = _("Upload a file or give a link: one of the two.")
        raise ValidationError({"file" if upload is None else "url": message})
    checked = None
    if upload is not None:
        checked = check_document(upload)
    else:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError({"url": _("Enter a link starting with https://.")}) from None
    document = EventDocument(event=event, url=url[:500], **fields)
    saved: list[str] = []
    try:
        if checked is not None:
            # Written before the transaction (a file of up to EVENT_DOCUMENT_MAX_BYTES is no
            # work to hold a transaction open for), removed again if the row is not saved.
            _attach(document, checked)
            saved.append(document.file.name)
        with transaction.atomic(durable=True):
            document.save()
    except BaseException:
        remove_files(saved)
        raise
    return document


def _attach(document: EventDocument, checked: CheckedFile) -> None:
    document.original_name = checked.original_name
    document.content_type = checked.content_type
    document.size = checked.size
    document.sha256 = checked.sha256
    document.file.save("x" + checked.extension, ContentFile(checked.content), save=False)


@transaction.atomic(durable=True)
def change_document(*, document: EventDocument, values: dict) -> EventDocument:
    fields = _checked_values(values)
    for name in DOCUMENT_FIELDS:
        setattr(document, name, fields[name])
    document.save(update_fields=list(DOCUMENT_FIELDS))
    return document


@transaction.atomic(durable=True)
def delete_document(*, document: EventDocument) -> None:
    """The row goes now; its file after the commit (events.signals)."""
    document.delete()


@transaction.atomic(durable=True)
def save_report(*, event: Event, text: str, by_user: User) -> EventReport | None:
    """The report as written; an empty text removes it."""
    text = text.strip()
    if not text:
        EventReport.objects.filter(event=event).delete()
        return None
    report, _created = EventReport.objects.update_or_create(
        event=event, defaults={"text": text, "updated_by": by_user}
    )
    return report
