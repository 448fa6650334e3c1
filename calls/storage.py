"""Where answers' attachments are kept: the private storage of `events.uploads` (outside the
static and media trees, never a URL), in a folder per call under random names.

The two names stay here because the calls migrations name them.
"""

from typing import Any

from django.core.files.storage import Storage

from events.uploads import private_storage, random_name


def attachment_storage() -> Storage:
    return private_storage()


def attachment_path(instance: Any, filename: str) -> str:
    """A random name under the call's folder; the name the person gave is kept in a column."""
    return random_name(f"calls/{instance.answer.call_id}", filename)
