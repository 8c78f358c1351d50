#!/usr/bin/env python3
"""Minimal Telnet server with a login prompt. Negotiates TERMINAL-TYPE and
NAWS (DO), refuses every other option, and does NOT offer WILL ECHO / WILL
SUPPRESS-GO-AHEAD, so the client stays in line-at-a-time mode and sends the
user name and the password as whole lines in the clear. Then a fake shell
prompt; `exit` closes the connection."""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
TTYPE, NAWS = 24, 31
OPT_NAMES = {1: "ECHO", 3: "SUPPRESS-GO-AHEAD", 24: "TERMINAL-TYPE", 31: "NAWS",
             32: "TERMINAL-SPEED", 33: "TOGGLE-FLOW-CONTROL", 34: "LINEMODE",
             35: "X-DISPLAY-LOCATION", 36: "OLD-ENVIRON", 39: "NEW-ENVIRON"}


class Telnet:
    def __init__(self, sock, report, timeout):
        self.sock, self.report, self.timeout = sock, report, timeout
        self.raw = b""       # bytes not yet parsed
        self.data = b""      # application bytes (IAC sequences removed)
        self.asked = {TTYPE, NAWS}
        self.options = []    # negotiation seen from the client, for the report

    def send(self, b):
        self.report.log("S", b)
        self.sock.sendall(b)

    def opt(self, o):
        return OPT_NAMES.get(o, str(o))

    def _parse(self):
        r = self.raw
        i = 0
        while i < len(r):
            if r[i] != IAC:
                j = r.find(bytes([IAC]), i)
                j = len(r) if j < 0 else j
                self.data += r[i:j]
                i = j
                continue
            if i + 1 >= len(r):
                break
            c = r[i + 1]
            if c == IAC:
                self.data += bytes([IAC])
                i += 2
            elif c in (DO, DONT, WILL, WONT):
                if i + 2 >= len(r):
                    break
                o = r[i + 2]
                name = {DO: "DO", DONT: "DONT", WILL: "WILL", WONT: "WONT"}[c]
                self.options.append(f"{name} {self.opt(o)}")
                if c == WILL and o == TTYPE:
                    self.send(bytes([IAC, SB, TTYPE, 1, IAC, SE]))   # SEND terminal type
                elif c == WILL and o not in self.asked:
                    self.send(bytes([IAC, DONT, o]))
                elif c == DO:
                    self.send(bytes([IAC, WONT, o]))
                i += 3
            elif c == SB:
                j = r.find(bytes([IAC, SE]), i + 2)
                if j < 0:
                    break
                body = r[i + 2:j]
                if body[:2] == bytes([TTYPE, 0]):
                    self.report.data["terminal_type"] = body[2:].decode("latin-1")
                    self.options.append("SB TERMINAL-TYPE IS " + body[2:].decode("latin-1"))
                elif body[:1] == bytes([NAWS]) and len(body) >= 5:
                    self.report.data["window"] = [body[1] * 256 + body[2], body[3] * 256 + body[4]]
                    self.options.append("SB NAWS")
                i = j + 2
            else:
                i += 2   # NOP, GA, AYT, ...: ignore
        self.raw = r[i:]

    def _recv(self, timeout):
        self.sock.settimeout(timeout)
        chunk = self.sock.recv(4096)
        if not chunk:
            raise EOFError
        self.report.log("C", chunk)
        self.raw += chunk
        self._parse()

    def settle(self, seconds):
        """Process option negotiation for a while."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                self._recv(max(0.01, end - time.monotonic()))
            except socket.timeout:
                pass

    def readline(self):
        while True:
            for sep in (b"\r\n", b"\r\0", b"\n", b"\r"):
                k = self.data.find(sep)
                if k >= 0 and not (sep == b"\r" and k == len(self.data) - 1):
                    line, self.data = self.data[:k], self.data[k + len(sep):]
                    return line.decode("latin-1")
            self._recv(self.timeout)


def run(conn, report):
    t = Telnet(conn.sock, report, report.args.timeout)
    try:
        t.send(bytes([IAC, DO, TTYPE, IAC, DO, NAWS]))
        t.settle(0.5)
        t.send(b"\r\nDebian GNU/Linux 12 (tlstop test responder)\r\n\r\ntlstop login: ")
        user = t.readline()
        report.command("login")
        t.send(b"Password: ")
        password = t.readline()
        report.command("password")
        report.credentials(user, password)
        if not report.creds_ok():
            t.send(b"\r\nLogin incorrect\r\n")
            return False
        t.send(b"\r\nLast login: never\r\ntlstopuser@tlstop:~$ ")
        while True:
            cmd = t.readline().strip()
            report.command("shell:" + cmd)
            if cmd in ("exit", "logout"):
                t.send(b"logout\r\n")
                return True
            t.send(b"-sh: " + cmd.encode() + b": command not found\r\ntlstopuser@tlstop:~$ ")
    except EOFError:
        return False
    finally:
        report.data["options"] = t.options


def main():
    args = common.parse_args(__doc__)
    return common.serve_one(args, run, "telnet responder")


if __name__ == "__main__":
    sys.exit(main())
