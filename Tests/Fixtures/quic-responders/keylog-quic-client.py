#!/usr/bin/env python3
"""One-shot QUIC client with a key log for make-keylog-fixtures.sh (aioquic).

Like quic_client.py, plus an NSS key log: connects from 127.0.0.1:LOCAL_PORT
to 127.0.0.1:PORT, SNI and ALPN as given, writes the connection's TLS secrets
(CLIENT_/SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT_/SERVER_TRAFFIC_SECRET_0, as
aioquic's QuicConfiguration.secrets_log_file writes them) to --keylog, sends
a short request on one bidirectional stream, reads the answer to its FIN,
closes the connection cleanly (CONNECTION_CLOSE, no error) and prints one JSON
object with what aioquic negotiated: QUIC version, TLS cipher suite, the group
of the server's key_share, ALPN, SNI, the signature scheme of the server's
CertificateVerify, the certificates the server sent (DER, hex) and the
client random.  Test fixtures only.
"""
import argparse
import asyncio
import json
import socket
import ssl
import sys

import aioquic.tls as tls
from aioquic.asyncio import QuicConnectionProtocol
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.connection import QuicConnection
from aioquic.quic.events import HandshakeCompleted, StreamDataReceived
from aioquic.quic.packet import QuicProtocolVersion
from cryptography.hazmat.primitives.serialization import Encoding

REQUEST = b"GET /index.html\r\n"

# what aioquic's TLS engine decodes from the server, recorded on the way
SERVER_GROUPS = []
VERIFY_SCHEMES = []
_decode_public_key = tls.decode_public_key
_check_verify = tls.Context._check_certificate_verify_signature


def _recording_decode_public_key(key_share):
    SERVER_GROUPS.append(int(key_share[0]))
    return _decode_public_key(key_share)


def _recording_check_verify(self, verify):
    VERIFY_SCHEMES.append(int(verify.algorithm))
    return _check_verify(self, verify)


tls.decode_public_key = _recording_decode_public_key
tls.Context._check_certificate_verify_signature = _recording_check_verify


class Client(QuicConnectionProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.alpn = None
        self.answer = b""
        self.answered = asyncio.Event()

    def quic_event_received(self, event):
        if isinstance(event, HandshakeCompleted):
            self.alpn = event.alpn_protocol
        elif isinstance(event, StreamDataReceived):
            self.answer += event.data
            if event.end_stream:
                self.answered.set()


async def main(args):
    keylog = open(args.keylog, "w")
    conf = QuicConfiguration(is_client=True, alpn_protocols=[args.alpn], server_name=args.sni,
                             supported_versions=[QuicProtocolVersion.VERSION_1],
                             secrets_log_file=keylog)
    conf.load_verify_locations(args.ca)
    conf.verify_mode = ssl.CERT_REQUIRED
    conn = QuicConnection(configuration=conf)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", args.local_port))
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_datagram_endpoint(lambda: Client(conn), sock=sock)
    try:
        proto.connect(("127.0.0.1", args.port))
        await asyncio.wait_for(proto.wait_connected(), args.timeout)
        sid = conn.get_next_available_stream_id()
        conn.send_stream_data(sid, REQUEST, end_stream=True)
        proto.transmit()
        await asyncio.wait_for(proto.answered.wait(), args.timeout)
        proto.close()
        await asyncio.wait_for(proto.wait_closed(), args.timeout)
    finally:
        transport.close()
        keylog.close()
    t = conn.tls
    chain = [t._peer_certificate] + list(t._peer_certificate_chain) if t._peer_certificate else []
    out = {
        "client_port": args.local_port,
        "server_port": args.port,
        "quic_version": conn._version,
        "cipher_code": int(t.key_schedule.cipher_suite),
        "group_codes": SERVER_GROUPS,
        "verify_schemes": VERIFY_SCHEMES,
        "alpn": proto.alpn,
        "sni": conf.server_name,
        "client_random": t.client_random.hex(),
        "certificates": [c.public_bytes(Encoding.DER).hex() for c in chain],
        "tls_state": t.state.name,
        "answer": proto.answer.decode("ascii", "replace"),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--local-port", type=int, required=True)
    p.add_argument("--sni", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--alpn", default="hq-interop")
    p.add_argument("--keylog", required=True)
    p.add_argument("--timeout", type=float, default=10)
    sys.exit(asyncio.run(main(p.parse_args())))
