#!/usr/bin/env bash
# Regenerate tlstop's QUIC packet-capture fixtures: REAL QUIC connections over
# loopback (127.0.0.1 only, UDP) between a small aioquic client and server
# (quic-responders/quic_client.py and quic_server.py).  Writes
# pcaps/quic-v1.pcap, pcaps/quic-v2.pcap (if aioquic can speak QUIC version 2)
# and pcaps/quic-retry.pcap, plus fixtures-quic.json.
#
# Every capture holds one connection: TLS 1.3 handshake with SNI tlstop.test
# and ALPN "hq-interop" (server certificate certs/server-rsa.pem, verified by
# the client against certs/ca.pem), one short request on a bidirectional
# stream, a short answer, and a clean CONNECTION_CLOSE (no error) from the
# client.
#
# The manifest comes from what aioquic itself reports on the client side
# (negotiated QUIC version, the TLS key schedule's cipher suite, the group of
# the server's key_share, whether a Retry was received) and is cross-checked
# against tshark's dissection of the capture (tshark derives the Initial keys
# and decodes the ClientHello / ServerHello: QUIC version, suite, key_share
# group, SNI, ALPN, Retry packet).  Any disagreement aborts the run.
#
# Usage (as root, on Debian 12 or similar):   sudo Tests/Fixtures/make-quic-fixtures.sh
#
# Environment:
#   BASE_PORT     servers on BASE_PORT+1..3, clients on BASE_PORT+11..13 (default 44900)
#   AIOQUIC_SPEC  what `pip install` gets when aioquic is missing (default "aioquic")
#   KEEP_WORK=1   keep the temporary work directory (logs, venv) for debugging
#
# If the system python3 cannot import aioquic, it is pip-installed into a
# venv inside the temporary work directory (needs PyPI).  Captures and the
# manifest are built in the work directory and only copied into place after
# every check passed.  See README.md ("QUIC captures").

set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/fixture-common.sh
. "$HERE/lib/fixture-common.sh"
fx_init make-quic-fixtures "tcpdump needs to open the loopback interface"

PCAP_DIR="$HERE/pcaps"
MANIFEST="$HERE/fixtures-quic.json"
RESP="$HERE/quic-responders"
CERT="$HERE/certs/server-rsa.pem"
KEY="$HERE/certs/server-rsa.key"
CA="$HERE/certs/ca.pem"
BASE_PORT="${BASE_PORT:-44900}"
AIOQUIC_SPEC="${AIOQUIC_SPEC:-aioquic}"
SNI="tlstop.test"
ALPN="hq-interop"

((BASE_PORT >= 1024 && BASE_PORT + 13 <= 65535)) || die "BASE_PORT out of range"
for f in "$CERT" "$KEY" "$CA" "$RESP/quic_server.py" "$RESP/quic_client.py"; do
    [[ -s $f ]] || die "missing $f"
done

# --------------------------------------------------------------------------
# prerequisites
# --------------------------------------------------------------------------
extra=()
python3 -c 'import ensurepip, venv' 2>/dev/null || extra+=(python3-venv)
fx_ensure_deps tcpdump=tcpdump python3=python3 tshark=tshark timeout=coreutils -- "${extra[@]}"

fx_make_work tlstop-quic-fixtures

PY=python3
if ! python3 -c 'import aioquic' 2>/dev/null; then
    log "aioquic not importable by python3; installing '$AIOQUIC_SPEC' into a venv in $WORK"
    python3 -m venv "$WORK/venv" || die "python3 -m venv failed"
    "$WORK/venv/bin/pip" install --disable-pip-version-check -q "$AIOQUIC_SPEC" >"$LOGS/pip.log" 2>&1 ||
        die "pip install $AIOQUIC_SPEC failed: $(tail -n 5 "$LOGS/pip.log")"
    PY="$WORK/venv/bin/python"
fi
AIOQUIC_VERSION=$("$PY" -c 'import aioquic; print(aioquic.__version__)') || die "aioquic does not import"
log "aioquic $AIOQUIC_VERSION ($PY), $(tshark --version | head -n1)"
HAVE_V2=1
"$PY" -c 'from aioquic.quic.packet import QuicProtocolVersion as V; V.VERSION_2' 2>/dev/null || HAVE_V2=""

