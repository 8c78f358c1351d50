#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from the repository's test fixtures.

Usage: make-seeds.py OUTPUT_FOLDER

Each target gets a folder of seeds in its own input format (see the target's source):
  FuzzPipeline     link-type byte, then [time step][u16 length][frame] per captured frame
  FuzzHandshake    u16 server port, then [direction][u16 length][TCP payload] in stream order
  FuzzQUIC         [direction][u16 length][UDP payload] raw, plus constructed CRYPTO-frame Initials
  FuzzCertificate  DER certificates
  FuzzCaptureFile  chunk-size byte + a whole .pcap or .pcapng file (255: read whole, 0: byte by byte)
  FuzzKeyLog       two read-size bytes, then a key log file (the fixtures' and OpenSSL-style ones)
  FuzzDecryptedHandshake  suite byte, then [control][u16 length][TLSInnerPlaintext body] sealed by the target
  FuzzConfig       0 + theme file, 1 + policy file, 2 + /proc/net/tcp-style table, 3 + /proc/PID/cgroup
"""
import base64
import glob
import hashlib
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


def pem_certificate(path):
    """The first certificate of a PEM file, as DER."""
    with open(path, "rb") as handle:
        return base64.b64decode(re.findall(rb"-----BEGIN CERTIFICATE-----(.*?)-----END", handle.read(), re.S)[0])


def key_log_seeds(folder):
    """Key log files as OpenSSL's s_client -keylogfile (and curl, through SSLKEYLOGFILE) write them,
    each behind the two read-size bytes of FuzzKeyLog (0: the rest in one read)."""
    counter = [0]

    def secret(length):  # stable stand-ins for secrets: the seeds must not change between runs
        counter[0] += 1
        return hashlib.sha512(b"tlstop fuzz seed %d" % counter[0]).hexdigest()[:2 * length].encode()

    def tls13(hash_length, newline=b"\n"):
        random = secret(32)
        lines = [b"SERVER_HANDSHAKE_TRAFFIC_SECRET", b"EXPORTER_SECRET", b"SERVER_TRAFFIC_SECRET_0",
                 b"CLIENT_HANDSHAKE_TRAFFIC_SECRET", b"CLIENT_TRAFFIC_SECRET_0"]
        return b"".join(label + b" " + random + b" " + secret(hash_length) + newline for label in lines)

    header = b"# SSL/TLS secrets log file, generated by OpenSSL\n"
    files = {
        "openssl-sha256": header + tls13(32) + tls13(32) + tls13(32),
        "openssl-sha384-crlf": (header + tls13(48) + b"# a comment between connections\n" + tls13(48)).replace(
            b"\n", b"\r\n"),
        "tls12-and-tls13": (header + b"CLIENT_RANDOM " + secret(32) + b" " + secret(48) + b"\n" + tls13(32)
                            + b"\n\nCLIENT_EARLY_TRAFFIC_SECRET " + secret(32) + b" " + secret(32) + b"\n"
                            + b"EARLY_EXPORTER_SECRET " + secret(32) + b" " + secret(32) + b"\n" + tls13(48)
                            + b"RSA " + secret(8) + b" " + secret(48) + b"\n" + tls13(32).rstrip(b"\n")),
        "hand-edited": (b"  # indented comment\nSERVER_HANDSHAKE_TRAFFIC_SECRET\t" + secret(32) + b"  "
                        + secret(32).upper() + b" \r\nCLIENT_HANDSHAKE_TRAFFIC_SECRET " + secret(32) + b" "
                        + secret(40) + b"\nNOT_A_LABEL x y\n" + b"A" * 1500 + b"\n" + tls13(32)),
        "capacity": header + b"".join(tls13(32) for _ in range(16)),
        "evicting": header + b"".join(tls13(32 if index % 3 else 48) for index in range(20)),
    }
    for path in sorted(glob.glob(os.path.join(ROOT, "Tests/Fixtures/keylogs/*.keys"))):
        with open(path, "rb") as handle:
            files["fixture-" + os.path.splitext(os.path.basename(path))[0]] = handle.read()
    for name, data in files.items():
        write(folder, name, b"\x00\x00" + data)
        if b"\r\n" not in data:  # reads of 7 and 13 bytes cut lines, CRs and newlines everywhere
            write(folder, name + "-crlf-chunked", b"\x07\x0d" + data.replace(b"\n", b"\r\n"))
    write(folder, "openssl-sha256-bytewise", b"\x01\x01" + files["openssl-sha256"])
    write(folder, "evicting-chunked", b"\xc8\x03" + files["evicting"])


def decrypted_handshake_seeds(folder):
    """A TLS 1.3 encrypted flight in clear (RFC 8446 §4.3–4.4), each record's control byte as
    FuzzDecryptedHandshake reads it (bit 0 client, 1 unsealed, 2 cut, 3–5 content type, 6–7 padding),
    behind its first byte (the suite, bit 7: late secrets)."""
    def message(kind, body):
        return bytes([kind]) + struct.pack(">I", len(body))[1:] + body

    def u16(data):
        return struct.pack(">H", len(data)) + data

    def u24(data):
        return struct.pack(">I", len(data))[1:] + data

    def encrypted_extensions(*extensions):
        return message(8, u16(b"".join(struct.pack(">H", kind) + u16(body) for kind, body in extensions)))

    def certificate(*ders):
        return message(11, b"\x00" + u24(b"".join(u24(der) + b"\x00\x00" for der in ders)))

    alpn = (16, u16(b"\x02h2" + b"\x08http/1.1"))
    rsa = pem_certificate(os.path.join(ROOT, "Tests/Fixtures/certs-keylog/rsa1024.pem"))
    ca = pem_certificate(os.path.join(ROOT, "Tests/Fixtures/certs-keylog/ca.pem"))
    ecdsa = pem_certificate(os.path.join(ROOT, "Tests/Fixtures/certs-keylog/ecdsa-p256.pem"))
    client = pem_certificate(os.path.join(ROOT, "Tests/Fixtures/certs-keylog/client.pem"))
    signature_algorithms = (13, u16(b"\x04\x03\x08\x04\x08\x05\x08\x06\x04\x01"))
    certificate_request = message(13, b"\x00" + u16(struct.pack(">H", 13) + u16(signature_algorithms[1])))
    ecdsa_signature = b"\x30\x44\x02\x20" + bytes(range(1, 33)) + b"\x02\x20" + bytes(range(33, 65))

    for index, hash_length in enumerate((48, 32, 32)):  # the captured suite, AES-128-GCM, ChaCha20
        finished = message(20, bytes(range(hash_length)))
        server = [
            encrypted_extensions(alpn),
            certificate(rsa, ca),
            message(15, b"\x08\x04" + u16(bytes(128))),
            finished,
        ]
        flight = b"".join(server)
        seeds = {
            "flight-one-record": record(0x00, flight),
            "flight-per-message": b"".join(record(0x00, m) for m in server),
            "flight-padded": b"".join(record((i % 4) << 6, m) for i, m in enumerate(server)),
            "flight-cut-and-client-finished": record(0x04, flight) + record(0x01, finished),
            "flight-then-alert": record(0x00, flight[:len(server[0])]) + record(0x10, b"\x02\x28"),
            "flight-unsealed": record(0x02, flight),
            "client-early-data-then-flight": record(0x03, b"GET / HTTP/1.1\r\n" + bytes(16)) + record(0x00, flight),
            "ecdsa-flight": record(0x00, encrypted_extensions((0, b""), alpn) + certificate(ecdsa)
                                   + message(15, b"\x04\x03" + u16(ecdsa_signature)) + finished),
            "client-certificate": record(0x00, server[0] + certificate_request + b"".join(server[1:]))
            + record(0x01, certificate(client) + message(15, b"\x08\x04" + u16(bytes(256))) + finished),
            "ech-rejected": record(0x00, encrypted_extensions((0xFE0D, u16(b"\xfe\x0d" + u16(bytes(40))))) + finished),
        }
        for name, data in seeds.items():
            write(folder, f"{name}-{index}", bytes([index]) + data)
        write(folder, f"late-secrets-{index}", bytes([0x80 | index]) + seeds["flight-per-message"])


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

    key_log_seeds(os.path.join(out, "FuzzKeyLog"))
    decrypted_handshake_seeds(os.path.join(out, "FuzzDecryptedHandshake"))

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
