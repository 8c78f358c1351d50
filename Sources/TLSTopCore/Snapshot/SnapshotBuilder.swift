import Foundation

/// Derives a `Snapshot` from the tracker's live state.
public enum SnapshotBuilder {
    /// Addresses kept per host; a server behind many addresses is still one row.
    static let maximumAddressesPerHost = 16

    public static func build(
        from tracker: FlowTracker, source: Snapshot.Source, generatedAt: Timestamp, policy: Policy = .intermediate
    ) -> Snapshot {
        let connections = tracker.connections.map { snapshot(of: $0, policy: policy) }
        return Snapshot(
            generatedAt: generatedAt, source: source, policy: policy.name, statistics: tracker.statistics,
            firstPacket: tracker.firstTimestamp, lastPacket: tracker.lastTimestamp,
            connections: connections, hosts: hosts(of: connections))
    }

    public static func snapshot(of connection: Connection, policy: Policy = .intermediate) -> ConnectionSnapshot {
        let facts = connection.facts
        let hello = facts.clientHello
        let serverHello = facts.serverHello
        let isTLS = hello != nil || serverHello != nil || facts.sslv2ServerVersion != nil
        let application = facts.application
        let protocolName: String
        if facts.sslv2ServerVersion == .sslv2 {
            protocolName = "sslv2"
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
        // Certificates are judged at the time of the handshake, so a capture file gives the same
        // verdict whenever it is read.
        let posture = PostureEvaluator.evaluate(
            facts, protocol: protocolName, policy: policy, at: connection.lastSeen)
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
            established: isTLS ? facts.isEstablished : nil,
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
            pfs: posture.pfs, pq: posture.pq, pqOffered: posture.pqOffered, findings: posture.findings)
    }

    static func timestamp(_ date: Date) -> Timestamp {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 1e11 else { return .zero }
        return Timestamp(nanoseconds: Int64(seconds * 1_000_000_000))
    }

    struct HostKey: Hashable {
        var host: String
        var port: Int
    }

    /// One row per server name (SNI, else address) and port, in order of first appearance.
    public static func hosts(of connections: [ConnectionSnapshot]) -> [HostSnapshot] {
        var index: [HostKey: Int] = [:]
        var hosts: [HostSnapshot] = []
        var clients: [Set<String>] = []
        for connection in connections {
            let key = HostKey(host: connection.hostName, port: connection.serverPort)
            let position: Int
            if let existing = index[key] {
                position = existing
            } else {
                position = hosts.count
                index[key] = position
                hosts.append(
                    HostSnapshot(
                        host: key.host, port: key.port, addresses: [], connections: 0, protocols: [:], versions: [:],
                        ciphers: [:], groups: [:], applications: [:], encryptedConnections: 0, plaintextConnections: 0,
                        unknownConnections: 0, encryptedBytes: 0, plaintextBytes: 0, unknownBytes: 0,
                        cleartextCredentialConnections: 0, clients: 0, packets: 0, bytes: 0,
                        firstSeen: connection.firstSeen, lastSeen: connection.lastSeen))
                clients.append([])
            }
            hosts[position].connections += 1
            hosts[position].packets += connection.packets
            hosts[position].bytes += connection.bytes
            hosts[position].protocols[connection.protocol, default: 0] += 1
            if let version = connection.version { hosts[position].versions[version, default: 0] += 1 }
            if let cipher = connection.cipher { hosts[position].ciphers[cipher, default: 0] += 1 }
            if let group = connection.group { hosts[position].groups[group, default: 0] += 1 }
            if let application = connection.application {
                hosts[position].applications[application, default: 0] += 1
            }
            switch connection.isEncrypted {
            case true?:
                hosts[position].encryptedConnections += 1
                hosts[position].encryptedBytes += connection.bytes
            case false?:
                hosts[position].plaintextConnections += 1
                hosts[position].plaintextBytes += connection.bytes
            case nil:
                hosts[position].unknownConnections += 1
                hosts[position].unknownBytes += connection.bytes
            }
            if connection.cleartextCredentials { hosts[position].cleartextCredentialConnections += 1 }
            if !hosts[position].addresses.contains(connection.serverIP),
                hosts[position].addresses.count < maximumAddressesPerHost
            {
                hosts[position].addresses.append(connection.serverIP)
            }
            clients[position].insert(connection.clientIP)
            hosts[position].clients = clients[position].count
            hosts[position].firstSeen = min(hosts[position].firstSeen, connection.firstSeen)
            hosts[position].lastSeen = max(hosts[position].lastSeen, connection.lastSeen)
        }
        var members: [[ConnectionSnapshot]] = Array(repeating: [], count: hosts.count)
        for connection in connections {
            if let position = index[HostKey(host: connection.hostName, port: connection.serverPort)] {
                members[position].append(connection)
            }
        }
        for position in hosts.indices {
            let group = members[position]
            hosts[position].severity = group.map(\.severity).max() ?? .ok
            for connection in group {
                for finding in connection.findings {
                    hosts[position].findingCounts[finding.id.rawValue, default: 0] += 1
                }
            }
            let verdict = Grade.grade(
                of: group.map {
                    (findings: $0.findings, pq: $0.pq, isTLS: $0.protocol == "tls", isClassified: $0.isEncrypted != nil)
                })
            hosts[position].grade = verdict?.grade
            hosts[position].gradeReason = verdict?.reason
        }
        return hosts
    }
}
