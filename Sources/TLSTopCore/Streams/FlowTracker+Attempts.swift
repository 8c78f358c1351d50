/// TCP flows without payload: kept as small attempts (`AttemptTable`) until their first payload
/// makes them a connection, counted when they end.
extension FlowTracker {
    /// Creates or updates the attempt of a TCP packet without payload.
    func trackAttempt(_ key: FlowKey, _ packet: DecodedPacket, timestamp: Timestamp) {
        let flags = packet.tcpFlags
        let sourceIsLow = packet.source == key.lowAddress && packet.sourcePort == key.lowPort
        let isSYN = flags.contains(.syn) && !flags.contains(.ack)
        if let index = attempts.index(of: key) {
            var attempt = attempts[at: index]
            let fromClient = attempt.flags.contains(.clientIsLow) == sourceIsLow
            // A SYN with another initial sequence number, or after anything but a SYN, starts over;
            // so does anything but a retransmitted SYN or another reset after a reset: that flow
            // is gone for both stacks (a stray ACK there is a new attempt the kernel resets again).
            let retransmittedSYN =
                isSYN && fromClient && attempt.flags.contains(.clientSYN) && attempt.clientISN == packet.sequenceNumber
            let afterReset =
                !attempt.flags.isDisjoint(with: [.clientRST, .serverRST]) && !flags.contains(.rst) && !retransmittedSYN
            if (isSYN && !retransmittedSYN) || afterReset {
                endAttempt(key, attempts.remove(at: index))
            } else {
                update(&attempt, packet, fromClient: fromClient, timestamp: timestamp)
                attempts[at: index] = attempt
                return
            }
        }
        if attempts.count >= configuration.maximumAttempts {
            let victims = max(1, attempts.count / 16)
            attempts.takeOldest(victims, into: &endedAttempts)
            statistics.evictedAttempts += endedAttempts.count
            endTakenAttempts()
        }
        let sourceIsClient: Bool
        var attemptFlags: AttemptTable.Flags = []
        if flags.contains(.syn) {
            sourceIsClient = !flags.contains(.ack)
            attemptFlags.insert(.rolesKnown)
        } else {
            // No SYN seen: guess that the well-known port is the server's until the payload tells.
            sourceIsClient = !(packet.sourcePort < 1024 && packet.destinationPort >= 1024)
        }
        if sourceIsClient == sourceIsLow { attemptFlags.insert(.clientIsLow) }
        statistics.connections += 1
        var attempt = AttemptTable.Attempt(
            id: currentFrame, firstSeen: timestamp.nanoseconds, lastSeen: timestamp.nanoseconds,
            flags: attemptFlags)
        update(&attempt, packet, fromClient: sourceIsClient, timestamp: timestamp)
        attempts.insert(attempt, for: key, idle: Self.nanoseconds(configuration.attemptIdleTimeout))
    }

    func update(
        _ attempt: inout AttemptTable.Attempt, _ packet: DecodedPacket, fromClient: Bool, timestamp: Timestamp
    ) {
        attempt.lastSeen = max(attempt.lastSeen, timestamp.nanoseconds)
        let length = UInt32(clamping: packet.ipLength)
        let flags = packet.tcpFlags
        if fromClient {
            attempt.clientPackets &+= 1
            attempt.clientBytes = Self.saturatingSum(attempt.clientBytes, length)
            if flags.contains(.syn) && !flags.contains(.ack) {
                attempt.flags.insert(.clientSYN)
                attempt.clientISN = packet.sequenceNumber
            }
            if flags.contains(.rst) { attempt.flags.insert(.clientRST) }
            // The handshake's ACK names the SYN-ACK the client answered (servers may send several,
            // with different initial sequence numbers, and the capture may reorder them).
            if flags.contains(.ack), !flags.contains(.syn), !flags.contains(.rst), attempt.flags.contains(.serverSYN),
                !attempt.flags.contains(.clientAcknowledged)
            {
                attempt.serverISN = packet.acknowledgmentNumber &- 1
                attempt.flags.insert(.clientAcknowledged)
            }
        } else {
            attempt.serverPackets &+= 1
            attempt.serverBytes = Self.saturatingSum(attempt.serverBytes, length)
            // The latest SYN-ACK is the one the client answers (servers may send several).
            if flags.contains(.syn) && flags.contains(.ack), !attempt.flags.contains(.clientAcknowledged) {
                attempt.flags.insert(.serverSYN)
                attempt.serverISN = packet.sequenceNumber
            }
            if flags.contains(.rst) { attempt.flags.insert(.serverRST) }
        }
        if flags.contains(.fin) { attempt.flags.insert(.fin) }
    }

    static func saturatingSum(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// Hands the attempts in `endedAttempts` to the observer and empties it.
    func endTakenAttempts() {
        for (key, attempt) in endedAttempts { endAttempt(key, attempt) }
        endedAttempts.removeAll(keepingCapacity: true)
    }

    func endAttempt(_ key: FlowKey, _ attempt: AttemptTable.Attempt) {
        let refused = attempt.flags.contains(.serverRST)
        statistics.endedAttempts += 1
        if refused { statistics.refusedAttempts += 1 }
        guard let observer else { return }
        let (client, server) = Self.endpoints(key, clientIsLow: attempt.flags.contains(.clientIsLow))
        observer.attemptEnded(
            AttemptSummary(
                client: client, server: server, firstSeen: Timestamp(nanoseconds: attempt.firstSeen),
                lastSeen: Timestamp(nanoseconds: attempt.lastSeen),
                packets: Int(attempt.clientPackets) + Int(attempt.serverPackets),
                bytes: Int(attempt.clientBytes) + Int(attempt.serverBytes),
                answered: attempt.flags.contains(.serverSYN), refused: refused))
    }

    static func endpoints(_ key: FlowKey, clientIsLow: Bool) -> (client: Endpoint, server: Endpoint) {
        let low = Endpoint(address: key.lowAddress, port: key.lowPort)
        let high = Endpoint(address: key.highAddress, port: key.highPort)
        return clientIsLow ? (low, high) : (high, low)
    }

    /// Ends every attempt still open: the end of a run, so that they are counted.
    public func endAllAttempts() {
        attempts.takeAll(into: &endedAttempts)
        endTakenAttempts()
    }
}
