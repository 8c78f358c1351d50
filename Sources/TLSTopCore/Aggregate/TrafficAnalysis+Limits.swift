/// The caps a user sets with `--limit NAME=VALUE`: every table and buffer that traffic can grow
/// has one, sized by default for a busy server.
extension TrafficAnalysis.Configuration {
    public struct LimitError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Each settable cap: its name, what it bounds, and where the value goes.
    public static let limits: [(name: String, meaning: String, keyPath: WritableKeyPath<Self, Int> & Sendable)] = [
        ("connections", "flows with payload tracked at once (the idlest are evicted)", \.tracker.maximumConnections),
        ("attempts", "TCP flows without payload tracked at once (the oldest are dropped)", \.tracker.maximumAttempts),
        (
            "retained", "finished connections listed in detail (older ones fold into hosts)",
            \.aggregation.maximumRetainedConnections
        ),
        ("hosts", "host rows (the least used are evicted)", \.aggregation.maximumHosts),
        ("reassembly", "out-of-order bytes held per TCP direction", \.tracker.maximumReassemblyBytes),
        (
            "handshake-message", "bytes of one handshake message (certificate chains)",
            \.tracker.handshakeLimits.maximumHandshakeMessage
        ),
        (
            "handshake-stream", "bytes analyzed per direction before giving up",
            \.tracker.handshakeLimits.maximumStreamBytes
        ),
        ("certificates", "distinct certificates whose facts are cached", \.tracker.certificateCacheSize),
    ]

    /// Sets one cap from `NAME=VALUE`; the value is a count or a size with an optional k, M or G
    /// (binary) suffix, between 1 and 2^32.
    public mutating func setLimit(_ assignment: String) throws(LimitError) {
        let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
        let names = Self.limits.map(\.name).joined(separator: ", ")
        guard parts.count == 2, let limit = Self.limits.first(where: { $0.name == parts[0] }) else {
            throw LimitError(description: "--limit '\(assignment)': expected NAME=VALUE with NAME one of \(names)")
        }
        guard let value = Self.size(parts[1]), (1...(1 << 32)).contains(value) else {
            throw LimitError(
                description: "--limit '\(assignment)': the value must be a number from 1 to 4G (k, M, G suffixes)")
        }
        self[keyPath: limit.keyPath] = value
    }

    static func size(_ text: String) -> Int? {
        let multipliers: [Character: Int] = ["k": 1 << 10, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        guard let last = text.last else { return nil }
        let multiplier = multipliers[last] ?? 1
        let digits = multiplier == 1 ? Substring(text) : text.dropLast()
        guard digits.count <= 12, !digits.isEmpty, digits.allSatisfy(\.isASCII), let number = Int(digits),
            number >= 0
        else { return nil }
        return number * multiplier
    }
}
