#!/usr/bin/env python3
"""Writes a large, reproducible benchmark capture from the real loopback fixtures.

Every TCP connection in the given Ethernet/IPv4 fixtures is replayed many times with rewritten client
addresses and ports, and the copies are interleaved (several connections in flight at once), so the
file looks like a busy server: real handshakes, real record sizes, many distinct flows.

usage: gen-bench-pcap.py OUT.pcap MIN_PACKETS [FIXTURE.pcap ...]

Without fixtures, the handshake-heavy mix the benchmarks use: TLS 1.2 and 1.3 handshakes (openssl,
curl against nginx) and some clear-text HTTP.
"""
import random
import struct
import sys


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = {0xA1B2C3D4: "<", 0xD4C3B2A1: ">", 0xA1B23C4D: "<", 0x4D3CB2A1: ">"}.get(magic)
    if endian is None:
        raise SystemExit(f"{path}: not a classic pcap file")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise SystemExit(f"{path}: link type {linktype}, need Ethernet (1)")
    frames, offset = [], 24
    while offset + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[offset:offset + 16])
        offset += 16
        frames.append(data[offset:offset + caplen])
        offset += caplen
    return frames


def ipv4_tcp(frame):
    """(src, dst, sport, dport, ihl_offset) for Ethernet/IPv4/TCP frames, else None."""
    if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 0x0F) * 4
    sport, dport = struct.unpack(">HH", frame[14 + ihl:18 + ihl])
    return frame[26:30], frame[30:34], sport, dport, 14 + ihl


def checksum(header):
    total = sum(struct.unpack(f">{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def connections(frames):
    """Groups frames by connection; yields (client_addr, client_port, [frames])."""
    groups, order = {}, []
    for frame in frames:
        parsed = ipv4_tcp(frame)
        if not parsed:
            continue
        src, dst, sport, dport, _ = parsed
        key = tuple(sorted([(src, sport), (dst, dport)]))
        if key not in groups:
            groups[key] = ((src, sport), [])
            order.append(key)
        groups[key][1].append(frame)
    return [groups[k] for k in order]


def rewrite(frame, client, new_client, new_server_addr):
    parsed = ipv4_tcp(frame)
    src, dst, sport, dport, tcp = parsed
    frame = bytearray(frame)
    from_client = (src, sport) == client
    caddr, cport = new_client
    if from_client:
        frame[26:30], frame[30:34] = caddr, new_server_addr
        frame[tcp:tcp + 2] = struct.pack(">H", cport)
    else:
        frame[26:30], frame[30:34] = new_server_addr, caddr
        frame[tcp + 2:tcp + 4] = struct.pack(">H", cport)
    ihl = (frame[14] & 0x0F) * 4
    frame[24:26] = b"\x00\x00"
    frame[24:26] = struct.pack(">H", checksum(bytes(frame[14:14 + ihl])))
    return bytes(frame)


def main():
    out, minimum, fixtures = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    if not fixtures:
        fixtures = [f"Tests/Fixtures/pcaps/{name}.pcap" for name in (
            "many-conns", "tls12-ecdhe-rsa", "tls13-x25519", "curl-nginx-tls13", "http-plain")]
    rng = random.Random(20261129)
    templates = []
    for path in fixtures:
        templates += [c for c in connections(read_pcap(path)) if len(c[1]) >= 4]
    if not templates:
        raise SystemExit("no TCP connections in the fixtures")
    packets = []
    in_flight = []
    serial = 0
    timestamp = 1_700_000_000.0
    while len(packets) < minimum or in_flight:
        # Keep about 32 connections interleaved while generating.
        while len(in_flight) < 32 and len(packets) < minimum:
            client, frames = templates[serial % len(templates)]
            serial += 1
            new_client = (bytes([10, (serial >> 16) & 0xFF, (serial >> 8) & 0xFF, serial & 0xFF]),
                          1024 + serial % 60000)
            server = bytes([192, 0, 2, 1 + serial % 200])
            in_flight.append([rewrite(f, client, new_client, server) for f in frames])
        pick = rng.randrange(len(in_flight))
        packets.append(in_flight[pick].pop(0))
        if not in_flight[pick]:
            in_flight.pop(pick)
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for frame in packets:
            timestamp += 0.00001
            seconds = int(timestamp)
            micros = int((timestamp - seconds) * 1_000_000)
            f.write(struct.pack("<IIII", seconds, micros, len(frame), len(frame)))
            f.write(frame)
    print(f"wrote {len(packets)} packets, {serial} connections to {out}")


if __name__ == "__main__":
    main()
