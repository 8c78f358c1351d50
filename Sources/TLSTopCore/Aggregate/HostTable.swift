/// Per-host aggregates built one connection at a time, so connections that leave memory can be
/// folded in and still count: a host's totals, breakdowns, findings and grade cover every
/// connection ever seen, not only the ones still held.
public struct HostTable: Sendable {
    /// What grading needs from the connections of a host, in a form that merges.
    struct GradeInputs: Sendable {
        var worstSeverity = FindingSeverities()
        var hasTLS = false
        var allTLSPostQuantum = true
        var anyClassified = false

        mutating func add(_ connection: ConnectionRecord) {
            guard connection.isEncrypted != nil else { return }
            anyClassified = true
            for finding in connection.findings { worstSeverity.raise(finding.id, to: finding.severity) }
            // QUIC and DTLS run a TLS handshake too: a QUIC-only host is graded on it, not as a
            // host with no TLS at all.
            if connection.protocol.isTLSFamily {
                hasTLS = true
                if !connection.pq { allTLSPostQuantum = false }
            }
        }
    }

    struct Entry: Sendable {
        var snapshot: HostSnapshot
        /// Hashes of the distinct client addresses: 8 bytes each, where the text would allocate.
        var clients: Set<Int> = []
        var grading = GradeInputs()
    }

    /// Distinct client addresses remembered per host; past it the count stops growing.
    static let maximumClientsPerHost = 4096
    static let maximumServicesPerHost = 32
    static let maximumAddressesPerHost = 16

    private var index: [HostKey: Int] = [:]
    private var entries: [Entry] = []
    /// Rows kept at most; see `evictLeastUsed`.
    public let capacity: Int
    public private(set) var evictedHosts = 0
    public private(set) var evictedHostConnections = 0

    public init(capacity: Int = 1 << 16) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { entries.count }

    public mutating func add(_ connection: ConnectionRecord) {
        entries[position(of: connection.hostKey, firstSeen: connection.firstSeen)].add(connection)
    }

    /// Counts a TCP flow that ended without payload on the row of its server's address and port.
    public mutating func add(_ attempt: AttemptSummary) {
        let key = HostKey(name: .address(attempt.server.address), port: attempt.server.port)
        let position = position(of: key, firstSeen: attempt.firstSeen)
        entries[position].snapshot.add(attempt)
    }

    /// The row of a host, made (and the table trimmed) if it is new.
    private mutating func position(of key: HostKey, firstSeen: Timestamp) -> Int {
        if let existing = index[key] { return existing }
        if entries.count >= capacity { evictLeastUsed() }
        index[key] = entries.count
        entries.append(Entry(snapshot: HostSnapshot(key: key, firstSeen: firstSeen)))
        return entries.count - 1
    }

    /// The table is full: drop the sixteenth of the rows with the fewest connections (the oldest
    /// first among equals), so that a scan of many one-off destinations costs one sort per many
    /// new hosts and the busy servers stay.
    private mutating func evictLeastUsed() {
        let count = max(1, entries.count / 16)
        let victims = Set(
            entries.indices.sorted {
                (entries[$0].snapshot.connections + entries[$0].snapshot.attempts, entries[$0].snapshot.lastSeen)
                    < (entries[$1].snapshot.connections + entries[$1].snapshot.attempts, entries[$1].snapshot.lastSeen)
            }.prefix(count))
        var kept: [Entry] = []
        kept.reserveCapacity(entries.count - victims.count)
        for (position, entry) in entries.enumerated() {
            if victims.contains(position) {
                evictedHostConnections += entry.snapshot.connections
            } else {
                kept.append(entry)
            }
        }
        evictedHosts += victims.count
        entries = kept
        index.removeAll(keepingCapacity: true)
        for (position, entry) in entries.enumerated() {
            index[entry.snapshot.key] = position
        }
    }

    /// The rows, graded, in order of first appearance (ties by port and name): an order that does
    /// not depend on the order connections were folded in, so shards of a capture merge into the
    /// rows one table would have made.
    public func snapshots() -> [HostSnapshot] {
        let rows = entries.map { entry in
            var host = entry.snapshot
            if let verdict = Grade.grade(entry.grading) {
                host.grade = verdict.grade
                host.gradeReason = verdict.reason
            }
            return host
        }
        return rows.sorted { first, second in
            if first.firstSeen != second.firstSeen { return first.firstSeen < second.firstSeen }
            if first.port != second.port { return first.port < second.port }
            return first.host < second.host
        }
    }

