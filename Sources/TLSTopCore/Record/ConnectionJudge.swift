/// Turns a connection's facts into its record: what it carried, what was negotiated, and the
/// posture verdict under a policy. The only place that decides a connection's protocol.
public enum ConnectionJudge {
    /// What a flow that never carried payload is judged to be: nothing to find. Shared, so that
    /// the flows of a SYN flood are counted without building facts or running the policy for each.
    static let unanalyzedFacts = HandshakeFacts()
    static let unanalyzedPosture = ConnectionPosture(pfs: nil, pq: false, pqOffered: false, findings: [])

    /// The protocol the facts show, from the most specific evidence down.
    public static func classify(_ facts: HandshakeFacts) -> ConnectionProtocol {
        let isTLS = facts.clientHello != nil || facts.serverHello != nil || facts.sslv2ServerVersion != nil
        if facts.sslv2ServerVersion == .sslv2 { return .sslv2 }
        if facts.quicVersion != nil { return .quic }
        if facts.isDTLS, isTLS { return .dtls }
        if isTLS { return .tls }
        if let encrypted = facts.application.encryptedProtocol { return ConnectionProtocol(encrypted) }
        if facts.application.protocolName != nil { return .plaintext }
        return .unknown
    }

    /// - Parameter detailed: false for a record that is only folded into host rows and totals:
    ///   the fingerprints, the client's offer and the certificate, which those never read, are
    ///   left out (the fingerprints' hashing was most of the cost of folding).
    /// - Parameter remembering: keep what is worth keeping for the next judgment (the hellos'
    ///   fingerprints); false when nothing will ask again.
    /// - Parameter fingerprintCache: fingerprints of the hellos other connections sent.
    /// - Parameter probes: certificates tlstop's probes read from listeners whose TLS 1.3
    ///   handshakes hid theirs; a connection to such a listener is judged with it.
    /// - Parameter otherPolicies: judged too when `detailed` (`--policy a,b`): their verdicts go
    ///   with the record; host rows and totals count the first policy's only.
    public static func record(
        of connection: Connection, policy: Policy, otherPolicies: [Policy] = [], detailed: Bool = true,
        remembering: Bool = true, fingerprintCache: FingerprintCache? = nil, probes: ListenerProbes? = nil
    ) -> ConnectionRecord {
        let analyzed = connection.isAnalyzed
        var facts = connection.facts
        let hello = facts.clientHello
        let serverHello = facts.serverHello
        let kind = classify(facts)
        var probe: ProbeOrigin?
        var signatureScheme = facts.decrypted?.serverSignatureScheme
        if let probes, kind == .tls, facts.isTLS13, facts.serverCertificate == nil,
            let result = probes.result(for: .init(server: connection.server, serverName: hello?.serverName)),
            let certificate = result.certificate
        {
            // The same listener, seen by tlstop's own handshake: judged like a certificate on the wire.
            facts.serverCertificate = certificate
            facts.serverChainLength = Int32(clamping: result.chainLength)
            facts.certificateCoversServerName = result.coversServerName
            probe = ProbeOrigin(endpoint: connection.server, serverName: hello?.serverName, at: result.at)
            signatureScheme = result.signatureScheme
        }
        let certificateSource = probe != nil ? .probe : facts.certificateSource
        let isTLS = kind.isTLSFamily
        let application = facts.application
        let serverPort = connection.server.port
        let directTLS = isTLS && !application.upgraded
        let certificate = (detailed ? facts.serverCertificate : nil).map {
            CertificateRecord(
                facts: $0, chainLength: Int(facts.serverChainLength),
                coversServerName: facts.certificateCoversServerName,
                source: certificateSource ?? .wire,
                signatureScheme: signatureScheme,
                probe: probe)
        }
        let fingerprints = detailed ? connection.fingerprints(remembering: remembering, cache: fingerprintCache) : nil
        // Certificates are judged at the time of the handshake, so a capture file gives the same
        // verdict whenever it is read.
        let posture =
            analyzed
            ? PostureEvaluator.evaluate(
                facts, protocol: kind, policy: policy, at: connection.lastSeen, details: detailed)
            : unanalyzedPosture
        let otherVerdicts =
            analyzed && detailed
            ? otherPolicies.map {
                PolicyVerdict(
                    policy: $0.name,
                    findings: PostureEvaluator.evaluate(facts, protocol: kind, policy: $0, at: connection.lastSeen)
                        .findings)
            } : []
        // A tunnel (CONNECT, SOCKS5, RDP) is not STARTTLS: its clear-text part is transport, and
        // the application is whatever runs inside (ALPN says), except RDP, which is the application.
        let tunnel = application.tunnel.flatMap { kind in
            application.upgradeAccepted || application.upgraded
                ? TunnelRecord(kind: kind, target: application.tunnelTarget, rdpSecurity: application.rdpSecurity)
                : nil
        }
        let isUpgrade = application.tunnel == nil
        let upgradeMentioned =
            isUpgrade && (application.upgradeAdvertised || application.upgradeRequested || application.upgraded)
        let applicationName =
            tunnel != nil && isTLS && application.tunnel != .rdp ? nil : application.protocolName
        return ConnectionRecord(
            id: connection.id, client: connection.client, server: connection.server,
            transport: connection.transport, protocol: kind,
            application: applicationName,
            version: facts.negotiatedVersion,
            cipher: serverHello?.cipherSuite,
            group: facts.group,
            dhBits: facts.serverKeyExchange?.dhPrimeBits ?? facts.group?.finiteFieldBits,
            sni: hello?.serverName ?? facts.googleQUIC?.serverName,
            alpn: serverHello?.alpnProtocol ?? facts.decrypted?.alpn,
            established: isTLS && facts.quicVersion == nil ? facts.isEstablished : nil,
            resumed: isTLS ? facts.isResumed : nil,
            helloRetryRequest: facts.helloRetryRequest != nil,
            startTLS: upgradeMentioned ? application.protocolName : nil,
            startTLSOffered: isUpgrade && (application.upgradeAdvertised || application.upgradeRequested),
            startTLSRequested: isUpgrade && application.upgradeRequested,
            startTLSRefused: isUpgrade && application.upgradeRefused,
            startTLSUsed: isUpgrade && application.upgraded,
            cleartextCredentials: application.cleartextCredentials,
            credentialMechanism: application.credentialMechanism,
            plaintextOnTLSPort: kind == .plaintext && ApplicationProtocol.tlsPorts.contains(serverPort),
            tlsOnPlaintextPort: directTLS && ApplicationProtocol.plaintextPorts.contains(serverPort),
            clientCertificate: facts.clientChainLength > 0,
            alert: facts.fatalAlert ?? facts.alerts.first,
            violation: facts.violation,
            certificate: certificate,
            certificateError: facts.serverCertificateError,
            clientOffer: detailed ? hello.map(ClientOffer.init) : nil,
            packets: connection.clientPackets + connection.serverPackets,
            bytes: connection.clientBytes + connection.serverBytes,
            firstSeen: connection.firstSeen, lastSeen: connection.lastSeen,
            closed: connection.sawFIN || connection.sawRST, gap: connection.hadGap,
            pfs: posture.pfs, pq: posture.pq, pqOffered: posture.pqOffered, pqMissed: posture.pqMissed,
            pqAuthentication: posture.pqAuthentication, otherVerdicts: otherVerdicts, findings: posture.findings,
            quicVersion: facts.quicVersion,
            ja4: fingerprints?.ja4, ja3: fingerprints?.ja3, ja3s: fingerprints?.ja3s,
            direction: connection.direction, localProcess: connection.localProcess,
            quicAuthenticationFailures: facts.quicVersion == nil ? nil : Int(facts.quicAuthenticationFailures),
            googleQUIC: facts.googleQUIC, tunnel: tunnel, certificateSource: certificateSource)
    }
}
