import TLSTopCore

/// The hosts pane's order: worst first, then busiest, then by name, so rows stay put while the data
/// does not change.
enum HostOrdering {
    static func sorted(_ hosts: [HostSnapshot], by key: DashboardState.SortKey) -> [HostSnapshot] {
        hosts.sorted { a, b in
            switch key {
            case .severity:
                if a.severity != b.severity { return a.severity > b.severity }
                if (a.plaintextConnections > 0) != (b.plaintextConnections > 0) { return a.plaintextConnections > 0 }
            case .connections:
                if a.connections != b.connections { return a.connections > b.connections }
            case .grade:
                if a.grade != b.grade { return (a.grade?.rawValue ?? 99) < (b.grade?.rawValue ?? 99) }
            case .host:
                if a.host != b.host { return a.host < b.host }
            }
            if a.connections != b.connections { return a.connections > b.connections }
            if a.host != b.host { return a.host < b.host }
            return a.port < b.port
        }
    }
}

extension HostSnapshot {
    var key: String { "\(host):\(port)" }

    /// The marker that says severity without color: ✖ critical, ▲ warn, ● plaintext.
    var marker: String {
        if severity == .critical { return "✖" }
        if plaintextConnections > 0 { return "●" }
        if severity == .warn { return "▲" }
        return " "
    }

    var role: StyleRole { Self.role(for: severity, plaintext: plaintextConnections > 0) }

    static func role(for severity: Severity, plaintext: Bool) -> StyleRole {
        switch severity {
        case .critical: return .critical
        case .warn: return plaintext ? .plaintext : .warn
        default: return plaintext ? .plaintext : .normal
        }
    }
}

extension ConnectionSnapshot {
    var hostKey: String { "\(hostName):\(serverPort)" }

    var marker: String {
        if severity == .critical { return "✖" }
        if self.protocol == "plaintext" { return "●" }
        if severity == .warn { return "▲" }
        return " "
    }

    var role: StyleRole { HostSnapshot.role(for: severity, plaintext: self.protocol == "plaintext") }

    /// Weak: a warning or worse, or clear text.
    var isWeak: Bool { severity >= .warn || self.protocol == "plaintext" }
}
