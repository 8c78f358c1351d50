/// What the server's side of a handshake said: its hellos, key exchange, certificate, and how far
/// its flight went.
///
/// Kept apart from the client's facts (see `HandshakeFacts.server`) because a connection waiting
/// for its server (a scan, a SYN-answered flood of hellos, a slow origin) has none of it: out of
/// line, copy on write, 144 bytes that only answered connections pay for.
public struct ServerFacts: Sendable {
    public var serverHello: ServerHello?
    /// The server sent a HelloRetryRequest. Boxed: few connections have one.
    public var helloRetryRequest: ServerHello? {
        get { helloRetryRequestBox?.value }
        set { helloRetryRequestBox = newValue.map(FactsBox.init) }
    }
    private var helloRetryRequestBox: FactsBox<ServerHello>?
    public var serverKeyExchange: ServerKeyExchange?
    /// Boxed: 168 bytes inline, and a TLS 1.3 server hides it. Set once, read a few times when
    /// the connection is judged.
    public var serverCertificate: CertificateFacts? {
        get { serverCertificateBox?.value }
        set { serverCertificateBox = newValue.map(FactsBox.init) }
    }
    private var serverCertificateBox: FactsBox<CertificateFacts>?

    /// Takes the certificate cache's own box: connections to one server share it.
    mutating func shareCertificate(_ box: FactsBox<CertificateFacts>) { serverCertificateBox = box }
    public var serverCertificateError: String?
    public var serverChainLength: Int32 = 0
    /// Application-data records after the ServerHello (TLS 1.3 completion).
    public var serverApplicationRecords: Int32 = 0
    /// The version an SSLv2 SERVER-HELLO chose (the whole exchange is SSL 2.0 then).
    public var sslv2ServerVersion: ProtocolVersion?
    // The one-byte members together: declaration order is layout order.
    /// Whether the leaf covers the SNI the client asked for (nil without SNI or certificate).
    public var certificateCoversServerName: Bool?
    public var clientCertificateRequested = false
    public var serverHelloDone = false
    public var serverChangeCipherSpec = false
    /// Resumption through an abbreviated TLS 1.2 handshake: the server changed cipher spec before
    /// ever sending ServerHelloDone.
    public var abbreviatedHandshake = false
    /// The server sent a HelloVerifyRequest (a DTLS cookie exchange before the real handshake).
    public var helloVerifyRequest = false

    public init() {}
}

extension Int32 {
    /// Counts one more, stopping at the maximum: the facts' counters are 32-bit to stay small,
    /// and a peer that sends four billion records must not trap the program.
    mutating func incrementSaturating() {
        if self < .max { self += 1 }
    }
}
