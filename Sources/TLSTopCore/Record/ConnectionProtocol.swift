/// What a connection turned out to carry, as the snapshot names it.
///
/// One enum instead of a string, so that "is this TLS-like?" and "is this encrypted?" are
/// answered in one place rather than by every consumer comparing names.
public enum ConnectionProtocol: String, Sendable, Hashable, CaseIterable, Comparable {
    case tls, sslv2, dtls, quic
    case ssh, wireguard, esp, ike, snmpv3
    case plaintext
    /// Payload seen but not recognized, or no payload at all.
    case unknown

    public init(_ encrypted: EncryptedProtocol) {
        switch encrypted {
        case .ssh: self = .ssh
        case .wireguard: self = .wireguard
        case .esp: self = .esp
        case .ike: self = .ike
        case .snmpv3: self = .snmpv3
        }
    }

    /// TLS in any of its carriers: over TCP, SSL 2.0, over UDP (DTLS) and inside QUIC. These have
    /// versions, cipher suites, groups and certificates.
    public var isTLSFamily: Bool {
        switch self {
        case .tls, .sslv2, .dtls, .quic: true
        default: false
        }
    }

    /// Whether the connection is encrypted; nil when unknown (never guessed either way).
    public var isEncrypted: Bool? {
        switch self {
        case .plaintext: false
        case .unknown: nil
        default: true
        }
    }

    /// The name in exports and on screen.
    public var name: String { rawValue }

    public static func < (lhs: ConnectionProtocol, rhs: ConnectionProtocol) -> Bool { lhs.rawValue < rhs.rawValue }
}
