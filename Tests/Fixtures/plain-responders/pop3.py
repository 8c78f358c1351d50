#!/usr/bin/env python3
"""Minimal POP3 server: CAPA lists USER (no SASL, no STLS, no APOP
timestamp in the greeting), so the client logs in with USER/PASS in the
clear. Answers STAT/LIST/UIDL/RETR for one small message, then QUIT."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

MESSAGE = ("From: tlstop <tlstop@tlstop.test>\r\n"
           "Subject: tlstop fixture\r\n"
           "\r\n"
           "hello\r\n")


def run(conn, report):
    authed = False
    conn.sendline("+OK tlstop test POP3 responder ready")
    while True:
        line = conn.readline()
        if line is None:
            return False
        cmd, _, arg = line.partition(" ")
        cmd = cmd.upper()
        report.command(cmd)
        if cmd == "CAPA":
            conn.send("+OK Capability list follows\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n")
        elif cmd == "USER":
            report.data["user"] = arg
            conn.sendline("+OK send PASS")
        elif cmd == "PASS":
            report.data["password"] = arg
            authed = report.creds_ok()
            conn.sendline("+OK maildrop has 1 message" if authed else "-ERR invalid login")
        elif not authed and cmd != "QUIT":
            conn.sendline("-ERR not logged in")
        elif cmd == "STAT":
            conn.sendline(f"+OK 1 {len(MESSAGE)}")
        elif cmd == "LIST":
            if arg:
                conn.sendline(f"+OK 1 {len(MESSAGE)}")
            else:
                conn.send(f"+OK 1 messages\r\n1 {len(MESSAGE)}\r\n.\r\n")
        elif cmd == "UIDL":
            conn.send("+OK\r\n1 tlstop-1\r\n.\r\n")
        elif cmd == "RETR":
            conn.send(f"+OK {len(MESSAGE)} octets\r\n{MESSAGE}.\r\n")
        elif cmd == "NOOP":
            conn.sendline("+OK")
        elif cmd == "QUIT":
            conn.sendline("+OK bye")
            return authed
        else:
            conn.sendline("-ERR unknown command")


def main():
    args = common.parse_args(__doc__)
    return common.serve_one(args, run, "pop3 responder")


if __name__ == "__main__":
    sys.exit(main())
