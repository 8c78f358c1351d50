import Foundation

/// What a TLS posture monitor reports about one X.509 certificate seen in a Certificate message.
///
/// Built from untrusted DER by `init(der:)` (see `CertificateFacts+Parsing.swift`), which decodes
/// with swift-asn1 into swift-certificates types and never traps. Weak and legacy certificates
/// (512/1024-bit RSA, MD5 or SHA-1 signatures, DSA, Ed448, RSASSA-PSS) parse like any other:
/// reporting them is the point of the tool.
///
/// Strings are bounded (`maximumTextLength` Unicode scalars) but not otherwise cleaned: like the
/// rest of TLSTopCore, control characters are kept and escaped by each output format.
public struct CertificateFacts: Sendable, Hashable {
    /// RFC 4514-style text (most specific RDN first), as swift-certificates' `DistinguishedName`
    /// description gives it, capped at `maximumTextLength`.
    public var subject: String
    /// Same form as `subject`.
    public var issuer: String
    /// The subject's (last, i.e. most specific) common name, capped at `maximumTextLength`.
    public var commonName: String?
    /// DNS names and IP addresses (IPv4 dotted quad, IPv6 RFC 5952 text) from subjectAltName, in
    /// certificate order; at most `maximumSubjectAltNames` kept, each capped.
    public var subjectAltNames: [String]
    public var notBefore: Date
    public var notAfter: Date
    /// Lowercase hex of the serial number's DER content octets (the sign octet of a positive
    /// number is dropped), capped at `maximumSerialHexLength`.
    public var serialNumber: String
    /// "RSA", "EC", "Ed25519", "Ed448", "DSA", or the key algorithm OID in dotted form.
    public var keyType: String
    /// RSA: exact modulus bit length; EC: field size of a named curve (256/384/521…);
    /// Ed25519: 256; Ed448: 456 (the public key length); DSA: bit length of p. `nil` when the
    /// key's parameters are absent, unknown or undecodable.
    public var keyBits: Int?
    /// EC named curve: "secp256r1", "secp384r1", "secp521r1" (IANA TLS group spellings), a few
    /// other well-known names, or the curve OID in dotted form. `nil` for non-EC keys and for EC
    /// keys with explicit (non-named) parameters.
    public var curve: String?
    /// e.g. "sha256WithRSAEncryption", "md5WithRSAEncryption", "ecdsa-with-SHA256",
    /// "rsassa-pss", "ed25519", or the OID in dotted form.
    public var signatureAlgorithm: String
    /// Subject equals issuer, and the signature verifies with the certificate's own key when
    /// swift-certificates can check it (RSA ≥ 2048 bits with PKCS#1 v1.5 SHA-1/2, P-256/384/521
    /// ECDSA with SHA-2, Ed25519). Otherwise (weak RSA, MD5, PSS, DSA, Ed448, …) it falls back to
    /// subject == issuer plus, when both are present, authority key id == subject key id.
    public var isSelfSigned: Bool
    /// How weak the digest of the certificate's signature is, from its name: nil for SHA-2 and
    /// better (and for names tlstop does not know, shown as an OID).
    public enum SignatureDigestWeakness: Sendable {
        /// MD2, MD4, MD5: forgeable.
        case broken
        /// SHA-1: chosen-prefix collisions are practical.
        case collidable
    }

    public var signatureDigest: SignatureDigestWeakness? {
        // The names are `signatureAlgorithms`' (md5WithRSAEncryption, sha1WithRSAEncryption,
        // ecdsa-with-SHA1, dsa-with-SHA1): prefix and suffix checks, no scan of the string.
        let name = signatureAlgorithm.utf8
        if name.starts(with: "md".utf8) { return .broken }
        if name.starts(with: "sha1".utf8) || signatureAlgorithm.hasSuffix("-SHA1") { return .collidable }
        return nil
    }

    /// Names cut at their cap: subject, issuer or a SAN over `maximumTextLength` characters, SANs
    /// past the `maximumSubjectAltNames`th.
    public internal(set) var truncatedFields = 0

    /// The serial number and validity only: an export keys its certificate list by the facts,
    /// once per connection, and hashing every name of every certificate was most of that.
    /// Equal facts have equal serials and dates, so equal hashes; equality still compares all.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(serialNumber)
        hasher.combine(notBefore)
        hasher.combine(notAfter)
    }

    /// Inputs larger than this are refused with `.tooLarge` (real certificates are a few KiB).
    public static let maximumDERSize = 64 * 1024
    /// Cap, in Unicode scalars, on every string taken from the certificate.
    public static let maximumTextLength = 256
    public static let maximumSubjectAltNames = 64
    public static let maximumSerialHexLength = 128

    /// Whether `name` (an SNI host name) is covered by the certificate's subjectAltNames, or by
    /// its common name when there are no DNS subjectAltNames.
    ///
    /// RFC 6125 rules: comparison is ASCII case-insensitive and ignores one trailing dot; a
    /// wildcard is only honoured as the entire left-most label (`*.example.com`), matches exactly
    /// one non-empty label, and needs at least two labels after it (`*.com` matches nothing).
    /// An IP literal (optionally in brackets) is compared with the IP-address subjectAltNames only.
    public func covers(hostName: String) -> Bool {
        guard !hostName.isEmpty, hostName.utf8.count <= 512 else { return false }
        var host = Self.asciiLowercased(hostName)
        if host.hasPrefix("["), host.hasSuffix("]"), host.count >= 2 {
            // Brackets are only meaningful around an IPv6 literal.
            guard let address = Self.parseIPAddress(String(host.dropFirst().dropLast())), address.count == 16
            else { return false }
            return subjectAltNames.contains { Self.parseIPAddress($0) == address }
        }
        if let address = Self.parseIPAddress(host) {
            return subjectAltNames.contains { Self.parseIPAddress($0) == address }
        }
        if host.hasSuffix(".") { host.removeLast() }
        guard Self.isPlausibleHostName(host) else { return false }

        let dnsNames = subjectAltNames.filter { Self.parseIPAddress($0) == nil }
        let candidates: [String]
        if !dnsNames.isEmpty {
            candidates = dnsNames
        } else if let commonName {
            candidates = [commonName]
        } else {
            return false
        }
        return candidates.contains { Self.matches(pattern: $0, host: host) }
    }
}

