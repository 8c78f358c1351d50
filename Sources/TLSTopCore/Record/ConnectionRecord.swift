import Foundation

/// What tlstop concluded about one connection: judged once from its handshake facts, then read by
/// the host aggregates, the dashboard and every export.
///
/// Typed all the way: addresses, enums and registry code points, never their names. A consumer
/// that needs text (JSON, CSV, ECS, metrics labels, a screen cell) makes it at its own edge, so no
/// layer re-parses another's strings. The only strings are those that came off the wire or from
/// the system (server name, ALPN, certificate names, process names) and finding details.
public struct ConnectionRecord: Sendable, Equatable {
    public var id: Int
    public var client: Endpoint
    public var server: Endpoint
    public var transport: DecodedPacket.Transport
    public var `protocol`: ConnectionProtocol
    /// The plaintext application protocol, or the one that was upgraded with STARTTLS.
    public var application: ApplicationProtocol?
    public var version: ProtocolVersion?
    public var cipher: CipherSuite?
    public var group: NamedGroup?
    public var dhBits: Int?
    public var sni: String?
    public var alpn: String?
    public var established: Bool?
    public var resumed: Bool?
    public var helloRetryRequest: Bool
    /// The protocol whose in-band upgrade to TLS was offered or used (smtp, postgres, …);
    /// `startTLSUsed` says whether TLS really followed.
    public var startTLS: ApplicationProtocol?
    /// The server advertised the upgrade or the client asked for it.
    public var startTLSOffered: Bool
    public var startTLSRequested: Bool
    public var startTLSRefused: Bool
    public var startTLSUsed: Bool
    /// Credentials crossed in clear (the secret itself is never kept).
    public var cleartextCredentials: Bool
    /// How they were sent: "http-authorization", "ftp-pass", "ldap-simple-bind", …
    public var credentialMechanism: String?
    /// Clear text on a port where implicit TLS is expected (443, 465, 636, 853, 993, 995, 8443).
    public var plaintextOnTLSPort: Bool
    /// Direct TLS on a port where clear text (or an in-band upgrade) is expected.
    public var tlsOnPlaintextPort: Bool
    public var clientCertificate: Bool
    /// The first fatal alert, else the first alert.
    public var alert: Alert?
    public var violation: Violation?
    public var certificate: CertificateRecord?
    public var certificateError: String?
    public var clientOffer: ClientOffer?
    public var packets: Int
    public var bytes: Int
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var closed: Bool
    public var gap: Bool
    /// Perfect forward secrecy: nil when unknown.
    public var pfs: Bool? = nil
    /// The key exchange used a post-quantum (hybrid) group; the client offered one.
    public var pq: Bool = false
    public var pqOffered: Bool = false
    /// The client offered a post-quantum group and the server chose a classical one.
    public var pqMissed: Bool = false
    /// The server's signature key is post-quantum (ML-DSA, SLH-DSA); nil when not known.
    public var pqAuthentication: Bool? = nil
    /// The verdicts of the policies judged besides the first (`--policy a,b`), in their order;
    /// empty with one policy.
    public var otherVerdicts: [PolicyVerdict] = []
    /// Worst first.
    public var findings: [Finding] = []
    public var quicVersion: QUICVersion? = nil
    /// Client fingerprints of the ClientHello (JA4 `t…`/`q…`/`d…`, JA3) and the server's (JA3S).
    public var ja4: String? = nil
    public var ja3: String? = nil
    public var ja3s: String? = nil
    /// Inbound to a local listener or outbound from this host (live capture; nil for files).
    public var direction: ConnectionDirection? = nil
    /// The program behind this host's end (live capture with attribution; nil otherwise).
    public var localProcess: LocalProcess? = nil
    /// QUIC Initial packets that failed authentication and were ignored (nil when not QUIC).
    public var quicAuthenticationFailures: Int? = nil
    /// Google QUIC: the CHLO's server name and user agent (shared with the facts).
    public var googleQUIC: GoogleQUICHello? = nil
    /// The proxy or protocol tunnel the TLS ran through (HTTP CONNECT, SOCKS5, RDP), once it was up.
    public var tunnel: TunnelRecord? = nil
    /// Where the server certificate came from: kept for folded records too (which carry no
    /// certificate), so that the share of TLS 1.3 connections with a known one is exact.
    public var certificateSource: CertificateSource? = nil

