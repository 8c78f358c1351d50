import Foundation

/// Derives a `Snapshot` from the tracker's live state.
public enum SnapshotBuilder {
    /// Addresses kept per host; a server behind many addresses is still one row.
    static let maximumAddressesPerHost = 16

    /// - Parameter isFinal: nothing will ask again (the end of a batch run): the connections'
    ///   snapshots are not kept for the next build, which saves a copy of each.
    public static func build(
        from tracker: FlowTracker, source: Snapshot.Source, generatedAt: Timestamp, policy: Policy = .intermediate,
        isFinal: Bool = false
    ) -> Snapshot {
        let connections = tracker.connections.map {
            isFinal ? lastSnapshot(of: $0, policy: policy) : snapshot(of: $0, policy: policy)
        }
        var hosts = tracker.hostHistory
        for connection in connections { hosts.add(connection) }
        var statistics = tracker.currentStatistics
        // The rows of connections still held count too: the table may have made room for them.
        statistics.evictedHosts = hosts.evictedHosts
        statistics.evictedHostConnections = hosts.evictedHostConnections
        return Snapshot(
            generatedAt: generatedAt, source: source, policy: policy.name, statistics: statistics,
            firstPacket: tracker.firstTimestamp, lastPacket: tracker.lastTimestamp,
            connections: connections, hosts: hosts.snapshots())
    }

    public static func snapshot(of connection: Connection, policy: Policy = .intermediate) -> ConnectionSnapshot {
        if let cached = cachedSnapshot(of: connection, policy: policy) { return cached }
        let fresh = buildSnapshot(of: connection, policy: policy)
        if let cached = connection.snapshotCache {
            cached.snapshot = fresh
            cached.policy = policy.name
        } else {
            connection.snapshotCache = Connection.CachedSnapshot(fresh, policy: policy.name)
        }
        connection.changed = false
        return fresh
    }

    /// The snapshot of a connection about to leave memory: the cached one if still valid, else a
    /// fresh one that is not cached (nothing will ask again).
    static func lastSnapshot(of connection: Connection, policy: Policy) -> ConnectionSnapshot {
        cachedSnapshot(of: connection, policy: policy) ?? buildSnapshot(of: connection, policy: policy)
    }

    /// The cached snapshot, if nothing changed since it was built under this policy.
    private static func cachedSnapshot(of connection: Connection, policy: Policy) -> ConnectionSnapshot? {
        guard !connection.changed, let cached = connection.snapshotCache, cached.policy == policy.name else {
            return nil
        }
        return cached.snapshot
    }

    /// What a flow that never carried payload is judged to be: nothing to find. Shared, so that
    /// the flows of a SYN flood are counted without building facts or running the policy for each.
    static let unanalyzedFacts = HandshakeFacts()
    static let unanalyzedPosture = ConnectionPosture(pfs: nil, pq: false, pqOffered: false, findings: [])

