# shellcheck shell=bash
# Helpers shared by the fixture generators in Tests/Fixtures: make-fixtures.sh,
# make-starttls-fixtures.sh, make-plaintext-fixtures.sh, make-policy-fixtures.sh
# and certs-unit/make-certs.sh.  Sourced, never run on its own:
#
#     . "$HERE/lib/fixture-common.sh"
#     fx_init make-fixtures "why root is needed"
#
# The first part is POSIX sh, because certs-unit/make-certs.sh is a /bin/sh
# script.  Everything after the BASH_VERSION check needs bash; sourcing the
# file defines functions and variables only and changes nothing else.

# --------------------------------------------------------------------------
# a throw-away `openssl ca` (POSIX sh)
# --------------------------------------------------------------------------
# OpenSSL 3.0 has no `x509 -not_before`, so certificates with fixed dates and
# serials are made with `openssl ca -startdate/-enddate` and a serial file.

# fx_write_ca_cnf FILE: the [ ca ], [ req ] and [ dn ] part of an `openssl ca`
# configuration whose database lives in the current directory.  The policy
# takes any subject (preserve keeps it as the request has it); the callers
# append their own [ ext_* ] sections.
fx_write_ca_cnf() {
    cat >"$1" <<'CNF'
[ ca ]
default_ca = tlstop_ca
[ tlstop_ca ]
dir             = .
database        = ./index.txt
serial          = ./serial
new_certs_dir   = ./newcerts
default_md      = sha256
policy          = policy_anything
email_in_dn     = no
unique_subject  = no
copy_extensions = none
preserve        = yes
[ policy_anything ]
commonName             = optional
organizationName       = optional
organizationalUnitName = optional
countryName            = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
CNF
}

# fx_reset_ca_db SERIAL: empty the CA database in the current directory; the
# next certificate gets serial number SERIAL (hex).
fx_reset_ca_db() {
    rm -rf index.txt index.txt.* serial serial.* newcerts
    mkdir newcerts
    : >index.txt
    echo "$1" >serial
}

# Everything below needs bash (arrays, [[ ]], (( ))): a POSIX shell stops
# here.  (The return is inside eval so that shellcheck, following this file
# from the scripts, does not take the rest for maybe-skipped.)
[ -n "${BASH_VERSION:-}" ] || eval 'return 0'

# --------------------------------------------------------------------------
# logging
# --------------------------------------------------------------------------
FX_NAME=fixtures   # set by fx_init

log() { printf '[%s] %s\n' "$FX_NAME" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$FX_NAME" "$*" >&2; exit 1; }

# --------------------------------------------------------------------------
# process bookkeeping: every background process is tracked and killed on exit
# --------------------------------------------------------------------------
declare -a BG_PIDS=()
WORK=""
POLICY_RC_D_CREATED=""
FX_KILL_GRACE=0.5     # seconds between SIGTERM and SIGKILL for what is still running on exit
FX_CLEANUP_FIRST=""   # function run on exit before the background processes are killed
FX_CLEANUP_AFTER=""   # function run on exit after they are gone

forget_pid() {
    local pid=$1 p keep=()
    for p in "${BG_PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
    BG_PIDS=("${keep[@]}")
}

# fx_cleanup: the EXIT trap (see fx_init); HERE is the script's directory
fx_cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM
    if [[ -n $FX_CLEANUP_FIRST ]]; then "$FX_CLEANUP_FIRST" || true; fi
    for pid in "${BG_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    if ((${#BG_PIDS[@]})); then
        sleep "$FX_KILL_GRACE"
        for pid in "${BG_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
        for pid in "${BG_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    fi
    if [[ -n $FX_CLEANUP_AFTER ]]; then "$FX_CLEANUP_AFTER" || true; fi
    if [[ -n $POLICY_RC_D_CREATED ]]; then rm -f /usr/sbin/policy-rc.d; fi
    if [[ -n $WORK && -d $WORK ]]; then
        if [[ ${KEEP_WORK:-0} == 1 || $rc -ne 0 ]]; then
            log "work directory kept for inspection: $WORK"
        else
            rm -rf "$WORK"
        fi
    fi
    if ((rc != 0)); then log "FAILED (exit $rc); fixtures in $HERE were left untouched"; fi
    exit "$rc"
}

