#!/usr/bin/env python3
"""A scripted RDP connection start for tlstop's fixtures: the X.224 Connection
Request / Connection Confirm exchange of [MS-RDPBCGR] 2.2.1.1 / 2.2.1.2 over
a real TCP socket, then a real TLS handshake on the same connection with
Python's ssl module (so the TLS bytes are OpenSSL's).

    rdp_scripted.py server --port P --select hybrid --cert C --key K --report R
    rdp_scripted.py client --port P --request ssl,hybrid --cafile CA --report R

Byte layout (all multi-byte X.224 fields big-endian, RDP_NEG_* little-endian):

  TPKT (RFC 1006)       03 00 LEN(2, whole packet)
  X.224 CR TPDU         LI E0 DST-REF(00 00) SRC-REF(00 00) CLASS(00)
    routingToken/cookie "Cookie: mstshash=tlstop\\r\\n"
    RDP_NEG_REQ         01 FLAGS(00) 08 00 requestedProtocols(4, LE)
  X.224 CC TPDU         LI D0 DST-REF(00 00) SRC-REF(12 34) CLASS(00)
    RDP_NEG_RSP         02 FLAGS 08 00 selectedProtocol(4, LE)

LI (length indicator) counts the TPDU header bytes after itself.  Protocol
flags: PROTOCOL_SSL 0x1, PROTOCOL_HYBRID 0x2 (CredSSP, which would follow
inside TLS; this script stops after the TLS handshake and a close_notify).
Both ends write a JSON report: what was requested / selected, and the TLS
version, cipher and group as OpenSSL reports them.
"""

import argparse
import json
import os
import socket
import ssl
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "responders"))
from starttls_responder import negotiated_group  # noqa: E402  (OpenSSL's group via ctypes)

PROTOCOLS = {"rdp": 0x0, "ssl": 0x1, "hybrid": 0x2, "rdstls": 0x4, "hybrid_ex": 0x8}
COOKIE = b"Cookie: mstshash=tlstop\r\n"
SNI = "tlstop.test"
TIMEOUT = 15.0


def tpkt(tpdu):
    return struct.pack(">BBH", 3, 0, 4 + len(tpdu)) + tpdu


def x224(code, src_ref, variable):
    # LI, code, DST-REF, SRC-REF, class option 0
    fixed = struct.pack(">BHHB", code, 0, src_ref, 0)
    return bytes([len(fixed) + len(variable)]) + fixed + variable


def connection_request(requested):
    return tpkt(x224(0xE0, 0, COOKIE + struct.pack("<BBHI", 0x01, 0x00, 8, requested)))


def connection_confirm(selected, flags=0x01):  # EXTENDED_CLIENT_DATA_SUPPORTED
    return tpkt(x224(0xD0, 0x1234, struct.pack("<BBHI", 0x02, flags, 8, selected)))


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed in the middle of a TPKT")
        buf += chunk
    return buf


def recv_tpkt(sock):
    hdr = recv_exact(sock, 4)
    if hdr[0] != 3:
        raise ValueError(f"not a TPKT header: {hdr.hex()}")
    length = struct.unpack(">H", hdr[2:4])[0]
    return recv_exact(sock, length - 4)


def parse_neg(tpdu, want_code, want_type):
    li, code = tpdu[0], tpdu[1]
    if code & 0xF0 != want_code or li != len(tpdu) - 1:
        raise ValueError(f"unexpected X.224 TPDU {tpdu.hex()}")
    neg = tpdu[-8:]
    typ, flags, length, proto = struct.unpack("<BBHI", neg)
    if typ != want_type or length != 8:
        raise ValueError(f"no RDP_NEG structure of type {want_type} in {tpdu.hex()}")
    return flags, proto, tpdu[7:-8]


def names(mask):
    return [n for n, v in PROTOCOLS.items() if v and mask & v]


def tls_report(s):
    return {"version": s.version(), "cipher": s.cipher()[0], "group": negotiated_group(s),
            "sni": getattr(s, "server_hostname", None)}


def server(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    seen_sni = []
    ctx.sni_callback = lambda sslobj, name, c: seen_sni.append(name)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", a.port))
    lsock.listen(1)
    conn, peer = lsock.accept()
    conn.settimeout(TIMEOUT)
    flags, requested, cookie = parse_neg(recv_tpkt(conn), 0xE0, 0x01)
    selected = PROTOCOLS[a.select]
    if not requested & selected:
        raise SystemExit(f"client did not request {a.select} (requested 0x{requested:x})")
    conn.sendall(connection_confirm(selected))
    s = ctx.wrap_socket(conn, server_side=True)
    rep = {"role": "server", "client_port": peer[1], "cookie": cookie.decode(errors="replace"),
           "requested": requested, "requested_names": names(requested),
           "selected": selected, "selected_name": a.select}
    rep.update(tls_report(s))
    rep["sni"] = seen_sni[0] if seen_sni else None
    s.recv(1)  # the client's close_notify (EOF)
    try:
        s.unwrap()
    except (ssl.SSLError, OSError):
        pass
    s.close()
    lsock.close()
    json.dump(rep, open(a.report, "w"))


def client(a):
    requested = 0
    for n in a.request.split(","):
        requested |= PROTOCOLS[n]
    ctx = ssl.create_default_context(cafile=a.cafile)
    sock = socket.create_connection(("127.0.0.1", a.port), timeout=TIMEOUT)
    sock.sendall(connection_request(requested))
    flags, selected, _ = parse_neg(recv_tpkt(sock), 0xD0, 0x02)
    rep = {"role": "client", "client_port": sock.getsockname()[1], "requested": requested,
           "requested_names": names(requested), "selected": selected, "selected_names": names(selected),
           "neg_rsp_flags": flags}
    s = ctx.wrap_socket(sock, server_hostname=SNI)
    rep.update(tls_report(s))
    rep["cert_verified"] = True  # create_default_context: CERT_REQUIRED + hostname check
    try:
        s.unwrap()
    except (ssl.SSLError, OSError):
        pass
    s.close()
    json.dump(rep, open(a.report, "w"))
    print(json.dumps(rep))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["server", "client"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--report", required=True)
    p.add_argument("--select", choices=["ssl", "hybrid"], default="ssl")
    p.add_argument("--request", default="ssl,hybrid")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--cafile")
    a = p.parse_args()
    (server if a.role == "server" else client)(a)


if __name__ == "__main__":
    main()