skip() { log "SKIPPED $1: $2"; plan_add kind=skip "pcap=$1" "text=$2"; }

# --------------------------------------------------------------------------
# one capture = one QUIC connection
# --------------------------------------------------------------------------
# quic_capture PCAP N VERSION(1|2) RETRY(0|1) NOTE: server on BASE_PORT+N,
# client on BASE_PORT+10+N
quic_capture() {
    local pcap=$1 n=$2 ver=$3 retry=$4 text=$5
    local sp=$((BASE_PORT + n)) cp=$((BASE_PORT + 10 + n)) pid rargs=()
    local slog="$LOGS/$pcap.server.log" clog="$LOGS/$pcap.client.log" cjson="$LOGS/$pcap.client.json"
    ((retry)) && rargs=(--retry)
    fx_port_free "$sp" is_bound
    fx_port_free "$cp" is_bound
    log "$pcap: QUIC version $ver, retry=$retry, 127.0.0.1:$cp -> 127.0.0.1:$sp"
    start_capture "$STAGE/$pcap" lo "udp and host 127.0.0.1 and (port $sp or port $cp)"
    timeout 30 "$PY" "$RESP/quic_server.py" --port "$sp" --cert "$CERT" --key "$KEY" --alpn "$ALPN" \
        --versions "$ver" "${rargs[@]}" --timeout 20 >"$slog" 2>&1 &
    pid=$!
    BG_PIDS+=("$pid"); SERVER_PIDS+=("$pid")
    fx_wait_port is_bound "$sp" "$pid" 200 || die "QUIC server for port $sp exited early: $(cat "$slog")"
    timeout 20 "$PY" "$RESP/quic_client.py" --port "$sp" --local-port "$cp" --sni "$SNI" --ca "$CA" \
        --alpn "$ALPN" --versions "$ver" --timeout 10 >"$cjson" 2>"$clog" ||
        die "$pcap: QUIC client failed: $(tail -n 20 "$clog")"
    fx_wait_servers "QUIC server" "$slog"
    stop_capture "$STAGE/$pcap"
    plan_add kind=conn "pcap=$pcap" "json=$cjson" "server_port=$sp" "client_port=$cp" "want_version=$ver" "retry=$retry"
    note "$pcap" "$text"
}

quic_capture quic-v1.pcap 1 1 0 \
    "one QUIC v1 connection (aioquic $AIOQUIC_VERSION client and server): TLS 1.3 handshake, ALPN $ALPN, SNI $SNI, one request/answer stream, clean CONNECTION_CLOSE"
if [[ -n $HAVE_V2 ]]; then
    quic_capture quic-v2.pcap 2 2 0 \
        "one QUIC version 2 (RFC 9369, 0x6b3343cf) connection, both ends configured with VERSION_2 only; otherwise as quic-v1.pcap"
else
    skip quic-v2.pcap "aioquic $AIOQUIC_VERSION has no QuicProtocolVersion.VERSION_2"
fi
quic_capture quic-retry.pcap 3 1 1 \
    "QUIC v1 with a stateless Retry: the server (aioquic retry=True) answers the first Initial with a Retry, the client repeats its Initial with the token; otherwise as quic-v1.pcap"

# --------------------------------------------------------------------------
# manifest: aioquic's report, cross-checked with tshark
# --------------------------------------------------------------------------
fx_python python3 "$PLAN" "$STAGE" "$WORK/fixtures-quic.json" "$WORK" "$AIOQUIC_VERSION" <<'PY'
import datetime, json

plan_path, stage, out_path, work, aioquic_version = sys.argv[1:6]
order, notes, plan = read_plan(plan_path, unordered=("skip",))
conns = plan["conn"]
skips = {p: r[0]["text"] for p, r in plan["skip"].items()}

QUIC_VERSIONS = {0x00000001: "QUICv1", 0x6B3343CF: "QUICv2"}
TLS13_SUITES = {0x1301: "TLS_AES_128_GCM_SHA256", 0x1302: "TLS_AES_256_GCM_SHA384",
                0x1303: "TLS_CHACHA20_POLY1305_SHA256", 0x1304: "TLS_AES_128_CCM_SHA256",
                0x1305: "TLS_AES_128_CCM_8_SHA256"}
