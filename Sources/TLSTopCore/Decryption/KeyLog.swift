import Synchronization

/// The 32-byte random of a ClientHello: what a key log line names its connection by.
public struct ClientRandom: Hashable, Sendable {
    let words: (UInt64, UInt64, UInt64, UInt64)

    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        for (index, byte) in bytes.enumerated() { words[index / 8] = words[index / 8] << 8 | UInt64(byte) }
        self.words = (words[0], words[1], words[2], words[3])
    }

    public static func == (lhs: ClientRandom, rhs: ClientRandom) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}

/// The handshake traffic secrets of one TLS 1.3 (or QUIC) connection, as a key log gives them.
///
/// Secrets: the description never shows them, so that no log line or debug print can leak one.
public struct HandshakeSecrets: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// CLIENT_HANDSHAKE_TRAFFIC_SECRET (32 or 48 bytes).
    public var client: [UInt8]?
    /// SERVER_HANDSHAKE_TRAFFIC_SECRET.
    public var server: [UInt8]?

    public init(client: [UInt8]? = nil, server: [UInt8]? = nil) {
        self.client = client
        self.server = server
    }

    public func secret(of direction: Direction) -> [UInt8]? { direction == .client ? client : server }

    public var description: String { "HandshakeSecrets(redacted)" }
    public var debugDescription: String { description }
}

/// The NSS key log format (`SSLKEYLOGFILE`, OpenSSL's `-keylogfile`): one `LABEL <client random>
/// <secret>` line per secret, hexadecimal, `#` comments. Only the TLS 1.3 handshake traffic secrets
/// are kept: they open the server's encrypted flight (certificate) and nothing after it.
public final class KeyLog: Sendable {
    /// Connections whose secrets are kept; the oldest go first (a long-running browser's log grows
    /// without end).
    public static let defaultCapacity = 1 << 16
    /// A line longer than this is not a key log line (the longest real one is under 240 bytes).
    static let maximumLineLength = 1024

    public struct Counts: Sendable, Equatable {
        /// Lines read (comments and blank lines excluded).
        public var lines = 0
        /// Handshake traffic secrets kept.
        public var secrets = 0
        /// Lines with a known label that tlstop does not need (application secrets, TLS 1.2).
        public var ignored = 0
        /// Lines that are not key log lines.
        public var malformed = 0
        /// Connections dropped to keep the table under its capacity.
        public var evicted = 0
    }

    private struct State {
        var table: [ClientRandom: HandshakeSecrets] = [:]
        var order: [ClientRandom] = []
        var oldest = 0
        var partialLine: [UInt8] = []
        var discardingLine = false
        var counts = Counts()
    }

    private let state = Mutex(State())
    private let capacity: Int

    public init(capacity: Int = KeyLog.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Reads more of the log: whole lines are taken now, a final line without its newline waits
    /// for the rest (a live log is written as it goes) or for `finish()`.
    public func ingest(_ bytes: UnsafeRawBufferPointer) {
        state.withLock { state in
            var start = 0
            for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
                append(bytes, from: start, to: index, into: &state)
                take(line: state.partialLine, into: &state)
                state.partialLine.removeAll(keepingCapacity: true)
                state.discardingLine = false
                start = index + 1
            }
            append(bytes, from: start, to: bytes.count, into: &state)
        }
    }

    public func ingest(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { ingest($0) }
    }

    /// The end of the log as it is now: a last line without newline counts.
    public func finish() {
        state.withLock { state in
            if !state.partialLine.isEmpty { take(line: state.partialLine, into: &state) }
            state.partialLine.removeAll()
            state.discardingLine = false
        }
    }

    public func secrets(for random: ClientRandom) -> HandshakeSecrets? {
        state.withLock { $0.table[random] }
    }

    public var counts: Counts { state.withLock { $0.counts } }

    /// Secrets that did not come from a file: tlstop's own probe computes those of its handshake.
    public func insert(_ secrets: HandshakeSecrets, for random: ClientRandom) {
        state.withLock { state in
            if state.table[random] == nil {
                if state.table.count >= capacity { evictOldest(&state) }
                state.order.append(random)
            }
            state.table[random] = secrets
        }
    }