# fx_init NAME WHY: the start of every script: NAME prefixes the log lines;
# a predictable environment (umask 022, the C locale, the sbin directories on
# PATH); clean-up on every exit (Ctrl-C and SIGTERM exit through it too); and
# root, because WHY.
fx_init() {
    FX_NAME=$1
    umask 022
    export LC_ALL=C
    export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
    trap fx_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    [[ $(id -u) -eq 0 ]] || die "must run as root ($2)"
}

# --------------------------------------------------------------------------
# prerequisites
# --------------------------------------------------------------------------
# fx_have CMD: CMD, a command name or the absolute path of a program or file, is there
fx_have() { if [[ $1 == /* ]]; then [[ -x $1 || -f $1 ]]; else command -v "$1" >/dev/null 2>&1; fi; }

# fx_ensure_deps [--no-services] [--before FN] [--after FN] CMD=PACKAGE ... [-- PACKAGE ...]
# apt-get installs the Debian package of every CMD that is missing, plus the
# PACKAGEs after -- (found missing by the caller), then checks the CMDs again.
#   --no-services  a temporary /usr/sbin/policy-rc.d (exit 101) keeps the
#                  packages from starting their system services while they
#                  install (removed again right after, and by fx_cleanup)
#   --before FN    run FN just before `apt-get update`
#   --after FN     run FN right after the installation
fx_ensure_deps() {
    local no_services="" before="" after="" spec missing=() specs=()
    while (($#)); do
        case $1 in
            --no-services) no_services=1; shift ;;
            --before) before=$2; shift 2 ;;
            --after) after=$2; shift 2 ;;
            *) break ;;
        esac
    done
    while (($#)) && [[ $1 != -- ]]; do specs+=("$1"); shift; done
    (($#)) && shift
    missing=("$@")
    for spec in "${specs[@]}"; do fx_have "${spec%%=*}" || missing+=("${spec#*=}"); done
    ((${#missing[@]})) || return 0
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if [[ -n $no_services && ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        POLICY_RC_D_CREATED=1
    fi
    if [[ -n $before ]]; then "$before"; fi
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
    if [[ -n $POLICY_RC_D_CREATED ]]; then rm -f /usr/sbin/policy-rc.d; POLICY_RC_D_CREATED=""; fi
    if [[ -n $after ]]; then "$after"; fi
    for spec in "${specs[@]}"; do fx_have "${spec%%=*}" || die "still missing after apt-get: ${spec%%=*}"; done
}

# --------------------------------------------------------------------------
# work directory and plan
# --------------------------------------------------------------------------
# fx_make_work NAME: a fresh WORK=/tmp/NAME.XXXXXX, with
#   STAGE  captures are built here and only copied into place at the end
#   LOGS   client, server and tcpdump logs (kept when the run fails)
#   PLAN   one line per connection / note, read by the manifest step
# WORK is mode 755 so that servers running as another user (postgres) can
# reach their directories inside it.
fx_make_work() {
    WORK="$(mktemp -d "/tmp/$1.XXXXXX")"
    chmod 755 "$WORK"
    STAGE="$WORK/pcaps"
    LOGS="$WORK/logs"
    PLAN="$WORK/plan.tsv"
    mkdir -p "$STAGE" "$LOGS"
    : >"$PLAN"
}

# shellcheck disable=SC2034  # used by the scripts
CONN_SEQ=0   # numbers the client runs (their log file names)

# plan_add kind=... key=value ...   (tab separated; values never contain tabs)
plan_add() { local IFS=$'\t'; printf '%s\n' "$*" >>"$PLAN"; }
note() { plan_add kind=note "pcap=$1" "text=$2"; }

# --------------------------------------------------------------------------
# ports
# --------------------------------------------------------------------------
port_hex() { printf '%04X' "$1"; }
# fx_port_in PORT FILE...: the /proc/net FILEs have a TCP listener, or any UDP socket, on PORT
fx_port_in() {
    local p=":$(port_hex "$1")"; shift
    awk -v p="$p" '(FILENAME ~ /tcp/ && $4 == "0A" || FILENAME ~ /udp/) && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
        "$@" 2>/dev/null
}
is_listening() { fx_port_in "$1" /proc/net/tcp /proc/net/tcp6; }                          # a TCP listener
is_bound() { fx_port_in "$1" /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6; } # ... or a UDP socket

# fx_port_free PORT [CHECK]: die if CHECK (is_listening, or is_bound) finds PORT taken
fx_port_free() {
    if "${2:-is_listening}" "$1"; then die "port $1 is already in use; set BASE_PORT to a free range"; fi
}

# fx_wait_port CHECK PORT PID TRIES: 0 as soon as CHECK PORT succeeds, 1 if
# process PID exits first; dies after TRIES checks 50 ms apart
fx_wait_port() {
    local check=$1 port=$2 pid=$3 tries=$4 i
    for ((i = 0; i < tries; i++)); do
        "$check" "$port" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    die "nothing is listening on port $port after $((tries / 20)) s"
}

# wait_listen PORT PID [LOG]: wait until server PID listens on TCP PORT; if it
# exits first, die (quoting its LOG if given)
wait_listen() {
    fx_wait_port is_listening "$1" "$2" 200 && return 0
    if [[ -n ${3:-} ]]; then die "server for port $1 exited before listening: $(cat "$3")"; fi
    die "server for port $1 exited before listening (see $LOGS)"
}

# --------------------------------------------------------------------------
# servers that end by themselves (s_server -naccept, responders)
# --------------------------------------------------------------------------
declare -a SERVER_PIDS=()

# track_server PID PORT [LOG]: a server that exits after its connections;
# returns once it listens on PORT (see wait_listen)
track_server() {
    BG_PIDS+=("$1"); SERVER_PIDS+=("$1")
    wait_listen "$2" "$1" "${3:-}"
}

# fx_wait_servers [NOUN [FAILLOG]]: wait for every tracked server; a timeout
# (exit 124) is fatal, and with FAILLOG any non-zero exit is too
fx_wait_servers() {
    local what=${1:-server} faillog=${2:-} pid rc
    for pid in "${SERVER_PIDS[@]}"; do
        rc=0; wait "$pid" || rc=$?
        forget_pid "$pid"
        ((rc != 124)) || die "a $what timed out (see $LOGS)"
        [[ -z $faillog ]] || ((rc == 0)) || die "a $what failed with exit $rc (see $faillog)"
    done
    SERVER_PIDS=()
}
wait_servers() { fx_wait_servers server; }

# --------------------------------------------------------------------------
# capture
# --------------------------------------------------------------------------
TCPDUMP_PID=""

# start_capture [-y LINKTYPE] FILE IFACE FILTER [NETNS]: tcpdump FILTER on
# IFACE (inside network namespace NETNS if given) into FILE, in the
# background; returns once tcpdump is listening, plus 1 s
start_capture() {
    local lt=()
    if [[ $1 == -y ]]; then lt=(-y "$2"); shift 2; fi
    local file=$1 iface=$2 filter=$3 ns=${4:-} i tlog="$LOGS/$(basename "$1").tcpdump.log"
    local pre=()
    [[ -n $ns ]] && pre=(ip netns exec "$ns")
    : >"$tlog"
    # -B: a roomy ring buffer. With -s 0 each ring slot is sized for the
    # largest MTU, and the default 2 MB buffer ("-i any" especially) holds
    # only a handful of slots, so a burst of handshake packets can be dropped.
    "${pre[@]}" tcpdump -i "$iface" "${lt[@]}" --immediate-mode -U -s 0 -B 32768 -n -Z root \
        -w "$file" "$filter" 2>"$tlog" &
    TCPDUMP_PID=$!
    BG_PIDS+=("$TCPDUMP_PID")
    for ((i = 0; i < 100; i++)); do
        grep -q 'listening on' "$tlog" && break
        kill -0 "$TCPDUMP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$tlog")"
        sleep 0.1
    done
    ((i < 100)) || die "tcpdump did not become ready"
    sleep 1
}

# stop_capture FILE: 1.5 s after the exchange (so the last FIN/ACKs are in),
# stop tcpdump with SIGINT (SIGTERM after 5 s); fail if it dropped packets or
# wrote nothing beyond the file header
stop_capture() {
    local file=$1 i rc=0 tlog="$LOGS/$(basename "$1").tcpdump.log"
    sleep 1.5
    kill -INT "$TCPDUMP_PID" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$TCPDUMP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$TCPDUMP_PID" 2>/dev/null && kill -TERM "$TCPDUMP_PID" 2>/dev/null
    wait "$TCPDUMP_PID" || rc=$?
    forget_pid "$TCPDUMP_PID"; TCPDUMP_PID=""
    ((rc == 0)) || die "tcpdump exited with $rc: $(cat "$tlog")"
    grep -qE '^0 packets dropped by kernel' "$tlog" || die "tcpdump dropped packets: $(cat "$tlog")"
    [[ -s $file ]] && (($(stat -c %s "$file") > 24)) || die "$(basename "$file") is empty"
}

# --------------------------------------------------------------------------
# the manifest step
# --------------------------------------------------------------------------
# fx_python PYTHON ARG... <<'PY' ... PY: run the manifest builder read from
# stdin as `PYTHON - ARG...`, with FX_PY_HELPERS (below) defined before it.
# fx_run_capture NAME FUNCTION PORT [MORE_PORTS...]: capture loopback tcp on any of the ports into
# $STAGE/NAME while FUNCTION NAME PORT... runs the exchange (each port checked free first).
fx_run_capture() {
    local name=$1 fn=$2 p filter=""; shift 2
    log "capture $name (port $*)"
    for p in "$@"; do
        fx_port_free "$p"
        filter+="${filter:+ or }tcp port $p"
    done
    start_capture "$STAGE/$name" lo "$filter"
    "$fn" "$name" "$@"
    stop_capture "$STAGE/$name"
}

fx_python() {
    local py=$1; shift
    { printf '%s\n' "$FX_PY_HELPERS"; cat; } | FX_LOG_PREFIX="[$FX_NAME]" "$py" - "$@"
}

# Helpers of the manifest builders: tshark's view of a capture and s_client's
# report, to cross-check one against the other.
FX_PY_HELPERS=$(cat <<'PY'
# ---- shared helpers, from FX_PY_HELPERS in Tests/Fixtures/lib/fixture-common.sh ----
import collections, os, re, struct, subprocess, sys

LOG_PREFIX = os.environ["FX_LOG_PREFIX"]


def fail(msg):
    print(f"{LOG_PREFIX} ERROR: manifest check failed: {msg}", file=sys.stderr)
    sys.exit(1)


# ---- name tables (a script may add entries) ----------------------------------
GROUP_CODES = {23: "secp256r1", 24: "secp384r1", 25: "secp521r1", 29: "x25519", 30: "x448",
               256: "ffdhe2048", 257: "ffdhe3072", 258: "ffdhe4096", 259: "ffdhe6144", 260: "ffdhe8192"}
OSSL_GROUPS = {"X25519": "x25519", "X448": "x448", "prime256v1": "secp256r1", "P-256": "secp256r1",
               "secp384r1": "secp384r1", "P-384": "secp384r1", "secp521r1": "secp521r1", "P-521": "secp521r1"}
WIRE_VERSIONS = {0x0301: "TLSv1.0", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
OSSL_VERSIONS = {"TLSv1": "TLSv1.0", "TLSv1.0": "TLSv1.0", "TLSv1.1": "TLSv1.1", "TLSv1.2": "TLSv1.2", "TLSv1.3": "TLSv1.3"}
# ServerHello.random of a HelloRetryRequest (RFC 8446, 4.1.3)
HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
LINKTYPE_NAMES = {0: "NULL", 1: "ETHERNET", 101: "RAW", 113: "LINUX_SLL", 276: "LINUX_SLL2"}


def read_openssl_ciphers(path):
    """(CODE2STD, NAME2CODE, PROPS) from `openssl ciphers -stdname -V`: IANA name by code, code by
    IANA or OpenSSL name, and Kx/Au/Enc/Mac by code."""
    code2std, name2code, props = {}, {}, {}
    for line in open(path):
        m = re.match(r"\s*0x([0-9A-Fa-f]{2}),0x([0-9A-Fa-f]{2})\s+-\s+(\S+)\s+-\s+(\S+)\s", line)
        if m:
            code = int(m[1] + m[2], 16)
            code2std[code] = m[3]
            name2code[m[3]] = code
            name2code[m[4]] = code
            p = re.search(r"\sKx=(\S+)\s+Au=(\S+)\s+Enc=(\S+)\s+Mac=(\S+)", line)
            if p:
                props[code] = {"kx": p[1], "au": p[2], "enc": p[3], "mac": p[4]}
    if not code2std:
        fail("could not parse `openssl ciphers -stdname -V`")
    return code2std, name2code, props


def std_cipher(name):
    """IANA name of an IANA or OpenSSL cipher name (uses the script's CODE2STD / NAME2CODE)."""
    code = NAME2CODE.get(name)
    if code is None:
        fail(f"unknown cipher name {name!r}")
    return CODE2STD[code]


# ---- the plan (written by plan_add) -------------------------------------------
def plan_records(path):
    """(kind, record) for every line of the plan: tab-separated key=value fields."""
    for line in open(path, newline="\n"):
        rec = dict(kv.split("=", 1) for kv in line.rstrip("\n").split("\t") if kv)
        yield rec.pop("kind"), rec


def read_plan(path, unordered=()):
    """The plan as (ORDER, NOTES, PLAN): the capture files in the order the script made them,
    {pcap: note text}, and the other records as {kind: {pcap: [records in plan order]}} (records
    without a pcap under None).  Records of the kinds in UNORDERED do not add to ORDER."""
    order, notes = [], {}
    plan = collections.defaultdict(lambda: collections.defaultdict(list))
    for kind, rec in plan_records(path):
        pcap = rec.get("pcap")
        if pcap is not None and kind not in unordered and pcap not in order:
            order.append(pcap)
        if kind == "note":
            notes[pcap] = rec["text"]
        else:
            plan[kind][pcap].append(rec)
    return order, notes, plan


def convert(v):
    """A plan value (expect_*=...) as JSON has it."""
    return {"true": True, "false": False, "null": None}.get(v, int(v) if v.isdigit() else v)


# ---- capture files ----------------------------------------------------------
# byte order and timestamp unit of a classic pcap file, by its magic number
PCAP_MAGIC = {b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
              b"\xa1\xb2\xc3\xd4": (">", 1e-6), b"\xa1\xb2\x3c\x4d": (">", 1e-9)}


def pcap_records(path, data):
    """The classic pcap file DATA (read from PATH) as (link-type field, timestamp unit,
    [(seconds, sub-seconds) of each record], offset after the last record); that offset is
    len(DATA) unless the file is truncated."""
    if data[:4] not in PCAP_MAGIC:
        fail(f"{path}: not a pcap file")
    bo, unit = PCAP_MAGIC[data[:4]]
    lt = struct.unpack(bo + "I", data[20:24])[0]
    off, recs = 24, []
    while off + 16 <= len(data):
        sec, sub, incl = struct.unpack(bo + "III", data[off:off + 12])
        recs.append((sec, sub))
        off += 16 + incl
    return lt, unit, recs, off


# ---- tshark -----------------------------------------------------------------
def tshark_tcp_streams(path, fields, decodes, yfilter=None, prefs=()):
    """tshark's FIELDS of the frames of PATH (those matching YFILTER), grouped by TCP stream: a
    list (one entry per stream) of lists of rows {field: [values]}.  DECODES: (port, dissector)
    pairs for `-d tcp.port==PORT,DISSECTOR`; PREFS: `-o` preferences."""
    cmd = ["tshark", "-n", "-r", path]
    for o in prefs:
        cmd += ["-o", o]
    for port, proto in decodes:
        cmd += ["-d", f"tcp.port=={port},{proto}"]
    if yfilter:
        cmd += ["-Y", yfilter]
    cmd += ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=|", "-E", "quote=n"]
    for f in fields:
        cmd += ["-e", f]
    res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if res.returncode != 0:
        fail(f"tshark failed on {path}: {res.stderr.strip()}")
    streams = collections.OrderedDict()
    for line in res.stdout.splitlines():
        vals = line.split("\t")
        if len(vals) != len(fields):
            fail(f"tshark printed {len(vals)} fields instead of {len(fields)} in {path}: {line[:200]!r}")
        row = {f: (v.split("|") if v else []) for f, v in zip(fields, vals)}
        if not row["tcp.stream"]:
            continue
        streams.setdefault(int(row["tcp.stream"][0]), []).append(row)
    return list(streams.values())


def ints(rows, field):
    return [int(v, 0) for r in rows for v in r[field]]


# ---- one TLS connection as tshark sees it -------------------------------------
def directions(rows, server_port):
    """(the server's rows, the client's rows) of one TCP stream."""
    return ([r for r in rows if int(r["tcp.srcport"][0]) == server_port],
            [r for r in rows if int(r["tcp.dstport"][0]) == server_port])


def hellos(srv, cli):
    """(the ClientHellos, the real ServerHellos, whether there was a HelloRetryRequest)."""
    ch = [r for r in cli if "1" in r["tls.handshake.type"]]
    sh = [r for r in srv if "2" in r["tls.handshake.type"]]
    is_hrr = lambda r: bool(r["tls.handshake.random"]) and r["tls.handshake.random"][0].replace(":", "").lower() == HRR_RANDOM
    return ch, [r for r in sh if not is_hrr(r)], any(is_hrr(r) for r in sh)


def hello_version(s):
    """The version a ServerHello row S selects: its supported_versions (TLS 1.3), else its version."""
    sv = ints([s], "tls.handshake.extensions.supported_version")
    hv = ints([s], "tls.handshake.version")
    return WIRE_VERSIONS.get((sv or hv)[-1])


# ---- openssl s_client's report ----------------------------------------------
def openssl_session(text, m):
    """(version, IANA cipher) of the session s_client reports; M is the match of its
    "New|Reused, VERSION, Cipher is CIPHER" line.  NB: that VERSION is the cipher's minimum
    protocol version (SSL_CIPHER_get_version), not the negotiated one; the negotiated protocol
    is the SSL-Session "Protocol" line."""
    protos = set(re.findall(r"^\s*Protocol\s*:\s*(\S+)", text, re.M))
    ciphers = set(re.findall(r"^\s*Cipher\s*:\s*(\S+)", text, re.M))
    if len(protos) != 1 or ciphers != {m[3]}:
        fail(f"s_client reports inconsistent sessions: {protos} {ciphers} vs {m[0]!r}")
    return OSSL_VERSIONS[protos.pop()], std_cipher(m[3])


def openssl_temp_key(value, version):
    """(group, dh_bits) from s_client's "Server Temp Key: VALUE" (e.g. "X25519, 253 bits",
    "ECDH, prime256v1, 256 bits", "DH, 2048 bits"; finite-field DH is a named group in TLS 1.3)."""
    parts = [x.strip() for x in value.split(",")]
    if parts[0] == "DH":
        bits = int(parts[1].split()[0])
        return (f"ffdhe{bits}" if version == "TLSv1.3" else None), bits
    if parts[0] == "ECDH":
        return OSSL_GROUPS[parts[1]], None
    return OSSL_GROUPS[parts[0]], None
# ---- end of the shared helpers ---------------------------------------------------
PY
)

# --------------------------------------------------------------------------
# install the results
# --------------------------------------------------------------------------
# fx_check_size MAX_BYTES WHAT PATH...: die unless the PATHs add up to less than MAX_BYTES
fx_check_size() {
    local max=$1 what=$2 total; shift 2
    total=$(du -cb "$@" | tail -n1 | cut -f1)
    ((total < max)) || die "$what too large: $total bytes"
}

# fx_install_captures FILE...: copy the staged captures into PCAP_DIR, replacing
# the files of the same name (and nothing else)
fx_install_captures() {
    local f
    mkdir -p "$PCAP_DIR"
    for f in "$@"; do rm -f "$PCAP_DIR/$(basename "$f")"; done
    cp "$@" "$PCAP_DIR"/
    for f in "$@"; do chmod 644 "$PCAP_DIR/$(basename "$f")"; done
}

# fx_install_manifest FILE: FILE becomes $MANIFEST
fx_install_manifest() {
    cp "$1" "$MANIFEST"
    chmod 644 "$MANIFEST"
}

# fx_list_captures WIDTH FILE...: name, size and packet count of each capture
fx_list_captures() {
    local width=$1 f; shift
    for f in "$@"; do
        printf '  %-*s %6d bytes  %4d packets\n' "$width" "$(basename "$f")" "$(stat -c %s "$f")" \
            "$(tshark -n -r "$f" 2>/dev/null | wc -l)" >&2
    done
}
