import Crypto
import Foundation

/// Why a probe of a listener gave no certificate.
public enum ProbeFailure: Error, Equatable, Sendable, CustomStringConvertible {
    case connect(String)
    case timeout
    case closed
    /// The server answered with an alert (its description code).
    case alert(UInt8)
    /// The server did not answer with TLS 1.3 (its version), or chose what the probe did not offer.
    case notTLS13
    case unsupportedGroup(NamedGroup)
    case malformed(String)
    /// The handshake was read but its encrypted part did not open (a key schedule mismatch).
    case undecryptable

    public var description: String {
        switch self {
        case .connect(let reason): "cannot connect: \(reason)"
        case .timeout: "no answer in time"
        case .closed: "closed by the server"
        case .alert(let code):
            "alert \(AlertDescription(rawValue: code).name)"
        case .notTLS13: "not TLS 1.3"
        case .unsupportedGroup(let group): "asked for group \(group.name)"
        case .malformed(let reason): "malformed answer: \(reason)"
        case .undecryptable: "encrypted flight did not open"
        }
    }
}

/// The client side of a TLS 1.3 handshake, as far as reading the server's first flight: tlstop's
/// own connection to a listener whose certificate the wire hid (RFC 8446 §4.1).
///
/// It sends a ClientHello with an X25519 key share (and answers a HelloRetryRequest for P-256 or
/// P-384), reads the ServerHello, and computes the handshake traffic secrets with the same key
/// schedule that a key log's secrets go through. It never sends anything after its hello: the
/// server's encrypted flight is read by a `HandshakeAnalyzer` holding these secrets, exactly as a
/// connection seen on the wire with a key log would be.
public struct ProbeHandshake {
    public let serverName: String?
    public let random: [UInt8]
    private let sessionID: [UInt8]
    private let x25519 = Curve25519.KeyAgreement.PrivateKey()
    private var p256: P256.KeyAgreement.PrivateKey?
    private var p384: P384.KeyAgreement.PrivateKey?
    /// Handshake messages so far, for the transcript hash (record headers excluded).
    private var messages: [[UInt8]] = []
    private var handshakeBytes: [UInt8] = []
    private var recordBytes: [UInt8] = []
    private var retried = false
    public private(set) var secrets: HandshakeSecrets?
    public private(set) var helloRetryRequest = false

    static let maximumServerBytes = 64 * 1024
    static let cipherSuites: [UInt16] = [0x1301, 0x1302, 0x1303]
    static let groups: [NamedGroup] = [.x25519, .secp256r1, .secp384r1]
    /// Every scheme a server might sign with: the probe verifies nothing, it only needs an answer.
    static let signatureSchemes: [UInt16] = [
        0x0804, 0x0805, 0x0806, 0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080A, 0x080B, 0x0401, 0x0501,
        0x0601,
    ]

    public init(serverName: String?) {
        self.serverName = serverName.flatMap { Self.isHostName($0) ? $0 : nil }
        random = (0..<32).map { _ in UInt8.random(in: 0...255) }
        sessionID = (0..<32).map { _ in UInt8.random(in: 0...255) }
    }

    /// The key log line equivalent for these secrets, for the analyzer that reads the flight.
    public var clientRandom: ClientRandom? { ClientRandom(random) }

    /// The first ClientHello, as a TLS record.
    public mutating func start() -> [UInt8] {
        let hello = clientHello(share: (.x25519, x25519.publicKey.rawRepresentation), cookie: nil)
        messages = [hello]
        return Self.record(hello)
    }

