#!/usr/bin/env python3
"""Writes large, reproducible benchmark captures from the real loopback fixtures.

The real connections of the fixtures (openssl, gnutls and curl against nginx: TLS 1.2 and 1.3, some
clear-text HTTP) are replayed many times with rewritten client addresses, ports and timestamps, and
interleaved, so that a file looks like a busy server.

usage: gen-bench-pcap.py WORKLOAD OUT.pcap MIN_PACKETS

  mixed        a server's ordinary day: a new real handshake every 15 packets, and most packets
               bulk data (1448-byte records and their acknowledgements) on connections that
               finished their handshake earlier; one connection in ten is clear-text HTTP
  handshakes   whole fixture connections back to back, 32 in flight: almost every packet is part
               of a handshake
  many-flows   MIN_PACKETS / 4 distinct connections that stay open: SYN, SYN-ACK, ACK and a real
               ClientHello each (the many-flows memory benchmark: a million connections at 4M)
"""
import os
import random
import struct
import sys

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
HANDSHAKE_FIXTURES = ("many-conns", "tls12-ecdhe-rsa", "tls13-x25519", "curl-nginx-tls13", "curl-nginx-tls12",
                      "http-plain")


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


def tcp_fields(frame):
    """(seq, flags, payload) of an Ethernet/IPv4/TCP frame."""
    ihl = (frame[14] & 0x0F) * 4
    tcp = 14 + ihl
    total = struct.unpack(">H", frame[16:18])[0]
    offset = tcp + (frame[tcp + 12] >> 4) * 4
    return struct.unpack(">I", frame[tcp + 4:tcp + 8])[0], frame[tcp + 13], frame[offset:14 + total]


def load_templates(names):
    templates = []
    for name in names:
        templates += [c for c in connections(read_pcap(f"Tests/Fixtures/pcaps/{name}.pcap")) if len(c[1]) >= 4]
    if not templates:
        raise SystemExit("no TCP connections in the fixtures")
    return templates