FIELDS = ["frame.number", "udp.srcport", "udp.dstport", "quic.version", "quic.retry_integrity_tag",
          "tls.handshake.type", "tls.handshake.ciphersuite", "tls.handshake.extensions_key_share_group",
          "tls.handshake.extensions_server_name", "tls.handshake.extensions_alpn_str",
          "tls.handshake.extensions.supported_version"]


def tshark_rows(path):
    cmd = ["tshark", "-n", "-r", path, "-Y", "quic", "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=a", "-E", "aggregator=|", "-E", "quote=n"]
    for f in FIELDS:
        cmd += ["-e", f]
    res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if res.returncode != 0:
        fail(f"tshark failed on {path}: {res.stderr.strip()}")
    rows = []
    for line in res.stdout.splitlines():
        vals = line.split("\t")
        if len(vals) != len(FIELDS):
            fail(f"tshark printed {len(vals)} fields instead of {len(FIELDS)} in {path}: {line[:200]!r}")
        rows.append({f: (v.split("|") if v else []) for f, v in zip(FIELDS, vals)})
    return rows


def tshark_view(path, sp, cp):
    rows = tshark_rows(path)
    if not rows:
        fail(f"{path}: tshark sees no QUIC")
    v = {"ports": set(), "versions": set(), "retry": 0, "ch": [], "sh": []}
    for r in rows:
        src, dst = int(r["udp.srcport"][0]), int(r["udp.dstport"][0])
        v["ports"].add((src, dst))
        v["versions"] |= {int(x, 0) for x in r["quic.version"]}
        if r["quic.retry_integrity_tag"]:
            if src != sp:
                fail(f"{path}: a Retry from port {src}")
            v["retry"] += 1
        types = [int(x) for x in r["tls.handshake.type"]]
        if 1 in types:
            v["ch"].append(r)
        if 2 in types:
            v["sh"].append(r)
    if v["ports"] - {(cp, sp), (sp, cp)}:
        fail(f"{path}: unexpected UDP ports {sorted(v['ports'])}")
    if not v["ch"] or len(v["sh"]) != 1:
        fail(f"{path}: tshark decodes {len(v['ch'])} ClientHello frames and {len(v['sh'])} ServerHello frames "
             f"(the Initials did not decrypt?)")
    ch, sh = v["ch"][0], v["sh"][0]
    v["sni"] = ch["tls.handshake.extensions_server_name"][0] if ch["tls.handshake.extensions_server_name"] else None
    v["alpn_offer"] = ch["tls.handshake.extensions_alpn_str"]
    v["offer_suites"] = [int(x, 0) for x in ch["tls.handshake.ciphersuite"]]
    v["offer_key_shares"] = [int(x) for x in ch["tls.handshake.extensions_key_share_group"]]
    if len(sh["tls.handshake.ciphersuite"]) != 1 or len(sh["tls.handshake.extensions_key_share_group"]) != 1:
        fail(f"{path}: ServerHello frame decodes as {sh}")
    v["cipher_code"] = int(sh["tls.handshake.ciphersuite"][0], 0)
    v["group_code"] = int(sh["tls.handshake.extensions_key_share_group"][0])
    v["sh_version"] = [int(x, 0) for x in sh["tls.handshake.extensions.supported_version"]]
    return v


