"""The container's health probe (Dockerfile HEALTHCHECK): exit 0 when /healthz answers 200.

Python's own HTTP client, because the slim image has no curl. The request carries the first
ALLOWED_HOSTS name as its Host (Django answers 400 to any other) and plain HTTP, as a load
balancer's probe would: /healthz is exempt from the redirect to https.
"""

import http.client
import os
import sys


def probe_host() -> str:
    for name in os.environ.get("ALLOWED_HOSTS", "").split(","):
        name = name.strip()
        if name and name != "*":
            return name.lstrip(".")
    return "localhost"


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
    try:
        connection.request("GET", "/healthz", headers={"Host": probe_host()})
        response = connection.getresponse()
        body = response.read(500).decode("utf-8", "replace")
    except OSError as error:
        print("healthz: %s" % error, file=sys.stderr)
        return 1
    finally:
        connection.close()
    if response.status != 200:
        print("healthz: %d %s" % (response.status, body), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