    static func buildSnapshot(of connection: Connection, policy: Policy) -> ConnectionSnapshot {
        let analyzed = connection.analyzer != nil
        let facts = connection.facts
        let hello = facts.clientHello
        let serverHello = facts.serverHello
        let isTLS = hello != nil || serverHello != nil || facts.sslv2ServerVersion != nil
        let application = facts.application
        let protocolName: String
        if facts.sslv2ServerVersion == .sslv2 {
            protocolName = "sslv2"
        } else if facts.quicVersion != nil {
            protocolName = "quic"
        } else if facts.isDTLS, isTLS {
            protocolName = "dtls"
        } else if isTLS {
            protocolName = "tls"
        } else if let encrypted = application.encryptedProtocol {
            protocolName = encrypted.rawValue
        } else if application.protocolName != nil {
            protocolName = "plaintext"
        } else {
            protocolName = "unknown"
        }
        let serverPort = connection.server.port
        let directTLS = isTLS && !application.upgraded
        let certificate = facts.serverCertificate.map { certificate in
            CertificateSnapshot(
                subject: certificate.subject, issuer: certificate.issuer, commonName: certificate.commonName,
                subjectAltNames: certificate.subjectAltNames,
                notBefore: timestamp(certificate.notBefore), notAfter: timestamp(certificate.notAfter),
                serialNumber: certificate.serialNumber, keyType: certificate.keyType, keyBits: certificate.keyBits,
                curve: certificate.curve, signatureAlgorithm: certificate.signatureAlgorithm,
                isSelfSigned: certificate.isSelfSigned, chainLength: facts.serverChainLength,
                coversServerName: facts.certificateCoversServerName)
        }
        let offer = hello.map { hello in
            ClientOfferSnapshot(
                versions: hello.supportedVersions.isEmpty
                    ? [hello.legacyVersion.name] : hello.supportedVersions.map(\.name),
                cipherSuites: hello.cipherSuites.map(\.name), groups: hello.supportedGroups.map(\.name),
                keyShareGroups: hello.keyShareGroups.map(\.name),
                signatureAlgorithms: hello.signatureAlgorithms.map(\.name), alpn: hello.alpnProtocols,
                sessionResumption: hello.attemptsResumption, encryptedClientHello: hello.hasEncryptedClientHello,
                sslv2Format: hello.isSSLv2Format)
        }
        let alert = facts.fatalAlert ?? facts.alerts.first
        let fingerprints = connection.analyzer?.fingerprints()
        // Certificates are judged at the time of the handshake, so a capture file gives the same
        // verdict whenever it is read.
        let posture =
            analyzed
            ? PostureEvaluator.evaluate(facts, protocol: protocolName, policy: policy, at: connection.lastSeen)
            : unanalyzedPosture
        return ConnectionSnapshot(
            id: connection.id,
            clientIP: connection.client.address.description, clientPort: Int(connection.client.port),
            serverIP: connection.server.address.description, serverPort: Int(connection.server.port),
            transport: connection.transport.name, protocol: protocolName,
            application: application.protocolName?.rawValue,
            version: facts.negotiatedVersion?.name,
            cipher: serverHello?.cipherSuite.name,
            group: facts.group?.name,
            dhBits: facts.serverKeyExchange?.dhPrimeBits ?? facts.group?.finiteFieldBits,
            sni: hello?.serverName,
            alpn: serverHello?.alpnProtocol,
            established: isTLS && facts.quicVersion == nil ? facts.isEstablished : nil,
            resumed: isTLS ? facts.isResumed : nil,
            helloRetryRequest: facts.helloRetryRequest != nil,
            startTLS: application.upgradeAdvertised || application.upgradeRequested || application.upgraded
                ? application.protocolName?.rawValue : nil,
            startTLSOffered: application.upgradeAdvertised || application.upgradeRequested,
            startTLSRequested: application.upgradeRequested,
            startTLSRefused: application.upgradeRefused,
            startTLSUsed: application.upgraded,
            cleartextCredentials: application.cleartextCredentials,
            credentialMechanism: application.credentialMechanism,
            plaintextOnTLSPort: protocolName == "plaintext" && ApplicationProtocol.tlsPorts.contains(serverPort),
            tlsOnPlaintextPort: directTLS && ApplicationProtocol.plaintextPorts.contains(serverPort),
            clientCertificate: facts.clientChainLength > 0,
            alert: alert.map { alert in
                let what = alert.description?.name ?? "encrypted"
                return "\(alert.sender == .client ? "client" : "server") \(alert.isFatal ? "fatal" : "warning") \(what)"
            },
            violation: facts.violation,
            certificate: certificate,
            certificateError: facts.serverCertificateError,
            clientOffer: offer,
            packets: connection.clientPackets + connection.serverPackets,
            bytes: connection.clientBytes + connection.serverBytes,
            firstSeen: connection.firstSeen, lastSeen: connection.lastSeen,
            closed: connection.sawFIN || connection.sawRST, gap: connection.hadGap,
            pfs: posture.pfs, pq: posture.pq, pqOffered: posture.pqOffered, findings: posture.findings,
            quicVersion: facts.quicVersion?.name,
            ja4: fingerprints?.ja4, ja3: fingerprints?.ja3, ja3s: fingerprints?.ja3s,
            direction: connection.direction?.rawValue, localProcess: connection.localProcess,
            quicAuthenticationFailures: facts.quicVersion == nil ? nil : facts.quicAuthenticationFailures)
    }

    static func timestamp(_ date: Date) -> Timestamp {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e11 else { return .zero }
        return Timestamp(nanoseconds: Int64(seconds * 1_000_000_000))
    }

    /// One row per server name (SNI, else address) and port, in order of first appearance.
    public static func hosts(of connections: [ConnectionSnapshot]) -> [HostSnapshot] {
        var table = HostTable()
        for connection in connections { table.add(connection) }
        return table.snapshots()
    }
}