    private func append(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, into state: inout State) {
        guard start < end, !state.discardingLine else { return }
        if state.partialLine.count + (end - start) > Self.maximumLineLength {
            state.partialLine.removeAll(keepingCapacity: true)
            state.discardingLine = true
            state.counts.lines += 1
            state.counts.malformed += 1
            return
        }
        state.partialLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    private func take(line: [UInt8], into state: inout State) {
        switch KeyLogLine(line) {
        case .blank: return
        case .malformed:
            state.counts.lines += 1
            state.counts.malformed += 1
        case .ignored:
            state.counts.lines += 1
            state.counts.ignored += 1
        case .secret(let direction, let random, let secret):
            state.counts.lines += 1
            state.counts.secrets += 1
            if state.table[random] == nil {
                if state.table.count >= capacity { evictOldest(&state) }
                state.order.append(random)
            }
            var secrets = state.table[random] ?? HandshakeSecrets()
            if direction == .client { secrets.client = secret } else { secrets.server = secret }
            state.table[random] = secrets
        }
    }

    private func evictOldest(_ state: inout State) {
        while state.oldest < state.order.count {
            let random = state.order[state.oldest]
            state.oldest += 1
            if state.table.removeValue(forKey: random) != nil {
                state.counts.evicted += 1
                break
            }
        }
        // Compact the order list once half of it is gone.
        if state.oldest > state.order.count / 2 {
            state.order.removeFirst(state.oldest)
            state.oldest = 0
        }
    }
}

/// One line of a key log, parsed.
enum KeyLogLine: Equatable {
    case blank
    case malformed
    /// A label of the format that carries nothing tlstop reads.
    case ignored
    case secret(Direction, ClientRandom, [UInt8])

    /// Labels of the NSS format (and its TLS 1.3 and ECH additions) that are valid but not needed.
    static let otherLabels: Set<String> = [
        "CLIENT_RANDOM", "RSA", "CLIENT_EARLY_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
        "SERVER_TRAFFIC_SECRET_0", "EARLY_EXPORTER_SECRET", "EXPORTER_SECRET", "ECH_SECRET", "ECH_CONFIG",
    ]

    init(_ line: [UInt8]) {
        var fields = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        if let last = fields.last, last.last == UInt8(ascii: "\r") {
            fields[fields.count - 1] = last.dropLast()
            if fields[fields.count - 1].isEmpty { fields.removeLast() }
        }
        guard let first = fields.first else {
            self = .blank
            return
        }
        if first.first == UInt8(ascii: "#") {
            self = .blank
            return
        }
        guard fields.count == 3, first.count <= 40,
            first.allSatisfy({ (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F })
        else {
            self = .malformed
            return
        }
        let label = String(decoding: first, as: UTF8.self)
        let direction: Direction
        switch label {
        case "CLIENT_HANDSHAKE_TRAFFIC_SECRET": direction = .client
        case "SERVER_HANDSHAKE_TRAFFIC_SECRET": direction = .server
        default:
            self =
                Self.otherLabels.contains(label) || label.hasPrefix("CLIENT_TRAFFIC_SECRET_")
                    || label.hasPrefix("SERVER_TRAFFIC_SECRET_") ? .ignored : .malformed
            return
        }
        guard let randomBytes = Self.hex(fields[1]), let random = ClientRandom(randomBytes),
            let secret = Self.hex(fields[2]), secret.count == 32 || secret.count == 48
        else {
            self = .malformed
            return
        }
        self = .secret(direction, random, secret)
    }

    static func hex(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0, text.count <= 128 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 2)
        var high: UInt8?
        for character in text {
            let value: UInt8
            switch character {
            case 0x30...0x39: value = character - 0x30
            case 0x41...0x46: value = character - 0x41 + 10
            case 0x61...0x66: value = character - 0x61 + 10
            default: return nil
            }
            if let pending = high {
                bytes.append(pending << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return bytes
    }
}
