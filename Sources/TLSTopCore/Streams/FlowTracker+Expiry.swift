/// Idle and closed flows leave the table; a full table drops its idlest flows.
extension FlowTracker {
    /// Moves idle and closed connections out of the active table and ends idle attempts. Called
    /// once a second of capture time from `process`, and by a live capture when packets stop coming.
    public func sweep(now: Timestamp) {
        nextSweep = Timestamp(nanoseconds: now.nanoseconds &+ Self.sweepInterval)
        var expired = 0
        let nowSecond = Self.second(of: now.nanoseconds)
        expiry.takeDue(through: nowSecond, into: &dueScratch)
        for connection in dueScratch {
            let deadline = expiryDeadline(of: connection)
            if deadline < now.nanoseconds {
                table.remove(connection.key)
                deactivate(connection)
                expired += 1
            } else {
                // Seen since it was filed: file it again for its new deadline.
                expiry.file(connection, dueAt: Self.second(of: deadline, roundingUp: true), now: nowSecond)
            }
        }
        dueScratch.removeAll(keepingCapacity: true)
        statistics.expiredConnections += expired
        statistics.activeConnections = table.count
        attempts.takeExpired(
            now: now.nanoseconds, idle: Self.nanoseconds(configuration.attemptIdleTimeout),
            closed: Self.nanoseconds(configuration.closedLinger), into: &endedAttempts)
        endTakenAttempts()
    }

    /// The whole second of capture time at or before `timestamp`: sweeps run on that grid, with it
    /// as their time, so that whether a flow expired depends on the capture alone, not on which
    /// packet (of which shard of a sharded read) came first in the second.
    static func sweepTime(of timestamp: Timestamp) -> Timestamp {
        Timestamp(nanoseconds: second(of: timestamp.nanoseconds) &* 1_000_000_000)
    }

    /// A sharded read's last packet came at `timestamp`, perhaps to another shard: sweep as if it
    /// had come here, so each shard ends the read in the state one tracker of all would be in.
    public func sweep(upTo timestamp: Timestamp) {
        guard let due = nextSweep, timestamp >= due else { return }
        sweep(now: Self.sweepTime(of: timestamp))
    }

    /// Files a connection in the expiry wheel under the second its idle time would run out.
    func file(_ connection: Connection) {
        expiry.file(
            connection, dueAt: Self.second(of: expiryDeadline(of: connection), roundingUp: true),
            now: Self.second(of: connection.lastSeen.nanoseconds))
        // Entries of flows that left the table, or were filed again, wait for their second; when
        // they outnumber the live ones (a flood evicting flows), drop them at once.
        if expiry.count > 2 * table.count + 4096 { expiry.compact() }
    }

    /// When the connection, if it sees no further packet, has been idle too long (nanoseconds).
    func expiryDeadline(of connection: Connection) -> Int64 {
        let limit: Duration =
            connection.sawRST || connection.sawFIN
            ? configuration.closedLinger
            : (connection.transport == .tcp ? configuration.tcpIdleTimeout : configuration.udpIdleTimeout)
        return connection.lastSeen.nanoseconds &+ Self.nanoseconds(limit)
    }

    static func second(of nanoseconds: Int64, roundingUp: Bool = false) -> Int64 {
        let (quotient, remainder) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        if remainder > 0 && roundingUp { return quotient + 1 }
        if remainder < 0 && !roundingUp { return quotient - 1 }
        return quotient
    }

    /// The table is full: drop the idlest sixteenth at once, so that a flood costs one pass per
    /// many new flows instead of a scan per flow. Flows without payload never get here (they are
    /// attempts, with a table and a cap of their own).
    func evictIdlest() {
        let target = max(1, table.count / 16)
        var victims: [Connection] = []
        victims.reserveCapacity(target)
        // A last-seen threshold from a sample of the table, then one pass, instead of sorting a
        // million flows.
        let step = max(1, table.count / 1024)
        var sample: [Int64] = []
        sample.reserveCapacity(1025)
        for (position, connection) in table.connections.enumerated() where position % step == 0 {
            sample.append(connection.lastSeen.nanoseconds)
        }
        sample.sort()
        let quantile = Double(target) / Double(max(1, table.count))
        let threshold = sample[min(sample.count - 1, Int(Double(sample.count) * quantile))]
        for connection in table.connections where victims.count < target {
            if connection.lastSeen.nanoseconds <= threshold { victims.append(connection) }
        }
        for connection in victims {
            table.remove(connection.key)
            deactivate(connection)
        }
        statistics.evictedConnections += victims.count
    }

    /// Takes a connection out of the active set.
    func deactivate(_ connection: Connection) {
        connection.isActive = false
        observer?.deactivated(connection)
    }
}
