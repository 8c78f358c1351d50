#!/usr/bin/env python3
"""Make the kernel send one stray ACK on a 4-tuple the peer does not know,
for tlstop's fixtures (make-realworld-fixtures.sh, rw-tuple-reuse-stray.pcap).

A socket in TCP_REPAIR mode (what CRIU uses to restore connections; needs
CAP_NET_ADMIN) gets chosen sequence numbers, is bound to --local-port and
"connected" to --port without any packet being sent.  Leaving repair mode
makes Linux send a window probe: a bare ACK with seq = snd_una - 1
(tcp_send_window_probe).  The peer has no such connection, so it answers
with a RST, which resets the socket; it is closed in repair mode again, so
nothing else goes out.  Writes a JSON report (ports, sequence numbers, whether
the RST arrived).
"""

import argparse
import json
import random
import socket
import struct
import time

TCP_REPAIR, TCP_REPAIR_QUEUE, TCP_QUEUE_SEQ = 19, 20, 21
TCP_RECV_QUEUE, TCP_SEND_QUEUE = 1, 2
TCP_REPAIR_ON, TCP_REPAIR_OFF = 1, 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--local-port", type=int, required=True)
    p.add_argument("--report", required=True)
    a = p.parse_args()
    snd, rcv = random.getrandbits(32), random.getrandbits(32)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, TCP_REPAIR_ON)
    s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)
    s.setsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ, struct.pack("=I", snd))  # u32: may not fit a C int
    s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE)
    s.setsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ, struct.pack("=I", rcv))
    s.bind(("127.0.0.1", a.local_port))
    s.connect(("127.0.0.1", a.port))              # repair mode: no SYN, state ESTABLISHED
    s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, TCP_REPAIR_OFF)   # -> window probe (bare ACK)
    reset = False
    s.settimeout(2.0)
    try:
        s.recv(1)
    except ConnectionResetError:
        reset = True
    except socket.timeout:
        pass
    time.sleep(0.2)
    s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, TCP_REPAIR_ON)    # close silently
    s.close()
    rep = {"local_port": a.local_port, "port": a.port, "snd_nxt": snd, "rcv_nxt": rcv,
           "probe_seq": (snd - 1) % 2**32, "probe_ack": rcv, "reset_received": reset}
    json.dump(rep, open(a.report, "w"))
    print(json.dumps(rep))
    if not reset:
        raise SystemExit("no RST came back for the stray ACK")


if __name__ == "__main__":
    main()
