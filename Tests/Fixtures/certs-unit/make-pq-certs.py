#!/usr/bin/env python3
"""Self-signed ML-DSA-44/65/87 certificates (FIPS 204, RFC 9881) for the certificate-facts tests.

No tool on this Debian machine issues them (OpenSSL 3.0 has no ML-DSA, and python-cryptography's
x509 builder refuses its keys), so the TBSCertificate is written here in DER and signed with
python-cryptography's ML-DSA (pure ML-DSA, empty context, as RFC 9881 §3 specifies). The
signatures are real; the names, serials and dates are fixed like make-certs.sh's. ML-DSA signs
with fresh randomness, so a rerun gives other bytes and the same facts.

    pip install 'cryptography>=47'; python3 make-pq-certs.py   # writes mldsa44.der, mldsa65.der, mldsa87.der
"""
import os
from cryptography.hazmat.primitives.asymmetric import mldsa


def length(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, content):
    return bytes([tag]) + length(len(content)) + content


def sequence(*parts):
    return tlv(0x30, b"".join(parts))


def oid(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    out = bytes([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.insert(0, 0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(chunk)
    return tlv(0x06, out)


def name(common_name):
    attribute = sequence(oid("2.5.4.3"), tlv(0x0C, common_name.encode()))
    return sequence(tlv(0x31, attribute))


def certificate(variant, number, key_class):
    key = key_class.generate()
    algorithm = sequence(oid(f"2.16.840.1.101.3.4.3.{number}"))  # parameters absent (RFC 9881 §2)
    subject = name(f"{variant}.tlstop.test")
    san = sequence(oid("2.5.29.17"), tlv(0x04, sequence(tlv(0x82, b"selfsigned.tlstop.test"))))
    tbs = sequence(
        tlv(0xA0, tlv(0x02, b"\x02")),                       # version v3
        tlv(0x02, bytes.fromhex(serials[variant])),
        algorithm,
        subject,
        sequence(tlv(0x17, b"250101000000Z"), tlv(0x17, b"350101000000Z")),
        subject,
        sequence(algorithm, tlv(0x03, b"\x00" + key.public_key().public_bytes_raw())),
        tlv(0xA3, sequence(san)),
    )
    return sequence(tbs, algorithm, tlv(0x03, b"\x00" + key.sign(tbs)))


serials = {"mldsa44": "5001", "mldsa65": "5002", "mldsa87": "5003"}
here = os.path.dirname(os.path.abspath(__file__))
for variant, number, key_class in [
    ("mldsa44", 17, mldsa.MLDSA44PrivateKey),
    ("mldsa65", 18, mldsa.MLDSA65PrivateKey),
    ("mldsa87", 19, mldsa.MLDSA87PrivateKey),
]:
    with open(os.path.join(here, f"{variant}.der"), "wb") as out:
        out.write(certificate(variant, number, key_class))
