#!/usr/bin/env python3
"""Minimal IMAP4rev1 server whose CAPABILITY lists no AUTH= mechanism, no
STARTTLS and no LOGINDISABLED, so the client falls back to the LOGIN command
with the password in the clear. Answers LIST, SELECT/EXAMINE, NOOP, LOGOUT."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def parse_astrings(s):
    """IMAP astrings (atoms or "quoted" strings) from a command argument."""
    out, i = [], 0
    while i < len(s):
        if s[i] == " ":
            i += 1
        elif s[i] == '"':
            i += 1
            val = ""
            while i < len(s) and s[i] != '"':
                if s[i] == "\\" and i + 1 < len(s):
                    i += 1
                val += s[i]
                i += 1
            out.append(val)
            i += 1
        else:
            j = s.find(" ", i)
            j = len(s) if j < 0 else j
            out.append(s[i:j])
            i = j
    return out


def run(conn, report):
    authed = False
    conn.sendline("* OK tlstop test IMAP responder ready")
    while True:
        line = conn.readline()
        if line is None:
            return False
        tag, _, rest = line.partition(" ")
        cmd, _, arg = rest.partition(" ")
        cmd = cmd.upper()
        report.command(cmd)
        if cmd == "CAPABILITY":
            conn.sendline("* CAPABILITY IMAP4rev1")
            conn.sendline(f"{tag} OK CAPABILITY completed")
        elif cmd == "LOGIN":
            user, password = (parse_astrings(arg) + [None, None])[:2]
            report.credentials(user, password)
            authed = report.creds_ok()
            conn.sendline(f"{tag} OK LOGIN completed" if authed else f"{tag} NO LOGIN failed")
        elif cmd == "LOGOUT":
            conn.sendline("* BYE tlstop test IMAP responder logging out")
            conn.sendline(f"{tag} OK LOGOUT completed")
            return authed
        elif not authed:
            conn.sendline(f"{tag} NO not logged in")
        elif cmd == "LIST":
            conn.sendline('* LIST (\\HasNoChildren) "/" INBOX')
            conn.sendline(f"{tag} OK LIST completed")
        elif cmd in ("SELECT", "EXAMINE"):
            conn.sendline("* 0 EXISTS")
            conn.sendline("* 0 RECENT")
            conn.sendline("* OK [UIDVALIDITY 1] UIDs valid")
            conn.sendline(f"{tag} OK [READ-ONLY] {cmd} completed")
        elif cmd == "NOOP":
            conn.sendline(f"{tag} OK NOOP completed")
        else:
            conn.sendline(f"{tag} BAD command not supported")


def main():
    args = common.parse_args(__doc__)
    return common.serve_one(args, run, "imap responder")


if __name__ == "__main__":
    sys.exit(main())
