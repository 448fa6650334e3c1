"""Without EMAIL_URL, mail lands as one .eml file per message that a mail client can open."""

import os
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.core.mail import EmailMessage, get_connection

from tests.factories import confirmation
from worker.delivery import deliver_messages
from worker.models import OutgoingMessage
from worker.services import queue_messages

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def eml_folder(settings, tmp_path) -> Path:
    settings.EMAIL_BACKEND = "worker.eml_backend.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def _emls(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


def test_outbox_rows_land_as_one_eml_each_parseable_by_the_email_package(eml_folder):
    rows = queue_messages(messages=[confirmation(i) for i in range(3)])
    deliver_messages(message_ids=[row.pk for row in rows])

    files = _emls(eml_folder)
    assert [path.suffix for path in files] == [".eml"] * 3
    parsed = {}
    for path in files:
        data = path.read_bytes()
        assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")  # RFC 5322 line ends
        message = message_from_bytes(data, policy=policy.default)
        parsed[message["To"].addresses[0].addr_spec] = message
    for row in rows:
        row.refresh_from_db()
        assert row.state == OutgoingMessage.State.SENT
        message = parsed[row.to_email]
        assert message["Message-ID"].strip("<>") == row.message_id.strip("<>")
        assert message["Subject"] == row.subject
        calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        assert "BEGIN:VCALENDAR" in calendar.get_content()


def test_a_django_message_lands_whole_with_its_unicode_subject_and_body(eml_folder):
    sent = get_connection().send_messages(
        [
            EmailMessage(
                subject="Påmelding til Vårsamling",
                body="Hei Åse,\n\nDu er påmeldt.\n",
                from_email="partnerskap@localhost",
                to=["ase@example.org"],
            )
        ]
    )
    assert sent == 1
    (path,) = _emls(eml_folder)
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Påmelding til Vårsamling"
    assert message["To"] == "ase@example.org"
    assert message.get_content().replace("\r\n", "\n") == "Hei Åse,\n\nDu er påmeldt.\n"


def test_settings_without_email_url_write_eml_files_under_var(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"EMAIL_URL", "DJANGO_SETTINGS_MODULE"}}
    env["VAR_DIR"] = str(tmp_path)
    script = (
        "import django; django.setup();"
        "from django.core.mail import send_mail;"
        "send_mail('Hei', 'Tekst', 'a@localhost', ['b@example.org'])"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        timeout=60,
    )
    (path,) = (tmp_path / "mail").iterdir()
    assert path.suffix == ".eml"
    assert message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"] == "Hei"
