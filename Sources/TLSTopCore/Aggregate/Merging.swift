// Adding up what separate shards of one capture counted (see `SnapshotParts.merging`). Every
// counter adds; caps (host rows, addresses, clients, services) hold as they do when one table
// counts everything.

extension TrafficStatistics {
    /// Adds another tracker's counters. Key log and probe counts are not sharded: the first kept.
    public mutating func merge(_ other: TrafficStatistics) {
        packets += other.packets
        bytes += other.bytes
        tcpPackets += other.tcpPackets
        udpPackets += other.udpPackets
        espPackets += other.espPackets
        nonIPPackets += other.nonIPPackets
        otherTransportPackets += other.otherTransportPackets
        fragments += other.fragments
        truncatedPackets += other.truncatedPackets
        malformedPackets += other.malformedPackets
        connections += other.connections
        endedAttempts += other.endedAttempts
        refusedAttempts += other.refusedAttempts
        evictedAttempts += other.evictedAttempts
        activeAttempts += other.activeAttempts
        untrackedConnections += other.untrackedConnections
        activeConnections += other.activeConnections
        expiredConnections += other.expiredConnections
        evictedConnections += other.evictedConnections
        foldedConnections += other.foldedConnections
        evictedHosts += other.evictedHosts
        evictedHostConnections += other.evictedHostConnections
        reassemblyOverflows += other.reassemblyOverflows
        handshakeLimitHits += other.handshakeLimitHits
        truncatedFields += other.truncatedFields
        violations.merge(other.violations, uniquingKeysWith: +)
        probePackets += other.probePackets
        keyLog = keyLog ?? other.keyLog
        probes = probes ?? other.probes
        kernelReceived = Self.sum(kernelReceived, other.kernelReceived)
        kernelDropped = Self.sum(kernelDropped, other.kernelDropped)
        interfaceDropped = Self.sum(interfaceDropped, other.interfaceDropped)
    }

    private static func sum(_ first: Int?, _ second: Int?) -> Int? {
        first.map { $0 + (second ?? 0) } ?? second
    }
}

extension ConnectionTotals {
    public mutating func merge(_ other: ConnectionTotals) {
        connections += other.connections
        protocols.merge(other.protocols, uniquingKeysWith: +)
        versions.merge(other.versions, uniquingKeysWith: +)
        ciphers.merge(other.ciphers, uniquingKeysWith: +)
        groups.merge(other.groups, uniquingKeysWith: +)
        severities.merge(other.severities, uniquingKeysWith: +)
        findings.merge(other.findings, uniquingKeysWith: +)
        encrypted += other.encrypted
        plaintext += other.plaintext
        unknown += other.unknown
        cleartextCredentials += other.cleartextCredentials
        tlsFamily += other.tlsFamily
        pfs += other.pfs
        pq += other.pq
        pqMissed += other.pqMissed
        tls13 += other.tls13
        tls13Certificates += other.tls13Certificates
        attempts += other.attempts
        refusedAttempts += other.refusedAttempts
    }
}

extension HostTable.GradeInputs {
    mutating func merge(_ other: HostTable.GradeInputs) {
        for id in FindingID.all {
            if let severity = other.worstSeverity[id] { worstSeverity.raise(id, to: severity) }
        }
        hasTLS = hasTLS || other.hasTLS
        allTLSPostQuantum = allTLSPostQuantum && other.allTLSPostQuantum
        anyClassified = anyClassified || other.anyClassified
    }
}

extension HostTable.Entry {
    mutating func merge(_ other: HostTable.Entry) {
        snapshot.merge(other.snapshot)
        for client in other.clients where clients.count < HostTable.maximumClientsPerHost { clients.insert(client) }
        snapshot.clients = clients.count
        grading.merge(other.grading)
    }
}

extension HostSnapshot {
    mutating func merge(_ other: HostSnapshot) {
        connections += other.connections
        attempts += other.attempts
        refusedAttempts += other.refusedAttempts
        protocols.merge(other.protocols, uniquingKeysWith: +)
        versions.merge(other.versions, uniquingKeysWith: +)
        ciphers.merge(other.ciphers, uniquingKeysWith: +)
        groups.merge(other.groups, uniquingKeysWith: +)
        applications.merge(other.applications, uniquingKeysWith: +)
        encryptedConnections += other.encryptedConnections
        plaintextConnections += other.plaintextConnections
        unknownConnections += other.unknownConnections
        encryptedBytes += other.encryptedBytes
        plaintextBytes += other.plaintextBytes
        unknownBytes += other.unknownBytes
        cleartextCredentialConnections += other.cleartextCredentialConnections
        packets += other.packets
        bytes += other.bytes
        firstSeen = min(firstSeen, other.firstSeen)
        lastSeen = max(lastSeen, other.lastSeen)
        for address in other.addresses { remember(address) }
        severity = max(severity, other.severity)
        findingCounts.merge(other.findingCounts, uniquingKeysWith: +)
        if let finding = other.worstFinding,
            other.worstFindingSeverity > worstFindingSeverity
                || (other.worstFindingSeverity == worstFindingSeverity && worstFinding.map { finding < $0 } == true)
        {
            worstFinding = finding
            worstFindingSeverity = other.worstFindingSeverity
        }
        for (service, count) in other.services
        where services[service] != nil || services.count < HostTable.maximumServicesPerHost {
            services[service, default: 0] += count
        }
        tlsConnections += other.tlsConnections
        pfsConnections += other.pfsConnections
        pqConnections += other.pqConnections
        pqMissedConnections += other.pqMissedConnections
    }
}
