#!/usr/bin/env python3
"""Writes Tests/Fixtures/fingerprints-tshark.json: tshark's JA3 and JA3S for every hello in every
fixture capture, keyed by capture and by connection (client ip:port > server ip:port).

The test suite compares tlstop's ja3 / ja3s with this file (FingerprintTests), so the reference is
Wireshark's implementation, not ours. Regenerate after adding fixtures:
    python3 Tests/Fixtures/make-fingerprints.py
Needs tshark (apt-get install tshark); written with TShark 4.0.17.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PCAPS = os.path.join(HERE, "pcaps")
FIELDS = [
    "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
    "tls.handshake.type", "tls.handshake.ja3", "tls.handshake.ja3s", "dtls.handshake.type", "dtls.handshake.ja3",
    "dtls.handshake.ja3s",
]


# Captures whose TLS starts after a clear-text set-up on a port tshark does not guess: tell it what
# the port carries so it follows into the TLS (HTTP CONNECT; for RDP and SOCKS5, TLS itself: its dissector skips the set-up bytes it cannot read).
DECODE_AS = {
    "rw-http-connect.pcap": ["-d", "tcp.port==44810,http"],
    "rw-rdp.pcap": ["-d", "tcp.port==44830,tls"],
    "rw-rdp-hybrid.pcap": ["-d", "tcp.port==44831,tls"],
    "rw-socks5.pcap": ["-d", "tcp.port==44820,tls"],
    # make-keylog-fixtures.sh: TLS 1.3 on ports 45001-45006, QUIC on 45007.
    **{f"keylog-{name}.pcap": ["-d", f"tcp.port=={port},tls"] for name, port in [
        ("rsa1024", 45001), ("rsa2048", 45002), ("ecdsa-p256", 45003), ("expired", 45004), ("hrr", 45005),
        ("client-cert", 45006)]},
    "keylog-quic.pcap": ["-d", "udp.port==45007,quic"],
}


def hellos(path):
    command = ["tshark", "-n", "-r", path] + DECODE_AS.get(os.path.basename(path), []) + [ "-Y", "tls.handshake.type == 1 or tls.handshake.type == 2 or dtls.handshake.type == 1 or dtls.handshake.type == 2",
               "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=;"]
    for field in FIELDS:
        command += ["-e", field]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    for line in output.splitlines():
        values = dict(zip(FIELDS, line.split("\t")))
        yield values


def main():
    version = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    result = {"generator": version, "captures": {}}
    for name in sorted(os.listdir(PCAPS)):
        if not (name.endswith(".pcap") or name.endswith(".pcapng")):
            continue
        connections = {}
        for values in hellos(os.path.join(PCAPS, name)):
            src = values["ip.src"] or values["ipv6.src"]
            dst = values["ip.dst"] or values["ipv6.dst"]
            sport = values["tcp.srcport"] or values["udp.srcport"]
            dport = values["tcp.dstport"] or values["udp.dstport"]
            ja3 = [v for v in (values["tls.handshake.ja3"] + ";" + values["dtls.handshake.ja3"]).split(";") if v]
            ja3s = [v for v in (values["tls.handshake.ja3s"] + ";" + values["dtls.handshake.ja3s"]).split(";") if v]
            if ja3:
                entry = connections.setdefault(f"{src}:{sport}>{dst}:{dport}", {})
                entry.setdefault("ja3", ja3[0])  # the first ClientHello of the connection
            if ja3s:
                entry = connections.setdefault(f"{dst}:{dport}>{src}:{sport}", {})
                entry.setdefault("ja3s", ja3s[0])
        result["captures"][name] = connections
    with open(os.path.join(HERE, "fingerprints-tshark.json"), "w") as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
        handle.write("\n")
    total = sum(len(c) for c in result["captures"].values())
    print(f"{len(result['captures'])} captures, {total} connections with a fingerprint")


if __name__ == "__main__":
    sys.exit(main())