    /// Reads the server's bytes up to its ServerHello. Returns bytes to send (the second
    /// ClientHello after a HelloRetryRequest), if any; `secrets` is set once the ServerHello is read.
    public mutating func receive(_ bytes: some Collection<UInt8>) throws(ProbeFailure) -> [UInt8]? {
        guard secrets == nil else { return nil }
        recordBytes += bytes
        guard recordBytes.count <= Self.maximumServerBytes else { throw .malformed("no ServerHello in 64 KiB") }
        var reply: [UInt8]?
        while recordBytes.count >= 5 {
            let length = Int(recordBytes[3]) << 8 | Int(recordBytes[4])
            guard recordBytes.count >= 5 + length else { break }
            let type = recordBytes[0]
            let fragment = Array(recordBytes[5..<(5 + length)])
            recordBytes.removeFirst(5 + length)
            switch type {
            case ContentType.handshake.rawValue:
                handshakeBytes += fragment
                while let message = takeMessage() {
                    if let second = try process(message) { reply = second }
                    if secrets != nil { return reply }
                }
            case ContentType.changeCipherSpec.rawValue:
                continue
            case ContentType.alert.rawValue:
                throw .alert(fragment.count == 2 ? fragment[1] : 0)
            default:
                throw .malformed("record of type \(type) before the ServerHello")
            }
        }
        return reply
    }

    private mutating func takeMessage() -> [UInt8]? {
        guard handshakeBytes.count >= 4 else { return nil }
        let length = Int(handshakeBytes[1]) << 16 | Int(handshakeBytes[2]) << 8 | Int(handshakeBytes[3])
        guard handshakeBytes.count >= 4 + length else { return nil }
        let message = Array(handshakeBytes[0..<(4 + length)])
        handshakeBytes.removeFirst(4 + length)
        return message
    }

