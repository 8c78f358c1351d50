#!/usr/bin/env python3
"""Scripted SMTP *client* for the "upgrade never followed" fixture.

It reads the banner, sends EHLO, sends STARTTLS, reads the server's
"220 Ready to start TLS" -- and then closes the connection without ever
sending a TLS ClientHello.  (It lives next to the responders because it is
part of the same scripted exchange.)  Python standard library only.

    smtp_starttls_abandon_client.py --port 44422 --report client.json

The report is the client's own view: its local port, the transcript, and the
reply it got to STARTTLS.
"""

import argparse
import json
import socket


def read_reply(f):
    """One (possibly multi-line) SMTP reply: list of lines without CRLF."""
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise EOFError("server closed the connection")
        line = line.decode().rstrip("\r\n")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--helo", default="client.tlstop.test")
    ap.add_argument("--report", required=True)
    a = ap.parse_args()

    transcript = []
    s = socket.create_connection((a.host, a.port), timeout=15)
    f = s.makefile("rb")

    def say(cmd):
        transcript.append(["C", cmd])
        s.sendall(cmd.encode() + b"\r\n")

    def hear():
        r = read_reply(f)
        transcript.append(["S", "\r\n".join(r)])
        return r

    banner = hear()
    say(f"EHLO {a.helo}")
    ehlo = hear()
    offered = any(l[4:].strip().upper() == "STARTTLS" for l in ehlo)
    say("STARTTLS")
    reply = hear()
    # ... and now: no ClientHello.  Just close.
    local_port = s.getsockname()[1]
    f.close()
    s.close()
    with open(a.report, "w") as out:
        json.dump({"client_port": local_port, "banner": banner[0], "starttls_advertised": offered,
                   "starttls_reply": reply[-1], "sent_tls": False, "transcript": transcript}, out)
        out.write("\n")


if __name__ == "__main__":
    main()
