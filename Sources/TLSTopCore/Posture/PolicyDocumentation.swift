/// The policy tables as Markdown, so docs/policy.md is generated from the code that applies them
/// (a test keeps the two identical).
public enum PolicyDocumentation {
    private static let profiles = Policy.Profile.allCases.map(Policy.builtIn)

    private static func header(_ first: String, _ extra: [String] = []) -> [String] {
        let columns = [first] + profiles.map { "`\($0.name)`" } + extra
        return [
            "| " + columns.joined(separator: " | ") + " |", "|" + String(repeating: " --- |", count: columns.count),
        ]
    }

    public static func findingsTable() -> String {
        var lines = header("finding", ["grade cap", "meaning"])
        for id in FindingID.all {
            let severities = profiles.map { $0.severity(of: id).name }
            let cap = Grade.caps.first { $0.0 == id }?.1.name ?? "–"
            lines.append(
                "| `\(id.rawValue)` | \(severities.joined(separator: " | ")) | \(cap) | \(id.explanation) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What each finding cites: its own reference, and the rule of each standard that rules on it.
    public static func referencesTable() -> String {
        var lines = ["| finding | reference | " + profiles.map { "`\($0.name)`" }.joined(separator: " | ") + " |"]
        lines.append("|" + String(repeating: " --- |", count: profiles.count + 2))
        for id in FindingID.all {
            let cited = profiles.map { policy in policy.references[id].map { $0.isEmpty ? "the profile" : $0 } ?? "–" }
            lines.append("| `\(id.rawValue)` | \(id.reference) | \(cited.joined(separator: " | ")) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func profilesTable() -> String {
        var lines = header("")
        func row(_ title: String, _ value: (Policy) -> String) {
            lines.append("| \(title) | " + profiles.map(value).joined(separator: " | ") + " |")
        }
        row("standard") { $0.profile.standard }
        row("versions") { $0.allowedVersions.sorted().map(\.name).joined(separator: ", ") }
        row("cipher suites") {
            $0.profile == .pciDSS4
                ? "any AES, ChaCha20, Camellia or ARIA suite (\($0.allowedCipherSuites.count))"
                : $0.allowedCipherSuites.sorted { $0.rawValue < $1.rawValue }.map(\.name).joined(separator: "<br>")
        }
        row("groups") {
            $0.allowedGroups.sorted { $0.rawValue < $1.rawValue }.map(\.name).joined(separator: ", ")
                + ($0.restrictsPostQuantumGroups ? "" : " (and any post-quantum group)")
        }
        row("RSA key minimum") { "\($0.minimumRSABits) bits" }
        row("DH prime minimum") { "\($0.minimumDHBits) bits" }
        row("EC key minimum") { "\($0.minimumECBits) bits" }
        row("post-quantum certificate key") {
            $0.minimumPQSignatureCategory > 1 ? "category \($0.minimumPQSignatureCategory) (ML-DSA-87)" : "not required"
        }
        row("sunsets") { policy in
            let sunsets = policy.sunsets
            let items = [
                sunsets.tls12.map { "TLS 1.2 before \($0.rfc3339Day)" },
                sunsets.finiteFieldDHE.map { "DHE suites before \($0.rfc3339Day)" },
                sunsets.classicalKeyExchange.map { "classical-only key exchange before \($0.rfc3339Day)" },
            ].compactMap { $0 }
            return items.isEmpty ? "–" : items.joined(separator: "<br>")
        }
        row("certificate expiry warning") { "\($0.certificateExpiryWarningDays) days" }
        return lines.joined(separator: "\n") + "\n"
    }
}
