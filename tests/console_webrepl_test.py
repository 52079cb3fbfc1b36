#!/usr/bin/env python3
"""The console over real TCP: buttonhook-sim with --console-port, and our
WebREPL client (webrepl_client.py) on 127.0.0.1. Login, shell commands,
put/get of a binary file larger than a chunk, size limits, one client at
a time, the wrong-password delay. When MicroPython's webrepl_cli.py is at
hand ($WEBREPL_CLI, or ~/.cache/buttonhook/webrepl/webrepl_cli.py) it runs
too, unmodified; otherwise those tests are skipped.

Usage: console_webrepl_test.py BIN_DIR
"""
import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webrepl_client import Closed, WebRepl  # noqa: E402

BIN = None
PASSWORD = "s3cret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hook(http.server.BaseHTTPRequestHandler):
    """Stands in for the hub: records each webhook and answers as IFTTT does."""

    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Hook.received.append((self.path, body))
        reply = b"Congratulations! You've fired the button_pressed event"
        self.send_response(200)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


def find_cli():
    path = os.environ.get("WEBREPL_CLI") or os.path.expanduser(
        "~/.cache/buttonhook/webrepl/webrepl_cli.py")
    return path if os.path.isfile(path) else None


class Console(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hook = http.server.HTTPServer(("127.0.0.1", 0), Hook)
        threading.Thread(target=cls.hook.serve_forever, daemon=True).start()
        cls.dir = tempfile.mkdtemp(prefix="buttonhook-console.")
        cls.files = os.path.join(cls.dir, "files")
        os.mkdir(cls.files)
        cls.config = os.path.join(cls.dir, "config.py")
        with open(cls.config, "w") as f:
            f.write("WIFI_SSID = 'buttonhook-demo'\n"
                    "WIFI_PASSWORD = 'correct horse battery'\n"
                    "WEBHOOK_URL = 'http://maker.ifttt.com/trigger/button_pressed/with/key/k3y'\n"
                    "BUTTON_ID = 'console1'\n")
        with open(os.path.join(cls.files, "webrepl_cfg.py"), "w") as f:
            f.write("PASS = '%s'\n" % PASSWORD)
        cls.port = free_port()
        cls.out = open(os.path.join(cls.dir, "sim.out"), "w+")
        # The scripts' contract, plus a DNS entry for the webhook.
        cls.sim = subprocess.Popen(
            [os.path.join(BIN, "buttonhook-sim"), "--no-color",
             "--dns", "maker.ifttt.com=127.0.0.1:%d" % cls.hook.server_port,
             "--config", cls.config, "--files", cls.files, "--console-port", str(cls.port),
             "jumper-on", "power-on", "wait"], stdout=cls.out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while "WebREPL server started" not in cls.output():
            if cls.sim.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the console did not start:\n" + cls.output())
            time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.sim.send_signal(signal.SIGTERM)
        cls.sim.wait(10)
        cls.hook.shutdown()
        cls.out.close()
        if os.environ.get("KEEP"):
            print("kept", cls.dir)
        else:
            shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def output(cls):
        cls.out.flush()
        with open(cls.out.name) as f:
            return f.read()

    def connect(self, **kw):
        return WebRepl("127.0.0.1", self.port, **kw)

    def session(self, masked=True):
        c = self.connect(masked=masked)
        self.addCleanup(c.close)
        self.assertIn("WebREPL connected", c.login(PASSWORD))
        return c

    # ---- the wire ----
    def test_upgrade_answers_the_cli_key_as_micropython_does(self):
        c = self.connect()
        self.addCleanup(c.close)
        self.assertTrue(c.head.startswith("HTTP/1.1 101 Switching Protocols\r\n"))
        self.assertIn("Sec-WebSocket-Accept: BM0S0+ghftShuFVHQATK/DBiJq8=\r\n", c.head)

    def test_login_masked_and_unmasked(self):
        self.session(masked=True).close()
        self.session(masked=False).close()

    def test_version_query(self):
        self.assertEqual(len(self.session().version()), 3)

    def test_second_client_is_refused_while_one_is_connected(self):
        first = self.session()
        with self.assertRaises((Closed, ConnectionError)):
            second = self.connect()
            second.frame()
        self.assertIn("help", first.command("help"))

    # ---- the shell ----
    def test_help_lists_the_commands(self):
        out = self.session().command("help")
        for word in ("status", "scan", "ifconfig", "ap on|off|config", "config show", "press",
                     "log", "reset", "sleep"):
            self.assertIn(word, out)

    def test_status(self):
        out = self.session().command("status")
        self.assertRegex(out, r"reset cause 0 \(power-on\), up \d+ s")
        self.assertIn("battery", out)
        self.assertIn("queue 0 waiting", out)

    def test_config_show_masks_secrets(self):
        out = self.session().command("config show")
        self.assertIn("BUTTON_ID = 'console1'", out)
        self.assertNotIn("correct horse battery", out)
        self.assertNotIn("k3y", out)

    def test_scan_and_ifconfig(self):
        c = self.session()
        self.assertIn("buttonhook-demo", c.command("scan"))
        self.assertIn("sta (", c.command("ifconfig"))

    def test_line_editing_backspace_and_ctrl_c(self):
        c = self.session()
        self.assertIn("webrepl_setup", c.command("hxx\x7f\x7felp"))
        out = c.command("nonsense\x03")
        self.assertIn("^C", out)
        self.assertNotIn("unknown command", out)

    def test_press_fires_the_webhook(self):
        before = len(Hook.received)
        out = self.session().command("press", limit=60)
        self.assertIn("press: delivered (HTTP 200)", out)
        self.assertIn("Invoking webhook", out)
        self.assertEqual(len(Hook.received), before + 1)
        path, body = Hook.received[-1]
        self.assertEqual(path, "/trigger/button_pressed/with/key/k3y")
        self.assertIn(b'"value1":"console1"', body)

    def test_log_shows_recent_lines(self):
        self.assertIn("Debug mode detected.", self.session().command("log"))

    # ---- files ----
    def test_put_and_get_a_binary_file_larger_than_a_chunk(self):
        data = bytes((i * 7 + i // 256) & 255 for i in range(3000))
        c = self.session()
        self.assertEqual(c.put(data, "/ca.pem"), 0)
        with open(os.path.join(self.files, "ca.pem"), "rb") as f:
            self.assertEqual(f.read(), data)
        self.assertEqual(c.get("/ca.pem"), (0, data))
        self.assertIn("help", c.command("help"), "the shell still works after transfers")

    def test_get_missing_and_put_too_large(self):
        c = self.session()
        self.assertEqual(c.get("/nope"), (2, None))
        self.assertIn("no such file", c.shown)
        self.assertEqual(c.put(b"x" * 5000, "/big.bin"), 27)
        self.assertIn("too large", c.shown)
        self.assertFalse(os.path.exists(os.path.join(self.files, "big.bin")))

    def test_config_py_round_trips(self):
        c = self.session()
        status, text = c.get("config.py")
        self.assertEqual(status, 0)
        self.assertIn(b"BUTTON_ID = 'console1'", text)
        self.assertEqual(c.put(text, "config.py"), 0)

    # ---- the real client, unmodified ----
    def run_cli(self, *args):
        cli = find_cli()
        if not cli:
            self.skipTest("webrepl_cli.py not found (set WEBREPL_CLI)")
        return subprocess.run([sys.executable, cli, "-p", PASSWORD, *args], capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)

    def test_webrepl_cli_put_and_get(self):
        data = os.urandom(1500) + bytes(range(256))
        src = os.path.join(self.dir, "blob.bin")
        back = os.path.join(self.dir, "blob.back")
        with open(src, "wb") as f:
            f.write(data)
        r = self.run_cli(src, "127.0.0.1:%d:/blob.bin" % self.port)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Remote WebREPL version: (0, 1, 0)", r.stdout)
        r = self.run_cli("127.0.0.1:%d:/blob.bin" % self.port, back)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(back, "rb") as f:
            self.assertEqual(f.read(), data)

    def test_webrepl_cli_console_on_a_terminal(self):
        cli = find_cli()
        if not cli:
            self.skipTest("webrepl_cli.py not found (set WEBREPL_CLI)")
        import pty
        import select
        pid, fd = pty.fork()
        if pid == 0:  # the child: the CLI on a terminal, as a person runs it
            os.environ.pop("PYTHONUNBUFFERED", None)  # the CLI needs sys.stdout.buffer.raw
            os.execv(sys.executable,
                     [sys.executable, cli, "-p", PASSWORD, "127.0.0.1:%d" % self.port])
        seen = b""

        def until(text, limit=20):
            nonlocal seen
            deadline = time.monotonic() + limit
            while text not in seen:
                r, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
                if not r:
                    self.fail("no %r on the terminal: %r" % (text, seen))
                try:
                    seen += os.read(fd, 4096)
                except OSError:  # the CLI ended
                    self.fail("the CLI ended before %r: %r" % (text, seen))

        try:
            # The CLI skips the text frame after the login (it reads the
            # version reply), as it does with MicroPython: no first prompt.
            until(b"Use Ctrl-] to exit this shell")
            time.sleep(0.5)  # the CLI puts the terminal in raw mode after that line
            os.write(fd, b"stx\x7fatus\r")  # typed, with a correction
            until(b"queue ")
            self.assertIn(b"reset cause 0 (power-on)", seen)
            os.write(fd, b"\x1d")  # Ctrl-]: the CLI's way out
            _, status = os.waitpid(pid, 0)
            self.assertEqual(status, 0)
        finally:
            os.close(fd)
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass

    # ---- last: the lockout ----
    def test_zz_wrong_password_is_denied_and_the_next_try_waits(self):
        c = self.connect()
        self.assertIn("Access denied", c.login("wrong"))
        with self.assertRaises((Closed, ConnectionError)):
            c.frame()
        c.sock.close()
        for wait_s in (1, 2):
            start = time.monotonic()
            c = self.connect()
            c.text_until("Password: ")
            self.assertGreaterEqual(time.monotonic() - start, wait_s - 0.2)
            c.send(1, b"wrong again\r")
            self.assertIn("Access denied", c.text_until("Access denied\r\n"))
            c.close()
        start = time.monotonic()
        c = self.connect()
        self.assertIn("WebREPL connected", c.login(PASSWORD))
        self.assertGreaterEqual(time.monotonic() - start, 4 - 0.2)
        c.close()
        self.assertRegex(self.output(), r"WebREPL: wrong password; next try in 4 s")


if __name__ == "__main__":
    BIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
