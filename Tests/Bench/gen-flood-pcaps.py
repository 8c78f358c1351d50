#!/usr/bin/env python3
"""Writes the hostile-traffic benchmark captures: what a monitor sees under attack or overload.

usage: gen-flood-pcaps.py OUT_FOLDER [SCALE]

  syn-flood.pcap            2M SYNs from random sources to one server (no handshake ever follows)
  million-conns.pcap        1M distinct short connections (SYN, a request, RST), 3M packets
  unfinished-hellos.pcap    300k connections whose ClientHello is never answered
  out-of-order.pcap         1000 connections whose segments keep arriving ahead of a hole, 1M packets
  split-hellos.pcap         real ClientHellos cut into 1-byte segments, about 2M packets

SCALE (default 1) multiplies the counts. The real ClientHello comes from the loopback fixture
tls13-x25519.pcap; everything else is synthetic and seeded, so the files are the same on every run.
"""
import importlib.util
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SERVER = bytes([192, 0, 2, 1])
SYN, ACK, PSH, RST = 0x02, 0x10, 0x08, 0x04


def load_generator():
    spec = importlib.util.spec_from_file_location("gen", os.path.join(HERE, "gen-bench-pcap.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = load_generator()


class Writer(gen.PcapWriter):
    """The benchmark captures' writer, with TCP segments built from their fields."""

    def tcp(self, source, sport, destination, dport, seq, flags, payload=b""):
        self.write(gen.segment(source, sport, destination, dport, seq & 0xFFFFFFFF, 0, flags, payload))


def client_hello():
    """The first ClientHello record of the TLS 1.3 loopback fixture."""
    for frame in gen.read_pcap(os.path.join(ROOT, "Tests/Fixtures/pcaps/tls13-x25519.pcap")):
        parsed = gen.ipv4_tcp(frame)
        if not parsed:
            continue
        offset = parsed[4] + (frame[parsed[4] + 12] >> 4) * 4
        payload = frame[offset:]
        if payload[:1] == b"\x16" and payload[5:6] == b"\x01":
            return payload[:5 + struct.unpack(">H", payload[3:5])[0]]
    raise SystemExit("no ClientHello in tls13-x25519.pcap")


def address(rng):
    return bytes([10, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)])


def syn_flood(path, count, rng):
    out = Writer(path, 100_000)
    for _ in range(count):
        out.tcp(address(rng), rng.randrange(1024, 65536), SERVER, 443, rng.getrandbits(32), SYN)
    return out.close()


def million_conns(path, count, rng):
    out = Writer(path, 150_000)
    request = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
    for serial in range(count):
        client = bytes([10, 64 + (serial >> 16) % 64, (serial >> 8) & 0xFF, serial & 0xFF])
        port = 1024 + serial % 60000
        out.tcp(client, port, SERVER, 80, 1000, SYN)
        out.tcp(client, port, SERVER, 80, 1001, ACK | PSH, request)
        out.tcp(client, port, SERVER, 80, 1001 + len(request), RST | ACK)
    return out.close()


def unfinished_hellos(path, count, rng, hello):
    out = Writer(path, 20_000)
    for serial in range(count):
        client, port = address(rng), rng.randrange(1024, 65536)
        out.tcp(client, port, SERVER, 443, 5000, SYN)
        out.tcp(client, port, SERVER, 443, 5001, ACK | PSH, hello)
    return out.close()


def out_of_order(path, connections, segments, rng):
    """Each connection's first segment never arrives; the rest come in reverse order in runs of 32."""
    out = Writer(path, 200_000)
    chunk = bytes(rng.getrandbits(8) for _ in range(1000))
    flows = [[address(rng), rng.randrange(1024, 65536), list(range(1, segments))] for _ in range(connections)]
    for client, port, _ in flows:
        out.tcp(client, port, SERVER, 443, 0, SYN)
    while flows:
        flow = flows[rng.randrange(len(flows))]
        client, port, pending = flow
        run, flow[2] = pending[:32], pending[32:]
        for index in reversed(run):
            out.tcp(client, port, SERVER, 443, 1 + index * 1000, ACK, chunk)
        if not flow[2]:
            flows.remove(flow)
    return out.close()


def split_hellos(path, connections, rng, hello):
    """Several connections interleaved, each ClientHello byte in its own segment, in order."""
    out = Writer(path, 200_000)
    active = []
    started = 0
    while started < connections or active:
        while len(active) < 16 and started < connections:
            client, port = address(rng), rng.randrange(1024, 65536)
            out.tcp(client, port, SERVER, 443, 7000, SYN)
            active.append([client, port, 0])
            started += 1
        flow = active[rng.randrange(len(active))]
        client, port, offset = flow
        out.tcp(client, port, SERVER, 443, 7001 + offset, ACK | PSH, hello[offset:offset + 1])
        flow[2] += 1
        if flow[2] == len(hello):
            active.remove(flow)
    return out.close()


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    folder, scale = sys.argv[1], float(sys.argv[2]) if len(sys.argv) == 3 else 1.0
    os.makedirs(folder, exist_ok=True)
    hello = client_hello()
    jobs = [
        ("syn-flood.pcap", lambda path, rng: syn_flood(path, int(2_000_000 * scale), rng)),
        ("million-conns.pcap", lambda path, rng: million_conns(path, int(1_000_000 * scale), rng)),
        ("unfinished-hellos.pcap", lambda path, rng: unfinished_hellos(path, int(300_000 * scale), rng, hello)),
        ("out-of-order.pcap", lambda path, rng: out_of_order(path, int(1000 * scale), 1000, rng)),
        ("split-hellos.pcap", lambda path, rng: split_hellos(path, int(2_000_000 * scale) // len(hello), rng, hello)),
    ]
    for name, job in jobs:
        path = os.path.join(folder, name)
        if os.path.exists(path) and os.path.getsize(path) > 24:
            continue
        packets = job(path + ".part", random.Random(name))
        os.replace(path + ".part", path)
        print(f"wrote {packets} packets to {path}")


if __name__ == "__main__":
    main()