manifest = collections.OrderedDict()
for pcap in order:
    path = os.path.join(stage, pcap)
    data = open(path, "rb").read()
    lt, unit, recs, end = pcap_records(path, data)
    if end != len(data):
        fail(f"{pcap}: truncated capture")
    if lt != 1:
        fail(f"{pcap}: link type {lt}, expected 1 (Ethernet)")
    out = []
    for rec in conns[pcap]:
        sp, cp = int(rec["server_port"]), int(rec["client_port"])
        a = json.load(open(rec["json"]))
        t = tshark_view(path, sp, cp)
        where = f"{pcap} {cp}->{sp}"
        want_v = {"1": 0x00000001, "2": 0x6B3343CF}[rec["want_version"]]
        want_retry = rec["retry"] == "1"
        if a["answer"] != "tlstop fixture\n":
            fail(f"{where}: the client read {a['answer']!r}")
        if a["tls_state"] != "CLIENT_POST_HANDSHAKE":
            fail(f"{where}: client TLS state {a['tls_state']}")
        if len(a["group_codes"]) != 1:
            fail(f"{where}: aioquic decoded {len(a['group_codes'])} server key shares")
        checks = {
            "quic_version": (a["quic_version"], want_v,
                             min(t["versions"]) if len(t["versions"]) == 1 else sorted(t["versions"])),
            "cipher": (a["cipher_code"], None, t["cipher_code"]),
            "group": (a["group_codes"][0], None, t["group_code"]),
            "sni": (a["sni"], "tlstop.test", t["sni"]),
            "retry": (a["retry_received"], want_retry, t["retry"] == 1 if want_retry else t["retry"] != 0),
            "tls_version": (0x0304, None, t["sh_version"][0] if len(t["sh_version"]) == 1 else t["sh_version"]),
        }
        for k, (mine, wanted, theirs) in checks.items():
            if mine != theirs:
                fail(f"{where}: {k}: aioquic reports {mine!r} but tshark decodes {theirs!r}")
            if wanted is not None and mine != wanted:
                fail(f"{where}: {k}: expected {wanted!r}, aioquic reports {mine!r}")
        if a["alpn"] != "hq-interop" or t["alpn_offer"] != ["hq-interop"]:
            fail(f"{where}: ALPN: aioquic negotiated {a['alpn']!r}, ClientHello offers {t['alpn_offer']!r}")
        if a["cipher_code"] not in TLS13_SUITES or a["group_codes"][0] not in GROUP_CODES:
            fail(f"{where}: unknown suite 0x{a['cipher_code']:04x} or group {a['group_codes'][0]}")
        e = collections.OrderedDict()
        e["client_port"] = cp
        e["server_port"] = sp
        e["transport"] = "udp"
        e["protocol"] = "quic"
        e["version"] = "TLSv1.3"
        e["cipher"] = TLS13_SUITES[a["cipher_code"]]
        e["group"] = GROUP_CODES[a["group_codes"][0]]
        e["sni"] = a["sni"]
        e["quic_version"] = QUIC_VERSIONS[a["quic_version"]]
        e["alpn"] = a["alpn"]
        e["retry"] = a["retry_received"]
        e["client_offer"] = collections.OrderedDict([
            ("ciphers", [TLS13_SUITES.get(x, f"0x{x:04X}") for x in t["offer_suites"]]),
            ("key_share_groups", [GROUP_CODES.get(x, f"0x{x:04X}") for x in t["offer_key_shares"]])])
        e["source"] = (f"aioquic {aioquic_version} client report (QuicConnection version, tls key_schedule "
                       f"cipher_suite, ServerHello key_share group); cross-checked with tshark")
        out.append(e)
    ts = datetime.datetime.fromtimestamp(recs[0][0], datetime.timezone.utc)
    manifest[pcap] = collections.OrderedDict(
        [("link_type", lt), ("link_type_name", LINKTYPE_NAMES.get(lt, str(lt))), ("format", "pcap"),
         ("packets", len(recs)), ("bytes", len(data)), ("capture_time", ts.strftime("%Y-%m-%dT%H:%M:%SZ")),
         ("connections", out), ("notes", notes.get(pcap, ""))])

with open(out_path, "w") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
with open(os.path.join(work, "skipped.txt"), "w") as f:
    for k, v in skips.items():
        f.write(f"{k}\t{v}\n")
print(f"{LOG_PREFIX} manifest: {len(manifest)} files cross-checked", file=sys.stderr)
for name, m in manifest.items():
    for c in m["connections"]:
        print(f"  {name:18s} {c['quic_version']} {c['version']} {c['cipher']:28s} {c['group']:10s} "
              f"sni={c['sni']} alpn={c['alpn']} retry={c['retry']}", file=sys.stderr)
PY

# --------------------------------------------------------------------------
# install the results (only this script's quic-* captures are replaced)
# --------------------------------------------------------------------------
fx_check_size 200000 captures "$STAGE"/*
rm -f "$PCAP_DIR"/quic-*.pcap
fx_install_captures "$STAGE"/quic-*.pcap
fx_install_manifest "$WORK/fixtures-quic.json"

log "done: $(ls "$PCAP_DIR"/quic-*.pcap | wc -l) QUIC captures in $PCAP_DIR"
fx_list_captures 18 "$PCAP_DIR"/quic-*.pcap
while IFS=$'\t' read -r f why; do log "skipped $f: $why"; done <"$WORK/skipped.txt"
