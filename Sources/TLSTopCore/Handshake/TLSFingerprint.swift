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
    public static func ja3String(_ hello: ClientHello) -> String { String(decoding: ja3Text(hello), as: UTF8.self) }

    public static func ja3(_ hello: ClientHello) -> String { md5(ja3Text(hello)) }

    /// `SSLVersion,Cipher,Extensions` of the ServerHello.
    public static func ja3sString(_ hello: ServerHello) -> String {
        String(decoding: ja3sText(hello), as: UTF8.self)
    }

    public static func ja3s(_ hello: ServerHello) -> String { md5(ja3sText(hello)) }

    /// The JA3 text as bytes: it is only ever hashed, so no String is made for it.
    static func ja3Text(_ hello: ClientHello) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(
            8 + 6 * (hello.cipherSuites.count + hello.extensionTypes.count + hello.supportedGroups.count)
                + 4 * hello.ecPointFormats.count)
        appendDecimal(hello.legacyVersion.rawValue, to: &text)
        text.append(UInt8(ascii: ","))
        appendDecimals(hello.cipherSuites.lazy.map(\.rawValue), to: &text)
        text.append(UInt8(ascii: ","))
        appendDecimals(hello.extensionTypes.lazy.filter { !GREASE.isGREASE($0) }, to: &text)
        text.append(UInt8(ascii: ","))
        appendDecimals(hello.supportedGroups.lazy.map(\.rawValue), to: &text)
        text.append(UInt8(ascii: ","))
        appendDecimals(hello.ecPointFormats.lazy.map(UInt16.init), to: &text)
        return text
    }

    static func ja3sText(_ hello: ServerHello) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(16 + 6 * hello.extensionTypes.count)
        appendDecimal(hello.legacyVersion.rawValue, to: &text)
        text.append(UInt8(ascii: ","))
        appendDecimal(hello.cipherSuite.rawValue, to: &text)
        text.append(UInt8(ascii: ","))
        appendDecimals(hello.extensionTypes.lazy.filter { !GREASE.isGREASE($0) }, to: &text)
        return text
    }

    /// `771-4865-…`: decimal values, dash-separated.
    private static func appendDecimals<S: Sequence<UInt16>>(_ values: S, to text: inout [UInt8]) {
        appendList(values, separator: UInt8(ascii: "-"), to: &text) { value, text in appendDecimal(value, to: &text) }
    }

    private static func appendDecimal(_ value: UInt16, to text: inout [UInt8]) {
        JSONStreamWriter.appendDecimal(Int(value), to: &text)
    }

    /// Each value written by `element`, `separator` between them.
    private static func appendList<S: Sequence<UInt16>>(
        _ values: S, separator: UInt8, to text: inout [UInt8], _ element: (UInt16, inout [UInt8]) -> Void
    ) {
        var first = true
        for value in values {
            if !first { text.append(separator) }
            first = false
            element(value, &text)
        }
    }

    // MARK: - JA4

    public static func ja4(_ hello: ClientHello, carrier: Carrier) -> String {
        var extensionCount = 0
        var hasServerName = false
        var hashed: [UInt16] = []
        hashed.reserveCapacity(hello.extensionTypes.count)
        for type in hello.extensionTypes where !GREASE.isGREASE(type) {
            extensionCount += 1
            // SNI and ALPN are already in part a: leaving them out keeps part c the same whatever
            // the destination and the protocol asked for.
            if type == ExtensionType.serverName.rawValue {
                hasServerName = true
            } else if type != ExtensionType.applicationLayerProtocolNegotiation.rawValue {
                hashed.append(type)
            }
        }
        var text: [UInt8] = []
        text.reserveCapacity(36)
        text.append(carrier.rawValue.asciiValue ?? UInt8(ascii: "t"))
        text += versionCode(hello.supportedVersions.isEmpty ? hello.legacyVersion : hello.highestVersion).utf8
        text.append(UInt8(ascii: hasServerName ? "d" : "i"))
        appendTwoDigits(hello.cipherSuites.count, to: &text)
        appendTwoDigits(extensionCount, to: &text)
        text += alpnCode(hello.firstALPNEdges).utf8
        text.append(UInt8(ascii: "_"))

        let ciphers = hello.cipherSuites.map(\.rawValue).sorted()
        if ciphers.isEmpty { text += empty.utf8 } else { appendSHA256Prefix(of: hexList(ciphers), to: &text) }
        text.append(UInt8(ascii: "_"))
        if hashed.isEmpty {
            text += empty.utf8
        } else {
            hashed.sort()
            var input = hexList(hashed)
            if !hello.signatureAlgorithms.isEmpty {
                input.append(UInt8(ascii: "_"))
                appendHexList(hello.signatureAlgorithms.lazy.map(\.rawValue), to: &input)
            }
            appendSHA256Prefix(of: input, to: &text)
        }
        return String(decoding: text, as: UTF8.self)
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
    static func alpnCode(_ edges: some BidirectionalCollection<UInt8>) -> String {
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
    private static let hexBytes = Array("0123456789abcdef".utf8)

    private static func appendTwoDigits(_ count: Int, to text: inout [UInt8]) {
        let value = UInt8(min(max(count, 0), 99))
        text.append(UInt8(ascii: "0") + value / 10)
        text.append(UInt8(ascii: "0") + value % 10)
    }

    /// `0a0a,1301,…`: four lowercase hex digits per value, comma-separated, as bytes to hash.
    static func hexList(_ values: [UInt16]) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(values.count * 5)
        appendHexList(values, to: &text)
        return text
    }

    private static func appendHexList<S: Sequence<UInt16>>(_ values: S, to text: inout [UInt8]) {
        appendList(values, separator: UInt8(ascii: ","), to: &text) { value, text in
            text.append(hexBytes[Int(value >> 12)])
            text.append(hexBytes[Int(value >> 8 & 0xF)])
            text.append(hexBytes[Int(value >> 4 & 0xF)])
            text.append(hexBytes[Int(value & 0xF)])
        }
    }

    private static func appendHex<D: Sequence<UInt8>>(_ digest: D, to text: inout [UInt8]) {
        for byte in digest {
            text.append(hexBytes[Int(byte >> 4)])
            text.append(hexBytes[Int(byte & 0xF)])
        }
    }

    private static func md5(_ text: [UInt8]) -> String {
        var hex: [UInt8] = []
        hex.reserveCapacity(32)
        appendHex(Insecure.MD5.hash(data: text), to: &hex)
        return String(decoding: hex, as: UTF8.self)
    }

    private static func appendSHA256Prefix(of input: [UInt8], to text: inout [UInt8]) {
        appendHex(SHA256.hash(data: input).prefix(6), to: &text)
    }

    static func sha256Prefix(_ input: [UInt8]) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(12)
        appendSHA256Prefix(of: input, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    static func sha256Prefix(_ text: String) -> String { sha256Prefix(Array(text.utf8)) }
}
