#!/usr/bin/env python3
"""One-shot QUIC client for make-quic-fixtures.sh (aioquic).

Connects from 127.0.0.1:LOCAL_PORT to 127.0.0.1:PORT (an AF_INET socket, so
nothing but loopback is bound), SNI and ALPN as given, sends a short request
on one bidirectional stream, reads the answer to its FIN, closes the
connection cleanly (CONNECTION_CLOSE, no error) and prints one JSON object
with what aioquic negotiated: QUIC version, TLS cipher suite and key-exchange
group (taken from the ServerHello key_share aioquic decoded), ALPN, SNI,
whether a Retry was received.  Test fixtures only.
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

VERSIONS = {"1": QuicProtocolVersion.VERSION_1, "2": QuicProtocolVersion.VERSION_2}
REQUEST = b"GET /index.html\r\n"

# the group of the server's key_share, as aioquic's TLS engine decodes it
SERVER_GROUPS = []
_decode_public_key = tls.decode_public_key


def _recording_decode_public_key(key_share):
    SERVER_GROUPS.append(int(key_share[0]))
    return _decode_public_key(key_share)


tls.decode_public_key = _recording_decode_public_key


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
    conf = QuicConfiguration(is_client=True, alpn_protocols=[args.alpn], server_name=args.sni,
                             supported_versions=[VERSIONS[v] for v in args.versions.split(",")])
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
    ks = conn.tls.key_schedule
    out = {
        "client_port": args.local_port,
        "server_port": args.port,
        "quic_version": conn._version,
        "cipher_code": int(ks.cipher_suite),
        "cipher_enum": ks.cipher_suite.name,
        "group_codes": SERVER_GROUPS,
        "alpn": proto.alpn,
        "sni": conf.server_name,
        "retry_received": conn._retry_count > 0,
        "tls_state": conn.tls.state.name,
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
    p.add_argument("--versions", default="1")
    p.add_argument("--timeout", type=float, default=10)
    sys.exit(asyncio.run(main(p.parse_args())))
