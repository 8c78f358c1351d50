/// TCP flows that have not carried a byte of payload: a SYN, its answer, a stray ACK or RST.
///
/// Most flows of a SYN flood or a port scan never get further, so each is kept as a small value
/// (`Attempt`, 56 bytes, plus its key and a queue entry) instead of a `Connection`, and promoted to
/// one when its first payload arrives. Attempts leave after a short idle time (answered or not),
/// when the table is full (oldest first), or when a new SYN reuses their 4-tuple; each that leaves
/// without payload is handed to the tracker's observer as an `AttemptSummary`, to be counted.
struct AttemptTable {
    struct Flags: OptionSet {
        let rawValue: UInt8
        /// The client is the flow key's low endpoint.
        static let clientIsLow = Flags(rawValue: 1 << 0)
        /// A SYN or SYN-ACK fixed who is who; otherwise the well-known port was guessed.
        static let rolesKnown = Flags(rawValue: 1 << 1)
        static let clientSYN = Flags(rawValue: 1 << 2)
        static let serverSYN = Flags(rawValue: 1 << 3)
        static let clientRST = Flags(rawValue: 1 << 4)
        static let serverRST = Flags(rawValue: 1 << 5)
        static let fin = Flags(rawValue: 1 << 6)
        /// The client acknowledged a SYN-ACK: `serverISN` is the one it took, not the latest seen.
        static let clientAcknowledged = Flags(rawValue: 1 << 7)
    }

    struct Attempt {
        var id: Int
        var firstSeen: Int64
        var lastSeen: Int64
        /// Initial sequence numbers of the client's SYN and of the latest SYN-ACK.
        var clientISN: UInt32 = 0
        var serverISN: UInt32 = 0
        var clientPackets: UInt32 = 0
        var serverPackets: UInt32 = 0
        var clientBytes: UInt32 = 0
        var serverBytes: UInt32 = 0
        var flags: Flags

        var isClosed: Bool { !flags.isDisjoint(with: [.clientRST, .serverRST, .fin]) }
    }

    /// Filing order: when an attempt may next be due (capture time, nanoseconds), soonest first.
    /// Entries of attempts that were promoted or replaced stay until reached (`dead`), or until
    /// `compact`.
    private struct Entry {
        var key: FlowKey
        var id: Int
        var dueAt: Int64
    }

    /// A slot of the open-addressing table (`FlowSlotTable`): the key, the attempt and the key's
    /// hash (104 bytes, the flag fits the padding). A `[FlowKey: Attempt]` dictionary hashed the
    /// 40-byte key with SipHash two or three times per packet (look up, then store): 3.5% of the
    /// instructions of a mixed run.
    private struct Slot: FlowSlot {
        var key: FlowKey
        var attempt: Attempt
        var hash: UInt32
        var isEmpty: Bool

        static let empty = Slot(
            key: FlowKey(IPAddress(high: 0, low: 0), 0, IPAddress(high: 0, low: 0), 0, transport: 0),
            attempt: Attempt(id: 0, firstSeen: 0, lastSeen: 0, flags: []), hash: 0, isEmpty: true)

        var isOccupied: Bool { !isEmpty }
        func holds(_ key: FlowKey) -> Bool { self.key == key }
    }

    private var table = FlowSlotTable<Slot>()
    private var queue: [Entry] = []
    private var head = 0
    private var dead = 0

    var count: Int { table.count }

    /// Where `key`'s attempt is: read and change it there (`subscript(at:)`), with one probe.
    func index(of key: FlowKey) -> Int? { table.index(of: key) }

    /// The attempt at an index `index(of:)` gave, valid until the next insert or removal.
    subscript(at index: Int) -> Attempt {
        get { table[index].attempt }
        set { table[index].attempt = newValue }
    }

    subscript(key: FlowKey) -> Attempt? {
        table.index(of: key).map { table[$0].attempt }
    }

    /// - Parameter idle: the idle timeout (nanoseconds) it is filed under.
    mutating func insert(_ attempt: Attempt, for key: FlowKey, idle: Int64) {
        table.insert(for: key) { Slot(key: key, attempt: attempt, hash: $0, isEmpty: false) }
        queue.append(Entry(key: key, id: attempt.id, dueAt: attempt.lastSeen &+ idle))
    }

    /// Takes an attempt out of the table (promoted to a connection, or replaced).
    mutating func remove(_ key: FlowKey) -> Attempt? {
        guard let index = table.index(of: key) else { return nil }
        return remove(at: index)
    }

    /// Takes out the attempt at an index `index(of:)` gave.
    mutating func remove(at index: Int) -> Attempt {
        let attempt = table[index].attempt
        table.remove(at: index)
        dead += 1
        if dead > count + 4096 { compact() }
        return attempt
    }

    // MARK: Expiry

    /// Removes and returns, oldest first, the attempts idle for longer than their timeout at `now`
    /// (`closed` once reset or finished, else `idle`). An attempt that closed after it was filed
    /// leaves when its filing comes due: up to `idle - closed` late, never early.
    mutating func takeExpired(
        now: Int64, idle: Int64, closed: Int64, into expired: inout [(FlowKey, Attempt)]
    ) {
        while head < queue.count, queue[head].dueAt < now {
            let entry = queue[head]
            head += 1
            guard let index = table.index(of: entry.key), table[index].attempt.id == entry.id else {
                dead -= 1
                continue
            }
            let attempt = table[index].attempt
            let deadline = attempt.lastSeen &+ (attempt.isClosed ? closed : idle)
            if deadline < now {
                table.remove(at: index)
                expired.append((entry.key, attempt))
            } else {
                // Seen since it was filed: file it again for its new deadline (not before `now`,
                // so this pass does not meet it again).
                queue.append(Entry(key: entry.key, id: entry.id, dueAt: deadline))
            }
        }
        trimQueue()
    }

    /// Removes and returns the `count` oldest attempts (the table is full).
    mutating func takeOldest(_ count: Int, into evicted: inout [(FlowKey, Attempt)]) {
        var taken = 0
        while taken < count, head < queue.count {
            let entry = queue[head]
            head += 1
            guard let index = table.index(of: entry.key), table[index].attempt.id == entry.id else {
                dead -= 1
                continue
            }
            evicted.append((entry.key, table[index].attempt))
            table.remove(at: index)
            taken += 1
        }
        trimQueue()
    }

    /// Every attempt still in the table, in filing order (the end of a run).
    mutating func takeAll(into all: inout [(FlowKey, Attempt)]) {
        takeOldest(count, into: &all)
        queue.removeAll()
        head = 0
        dead = 0
    }

    private mutating func trimQueue() {
        if head > 4096, head > queue.count / 2 {
            queue.removeFirst(head)
            head = 0
        }
    }

    /// Drops the queue entries of attempts no longer in the table.
    private mutating func compact() {
        var live: [Entry] = []
        live.reserveCapacity(count)
        for entry in queue[head...] where self[entry.key]?.id == entry.id { live.append(entry) }
        queue = live
        head = 0
        dead = 0
    }
}

/// A TCP flow that ended without carrying payload, as the aggregates count it.
public struct AttemptSummary: Sendable, Equatable {
    public var client: Endpoint
    public var server: Endpoint
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var packets: Int
    public var bytes: Int
    /// The server answered the SYN (SYN-ACK seen).
    public var answered: Bool
    /// The server reset it: nothing listens on the port, or the listener refused.
    public var refused: Bool
}
