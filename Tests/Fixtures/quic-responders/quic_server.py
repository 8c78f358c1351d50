#!/usr/bin/env python3
"""One-connection QUIC responder for make-quic-fixtures.sh (aioquic).

Listens on 127.0.0.1:PORT with the given certificate, ALPN "hq-interop" and
the QUIC versions asked for (optionally sending a Retry first).  Answers the
client's request on its stream with a short payload (FIN), then exits 0 once
that connection has terminated.  Exits 124 if nothing completes within
--timeout seconds.  Test fixtures only.
"""
import argparse
import asyncio
import sys

from aioquic.asyncio import QuicConnectionProtocol, serve
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.events import ConnectionTerminated, HandshakeCompleted, StreamDataReceived
from aioquic.quic.packet import QuicProtocolVersion

VERSIONS = {"1": QuicProtocolVersion.VERSION_1, "2": QuicProtocolVersion.VERSION_2}
ANSWER = b"tlstop fixture\n"


def log(msg):
    print(f"[quic_server] {msg}", file=sys.stderr, flush=True)


class Responder(QuicConnectionProtocol):
    done: asyncio.Event
    served = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._requests = {}

    def quic_event_received(self, event):
        if isinstance(event, HandshakeCompleted):
            log(f"handshake completed, alpn={event.alpn_protocol}")
        elif isinstance(event, StreamDataReceived):
            self._requests[event.stream_id] = self._requests.get(event.stream_id, b"") + event.data
            if event.end_stream:
                log(f"request on stream {event.stream_id}: {self._requests[event.stream_id]!r}")
                self._quic.send_stream_data(event.stream_id, ANSWER, end_stream=True)
                self.transmit()
                Responder.served = True
        elif isinstance(event, ConnectionTerminated):
            log(f"connection terminated: error_code={event.error_code} reason={event.reason_phrase!r}")
            Responder.done.set()


async def main(args):
    Responder.done = asyncio.Event()
    conf = QuicConfiguration(is_client=False, alpn_protocols=[args.alpn],
                             supported_versions=[VERSIONS[v] for v in args.versions.split(",")])
    conf.load_cert_chain(args.cert, args.key)
    server = await serve("127.0.0.1", args.port, configuration=conf,
                         create_protocol=Responder, retry=args.retry)
    log(f"listening on 127.0.0.1:{args.port} versions={args.versions} retry={args.retry}")
    try:
        await asyncio.wait_for(Responder.done.wait(), args.timeout)
    except asyncio.TimeoutError:
        log("timed out")
        return 124
    finally:
        server.close()
    return 0 if Responder.served else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--alpn", default="hq-interop")
    p.add_argument("--versions", default="1", help="comma-separated: 1, 2")
    p.add_argument("--retry", action="store_true")
    p.add_argument("--timeout", type=float, default=20)
    sys.exit(asyncio.run(main(p.parse_args())))
