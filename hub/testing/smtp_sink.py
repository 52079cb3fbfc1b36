#!/usr/bin/env python3
"""An SMTP receiver for the hub's tests (Debian's python3-aiosmtpd).

Writes each message it accepts to DIR/<time>-<n>.eml: a few X- lines saying
what the session looked like (envelope, TLS, login), then the message as
received. Prints "ready" on stdout once it listens; runs until SIGTERM.

  smtp_sink.py --port 2525 --dir out/ [--cert c.pem --key k.pem] [--login user:password]

With --cert the server offers STARTTLS and requires it; with --login it
requires AUTH (PLAIN or LOGIN) with those credentials.
"""
import argparse
import os
import signal
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        name = os.path.join(self.folder, "%d-%04d.eml" % (time.time_ns(), n))
        head = (
            "X-Envelope-From: %s\r\nX-Envelope-To: %s\r\nX-TLS: %s\r\nX-Login: %s\r\n"
            % (
                envelope.mail_from,
                ",".join(envelope.rcpt_tos),
                "yes" if session.ssl else "no",
                session.auth_data.login.decode() if session.authenticated else "-",
            )
        )
        with open(name + ".tmp", "wb") as f:
            f.write(head.encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(name + ".tmp", name)  # readers never see half a message
        return "250 OK: stored"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--login", help="user:password that AUTH must give")
    a = p.parse_args()

    kwargs = {}
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.login:
        user, password = a.login.split(":", 1)

        def check(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            # auth_data is what the session keeps (session.auth_data) for the X-Login line.
            return AuthResult(success=ok, handled=False, auth_data=auth_data)

        kwargs.update(authenticator=check, auth_required=True, auth_require_tls=bool(a.cert))
    controller = Controller(Sink(a.dir), hostname="127.0.0.1", port=a.port, **kwargs)
    controller.start()
    print("ready", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    controller.stop()


if __name__ == "__main__":
    sys.exit(main())
