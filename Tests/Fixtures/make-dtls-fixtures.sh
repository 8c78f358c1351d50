#!/usr/bin/env bash
# Regenerate tlstop's DTLS capture: a REAL openssl 3.0 `s_server -dtls` / `s_client -dtls` exchange
# over loopback UDP (DTLS 1.2 with a HelloVerifyRequest cookie and a fragmented certificate chain).
# Writes pcaps/dtls12-openssl.pcap and fixtures-dtls.json; the manifest comes from what s_client
# reports and is cross-checked with tshark. OpenSSL 3.0 has no DTLS 1.3.
#
# Usage (as root):   sudo Tests/Fixtures/make-dtls-fixtures.sh      (BASE_PORT default 44950)
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/fixture-common.sh
. "$HERE/lib/fixture-common.sh"
fx_init make-dtls-fixtures "tcpdump needs to open the loopback interface"
for tool in tcpdump openssl tshark python3; do fx_have "$tool" || die "missing $tool (apt-get install $tool)"; done

PCAP_DIR="$HERE/pcaps"
CERTS="$HERE/certs"
PORT=${BASE_PORT:-44950}
fx_make_work make-dtls-fixtures
fx_port_free "$PORT" 2>/dev/null || true

out="$STAGE/dtls12-openssl.pcap"
start_capture "$out" lo "udp port $PORT"
openssl s_server -dtls -accept "$PORT" -cert "$CERTS/server-rsa.pem" -key "$CERTS/server-rsa.key" \
    -naccept 1 -quiet >"$LOGS/server.log" 2>&1 &
server=$!
BG_PIDS+=("$server")   # a UDP server: nothing to see in /proc/net/tcp, so give it a moment
sleep 0.5
echo "GET / HTTP/1.0" | timeout 10 openssl s_client -dtls -connect "127.0.0.1:$PORT" -servername tlstop.test \
    -CAfile "$CERTS/ca.pem" >"$LOGS/client.log" 2>&1 || true
stop_capture "$out"
wait "$server" 2>/dev/null || true
forget_pid "$server"

python3 - "$out" "$LOGS/client.log" "$HERE/fixtures-dtls.json" <<'PY'
import json, re, subprocess, sys
pcap, client_log, manifest = sys.argv[1:]
log = open(client_log, errors="replace").read()
version = re.search(r"Protocol\s*:\s*(\S+)", log).group(1)
cipher_openssl = re.search(r"Cipher\s*:\s*(\S+)", log).group(1)
# `openssl ciphers -stdname` prints "IANA_NAME - OPENSSL-NAME VERSION Kx=…".
names = {l.split()[2]: l.split()[0] for l in subprocess.run(
    ["openssl", "ciphers", "-stdname", "ALL:@SECLEVEL=0"], capture_output=True, text=True).stdout.splitlines()
    if len(l.split()) >= 4}
cipher = names.get(cipher_openssl, cipher_openssl)
temp = re.search(r"Server Temp Key:\s*(\w+)", log).group(1).lower()
fields = subprocess.run(["tshark", "-r", pcap, "-Y", "dtls.handshake.type == 2", "-T", "fields",
                         "-e", "dtls.handshake.ciphersuite", "-e", "udp.srcport", "-e", "udp.dstport"],
                        capture_output=True, text=True).stdout.split()
assert fields and int(fields[0], 16) != 0, "tshark saw no ServerHello"
iana_by_code = {l.split()[0]: l.split()[2] for l in subprocess.run(
    ["openssl", "ciphers", "-V", "-stdname", "ALL:@SECLEVEL=0"], capture_output=True, text=True).stdout.splitlines()
    if len(l.split()) >= 4}
code = "0x%02X,0x%02X" % (int(fields[0], 16) >> 8, int(fields[0], 16) & 0xFF)
assert iana_by_code.get(code) == names.get(cipher_openssl), f"tshark {code} vs s_client {cipher_openssl}"
hvr = subprocess.run(["tshark", "-r", pcap, "-Y", "dtls.handshake.type == 3"], capture_output=True, text=True).stdout
entry = {"connections": [{"client_port": int(fields[2]), "server_port": int(fields[1]), "transport": "udp",
                          "protocol": "dtls", "version": version, "cipher": cipher, "group": temp,
                          "sni": "tlstop.test", "hello_verify_request": bool(hvr.strip())}],
         "notes": "openssl 3.0 s_server -dtls / s_client -dtls: DTLS 1.2, HelloVerifyRequest cookie, certificate in fragments"}
json.dump({"dtls12-openssl.pcap": entry}, open(manifest, "w"), indent=2)
open(manifest, "a").write("\n")
print("dtls12-openssl.pcap:", entry["connections"][0], file=sys.stderr)
PY
cp "$out" "$PCAP_DIR/"
chmod 644 "$PCAP_DIR/dtls12-openssl.pcap"
log "done: dtls12-openssl.pcap"
