#!/usr/bin/env python3
"""Minimal FTP server for one login: USER/PASS in clear, then PWD, PASV (or
EPSV), TYPE, LIST over a passive data connection on --data-port, and QUIT.
Enough for `curl ftp://user:pass@127.0.0.1:PORT/`."""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

LISTING = (
    "-rw-r--r--    1 0        0              15 Jan 01  2024 index.html\r\n"
    "drwxr-xr-x    2 0        0            4096 Jan 01  2024 pub\r\n"
)


def handler(args):
    def run(conn, report):
        data_srv = None
        logged_in = listed = False
        conn.sendline("220 tlstop test FTP responder ready")
        while True:
            line = conn.readline()
            if line is None:
                return False
            cmd, _, arg = line.partition(" ")
            cmd = cmd.upper()
            report.command(cmd)
            if cmd == "USER":
                report.data["user"] = arg
                conn.sendline(f"331 Password required for {arg}")
            elif cmd == "PASS":
                report.data["password"] = arg
                if report.creds_ok():
                    logged_in = True
                    conn.sendline("230 User logged in")
                else:
                    conn.sendline("530 Login incorrect")
            elif not logged_in and cmd != "QUIT":
                conn.sendline("530 Please login with USER and PASS")
            elif cmd == "PWD":
                conn.sendline('257 "/" is the current directory')
            elif cmd == "CWD":
                conn.sendline("250 Directory changed")
            elif cmd == "TYPE":
                conn.sendline(f"200 Type set to {arg}")
            elif cmd in ("PASV", "EPSV"):
                if data_srv is None:
                    data_srv = common.listen(args.host, args.data_port, args.timeout)
                p = args.data_port
                if cmd == "PASV":
                    h = args.host.replace(".", ",")
                    conn.sendline(f"227 Entering Passive Mode ({h},{p >> 8},{p & 255})")
                else:
                    conn.sendline(f"229 Entering Extended Passive Mode (|||{p}|)")
            elif cmd in ("LIST", "NLST"):
                if data_srv is None:
                    conn.sendline("425 Use PASV first")
                    continue
                conn.sendline("150 Here comes the directory listing")
                dsock, _ = data_srv.accept()
                body = LISTING if cmd == "LIST" else "index.html\r\npub\r\n"
                report.log("S(data)", body)
                dsock.sendall(body.encode())
                dsock.shutdown(socket.SHUT_RDWR)
                dsock.close()
                data_srv.close()
                data_srv = None
                listed = True
                conn.sendline("226 Directory send OK")
            elif cmd == "QUIT":
                conn.sendline("221 Goodbye")
                return logged_in and listed
            else:
                conn.sendline(f"502 {cmd} not implemented")
    return run


def main():
    args = common.parse_args(__doc__, lambda p: p.add_argument("--data-port", type=int, required=True))
    return common.serve_one(args, handler(args), "ftp responder")


if __name__ == "__main__":
    sys.exit(main())
