/// The policy tables as Markdown, so docs/policy.md is generated from the code that applies them
/// (a test keeps the two identical).
public enum PolicyDocumentation {
    public static func findingsTable() -> String {
        var lines = [
            "| finding | modern | intermediate | old | grade cap | meaning | reference |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        let profiles = Policy.Profile.allCases.map(Policy.builtIn)
        for id in FindingID.all {
            let severities = profiles.map { $0.severity(of: id).name }
            let cap = Grade.caps.first { $0.0 == id }?.1.name ?? "–"
            lines.append(
                "| `\(id.rawValue)` | \(severities.joined(separator: " | ")) | \(cap) | \(id.explanation) | \(id.reference) |"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func profilesTable() -> String {
        var lines = [
            "| | modern | intermediate | old |",
            "| --- | --- | --- | --- |",
        ]
        let profiles = Policy.Profile.allCases.map(Policy.builtIn)
        func row(_ title: String, _ value: (Policy) -> String) {
            lines.append("| \(title) | " + profiles.map(value).joined(separator: " | ") + " |")
        }
        row("versions") { $0.allowedVersions.sorted().map(\.name).joined(separator: ", ") }
        row("cipher suites") {
            $0.allowedCipherSuites.sorted { $0.rawValue < $1.rawValue }.map(\.name).joined(separator: "<br>")
        }
        row("groups") { $0.allowedGroups.sorted { $0.rawValue < $1.rawValue }.map(\.name).joined(separator: ", ") }
        row("RSA key minimum") { "\($0.minimumRSABits) bits" }
        row("DH prime minimum") { "\($0.minimumDHBits) bits" }
        row("EC key minimum") { "\($0.minimumECBits) bits" }
        row("certificate expiry warning") { "\($0.certificateExpiryWarningDays) days" }
        return lines.joined(separator: "\n") + "\n"
    }
}
