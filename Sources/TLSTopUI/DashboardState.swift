import TLSTopCore

/// Everything the user has changed about the view. Keys change it; rendering reads it. Nothing here
/// touches the capture: pausing only freezes which snapshot is drawn.
public struct DashboardState: Sendable, Equatable {
    public enum Pane: Sendable, Equatable { case hosts, connections }

    public enum SortKey: String, Sendable, CaseIterable {
        /// `pq`: most connections that missed a post-quantum exchange first, then least post-quantum.
        case severity, connections, host, grade, pq
    }

    public var pane = Pane.hosts
    public var hostCursor = 0
    public var hostScroll = 0
    public var connectionCursor = 0
    public var connectionScroll = 0
    /// "host:port" of the host every pane is narrowed to.
    public var focusedHost: HostKey?
    public var filter = ConnectionFilter()
    public var weakOnly = false
    /// Hosts grouped by the local service behind their connections (live capture).
    public var groupByService = false
    public var sort = SortKey.severity
    public var paused = false
    public var showHelp = false
    /// The `!` list of what makes the figures incomplete.
    public var showProblems = false
    /// One line for the user: where an export went, what a key did.
    public var status: String?

    public init() {}
}

/// `/` filter terms, all of which must match: a substring of host, SNI or address; a CIDR;
/// `port:443`; `sev:warn` (that severity or worse); `proto:plaintext`; `proc:nginx` (the local
/// program or its unit); `ja4:t13d` (a JA4 prefix); `dir:inbound` or `dir:outbound`; `pq:yes`,
/// `pq:no` or `pq:missed` (the client offered a post-quantum group, the server chose a classical one).
public struct ConnectionFilter: Sendable, Equatable {
    public private(set) var text = ""
    private var substrings: [String] = []
    private var ports: [Int] = []
    private var minimumSeverity: Severity?
    private var protocols: [String] = []
    private var processes: [String] = []
    private var ja4Prefixes: [String] = []
    private var directions: [String] = []
    private var postQuantum: [PostQuantumTerm] = []

    private enum PostQuantumTerm: String {
        case yes, no, missed
    }
    private var networks: [(base: IPAddress, prefix: Int)] = []

    public init(_ text: String = "") {
        self.text = text
        for term in text.lowercased().split(separator: " ") {
            if term.hasPrefix("port:"), let port = Int(term.dropFirst(5)) {
                ports.append(port)
            } else if term.hasPrefix("sev:"), let severity = Severity(name: String(term.dropFirst(4))) {
                minimumSeverity = severity
            } else if term.hasPrefix("proto:") {
                protocols.append(String(term.dropFirst(6)))
            } else if term.hasPrefix("proc:") {
                processes.append(String(term.dropFirst(5)))
            } else if term.hasPrefix("ja4:") {
                ja4Prefixes.append(String(term.dropFirst(4)))
            } else if term.hasPrefix("dir:") {
                directions.append(String(term.dropFirst(4)))
            } else if term.hasPrefix("pq:"), let wanted = PostQuantumTerm(rawValue: String(term.dropFirst(3))) {
                postQuantum.append(wanted)
            } else if let network = Self.cidr(term) {
                networks.append(network)
            } else {
                substrings.append(String(term))
            }
        }
    }

    public static func == (lhs: ConnectionFilter, rhs: ConnectionFilter) -> Bool { lhs.text == rhs.text }

    public var isEmpty: Bool { text.isEmpty }

    public func matches(_ connection: ConnectionRecord) -> Bool {
        if !ports.isEmpty, !ports.contains(Int(connection.server.port)), !ports.contains(Int(connection.client.port)) {
            return false
        }
        if let minimumSeverity, connection.severity < minimumSeverity { return false }
        if !protocols.isEmpty, !protocols.contains(connection.protocol.name),
            !protocols.contains(connection.application?.rawValue ?? "")
        {
            return false
        }
        if !processes.isEmpty {
            let names = [connection.localProcess?.name, connection.localProcess?.unit].compactMap { $0?.lowercased() }
            if !processes.contains(where: { wanted in names.contains { $0.contains(wanted) } }) { return false }
        }
        if !ja4Prefixes.isEmpty {
            guard let ja4 = connection.ja4, ja4Prefixes.contains(where: { ja4.hasPrefix($0) }) else { return false }
        }
        if !directions.isEmpty {
            guard let direction = connection.direction?.rawValue,
                directions.contains(where: { direction.hasPrefix($0) })
            else {
                return false
            }
        }
        if !postQuantum.isEmpty {
            let matching = postQuantum.contains { wanted in
                switch wanted {
                case .yes: connection.pq
                case .no: connection.protocol.isTLSFamily && !connection.pq
                case .missed: connection.pqMissed
                }
            }
            if !matching { return false }
        }
        for network in networks {
            let inside =
                Self.contains(network, connection.server.address) || Self.contains(network, connection.client.address)
            if !inside { return false }
        }
        for needle in substrings {
            let haystacks = [
                connection.hostName, connection.sni ?? "", connection.server.address.description,
                connection.client.address.description,
            ]
            if !haystacks.contains(where: { $0.lowercased().contains(needle) }) { return false }
        }
        return true
    }

    static func cidr(_ term: Substring) -> (base: IPAddress, prefix: Int)? {
        let parts = term.split(separator: "/")
        guard parts.count == 2, let address = IPAddress(parts[0]), let prefix = Int(parts[1]) else { return nil }
        let limit = address.isIPv4 ? 32 : 128
        guard (0...limit).contains(prefix) else { return nil }
        return (address, address.isIPv4 ? prefix + 96 : prefix)
    }

    static func contains(_ network: (base: IPAddress, prefix: Int), _ address: IPAddress) -> Bool {
        func masked(_ value: UInt64, _ bits: Int) -> UInt64 {
            bits <= 0 ? 0 : bits >= 64 ? value : value & ~(UInt64.max >> UInt64(bits))
        }
        let highBits = min(64, network.prefix)
        let lowBits = max(0, network.prefix - 64)
        return masked(address.high, highBits) == masked(network.base.high, highBits)
            && masked(address.low, lowBits) == masked(network.base.low, lowBits)
    }
}
