/// Something that makes a run's figures incomplete or wrong, said the same way by the batch
/// summary and the dashboard's status line and `!` list: where the figures stop being the whole
/// truth, the user must see it wherever they look.
public enum CaptureProblem: Sendable, Equatable, CustomStringConvertible {
    /// The capture ended on an error: a damaged file, an interface that went away.
    case inputFailed(String)
    /// The kernel or the interface dropped packets: handshakes may be missing.
    case packetsDropped(kernel: Int, interface: Int, received: Int)
    /// A `--limit` cap was reached and shaped the figures.
    case limitsReached(
        connections: Int, hosts: Int, reassemblyOverflows: Int, handshakeCaps: Int, droppedAttempts: Int)
    /// Packets that could not be decoded, and connections the table had no room for.
    case undecodable(truncated: Int, malformed: Int, untracked: Int)
    /// No local process is named, and why ("--no-processes", missing capabilities).
    case attributionOff(String)
    /// Listener probes that failed, with the last reason.
    case probesFailed(count: Int, last: String?)
    /// Key log secrets that did not open a handshake (a wrong or stale key log).
    case keyLogFailures(count: Int)

    public enum Kind: Int, Sendable, Comparable {
        case inputFailed, packetsDropped, limitsReached, undecodable, attributionOff, probesFailed, keyLogFailures

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var kind: Kind {
        switch self {
        case .inputFailed: .inputFailed
        case .packetsDropped: .packetsDropped
        case .limitsReached: .limitsReached
        case .undecodable: .undecodable
        case .attributionOff: .attributionOff
        case .probesFailed: .probesFailed
        case .keyLogFailures: .keyLogFailures
        }
    }

    /// Critical when the figures are cut short or packets were lost; a warning otherwise.
    public var severity: Severity {
        switch self {
        case .inputFailed, .packetsDropped: .critical
        default: .warn
        }
    }

    public var description: String {
        switch self {
        case .inputFailed(let message):
            return message
        case .packetsDropped(let kernel, let interface, let received):
            return "packets lost: the kernel dropped \(kernel) of \(received), the interface \(interface); "
                + "raise -B or narrow the filter (-f)"
        case .limitsReached(let connections, let hosts, let overflows, let caps, let attempts):
            return "limits reached: \(connections) connections and \(hosts) hosts evicted, "
                + "\(overflows) reassembly overflows, \(caps) handshake caps"
                + (attempts > 0 ? ", \(attempts) attempts dropped (still counted)" : "")
        case .undecodable(let truncated, let malformed, let untracked):
            return "undecodable packets: \(truncated) truncated, \(malformed) malformed; "
                + "untracked connections: \(untracked)"
        case .attributionOff(let reason):
            return "processes \(reason)"
        case .probesFailed(let count, let last):
            return "listener probes failed: \(count)" + (last.map { " (last: \($0))" } ?? "")
        case .keyLogFailures(let count):
            return "key log: \(count) handshakes not opened (wrong keys for them)"
        }
    }

    /// Every problem a snapshot shows, plus the error the capture ended on; most serious first.
    public static func all(in snapshot: Snapshot, endedWith error: String? = nil) -> [CaptureProblem] {
        let stats = snapshot.statistics
        var problems: [CaptureProblem] = []
        if let error { problems.append(.inputFailed(error)) }
        let dropped = (stats.kernelDropped ?? 0) + (stats.interfaceDropped ?? 0)
        if dropped > 0 {
            problems.append(
                .packetsDropped(
                    kernel: stats.kernelDropped ?? 0, interface: stats.interfaceDropped ?? 0,
                    received: stats.kernelReceived ?? 0))
        }
        if stats.evictedConnections + stats.evictedHosts + stats.reassemblyOverflows + stats.handshakeLimitHits
            + stats.evictedAttempts > 0
        {
            problems.append(
                .limitsReached(
                    connections: stats.evictedConnections, hosts: stats.evictedHosts,
                    reassemblyOverflows: stats.reassemblyOverflows, handshakeCaps: stats.handshakeLimitHits,
                    droppedAttempts: stats.evictedAttempts))
        }
        if stats.truncatedPackets + stats.malformedPackets + stats.untrackedConnections > 0 {
            problems.append(
                .undecodable(
                    truncated: stats.truncatedPackets, malformed: stats.malformedPackets,
                    untracked: stats.untrackedConnections))
        }
        if let attribution = snapshot.processAttribution, attribution != "on" {
            problems.append(.attributionOff(attribution))
        }
        if let probes = stats.probes, probes.failures > 0 {
            problems.append(.probesFailed(count: probes.failures, last: probes.lastFailure))
        }
        if let keyLog = stats.keyLog, keyLog.decryptionFailures > 0 {
            problems.append(.keyLogFailures(count: keyLog.decryptionFailures))
        }
        return problems
    }
}
