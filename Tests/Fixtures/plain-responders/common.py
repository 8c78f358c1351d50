"""Shared plumbing for the scripted plaintext responders (Python 3 stdlib only).

Every responder listens on one loopback port, serves a fixed number of
connections (normally one), writes a transcript of what it received and sent,
and writes a JSON report (--report) of what the client told it: the commands
in order, and the user name and password it was given. make-plaintext-fixtures.sh
compares that report with tshark's decode of the capture.

A responder exits 0 only if the dialog went the way the fixture expects. It
gives up after --timeout seconds without a connection or without data.
"""

import argparse
import json
import socket
import sys


def parse_args(description, extra=None):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--report", required=True, help="JSON file written at the end")
    p.add_argument("--transcript", help="text file with every line received and sent")
    p.add_argument("--user", default="tlstopuser")
    p.add_argument("--password", default="S3cretTestPassw0rd")
    p.add_argument("--timeout", type=float, default=20.0)
    if extra:
        extra(p)
    return p.parse_args()


def listen(host, port, timeout, kind=socket.SOCK_STREAM):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    if kind == socket.SOCK_STREAM:
        s.listen(4)
    s.settimeout(timeout)
    return s


class Report:
    """Collects what the client sent; written as JSON by finish()."""

    def __init__(self, args):
        self.args = args
        self.data = {"commands": [], "user": None, "password": None, "ok": False}
        self._t = open(args.transcript, "w", encoding="utf-8") if args.transcript else None

    def log(self, direction, payload):
        if self._t:
            if isinstance(payload, bytes):
                payload = payload.decode("latin-1")
            self._t.write(f"{direction}: {payload!r}\n")
            self._t.flush()

    def command(self, name):
        self.data["commands"].append(name)

    def credentials(self, user, password):
        self.data["user"] = user
        self.data["password"] = password

    def creds_ok(self):
        return self.data["user"] == self.args.user and self.data["password"] == self.args.password

    def finish(self, ok):
        self.data["ok"] = bool(ok)
        with open(self.args.report, "w", encoding="utf-8") as f:
            json.dump(self.data, f, indent=1)
            f.write("\n")
        if self._t:
            self._t.close()
        return 0 if ok else 1


class LineConn:
    """A CRLF line-oriented TCP connection."""

    def __init__(self, sock, report, timeout):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.report = report
        self.buf = b""

    def send(self, text):
        data = text.encode("latin-1") if isinstance(text, str) else text
        self.report.log("S", data)
        self.sock.sendall(data)

    def sendline(self, text):
        self.send(text + "\r\n")

    def readline(self):
        """One line without its CRLF, or None at EOF."""
        while b"\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                if self.buf:
                    line, self.buf = self.buf, b""
                    self.report.log("C", line)
                    return line.decode("latin-1")
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        self.report.log("C", line + b"\n")
        return line.rstrip(b"\r").decode("latin-1")

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def serve_one(args, handler, description):
    """Accept one TCP connection and run handler(conn, report) -> bool."""
    report = Report(args)
    srv = listen(args.host, args.port, args.timeout)
    ok = False
    try:
        sock, peer = srv.accept()
        report.data["client"] = list(peer[:2])
        conn = LineConn(sock, report, args.timeout)
        try:
            ok = handler(conn, report)
        finally:
            conn.close()
    except (socket.timeout, OSError) as e:
        print(f"{description}: {e}", file=sys.stderr)
        report.data["error"] = str(e)
    finally:
        srv.close()
    return report.finish(ok)
