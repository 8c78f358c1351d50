#!/usr/bin/env python3
"""UDP syslog receiver: waits for one datagram (RFC 5424 or RFC 3164) and
records it in the report, so the datagram is received rather than answered
with ICMP port unreachable. Sends nothing back (syslog over UDP is one-way)."""

import os
import re
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main():
    args = common.parse_args(__doc__)
    report = common.Report(args)
    s = common.listen(args.host, args.port, args.timeout, socket.SOCK_DGRAM)
    ok = False
    try:
        data, peer = s.recvfrom(65535)
        report.log("C", data)
        text = data.decode("utf-8", "replace")
        report.data["client"] = list(peer[:2])
        report.data["message"] = text
        m = re.match(r"<(\d+)>", text)
        report.data["priority"] = int(m[1]) if m else None
        report.command("syslog")
        ok = m is not None
    except socket.timeout as e:
        report.data["error"] = str(e)
    finally:
        s.close()
    return report.finish(ok)


if __name__ == "__main__":
    sys.exit(main())
