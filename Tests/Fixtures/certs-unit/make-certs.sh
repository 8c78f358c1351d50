#!/bin/sh
# Generates the small DER certificates used by CertificateFactsTests.
#
# Run once from anywhere; the outputs (*.der) are committed. Keys are throw-away and are not kept.
# Dates and serial numbers are fixed (via `openssl ca -startdate/-enddate` and a serial file), so
# re-running produces certificates with the same facts except for key material and signatures.
#
# Requires OpenSSL 3.x. OpenSSL 3.0 has no `x509 -not_before`, hence the `openssl ca` dance.
set -eu

# fx_write_ca_cnf, fx_reset_ca_db (the POSIX sh part of the library)
. "$(dirname "$0")/../lib/fixture-common.sh"

OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

fx_write_ca_cnf ca.cnf
cat >> ca.cnf <<'CNF'
[ ext_ca ]
basicConstraints       = critical,CA:true
keyUsage               = critical,keyCertSign,cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
[ ext_self ]
basicConstraints       = critical,CA:false
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
[ ext_self_san ]
basicConstraints       = critical,CA:false
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:selfsigned.tlstop.test
[ ext_leaf ]
basicConstraints       = critical,CA:false
keyUsage               = critical,digitalSignature,keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:tlstop.test,DNS:*.wild.tlstop.test,IP:127.0.0.1,IP:::1
[ ext_expired ]
basicConstraints       = critical,CA:false
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:expired.tlstop.test
[ ext_samename ]
basicConstraints       = critical,CA:false
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ ext_cnonly ]
basicConstraints       = critical,CA:false
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
CNF

# sign NAME KEY SUBJECT SERIAL START END EXT MD [SIGNER_CERT SIGNER_KEY] [extra ca args...]
# Without SIGNER_* the certificate is self-signed with KEY.
sign() {
    name=$1 key=$2 subj=$3 serial=$4 start=$5 end=$6 ext=$7 md=$8
    shift 8
    fx_reset_ca_db "$serial"
    openssl req -new -config ca.cnf -key "$key" -subj "$subj" -out "$name.csr" 2>/dev/null
    if [ "${1:-}" = "--signer" ]; then
        signer_cert=$2 signer_key=$3
        shift 3
        openssl ca -batch -config ca.cnf -notext -md "$md" -startdate "$start" -enddate "$end" \
            -cert "$signer_cert" -keyfile "$signer_key" -extensions "$ext" -extfile ca.cnf \
            -in "$name.csr" -out "$name.pem" "$@" 2>ca.log || { cat ca.log >&2; return 1; }
    else
        openssl ca -batch -config ca.cnf -notext -md "$md" -startdate "$start" -enddate "$end" \
            -selfsign -keyfile "$key" -extensions "$ext" -extfile ca.cnf \
            -in "$name.csr" -out "$name.pem" "$@" 2>ca.log || { cat ca.log >&2; return 1; }
    fi
    openssl x509 -in "$name.pem" -outform DER -out "$OUT/$name.der"
    echo "wrote $name.der"
}

# RSA 2048 CA (notAfter in 2055 so it is encoded as GeneralizedTime) and a CA-signed leaf.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ca.key 2>/dev/null
sign rsa2048-ca ca.key "/CN=tlstop Test CA/O=tlstop" 1000 \
    20250101000000Z 20550101000000Z ext_ca sha256
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out leaf.key 2>/dev/null
sign rsa2048-leaf leaf.key "/CN=tlstop.test/O=tlstop" 1001 \
    20250101000000Z 20350101000000Z ext_leaf sha256 --signer rsa2048-ca.pem ca.key

# Expired CA-signed leaf, and a leaf with only a CN (no subjectAltName extension).
sign expired leaf.key "/CN=expired.tlstop.test" 1002 \
    20200101000000Z 20210101000000Z ext_expired sha256 --signer rsa2048-ca.pem ca.key
