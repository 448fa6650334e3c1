"""A poll of the test mailbox in a process of its own, for the tests that SIGKILL it.

    python -m tests.integration.mailbox_poller [--die-before-move] [--sleep SECONDS]

Registers the test handler (one row in mailbox_test_effect per message it handles) and polls
INBOUND_MAIL_URL once. --die-before-move: SIGKILL itself at the first move, i.e. after the
first message's transaction committed and before the server was told to move it.
"""

import argparse
import os
import signal
import time

import django

EFFECTS = "mailbox_test_effect"


def record_effect(message) -> str:
    """The test handler's effect: one row per message it handled, in the poll's transaction;
    a Subject with "explode" raises instead (after writing, so the rollback is tested too)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {EFFECTS} (message_id) VALUES (%s)", [message["Message-ID"]])
    if "explode" in str(message.get("Subject", "")):
        raise RuntimeError("the handler exploded")
    return "effect recorded"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--die-before-move", action="store_true")
    parser.add_argument("--sleep", type=float, default=0.0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from worker import handlers, mailbox

    def handler(message):
        if args.sleep:
            time.sleep(args.sleep)
        return record_effect(message)

    # The mailbox alone: the test handler instead of the apps' own (InvitationsConfig's).
    handlers._handlers.clear()
    handlers.register_inbound_handler(handler)
    if args.die_before_move:

        def die(self, uid, state):
            os.kill(os.getpid(), signal.SIGKILL)

        mailbox._Poll.move = die  # type: ignore[method-assign]
    print(mailbox.poll(), flush=True)


if __name__ == "__main__":
    main()
