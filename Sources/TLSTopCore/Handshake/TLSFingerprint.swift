import Crypto

/// Client and server fingerprints of a handshake: JA3 and JA3S (Salesforce, MD5 of the decimal
/// field lists), and JA4 (FoxIO: `t13d1516h2_8daaf6152771_e5627efa2ab1`). GREASE values
/// (RFC 8701) are left out everywhere, as both specifications say.
public enum TLSFingerprint {
    /// How the ClientHello travelled: JA4's first character.
    public enum Carrier: Character, Sendable {
        case tcp = "t"
        case quic = "q"
        case dtls = "d"
    }

    // MARK: - JA3

    /// `SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats`, decimal, dash-separated.
    public static func ja3String(_ hello: ClientHello) -> String {
        [
            String(hello.legacyVersion.rawValue),
            decimal(hello.cipherSuites.map(\.rawValue)),
            decimal(hello.extensionTypes.filter { !GREASE.isGREASE($0) }),
            decimal(hello.supportedGroups.map(\.rawValue)),
            hello.ecPointFormats.map { String($0) }.joined(separator: "-"),
        ].joined(separator: ",")
    }

    public static func ja3(_ hello: ClientHello) -> String { md5(ja3String(hello)) }

    /// `SSLVersion,Cipher,Extensions` of the ServerHello.
    public static func ja3sString(_ hello: ServerHello) -> String {
        [
            String(hello.legacyVersion.rawValue), String(hello.cipherSuite.rawValue),
            decimal(hello.extensionTypes.filter { !GREASE.isGREASE($0) }),
        ].joined(separator: ",")
    }

    public static func ja3s(_ hello: ServerHello) -> String { md5(ja3sString(hello)) }

    // MARK: - JA4

    public static func ja4(_ hello: ClientHello, carrier: Carrier) -> String {
        let extensions = hello.extensionTypes.filter { !GREASE.isGREASE($0) }
        var a = String(carrier.rawValue)
        a += versionCode(hello.supportedVersions.isEmpty ? hello.legacyVersion : hello.highestVersion)
        a += extensions.contains(ExtensionType.serverName.rawValue) ? "d" : "i"
        a += twoDigits(hello.cipherSuites.count) + twoDigits(extensions.count)
        a += alpnCode(hello.firstALPNEdges)

        let ciphers = hello.cipherSuites.map(\.rawValue).sorted()
        let b = ciphers.isEmpty ? empty : sha256Prefix(hexList(ciphers))

        // SNI and ALPN are already in part a: leaving them out keeps part c the same whatever
        // the destination and the protocol asked for.
        let hashed = extensions.filter {
            $0 != ExtensionType.serverName.rawValue && $0 != ExtensionType.applicationLayerProtocolNegotiation.rawValue
        }
        let c: String
        if hashed.isEmpty {
            c = empty
        } else {
            var text = hexList(hashed.sorted())
            if !hello.signatureAlgorithms.isEmpty {
                text.append(UInt8(ascii: "_"))
                text += hexList(hello.signatureAlgorithms.map(\.rawValue))
            }
            c = sha256Prefix(text)
        }
        return "\(a)_\(b)_\(c)"
    }

    /// JA4's two-character version: `13`, `12`, …, `s3`, `s2`, `d1`–`d3`, `00` when unknown.
    static func versionCode(_ version: ProtocolVersion) -> String {
        switch version.rawValue {
        case 0x0304: "13"
        case 0x0303: "12"
        case 0x0302: "11"
        case 0x0301: "10"
        case 0x0300: "s3"
        case 0x0002: "s2"
        case 0xFEFF: "d1"
        case 0xFEFD: "d2"
        case 0xFEFC: "d3"
        default: "00"
        }
    }

    /// First and last character of the first ALPN value; the hex form's first and last digit when
    /// either byte is not alphanumeric; `00` without ALPN.
    static func alpnCode(_ edges: [UInt8]) -> String {
        guard let first = edges.first, let last = edges.last else { return "00" }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        if isAlphanumeric(first) && isAlphanumeric(last) {
            return String(UnicodeScalar(first)) + String(UnicodeScalar(last))
        }
        return String(hexDigits[Int(first >> 4)]) + String(hexDigits[Int(last & 0x0F)])
    }

    private static let empty = "000000000000"
    private static let hexDigits = Array("0123456789abcdef")

    private static func twoDigits(_ count: Int) -> String {
        let value = min(count, 99)
        return value < 10 ? "0\(value)" : String(value)
    }

    private static func decimal(_ values: [UInt16]) -> String {
        values.map { String($0) }.joined(separator: "-")
    }

    private static let hexBytes = Array("0123456789abcdef".utf8)

    /// `0a0a,1301,…`: four lowercase hex digits per value, comma-separated, as bytes to hash.
    static func hexList(_ values: [UInt16]) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(values.count * 5)
        for (index, value) in values.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            text.append(hexBytes[Int(value >> 12)])
            text.append(hexBytes[Int(value >> 8 & 0xF)])
            text.append(hexBytes[Int(value >> 4 & 0xF)])
            text.append(hexBytes[Int(value & 0xF)])
        }
        return text
    }

    private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        var text = ""
        for byte in digest {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0xF)])
        }
        return text
    }

    private static func md5(_ text: String) -> String { hex(Insecure.MD5.hash(data: Array(text.utf8))) }

    static func sha256Prefix(_ text: [UInt8]) -> String {
        String(hex(SHA256.hash(data: text).prefix(6)))
    }

    static func sha256Prefix(_ text: String) -> String { sha256Prefix(Array(text.utf8)) }
}