    private mutating func process(_ message: [UInt8]) throws(ProbeFailure) -> [UInt8]? {
        guard message.first == HandshakeType.serverHello.rawValue else {
            throw .malformed("handshake message \(message.first ?? 0) before the ServerHello")
        }
        let parsed: (hello: ServerHello, share: [UInt8]?, cookie: [UInt8]?)? = message.withUnsafeBytes { bytes in
            var reader = ByteReader(UnsafeRawBufferPointer(rebasing: bytes.dropFirst(4)))
            var copy = reader
            guard let hello = try? ServerHello(parsing: &reader),
                let (share, cookie) = try? Self.keyShareAndCookie(&copy)
            else { return nil }
            return (hello, share, cookie)
        }
        guard let parsed else { throw .malformed("ServerHello does not parse") }
        let hello = parsed.hello
        guard hello.selectedVersion == .tls13, Self.cipherSuites.contains(hello.cipherSuite.rawValue),
            let aead = RecordAEAD(hello.cipherSuite)
        else { throw .notTLS13 }
        let hash = aead.hash
        if hello.isHelloRetryRequest {
            guard !retried, let group = hello.keyShareGroup else { throw .malformed("second HelloRetryRequest") }
            retried = true
            helloRetryRequest = true
            let share: [UInt8]
            switch group {
            case .secp256r1:
                let key = P256.KeyAgreement.PrivateKey()
                p256 = key
                share = Array(key.publicKey.x963Representation)
            case .secp384r1:
                let key = P384.KeyAgreement.PrivateKey()
                p384 = key
                share = Array(key.publicKey.x963Representation)
            case .x25519:
                share = Array(x25519.publicKey.rawRepresentation)
            default:
                throw .unsupportedGroup(group)
            }
            // RFC 8446 §4.4.1: the first ClientHello is replaced by a message_hash of itself.
            let firstHash = hash.digest(messages.first ?? [])
            let second = clientHello(share: (group, share), cookie: parsed.cookie)
            messages = [[HandshakeType.messageHash.rawValue, 0, 0, UInt8(hash.length)] + firstHash, message, second]
            return Self.record(second)
        }
        guard let group = hello.keyShareGroup, let share = parsed.share else {
            throw .malformed("ServerHello without a key share")
        }
        let shared: [UInt8]
        do {
            switch group {
            case .x25519:
                let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: share)
                shared = try x25519.sharedSecretFromKeyAgreement(with: peer).withUnsafeBytes { Array($0) }
            case .secp256r1:
                guard let p256 else { throw ProbeFailure.unsupportedGroup(group) }
                let peer = try P256.KeyAgreement.PublicKey(x963Representation: share)
                shared = try p256.sharedSecretFromKeyAgreement(with: peer).withUnsafeBytes { Array($0) }
            case .secp384r1:
                guard let p384 else { throw ProbeFailure.unsupportedGroup(group) }
                let peer = try P384.KeyAgreement.PublicKey(x963Representation: share)
                shared = try p384.sharedSecretFromKeyAgreement(with: peer).withUnsafeBytes { Array($0) }
            default:
                throw ProbeFailure.unsupportedGroup(group)
            }
        } catch let failure as ProbeFailure {
            throw failure
        } catch {
            throw .malformed("server key share")
        }
        messages.append(message)
        let transcriptHash = hash.digest(messages.flatMap { $0 })
        secrets = TLS13KeySchedule.handshakeSecrets(sharedSecret: shared, transcriptHash: transcriptHash, hash: hash)
        return nil
    }

    /// The key_share entry and cookie of a ServerHello or HelloRetryRequest body.
    static func keyShareAndCookie(_ reader: inout ByteReader) throws(ParseError) -> ([UInt8]?, [UInt8]?) {
        try reader.skip(2 + 32)
        var session = try reader.prefixed8()
        try session.skip(session.remaining)
        try reader.skip(3)  // cipher suite, compression
        guard !reader.isAtEnd else { return (nil, nil) }
        var extensions = try reader.prefixed16()
        var share: [UInt8]?
        var cookie: [UInt8]?
        while !extensions.isAtEnd {
            let type = try extensions.readUInt16()
            var body = try extensions.prefixed16()
            if type == ExtensionType.keyShare.rawValue, body.remaining > 2 {
                _ = try body.readUInt16()
                var key = try body.prefixed16()
                share = try key.readBytes(key.remaining)
            } else if type == 44 {  // cookie
                var value = try body.prefixed16()
                cookie = try value.readBytes(value.remaining)
            }
        }
        return (share, cookie)
    }

    private func clientHello(share: (NamedGroup, some Collection<UInt8>), cookie: [UInt8]?) -> [UInt8] {
        var body: [UInt8] = [0x03, 0x03] + random
        body += [UInt8(sessionID.count)] + sessionID
        body += Self.prefixed16(Self.cipherSuites.flatMap(Self.bigEndian))
        body += [1, 0]  // null compression only
        var extensions: [UInt8] = []
        if let serverName {
            let name = Array(serverName.utf8)
            let entry = [0] + Self.prefixed16(name)
            extensions += Self.extensionBytes(0, Self.prefixed16(entry))
        }
        extensions += Self.extensionBytes(10, Self.prefixed16(Self.groups.flatMap { Self.bigEndian($0.rawValue) }))
        extensions += Self.extensionBytes(13, Self.prefixed16(Self.signatureSchemes.flatMap(Self.bigEndian)))
        extensions += Self.extensionBytes(43, [2, 0x03, 0x04])
        extensions += Self.extensionBytes(45, [1, 1])  // psk_key_exchange_modes: psk_dhe_ke (OpenSSL expects it)
        if let cookie { extensions += Self.extensionBytes(44, Self.prefixed16(cookie)) }
        let entry = Self.bigEndian(share.0.rawValue) + Self.prefixed16(Array(share.1))
        extensions += Self.extensionBytes(51, Self.prefixed16(entry))
        body += Self.prefixed16(extensions)
        let length = body.count
        return [
            HandshakeType.clientHello.rawValue, UInt8(truncatingIfNeeded: length >> 16),
            UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length),
        ] + body
    }

    static func record(_ message: [UInt8]) -> [UInt8] {
        [ContentType.handshake.rawValue, 0x03, 0x01] + bigEndian(UInt16(truncatingIfNeeded: message.count)) + message
    }

    static func bigEndian(_ value: UInt16) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    static func prefixed16(_ bytes: [UInt8]) -> [UInt8] { bigEndian(UInt16(truncatingIfNeeded: bytes.count)) + bytes }

    static func extensionBytes(_ type: UInt16, _ body: [UInt8]) -> [UInt8] { bigEndian(type) + prefixed16(body) }

    /// A DNS name fit for server_name: no IP literal (RFC 6066 §3), printable ASCII, at most 253 bytes.
    static func isHostName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253, IPAddress(name) == nil else { return false }
        return name.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }
}