    /// The worst finding's severity, `ok` without findings.
    public var severity: Severity { findings.first?.severity ?? .ok }

    /// The local service behind the connection: its systemd service or container, else the
    /// program's name (a command run from a login session). Nil until a process is found.
    public var service: String? {
        guard let process = localProcess, process.state == .found else { return nil }
        if let unit = process.unit, unit.hasSuffix(".service") || unit.contains(":") { return unit }
        return process.name ?? process.unit
    }

    /// The host row this connection belongs to: its SNI, else the server's address, and the port.
    public var hostKey: HostKey {
        HostKey(name: sni.map(HostKey.Name.serverName) ?? .address(server.address), port: server.port)
    }

    /// The name a host is known by: the SNI, else the server's address.
    public var hostName: String { sni ?? server.address.description }

    /// Whether the connection is encrypted: TLS (any version), QUIC, DTLS, SSH, WireGuard, ESP.
    /// `nil` when unknown: never guessed either way.
    public var isEncrypted: Bool? { self.protocol.isEncrypted }

    /// How the session key was agreed, from the group (TLS 1.3, and TLS 1.2 with a key share) or
    /// else the cipher suite: an ffdhe group is DHE, a curve ECDHE.
    public var keyExchange: KeyExchange? { KeyExchange.of(group: group, cipher: cipher) }

    /// A TLS 1.3 connection over TCP: the kind whose certificate a probe can read.
    public var isProbeCandidate: Bool {
        self.protocol == .tls && version?.isTLS13Family == true
    }
}

/// One end of a connection.
public struct Endpoint: Hashable, Sendable {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }
}

/// The certificate facts a record reports for a server's leaf certificate: the decoded facts
/// (shared with the certificate cache, not copied field by field) and what the chain said.
///
/// A class, immutable: a record then carries one pointer for it instead of 184 bytes inline,
/// and most records (TLS 1.3, clear text) have none.
public final class CertificateRecord: Sendable, Equatable {
    public let facts: CertificateFacts
    public let chainLength: Int
    /// Whether the SNI the client asked for is covered by this certificate (nil without SNI).
    public let coversServerName: Bool?

    public static func == (lhs: CertificateRecord, rhs: CertificateRecord) -> Bool {
        lhs === rhs
            || (lhs.facts == rhs.facts && lhs.chainLength == rhs.chainLength
                && lhs.coversServerName == rhs.coversServerName && lhs.source == rhs.source
                && lhs.signatureScheme == rhs.signatureScheme && lhs.probe == rhs.probe)
    }

    /// How tlstop learned it (on the wire, from the key log, from its own probe).
    public let source: CertificateSource
    /// The scheme the server's CertificateVerify used (TLS 1.3, opened).
    public let signatureScheme: SignatureScheme?
    /// For a probed certificate: which listener, and when.
    public let probe: ProbeOrigin?

    public init(
        facts: CertificateFacts, chainLength: Int, coversServerName: Bool?, source: CertificateSource = .wire,
        signatureScheme: SignatureScheme? = nil, probe: ProbeOrigin? = nil
    ) {
        self.facts = facts
        self.chainLength = chainLength
        self.coversServerName = coversServerName
        self.source = source
        self.signatureScheme = signatureScheme
        self.probe = probe
    }

    public var subject: String { facts.subject }
    public var issuer: String { facts.issuer }
    public var commonName: String? { facts.commonName }
    public var subjectAltNames: [String] { facts.subjectAltNames }
    public var notBefore: Timestamp { Timestamp(facts.notBefore) }
    public var notAfter: Timestamp { Timestamp(facts.notAfter) }
    public var serialNumber: String { facts.serialNumber }
    public var keyType: String { facts.keyType }
    public var keyBits: Int? { facts.keyBits }
    public var curve: String? { facts.curve }
    public var signatureAlgorithm: String { facts.signatureAlgorithm }
    public var isSelfSigned: Bool { facts.isSelfSigned }
}

/// What the client offered, next to what the server chose: the ClientHello's lists as code
/// points (GREASE already removed by the parser), sharing the hello's one buffer.
///
/// It keeps the hello's packed lists (one shared buffer, 56 bytes inline) rather than five lists
/// of its own: a record carries an offer, and a record is cached for every held connection.
public struct ClientOffer: Sendable, Hashable {
    private let lists: HelloLists
    private let legacyVersion: ProtocolVersion
    public let sessionResumption: Bool
    public let encryptedClientHello: Bool
    public let sslv2Format: Bool

