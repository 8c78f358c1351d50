#!/usr/bin/env python3
"""Writes Tests/Fixtures/pcaps/demo.pcap, the capture `make run` opens on a terminal.

    python3 Tests/Fixtures/make-demo-capture.py [OUT]

A mix that shows what tlstop is for, made from the real fixture captures in this folder (each
recorded on loopback from real clients and servers by the make-*-fixtures.sh scripts): strong TLS
1.3 and 1.2, weak TLS (a 1024-bit RSA key, static RSA without PFS, CBC, a SHA-1 signature, an
expired or self-signed certificate, TLS 1.0), clear text carrying passwords (HTTP, IMAP, telnet,
SMTP), SSH and QUIC. Each capture gets its own documentation-range addresses (RFC 5737: clients in
192.0.2.0/24, servers in 198.51.100.0/24), checksums recomputed, and its timestamps moved so the
sessions follow each other a few seconds apart, starting where the earliest one started. Nothing
else is changed.

The post-quantum hosts are the one synthetic part. This machine has no TLS stack with a hybrid
post-quantum group (OpenSSL 3.0, GnuTLS 3.7), so they are the real curl ↔ nginx TLS 1.3 session of
curl-nginx-tls13.pcap with its hellos rewritten: the ClientHello offers and shares
X25519MLKEM768 (0x11EC, a 1216-byte share: ML-KEM-768's 1184-byte encapsulation key, then
X25519's 32 bytes) before x25519, and the ServerHello picks it (1088-byte ciphertext + 32 = 1120
bytes); the shares are seeded random bytes, the SNI is a demo name, sequence numbers follow the new
lengths. The encrypted records after the hellos are the original ones, which no passive observer
can open anyway. The output is the same byte for byte on every run.
"""
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PCAPS = os.path.join(HERE, "pcaps")

# (file, server address, client address): one server per fixture.
SOURCES = [
    ("curl-nginx-tls13.pcap", "198.51.100.10", "192.0.2.10"),
    ("curl-nginx-tls12.pcap", "198.51.100.11", "192.0.2.11"),
    ("gnutls-tls13.pcap", "198.51.100.12", "192.0.2.12"),
    ("policy-rsa1024.pcap", "198.51.100.20", "192.0.2.20"),
    ("tls12-rsa-static.pcap", "198.51.100.21", "192.0.2.21"),
    ("policy-cbc-tls12.pcap", "198.51.100.22", "192.0.2.22"),
    ("policy-sha1-cert.pcap", "198.51.100.23", "192.0.2.23"),
    ("policy-expired-cert.pcap", "198.51.100.24", "192.0.2.24"),
    ("policy-self-signed.pcap", "198.51.100.25", "192.0.2.25"),
    ("tls10-ecdhe.pcap", "198.51.100.26", "192.0.2.26"),
    ("plain-http-post-password.pcap", "198.51.100.30", "192.0.2.30"),
    ("plain-imap-login.pcap", "198.51.100.31", "192.0.2.31"),
    ("plain-telnet-login.pcap", "198.51.100.32", "192.0.2.32"),
    ("plain-smtp-auth-plain.pcap", "198.51.100.33", "192.0.2.33"),
    ("enc-ssh.pcap", "198.51.100.40", "192.0.2.40"),
    ("quic-v1.pcap", "198.51.100.41", "192.0.2.41"),
]
# (SNI, server address, client address, server port): the synthetic post-quantum sessions.
POST_QUANTUM = [
    ("pq.demo.example", "198.51.100.50", "192.0.2.50", 443),
    ("hybrid.demo.example", "198.51.100.51", "192.0.2.51", 8443),
]
SPACING_US = 3_000_000  # between the starts of two sessions
X25519MLKEM768 = 0x11EC
X25519 = 0x001D


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic != 0xA1B2C3D4:
        raise SystemExit(f"{path}: only little-endian microsecond pcap is handled here")
    link = struct.unpack("<I", data[20:24])[0]
    if link != 1:
        raise SystemExit(f"{path}: link type {link}, expected Ethernet")
    frames, offset = [], 24
    while offset + 16 <= len(data):
        sec, usec, caplen, wirelen = struct.unpack("<IIII", data[offset:offset + 16])
        frames.append([sec * 1_000_000 + usec, bytearray(data[offset + 16:offset + 16 + caplen]), wirelen])
        offset += 16 + caplen
    return frames


