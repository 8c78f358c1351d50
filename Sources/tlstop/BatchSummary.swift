import TLSTopCore

/// The few lines `--batch` prints: what was read, and how it is encrypted.
struct BatchSummary {
    let snapshot: Snapshot
    let elapsed: Duration

    var text: String {
        let stats = snapshot.statistics
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var lines: [String] = []
        let rate = seconds > 0 ? Int(Double(stats.packets) / seconds) : 0
        lines.append(
            "read \(stats.packets) packets, \(stats.bytes) bytes from \(snapshot.source.name) "
                + "in \(String(format: "%.3f", seconds)) s (\(rate) packets/s)")
        let byProtocol = Dictionary(grouping: snapshot.connections, by: \.protocol).mapValues(\.count)
        lines.append(
            "connections: \(snapshot.connections.count)"
                + (byProtocol.isEmpty ? "" : " (" + Self.counts(byProtocol) + ")"))
        let versions = Dictionary(grouping: snapshot.connections.compactMap(\.version), by: { $0 }).mapValues(\.count)
        if !versions.isEmpty { lines.append("versions: " + Self.counts(versions)) }
        let known = snapshot.connections.filter { $0.isEncrypted != nil }
        if !known.isEmpty {
            let encrypted = known.filter { $0.isEncrypted == true }.count
            let plaintext = known.count - encrypted
            let credentials = snapshot.connections.filter(\.cleartextCredentials).count
            lines.append(
                "encrypted: \(encrypted) of \(known.count) classified connections "
                    + "(\(String(format: "%.1f", 100 * Double(encrypted) / Double(known.count)))%); "
                    + "plaintext: \(plaintext); credentials in clear: \(credentials)")
        }
        let severities = Dictionary(grouping: snapshot.connections, by: \.severity).mapValues(\.count)
        lines.append(
            "policy \(snapshot.policy): "
                + [Severity.critical, .warn, .info, .ok]
                .map { "\($0.name) \(severities[$0] ?? 0)" }.joined(separator: ", "))
        let grades = Dictionary(grouping: snapshot.hosts.compactMap(\.grade), by: { $0 }).mapValues(\.count)
        lines.append(
            "hosts: \(snapshot.hosts.count)"
                + (grades.isEmpty
                    ? ""
                    : " (grades "
                        + grades.sorted { $0.key > $1.key }.map { "\($0.key.name) \($0.value)" }
                        .joined(separator: ", ") + ")"))
        let problems = stats.truncatedPackets + stats.malformedPackets
        if problems > 0 || stats.untrackedConnections > 0 {
            lines.append(
                "undecodable packets: \(stats.truncatedPackets) truncated, \(stats.malformedPackets) malformed; "
                    + "untracked connections: \(stats.untrackedConnections)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func counts(_ values: [String: Int]) -> String {
        values.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
