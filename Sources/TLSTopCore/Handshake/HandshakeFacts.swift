/// Which side of a connection sent something.
public enum Direction: Sendable, Hashable {
    case client, server

    public var opposite: Direction { self == .client ? .server : .client }
}

/// A TLS alert as seen on the wire (RFC 8446 §6). Encrypted alerts keep no description.
public struct Alert: Sendable, Equatable {
    public var sender: Direction
    public var level: UInt8
    public var description: AlertDescription?

    public var isFatal: Bool { level == 2 }

    /// "server fatal handshake_failure", "client warning close_notify", "server fatal encrypted".
    public var summary: String {
        "\(sender == .client ? "client" : "server") \(isFatal ? "fatal" : "warning") \(description?.name ?? "encrypted")"
    }
}

/// Everything learned from one connection's handshake: offers, choices, certificate, outcome.
public struct HandshakeFacts: Sendable {
    static let maximumAlerts = 4

    public var clientHello: ClientHello?
    /// The second ClientHello, sent after a HelloRetryRequest. Boxed, like the request: few
    /// connections have one, and inline they would add 210 bytes to every connection's facts.
    public var retryClientHello: ClientHello? {
        get { retryClientHelloBox?.value }
        set { retryClientHelloBox = newValue.map(FactsBox.init) }
    }
    public var helloRetryRequest: ServerHello? {
        get { helloRetryRequestBox?.value }
        set { helloRetryRequestBox = newValue.map(FactsBox.init) }
    }
    private var retryClientHelloBox: FactsBox<ClientHello>?
    private var helloRetryRequestBox: FactsBox<ServerHello>?
    public var serverHello: ServerHello?
    /// The version an SSLv2 SERVER-HELLO chose (the whole exchange is SSL 2.0 then).
    public var sslv2ServerVersion: ProtocolVersion?
    // The one-byte members together after it: declaration order is layout order.
    /// Whether the leaf covers the SNI the client asked for (nil without SNI or certificate).
    public var certificateCoversServerName: Bool?
    public var clientCertificateRequested = false
    public var serverHelloDone = false
    public var clientChangeCipherSpec = false
    public var serverChangeCipherSpec = false
    /// Resumption through an abbreviated TLS 1.2 handshake: the server changed cipher spec before
    /// ever sending ServerHelloDone.
    public var abbreviatedHandshake = false
    public var serverKeyExchange: ServerKeyExchange?
    /// Boxed: 168 bytes inline, and a connection waiting for its server (or a TLS 1.3 one, which
    /// hides the certificate) has none. Set once, read a few times when the connection is judged.
    public var serverCertificate: CertificateFacts? {
        get { serverCertificateBox?.value }
        set { serverCertificateBox = newValue.map(FactsBox.init) }
    }
    private var serverCertificateBox: FactsBox<CertificateFacts>?
    public var serverCertificateError: String?
    public var serverChainLength = 0
    public var clientChainLength = 0
    public var alerts: [Alert] = []
    /// Application-data records after the ServerHello, per side (TLS 1.3 completion).
    public var clientApplicationRecords = 0
    public var serverApplicationRecords = 0
    /// The first parse failure (its code, and "Message: reason").
    public var violation: Violation?

    /// The flow is DTLS (RFC 6347 / RFC 9147).
    public var isDTLS = false
    /// The server sent a HelloVerifyRequest (a cookie exchange before the real handshake).
    public var helloVerifyRequest = false

    /// The QUIC version of a QUIC flow (its Initial packets are opened for v1 and v2 only).
    public var quicVersion: QUICVersion?
    /// Google QUIC: what the client's CHLO named (server, user agent).
    public var googleQUIC: GoogleQUICHello?
    /// QUIC Initial packets that failed authentication (ignored).
    public var quicAuthenticationFailures = 0

    /// TLS 1.3 opened with a key log or by tlstop's probe: what the encrypted handshake said.
    public var decrypted: DecryptedHandshake? {
        get { decryptedBox?.value }
        set { decryptedBox = newValue.map(FactsBox.init) }
    }
    private var decryptedBox: FactsBox<DecryptedHandshake>?

    /// Where the server certificate came from (nil without one).
    public var certificateSource: CertificateSource? {
        guard serverCertificate != nil else { return nil }
        return decrypted?.serverCertificate == true ? .keyLog : .wire
    }

    /// The clear-text side: which protocol, in-band upgrade, credentials in clear.
    ///
    /// Stored out of line, copy on write: 80 bytes that a TLS connection rarely needs. Made on
    /// the first change; a copy of the facts shares it until one side changes it.
    public var application: ApplicationFacts {
        get { applicationBox?.value ?? ApplicationFacts() }
        set { applicationBox = ApplicationFactsBox(newValue) }
        _modify {
            let box = uniqueApplicationBox()
            yield &box.value
        }
    }
    private var applicationBox: ApplicationFactsBox?

    /// The box this value alone holds, made or copied first if needed (copy on write).
    private mutating func uniqueApplicationBox() -> ApplicationFactsBox {
        if isKnownUniquelyReferenced(&applicationBox), let box = applicationBox { return box }
        let box = ApplicationFactsBox(applicationBox?.value ?? ApplicationFacts())
        applicationBox = box
        return box
    }

    public init() {}

    public var negotiatedVersion: ProtocolVersion? {
        if let serverHello { return serverHello.selectedVersion }
        return sslv2ServerVersion
    }

    public var isTLS13: Bool { negotiatedVersion?.isTLS13Family == true }

    /// The key-exchange group: the TLS 1.3 key share, or the TLS 1.2 ECDHE curve.
    public var group: NamedGroup? {
        if let group = serverHello?.keyShareGroup { return group }
        if let group = serverKeyExchange?.group { return group }
        return nil
    }

    public var fatalAlert: Alert? { alerts.first(where: \.isFatal) }

    public var isEstablished: Bool {
        guard fatalAlert == nil, let version = negotiatedVersion else { return false }
        if version.isTLS13Family { return clientApplicationRecords > 0 && serverApplicationRecords > 0 }
        if version == .sslv2 { return sslv2ServerVersion != nil }
        return clientChangeCipherSpec && serverChangeCipherSpec
    }

    public var isResumed: Bool {
        guard let serverHello else { return false }
        if serverHello.selectedVersion.isTLS13Family { return serverHello.selectsPreSharedKey }
        if abbreviatedHandshake { return true }
        if let offered = clientHello?.sessionID, !offered.isEmpty, offered.elementsEqual(serverHello.sessionID),
            !serverHelloDone, serverChainLength == 0
        {
            return true
        }
        return false
    }

    mutating func record(_ alert: Alert) {
        if alerts.count < Self.maximumAlerts { alerts.append(alert) }
    }
}
