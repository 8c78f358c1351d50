import TLSTopCore

/// The detail pane's text: what exactly, and whose fault.
enum DetailLines {
    static func role(_ severity: Severity) -> StyleRole {
        switch severity {
        case .critical: .critical
        case .warn: .warn
        case .info: .info
        case .ok: .ok
        }
    }

    static func marker(_ severity: Severity) -> String {
        switch severity {
        case .critical: "✖"
        case .warn: "▲"
        case .info: "·"
        case .ok: " "
        }
    }

    static func host(_ host: HostSnapshot, connections: [ConnectionRecord], now: Timestamp = .zero)
        -> [(String, StyleRole)]
    {
        var lines: [(String, StyleRole)] = []
        lines.append(("Grade \(host.grade?.name ?? "–"), \(host.gradeReason ?? "no classified connection")", host.role))
        var seen: Set<FindingID> = []
        for connection in connections {
            for finding in connection.findings where seen.insert(finding.id).inserted {
                lines.append(
                    (
                        "\(marker(finding.severity)) \(finding.id.rawValue.padded(to: 12)) \(finding.id.explanation)",
                        role(finding.severity)
                    ))
            }
        }
        if let certificate = connections.lazy.compactMap(\.certificate).first {
            lines += self.certificate(certificate, now: now)
        }
        lines.append(
            (
                "Clients \(host.clients)  connections \(host.connections)  plaintext \(host.plaintextConnections)",
                .normal
            ))
        if host.attempts > 0 {
            // Flows that never carried payload: a scan, a SYN flood, or a closed port.
            lines.append(
                (
                    "Attempts without payload \(Format.grouped(host.attempts))  refused "
                        + Format.grouped(host.refusedAttempts), .normal
                ))
        }
        if !host.versions.isEmpty { lines.append(("Versions " + breakdown(host.versions, \.name), .normal)) }
        if !host.ciphers.isEmpty { lines.append(("Ciphers " + breakdown(host.ciphers, \.name), .normal)) }
        if !host.groups.isEmpty { lines.append(("Groups " + breakdown(host.groups, \.name), .normal)) }
        if !host.services.isEmpty {
            lines.append(("Services " + TerminalText.sanitize(breakdown(host.services, { $0 })), .normal))
        }
        if let offer = connections.first(where: { $0.clientOffer != nil }) { lines += self.offer(offer) }
        return lines
    }

    private static func findingLines(_ findings: [Finding]) -> [(String, StyleRole)] {
        findings.map { finding in
            (
                "\(marker(finding.severity)) \(finding.id.rawValue.padded(to: 12)) \(TerminalText.sanitize(finding.detail))",
                role(finding.severity)
            )
        }
    }

    static func connection(_ connection: ConnectionRecord, now: Timestamp = .zero) -> [(String, StyleRole)] {
        var lines: [(String, StyleRole)] = []
        let what = [connection.protocol.name, connection.application?.rawValue, connection.version?.name]
            .compactMap { $0 }.joined(separator: " ")
        lines.append(("\(what)  severity \(connection.severity.name)", connection.role))
        if let cipher = connection.cipher { lines.append(("Cipher \(cipher.name)", .normal)) }
        let pfs = connection.pfs.map { $0 ? "yes" : "no" } ?? "–"
        let exchange = Format.keyExchange(group: connection.group, cipher: connection.cipher)
        let pq = connection.pq ? "yes" : connection.pqMissed ? "missed (client offered)" : "no"
        let pqAuthentication = connection.pqAuthentication.map { $0 ? "  PQ auth yes" : "  PQ auth no" } ?? ""
        lines.append(("Key exchange \(exchange)  PFS \(pfs)  PQ \(pq)\(pqAuthentication)", .normal))
        lines += findingLines(connection.findings)
        for verdict in connection.otherVerdicts {
            // Every further --policy: its name and worst severity, then its findings.
            lines.append(
                ("Under \(TerminalText.sanitize(verdict.policy)): \(verdict.severity.name)", role(verdict.severity)))
            lines += findingLines(verdict.findings)
        }
        if let process = processLine(connection) { lines.append((process, .normal)) }
        if let certificate = connection.certificate {
            lines += self.certificate(certificate, now: now)
        } else if connection.isProbeCandidate {
            lines.append(("Certificate  hidden by TLS 1.3 (--keylog or a live --probe shows it)", .dim))
        }
        lines += offer(connection)
        if let ja4 = connection.ja4 { lines.append(("JA4 \(ja4)", .normal)) }
        if connection.ja3 != nil || connection.ja3s != nil {
            lines.append(("JA3 \(connection.ja3 ?? "–")  JA3S \(connection.ja3s ?? "–")", .normal))
        }
        return lines
    }

