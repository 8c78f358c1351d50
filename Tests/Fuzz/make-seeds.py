#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from the repository's test fixtures.

Usage: make-seeds.py OUTPUT_FOLDER

Each target gets a folder of seeds in its own input format (see the target's source):
  FuzzPipeline     link-type byte, then [time step][u16 length][frame] per captured frame
  FuzzHandshake    u16 server port, then [direction][u16 length][TCP payload] in stream order
  FuzzQUIC         [direction][u16 length][UDP payload] raw, plus constructed CRYPTO-frame Initials
  FuzzCertificate  DER certificates
  FuzzCaptureFile  chunk-size byte + a whole .pcap or .pcapng file (255: read whole, 0: byte by byte)
  FuzzKeyLog       a key log file (first byte: the read size)
  FuzzDecryptedHandshake  suite byte, then [control][u16 length][TLSInnerPlaintext body] sealed by the target
  FuzzConfig       0 + theme file, 1 + policy file, 2 + /proc/net/tcp-style table, 3 + /proc/PID/cgroup
"""
import base64
import glob
import os
import re
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINK_SELECTORS = {1: 0, 101: 1, 12: 1, 14: 1, 113: 2, 276: 3, 0: 4, 108: 5, 9: 6, 50: 6, 228: 7, 229: 8}


def read_pcap(path):
    """Classic pcap only (the fixtures' format); returns (link type, [(time, frame)])."""
    with open(path, "rb") as handle:
        data = handle.read()
    if len(data) < 24:
        return None, []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        return None, []
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    link = struct.unpack(endian + "I", data[20:24])[0] & 0xFFFF
    frames, offset = [], 24
    while offset + 16 <= len(data):
        seconds, fraction, captured, _ = struct.unpack(endian + "IIII", data[offset:offset + 16])
        frame = data[offset + 16:offset + 16 + captured]
        frames.append((seconds + fraction / (1e9 if nano else 1e6), frame))
        offset += 16 + captured
    return link, frames


def network_payload(link, frame):
    """(ethertype-ish family, IP packet) for the link types the fixtures use."""
    if link == 1 and len(frame) >= 14:
        kind, rest = struct.unpack(">H", frame[12:14])[0], frame[14:]
        while kind in (0x8100, 0x88A8) and len(rest) >= 4:
            kind, rest = struct.unpack(">H", rest[2:4])[0], rest[4:]
        return rest
    if link == 113 and len(frame) >= 16:
        return frame[16:]
    if link == 276 and len(frame) >= 20:
        return frame[20:]
    if link in (0, 108) and len(frame) >= 4:
        return frame[4:]
    if link in (12, 14, 101, 228, 229):
        return frame
    return None


def transport(packet):
    """(protocol, source, destination, sport, dport, seq, flags, payload) or None."""
    if not packet:
        return None
    version = packet[0] >> 4
    if version == 4 and len(packet) >= 20:
        header = (packet[0] & 15) * 4
        protocol, source, destination = packet[9], packet[12:16], packet[16:20]
        total = struct.unpack(">H", packet[2:4])[0]
        body = packet[header:total] if total >= header else packet[header:]
    elif version == 6 and len(packet) >= 40:
        protocol, source, destination, body = packet[6], packet[8:24], packet[24:40], packet[40:]
    else:
        return None
    if protocol == 6 and len(body) >= 20:
        sport, dport, seq = struct.unpack(">HHI", body[:8])
        offset = (body[12] >> 4) * 4
        return "tcp", source, destination, sport, dport, seq, body[13], body[offset:]
    if protocol == 17 and len(body) >= 8:
        sport, dport = struct.unpack(">HH", body[:4])
        return "udp", source, destination, sport, dport, 0, 0, body[8:]
    return None


def record(control, payload):
    payload = payload[:0xFFFF]
    return bytes([control]) + struct.pack(">H", len(payload)) + payload


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as handle:
        handle.write(data)


def streams(link, frames):
    """Per TCP connection: its client, server port and [(direction, payload)] in stream order."""
    connections = {}
    for _, frame in frames:
        parsed = transport(network_payload(link, frame))
        if not parsed or parsed[0] != "tcp":
            continue
        _, source, destination, sport, dport, seq, flags, payload = parsed
        key = frozenset([(source, sport), (destination, dport)])
        state = connections.setdefault(
            key, {"client": (source, sport), "server_port": dport, "next": {}, "records": []})
        direction = 0 if (source, sport) == state["client"] else 1
        expected = state["next"].get(direction)
        if flags & 0x02:  # SYN: the stream starts after it
            state["next"][direction] = (seq + 1) & 0xFFFFFFFF
            continue
        if not payload:
            continue
        if expected is not None and seq != expected:
            continue  # a retransmission or an out-of-order segment: seeds keep the clean stream
        state["next"][direction] = (seq + len(payload)) & 0xFFFFFFFF
        state["records"].append((direction, payload))
    return [state for state in connections.values() if state["records"]]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-seeds.py OUTPUT_FOLDER")
    out = sys.argv[1]
    client_hello = None
    for path in sorted(glob.glob(os.path.join(ROOT, "Tests/Fixtures/pcaps/*.pcap"))):
        name = os.path.splitext(os.path.basename(path))[0]
        link, frames = read_pcap(path)
        if link is None or link not in LINK_SELECTORS:
            continue
        seed, last = bytes([LINK_SELECTORS[link]]), None
        for time, frame in frames:
            step = 0 if last is None else min(255, max(0, int((time - last) * 10)))
            last = time
            seed += record(step, frame)
        write(os.path.join(out, "FuzzPipeline"), name, seed[:1 << 20])

        for index, state in enumerate(streams(link, frames)):
            seed = struct.pack(">H", state["server_port"])
            for direction, payload in state["records"]:
                seed += record(direction, payload)
                if client_hello is None and direction == 0 and payload[:1] == b"\x16" and len(payload) > 9:
                    if payload[5] == 1:  # the first ClientHello seen, for the QUIC seeds
                        length = struct.unpack(">H", payload[3:5])[0]
                        client_hello = payload[5:5 + length]
            write(os.path.join(out, "FuzzHandshake"), f"{name}-{index}", seed[:1 << 20])

        datagrams, first = b"", None
        for _, frame in frames:
            parsed = transport(network_payload(link, frame))
            if not parsed or parsed[0] != "udp":
                continue
            first = first or (parsed[1], parsed[3])
            datagrams += record(0 if (parsed[1], parsed[3]) == first else 1, parsed[7])
        if datagrams:
            write(os.path.join(out, "FuzzQUIC"), name, datagrams[:1 << 20])

    if client_hello:
        def varint(value):
            return bytes([value]) if value < 64 else struct.pack(">H", 0x4000 | value)
        crypto = b"\x06" + varint(0) + varint(len(client_hello)) + client_hello
        connection_id = bytes(range(8))
        write(os.path.join(out, "FuzzQUIC"), "constructed-v1", record(2, bytes([8]) + connection_id + crypto))
        write(os.path.join(out, "FuzzQUIC"), "constructed-v2", record(6, bytes([8]) + connection_id + crypto))
        half = len(client_hello) // 2
        split = (b"\x06" + varint(0) + varint(half) + client_hello[:half],
                 b"\x06" + varint(half) + varint(len(client_hello) - half) + client_hello[half:])
        write(os.path.join(out, "FuzzQUIC"), "constructed-split",
              record(2, bytes([8]) + connection_id + split[1]) + record(2, bytes([8]) + connection_id + split[0]))

    for path in sorted(glob.glob(os.path.join(ROOT, "Tests/Fixtures/pcaps/*.pcap*"))):
        with open(path, "rb") as handle:
            data = handle.read()
        if len(data) > 1 << 16 or data[:2] == b"\x1f\x8b":
            continue  # the fuzzer's inputs are at most 64 KiB; gzip is zlib's to parse
        base = os.path.basename(path)
        write(os.path.join(out, "FuzzCaptureFile"), base, bytes([255]) + data)
        write(os.path.join(out, "FuzzCaptureFile"), base + "-chunked", bytes([6]) + data)

    for folder in ("certs", "certs-policy", "certs-unit"):
        for path in sorted(glob.glob(os.path.join(ROOT, "Tests/Fixtures", folder, "*"))):
            with open(path, "rb") as handle:
                data = handle.read()
            base = f"{folder}-{os.path.basename(path)}"
            if path.endswith(".der"):
                write(os.path.join(out, "FuzzCertificate"), base, data)
            for index, block in enumerate(re.findall(rb"-----BEGIN CERTIFICATE-----(.*?)-----END", data, re.S)):
                write(os.path.join(out, "FuzzCertificate"), f"{base}-{index}", base64.b64decode(block))

    for path in sorted(glob.glob(os.path.join(ROOT, "Tests/Fixtures/keylogs/*.keys"))):
        with open(path, "rb") as handle:
            data = handle.read()
        base = os.path.basename(path)
        write(os.path.join(out, "FuzzKeyLog"), base, b"\xff" + data)
        write(os.path.join(out, "FuzzKeyLog"), base + "-crlf-chunked", b"\x07" + data.replace(b"\n", b"\r\n"))

    # A server's encrypted flight in clear (RFC 8446 §4.3–4.4), sealed by the target.
    def message(kind, body):
        return bytes([kind]) + struct.pack(">I", len(body))[1:] + body
    alpn = b"\x00\x10" + struct.pack(">H", 11) + struct.pack(">H", 9) + b"\x08http/1.1"
    encrypted_extensions = message(8, struct.pack(">H", len(alpn)) + alpn)
    with open(os.path.join(ROOT, "Tests/Fixtures/certs-keylog/rsa1024.pem"), "rb") as handle:
        der = base64.b64decode(re.findall(rb"-----BEGIN CERTIFICATE-----(.*?)-----END", handle.read(), re.S)[0])
    entry = struct.pack(">I", len(der))[1:] + der + b"\x00\x00"
    certificate = message(11, b"\x00" + struct.pack(">I", len(entry))[1:] + entry)
    verify = message(15, b"\x08\x04" + struct.pack(">H", 128) + bytes(128))
    finished = message(20, bytes(32))
    flight = encrypted_extensions + certificate + verify + finished
    seeds = {
        "flight-one-record": record(0, flight),
        "flight-per-message": b"".join(record(0, m) for m in (encrypted_extensions, certificate, verify, finished)),
        "flight-split-and-client": record(4, flight) + record(1, finished),
        "flight-alert": record(0, encrypted_extensions) + record(8, b"\x02\x28"),
        "flight-unsealed": record(2, flight),
    }
    for index, suite in enumerate((0, 1, 2)):
        for name, data in seeds.items():
            write(os.path.join(out, "FuzzDecryptedHandshake"), f"{name}-{index}", bytes([suite]) + data)

    for path in sorted(glob.glob(os.path.join(ROOT, "themes/*.theme"))):
        with open(path, "rb") as handle:
            write(os.path.join(out, "FuzzConfig"), "theme-" + os.path.basename(path), b"\x00" + handle.read())
    with open(os.path.join(ROOT, "docs/policy.md"), "rb") as handle:
        for index, block in enumerate(re.findall(rb"```toml\n(.*?)```", handle.read(), re.S)):
            write(os.path.join(out, "FuzzConfig"), f"policy-{index}", b"\x01" + block)
    # Process attribution's inputs, in the kernel's format (Linux 6.x, x86-64).
    table = (b"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
             b"   0: 0100007F:AFC2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1137000 1\n"
             b"   1: 0000000000000000FFFF00000100007F:AFC4 0000000000000000FFFF00000100007F:D384 01 "
             b"00000000:00000000 00:00000000 00000000    33        0 1137560 1\n")
    write(os.path.join(out, "FuzzConfig"), "proc-net-tcp", b"\x02" + table)
    write(os.path.join(out, "FuzzConfig"), "cgroup-v2", b"\x03" + b"0::/system.slice/nginx.service\n")
    write(os.path.join(out, "FuzzConfig"), "cgroup-v1", b"\x03" + b"12:pids:/\n1:name=systemd:/system.slice/docker-"
          + b"ab" * 32 + b".scope\n")


if __name__ == "__main__":
    main()
