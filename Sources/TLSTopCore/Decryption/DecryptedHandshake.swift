/// What the encrypted part of a TLS 1.3 handshake told once a key log (or tlstop's own probe)
/// opened it: the messages after the ServerHello that the wire hides.
public struct DecryptedHandshake: Sendable, Equatable {
    /// ALPN from EncryptedExtensions (TLS 1.3 moves it there from the ServerHello).
    public var alpn: String?
    /// EncryptedExtensions carried ECH retry configurations: the server did not accept the
    /// client's encrypted ClientHello (RFC 9849 §7).
    public var echRejected = false
    /// The scheme of the server's CertificateVerify (what it really signs with).
    public var serverSignatureScheme: SignatureScheme?
    /// The scheme of the client's CertificateVerify, when it authenticated.
    public var clientSignatureScheme: SignatureScheme?
    /// Records opened, per side.
    public var serverRecords = 0
    public var clientRecords = 0
    /// The side's Finished was read: its whole flight was seen.
    public var serverFinished = false
    public var clientFinished = false
    /// The server's Certificate came from a decrypted record.
    public var serverCertificate = false

    public init() {}
}

/// A boxed value, so that a rarely present group of facts costs one pointer inline.
final class FactsBox<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The EncryptedExtensions message (RFC 8446 §4.3.1): the extensions the server sends encrypted.
struct EncryptedExtensions {
    var alpn: String?
    var echRetryConfigs = false

    init(parsing reader: inout ByteReader) throws(ParseError) {
        var extensions = try reader.prefixed16()
        try reader.expectEnd("EncryptedExtensions")
        while !extensions.isAtEnd {
            let type = try extensions.readUInt16()
            var body = try extensions.prefixed16()
            switch type {
            case ExtensionType.applicationLayerProtocolNegotiation.rawValue:
                var ignored: Int32 = 0
                alpn = ClientHello.alpnNames(try ClientHello.parseALPN(&body, truncated: &ignored)).first
            case 0xFE0D:  // encrypted_client_hello: retry_configs
                echRetryConfigs = true
            default:
                break
            }
        }
    }
}

/// How tlstop learned a connection's server certificate.
public enum CertificateSource: String, Sendable {
    /// In clear in the handshake (TLS 1.2 and older, SSL 2.0).
    case wire
    /// From a TLS 1.3 handshake opened with the key log's secrets.
    case keyLog = "keylog"
    /// From tlstop's own handshake with the same listener (`--probe`).
    case probe
}
