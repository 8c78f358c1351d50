import Foundation

/// The CSV form of a snapshot: one row per connection, RFC 4180 quoting.
extension Snapshot {
    public static let csvColumns = [
        "client_ip", "client_port", "server_ip", "server_port", "transport", "protocol", "app", "version", "cipher",
        "group", "dh_bits", "sni", "alpn", "established", "resumed", "starttls", "starttls_offered",
        "cleartext_credentials", "pfs", "pq", "severity", "findings", "alert", "cert_subject",
        "cert_key_type", "cert_key_bits", "cert_signature_algorithm", "cert_not_after", "packets", "bytes",
        "first_seen", "last_seen", "ja4", "ja3", "ja3s", "direction", "process", "pid",
        "user", "unit", "tunnel", "tunnel_target", "cert_source",
        // Added at the end, so that scripts reading columns by position keep working.
        "pq_missed", "pq_auth", "verdicts",
    ]

    /// The whole table as text (tests and small snapshots; exports use `writeCSV`).
    public func csv() -> String {
        var bytes: [UInt8] = []
        try? writeCSV(flushSize: Int.max / 2) { bytes.append(contentsOf: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the table to `sink` row by row, in pieces of about `flushSize` bytes.
    public func writeCSV(flushSize: Int = 1 << 18, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var out: [UInt8] = []
        out.reserveCapacity(min(flushSize, 1 << 20) + 4096)
        out.append(contentsOf: (Self.csvColumns.joined(separator: ",") + "\r\n").utf8)
        for c in connections {
            let fields: [String?] = [
                c.client.address.description, String(c.client.port), c.server.address.description,
                String(c.server.port), c.transport.name, c.protocol.name,
                c.application?.rawValue, c.version?.name, c.cipher?.name, c.group?.name, c.dhBits.map(String.init),
                c.sni, c.alpn,
                c.established.map { $0 ? "true" : "false" }, c.resumed.map { $0 ? "true" : "false" },
                c.startTLS?.rawValue,
                c.startTLSOffered ? "true" : "false", c.cleartextCredentials ? "true" : "false",
                c.pfs.map { $0 ? "true" : "false" }, c.pq ? "true" : "false", c.severity.name,
                c.findings.map(\.id.rawValue).joined(separator: " "),
                c.alert?.summary, c.certificate?.subject, c.certificate?.keyType,
                c.certificate?.keyBits.map(String.init),
                c.certificate?.signatureAlgorithm, c.certificate?.notAfter.rfc3339, String(c.packets),
                String(c.bytes), c.firstSeen.rfc3339, c.lastSeen.rfc3339, c.ja4, c.ja3, c.ja3s,
                c.direction?.rawValue, c.localProcess.map { $0.name ?? $0.state.rawValue },
                c.localProcess?.pid.map(String.init),
                c.localProcess?.user, c.localProcess?.unit, c.tunnel?.kind.rawValue, c.tunnel?.target,
                c.certificateSource?.rawValue,
                c.pqMissed ? "true" : "false", c.pqAuthentication.map { $0 ? "true" : "false" },
                // policy:severity:finding+finding per further policy, separated by spaces.
                c.otherVerdicts.map {
                    "\($0.policy):\($0.severity.name):" + $0.findings.map(\.id.rawValue).joined(separator: "+")
                }
                .joined(separator: " "),
            ]
            for (index, field) in fields.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: CSVCell.escape(field ?? "").utf8)
            }
            out.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
            if out.count >= flushSize {
                try out.withUnsafeBytes { try sink($0) }
                out.removeAll(keepingCapacity: true)
            }
        }
        try out.withUnsafeBytes { try sink($0) }
    }
}

/// Makes one CSV cell safe: spreadsheet formulas neutralized, control characters replaced, quoted.
public enum CSVCell {
    public static func escape(_ value: String) -> String {
        var text = String(
            String.UnicodeScalarView(
                value.unicodeScalars.map { scalar in
                    scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                        ? "\u{FFFD}" : scalar
                }))
        // A cell starting with = + - @ is a formula to spreadsheets (OWASP CSV injection); a leading
        // apostrophe makes it text. Numbers we wrote ourselves never start with these.
        if let first = text.unicodeScalars.first, "=+-@".unicodeScalars.contains(first) {
            text = "'" + text
        }
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "'" || $0 == " " }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }
}