class PcapWriter:
    """Classic pcap of Ethernet frames, on a clock that advances the same step per packet (by
    default 10 us: 100k packets/s, so no flow of a benchmark idles out)."""

    def __init__(self, path, packets_per_second=100_000):
        self.file = open(path, "wb")
        self.file.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.step = 1_000_000 // packets_per_second or 1
        self.micros = 1_700_000_000 * 1_000_000
        self.count = 0

    def write(self, frame):
        self.micros += self.step
        self.file.write(struct.pack("<IIII", self.micros // 1_000_000, self.micros % 1_000_000, len(frame), len(frame)))
        self.file.write(frame)
        self.count += 1

    def close(self):
        self.file.close()
        return self.count


def client_address(serial):
    return bytes([10, 64 + (serial >> 16) % 128, (serial >> 8) & 0xFF, serial & 0xFF]), 1024 + serial % 60000


def handshakes(out, minimum, rng):
    """Whole fixture connections, about 32 interleaved at any time."""
    templates = load_templates(HANDSHAKE_FIXTURES)
    in_flight, serial = [], 0
    while out.count < minimum or in_flight:
        while len(in_flight) < 32 and out.count < minimum:
            client, frames = templates[serial % len(templates)]
            serial += 1
            server = bytes([192, 0, 2, 1 + serial % 200])
            in_flight.append([rewrite(f, client, client_address(serial), server) for f in frames])
        pick = rng.randrange(len(in_flight))
        out.write(in_flight[pick].pop(0))
        if not in_flight[pick]:
            in_flight.pop(pick)
    return serial


def opening(client, frames):
    """The frames of a connection up to its first application data: the TCP and TLS handshakes
    without the pure acknowledgements after the third packet, then the next sequence numbers of
    the client and the server. A clear-text connection keeps its first request."""
    kept, next_seq = [], {}
    for frame in frames:
        src, _, sport, _, _ = ipv4_tcp(frame)
        side = "client" if (src, sport) == client else "server"
        seq, flags, payload = tcp_fields(frame)
        if flags & (FIN | RST):
            break
        tls = payload[:1] in (b"\x14", b"\x15", b"\x16", b"\x17")
        if payload and (payload[:1] == b"\x17" or (not tls and kept and any(tcp_fields(f)[2] for f in kept))):
            break
        if payload or flags & SYN or len(kept) < 3:
            kept.append(frame)
        next_seq[side] = (seq + len(payload) + (1 if flags & SYN else 0)) & 0xFFFFFFFF
    return kept, next_seq


def segment(src, sport, dst, dport, seq, ack, flags, payload=b""):
    total = 40 + len(payload)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack(">H", checksum(ip)) + ip[12:]
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 65535, 0, 0)
    return b"\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x01\x08\x00" + ip + tcp + payload


class BulkConnection:
    """An established connection carrying server-to-client data; every other packet is the client's
    acknowledgement, as with delayed ACKs."""

    def __init__(self, client, server, server_port, next_seq, tls, remaining, filler):
        self.client, self.server, self.server_port = client, server, server_port
        self.client_seq, self.server_seq = next_seq.get("client", 1), next_seq.get("server", 1)
        self.record = (b"\x17\x03\x03" + struct.pack(">H", 1443) if tls else b"") + filler[:1448 - (5 if tls else 0)]
        self.remaining, self.step = remaining, 0

    def next_frame(self):
        (caddr, cport), saddr, sport = self.client, self.server, self.server_port
        self.step += 1
        self.remaining -= 1
        if self.remaining == 1:
            return segment(caddr, cport, saddr, sport, self.client_seq, self.server_seq, FIN | ACK)
        if self.remaining <= 0:
            return segment(saddr, sport, caddr, cport, self.server_seq, (self.client_seq + 1) & 0xFFFFFFFF, FIN | ACK)
        if self.step % 2 == 0:
            return segment(caddr, cport, saddr, sport, self.client_seq, self.server_seq, ACK)
        frame = segment(saddr, sport, caddr, cport, self.server_seq, self.client_seq, ACK | PSH, self.record)
        self.server_seq = (self.server_seq + len(self.record)) & 0xFFFFFFFF
        return frame


def mixed(out, minimum, rng):
    """A new connection every 15 packets: its real opening (about 6 packets) interleaved with bulk
    data, then 1 to 6 packets of its own data and its close. 64 long-lived connections (open when
    the capture starts) carry the rest of the bulk data, as keep-alive and streaming clients do."""
    tls = load_templates(("many-conns", "tls12-ecdhe-rsa", "tls13-x25519", "curl-nginx-tls13", "curl-nginx-tls12"))
    plain = load_templates(("http-plain",))
    filler = bytes(rng.getrandbits(8) for _ in range(1448))
    openings, short, serial = [], [], 0

    def start(remaining):
        nonlocal serial
        serial += 1
        is_tls = serial % 10 != 0
        client, frames = (tls if is_tls else plain)[serial % (len(tls) if is_tls else len(plain))]
        kept, next_seq = opening(client, frames)
        new_client, server = client_address(serial), bytes([192, 0, 2, 1 + serial % 200])
        server_port = ipv4_tcp(kept[0])[3]
        conn = BulkConnection(new_client, server, server_port, next_seq, is_tls, remaining, filler)
        return [rewrite(f, client, new_client, server) for f in kept], conn

    long_lived = []
    while len(long_lived) < 64:
        frames, conn = start(1 << 62)
        for frame in frames:
            out.write(frame)
        long_lived.append(conn)
    while out.count < minimum or openings or short:
        if out.count % 15 == 0 and out.count < minimum:
            openings.append(start(rng.randrange(3, 9)))
        if openings and rng.random() < 0.5:
            pick = rng.randrange(len(openings))
            frames, conn = openings[pick]
            out.write(frames.pop(0))
            if not frames:
                openings.pop(pick)
                short.append(conn)
        elif short and (len(short) > 64 or rng.random() < 0.5 or out.count >= minimum):
            pick = rng.randrange(len(short))
            out.write(short[pick].next_frame())
            if short[pick].remaining <= 0:
                short[pick] = short[-1]
                short.pop()
        else:
            out.write(long_lived[rng.randrange(len(long_lived))].next_frame())
    return serial


def many_flows(out, minimum, rng):
    """Distinct connections that never close: SYN, SYN-ACK, ACK and the real TLS 1.3 ClientHello,
    64 in flight, so the table holds MIN_PACKETS / 4 connections at the end."""
    client, frames = load_templates(("tls13-x25519",))[0]
    kept, _ = opening(client, frames)
    first = [f for f in kept if not tcp_fields(f)[2]][:3] + [f for f in kept if tcp_fields(f)[2][:1] == b"\x16"][:1]
    in_flight, serial = [], 0
    while out.count < minimum or in_flight:
        while len(in_flight) < 64 and out.count < minimum:
            serial += 1
            new_client, server = client_address(serial), bytes([192, 0, 2, 1 + serial % 200])
            in_flight.append([rewrite(f, client, new_client, server) for f in first])
        pick = rng.randrange(len(in_flight))
        out.write(in_flight[pick].pop(0))
        if not in_flight[pick]:
            in_flight[pick] = in_flight[-1]
            in_flight.pop()
    return serial


def main():
    workloads = {"mixed": mixed, "handshakes": handshakes, "many-flows": many_flows}
    if len(sys.argv) != 4 or sys.argv[1] not in workloads:
        sys.exit(__doc__)
    workload, path, minimum = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = PcapWriter(path + ".part")
    connections_started = workloads[workload](out, minimum, random.Random(workload))
    packets = out.close()
    os.replace(path + ".part", path)
    print(f"wrote {packets} packets, {connections_started} connections to {path}")


if __name__ == "__main__":
    main()
