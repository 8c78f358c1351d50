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
        // Every figure is over every connection seen: those listed in detail and those only
        // counted in their host rows (retention), so that the summary, the dashboard, the
        // exports and the metrics agree.
        let totals = snapshot.totals
        let byProtocol = Dictionary(totals.protocols.map { ($0.key.name, $0.value) }, uniquingKeysWith: +)
        // From the totals, not `connections.count`: a summary-only snapshot lists none.
        let folded = stats.foldedConnections
        lines.append(
            "connections: \(totals.connections)"
                + (byProtocol.isEmpty ? "" : " (" + Self.counts(byProtocol) + ")")
                + (folded == 0
                    ? "" : "; \(totals.connections - folded) listed in detail, \(folded) counted in host rows only"))
        if totals.attempts > 0 {
            lines.append(
                "attempts without payload: \(totals.attempts) (refused \(totals.refusedAttempts)), counted per host")
        }
        let versions = Dictionary(totals.versions.map { ($0.key.name, $0.value) }, uniquingKeysWith: +)
        if !versions.isEmpty { lines.append("versions: " + Self.counts(versions)) }
        let known = totals.encrypted + totals.plaintext
        if known > 0 {
            lines.append(
                "encrypted: \(totals.encrypted) of \(known) classified connections "
                    + "(\(String(format: "%.1f", 100 * Double(totals.encrypted) / Double(known)))%); "
                    + "plaintext: \(totals.plaintext); credentials in clear: \(totals.cleartextCredentials)")
        }
        if totals.tlsFamily > 0 {
            func share(_ part: Int) -> String {
                String(format: "%.1f%%", 100 * Double(part) / Double(totals.tlsFamily))
            }
            lines.append(
                "TLS-family connections: \(totals.tlsFamily); forward secrecy \(share(totals.pfs)), "
                    + "post-quantum \(share(totals.pq)) (missed \(share(totals.pqMissed)))")
        }
        let severities: [Severity] = [.critical, .warn, .info, .ok]
        lines.append(
            "policy \(snapshot.policy): "
                + severities.map { "\($0.name) \(totals.severities[$0] ?? 0)" }.joined(separator: ", "))
        // Further policies judge the connections listed in detail: a summary-only run lists none.
        for policy in snapshot.policies.dropFirst() where !snapshot.connections.isEmpty {
            var counts: [Severity: Int] = [:]
            for connection in snapshot.connections {
                let verdict = connection.otherVerdicts.first { $0.policy == policy.name }
                // A connection without a verdict was never analyzed: nothing to find under any policy.
                counts[verdict?.severity ?? .ok, default: 0] += 1
            }
            lines.append(
                "policy \(policy.name) (\(snapshot.connections.count) listed connections): "
                    + severities.map { "\($0.name) \(counts[$0] ?? 0)" }.joined(separator: ", "))
        }
        let grades = Self.tally(snapshot.hosts.lazy.compactMap(\.grade))
        lines.append(
            "hosts: \(snapshot.hosts.count)"
                + (grades.isEmpty
                    ? ""
                    : " (grades "
                        + grades.sorted { $0.key > $1.key }.map { "\($0.key.name) \($0.value)" }
                        .joined(separator: ", ") + ")"))
        if totals.tls13 > 0 {
            // TLS 1.3 hides certificates: say how many were seen anyway, and how.
            var line = "TLS 1.3 certificates known: \(totals.tls13Certificates) of \(totals.tls13)"
            if let keyLog = stats.keyLog {
                line +=
                    "; key log: \(keyLog.decryptedHandshakes) handshakes opened, \(keyLog.missingSecrets) without secrets, "
                    + "\(keyLog.decryptionFailures) wrong keys"
            }
            if let probes = stats.probes {
                line += "; probes: \(probes.probes) run, \(probes.certificates) certificates, \(probes.failures) failed"
                if let last = probes.lastFailure { line += " (last: \(last))" }
            }
            lines.append(line)
        }
        if let received = stats.kernelReceived {
            // Drops are never hidden: a monitor that misses packets misses handshakes.
            lines.append(
                "capture: kernel received \(received), dropped \(stats.kernelDropped ?? 0), "
                    + "interface dropped \(stats.interfaceDropped ?? 0); connections active "
                    + "\(stats.activeConnections), expired \(stats.expiredConnections), evicted \(stats.evictedConnections)"
            )
        }
        // What makes these figures incomplete, as the dashboard's status line says it (the error a
        // capture ended on is printed last, by the command).
        for problem in CaptureProblem.all(in: snapshot) { lines.append(problem.description) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Counts each value without copying the elements it comes from.
    static func tally<Key: Hashable>(_ keys: some Sequence<Key>) -> [Key: Int] {
        var counts: [Key: Int] = [:]
        for key in keys { counts[key, default: 0] += 1 }
        return counts
    }

    static func counts(_ values: [String: Int]) -> String {
        values.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
