/// How much a finding matters, in the order a dashboard sorts by.
public enum Severity: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    /// Nothing to report (a finding set to `ok` by a policy is not listed at all).
    case ok = 0
    case info
    case warn
    case critical

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }

    public var name: String {
        switch self {
        case .ok: "ok"
        case .info: "info"
        case .warn: "warn"
        case .critical: "critical"
        }
    }

    public var description: String { name }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}
