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

    /// The grade and the reason for it, from what every classified connection to a host showed.
    /// `nil` when no connection was classified yet.
    static func grade(_ inputs: HostTable.GradeInputs) -> (grade: Grade, reason: String)? {
        guard inputs.anyClassified else { return nil }
        var grade = Grade.aPlus
        var reason = "every TLS connection uses a post-quantum hybrid key exchange, nothing above info"
        func cap(_ limit: Grade, _ why: String) {
            if limit < grade {
                grade = limit
                reason = why
            }
        }
        for (id, limit) in caps where inputs.worstSeverity[id] != nil {
            cap(limit, "capped by \(id.rawValue)")
        }
        let ordered = FindingID.all.filter { inputs.worstSeverity[$0] != nil }
        if let critical = ordered.first(where: { inputs.worstSeverity[$0] == .critical }) {
            cap(.c, "capped by \(critical.rawValue) (critical)")
        }
        if let warning = ordered.first(where: { inputs.worstSeverity[$0] == .warn }) {
            cap(.b, "capped by \(warning.rawValue) (warn)")
        }
        if !inputs.hasTLS || !inputs.allTLSPostQuantum {
            cap(
                .a,
                inputs.hasTLS
                    ? "no warn or critical findings; not every connection is post-quantum" : "no TLS connections")
        }
        return (grade, reason)
    }
}