// MARK: - Host name matching

extension CertificateFacts {
    /// `host` is already lowercased, without its trailing dot, and made of non-empty labels.
    static func matches(pattern rawPattern: String, host: String) -> Bool {
        var pattern = asciiLowercased(rawPattern)
        if pattern.hasSuffix(".") { pattern.removeLast() }
        guard !pattern.isEmpty else { return false }
        guard pattern.containsBytes("*") else {
            return isPlausibleHostName(pattern) && pattern == host
        }
        // Only "*" as the whole left-most label; no other wildcard anywhere.
        guard pattern.hasPrefix("*.") else { return false }
        let base = pattern.dropFirst(2)
        guard !base.containsBytes("*"), isPlausibleHostName(base),
            base.split(separator: ".", omittingEmptySubsequences: false).count >= 2
        else { return false }
        guard host.hasSuffix("." + base) else { return false }
        let label = host.dropLast(base.count + 1)
        return !label.isEmpty && !label.containsBytes(".")
    }

    /// ASCII (SNI carries A-labels), non-empty dot-separated labels, and no wildcard characters.
    static func isPlausibleHostName<S: StringProtocol>(_ name: S) -> Bool {
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "*") }) else { return false }
        return !name.split(separator: ".", omittingEmptySubsequences: false).contains { $0.isEmpty }
    }

    /// Lowercases A–Z only, so case folding can never change a name's length or meaning.
    static func asciiLowercased(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x41 && scalar.value <= 0x5A, let lower = Unicode.Scalar(scalar.value + 0x20) {
                scalars.append(lower)
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}

// MARK: - IP address text

extension CertificateFacts {
    /// Text for an iPAddress GeneralName: 4 octets as a dotted quad, 16 as RFC 5952 IPv6.
    /// Other lengths (e.g. address/mask pairs, which belong in name constraints) yield `nil`.
    static func formatIPAddress<C: Collection>(_ octets: C) -> String? where C.Element == UInt8 {
        let bytes = Array(octets)
        if bytes.count == 4 {
            return bytes.map { String($0) }.joined(separator: ".")
        }
        guard bytes.count == 16 else { return nil }
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        var index = 0
        while index + 1 < bytes.count {
            groups.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
            index += 2
        }
        // Longest run of two or more zero groups (first one on ties) becomes "::".
        var bestStart = -1
        var bestLength = 0
        var runStart = -1
        for position in 0...groups.count {
            if position < groups.count, groups[position] == 0 {
                if runStart < 0 { runStart = position }
            } else if runStart >= 0 {
                let length = position - runStart
                if length > bestLength && length > 1 {
                    bestStart = runStart
                    bestLength = length
                }
                runStart = -1
            }
        }
        var text = ""
        var position = 0
        while position < groups.count {
            if position == bestStart {
                text += "::"
                position += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[position], radix: 16)
            position += 1
        }
        return text
    }

    /// Parses a dotted-quad IPv4 or textual IPv6 address (with `::` and an optional dotted-quad
    /// tail) into its 4 or 16 octets.
    static func parseIPAddress(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        if !text.containsBytes(":") { return parseIPv4(Substring(text)) }
        return parseIPv6(text)
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            // Leading zeros are refused: some resolvers read "010" as octal.
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let value = UInt8(part)
            else { return nil }
            octets.append(value)
        }
        return octets
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        let halves = text.splitOnDoubleColon()
        guard halves.count <= 2 else { return nil }

        func groups(_ part: String, allowIPv4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if allowIPv4Tail, index == fields.count - 1, field.containsBytes(".") {
                    guard let v4 = parseIPv4(field), v4.count == 4 else { return nil }
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                } else {
                    guard (1...4).contains(field.count), field.allSatisfy({ $0.isHexDigit && $0.isASCII }),
                        let group = UInt16(field, radix: 16)
                    else { return nil }
                    result.append(group)
                }
            }
            return result
        }

        let all: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowIPv4Tail: false),
                let tail = groups(halves[1], allowIPv4Tail: true),
                head.count + tail.count < 8
            else { return nil }
            all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let only = groups(text, allowIPv4Tail: true), only.count == 8 else { return nil }
            all = only
        }
        var octets: [UInt8] = []
        octets.reserveCapacity(16)
        for group in all {
            octets.append(UInt8(truncatingIfNeeded: group >> 8))
            octets.append(UInt8(truncatingIfNeeded: group))
        }
        return octets
    }
}
