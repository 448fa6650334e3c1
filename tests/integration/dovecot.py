"""A real Dovecot IMAP server for the mailbox tests: an unprivileged process on a free loopback
port, with a temporary configuration and one passwd-file user (no system service)."""

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

from imapclient import IMAPClient

from .harness import wait_for
from .smtp import free_port

BINARY = shutil.which("dovecot") or "/usr/sbin/dovecot"
# "@" and "/" test the URL quoting (a ":" would end the field in the passwd-file).
USER, PASSWORD = "inbox", "s3cret/@pass%"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={dir}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 50
}}
"""


# Dovecot(oauth_introspection_url=...): XOAUTH2 and OAUTHBEARER beside the password, checked by
# the oauth2 passdb, which POSTs token=<token> to that URL and takes {"active": true, "username":
# "<user>"} as valid for that user only. The password passdb keeps PLAIN and LOGIN, so append()
# and count() still log in with the password.
OAUTH2_MECHANISMS = (
    "auth_mechanisms = plain login",
    "auth_mechanisms = plain login xoauth2 oauthbearer",
)
OAUTH2_PASSDB = """\
# A refused token is answered at once: no failure delay (2 s by default), no penalty for the
# address (2 s more after each failure, up to 15 s), so the tests of refused tokens are fast.
auth_failure_delay = 0
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {dir}/dovecot-oauth2.conf.ext
}}
"""
OAUTH2_CONFIG = """\
introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""


def available() -> bool:
    return os.access(BINARY, os.X_OK)


class Dovecot:
    """start() writes the configuration and waits for the port; stop() ends the process.
    Run as root (as in CI), the server itself runs as `nobody`."""

    def __init__(self, oauth_introspection_url: str | None = None) -> None:
        self.oauth_introspection_url = oauth_introspection_url
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="dovecot-"))
        self.process: subprocess.Popen | None = None
        if os.geteuid() == 0:
            self.user, self.group = "nobody", grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
        else:
            self.user = pwd.getpwuid(os.getuid()).pw_name
            self.group = grp.getgrgid(os.getgid()).gr_name

    @property
    def url(self) -> str:
        from urllib.parse import quote

        return f"imap://{USER}:{quote(PASSWORD, safe='')}@127.0.0.1:{self.port}/INBOX"

    @property
    def oauth_url(self) -> str:
        """INBOUND_MAIL_URL for an XOAUTH2 login: the user, no password."""
        return f"imap://{USER}@127.0.0.1:{self.port}/INBOX"

    def start(self) -> "Dovecot":
        config = CONFIG
        if self.oauth_introspection_url:
            config = config.replace(*OAUTH2_MECHANISMS).replace(
                "  driver = passwd-file\n", "  driver = passwd-file\n  mechanisms = plain login\n"
            )
            config += OAUTH2_PASSDB
            (self.dir / "dovecot-oauth2.conf.ext").write_text(
                OAUTH2_CONFIG.format(url=self.oauth_introspection_url)
            )
        (self.dir / "dovecot.conf").write_text(
            config.format(dir=self.dir, user=self.user, group=self.group, port=self.port)
        )
        (self.dir / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        self.dir.chmod(0o755)
        command = [BINARY, "-F", "-c", str(self.dir / "dovecot.conf")]
        if os.geteuid() == 0:
            for path in [self.dir, *self.dir.iterdir()]:
                shutil.chown(path, self.user, self.group)
            command = ["setpriv", f"--reuid={self.user}", f"--regid={self.group}"]
            command += ["--clear-groups", BINARY, "-F", "-c", str(self.dir / "dovecot.conf")]
        with (self.dir / "stderr.log").open("wb") as stderr:
            self.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
            )

        def listening() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError("dovecot exited:\n" + self.log())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return True
            except OSError:
                return False

        wait_for(listening, timeout=15, interval=0.05, message="dovecot listening")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self) -> str:
        parts = [self.dir / "dovecot.log", self.dir / "stderr.log"]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        with self.client() as client:
            for message in messages:
                client.append(folder, message)

    def count(self, folder: str) -> int:
        with self.client() as client:
            if not client.folder_exists(folder):
                return 0
            return int(client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])
