#!/usr/bin/env python3
"""Re-wrap the packets of an Ethernet capture in other link layers.

Reads a classic pcap whose link type is Ethernet (LINKTYPE_ETHERNET, 1) -- for
example a `tcpdump -i lo` capture -- and writes the *same* packets (same
timestamps, same IP payload bytes) with other link-layer framings, so that a
decoder's link-type handling can be tested on real traffic:

  BASE.raw.pcap    LINKTYPE_RAW (101): the bare IPv4/IPv6 packet
  BASE.null.pcap   LINKTYPE_NULL (0): 4-byte address family in the file's
                   byte order (AF_INET = 2, AF_INET6 = 30 as on macOS/FreeBSD)
  BASE.sll.pcap    LINKTYPE_LINUX_SLL (113): 16-byte Linux cooked header
                   (packet type HOST, ARPHRD_LOOPBACK, 6-byte address)
  BASE.vlan.pcap   LINKTYPE_ETHERNET with one 802.1Q tag (TPID 0x8100, VID 100)
  BASE.qinq.pcap   LINKTYPE_ETHERNET with 802.1ad QinQ: outer TPID 0x88a8
                   VID 200, inner TPID 0x8100 VID 100
  BASE.pcapng      pcapng (SHB, one IDB with LINKTYPE_ETHERNET, one EPB per
                   packet), the original Ethernet frames unchanged

BASE is the input file name without its ".pcap" suffix, written to --outdir
(default: next to the input).  Python 3 standard library only.

usage: derive-linktypes.py [--outdir DIR] [--only KIND[,KIND...]] INPUT.pcap
"""

import argparse
import os
import struct
import sys

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_IPV6 = 0x86DD
ETHERTYPE_VLAN = 0x8100
ETHERTYPE_QINQ = 0x88A8

AF_INET = 2
AF_INET6_BSD = 30  # FreeBSD / macOS value; Wireshark also accepts 24 and 28

ARPHRD_LOOPBACK = 772
SLL_PACKET_HOST = 0

KINDS = ("raw", "null", "sll", "vlan", "qinq", "pcapng")

MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", False),
    b"\xa1\xb2\xc3\xd4": (">", False),
    b"\x4d\x3c\xb2\xa1": ("<", True),
    b"\xa1\xb2\x3c\x4d": (">", True),
}


class PcapError(Exception):
    pass


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise PcapError(f"{path}: too short for a pcap header")
    try:
        endian, nanos = MAGICS[data[:4]]
    except KeyError:
        raise PcapError(f"{path}: not a classic pcap file (magic {data[:4].hex()})")
    _vmaj, _vmin, _zone, _sigfigs, snaplen, network = struct.unpack(
        endian + "HHiIII", data[4:24])
    linktype = network & 0xFFFF  # upper bits may carry FCS information
    packets = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise PcapError(f"{path}: truncated record header at offset {off}")
        ts_sec, ts_frac, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if off + incl > len(data):
            raise PcapError(f"{path}: truncated packet at offset {off}")
        packets.append((ts_sec, ts_frac, orig, data[off:off + incl]))
        off += incl
    return {"endian": endian, "nanos": nanos, "snaplen": snaplen,
            "linktype": linktype, "packets": packets, "magic": data[:4]}


def split_ethernet(frame):
    """Return (dst, src, ethertype, payload), skipping any VLAN tags."""
    if len(frame) < 14:
        raise PcapError("Ethernet frame shorter than 14 bytes")
    dst, src = frame[0:6], frame[6:12]
    off = 12
    (etype,) = struct.unpack(">H", frame[off:off + 2])
    off += 2
    while etype in (ETHERTYPE_VLAN, ETHERTYPE_QINQ):
        if len(frame) < off + 4:
            raise PcapError("truncated VLAN tag")
        (etype,) = struct.unpack(">H", frame[off + 2:off + 4])
        off += 4
    return dst, src, etype, frame[off:]


def ip_family(etype):
    if etype == ETHERTYPE_IPV4:
        return AF_INET
    if etype == ETHERTYPE_IPV6:
        return AF_INET6_BSD
    raise PcapError(f"ethertype 0x{etype:04x} cannot be expressed without Ethernet")


def vlan_tag(tpid, vid, pcp=0):
    return struct.pack(">HH", tpid, (pcp << 13) | (vid & 0x0FFF))