    public init(_ hello: ClientHello) {
        lists = hello.lists
        legacyVersion = hello.legacyVersion
        sessionResumption = hello.attemptsResumption
        encryptedClientHello = hello.hasEncryptedClientHello
        sslv2Format = hello.isSSLv2Format
    }

    /// supported_versions, else the legacy version.
    public var versions: CodePointList<ProtocolVersion> {
        lists.count(of: .versions) == 0 ? [legacyVersion] : lists.list(.versions)
    }
    public var cipherSuites: CodePointList<CipherSuite> { lists.list(.cipherSuites) }
    public var groups: CodePointList<NamedGroup> { lists.list(.groups) }
    public var keyShareGroups: CodePointList<NamedGroup> { lists.list(.keyShareGroups) }
    public var signatureAlgorithms: CodePointList<SignatureScheme> { lists.list(.signatureAlgorithms) }
    /// The ALPN names offered, as text (made when asked: they stay bytes in the hello's buffer).
    public var alpn: [String] { lists.bytes(of: .alpn).map(ClientHello.alpnNames) ?? [] }

    /// Equal offers are written once in an export: only what an offer shows counts (not the
    /// session ID or the extension order the hello's buffer also holds).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.sessionResumption == rhs.sessionResumption && lhs.encryptedClientHello == rhs.encryptedClientHello
            && lhs.sslv2Format == rhs.sslv2Format && lhs.hasSameVersions(as: rhs)
            && Self.comparedLists.allSatisfy { lhs.lists.hasSameValues($0, as: rhs.lists) }
    }

    public func hash(into hasher: inout Hasher) {
        // One word folded from each list's keyed digest: an export hashes every listed
        // connection's offer to write the distinct ones once, and SipHash over the lists was most
        // of that. The versions shown, without making the one-element list of a hello that has
        // none (digested like that list, so that equal offers hash alike).
        var state: UInt64
        if lists.count(of: .versions) == 0 {
            state = withUnsafeBytes(of: legacyVersion.rawValue) { SeededHash.hash($0) }
        } else {
            state = lists.seededDigest(of: .versions)
        }
        for list in Self.comparedLists {
            state = SeededHash.mix(state ^ SeededHash.key.2, lists.seededDigest(of: list))
        }
        let flags = (sessionResumption ? 1 : 0) | (encryptedClientHello ? 2 : 0) | (sslv2Format ? 4 : 0)
        hasher.combine(state ^ UInt64(flags))
    }

    /// The lists besides the versions that an offer shows (the ALPN names as sent).
    private static let comparedLists: [HelloLists.List] = [
        .cipherSuites, .groups, .keyShareGroups, .signatureAlgorithms, .alpn,
    ]

    /// Whether `versions` are equal, without making a list for a hello that names none.
    private func hasSameVersions(as other: Self) -> Bool {
        switch (lists.count(of: .versions), other.lists.count(of: .versions)) {
        case (0, 0): legacyVersion == other.legacyVersion
        case (0, 1): other.lists.list(.versions, as: ProtocolVersion.self).first == legacyVersion
        case (1, 0): lists.list(.versions, as: ProtocolVersion.self).first == other.legacyVersion
        default: lists.hasSameValues(.versions, as: other.lists)
        }
    }
}

extension Timestamp {
    /// The latest second a Timestamp (nanoseconds in an Int64) holds: 2262-04-11.
    static let latestSecond: Double = 9_223_372_035

    /// A certificate's validity bound. Nanoseconds in an Int64 end in 2262, and RFC 5280
    /// §4.1.2.5 has certificates that never expire say 9999-12-31: such dates saturate at the
    /// last representable second (before 1677 at the first) instead of overflowing, which trapped.
    /// Not finite: the epoch.
    init(_ date: Date) {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite else {
            self = .zero
            return
        }
        let bounded = min(max(seconds, -Self.latestSecond), Self.latestSecond)
        self = Timestamp(nanoseconds: Int64(bounded * 1_000_000_000))
    }
}

/// Where and when tlstop's probe read a listener's certificate.
public struct ProbeOrigin: Sendable, Equatable {
    public var endpoint: Endpoint
    public var serverName: String?
    public var at: Timestamp

    public init(endpoint: Endpoint, serverName: String?, at: Timestamp) {
        self.endpoint = endpoint
        self.serverName = serverName
        self.at = at
    }
}