def ip_bytes(text):
    return bytes(int(part) for part in text.split("."))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def fix_checksums(frame):
    """Recomputes the IPv4 header and TCP/UDP checksums of an Ethernet frame."""
    ihl = (frame[14] & 0x0F) * 4
    frame[24:26] = b"\0\0"
    frame[24:26] = struct.pack("!H", checksum(bytes(frame[14:14 + ihl])))
    total = struct.unpack("!H", frame[16:18])[0]
    protocol = frame[23]
    start, end = 14 + ihl, 14 + total
    segment = frame[start:end]
    offset = {6: 16, 17: 6}.get(protocol)
    if offset is None:
        return
    segment[offset:offset + 2] = b"\0\0"
    pseudo = bytes(frame[26:34]) + struct.pack("!BBH", 0, protocol, len(segment))
    value = checksum(pseudo + bytes(segment))
    if protocol == 17 and value == 0:
        value = 0xFFFF
    frame[start + offset:start + offset + 2] = struct.pack("!H", value)


def readdress(frames, server_port, server, client):
    """Gives the session new addresses: whoever sends from server_port is the server."""
    for _, frame, _ in frames:
        if frame[12:14] != b"\x08\x00":
            continue
        ihl = (frame[14] & 0x0F) * 4
        sport = struct.unpack("!H", frame[14 + ihl:16 + ihl])[0]
        source, destination = (server, client) if sport == server_port else (client, server)
        frame[26:30] = ip_bytes(source)
        frame[30:34] = ip_bytes(destination)
        fix_checksums(frame)


def server_port(frames):
    """The port the first TCP SYN or the first UDP datagram goes to."""
    for _, frame, _ in frames:
        ihl = (frame[14] & 0x0F) * 4
        if frame[23] == 6 and frame[14 + ihl + 13] & 0x12 == 0x02:
            return struct.unpack("!H", frame[16 + ihl:18 + ihl])[0]
    for _, frame, _ in frames:
        ihl = (frame[14] & 0x0F) * 4
        if frame[23] == 17:
            return struct.unpack("!H", frame[16 + ihl:18 + ihl])[0]
    raise SystemExit("no server port")


# ---------------------------------------------------------------------------------------------
# The post-quantum hellos
# ---------------------------------------------------------------------------------------------

def tcp_parts(frame):
    ihl = (frame[14] & 0x0F) * 4
    tcp = 14 + ihl
    header = (frame[tcp + 12] >> 4) * 4
    total = struct.unpack("!H", frame[16:18])[0]
    return tcp, tcp + header, 14 + total


def extensions_of(body, start):
    """(type, data) of each extension in a hello body from the extensions length at `start`."""
    length = struct.unpack("!H", body[start:start + 2])[0]
    offset, end, found = start + 2, start + 2 + length, []
    while offset < end:
        kind, size = struct.unpack("!HH", body[offset:offset + 4])
        found.append((kind, bytes(body[offset + 4:offset + 4 + size])))
        offset += 4 + size
    return found


def pack_extensions(extensions):
    data = b"".join(struct.pack("!HH", kind, len(value)) + value for kind, value in extensions)
    return struct.pack("!H", len(data)) + data


def rewrite_client_hello(record, sni, rng):
    body = record[9:]
    offset = 2 + 32
    offset += 1 + body[offset]
    offset += 2 + struct.unpack("!H", body[offset:offset + 2])[0]
    offset += 1 + body[offset]
    rewritten = []
    for kind, value in extensions_of(body, offset):
        if kind == 0:  # server_name
            name = sni.encode()
            entry = b"\0" + struct.pack("!H", len(name)) + name
            value = struct.pack("!H", len(entry)) + entry
        elif kind == 10:  # supported_groups
            groups = [X25519MLKEM768, X25519, 0x0017, 0x0018]
            value = struct.pack("!H", 2 * len(groups)) + b"".join(struct.pack("!H", g) for g in groups)
        elif kind == 51:  # key_share
            shares = struct.pack("!HH", X25519MLKEM768, 1216) + rng.randbytes(1216)
            shares += struct.pack("!HH", X25519, 32) + rng.randbytes(32)
            value = struct.pack("!H", len(shares)) + shares
        rewritten.append((kind, value))
    new_body = bytes(body[:offset]) + pack_extensions(rewritten)
    return handshake_record(1, new_body)


