#!/usr/bin/env python3
"""Derive "real-world variant" fixtures that no program on the test machine
produces, from the committed captures in pcaps/ and from the byte layouts in
the specifications.

Every output is rebuilt from scratch on each run and is byte-for-byte the same
on every run (no clocks, no randomness: "random" bytes come from SHA-256 of a
fixed label).  Python 3 standard library only.

  rw-stun-dtls.pcap             dtls12-openssl.pcap + a STUN Binding
                                request/success before the DTLS ClientHello and
                                RTP/SRTP/SRTCP after the handshake, all on the
                                same UDP 5-tuple (WebRTC, RFC 7983 demux)
  rw-gquic-q043.pcap            Google QUIC Q043 CHLO (gQUIC public header,
                                FNV-1a-128 null-encryption hash, STREAM frame
                                on stream 1) + the server's null-encrypted REJ
  rw-gquic-q046.pcap            the same in Q046's IETF-style long header
  rw-gquic-q050.pcap            Q050: CHLO in a CRYPTO frame inside an Initial
                                protected with keys from the Q050 salt
                                (pure-Python AES-128-GCM), + server Initial REJ
  rw-tls13-draft18.pcap         tls13-x25519.pcap rewritten into TLS 1.3
                                draft 18 (0x7f12; draft-18 ServerHello layout)
  rw-tls13-draft23.pcap         tls13-x25519.pcap with 0x7f17 (draft 23) in
                                supported_versions (final layout)
  rw-merged-linktypes.pcapng    time-ordered merge of an Ethernet, a LINUX_SLL2
                                and a RAW (ns-resolution) capture: 3 IDBs
  rw-bigendian.pcapng           big-endian pcapng with SHB/IDB options, NRB,
                                DSB, Custom Block, EPB+flags, SPB, obsolete PB,
                                ISB
  rw-two-sections.pcapng        two sections (LE Ethernet, then BE LINUX_SLL2)
  rw-tls13-x25519.pcap.gz       gzip of tls13-x25519.pcap
  rw-tls12-ecdhe-rsa.pcapng.gz  gzip of tls12-ecdhe-rsa.pcapng
  rw-gzip-noext.cap             gzip of many-conns.pcap, name without .gz
  ../fixtures-derived-realworld.json   the manifest

After writing, the script checks every file with tshark (and mergecap and
capinfos where useful) and fails if a check fails.  Without tshark the checks
are skipped with a warning.

usage: derive-realworld.py [--outdir DIR] [--no-check]
"""

import argparse
import gzip
import hashlib
import hmac
import importlib.util
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
PCAPS = os.path.join(HERE, "pcaps")
MANIFEST = os.path.join(HERE, "fixtures-derived-realworld.json")

# Reuse the classic-pcap reader and the link-layer re-wrapping of
# derive-linktypes.py (its file name has a dash, so load it by path).
_spec = importlib.util.spec_from_file_location(
    "derive_linktypes", os.path.join(HERE, "derive-linktypes.py"))
dl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dl)
read_pcap = dl.read_pcap

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL2 = 276
LINKTYPE_NAMES = {1: "ETHERNET", 101: "RAW", 276: "LINUX_SLL2"}


class DeriveError(Exception):
    pass


def fail(msg):
    raise DeriveError(msg)


