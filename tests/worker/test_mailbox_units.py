"""worker.mailbox without a server: the URL, what counts as unparseable, the handler registry."""

from email.message import EmailMessage

import pytest

from worker import handlers
from worker.mailbox import Mailbox, Unparseable, parse


def test_the_url_names_the_server_the_login_and_the_folder():
    box = Mailbox.from_url(
        "imaps://partnerskap%40example.org:p%40ss%2Fw%3Ard@imap.example.org/Svar"
    )
    assert (box.host, box.port, box.tls, box.starttls) == ("imap.example.org", 993, True, False)
    assert (box.username, box.password, box.folder) == (
        "partnerskap@example.org",
        "p@ss/w:rd",
        "Svar",
    )
    plain = Mailbox.from_url("imap://u:p@127.0.0.1?starttls=1")
    assert (plain.port, plain.tls, plain.starttls, plain.folder) == (143, False, True, "INBOX")
    assert "p@ss" not in repr(box)


@pytest.mark.parametrize("url", ["pop3://u:p@host/INBOX", "imap://host/INBOX", "imap:///INBOX"])
def test_a_url_that_names_no_imap_login_is_refused(url):
    with pytest.raises(ValueError):
        Mailbox.from_url(url)


def test_parse_reads_a_message_and_refuses_garbage():
    message = EmailMessage()
    message["From"] = "a@example.org"
    message["Subject"] = "Godtatt: Nettverksmøte"
    message.set_content("Hei")
    assert parse(message.as_bytes())["Subject"] == "Godtatt: Nettverksmøte"
    for garbage in (b"", bytes(range(256)) * 4, b"just a line of text without any header\n"):
        with pytest.raises(Unparseable):
            parse(garbage)


def test_handlers_run_in_order_and_say_what_they_did(monkeypatch):
    monkeypatch.setattr(handlers, "_handlers", [])  # without the apps' own (InvitationsConfig)
    message = EmailMessage()
    assert handlers.handle(message) == handlers.NO_HANDLER

    def first(m):
        return "first"

    def silent(m):
        return None

    for function in (first, silent, first):
        handlers.register_inbound_handler(function)
    try:
        assert handlers.handle(message) == "first"
        handlers.unregister_inbound_handler(first)
        assert handlers.handle(message) == handlers.NOTHING_DONE
    finally:
        handlers.unregister_inbound_handler(first)
        handlers.unregister_inbound_handler(silent)
