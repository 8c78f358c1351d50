import CLinux
import Foundation
import TLSTopCore

/// Finds the local process of each new connection on its own thread (Linux `/proc`), so the
/// capture never waits for a lookup.
///
/// A request is tried at once and then again over about three seconds: an inbound connection's
/// socket only gets an inode once the server accepts it, and its descriptor only appears in
/// `/proc/PID/fd` after `accept()`. Each try is one exact netlink `sock_diag` lookup (as `ss`
/// does; the `/proc/net` tables are read whole only where netlink is missing). A new inode is
/// looked for first among the processes that owned sockets lately, then, at most ten times a
/// second, in every process's descriptors. A socket already closing, or absent after 100 ms, is
/// given up at once. A connection not found in time is answered with nil (the tracker then
/// says `exited` or `unknown`).
public final class ProcessAttributor: ProcessLookup, @unchecked Sendable {
    public struct Statistics: Sendable, Equatable {
        public var requests = 0
        public var found = 0
        public var notFound = 0
        public var dropped = 0
        public var descriptorScans = 0
    }

    /// Delays before each try, from the request.
    /// Short at first: a connection to a local web server can be over in ten milliseconds.
    static let schedule: [Duration] = [
        .zero, .milliseconds(5), .milliseconds(15), .milliseconds(40), .milliseconds(100), .milliseconds(300),
        .milliseconds(1000), .milliseconds(3000),
    ]
    /// From this try on, the ends may be matched the other way round (roles guessed wrong without a
    /// SYN). Not before: on loopback both ends are local, and the listener's socket appears only
    /// once accepted, after the client's.
    static let swappedFromAttempt = 3
    static let maximumQueued = 1 << 16
    static let minimumScanInterval = Duration.milliseconds(100)

    private struct Pending {
        var request: ProcessLookupRequest
        var created: ContinuousClock.Instant
        var attempt = 0
    }

    private let owners: SocketOwners
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var incoming: [Pending] = []
    private var answers: [ProcessLookupAnswer] = []
    private var stats = Statistics()
    private var stopping = false
    /// The worker sleeps with nothing in flight: a new request must wake it.
    private var dozing = false
    // The worker's own.
    private var retrying: [Pending] = []

