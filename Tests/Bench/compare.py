#!/usr/bin/env python3
"""Times tlstop against the floor and its peers on the same captures, and checks the targets.

usage: compare.py --runs N --tshark-runs N --floor PCAP_FLOOR --tlstop TLSTOP CAPTURE...

Each capture is read by: the floor (pcap_loop with an empty callback), `tlstop -r FILE --batch`,
`ndpiReader -i FILE -q` and `tshark -r FILE` dissecting TLS (a display filter on ClientHellos makes
it decode every handshake). Runs are interleaved so that all tools see the same machine state;
the table shows medians of wall time and CPU time (user + system), and the largest peak RSS.
Captures are named by workload: mixed.pcap, handshakes.pcap, many-flows.pcap.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time


def timed(command):
    """(wall seconds, CPU seconds, peak RSS KiB, stdout) of one run. The peak RSS comes from GNU
    time: the child's own ru_maxrss counts the Python parent's pages it shared before exec."""
    with tempfile.NamedTemporaryFile(mode="r") as rss:
        start = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss.name] + command,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if status != 0:
            raise SystemExit(f"bench: {' '.join(command)} failed with status {status}")
        peak = int(rss.read().split()[-1])
    return wall, usage.ru_utime + usage.ru_stime, peak, output.decode(errors="replace")


EXPORT = os.path.join(tempfile.gettempdir(), f"tlstop-bench-{os.getpid()}.json")


def commands(tool, capture, args):
    return {
        "pcap_loop (floor)": [args.floor, capture],
        "tlstop": [args.tlstop, "-r", capture, "--batch"],
        "tlstop --export": [args.tlstop, "-r", capture, "--batch", "--export", EXPORT],
        "ndpiReader": ["ndpiReader", "-i", capture, "-q"],
        "tshark (TLS)": ["tshark", "-r", capture, "-n", "-Y", "tls.handshake.type == 1", "-T", "fields",
                         "-e", "tls.handshake.extensions_server_name"],
    }[tool]


def measure(capture, args):
    tools = ["pcap_loop (floor)", "tlstop", "ndpiReader", "tshark (TLS)"]
    # Issue 16's end-to-end target: the handshake workload with its JSON export.
    if os.path.basename(capture).startswith("handshakes"):
        tools.insert(2, "tlstop --export")
    results = {tool: [] for tool in tools}
    outputs = {}
    for run in range(args.runs):
        for tool in tools:
            if tool.startswith("tshark") and run >= args.tshark_runs:
                continue
            wall, cpu, rss, output = timed(commands(tool, capture, args))
            results[tool].append((wall, cpu, rss))
            outputs[tool] = output
    packets = int(re.search(r"^(\d+) packets", outputs["pcap_loop (floor)"]).group(1))
    rows = {}
    for tool, samples in results.items():
        if not samples:
            continue
        rows[tool] = (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
                      max(s[2] for s in samples), len(samples))
    return packets, rows, outputs["tlstop"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tshark-runs", type=int, default=1)
    parser.add_argument("--floor", required=True)
    parser.add_argument("--tlstop", required=True)
    parser.add_argument("captures", nargs="+")
    args = parser.parse_args()

    checks = []
    for capture in args.captures:
        workload = os.path.basename(capture).removesuffix(".pcap")
        size = os.path.getsize(capture) / 2**20
        packets, rows, summary = measure(capture, args)
        print(f"\n{workload}: {packets:,} packets, {size:,.0f} MiB ({capture})")
        print(f"| {'tool':<18} | {'runs':>4} | {'wall s':>7} | {'CPU s':>7} | {'packets/s':>11} | {'peak RSS MiB':>12} "
              f"| {'time vs floor':>13} |")
        print(f"|{'-' * 20}|{'-' * 6}|{'-' * 9}|{'-' * 9}|{'-' * 13}|{'-' * 14}|{'-' * 15}|")
        floor = rows["pcap_loop (floor)"][0]
        for tool, (wall, cpu, rss, count) in rows.items():
            print(f"| {tool:<18} | {count:>4} | {wall:>7.3f} | {cpu:>7.3f} | {packets / wall:>11,.0f} | "
                  f"{rss / 1024:>12,.1f} | {wall / floor:>12.2f}x |")
        ours, ndpi = rows["tlstop"][0], rows["ndpiReader"][0]
        tshark = f"{rows['tshark (TLS)'][0] / ours:.0f}x tshark, " if "tshark (TLS)" in rows else ""
        print(f"tlstop is {ndpi / ours:.1f}x ndpiReader, {tshark}{ours / floor:.2f}x the floor's time")
        if workload == "mixed":
            checks.append(("mixed: at least 3M packets/s", f"{packets / ours:,.0f}/s", packets / ours >= 3e6))
            checks.append(("mixed: at least 5x ndpiReader", f"{ndpi / ours:.1f}x", ndpi / ours >= 5))
            checks.append(("mixed: within 3x of pcap_loop (issue 16)", f"{ours / floor:.2f}x", ours / floor <= 3))
        elif workload == "handshakes":
            checks.append(("handshakes: at least 5x ndpiReader", f"{ndpi / ours:.1f}x", ndpi / ours >= 5))
            exported = rows["tlstop --export"][0]
            size = os.path.getsize(EXPORT)
            import json
            listed = len(json.load(open(EXPORT))["connections"])
            os.remove(EXPORT)
            share = (exported - ours) / exported
            checks.append(("handshakes --export: at least 3x ndpiReader (issue 16)", f"{ndpi / exported:.1f}x",
                           ndpi / exported >= 3))
            checks.append(("handshakes --export: export at most 10% of the run (issue 16)", f"{100 * share:.0f}%",
                           share <= 0.10))
            checks.append(("handshakes --export: at most 1 KiB JSON per connection (issue 16)",
                           f"{size / max(1, listed):,.0f} B", size / max(1, listed) <= 1024))
        elif workload == "many-flows":
            connections = int(re.search(r"^connections: (\d+)", summary, re.M).group(1))
            base = timed([args.tlstop, "-r", "Tests/Fixtures/pcaps/tls13-x25519.pcap", "--batch"])[2]
            per = (rows["tlstop"][2] - base) * 1024 / max(1, connections)
            print(f"peak RSS {rows['tlstop'][2] / 1024:,.0f} MiB for {connections:,} open connections over a "
                  f"base of {base / 1024:.0f} MiB: {per:,.0f} bytes per connection")
            checks.append(("many-flows: under 1 KiB per connection", f"{per:,.0f} B", per < 1024))

    version = sorted(timed([args.tlstop, "--version"])[0] for _ in range(21))[10]
    print(f"\nstart-up: `tlstop --version` median of 21 runs {version * 1000:.1f} ms")
    checks.append(("start-up: --version under 50 ms", f"{version * 1000:.1f} ms", version < 0.05))
    print("\n| target | measured | holds |\n|---|---|---|")
    for name, value, holds in checks:
        print(f"| {name} | {value} | {'yes' if holds else 'NO'} |")


if __name__ == "__main__":
    sys.exit(main())
