#!/usr/bin/env python3
"""Minimal ESMTP server that advertises AUTH PLAIN LOGIN and no STARTTLS, so
the client authenticates in the clear (base64 is an encoding, not
encryption). Accepts one message (MAIL/RCPT/DATA) and QUIT."""

import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def b64d(s):
    return base64.b64decode(s.strip()).decode("utf-8", "replace")


def b64e(s):
    return base64.b64encode(s.encode()).decode()


def run(conn, report):
    authed = delivered = False
    conn.sendline("220 tlstop.test ESMTP tlstop test responder")
    while True:
        line = conn.readline()
        if line is None:
            return False
        cmd, _, arg = line.partition(" ")
        cmd = cmd.upper()
        report.command(cmd)
        if cmd in ("EHLO", "HELO"):
            if cmd == "HELO":
                conn.sendline("250 tlstop.test")
            else:
                conn.send("250-tlstop.test greets " + arg + "\r\n"
                          "250-SIZE 1048576\r\n"
                          "250-8BITMIME\r\n"
                          "250-AUTH PLAIN LOGIN\r\n"
                          "250 HELP\r\n")
        elif cmd == "AUTH":
            mech, _, initial = arg.partition(" ")
            mech = mech.upper()
            report.data["mechanism"] = mech
            if mech == "PLAIN":
                if not initial:
                    conn.sendline("334 ")
                    initial = conn.readline() or ""
                _authzid, user, password = (b64d(initial).split("\0") + ["", ""])[:3]
            elif mech == "LOGIN":
                if initial:
                    user = b64d(initial)
                else:
                    conn.sendline("334 " + b64e("Username:"))
                    user = b64d(conn.readline() or "")
                conn.sendline("334 " + b64e("Password:"))
                password = b64d(conn.readline() or "")
            else:
                conn.sendline("504 5.5.4 Unrecognized authentication type")
                continue
            report.credentials(user, password)
            if report.creds_ok():
                authed = True
                conn.sendline("235 2.7.0 Authentication successful")
            else:
                conn.sendline("535 5.7.8 Authentication credentials invalid")
        elif cmd == "MAIL":
            conn.sendline("250 2.1.0 Ok" if authed else "530 5.7.0 Authentication required")
        elif cmd == "RCPT":
            conn.sendline("250 2.1.5 Ok")
        elif cmd == "DATA":
            conn.sendline("354 End data with <CR><LF>.<CR><LF>")
            lines = 0
            while True:
                body = conn.readline()
                if body is None:
                    return False
                if body == ".":
                    break
                lines += 1
            report.data["message_lines"] = lines
            delivered = True
            conn.sendline("250 2.0.0 Ok: queued as TLSTOP1")
        elif cmd in ("RSET", "NOOP"):
            conn.sendline("250 2.0.0 Ok")
        elif cmd == "VRFY":
            conn.sendline("252 2.0.0 Cannot VRFY user")
        elif cmd == "QUIT":
            conn.sendline("221 2.0.0 Bye")
            return authed and delivered
        else:
            conn.sendline("502 5.5.2 Error: command not recognized")


def main():
    args = common.parse_args(__doc__)
    return common.serve_one(args, run, "smtp responder")


if __name__ == "__main__":
    sys.exit(main())