    public var statistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        var copy = stats
        copy.descriptorScans = owners.scans
        return copy
    }

    public init(procRoot: String = "/proc") {
        owners = SocketOwners(procRoot: procRoot)
        let thread = Thread { [self] in run() }
        thread.name = "tlstop-attribution"
        thread.start()
    }

    /// Whether this process may read other users' `/proc/PID/fd` (root, or the capabilities).
    public static var canAttribute: Bool { SocketOwners.canReadOtherProcesses() }

    public func lookUp(_ request: ProcessLookupRequest) {
        condition.lock()
        defer { condition.unlock() }
        stats.requests += 1
        guard incoming.count < Self.maximumQueued else {
            stats.dropped += 1
            answers.append(ProcessLookupAnswer(id: request.id, process: LocalProcess(state: .unknown)))
            return
        }
        incoming.append(Pending(request: request, created: .now))
        // Woken only from a long sleep: while lookups are in flight the worker looks every 5 ms
        // anyway, and a wake-up per new connection cost the capture thread more than the lookup.
        if dozing {
            dozing = false
            condition.signal()
        }
    }

    public func takeAnswers(into answers: inout [ProcessLookupAnswer]) {
        condition.lock()
        answers.append(contentsOf: self.answers)
        self.answers.removeAll(keepingCapacity: true)
        condition.unlock()
    }

    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        // Named for top -H and /proc/PID/task/*/comm (Foundation's Thread.name is not, on Linux).
        tlstop_name_thread("tlstop-attrib")
        while true {
            condition.lock()
            let nextRetry = retrying.map { $0.created + Self.schedule[$0.attempt] }.min()
            while incoming.isEmpty && !stopping && (nextRetry.map { $0 > .now } ?? true) {
                let wait =
                    nextRetry.map { min(0.005, max(0.001, Double(($0 - .now) / .milliseconds(1)) / 1000)) } ?? 0.5
                dozing = nextRetry == nil
                _ = condition.wait(until: Date(timeIntervalSinceNow: wait))
                dozing = false
                if nextRetry.map({ $0 <= .now }) == true || (nextRetry != nil && !incoming.isEmpty) { break }
            }
            if stopping {
                condition.unlock()
                return
            }
            retrying.append(contentsOf: incoming)
            incoming.removeAll(keepingCapacity: true)
            condition.unlock()
            round()
        }
    }

    /// One pass over the requests that are due.
    private func round() {
        let now = ContinuousClock.now
        var due: [Pending] = []
        var later: [Pending] = []
        for pending in retrying {
            if pending.created + Self.schedule[pending.attempt] <= now {
                due.append(pending)
            } else {
                later.append(pending)
            }
        }
        retrying = later
        guard !due.isEmpty else { return }
        roundTables.removeAll(keepingCapacity: true)

        let sockets = due.map { ($0, socket(for: $0)) }
        let unknownInodes = Set(sockets.compactMap { $0.1?.inode }.filter { $0 != 0 && owners.pid(ofInode: $0) == nil })
        // The processes that owned sockets lately first (a busy server's workers); all of them only
        // if that was not enough, and not more often than the interval.
        if !unknownInodes.isEmpty, !owners.scanRecent(wanted: unknownInodes),
            owners.lastScan.map({ now - $0 >= Self.minimumScanInterval }) ?? true
        {
            owners.scan(wanted: unknownInodes.filter { owners.pid(ofInode: $0) == nil })
        }

        var ready: [ProcessLookupAnswer] = []
        var found = 0
        var missed = 0
        for (pending, socket) in sockets {
            if let socket, socket.inode != 0, let pid = owners.pid(ofInode: socket.inode),
                let owner = owners.owner(pid: pid)
            {
                ready.append(
                    ProcessLookupAnswer(
                        id: pending.request.id,
                        process: LocalProcess(
                            pid: owner.pid, name: owner.name, user: owners.userName(uid: socket.uid), unit: owner.unit,
                            state: .found)))
                found += 1
            } else if pending.attempt + 1 < Self.schedule.count && !isGone(socket, attempt: pending.attempt) {
                var again = pending
                again.attempt += 1
                retrying.append(again)
            } else {
                ready.append(ProcessLookupAnswer(id: pending.request.id, process: nil))
                missed += 1
            }
        }
        guard !ready.isEmpty else { return }
        condition.lock()
        answers.append(contentsOf: ready)
        stats.found += found
        stats.notFound += missed
        condition.unlock()
    }

    /// The connection's socket: an exact netlink lookup, or a search of the tables without netlink.
    /// Ends matched the other way round only from `swappedFromAttempt` on.
    private func socket(for pending: Pending) -> SocketOwners.Socket? {
        let request = pending.request
        let swapped = pending.attempt >= Self.swappedFromAttempt
        if owners.hasSocketDiagnostics {
            return owners.socket(isTCP: request.isTCP, local: request.local, remote: request.remote)
                ?? (swapped ? owners.socket(isTCP: request.isTCP, local: request.remote, remote: request.local) : nil)
        }
        let table = tables(isTCP: request.isTCP)
        let entry =
            table[Key(local: request.local, remote: request.remote)]
            ?? (swapped ? table[Key(local: request.remote, remote: request.local)] : nil)
            ?? (request.isTCP
                ? nil
                : table[Key(local: request.local, remote: nil)]
                    ?? table[
                        Key(local: Connection.Endpoint(address: Self.anyIPv6, port: request.local.port), remote: nil)])
        return entry.map { SocketOwners.Socket(uid: $0.uid, inode: $0.inode, state: $0.state) }
    }

    /// The tables read once per round (only without netlink).
    private var roundTables: [Bool: [Key: ProcNetSockets.Entry]] = [:]

    private func tables(isTCP: Bool) -> [Key: ProcNetSockets.Entry] {
        if let known = roundTables[isTCP] { return known }
        var index: [Key: ProcNetSockets.Entry] = [:]
        for entry in owners.sockets(tcp: isTCP) {
            index[Key(local: entry.local, remote: entry.remote)] = entry
            // A UDP socket that never called connect() has no remote end, and one bound to the
            // wildcard address serves every local address: match on the port then.
            if !isTCP {
                index[Key(local: entry.local, remote: nil)] = entry
                if entry.local.address == Self.anyIPv4 || entry.local.address == Self.anyIPv6 {
                    index[Key(local: Connection.Endpoint(address: Self.anyIPv6, port: entry.local.port), remote: nil)] =
                        entry
                }
            }
        }
        roundTables[isTCP] = index
        return index
    }

    /// No process will ever be found: the socket is closing with no descriptor left (TIME_WAIT,
    /// an orphaned FIN_WAIT), or it has not shown up in the first ~100 ms (the connection is over).
    private func isGone(_ socket: SocketOwners.Socket?, attempt: Int) -> Bool {
        guard let socket else { return attempt >= 4 }
        // 1 established (maybe not accepted yet), 2 SYN sent, 3 SYN received, 10 listening.
        return socket.inode == 0 && ![1, 2, 3, 10].contains(socket.state)
    }

    private static let anyIPv4 = IPAddress(ipv4: 0)
    private static let anyIPv6 = IPAddress(high: 0, low: 0)

    private struct Key: Hashable {
        var local: Connection.Endpoint
        var remote: Connection.Endpoint?
    }
}