    /// "Process nginx (pid 812, user www-data, nginx.service), inbound".
    static func processLine(_ connection: ConnectionRecord) -> String? {
        guard connection.direction != nil || connection.localProcess != nil else { return nil }
        var text = "Process "
        if let process = connection.localProcess {
            switch process.state {
            case .found:
                let details = [process.pid.map { "pid \($0)" }, process.user.map { "user \($0)" }, process.unit]
                    .compactMap { $0 }.joined(separator: ", ")
                text += "\(process.name ?? "?") (\(details))"
            case .exited: text += "exited before it could be looked up"
            case .unknown: text += "not found (another namespace or container?)"
            }
        } else {
            text += "looking up…"
        }
        if let direction = connection.direction { text += ", \(direction.rawValue)" }
        return TerminalText.sanitize(text)
    }

    /// The connections pane's short form: the program, or why there is none.
    static func processLabel(_ connection: ConnectionRecord) -> String {
        guard let process = connection.localProcess else { return connection.direction == nil ? "–" : "…" }
        switch process.state {
        case .found: return TerminalText.sanitize(process.name ?? "?")
        case .exited: return "exited"
        case .unknown: return "?"
        }
    }

    static func certificate(_ certificate: CertificateRecord, now: Timestamp = .zero) -> [(String, StyleRole)] {
        let key = "\(certificate.keyType) \(certificate.keyBits.map(String.init) ?? "")"
        return source(certificate, now: now) + [
            ("Certificate  \(TerminalText.sanitize(certificate.subject))", .label),
            (
                "  \(key)  \(certificate.signatureAlgorithm)  expires \(certificate.notAfter.rfc3339Day)",
                .normal
            ),
        ]
    }

    /// Where a certificate the wire did not show came from.
    static func source(_ certificate: CertificateRecord, now: Timestamp) -> [(String, StyleRole)] {
        switch certificate.source {
        case .wire: return []
        case .keyLog: return [("Certificate from the key log (TLS 1.3 handshake decrypted)", .dim)]
        case .probe:
            guard let probe = certificate.probe else { return [("Certificate from probe", .dim)] }
            let seconds = max(0, (now.nanoseconds &- probe.at.nanoseconds) / 1_000_000_000)
            let age =
                seconds < 60
                ? "\(seconds) s ago" : seconds < 7200 ? "\(seconds / 60) min ago" : "\(seconds / 3600) h ago"
            return [("Certificate from probe of \(probe.endpoint), \(age)", .dim)]
        }
    }

    static func offer(_ connection: ConnectionRecord) -> [(String, StyleRole)] {
        guard let offer = connection.clientOffer else { return [] }
        let offered = offer.versions.max()
        let side = offered != connection.version && connection.version != nil ? " (server limited it)" : ""
        let chosen = connection.version?.name ?? "–"
        return [
            (
                "Client offered \(offered?.name ?? "–"), \(offer.cipherSuites.count) suites; server chose \(chosen)\(side)",
                .normal
            )
        ]
    }

    static func breakdown<Key>(_ values: [Key: Int], _ name: (Key) -> String) -> String {
        values.map { (name($0.key), $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(4)
            .map { "\($0.0) \($0.1)" }.joined(separator: ", ")
    }
}

extension String {
    /// Padded with spaces to `width` characters (never cut).
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
