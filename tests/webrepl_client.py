"""A WebREPL client of our own, for tests: the protocol as
docs/console.md describes it (WebSocket upgrade, password, text frames for
the console, binary frames for file transfer). Standard library only.

    c = WebRepl("127.0.0.1", port)
    c.login("secret")            # -> the text after the password
    c.command("status")          # -> what the board printed, up to the prompt
    c.put("local bytes", "/ca.pem"); c.get("/ca.pem"); c.version()
"""
import os
import socket
import struct
import time

PROMPT = ">>> "


class Closed(Exception):
    """The board closed the connection."""


class WebRepl:
    def __init__(self, host, port, timeout=10.0, masked=True):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.masked = masked  # browsers mask their frames; webrepl_cli.py does not
        self.sock.sendall(
            b"GET / HTTP/1.1\r\nHost: board\r\nConnection: Upgrade\r\n"
            b"Upgrade: websocket\r\nSec-WebSocket-Key: foo\r\n\r\n"
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise Closed("closed during the upgrade")
            head += chunk
        self.head = head.decode("latin-1")

    # ---- frames ----
    def send(self, opcode, payload):
        n = len(payload)
        mask_bit = 0x80 if self.masked else 0
        if n < 126:
            header = struct.pack("BB", 0x80 | opcode, mask_bit | n)
        else:
            header = struct.pack(">BBH", 0x80 | opcode, mask_bit | 126, n)
        if self.masked:
            key = os.urandom(4)
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
            header += key
        self.sock.sendall(header + payload)

    def _exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise Closed("closed by the board")
            data += chunk
        return data

    def frame(self):
        """(opcode, payload) of the next frame from the board."""
        b0, b1 = self._exact(2)
        assert b0 & 0x80, "server frames have FIN set"
        assert not b1 & 0x80, "server frames are not masked"
        n = b1 & 0x7F
        assert n != 127, "no 64-bit lengths from the board"
        if n == 126:
            (n,) = struct.unpack(">H", self._exact(2))
        return b0 & 0x0F, self._exact(n)

    def text_until(self, end, limit=30.0):
        text = ""
        deadline = time.monotonic() + limit
        while not text.endswith(end):
            if time.monotonic() > deadline:
                raise TimeoutError("no %r in %r" % (end, text))
            op, payload = self.frame()
            if op == 1:
                text += payload.decode("utf-8", "replace")
        return text

    def binary(self):
        """The next binary frame (text frames before it are kept in .shown)."""
        while True:
            op, payload = self.frame()
            if op == 2:
                return payload
            self.shown += payload.decode("utf-8", "replace")

    shown = ""

    # ---- the session ----
    def login(self, password):
        self.text_until("Password: ")
        self.send(2 if not self.masked else 1, password.encode() + b"\r")
        out = ""
        while True:
            op, payload = self.frame()
            out += payload.decode("utf-8", "replace")
            if out.endswith(PROMPT) or "Access denied" in out:
                return out

    def command(self, line, limit=30.0):
        # Key by key, as webrepl.html sends them; the board echoes.
        for ch in line + "\r":
            self.send(1, ch.encode())
        out = self.text_until(PROMPT, limit)
        return out[len(line) + 2 : -len(PROMPT)] if out.startswith(line + "\r\n") else out

    def request(self, kind, name, size=0):
        name_b = name.encode()
        req = struct.pack("<2sBBQLH64s", b"WA", kind, 0, 0, size, len(name_b), name_b)
        # The CLI sends the 82 bytes as 10 + 72.
        self.send(2, req[:10])
        self.send(2, req[10:])

    @staticmethod
    def status(frame):
        assert frame[:2] == b"WB" and len(frame) == 4, frame
        return struct.unpack("<H", frame[2:])[0]

    def put(self, data, name):
        self.shown = ""
        self.request(1, name, len(data))
        code = self.status(self.binary())
        if code:
            return code
        for i in range(0, len(data), 1024):
            self.send(2, data[i : i + 1024])
        return self.status(self.binary())

    def get(self, name):
        """(status, bytes)."""
        self.shown = ""
        self.request(2, name)
        code = self.status(self.binary())
        if code:
            return code, None
        data = b""
        while True:
            self.send(2, b"\0")
            chunk = self.binary()
            (n,) = struct.unpack("<H", chunk[:2])
            assert len(chunk) == 2 + n, "length and bytes in one frame"
            assert n <= 256
            if n == 0:
                break
            data += chunk[2:]
        return self.status(self.binary()), data

    def version(self):
        self.request(3, "")
        return tuple(self.binary())

    def close(self):
        """A close frame, then wait for the board to close: it serves one
        client at a time, so the next connection must not race this one."""
        try:
            self.send(8, b"")
            self.sock.settimeout(5)
            while self.sock.recv(4096):
                pass
        except OSError:
            pass
        self.sock.close()