    /// Adds another table's rows: a row both have adds up, a new one is appended (evicting as
    /// `add` does when the table is full).
    public mutating func merge(_ other: HostTable) {
        for entry in other.entries {
            let position = position(of: entry.snapshot.key, firstSeen: entry.snapshot.firstSeen)
            entries[position].merge(entry)
        }
        evictedHosts += other.evictedHosts
        evictedHostConnections += other.evictedHostConnections
    }
}

extension HostSnapshot {
    /// Keeps the lowest `HostTable.maximumAddressesPerHost` server addresses, in order: the same
    /// ones whatever order connections come in (and however a capture was split).
    mutating func remember(_ address: IPAddress) {
        guard addresses.last.map({ address > $0 }) != true || addresses.count < HostTable.maximumAddressesPerHost
        else { return }
        let position = addresses.firstIndex { $0 >= address } ?? addresses.endIndex
        guard position == addresses.endIndex || addresses[position] != address else { return }
        addresses.insert(address, at: position)
        if addresses.count > HostTable.maximumAddressesPerHost { addresses.removeLast() }
    }

    mutating func add(_ attempt: AttemptSummary) {
        attempts += 1
        if attempt.refused { refusedAttempts += 1 }
        firstSeen = min(firstSeen, attempt.firstSeen)
        lastSeen = max(lastSeen, attempt.lastSeen)
        if addresses.isEmpty { addresses = [attempt.server.address] }
    }
}

extension HostTable.Entry {
    mutating func add(_ connection: ConnectionRecord) {
        snapshot.connections += 1
        snapshot.packets += connection.packets
        snapshot.bytes += connection.bytes
        snapshot.protocols[connection.protocol, default: 0] += 1
        if let version = connection.version { snapshot.versions[version, default: 0] += 1 }
        if let cipher = connection.cipher { snapshot.ciphers[cipher, default: 0] += 1 }
        if let group = connection.group { snapshot.groups[group, default: 0] += 1 }
        if let application = connection.application { snapshot.applications[application, default: 0] += 1 }
        switch connection.isEncrypted {
        case true?:
            snapshot.encryptedConnections += 1
            snapshot.encryptedBytes += connection.bytes
        case false?:
            snapshot.plaintextConnections += 1
            snapshot.plaintextBytes += connection.bytes
        case nil:
            snapshot.unknownConnections += 1
            snapshot.unknownBytes += connection.bytes
        }
        if connection.cleartextCredentials { snapshot.cleartextCredentialConnections += 1 }
        snapshot.remember(connection.server.address)
        if clients.count < HostTable.maximumClientsPerHost { clients.insert(connection.client.address.hashValue) }
        snapshot.clients = clients.count
        snapshot.firstSeen = min(snapshot.firstSeen, connection.firstSeen)
        snapshot.lastSeen = max(snapshot.lastSeen, connection.lastSeen)
        snapshot.severity = max(snapshot.severity, connection.severity)
        for finding in connection.findings {
            snapshot.findingCounts[finding.id, default: 0] += 1
            if finding.severity > snapshot.worstFindingSeverity
                || (finding.severity == snapshot.worstFindingSeverity
                    && snapshot.worstFinding.map { finding.id < $0 } == true)
            {
                snapshot.worstFinding = finding.id
                snapshot.worstFindingSeverity = finding.severity
            }
        }
        if connection.protocol.isTLSFamily { snapshot.tlsConnections += 1 }
        if connection.pfs == true { snapshot.pfsConnections += 1 }
        if connection.pq { snapshot.pqConnections += 1 }
        if connection.pqMissed { snapshot.pqMissedConnections += 1 }
        if let service = connection.service,
            snapshot.services[service] != nil || snapshot.services.count < HostTable.maximumServicesPerHost
        {
            snapshot.services[service, default: 0] += 1
        }
        grading.add(connection)
    }
}

extension HostTable {
    /// One row per server name (SNI, else address) and port, in order of first appearance.
    public static func rows(of connections: [ConnectionRecord]) -> [HostSnapshot] {
        var table = HostTable()
        for connection in connections { table.add(connection) }
        return table.snapshots()
    }
}
