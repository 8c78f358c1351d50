#!/usr/bin/env python3
"""Drives a REAL telnet client on a pseudo-terminal, like `expect` would:
waits for the login prompt, types the user name, waits for "Password:",
types the password, waits for the shell prompt, types `exit`, and waits for
the client to report the closed connection. The client's screen output is
written to --screen. Exit status 0 only if every step was seen."""

import argparse
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--telnet", default="telnet")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", required=True)
    p.add_argument("--user", default="tlstopuser")
    p.add_argument("--password", default="S3cretTestPassw0rd")
    p.add_argument("--screen", required=True)
    p.add_argument("--timeout", type=float, default=15.0)
    a = p.parse_args()

    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))   # an 80x24 terminal
        os.execvp(a.telnet, [a.telnet, a.host, str(a.port)])

    screen = b""
    out = open(a.screen, "wb")

    def expect(token):
        nonlocal screen
        end = time.monotonic() + a.timeout
        while token not in screen:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"timed out waiting for {token!r}")
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:           # EIO: the client has exited
                chunk = b""
            if not chunk:
                raise EOFError(f"client exited before {token!r}")
            out.write(chunk)
            out.flush()
            screen += chunk
        screen = screen[screen.index(token) + len(token):]

    def typeline(text):
        time.sleep(0.3)              # a person's pause; keeps one line per segment
        os.write(fd, text.encode() + b"\n")

    ok = False
    try:
        expect(b"login: ")
        typeline(a.user)
        expect(b"Password: ")
        typeline(a.password)
        expect(b"$ ")
        typeline("exit")
        expect(b"Connection closed")
        ok = True
    except (TimeoutError, EOFError) as e:
        print(f"telnet-driver: {e}", file=sys.stderr)
    finally:
        end = time.monotonic() + 5
        status = None
        while time.monotonic() < end:
            wpid, st = os.waitpid(pid, os.WNOHANG)
            if wpid:
                status = st
                break
            try:
                r, _, _ = select.select([fd], [], [], 0.1)
                if r:
                    out.write(os.read(fd, 4096))
            except OSError:
                pass
        if status is None:
            os.kill(pid, 15)
            os.waitpid(pid, 0)
        out.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