def rewrite_server_hello(record, rng):
    body = record[9:]
    offset = 2 + 32
    offset += 1 + body[offset]
    offset += 2 + 1
    rewritten = []
    for kind, value in extensions_of(body, offset):
        if kind == 51:
            value = struct.pack("!HH", X25519MLKEM768, 1120) + rng.randbytes(1120)
        rewritten.append((kind, value))
    return handshake_record(2, bytes(body[:offset]) + pack_extensions(rewritten))


def handshake_record(kind, body):
    message = struct.pack("!B", kind) + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(message)) + message


def post_quantum_session(template, sni, server, client, port, rng):
    """The template session with hybrid hellos, moved to `port`; sequence numbers follow."""
    frames = [[t, bytearray(f), w] for t, f, w in template]
    original_port = server_port(frames)
    deltas, firsts = {}, {}
    for _, frame, _ in frames:
        tcp, payload, end = tcp_parts(frame)
        sport = struct.unpack("!H", frame[tcp:tcp + 2])[0]
        side = "server" if sport == original_port else "client"
        data = bytes(frame[payload:end])
        if not data or side in firsts:
            continue
        length = 5 + struct.unpack("!H", data[3:5])[0]
        record = data[:length]
        if side == "client":
            new = rewrite_client_hello(record, sni, rng)
        else:
            new = rewrite_server_hello(record, rng)
        seq = struct.unpack("!I", frame[tcp + 4:tcp + 8])[0]
        firsts[side] = seq
        deltas[side] = len(new) - len(record)
        frame[payload:end] = new + data[length:]
        total = (end - payload) + deltas[side] + (payload - 14)
        frame[16:18] = struct.pack("!H", total)
    out = []
    for time, frame, _ in frames:
        tcp, payload, end = tcp_parts(frame)
        sport, dport = struct.unpack("!HH", frame[tcp:tcp + 4])
        side = "server" if sport == original_port else "client"
        other = "client" if side == "server" else "server"
        seq, ack = struct.unpack("!II", frame[tcp + 4:tcp + 12])
        if side in firsts and seq > firsts[side]:
            seq = (seq + deltas[side]) & 0xFFFFFFFF
        if other in firsts and ack > firsts[other] + 1:
            ack = (ack + deltas[other]) & 0xFFFFFFFF
        frame[tcp + 4:tcp + 12] = struct.pack("!II", seq, ack)
        if sport == original_port:
            frame[tcp:tcp + 2] = struct.pack("!H", port)
        else:
            frame[tcp + 2:tcp + 4] = struct.pack("!H", port)
        out.append([time, frame, len(frame)])
    readdress(out, port, server, client)
    return out


def main():
    output = sys.argv[1] if len(sys.argv) > 1 else os.path.join(PCAPS, "demo.pcap")
    rng = random.Random(20261202)
    sessions = []
    for name, server, client in SOURCES:
        frames = read_pcap(os.path.join(PCAPS, name))
        readdress(frames, server_port(frames), server, client)
        sessions.append(frames)
    template = read_pcap(os.path.join(PCAPS, "curl-nginx-tls13.pcap"))
    for sni, server, client, port in POST_QUANTUM:
        sessions.append(post_quantum_session(template, sni, server, client, port, rng))

    # One after the other, from the earliest start; the order interleaves weak, strong and clear.
    order = [0, 3, 10, 16, 1, 4, 11, 14, 5, 2, 12, 17, 6, 7, 13, 15, 8, 9]
    assert sorted(order) == list(range(len(sessions)))
    base = min(frames[0][0] for frames in sessions)
    packets = []
    for slot, index in enumerate(order):
        frames = sessions[index]
        start = frames[0][0]
        for time, frame, wire in frames:
            packets.append((base + slot * SPACING_US + (time - start), slot, frame, wire))
    packets.sort(key=lambda p: (p[0], p[1]))
    with open(output, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for time, _, frame, wire in packets:
            f.write(struct.pack("<IIII", time // 1_000_000, time % 1_000_000, len(frame), max(wire, len(frame))))
            f.write(frame)
    print(f"wrote {len(packets)} packets from {len(sessions)} sessions to {output}")


if __name__ == "__main__":
    main()