def rewrap(kind, frame, endian):
    dst, src, etype, payload = split_ethernet(frame)
    if kind == "raw":
        ip_family(etype)  # refuse non-IP
        return payload
    if kind == "null":
        # DLT_NULL's family word is in the capturing host's byte order, which
        # is the byte order this file is written in.
        return struct.pack(endian + "I", ip_family(etype)) + payload
    if kind == "sll":
        addr = src + b"\x00\x00"  # 8-byte address field, 6 bytes used
        return struct.pack(">HHH", SLL_PACKET_HOST, ARPHRD_LOOPBACK, 6) + addr + \
            struct.pack(">H", etype) + payload
    if kind == "vlan":
        return dst + src + vlan_tag(ETHERTYPE_VLAN, 100) + struct.pack(">H", etype) + payload
    if kind == "qinq":
        return (dst + src + vlan_tag(ETHERTYPE_QINQ, 200) + vlan_tag(ETHERTYPE_VLAN, 100)
                + struct.pack(">H", etype) + payload)
    raise ValueError(kind)


PCAP_LINKTYPE = {"raw": LINKTYPE_RAW, "null": LINKTYPE_NULL, "sll": LINKTYPE_LINUX_SLL,
                 "vlan": LINKTYPE_ETHERNET, "qinq": LINKTYPE_ETHERNET}


def write_pcap(path, cap, kind):
    e = cap["endian"]
    out = [cap["magic"], struct.pack(e + "HHiIII", 2, 4, 0, 0,
                                     max(cap["snaplen"], 65535), PCAP_LINKTYPE[kind])]
    for ts_sec, ts_frac, orig, frame in cap["packets"]:
        body = rewrap(kind, frame, e)
        delta = len(body) - len(frame)
        out.append(struct.pack(e + "IIII", ts_sec, ts_frac, len(body), orig + delta))
        out.append(body)
    with open(path, "wb") as f:
        f.write(b"".join(out))
    return len(cap["packets"])


def _pad4(b):
    return b + b"\x00" * (-len(b) % 4)


def _option(code, value):
    return struct.pack("<HH", code, len(value)) + _pad4(value)


def _block(btype, body):
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def write_pcapng(path, cap):
    """Minimal valid little-endian pcapng: SHB, one IDB, one EPB per packet."""
    opt_end = b"\x00\x00\x00\x00"
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + \
        _option(4, b"derive-linktypes.py (tlstop test fixtures)") + opt_end  # shb_userappl
    tsresol = 9 if cap["nanos"] else 6
    idb = struct.pack("<HHI", LINKTYPE_ETHERNET, 0, max(cap["snaplen"], 65535)) + \
        _option(9, bytes([tsresol])) + opt_end  # if_tsresol
    blocks = [_block(0x0A0D0D0A, shb), _block(0x00000001, idb)]
    unit = 10 ** tsresol
    for ts_sec, ts_frac, orig, frame in cap["packets"]:
        ts = ts_sec * unit + ts_frac
        epb = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), orig) + _pad4(frame)
        blocks.append(_block(0x00000006, epb))
    with open(path, "wb") as f:
        f.write(b"".join(blocks))
    return len(cap["packets"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", help="classic pcap with LINKTYPE_ETHERNET")
    ap.add_argument("--outdir", help="output directory (default: input's directory)")
    ap.add_argument("--only", help="comma-separated subset of: " + ",".join(KINDS))
    args = ap.parse_args(argv)

    kinds = KINDS if not args.only else tuple(k.strip() for k in args.only.split(","))
    for k in kinds:
        if k not in KINDS:
            ap.error(f"unknown kind {k!r}")
    try:
        cap = read_pcap(args.input)
    except (OSError, PcapError) as exc:
        print(f"derive-linktypes: {exc}", file=sys.stderr)
        return 1
    if cap["linktype"] != LINKTYPE_ETHERNET:
        print(f"derive-linktypes: {args.input}: link type {cap['linktype']} is not Ethernet (1)",
              file=sys.stderr)
        return 1
    if not cap["packets"]:
        print(f"derive-linktypes: {args.input}: no packets", file=sys.stderr)
        return 1

    outdir = args.outdir or os.path.dirname(os.path.abspath(args.input))
    base = os.path.basename(args.input)
    if base.endswith(".pcap"):
        base = base[:-len(".pcap")]
    try:
        for kind in kinds:
            if kind == "pcapng":
                path = os.path.join(outdir, base + ".pcapng")
                n = write_pcapng(path, cap)
                lt = LINKTYPE_ETHERNET
            else:
                path = os.path.join(outdir, f"{base}.{kind}.pcap")
                n = write_pcap(path, cap, kind)
                lt = PCAP_LINKTYPE[kind]
            print(f"derive-linktypes: wrote {path} (link type {lt}, {n} packets)")
    except (OSError, PcapError) as exc:
        print(f"derive-linktypes: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
