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
    /// connections have one, and inline it would add 104 bytes to every connection's facts.
    public var retryClientHello: ClientHello? {
        get { retryClientHelloBox?.value }
        set { retryClientHelloBox = newValue.map(FactsBox.init) }
    }
    private var retryClientHelloBox: FactsBox<ClientHello>?
    // Small members together: declaration order is layout order.
    public var clientChainLength: Int32 = 0
    /// Application-data records after the ServerHello, client side (TLS 1.3 completion).
    public var clientApplicationRecords: Int32 = 0
    /// QUIC Initial packets that failed authentication (ignored).
    public var quicAuthenticationFailures: Int32 = 0
    public var clientChangeCipherSpec = false
    /// The flow is DTLS (RFC 6347 / RFC 9147).
    public var isDTLS = false
    public var alerts: [Alert] = []
    /// The first parse failure (its code, and "Message: reason").
    public var violation: Violation?
    /// The QUIC version of a QUIC flow (its Initial packets are opened for v1 and v2 only).
    public var quicVersion: QUICVersion?
    /// Google QUIC: what the client's CHLO named (server, user agent).
    public var googleQUIC: GoogleQUICHello?

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
        set { applicationBox = CopyOnWriteBox(newValue) }
        _modify {
            let box = uniqueApplicationBox()
            yield &box.value
        }
    }
    private var applicationBox: CopyOnWriteBox<ApplicationFacts>?

    /// The server's side (see `ServerFacts`): out of line and copy on write, made by the first
    /// thing the server says. The members below read and write through it.
    public var server: ServerFacts {
        get { serverBox?.value ?? ServerFacts() }
        set { serverBox = CopyOnWriteBox(newValue) }
        _modify {
            let box = Self.unique(&serverBox, else: ServerFacts())
            yield &box.value
        }
    }
    private var serverBox: CopyOnWriteBox<ServerFacts>?

    /// The box this value alone holds, made or copied first if needed (copy on write).
    private mutating func uniqueApplicationBox() -> CopyOnWriteBox<ApplicationFacts> {
        Self.unique(&applicationBox, else: ApplicationFacts())
    }

    private static func unique<Value>(_ box: inout CopyOnWriteBox<Value>?, else empty: @autoclosure () -> Value)
        -> CopyOnWriteBox<Value>
    {
        if isKnownUniquelyReferenced(&box), let box { return box }
        let made = CopyOnWriteBox(box?.value ?? empty())
        box = made
        return made
    }

    public var serverHello: ServerHello? {
        get { serverBox?.value.serverHello }
        set { server.serverHello = newValue }
    }
    public var helloRetryRequest: ServerHello? {
        get { serverBox?.value.helloRetryRequest }
        set { server.helloRetryRequest = newValue }
    }
    public var sslv2ServerVersion: ProtocolVersion? {
        get { serverBox?.value.sslv2ServerVersion }
        set { server.sslv2ServerVersion = newValue }
    }
    public var certificateCoversServerName: Bool? {
        get { serverBox?.value.certificateCoversServerName }
        set { server.certificateCoversServerName = newValue }
    }
    public var clientCertificateRequested: Bool {
        get { serverBox?.value.clientCertificateRequested ?? false }
        set { server.clientCertificateRequested = newValue }
    }
    public var serverHelloDone: Bool {
        get { serverBox?.value.serverHelloDone ?? false }
        set { server.serverHelloDone = newValue }
    }
    public var serverChangeCipherSpec: Bool {
        get { serverBox?.value.serverChangeCipherSpec ?? false }
        set { server.serverChangeCipherSpec = newValue }
    }
    public var abbreviatedHandshake: Bool {
        get { serverBox?.value.abbreviatedHandshake ?? false }
        set { server.abbreviatedHandshake = newValue }
    }
    public var serverKeyExchange: ServerKeyExchange? {
        get { serverBox?.value.serverKeyExchange }
        set { server.serverKeyExchange = newValue }
    }
    public var serverCertificate: CertificateFacts? {
        get { serverBox?.value.serverCertificate }
        set { server.serverCertificate = newValue }
    }
    public var serverCertificateError: String? {
        get { serverBox?.value.serverCertificateError }
        set { server.serverCertificateError = newValue }
    }
    public var serverChainLength: Int32 {
        get { serverBox?.value.serverChainLength ?? 0 }
        set { server.serverChainLength = newValue }
    }
    public var serverApplicationRecords: Int32 {
        get { serverBox?.value.serverApplicationRecords ?? 0 }
        set { server.serverApplicationRecords = newValue }
    }
    public var helloVerifyRequest: Bool {
        get { serverBox?.value.helloVerifyRequest ?? false }
        set { server.helloVerifyRequest = newValue }
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
        if !serverHello.sessionID.isEmpty, clientHello?.offersSessionID(serverHello.sessionID) == true,
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
