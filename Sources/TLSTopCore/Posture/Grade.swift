/// A host's letter grade, modeled on SSL Labs' caps: every connection to the host can only lower it.
public enum Grade: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case f = 0
    case c, b, a, aPlus

    public static func < (lhs: Grade, rhs: Grade) -> Bool { lhs.rawValue < rhs.rawValue }

    public var name: String {
        switch self {
        case .aPlus: "A+"
        case .a: "A"
        case .b: "B"
        case .c: "C"
        case .f: "F"
        }
    }

    public var description: String { name }

    /// Findings that cap the grade, most severe cap first. docs/policy.md prints this table.
    public static let caps: [(FindingID, Grade)] = [
        (.plaintext, .f), (.cleartextCredentials, .f), (.starttlsNotUsed, .f), (.sslv2, .f), (.sslv3, .f),
        (.exportCipher, .f), (.nullCipher, .f), (.anonCipher, .f), (.des, .f), (.certExpired, .f),
        (.rc4, .c),
        (.tls10, .b), (.tls11, .b), (.noPFS, .b), (.tripleDES, .b), (.weakDH, .b), (.weakRSAKey, .b),
        (.weakECKey, .b), (.weakSignature, .b), (.selfSigned, .b), (.sniMismatch, .b), (.certNotYetValid, .b),
    ]

    /// The grade and the reason for it, from the findings of every classified connection to a host.
    /// `nil` when no connection was classified yet.
    public static func grade(
        of connections: [(findings: [Finding], pq: Bool, isTLS: Bool, isClassified: Bool)]
    ) -> (grade: Grade, reason: String)? {
        let classified = connections.filter(\.isClassified)
        guard !classified.isEmpty else { return nil }
        var grade = Grade.aPlus
        var reason = "every TLS connection uses a post-quantum hybrid key exchange, nothing above info"
        func cap(_ limit: Grade, _ why: String) {
            if limit < grade {
                grade = limit
                reason = why
            }
        }
        let findings = classified.flatMap(\.findings)
        for (id, limit) in caps where findings.contains(where: { $0.id == id }) {
            cap(limit, "capped by \(id.rawValue)")
        }
        if let critical = findings.first(where: { $0.severity == .critical }) {
            cap(.c, "capped by \(critical.id.rawValue) (critical)")
        }
        if let warning = findings.first(where: { $0.severity == .warn }) {
            cap(.b, "capped by \(warning.id.rawValue) (warn)")
        }
        let tls = classified.filter(\.isTLS)
        if tls.isEmpty || tls.contains(where: { !$0.pq }) {
            cap(
                .a,
                tls.isEmpty
                    ? "no TLS connections" : "no warn or critical findings; not every connection is post-quantum")
        }
        return (grade, reason)
    }
}