sign cn-only leaf.key "/CN=cnonly.tlstop.test/O=tlstop" 1003 \
    20250101000000Z 20350101000000Z ext_cnonly sha256 --signer rsa2048-ca.pem ca.key

# Weak RSA: 1024-bit SHA-1 and 512-bit MD5, both self-signed.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.key 2>/dev/null
sign rsa1024-sha1 rsa1024.key "/CN=weak1024.tlstop.test" 2001 \
    20250101000000Z 20350101000000Z ext_self_san sha1
if openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:512 -out rsa512.key 2>/dev/null &&
    sign rsa512-md5 rsa512.key "/CN=weak512.tlstop.test" 2002 \
        20250101000000Z 20350101000000Z ext_self_san md5; then
    :
else
    echo "note: this OpenSSL refused a 512-bit RSA / MD5 certificate; rsa512-md5.der not generated" >&2
fi

# Subject == issuer but signed by a *different* key ("same-name" certificates). The 2048-bit one
# is checked by signature verification, the 1024-bit one (which swift-certificates cannot load)
# by the authority/subject key identifier fallback.
sign rsa2048-samename leaf.key "/CN=tlstop Test CA/O=tlstop" 1004 \
    20250101000000Z 20350101000000Z ext_samename sha256 --signer rsa2048-ca.pem ca.key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024b.key 2>/dev/null
sign rsa1024-samename rsa1024b.key "/CN=weak1024.tlstop.test" 2004 \
    20250101000000Z 20350101000000Z ext_samename sha1 --signer rsa1024-sha1.pem rsa1024.key

# RSA 2048 key with an RSASSA-PSS signature (swift-certificates cannot verify PSS).
sign rsa2048-pss leaf.key "/CN=pss.tlstop.test" 2003 \
    20250101000000Z 20350101000000Z ext_self_san sha256 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32

# An RSASSA-PSS *key* (id-RSASSA-PSS SubjectPublicKeyInfo), self-signed with PSS.
openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out rsapss.key 2>/dev/null
sign rsapss-key rsapss.key "/CN=psskey.tlstop.test" 2005 \
    20250101000000Z 20350101000000Z ext_self_san sha256

# Elliptic curves and EdDSA, self-signed.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.key 2>/dev/null
sign ec-p256 p256.key "/CN=p256.tlstop.test" 3001 \
    20250101000000Z 20350101000000Z ext_self_san sha256
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.key 2>/dev/null
sign ec-p384 p384.key "/CN=p384.tlstop.test" 3002 \
    20250101000000Z 20350101000000Z ext_self_san sha384
openssl genpkey -algorithm ED25519 -out ed25519.key 2>/dev/null
sign ed25519 ed25519.key "/CN=ed25519.tlstop.test" 3003 \
    20250101000000Z 20350101000000Z ext_self_san null
openssl genpkey -algorithm ED448 -out ed448.key 2>/dev/null
sign ed448 ed448.key "/CN=ed448.tlstop.test" 3004 \
    20250101000000Z 20350101000000Z ext_self_san null

# Oversized names: a subject over 256 characters and 70 DNS subjectAltNames (caps are 256 and 64).
SANS=$(i=1; while [ $i -le 70 ]; do printf 'DNS:host%02d.many.tlstop.test,' $i; i=$((i + 1)); done)
printf '[ ext_many ]\nsubjectAltName = %s\n' "${SANS%,}" >> ca.cnf
OU=$(printf 'x%.0s' $(seq 1 60))
sign many-names p256.key "/CN=many.tlstop.test/OU=a$OU/OU=b$OU/OU=c$OU/OU=d$OU/OU=e$OU" 3005 \
    20250101000000Z 20350101000000Z ext_many sha256

# DSA 2048 (a key type swift-certificates cannot represent), self-signed.
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out dsa.params 2>/dev/null
openssl genpkey -paramfile dsa.params -out dsa.key 2>/dev/null
sign dsa2048 dsa.key "/CN=dsa.tlstop.test" 4001 \
    20250101000000Z 20350101000000Z ext_self_san sha256