def prng(label, n):
    """n deterministic pseudo-random bytes for LABEL."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"tlstop-rw:{label}:{i}".encode()).digest()
        i += 1
    return out[:n]


def src(name):
    return os.path.join(PCAPS, name)


def load_manifest_entry(manifest, key):
    with open(os.path.join(HERE, manifest)) as f:
        return json.load(f)[key]


# ---------------------------------------------------------------------------
# IPv4 / TCP / UDP
# ---------------------------------------------------------------------------

def inet_sum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def inet_checksum(data):
    return (~inet_sum(data)) & 0xFFFF


class IPv4Packet:
    """An Ethernet + IPv4 + TCP/UDP frame split into editable parts."""

    def __init__(self, frame):
        dst, srcmac, etype, ip = dl.split_ethernet(frame)
        if etype != dl.ETHERTYPE_IPV4 or len(frame) - len(ip) != 14:
            fail("expected untagged Ethernet + IPv4")
        self.eth = frame[:14]
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        self.ip = bytearray(ip[:ihl])
        self.proto = ip[9]
        l4 = ip[ihl:total]
        if self.proto == 6:
            off = (l4[12] >> 4) * 4
            self.l4 = bytearray(l4[:off])
            self.payload = bytes(l4[off:])
        elif self.proto == 17:
            self.l4 = bytearray(l4[:8])
            self.payload = bytes(l4[8:])
        else:
            fail(f"IP protocol {self.proto} not handled")

    @property
    def sport(self):
        return struct.unpack(">H", self.l4[0:2])[0]

    @property
    def dport(self):
        return struct.unpack(">H", self.l4[2:4])[0]

    def get32(self, off):
        return struct.unpack(">I", self.l4[off:off + 4])[0]

    def set32(self, off, v):
        self.l4[off:off + 4] = struct.pack(">I", v & 0xFFFFFFFF)

    def build(self):
        """Frame bytes with IP total length, UDP length and the IPv4, TCP and
        UDP checksums all recomputed (real values, not offload leftovers)."""
        ip = bytearray(self.ip)
        l4 = bytearray(self.l4)
        seg_len = len(l4) + len(self.payload)
        struct.pack_into(">H", ip, 2, len(ip) + seg_len)
        struct.pack_into(">H", ip, 10, 0)
        struct.pack_into(">H", ip, 10, inet_checksum(bytes(ip)))
        pseudo = bytes(ip[12:20]) + struct.pack(">BBH", 0, self.proto, seg_len)
        if self.proto == 6:
            struct.pack_into(">H", l4, 16, 0)
            c = inet_checksum(pseudo + bytes(l4) + self.payload)
            struct.pack_into(">H", l4, 16, c)
        else:
            struct.pack_into(">H", l4, 4, seg_len)
            struct.pack_into(">H", l4, 6, 0)
            c = inet_checksum(pseudo + bytes(l4) + self.payload)
            struct.pack_into(">H", l4, 6, c or 0xFFFF)
        return self.eth + bytes(ip) + bytes(l4) + self.payload


def udp_frame(ip_id, sip, dip, sport, dport, payload, ttl=64):
    """Ethernet (loopback: zero MACs) + IPv4 (DF) + UDP, checksums computed."""
    p = IPv4Packet.__new__(IPv4Packet)
    p.eth = b"\x00" * 12 + b"\x08\x00"
    p.ip = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, 0, ip_id & 0xFFFF, 0x4000,
                                 ttl, 17, 0, bytes(sip), bytes(dip)))
    p.proto = 17
    p.l4 = bytearray(struct.pack(">HHHH", sport, dport, 0, 0))
    p.payload = payload
    return p.build()


# ---------------------------------------------------------------------------
# classic pcap writing
# ---------------------------------------------------------------------------

def pcap_bytes(linktype, packets, snaplen=262144):
    """Little-endian microsecond classic pcap. packets: (sec, usec, frame)."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)]
    for sec, usec, frame in packets:
        out.append(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
        out.append(frame)
    return b"".join(out)


def cap_packets(cap):
    if cap["nanos"]:
        fail("nanosecond classic pcap input not expected")
    return [(s, u, f) for s, u, _orig, f in cap["packets"]]


def ts_add(sec, usec, delta_us):
    t = sec * 1000000 + usec + delta_us
    return t // 1000000, t % 1000000


# ---------------------------------------------------------------------------
# pcapng writing (either byte order)
# ---------------------------------------------------------------------------

class PcapngWriter:
    def __init__(self, endian):
        self.e = endian

    def opt(self, code, value):
        return struct.pack(self.e + "HH", code, len(value)) + dl._pad4(value)

    def opts(self, items):
        if not items:
            return b""
        return b"".join(self.opt(c, v) for c, v in items) + b"\x00\x00\x00\x00"

    def block(self, btype, body):
        body = dl._pad4(body)
        total = 12 + len(body)
        return struct.pack(self.e + "II", btype, total) + body + struct.pack(self.e + "I", total)

    def shb(self, options, section_length=-1):
        return self.block(0x0A0D0D0A, struct.pack(self.e + "IHHq", 0x1A2B3C4D, 1, 0, section_length)
                          + self.opts(options))

    def idb(self, linktype, snaplen, options):
        return self.block(0x00000001, struct.pack(self.e + "HHI", linktype, 0, snaplen)
                          + self.opts(options))

    def epb(self, iface, ts, data, orig=None, options=()):
        orig = len(data) if orig is None else orig
        return self.block(0x00000006, struct.pack(self.e + "IIIII", iface, ts >> 32, ts & 0xFFFFFFFF,
                                                  len(data), orig) + dl._pad4(data)
                          + self.opts(list(options)))

    def spb(self, data):
        return self.block(0x00000003, struct.pack(self.e + "I", len(data)) + dl._pad4(data))

    def obsolete_pb(self, iface, ts, data, options=()):
        return self.block(0x00000002, struct.pack(self.e + "HHIIII", iface, 0, ts >> 32,
                                                  ts & 0xFFFFFFFF, len(data), len(data))
                          + dl._pad4(data) + self.opts(list(options)))

    def nrb(self, records, options=()):
        body = b""
        for addr, names in records:
            val = bytes(addr) + b"".join(n.encode() + b"\x00" for n in names)
            body += struct.pack(self.e + "HH", 1, len(val)) + dl._pad4(val)  # nrb_record_ipv4
        body += struct.pack(self.e + "HH", 0, 0)  # nrb_record_end
        return self.block(0x00000004, body + self.opts(list(options)))

    def isb(self, iface, ts, options):
        return self.block(0x00000005, struct.pack(self.e + "III", iface, ts >> 32, ts & 0xFFFFFFFF)
                          + self.opts(options))

    def dsb(self, secrets_type, data):
        return self.block(0x0000000A, struct.pack(self.e + "II", secrets_type, len(data))
                          + dl._pad4(data))

    def custom(self, pen, data, btype=0x00000BAD):
        return self.block(btype, struct.pack(self.e + "I", pen) + data)

    def u32(self, v):
        return struct.pack(self.e + "I", v)

    def u64(self, v):
        return struct.pack(self.e + "Q", v)

    def ts64(self, v):
        # isb_starttime/isb_endtime: high 32 bits then low 32 bits
        return struct.pack(self.e + "II", v >> 32, v & 0xFFFFFFFF)


# ---------------------------------------------------------------------------
# 1. STUN + DTLS + RTP/SRTP (WebRTC on one 5-tuple)
# ---------------------------------------------------------------------------

STUN_MAGIC = 0x2112A442
ICE_PWD_SERVER = b"tlstopIceServerPassword1"   # ICE pwd: >= 22 chars
ICE_UFRAG_SERVER = "tsrv"
ICE_UFRAG_CLIENT = "tcli"


def stun_attr(atype, value):
    return struct.pack(">HH", atype, len(value)) + dl._pad4(value)


def stun_message(mtype, txid, attrs, key):
    """RFC 8489 message: ATTRS, then MESSAGE-INTEGRITY (HMAC-SHA1 with KEY over
    the message with the length covering MI) and FINGERPRINT (CRC-32 of the
    message up to it, length covering FINGERPRINT, xor 0x5354554e)."""
    body = b"".join(stun_attr(t, v) for t, v in attrs)
    hdr = struct.pack(">HHI", mtype, len(body) + 24, STUN_MAGIC) + txid
    mi = hmac.new(key, hdr + body, hashlib.sha1).digest()
    body += stun_attr(0x0008, mi)
    hdr = struct.pack(">HHI", mtype, len(body) + 8, STUN_MAGIC) + txid
    crc = (zlib.crc32(hdr + body) & 0xFFFFFFFF) ^ 0x5354554E
    body += stun_attr(0x8028, struct.pack(">I", crc))
    return struct.pack(">HHI", mtype, len(body), STUN_MAGIC) + txid + body


def rtp_packet(seq, ts, ssrc, marker, label, payload_len):
    # RTP v2, no padding/extension/CSRC, PT 111 (Opus in WebRTC SDPs); the
    # payload is SRTP ciphertext (looks random) + 10-byte HMAC-SHA1-80 tag.
    hdr = struct.pack(">BBHII", 0x80, (0x80 if marker else 0) | 111, seq, ts, ssrc)
    return hdr + prng(label, payload_len) + prng(label + ":tag", 10)


def srtcp_sr(ssrc, index, label):
    # RTCP Sender Report (PT 200, RC 0, length 6 words) whose body after the
    # SSRC is SRTCP ciphertext, then E-flag|SRTCP index and a 10-byte tag.
    body = prng(label, 20)
    return (struct.pack(">BBHI", 0x80, 200, 6, ssrc) + body
            + struct.pack(">I", 0x80000000 | index) + prng(label + ":tag", 10))


def build_stun_dtls():
    cap = read_pcap(src("dtls12-openssl.pcap"))
    pkts = cap_packets(cap)
    parsed = [IPv4Packet(f) for _s, _u, f in pkts]
    first = parsed[0]
    client_port, server_port = first.sport, first.dport
    cip, sip = bytes(first.ip[12:16]), bytes(first.ip[16:20])
    if first.payload[0] != 22:
        fail("dtls12-openssl.pcap: first packet is not a DTLS handshake record")

    # STUN Binding request (client -> server, ICE controlling) and success
    # response, 2 ms and 1.7 ms before the ClientHello.
    txid = prng("stun-txid", 12)
    req = stun_message(0x0001, txid, [
        (0x0006, f"{ICE_UFRAG_SERVER}:{ICE_UFRAG_CLIENT}".encode()),   # USERNAME
        (0x0024, struct.pack(">I", 1845501695)),                          # PRIORITY
        (0x802A, prng("ice-tiebreaker", 8)),                              # ICE-CONTROLLING
    ], ICE_PWD_SERVER)
    xport = client_port ^ (STUN_MAGIC >> 16)
    xaddr = struct.unpack(">I", cip)[0] ^ STUN_MAGIC
    resp = stun_message(0x0101, txid, [
        (0x0020, struct.pack(">BBHI", 0, 1, xport, xaddr)),                # XOR-MAPPED-ADDRESS
    ], ICE_PWD_SERVER)

    out = []   # (sec, usec, direction 'c'|'s', payload or None, parsed packet)
    s0, u0, _ = pkts[0]
    out.append(ts_add(s0, u0, -2000) + ("c", req))
    out.append(ts_add(s0, u0, -1700) + ("s", resp))
    # DTLS packets up to and including the server's CCS + Finished (last
    # handshake flight); the closing alerts follow after the media.
    last_hs = max(i for i, p in enumerate(parsed) if p.payload[0] in (20, 22))
    for i, (s, u, _f) in enumerate(pkts[:last_hs + 1]):
        out.append((s, u, "c" if parsed[i].sport == client_port else "s", parsed[i].payload))
    sl, ul, _ = pkts[last_hs]
    ssrc_c, ssrc_s = 0x1A2B3C4D, 0x5E6F7081
    n_rtp = 4
    for k in range(n_rtp):
        t = 20000 * (k + 1)
        out.append(ts_add(sl, ul, t) + ("c", rtp_packet(0x3039 + k, 960 * k + 0x10000, ssrc_c,
                                                         k == 0, f"rtp-c-{k}", 67 + 3 * k)))
        out.append(ts_add(sl, ul, t + 350) + ("s", rtp_packet(0x7A00 + k, 960 * k + 0x20000, ssrc_s,
                                                               k == 0, f"rtp-s-{k}", 71 + 2 * k)))
    t_media_end = 20000 * n_rtp + 5000
    out.append(ts_add(sl, ul, t_media_end) + ("c", srtcp_sr(ssrc_c, 1, "srtcp-c")))
    out.append(ts_add(sl, ul, t_media_end + 400) + ("s", srtcp_sr(ssrc_s, 1, "srtcp-s")))
    # the closing alerts, moved after the media (same spacing as before)
    shift = t_media_end + 20000
    for i, (s, u, _f) in enumerate(pkts[last_hs + 1:], start=last_hs + 1):
        out.append(ts_add(s, u, shift) + ("c" if parsed[i].sport == client_port else "s",
                                          parsed[i].payload))

    # IP IDs: per-direction counters, as Linux does for a connected UDP socket
    ids = {"c": None, "s": None}
    first_c = next(p for p in parsed if p.sport == client_port)
    first_s = next(p for p in parsed if p.sport == server_port)
    ids["c"] = struct.unpack(">H", first_c.ip[4:6])[0] - 1
    ids["s"] = struct.unpack(">H", first_s.ip[4:6])[0] - 1
    frames = []
    for sec, usec, d, payload in out:
        if d == "c":
            f = udp_frame(ids["c"], cip, sip, client_port, server_port, payload)
        else:
            f = udp_frame(ids["s"], sip, cip, server_port, client_port, payload)
        ids[d] += 1
        frames.append((sec, usec, f))
    kinds = []
    for _s, _u, d, p in out:
        b = p[0]
        kinds.append("stun" if b <= 3 else "dtls" if 20 <= b <= 63 else
                     ("rtcp" if p[1] in (200, 201) else "rtp") if 128 <= b <= 191 else "?")
    info = {"client_port": client_port, "server_port": server_port, "kinds": kinds,
            "stun_txid": txid.hex(), "rtp_frames": [i + 1 for i, k in enumerate(kinds) if k == "rtp"],
            "rtcp_frames": [i + 1 for i, k in enumerate(kinds) if k == "rtcp"]}
    return pcap_bytes(LINKTYPE_ETHERNET, frames), info


# ---------------------------------------------------------------------------
# 2. Google QUIC (Q043, Q046) CHLO
# ---------------------------------------------------------------------------

FNV128_OFFSET = 0x6C62272E07BB014262B821756295C58D
FNV128_PRIME = 0x0000000001000000000000000000013B


def fnv1a_128(*parts):
    h = FNV128_OFFSET
    for part in parts:
        for b in part:
            h ^= b
            h = (h * FNV128_PRIME) & ((1 << 128) - 1)
    return h


def gquic_null_hash(header, plaintext, perspective):
    """Chromium NullEncrypter (versions > Q035): FNV1a_128(associated data,
    plaintext, "Client"|"Server"), serialized by SerializeUint128Short: the
    low 64 bits little-endian, then the low 32 bits of the high half."""
    h = fnv1a_128(header, plaintext, perspective)
    return struct.pack("<QI", h & 0xFFFFFFFFFFFFFFFF, (h >> 64) & 0xFFFFFFFF)


GQUIC_SNI = "www.example.org"
GQUIC_UAID = "Chrome/120.0.0.0 Linux x86_64"
GQUIC_CHLO_MIN = 1024      # kClientHelloMinimumSize
GQUIC_PACKET_SIZE = 1350   # kDefaultMaxPacketSize (UDP payload)
CCS_COMMON_SET = bytes.fromhex("01e8816092921ae87eed8086a2158291")


def chlo_message(version, pad_to):
    def u32(v):
        return struct.pack("<I", v)
    tags = {
        b"SNI\x00": GQUIC_SNI.encode(),
        b"VER\x00": version.encode(),
        b"CCS\x00": CCS_COMMON_SET,
        b"UAID": GQUIC_UAID.encode(),
        b"TCID": u32(0),
        b"PDMD": b"X509",
        b"SMHL": u32(1),
        b"ICSL": u32(30),
        b"NONP": prng(f"gquic-{version}-nonp", 32),
        b"MIDS": u32(100),
        b"SCLS": u32(1),
        b"CSCT": b"",
        b"COPT": b"NSTP",
        b"CFCW": u32(15728640),
        b"SFCW": u32(6291456),
    }

    base = len(handshake_message(b"CHLO", {**tags, b"PAD\x00": b""}))
    tags[b"PAD\x00"] = b"-" * max(0, pad_to - base)
    msg = handshake_message(b"CHLO", tags)
    if len(msg) != max(pad_to, base):
        fail("CHLO size mismatch")
    return msg


def handshake_message(mtag, tagmap):
    """gQUIC crypto handshake message: message tag, uint16 LE tag count, 2
    bytes padding, (tag, uint32 LE end offset) pairs in ascending tag order
    (tags compared as little-endian uint32), then the values."""
    order = sorted(tagmap, key=lambda t: struct.unpack("<I", t)[0])
    head = mtag + struct.pack("<HH", len(order), 0)
    end, index, values = 0, b"", b""
    for t in order:
        end += len(tagmap[t])
        index += t + struct.pack("<I", end)
        values += tagmap[t]
    return head + index + values


def rej_message(version):
    # A short REJ: source-address token, server nonce, server config TTL.
    # (A real REJ also carries SCFG, CRT, PROF; they are not needed here.)
    return handshake_message(b"REJ\x00", {
        b"STK\x00": prng(f"gquic-{version}-stk", 56),
        b"SNO\x00": prng(f"gquic-{version}-sno", 52),
        b"STTL": struct.pack("<Q", 172800),
    })


def gquic_frames(message, header_len, packet_size):
    # STREAM frame: 1 F D OOO SS = 1 0 1 000 00 -> 0xA0: stream id 1 byte,
    # no offset, 2-byte data length (big-endian since Q039); then, for the
    # client, a PADDING frame (type 0x00) fills the packet to 1350 bytes.
    stream = bytes([0xA0, 1]) + struct.pack(">H", len(message)) + message
    if packet_size is None:
        return stream
    room = packet_size - header_len - 12 - len(stream)
    if room < 1:
        fail("gQUIC CHLO does not fit the packet")
    return stream + b"\x00" * room


# --- AES-128 / AES-128-GCM / HKDF for Q050's Initial protection (stdlib only) ---

def _xtime(a):
    return ((a << 1) ^ 0x1B) & 0xFF if a & 0x80 else a << 1


def _make_sbox():
    sbox = [0] * 256
    p = q = 1
    while True:
        p = p ^ ((p << 1) & 0xFF) ^ (0x1B if p & 0x80 else 0)      # p *= 3
        q ^= q << 1
        q ^= q << 2
        q ^= q << 4
        q &= 0xFF
        if q & 0x80:
            q ^= 0x09                                                # q /= 3
        x = q ^ (q << 1 | q >> 7) ^ (q << 2 | q >> 6) ^ (q << 3 | q >> 5) ^ (q << 4 | q >> 4)
        sbox[p] = (x ^ 0x63) & 0xFF
        if p == 1:
            break
    sbox[0] = 0x63
    return sbox


AES_SBOX = _make_sbox()


def aes128_expand(key):
    w = [list(key[i:i + 4]) for i in range(0, 16, 4)]
    rcon = 1
    for i in range(4, 44):
        t = list(w[i - 1])
        if i % 4 == 0:
            t = [AES_SBOX[b] for b in t[1:] + t[:1]]
            t[0] ^= rcon
            rcon = _xtime(rcon)
        w.append([a ^ b for a, b in zip(w[i - 4], t)])
    return [sum(w[4 * r:4 * r + 4], []) for r in range(11)]


def aes128_encrypt_block(rk, block):
    s = [b ^ k for b, k in zip(block, rk[0])]
    for r in range(1, 11):
        s = [AES_SBOX[b] for b in s]
        s = [s[(i + 4 * (i % 4)) % 16] for i in range(16)]          # ShiftRows (column-major)
        if r != 10:
            m = []
            for c in range(4):
                a = s[4 * c:4 * c + 4]
                t = a[0] ^ a[1] ^ a[2] ^ a[3]
                m += [a[i] ^ t ^ _xtime(a[i] ^ a[(i + 1) % 4]) for i in range(4)]
            s = m
        s = [b ^ k for b, k in zip(s, rk[r])]
    return bytes(s)


def _gf128_mul(x, y):
    r, R = 0, 0xE1 << 120
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            r ^= y
        y = (y >> 1) ^ R if y & 1 else y >> 1
    return r


def aes128_gcm_encrypt(key, iv, plaintext, aad):
    rk = aes128_expand(key)
    h = int.from_bytes(aes128_encrypt_block(rk, b"\x00" * 16), "big")
    j0 = iv + b"\x00\x00\x00\x01"
    out = bytearray()
    for i in range(0, len(plaintext), 16):
        ctr = iv + struct.pack(">I", 2 + i // 16)
        ks = aes128_encrypt_block(rk, ctr)
        out += bytes(a ^ b for a, b in zip(plaintext[i:i + 16], ks))

    def blocks(b):
        b = b + b"\x00" * (-len(b) % 16)
        return [int.from_bytes(b[i:i + 16], "big") for i in range(0, len(b), 16)]
    g = 0
    for blk in blocks(aad) + blocks(bytes(out)) + [(len(aad) * 8 << 64) | (len(out) * 8)]:
        g = _gf128_mul(g ^ blk, h)
    tag = bytes(a ^ b for a, b in zip(aes128_encrypt_block(rk, j0), g.to_bytes(16, "big")))
    return bytes(out) + tag


def hkdf_extract(salt, ikm):
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def hkdf_expand_label(secret, label, length):
    full = b"tls13 " + label.encode()
    info = struct.pack(">H", length) + bytes([len(full)]) + full + b"\x00"
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(secret, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


QUIC_SALT_Q050 = bytes.fromhex("504574efd066fe2f9d945cfcdbd3a7f0d3b56b45")
QUIC_SALT_V1 = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")


def quic_initial_keys(salt, dcid, label="client in"):
    secret = hkdf_expand_label(hkdf_extract(salt, dcid), label, 32)
    return (hkdf_expand_label(secret, "quic key", 16), hkdf_expand_label(secret, "quic iv", 12),
            hkdf_expand_label(secret, "quic hp", 16))


def crypto_selftest():
    """RFC 9001 appendix A.1/A.2 (v1 client Initial keys, header-protection
    mask) and the GCM spec's test case 4, so a broken AES/GCM fails loudly."""
    key, iv, hp = quic_initial_keys(QUIC_SALT_V1, bytes.fromhex("8394c8f03e515708"))
    if (key.hex(), iv.hex(), hp.hex()) != ("1f369613dd76d5467730efcbe3b1a22d",
                                           "fa044b2f42a3fd3b46fb255c",
                                           "9f50449e04a0e810283a1e9933adedd2"):
        fail("QUIC initial key derivation self-test failed")
    mask = aes128_encrypt_block(aes128_expand(hp), bytes.fromhex("d1b1c98dd7689fb8ec11d242b123dc9b"))
    if mask[:5].hex() != "437b9aec36":
        fail("AES-128 self-test failed")
    ct = aes128_gcm_encrypt(
        bytes.fromhex("feffe9928665731c6d6a8f9467308308"), bytes.fromhex("cafebabefacedbaddecaf888"),
        bytes.fromhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"),
        bytes.fromhex("feedfacedeadbeeffeedfacedeadbeefabaddad2"))
    if ct[-16:].hex() != "5bc94fbc3221a5db94fae95ae7121a47":
        fail("AES-GCM self-test failed")


def quic_protect(header, pn_len, plain, key, iv, hp):
    """AEAD-seal PLAIN with HEADER (ending in the packet number) as AAD,
    then apply header protection (RFC 9001 section 5.4, AES-based)."""
    pn = int.from_bytes(header[-pn_len:], "big")
    nonce = bytes(a ^ b for a, b in zip(iv, pn.to_bytes(12, "big")))
    sealed = aes128_gcm_encrypt(key, nonce, plain, header)
    sample = sealed[4 - pn_len:4 - pn_len + 16]
    mask = aes128_encrypt_block(aes128_expand(hp), sample)
    h = bytearray(header)
    h[0] ^= mask[0] & (0x0F if h[0] & 0x80 else 0x1F)
    for i in range(pn_len):
        h[len(h) - pn_len + i] ^= mask[1 + i]
    return bytes(h) + sealed


def varint2(n):
    return struct.pack(">H", 0x4000 | n)


def build_gquic_q050():
    """Q050 client Initial: IETF-invariant long header with length-prefixed
    connection IDs, token and length fields; payload protected with
    AES-128-GCM keys derived as in IETF QUIC from the Q050 salt; header
    protection with AES-128-ECB. Frames are gQUIC frames: CRYPTO (0x08,
    varint offset and length) carrying the CHLO, then PADDING."""
    crypto_selftest()
    version = "Q050"
    dcid = prng("gquic-Q050-cid", 8)
    client_port, t0 = 60419, (1604232000, 246810)          # 2020-11-01
    pn, pn_len = 1, 4
    chlo = chlo_message(version, GQUIC_CHLO_MIN)
    frames = bytes([0x08]) + b"\x00" + varint2(len(chlo)) + chlo
    head_wo_len = bytes([0xC0 | (pn_len - 1)]) + b"Q050" + bytes([len(dcid)]) + dcid + b"\x00" + b"\x00"
    # UDP payload = header + 2-byte length + pn + frames + padding + 16-byte tag
    pad = GQUIC_PACKET_SIZE - (len(head_wo_len) + 2 + pn_len + len(frames) + 16)
    if pad < 1:
        fail("Q050 CHLO does not fit")
    plain = frames + b"\x00" * pad
    header = head_wo_len + varint2(pn_len + len(plain) + 16) + struct.pack(">I", pn)
    key, iv, hp = quic_initial_keys(QUIC_SALT_Q050, dcid)
    pkt = quic_protect(header, pn_len, plain, key, iv, hp)
    assert len(pkt) == GQUIC_PACKET_SIZE
    # server reply: an Initial (no DCID: the client sent an empty SCID; SCID
    # = the client's DCID) protected with the *server* initial keys, carrying
    # the REJ in a CRYPTO frame
    rej = rej_message(version)
    splain = bytes([0x08]) + b"\x00" + varint2(len(rej)) + rej
    shead = (bytes([0xC0 | (pn_len - 1)]) + b"Q050" + b"\x00" + bytes([len(dcid)]) + dcid + b"\x00"
             + varint2(pn_len + len(splain) + 16) + struct.pack(">I", 1))
    spayload = quic_protect(shead, pn_len, splain, *quic_initial_keys(QUIC_SALT_Q050, dcid, "server in"))
    lo = bytes([127, 0, 0, 1])
    frames_out = [
        t0 + (udp_frame(0x2E11, lo, lo, client_port, 443, pkt),),
        ts_add(*t0, 21300) + (udp_frame(0x0000, lo, lo, 443, client_port, spayload),),
    ]
    info = {"client_port": client_port, "cid": dcid.hex(), "client_key": key.hex(),
            "client_iv": iv.hex(), "client_hp": hp.hex()}
    return pcap_bytes(LINKTYPE_ETHERNET, frames_out), info


def build_gquic(version):
    cid = prng(f"gquic-{version}-cid", 8)
    if version == "Q043":
        client_port, t0 = 51763, (1546344000, 123456)       # 2019-01-01
        # public flags 0x09: VERSION | 8-byte CID, 1-byte packet number
        header = bytes([0x09]) + cid + b"Q043" + bytes([1])
        # server: no version, no CID (TCID 0), 1-byte packet number
        sheader = bytes([0x00]) + bytes([1])
    elif version == "Q046":
        client_port, t0 = 58214, (1583064000, 654321)       # 2020-03-01
        # long header, fixed bit, type Initial (0), 4-byte packet number;
        # DCIL/SCIL byte 0x50: DCID 5+3 = 8 bytes, no SCID
        header = bytes([0xC3]) + b"Q046" + bytes([0x50]) + cid + struct.pack(">I", 1)
        # server: short header, fixed bit, 4-byte packet number, no DCID (the
        # client sent no source connection ID)
        sheader = bytes([0x43]) + struct.pack(">I", 1)
    else:
        fail(f"unsupported gQUIC version {version}")
    plain = gquic_frames(chlo_message(version, GQUIC_CHLO_MIN), len(header), GQUIC_PACKET_SIZE)
    pkt = header + gquic_null_hash(header, plain, b"Client") + plain
    assert len(pkt) == GQUIC_PACKET_SIZE
    # the server's REJ is null-encrypted too (hash with "Server")
    splain = gquic_frames(rej_message(version), len(sheader), None)
    spayload = sheader + gquic_null_hash(sheader, splain, b"Server") + splain
    lo = bytes([127, 0, 0, 1])
    frames = [
        t0 + (udp_frame(0x4D21, lo, lo, client_port, 443, pkt),),
        ts_add(*t0, 18500) + (udp_frame(0x0000, lo, lo, 443, client_port, spayload),),
    ]
    info = {"client_port": client_port, "cid": cid.hex(), "hash": pkt[len(header):len(header) + 12].hex()}
    return pcap_bytes(LINKTYPE_ETHERNET, frames), info


# ---------------------------------------------------------------------------
# 3. TLS 1.3 drafts: rewrite handshake messages, then fix TCP seq/ack
# ---------------------------------------------------------------------------

def split_records(payload):
    recs, off = [], 0
    while off < len(payload):
        if off + 5 > len(payload):
            fail("TLS record header split across segments")
        n = struct.unpack(">H", payload[off + 3:off + 5])[0]
        if off + 5 + n > len(payload):
            fail("TLS record split across segments")
        recs.append(payload[off:off + 5 + n])
        off += 5 + n
    return recs


def parse_exts(data):
    exts, off = [], 0
    while off < len(data):
        t, n = struct.unpack(">HH", data[off:off + 4])
        exts.append((t, data[off + 4:off + 4 + n]))
        off += 4 + n
    return exts


def build_exts(exts):
    return b"".join(struct.pack(">HH", t, len(v)) + v for t, v in exts)


def handshake(mtype, body):
    return bytes([mtype]) + struct.pack(">I", len(body))[1:] + body


def record(ctype, version, body):
    return bytes([ctype]) + version + struct.pack(">H", len(body)) + body


def rewrite_client_hello(rec, draft):
    body = rec[5:]
    if body[0] != 1:
        fail("not a ClientHello")
    hs = body[4:4 + int.from_bytes(body[1:4], "big")]
    off = 2 + 32
    sid_len = hs[off]
    sid = hs[off + 1:off + 1 + sid_len]
    off += 1 + sid_len
    n = struct.unpack(">H", hs[off:off + 2])[0]
    suites = hs[off:off + 2 + n]
    off += 2 + n
    comp = hs[off:off + 1 + hs[off]]
    off += 1 + hs[off]
    exts = parse_exts(hs[off + 2:off + 2 + struct.unpack(">H", hs[off:off + 2])[0]])
    new = []
    for t, v in exts:
        if t == 43:  # supported_versions: 0x0304 -> the draft's code point
            lst = v[1:]
            vers = [lst[i:i + 2] for i in range(0, len(lst), 2)]
            if b"\x03\x04" not in vers:
                fail("ClientHello does not offer 0x0304")
            vers = [struct.pack(">H", 0x7F00 | draft) if x == b"\x03\x04" else x for x in vers]
            v = bytes([2 * len(vers)]) + b"".join(vers)
        if t == 51 and draft < 23:
            t = 40   # key_share had code point 40 until draft 22
        new.append((t, v))
    if draft < 22:
        sid = b""    # no middlebox-compatibility session ID before draft 22
    e = build_exts(new)
    hs2 = hs[:34] + bytes([len(sid)]) + sid + suites + comp + struct.pack(">H", len(e)) + e
    return record(22, rec[1:3], handshake(1, hs2))


def rewrite_server_hello(rec, draft):
    body = rec[5:]
    if body[0] != 2:
        fail("not a ServerHello")
    hs = body[4:4 + int.from_bytes(body[1:4], "big")]
    random = hs[2:34]
    off = 34
    sid_len = hs[off]
    sid = hs[off + 1:off + 1 + sid_len]
    off += 1 + sid_len
    suite = hs[off:off + 2]
    comp = hs[off + 2:off + 3]
    off += 3
    exts = parse_exts(hs[off + 2:off + 2 + struct.unpack(">H", hs[off:off + 2])[0]])
    if draft < 22:
        # draft-ietf-tls-tls13-18 section 4.1.3: version, random,
        # cipher_suite, extensions -- no session id, no compression, and the
        # version is in the version field (no supported_versions extension).
        new = [(40 if t == 51 else t, v) for t, v in exts if t != 43]
        e = build_exts(new)
        hs2 = struct.pack(">H", 0x7F00 | draft) + random + suite + struct.pack(">H", len(e)) + e
    else:
        new = [(t, struct.pack(">H", 0x7F00 | draft) if t == 43 else v) for t, v in exts]
        e = build_exts(new)
        hs2 = hs[:2] + random + bytes([sid_len]) + sid + suite + comp + struct.pack(">H", len(e)) + e
    return record(22, rec[1:3], handshake(2, hs2))


def build_tls13_draft(draft):
    cap = read_pcap(src("tls13-x25519.pcap"))
    pkts = cap_packets(cap)
    parsed = [IPv4Packet(f) for _s, _u, f in pkts]
    client_port = parsed[0].sport
    # per direction: list of (orig_seq_end, delta) for edited segments
    edits = {"c": [], "s": []}
    dirs = ["c" if p.sport == client_port else "s" for p in parsed]
    changed = {"client_hello": 0, "server_hello": 0, "ccs_removed": 0}
    for p, d in zip(parsed, dirs):
        if not p.payload or p.payload[0] not in (20, 21, 22, 23):
            continue
        recs = split_records(p.payload)
        out = []
        for r in recs:
            if r[0] == 22 and r[5] == 1:
                r = rewrite_client_hello(r, draft)
                changed["client_hello"] += 1
            elif r[0] == 22 and r[5] == 2:
                r = rewrite_server_hello(r, draft)
                changed["server_hello"] += 1
            elif r[0] == 20 and draft < 22:
                # no dummy ChangeCipherSpec before draft 22's compatibility mode
                changed["ccs_removed"] += 1
                continue
            out.append(r)
        newp = b"".join(out)
        if newp != p.payload:
            seq = p.get32(4)
            edits[d].append((seq + len(p.payload), len(newp) - len(p.payload), seq))
            p.payload = newp
    isn = {d: parsed[dirs.index(d)].get32(4) for d in ("c", "s")}

    def shift(d, seqno, inclusive):
        rel = (seqno - isn[d]) & 0xFFFFFFFF
        total = 0
        for end, delta, start in edits[d]:
            r_end = (end - isn[d]) & 0xFFFFFFFF
            r_start = (start - isn[d]) & 0xFFFFFFFF
            if rel >= r_end if inclusive else rel > r_start:
                total += delta
        return (seqno + total) & 0xFFFFFFFF

    frames = []
    for (s, u, _f), p, d in zip(pkts, parsed, dirs):
        other = "s" if d == "c" else "c"
        flags = p.l4[13]
        p.set32(4, shift(d, p.get32(4), inclusive=True))
        if flags & 0x10:  # ACK
            p.set32(8, shift(other, p.get32(8), inclusive=True))
        frames.append((s, u, p.build()))
    return pcap_bytes(LINKTYPE_ETHERNET, frames), {"client_port": client_port, "changed": changed,
                                                   "edits": {k: [e[1] for e in v] for k, v in edits.items()}}


# ---------------------------------------------------------------------------
# 4. pcapng variants
# ---------------------------------------------------------------------------

def require_sll2(cap):
    if cap["linktype"] != LINKTYPE_LINUX_SLL2:
        fail("expected LINUX_SLL2")


def build_merged():
    a = read_pcap(src("tls12-ecdhe-rsa.pcap"))     # Ethernet, usec
    b = read_pcap(src("tls13-any-sll2.pcap"))      # LINUX_SLL2, usec
    c = read_pcap(src("tls13-x25519.pcap"))        # Ethernet -> RAW, ns
    require_sll2(b)
    # interface order = input order (as `mergecap -w OUT A B C` numbers them)
    ifaces = [
        (LINKTYPE_ETHERNET, a["snaplen"], 6, a, lambda f: f, "tls12-ecdhe-rsa.pcap"),
        (LINKTYPE_LINUX_SLL2, b["snaplen"], 6, b, lambda f: f, "tls13-any-sll2.pcap"),
        (LINKTYPE_RAW, 262144, 9, c, lambda f: dl.rewrap("raw", f, "<"), "tls13-x25519.pcap"),
    ]
    if a["snaplen"] != 262144 or b["snaplen"] != 262144:
        fail("unexpected source snaplen")
    w = PcapngWriter("<")
    blocks = [w.shb([(4, b"derive-realworld.py (time-ordered merge, as mergecap -w)")])]
    # snap lengths: Ethernet 262144 (from its file), LINUX_SLL2 65535 (as
    # `tcpdump -s 65535` writes it; every packet is shorter), RAW 262144.
    snaps = [262144, 65535, 262144]
    for (lt, _snap, res, _cap, _fn, name), snap in zip(ifaces, snaps):
        opts = [(2, {1: b"lo", 276: b"any", 101: b"tun0"}[lt])]   # if_name
        if res != 6:
            opts.append((9, bytes([res])))                           # if_tsresol
        blocks.append(w.idb(lt, snap, opts))
    events = []
    for i, (lt, _snap, res, cap, fn, name) in enumerate(ifaces):
        for n, (sec, usec, orig, frame) in enumerate(cap["packets"]):
            data = fn(frame)
            events.append(((sec * 1000000 + usec) * 1000, i, n, data, orig + len(data) - len(frame)))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    order = []
    for ts_ns, i, n, data, orig in events:
        res = ifaces[i][2]
        ts = ts_ns // (10 ** (9 - res))
        blocks.append(w.epb(i, ts, data, orig))
        if not order or order[-1] != ifaces[i][5]:
            order.append(ifaces[i][5])
    return b"".join(blocks), {"order": order, "events": [(e[0], e[1]) for e in events],
                              "snaps": snaps}


def build_bigendian():
    cap = read_pcap(src("tls12-ecdhe-rsa.pcap"))
    pkts = cap["packets"]
    parsed = [IPv4Packet(f) for _s, _u, _o, f in pkts]
    client_port = parsed[0].sport
    w = PcapngWriter(">")
    blocks = [
        w.shb([(1, b"big-endian pcapng built by derive-realworld.py"),        # opt_comment
               (2, b"tlstop fixture generator"),                              # shb_hardware
               (3, b"Linux"),                                                 # shb_os
               (4, b"derive-realworld.py (tlstop test fixtures)")]),          # shb_userappl
        w.idb(LINKTYPE_ETHERNET, 262144, [(2, b"lo"),                        # if_name
                                          (3, b"loopback"),                  # if_description
                                          (9, bytes([6]))]),                 # if_tsresol
        w.nrb([(bytes([127, 0, 0, 1]), ["tlstop.test", "localhost"])],
              [(1, b"name resolution block")]),
        w.dsb(0x544C534B, b"# TLS key log: comments only, no secrets (derive-realworld.py)\n"),
    ]
    spb_frame, pb_frame, custom_after = 5, 7, 3   # 1-based frame numbers
    for n, ((sec, usec, orig, frame), p) in enumerate(zip(pkts, parsed), start=1):
        ts = sec * 1000000 + usec
        direction = 2 if p.sport == client_port else 1   # outbound from the client's side
        if n == spb_frame:
            blocks.append(w.spb(frame))
        elif n == pb_frame:
            blocks.append(w.obsolete_pb(0, ts, frame, [(2, w.u32(direction))]))  # pack_flags
        else:
            opts = [(2, w.u32(direction))]                                  # epb_flags
            if n == 4:
                opts.append((1, b"ClientHello"))                             # opt_comment
            blocks.append(w.epb(0, ts, frame, orig, opts))
        if n == custom_after:
            blocks.append(w.custom(32473, b"tlstop: readers must skip this Custom Block"))
    first = pkts[0][0] * 1000000 + pkts[0][1]
    last = pkts[-1][0] * 1000000 + pkts[-1][1]
    blocks.append(w.isb(0, last, [(2, w.ts64(first)),        # isb_starttime
                                  (3, w.ts64(last)),         # isb_endtime
                                  (4, w.u64(len(pkts))),     # isb_ifrecv
                                  (5, w.u64(0))]))           # isb_ifdrop
    return b"".join(blocks), {"spb_frame": spb_frame, "pb_frame": pb_frame,
                              "spb_prev_ts": pkts[spb_frame - 2][:2]}


def build_two_sections():
    a = read_pcap(src("tls10-ecdhe.pcap"))
    b = read_pcap(src("tls13-any-sll2.pcap"))
    require_sll2(b)
    le, be = PcapngWriter("<"), PcapngWriter(">")
    body1 = [le.idb(LINKTYPE_ETHERNET, a["snaplen"], [(2, b"lo")])]
    for sec, usec, orig, frame in a["packets"]:
        body1.append(le.epb(0, sec * 1000000 + usec, frame, orig))
    body1 = b"".join(body1)
    sec1 = le.shb([(4, b"derive-realworld.py section 1 (little-endian)")],
                  section_length=len(body1)) + body1
    body2 = [be.idb(LINKTYPE_LINUX_SLL2, b["snaplen"], [(2, b"any")])]
    for sec, usec, orig, frame in b["packets"]:
        body2.append(be.epb(0, sec * 1000000 + usec, frame, orig))
    sec2 = be.shb([(4, b"derive-realworld.py section 2 (big-endian)")]) + b"".join(body2)
    return sec1 + sec2, {"sections": [len(a["packets"]), len(b["packets"])]}


# ---------------------------------------------------------------------------
# outputs, manifest, checks
# ---------------------------------------------------------------------------


def source_conns(manifest, key, **extra):
    return [dict(c, **extra) for c in load_manifest_entry(manifest, key)["connections"]]


def conn_first(d, first_keys=("server_ip", "server_port", "client_ip", "client_port")):
    out = {k: d[k] for k in first_keys if k in d}
    out.update((k, v) for k, v in d.items() if k not in out)
    return out


def make_outputs():
    """Build every output in memory: {file: (bytes, manifest entry, check info)}."""
    outs = {}

    # 1. STUN + DTLS + RTP
    data, info = build_stun_dtls()
    conn = source_conns("fixtures-dtls.json", "dtls12-openssl.pcap",
                        server_ip="127.0.0.1", client_ip="127.0.0.1")[0]
    conn.setdefault("alpn", None)
    conn["webrtc"] = {
        "stun_frames": [i + 1 for i, k in enumerate(info["kinds"]) if k == "stun"],
        "stun_transaction_id": info["stun_txid"],
        "stun_username": f"{ICE_UFRAG_SERVER}:{ICE_UFRAG_CLIENT}",
        "dtls_frames": [i + 1 for i, k in enumerate(info["kinds"]) if k == "dtls"],
        "rtp_frames": info["rtp_frames"],
        "rtcp_frames": info["rtcp_frames"],
        "rtp_payload_type": 111,
        "rtp_ssrcs": ["0x1a2b3c4d", "0x5e6f7081"],
    }
    outs["rw-stun-dtls.pcap"] = (data, {
        "link_type": 1, "link_type_name": "ETHERNET", "format": "pcap",
        "derived_from": "dtls12-openssl.pcap",
        "connections": [conn_first(conn)],
        "notes": ("dtls12-openssl.pcap on one UDP 5-tuple as WebRTC uses it (RFC 7983 demux by "
                  "first byte: 0-3 STUN, 20-63 DTLS, 128-191 RTP/RTCP). Frame 1 STUN Binding "
                  "Request (USERNAME, PRIORITY, ICE-CONTROLLING, MESSAGE-INTEGRITY = HMAC-SHA1 "
                  "with ICE password 'tlstopIceServerPassword1', FINGERPRINT), frame 2 Binding "
                  "Success Response (XOR-MAPPED-ADDRESS 127.0.0.1:client_port, MESSAGE-INTEGRITY, "
                  "FINGERPRINT), then the DTLS handshake unchanged, then 4 RTP packets each way "
                  "(v2, PT 111, SRTP-encrypted-looking payload + 10-byte auth tag) at 20 ms "
                  "spacing and one SRTCP sender report each way; the two closing encrypted "
                  "alerts are moved 105 ms later to make room. IP IDs renumbered per direction; "
                  "IP, UDP lengths and checksums recomputed (real checksums on every packet). "
                  "tshark needs -d udp.port==44950,rtp (or the rtp/rtcp heuristics) for the media."),
    }, info)

    # 2. gQUIC
    for version, ts_note in (("Q043", "2019-01-01"), ("Q046", "2020-03-01"), ("Q050", "2020-11-01")):
        data, info = build_gquic(version) if version != "Q050" else build_gquic_q050()
        conn = {"server_ip": "127.0.0.1", "server_port": 443, "client_ip": "127.0.0.1",
                "client_port": info["client_port"], "transport": "udp", "protocol": "quic",
                "quic_version": version, "version": None, "cipher": None, "group": None,
                "sni": GQUIC_SNI, "alpn": None, "user_agent": GQUIC_UAID,
                "gquic_connection_id": info["cid"], "server_reply": "REJ", "established": False}
        if version == "Q043":
            layout = ("gQUIC public header, flags 0x09 (VERSION | 8-byte connection ID, 1-byte "
                      "packet number), CID, version 'Q043', packet number 1")
        elif version == "Q046":
            layout = ("IETF-style long header 0xC3 (long, fixed bit, Initial, 4-byte packet "
                      "number), version 'Q046', DCIL/SCIL byte 0x50 (8-byte DCID, no SCID), "
                      "packet number 1")
        else:
            layout = ("IETF-invariant long header 0xC3 (Initial, 4-byte packet number), version "
                      "'Q050', DCID length 8 + DCID, SCID length 0, token length 0, 2-byte "
                      "varint length, packet number 1")
        if version == "Q050":
            body = ("payload protected like an IETF QUIC Initial: HKDF-SHA256 from the Q050 "
                    "salt 504574efd066fe2f9d945cfcdbd3a7f0d3b56b45 and the DCID ('client in', "
                    "'quic key'/'quic iv'/'quic hp'), AES-128-GCM and AES-128 header "
                    "protection; inside, gQUIC frames: a CRYPTO frame (type 0x08, varint offset "
                    "0 and length) carrying a 1024-byte CHLO, then PADDING up to a 1350-byte "
                    "UDP payload. Frame 2 is the server's Initial (SCID = the client's DCID, "
                    "'server in' keys) with a short REJ (STK, SNO, STTL) in a CRYPTO frame; "
                    "tshark 4.0 decrypts both without keys. Client initial key "
                    f"{info['client_key']}, iv {info['client_iv']}, hp {info['client_hp']}.")
        else:
            body = ("then the 12-byte null-encryption message authentication hash (FNV-1a-128 "
                    "over header, plaintext and 'Client', low 96 bits, little-endian as "
                    "Chromium's SerializeUint128Short), a STREAM frame (0xA0) on stream 1 "
                    "carrying a 1024-byte CHLO and a PADDING frame up to a 1350-byte UDP "
                    "payload. Frame 2 is the server's null-encrypted REJ (hash with 'Server'; "
                    "STK, SNO, STTL tags) in a " +
                    ("public header with flags 0x00 (no CID: TCID 0, 1-byte packet number)."
                     if version == "Q043" else
                     "short header 0x43 (no DCID from the server, 4-byte packet number)."))
        outs[f"rw-gquic-{version.lower()}.pcap"] = (data, {
            "link_type": 1, "link_type_name": "ETHERNET", "format": "pcap",
            "derived_from": "built from the gQUIC wire layout (Wireshark packet-gquic.c and "
                            "packet-quic.c, Chromium QUIC crypto doc); no source capture",
            "connections": [conn],
            "notes": (f"Google QUIC {version} client hello: {layout}; {body} CHLO tags in "
                      "ascending order: PAD SNI VER CCS UAID TCID PDMD SMHL ICSL NONP MIDS SCLS "
                      "CSCT COPT CFCW SFCW. No handshake completes (REJ only), so "
                      f"version/cipher/group are null. Timestamps {ts_note}."),
        }, info)

    # 3. TLS 1.3 drafts
    for draft in (18, 23):
        data, info = build_tls13_draft(draft)
        conn = source_conns("fixtures.json", "tls13-x25519.pcap",
                            version=f"TLSv1.3-draft-{draft}", tls13_draft=draft)[0]
        if draft == 18:
            note = ("tls13-x25519.pcap rewritten into TLS 1.3 draft 18 as 2017 implementations "
                    "spoke it: ClientHello supported_versions 0x0304 -> 0x7f12, key_share "
                    "extension type 51 -> 40, legacy_session_id emptied (the 32-byte "
                    "compatibility session ID only came with draft 22); ServerHello in the "
                    "draft-18 layout (server_version 0x7f12, random, cipher_suite, extensions: "
                    "no session id, no compression method, no supported_versions; key_share "
                    "type 40, the source's x25519 share); the dummy ChangeCipherSpec records "
                    "of both sides removed (middlebox compatibility mode is draft 22+). "
                    "Record/handshake lengths recomputed, TCP sequence and acknowledgment "
                    "numbers of every later packet shifted (client -38, server -46 bytes), IP "
                    "lengths and all IPv4/TCP checksums recomputed.")
        else:
            note = ("tls13-x25519.pcap with the draft-23 code point 0x7f17 instead of 0x0304 in "
                    "the ClientHello and ServerHello supported_versions (draft 22+ uses the "
                    "final message layout, key_share type 51, compatibility CCS). Lengths are "
                    "unchanged; all IPv4/TCP checksums recomputed.")
        outs[f"rw-tls13-draft{draft}.pcap"] = (data, {
            "link_type": 1, "link_type_name": "ETHERNET", "format": "pcap",
            "derived_from": "tls13-x25519.pcap", "connections": [conn], "notes": note}, info)

    # 4a. merged link types
    data, info = build_merged()
    parts = {"tls12-ecdhe-rsa.pcap": (0, "fixtures.json"), "tls13-any-sll2.pcap": (1, "fixtures.json"),
             "tls13-x25519.pcap": (2, "fixtures.json")}
    conns = []
    for name in info["order"]:
        iface, man = parts[name]
        conns += source_conns(man, name, interface_id=iface, from_source=name)
    counts = [sum(1 for _t, i in info["events"] if i == k) for k in range(3)]
    outs["rw-merged-linktypes.pcapng"] = (data, {
        "link_type": [1, 276, 101], "link_type_name": ["ETHERNET", "LINUX_SLL2", "RAW"],
        "format": "pcapng",
        "derived_from": ["tls12-ecdhe-rsa.pcap", "tls13-any-sll2.pcap", "tls13-x25519.pcap"],
        "interfaces": [
            {"id": 0, "link_type": 1, "link_type_name": "ETHERNET", "snaplen": info["snaps"][0],
             "if_tsresol": 6, "if_name": "lo", "packets": counts[0], "source": "tls12-ecdhe-rsa.pcap"},
            {"id": 1, "link_type": 276, "link_type_name": "LINUX_SLL2", "snaplen": info["snaps"][1],
             "if_tsresol": 6, "if_name": "any", "packets": counts[1], "source": "tls13-any-sll2.pcap"},
            {"id": 2, "link_type": 101, "link_type_name": "RAW", "snaplen": info["snaps"][2],
             "if_tsresol": 9, "if_name": "tun0", "packets": counts[2],
             "source": "tls13-x25519.pcap (Ethernet header removed)"}],
        "merge_order": info["order"],
        "connections": conns,
        "notes": ("Time-ordered merge (what `mergecap -w OUT A B C` does; the script cross-checks "
                  "packet order, interface ids, timestamps and bytes against mergecap when it is "
                  "installed) of tls12-ecdhe-rsa.pcap (interface 0, Ethernet), "
                  "tls13-any-sll2.pcap (interface 1, LINUX_SLL2, IDB snaplen 65535) and "
                  "tls13-x25519.pcap re-wrapped as RAW (interface 2, snaplen 262144, "
                  "if_tsresol 9: EPB timestamps in nanoseconds). The captures do not overlap in "
                  "time, so the file holds them one after another in merge_order; connections "
                  "are listed in that order with their interface_id."),
    }, info)

    # 4b. big-endian pcapng
    data, info = build_bigendian()
    outs["rw-bigendian.pcapng"] = (data, {
        "link_type": 1, "link_type_name": "ETHERNET", "format": "pcapng",
        "byte_order": "big-endian", "derived_from": "tls12-ecdhe-rsa.pcap",
        "blocks": ["SHB", "IDB", "NRB", "DSB", "EPB", "EPB", "EPB", "CB", "EPB", "SPB", "EPB",
                   "PB", "EPB x10", "ISB"],
        "simple_packet_block_packet": info["spb_frame"],
        "obsolete_packet_block_packet": info["pb_frame"],
        "connections": source_conns("fixtures.json", "tls12-ecdhe-rsa.pcap"),
        "notes": ("tls12-ecdhe-rsa.pcap's 17 packets in a big-endian pcapng (SHB magic "
                  "1A 2B 3C 4D on disk): SHB with opt_comment, shb_hardware, shb_os, "
                  "shb_userappl; IDB (Ethernet, snaplen 262144, if_name lo, if_description, "
                  "if_tsresol 6); a Name Resolution Block (127.0.0.1 tlstop.test localhost); a "
                  "Decryption Secrets Block (type TLSK 0x544c534b, a comment-only key log: no "
                  "secrets); EPBs with epb_flags (client->server outbound 2, server->client "
                  "inbound 1; packet 4 also has opt_comment); a Custom Block (type 0x00000BAD, "
                  "PEN 32473) after packet 3, which readers must skip (tshark 4.0 lists it as "
                  "a pseudo-frame of its own, so tshark shows 18 records for 17 packets); "
                  "packet 5 (a pure ACK) as a Simple Packet Block: it has no timestamp, "
                  "readers should give it the previous packet's time (source: 14 us after "
                  "it) or treat it as untimed; packet 7 (a pure ACK) as an obsolete Packet "
                  "Block (type 2) with pack_flags; an Interface Statistics Block at the end "
                  "(isb_starttime, isb_endtime, isb_ifrecv 17, isb_ifdrop 0)."),
    }, info)

    # 4c. two sections
    data, info = build_two_sections()
    conns = (source_conns("fixtures.json", "tls10-ecdhe.pcap", section=0, interface_id=0,
                          from_source="tls10-ecdhe.pcap")
             + source_conns("fixtures.json", "tls13-any-sll2.pcap", section=1, interface_id=0,
                            from_source="tls13-any-sll2.pcap"))
    outs["rw-two-sections.pcapng"] = (data, {
        "link_type": [1, 276], "link_type_name": ["ETHERNET", "LINUX_SLL2"], "format": "pcapng",
        "derived_from": ["tls10-ecdhe.pcap", "tls13-any-sll2.pcap"],
        "sections": [
            {"byte_order": "little-endian", "section_length": "set (bytes after the SHB)",
             "interfaces": [{"id": 0, "link_type": 1, "link_type_name": "ETHERNET"}],
             "packets": info["sections"][0], "source": "tls10-ecdhe.pcap"},
            {"byte_order": "big-endian", "section_length": -1,
             "interfaces": [{"id": 0, "link_type": 276, "link_type_name": "LINUX_SLL2"}],
             "packets": info["sections"][1], "source": "tls13-any-sll2.pcap"}],
        "connections": conns,
        "notes": ("Two Section Header Blocks in one file. Section 0: little-endian, section "
                  "length filled in, one Ethernet IDB, tls10-ecdhe.pcap's packets. Section 1: "
                  "big-endian, section length -1, its own LINUX_SLL2 IDB, tls13-any-sll2.pcap's "
                  "packets. Interface IDs restart at 0 in the second section, so EPB interface "
                  "0 means Ethernet in section 0 and LINUX_SLL2 in section 1 (tshark 4.0 "
                  "decodes both correctly but labels the second section's interface 'lo')."),
    }, info)

    # 5. compressed
    for out, source, fmt, man_key in (
            ("rw-tls13-x25519.pcap.gz", "tls13-x25519.pcap", "pcap.gz", "tls13-x25519.pcap"),
            ("rw-tls12-ecdhe-rsa.pcapng.gz", "tls12-ecdhe-rsa.pcapng", "pcapng.gz",
             "tls12-ecdhe-rsa.pcapng"),
            ("rw-gzip-noext.cap", "many-conns.pcap", "pcap.gz", "many-conns.pcap")):
        with open(src(source), "rb") as f:
            raw = f.read()
        entry = load_manifest_entry("fixtures.json", man_key)
        note = f"gzip (RFC 1952, mtime 0, no file name) of {source}, byte-identical when inflated."
        if out == "rw-gzip-noext.cap":
            note += (" The name says neither gzip nor pcap: readers must detect the gzip magic "
                     "1F 8B and then the pcap magic inside.")
        outs[out] = (gzip.compress(raw, compresslevel=9, mtime=0), {
            "link_type": entry["link_type"], "link_type_name": entry["link_type_name"],
            "format": fmt, "uncompressed_bytes": len(raw), "derived_from": source,
            "connections": entry["connections"], "notes": note}, {"source": source})
    return outs


# ---------------------------------------------------------------------------
# checks (tshark, capinfos, mergecap)
# ---------------------------------------------------------------------------

def tshark(path, fields, filt=None, extra=()):
    cmd = ["tshark", "-n", "-r", path] + list(extra)
    if filt:
        cmd += ["-Y", filt]
    cmd += ["-T", "fields"]
    for f in fields:
        cmd += ["-e", f]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        fail(f"tshark failed on {path}: {res.stderr.strip()}")
    return [line.split("\t") for line in res.stdout.splitlines()]


def expect(cond, what):
    if not cond:
        fail("check failed: " + what)


def col(rows, i=0):
    return [r[i] for r in rows]


def check_outputs(outdir, outs):
    S = src
    O = lambda n: os.path.join(outdir, n)  # noqa: E731
    ck = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
          "-o", "udp.check_checksum:TRUE"]
    results = {}

    # 1. STUN/DTLS/RTP
    f = O("rw-stun-dtls.pcap")
    info = outs["rw-stun-dtls.pcap"][2]
    rows = tshark(f, ["frame.number", "stun.type", "stun.att.crc32.status", "stun.att.ipv4",
                      "stun.att.port"], "stun")
    expect(rows == [["1", "0x0001", "1", "", ""],
                    ["2", "0x0101", "1", "127.0.0.1", str(info["client_port"])]],
           f"STUN request/response with good FINGERPRINT: {rows}")
    src_hs = tshark(S("dtls12-openssl.pcap"), ["dtls.handshake.type"], "dtls.handshake")
    new_hs = tshark(f, ["dtls.handshake.type"], "dtls.handshake")
    expect(src_hs == new_hs, "DTLS handshake messages as in the source")
    expect(col(tshark(f, ["dtls.handshake.extensions_server_name"], "dtls.handshake.type==1"))
           == ["tlstop.test", "tlstop.test"], "DTLS SNI")
    expect(tshark(f, ["frame.number"], "dtls.handshake.extensions_alpn_str") == [], "no ALPN")
    rtp = tshark(f, ["frame.number", "rtp.version", "rtp.p_type"], "rtp.version==2",
                 ["-d", f"udp.port=={info['server_port']},rtp"])
    expect(col(rtp) == [str(n) for n in info["rtp_frames"]] and set(col(rtp, 2)) == {"111"},
           f"RTP frames {rtp}")
    rtcp = tshark(f, ["frame.number"], "rtcp.pt==200", ["-d", f"udp.port=={info['server_port']},rtp"])
    expect(col(rtcp) == [str(n) for n in info["rtcp_frames"]], f"RTCP frames {rtcp}")
    bad = tshark(f, ["frame.number"], "ip.checksum.status!=1 or udp.checksum.status!=1", ck)
    expect(bad == [], f"IP/UDP checksums all good ({bad})")
    results["rw-stun-dtls.pcap"] = (f"STUN 0x0001/0x0101 FINGERPRINT good, {len(new_hs)} DTLS "
                                    f"handshake records as source, RTP PT111 frames "
                                    f"{info['rtp_frames'][0]}-{info['rtp_frames'][-1]}, "
                                    f"RTCP SR {info['rtcp_frames']}, checksums good")

    # 2. gQUIC
    for v in ("Q043", "Q046", "Q050"):
        name = f"rw-gquic-{v.lower()}.pcap"
        f = O(name)
        rows = tshark(f, ["frame.number", "gquic.version", "quic.version", "gquic.tag.sni",
                          "gquic.tag.uaid", "gquic.tag", "gquic.tag.version", "udp.length",
                          "quic.decryption_failed"], "gquic || quic", ck)
        want_ver = ["", "0x51303530"] if v == "Q050" else [v, ""]
        expect(len(rows) == 2, f"{name}: 2 packets")
        expect(rows[0] == ["1"] + want_ver + [GQUIC_SNI, GQUIC_UAID, "CHLO", v,
                                              str(8 + GQUIC_PACKET_SIZE), ""],
               f"{name}: CHLO decode {rows[0]}")
        expect(rows[1][5] == "REJ" and rows[1][8] == "", f"{name}: REJ decode {rows[1]}")
        expect(tshark(f, ["frame.number"], "ip.checksum.status!=1 or udp.checksum.status!=1",
                      ck) == [], f"{name}: checksums")
        expect(tshark(f, ["frame.number"], "_ws.expert.severity >= 0x00600000") == [],
               f"{name}: no tshark warnings or errors")
        results[name] = ((f"quic.version=0x51303530 (decrypted by tshark), " if v == "Q050"
                          else f"gquic.version={v}, ") +
                         f"gquic.tag.sni={GQUIC_SNI} gquic.tag.uaid='{GQUIC_UAID}' "
                         f"tag.version={v}, CHLO in 1350-byte UDP payload, frame 2 REJ")

    # 3. drafts
    src_f = S("tls13-x25519.pcap")
    src_types = tshark(src_f, ["tls.handshake.type"], "tls.handshake")
    for draft in (18, 23):
        name = f"rw-tls13-draft{draft}.pcap"
        f = O(name)
        code = f"0x7f{draft:02x}"
        sh = tshark(f, ["tls.handshake.version", "tls.handshake.ciphersuite",
                        "tls.handshake.extensions_key_share_group",
                        "tls.handshake.extensions.supported_version",
                        "tls.handshake.session_id_length"], "tls.handshake.type==2")
        want = ([code, "0x1302", "29", "", ""] if draft == 18 else ["0x0303", "0x1302", "29", code, "32"])
        expect(sh == [want], f"{name}: ServerHello {sh}")
        ch = tshark(f, ["tls.handshake.extensions.supported_version",
                        "tls.handshake.extensions_server_name",
                        "tls.handshake.extensions_key_share_group"], "tls.handshake.type==1")
        expect(ch == [[code, "tlstop.test", "29"]], f"{name}: ClientHello {ch}")
        expect(tshark(f, ["tls.handshake.type"], "tls.handshake") == src_types, f"{name}: handshake types")
        expect(tshark(f, ["frame.number"], "ip.checksum.status!=1 or tcp.checksum.status!=1",
                      ck) == [], f"{name}: checksums")
        expect(tshark(f, ["frame.number"], "tcp.analysis.flags && !tcp.analysis.window_update") == [],
               f"{name}: TCP analysis clean (seq/ack consistent)")
        ndata = len(tshark(f, ["frame.number"], "tls.record.content_type==23"))
        expect(ndata == len(tshark(src_f, ["frame.number"], "tls.record.content_type==23")),
               f"{name}: application data records")
        results[name] = (f"ServerHello {want[0]} cipher 0x1302 group 29" +
                         (" (no session id/compression/supported_versions)" if draft == 18 else
                          f" supported_version {code}") + ", checksums and tcp.analysis clean")

    # 4a. merged
    f = O("rw-merged-linktypes.pcapng")
    rows = tshark(f, ["frame.interface_id", "frame.encap_type", "frame.time_epoch", "frame.len",
                      "tls.handshake.type"])
    expect(sorted(set(col(rows, 1))) == ["1", "210", "7"], f"merged: 3 encapsulations {set(col(rows, 1))}")
    expect(len(rows) == 18 + 19 + 17, "merged: 54 packets")
    ifaces = capinfos_interfaces(f)
    if ifaces is not None:
        expect(len(ifaces) == 3, f"merged: 3 interfaces {ifaces}")
        expect("nanoseconds" in ifaces[2], "merged: interface 2 has nanosecond resolution")
    if shutil.which("mergecap"):
        with tempfile.TemporaryDirectory() as tmp:
            raw = os.path.join(tmp, "raw.pcapng")
            c = read_pcap(S("tls13-x25519.pcap"))
            w = PcapngWriter("<")
            blocks = [w.shb([]), w.idb(LINKTYPE_RAW, 262144, [(9, bytes([9]))])]
            for sec, usec, orig, frame in c["packets"]:
                d = dl.rewrap("raw", frame, "<")
                blocks.append(w.epb(0, (sec * 1000000 + usec) * 1000, d, orig - 14))
            with open(raw, "wb") as fh:
                fh.write(b"".join(blocks))
            mc = os.path.join(tmp, "mc.pcapng")
            subprocess.run(["mergecap", "-w", mc, S("tls12-ecdhe-rsa.pcap"),
                            S("tls13-any-sll2.pcap"), raw], check=True)
            ref = tshark(mc, ["frame.interface_id", "frame.encap_type", "frame.time_epoch",
                              "frame.len", "tls.handshake.type"])
            expect(ref == rows, "merged: same packets/order/interfaces/timestamps as mergecap -w")
            expect(frame_bytes(mc) == frame_bytes(f), "merged: same packet bytes as mergecap -w")
        merge_note = "identical to mergecap -w (order, ifaces, ts, bytes)"
    else:
        print("derive-realworld: warning: mergecap not found, merge not cross-checked", file=sys.stderr)
        merge_note = "mergecap cross-check skipped"
    results["rw-merged-linktypes.pcapng"] = f"3 interfaces, encaps 1/210/7, 54 packets, {merge_note}"

    # 4b. big-endian
    f = O("rw-bigendian.pcapng")
    src_f = S("tls12-ecdhe-rsa.pcap")
    rows = tshark(f, ["frame.number", "frame.len", "frame.time_epoch", "frame.packet_flags_direction"], "eth")
    srows = tshark(src_f, ["frame.number", "frame.len", "frame.time_epoch"])
    expect(len(rows) == len(srows) == 17, f"big-endian: 17 packets ({len(rows)})")
    expect(col(rows, 1) == col(srows, 1), "big-endian: packet lengths")
    spb = outs["rw-bigendian.pcapng"][2]["spb_frame"]
    for i, (r, s) in enumerate(zip(rows, srows), start=1):
        if i == spb:
            expect(r[2] == "", "big-endian: SPB has no timestamp")
        else:
            expect(r[2] == s[2], f"big-endian: timestamp of packet {i}")
            expect(r[3] in ("0x00000001", "0x00000002"), f"big-endian: flags of packet {i}")
    expect(tshark(f, ["tls.handshake.type"], "tls.handshake") ==
           tshark(src_f, ["tls.handshake.type"], "tls.handshake"), "big-endian: TLS handshake")
    expect(tshark(f, ["frame.number"], "not eth") != [], "big-endian: custom block seen by tshark")
    results["rw-bigendian.pcapng"] = ("17 packets (+1 custom-block record), timestamps as source, "
                                      "SPB untimed, epb/pack flags, TLS handshake types as source")

    # 4c. two sections
    f = O("rw-two-sections.pcapng")
    rows = tshark(f, ["frame.section_number", "frame.encap_type", "tls.handshake.type"])
    a_types = tshark(S("tls10-ecdhe.pcap"), ["tls.handshake.type"])
    b_types = tshark(S("tls13-any-sll2.pcap"), ["tls.handshake.type"])
    expect([r for r in rows if r[0] == "1"] == [["1", "1", t[0]] for t in a_types],
           "two sections: section 1 = tls10-ecdhe.pcap on Ethernet")
    expect([r for r in rows if r[0] == "2"] == [["2", "210", t[0]] for t in b_types],
           "two sections: section 2 = tls13-any-sll2.pcap on LINUX_SLL2")
    results["rw-two-sections.pcapng"] = (f"section 1: {len(a_types)} Ethernet packets, section 2: "
                                         f"{len(b_types)} SLL2 packets, handshake types as sources")

    # 5. gzip
    for name in ("rw-tls13-x25519.pcap.gz", "rw-tls12-ecdhe-rsa.pcapng.gz", "rw-gzip-noext.cap"):
        source = outs[name][2]["source"]
        with open(O(name), "rb") as fh, open(S(source), "rb") as fs:
            expect(gzip.decompress(fh.read()) == fs.read(), f"{name}: inflates to {source}")
        fl = ["frame.len", "tls.handshake.type", "tls.handshake.extensions_server_name"]
        expect(tshark(O(name), fl) == tshark(S(source), fl), f"{name}: tshark reads it like {source}")
        results[name] = f"tshark output identical to {source}; gzip.decompress == source bytes"

    # every file: no tshark warnings/errors, and the manifest's connections
    # (client port, SNI, order) match the ClientHellos tshark finds
    for name, (_data, entry, _info) in outs.items():
        f = O(name)
        expect(tshark(f, ["frame.number"], "_ws.expert.severity >= 0x00600000") == [],
               f"{name}: tshark reports no warnings or errors")
        rows = tshark(f, ["tcp.srcport", "udp.srcport", "tls.handshake.extensions_server_name",
                          "dtls.handshake.extensions_server_name", "gquic.tag.sni"],
                      "tls.handshake.type==1 || dtls.handshake.type==1 || gquic.tag==\"CHLO\"")
        seen = []
        for r in rows:
            key = (int(r[0] or r[1]), r[2] or r[3] or r[4] or None)
            if not seen or seen[-1] != key:   # DTLS repeats its ClientHello after HVR
                seen.append(key)
        want = [(c["client_port"], c["sni"]) for c in entry["connections"]]
        expect(seen == want, f"{name}: connections {seen} vs manifest {want}")
    return results


def capinfos_interfaces(path):
    if not shutil.which("capinfos"):
        return None
    res = subprocess.run(["capinfos", "-I", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    parts = res.stdout.split("Interface #")[1:]
    return parts


def frame_bytes(path):
    """(interface, timestamp, caplen, origlen, data) of every EPB in a pcapng."""
    with open(path, "rb") as fh:
        data = fh.read()
    out, off, e = [], 0, "<"
    while off < len(data):
        if data[off:off + 4] == b"\x0a\x0d\x0d\x0a":
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        btype, blen = struct.unpack(e + "II", data[off:off + 8])
        if btype == 6:
            iface, hi, lo, cap, orig = struct.unpack(e + "IIIII", data[off + 8:off + 28])
            out.append((iface, (hi << 32) | lo, cap, orig, data[off + 28:off + 28 + cap]))
        off += blen
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--outdir", default=PCAPS, help="where to write the captures (default: pcaps/)")
    ap.add_argument("--manifest", default=MANIFEST, help="manifest path")
    ap.add_argument("--no-check", action="store_true", help="skip the tshark checks")
    args = ap.parse_args(argv)
    try:
        outs = make_outputs()
        manifest = {}
        for name, (data, entry, _info) in outs.items():
            path = os.path.join(args.outdir, name)
            with open(path, "wb") as f:
                f.write(data)
            e = {k: entry[k] for k in ("link_type", "link_type_name", "format")}
            if name.endswith(".gz") or name.endswith(".cap"):
                e["packets"] = load_manifest_entry("fixtures.json", entry["derived_from"])["packets"]
            else:
                e["packets"] = count_packets(data)
            e["bytes"] = len(data)
            e.update((k, v) for k, v in entry.items() if k not in e)
            manifest[name] = e
            print(f"derive-realworld: wrote {path} ({e['packets']} packets, {len(data)} bytes)")
        with open(args.manifest, "w") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
        print(f"derive-realworld: wrote {args.manifest}")
        if args.no_check:
            return 0
        if not shutil.which("tshark"):
            print("derive-realworld: warning: tshark not found, outputs NOT checked", file=sys.stderr)
            return 0
        for name, line in check_outputs(args.outdir, outs).items():
            print(f"derive-realworld: ok {name}: {line}")
    except (OSError, DeriveError, dl.PcapError, subprocess.CalledProcessError) as exc:
        print(f"derive-realworld: {exc}", file=sys.stderr)
        return 1
    return 0


def count_packets(data):
    """Packets (not other records) in a classic pcap or a pcapng of either byte order."""
    if data[:4] == b"\xd4\xc3\xb2\xa1":
        n, off = 0, 24
        while off < len(data):
            incl = struct.unpack("<I", data[off + 8:off + 12])[0]
            off += 16 + incl
            n += 1
        return n
    n, off, e = 0, 0, "<"
    while off < len(data):
        if data[off:off + 4] == b"\x0a\x0d\x0d\x0a":
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        btype, blen = struct.unpack(e + "II", data[off:off + 8])
        if btype in (2, 3, 6):
            n += 1
        off += blen
    return n


if __name__ == "__main__":
    sys.exit(main())
