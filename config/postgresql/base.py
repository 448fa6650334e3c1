"""Django's PostgreSQL backend with a health check that costs no round trip.

Django's health check (CONN_HEALTH_CHECKS) sends SELECT 1 before a request first uses a
reused connection: on the public registration API that was one statement in three, a round
trip and about 3 % of the app's CPU (issue 10). A connection that PostgreSQL dropped (a
restart, an administrator's pg_terminate_backend, the server process killed) has left word on
its socket: PostgreSQL's goodbye message, or the end of the stream. An idle connection in good
order has nothing to read. So the check looks at the socket without waiting, and only when
something is there does it ask the server as Django does (SELECT 1, which also reads a
notice or a notification that arrived while the connection was idle).

A server that vanished without a word (a network cut) is found by neither check in time: its
SELECT 1 would wait on the network as the request's own first statement does.
"""

import select
from typing import Any

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection: Any = self.connection
        if connection is None or connection.closed:
            return False
        if connection.pgconn.status != pq.ConnStatus.OK:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            waiting = poller.poll(0)
        except (OSError, ValueError):
            return False
        if not waiting:
            return True  # nothing from the server since the last answer: as it was left
        return super().is_usable()
